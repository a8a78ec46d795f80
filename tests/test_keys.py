"""API keys and roles: lifecycle on SQLite and PostgreSQL, wrong keys, timing
parity, the role order and the permission table."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, update

from corridor.errors import ConflictError, ForbiddenError, InputError, NotFoundError, UnauthorizedError
from corridor.services import audit, keys
from corridor.services.keys import PERMISSIONS, ROLE_ORDER, Permission, Principal, Role
from corridor.store import db
from corridor.store.schema_audit import api_keys


@pytest.fixture
def engine(db_url: str) -> Engine:
    return db.engine(db_url)


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    keys._verified.clear()
    keys._rows.clear()


def test_key_lifecycle_create_authenticate_revoke(engine: Engine) -> None:
    created = keys.create(engine, "payments-gw", "analyst")
    assert re.fullmatch(r"cor_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", created.secret)
    assert created.secret.startswith(f"cor_{created.key_id}_")
    assert created.role is Role.ANALYST

    # stored: the key id, a salted hash, never the key
    with engine.connect() as conn:
        (row,) = conn.execute(select(api_keys)).mappings()
    assert created.secret not in " ".join(str(v) for v in row.values())
    assert created.secret.split("_", 2)[2] not in " ".join(str(v) for v in row.values())
    assert row["kdf"] == f"pbkdf2_sha256${keys.KDF_ITERATIONS}" and len(bytes.fromhex(row["salt"])) == 16

    principal = keys.authenticate(engine, created.secret)
    assert principal == Principal(created.key_id, "payments-gw", Role.ANALYST)
    assert keys.authenticate(engine, f"  {created.secret}\n") == principal  # header whitespace
    (listed,) = keys.list_keys(engine)
    assert listed.active and listed.last_used_at is not None and listed.name == "payments-gw"
    assert not hasattr(listed, "secret") and not hasattr(listed, "key_hash")

    revoked = keys.revoke(engine, "payments-gw")
    assert revoked.revoked_at is not None and not revoked.active
    assert keys.authenticate(engine, created.secret) is None  # the cache does not outlive revocation
    (listed,) = keys.list_keys(engine)
    assert not listed.active

    trail = audit.tail(engine, 10)
    assert [r.action for r in trail] == ["key.create", "key.revoke"]
    assert all(r.channel == "cli" and r.role == audit.LOCAL_ROLE and r.actor for r in trail)
    assert trail[0].summary == {"key_id": created.key_id, "name": "payments-gw", "role": "analyst"}
    assert all(created.secret not in str(r.to_dict()) for r in trail)
    assert audit.verify(engine).ok


def test_revoke_by_key_id_and_audited_actor(engine: Engine) -> None:
    admin = Principal("000000000000", "ops-admin", Role.ADMIN)
    created = keys.create(engine, "batch", Role.SCREENER, by=admin.actor())
    keys.revoke(engine, created.key_id, by=admin.actor())
    records = audit.tail(engine, 5)
    assert [(r.actor, r.role, r.channel) for r in records] == [("ops-admin", "admin", "api")] * 2
    assert keys.authenticate(engine, created.secret) is None


def test_wrong_keys_are_refused(engine: Engine) -> None:
    good = keys.create(engine, "good", "viewer")
    other = keys.create(engine, "other", "admin")
    secret = good.secret
    flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    wrong = [
        flipped,
        f"cor_{'f' * 12}_{secret.split('_', 2)[2]}" if good.key_id != "f" * 12 else flipped,  # unknown id
        f"cor_{good.key_id}_{other.secret.split('_', 2)[2]}",  # another key's secret on this id
        secret.replace("cor_", "xyz_"),
        secret[:-1],
        "",
        "ApiKey " + secret,
    ]
    for presented in wrong:
        assert keys.authenticate(engine, presented) is None, presented
    assert keys.authenticate(engine, secret) is not None
    assert keys.authenticate(engine, other.secret) == Principal(other.key_id, "other", Role.ADMIN)


def test_every_refusal_costs_one_key_hash(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown key id or a malformed key does the same hashing as a wrong secret,
    so timing does not tell which part was wrong."""
    created = keys.create(engine, "timed", "viewer")
    calls: list[int] = []
    real = keys._kdf

    def counting(key: str, salt: bytes, iterations: int) -> bytes:
        calls.append(iterations)
        return real(key, salt, iterations)

    monkeypatch.setattr(keys, "_kdf", counting)
    for presented in (
        created.secret[:-1] + ("x" if created.secret[-1] != "x" else "y"),
        "cor_" + "0" * 12 + created.secret[16:],
        "garbage",
    ):
        calls.clear()
        assert keys.authenticate(engine, presented) is None
        assert calls == [keys.KDF_ITERATIONS], presented


def test_a_verified_key_is_not_hashed_again(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    created = keys.create(engine, "hot", "screener")
    calls: list[str] = []
    real = keys._kdf
    monkeypatch.setattr(keys, "_kdf", lambda k, s, i: calls.append(k) or real(k, s, i))
    for _ in range(3):
        assert keys.authenticate(engine, created.secret) is not None
    assert len(calls) == 1
    # a changed stored hash invalidates what was remembered
    with engine.begin() as conn:
        conn.execute(update(api_keys).values(key_hash="00" * 32))
    keys._rows.clear()  # as when the process's copy of the row is ROW_MAX_AGE old
    assert keys.authenticate(engine, created.secret) is None


def test_last_used_is_written_at_most_once_a_minute(engine: Engine) -> None:
    created = keys.create(engine, "ticker", "viewer")
    keys.authenticate(engine, created.secret)
    (first,) = keys.list_keys(engine)
    keys.authenticate(engine, created.secret)
    (second,) = keys.list_keys(engine)
    assert first.last_used_at is not None and second.last_used_at == first.last_used_at
    old = datetime.now(UTC) - timedelta(minutes=5)
    with engine.begin() as conn:
        conn.execute(update(api_keys).values(last_used_at=old))
    keys._rows.clear()  # as when the process's copy of the row is ROW_MAX_AGE old
    keys.authenticate(engine, created.secret)
    (third,) = keys.list_keys(engine)
    assert third.last_used_at is not None and third.last_used_at > old + timedelta(minutes=4)


def test_bad_create_and_revoke_requests(engine: Engine) -> None:
    keys.create(engine, "dup", "viewer")
    seq = audit.head(engine).seq
    with pytest.raises(ConflictError):
        keys.create(engine, "dup", "admin")
    assert audit.head(engine).seq == seq  # the audit record rolled back with the refused key
    with pytest.raises(InputError) as bad_role:
        keys.create(engine, "someone", "superuser")
    assert bad_role.value.field == "role" and "viewer" in str(bad_role.value)
    for bad_name in ("", " ", "-lead", "a b", "x" * 65, "evil\x1b[2J"):
        with pytest.raises(InputError) as bad:
            keys.create(engine, bad_name, "viewer")
        assert bad.value.field == "name"
    with pytest.raises(NotFoundError):
        keys.revoke(engine, "nobody")
    keys.revoke(engine, "dup")
    with pytest.raises(ConflictError, match="already"):
        keys.revoke(engine, "dup")
    assert [r.action for r in audit.tail(engine, 10)] == ["key.create", "key.revoke"]
    assert [k.name for k in keys.list_keys(engine)] == ["dup"]


# --- roles and permissions (pure) ---------------------------------------------


def test_role_order() -> None:
    assert [r.value for r in ROLE_ORDER] == ["viewer", "screener", "analyst", "reviewer", "admin"]
    assert [r.rank for r in ROLE_ORDER] == [0, 1, 2, 3, 4]
    assert set(ROLE_ORDER) == set(Role)


def test_each_role_may_do_what_the_roles_below_may() -> None:
    for lower, higher in itertools.pairwise(ROLE_ORDER):
        assert PERMISSIONS[lower] < PERMISSIONS[higher], (lower, higher)
    assert PERMISSIONS[Role.ADMIN] == frozenset(Permission)


@pytest.mark.parametrize(
    ("permission", "lowest"),
    [
        (Permission.READ_LISTS, Role.VIEWER),
        (Permission.SCREEN, Role.SCREENER),
        (Permission.CHECK, Role.SCREENER),
        (Permission.CHECK_RECORD, Role.ANALYST),
        (Permission.ALERT_DECIDE, Role.ANALYST),
        (Permission.ALERT_APPROVE, Role.REVIEWER),
        (Permission.AUDIT_READ, Role.REVIEWER),
        (Permission.LISTS_IMPORT, Role.ADMIN),
        (Permission.KEYS_MANAGE, Role.ADMIN),
    ],
)
def test_permission_table(permission: Permission, lowest: Role) -> None:
    assert keys.minimum_role(permission) is lowest
    for role in ROLE_ORDER:
        principal = Principal("0" * 12, f"k-{role.value}", role)
        if role.rank >= lowest.rank:
            keys.authorize(principal, permission)
        else:
            with pytest.raises(ForbiddenError) as refused:
                keys.authorize(principal, permission)
            assert refused.value.status == 403
            assert lowest.value in str(refused.value) and permission.value in str(refused.value)


def test_no_principal_is_unauthorized() -> None:
    with pytest.raises(UnauthorizedError) as refused:
        keys.authorize(None, Permission.READ_LISTS)
    assert refused.value.status == 401 and refused.value.to_dict()["code"] == "unauthorized"


def test_parse_role() -> None:
    assert keys.parse_role(" Reviewer ") is Role.REVIEWER
    with pytest.raises(InputError):
        keys.parse_role("root")


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("ApiKey cor_abc", "cor_abc"),
        ("apikey  cor_abc ", "cor_abc"),
        ("Bearer cor_abc", "cor_abc"),
        ("Basic dXNlcjpwYXNz", None),
        ("ApiKey", None),
        ("ApiKey   ", None),
        ("", None),
        (None, None),
    ],
)
def test_key_from_header(header: str | None, key: str | None) -> None:
    assert keys.key_from_header(header) == key


def test_a_revocation_by_another_process_takes_effect_within_the_row_age(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server reads a key's row at most once per ROW_MAX_AGE; a revocation written
    by another process (the CLI, another worker) is seen once that copy is older."""
    now = [1000.0]
    monkeypatch.setattr(keys, "_rows", keys._KeyRows(clock=lambda: now[0]))
    created = keys.create(engine, "other-process", "screener")
    assert keys.authenticate(engine, created.secret) is not None
    # another process revokes: straight in the store, this process is not told
    with engine.begin() as conn:
        conn.execute(
            update(api_keys).where(api_keys.c.key_id == created.key_id).values(revoked_at=datetime.now(UTC))
        )
    now[0] += keys.ROW_MAX_AGE / 2
    assert keys.authenticate(engine, created.secret) is not None  # the copy is still fresh
    now[0] += keys.ROW_MAX_AGE
    assert keys.authenticate(engine, created.secret) is None
    # a revocation made in this process takes effect at once, whatever the age
    second = keys.create(engine, "same-process", "screener")
    assert keys.authenticate(engine, second.secret) is not None
    keys.revoke(engine, "same-process")
    assert keys.authenticate(engine, second.secret) is None
