"""API keys, roles and permissions.

Roles, lowest first: viewer < screener < analyst < reviewer < admin.  Each role
may do what the roles below it may and what `GRANTS` adds; `PERMISSIONS` is the
resulting table, the one place an interface asks (`authorize`).

A key is `cor_` + a 12-hex-digit key id + `_` + `secrets.token_urlsafe(32)`
(256 random bits).  It is shown once, in the `CreatedKey` that `create` returns;
the store keeps the key id (not secret: it finds the row) and a PBKDF2-HMAC-SHA256
hash of the whole key with a per-key 16-byte salt.  `authenticate` compares in
constant time and hashes a dummy key when the key id is unknown, so timing tells
nothing about the secret.  Every creation and revocation writes an audit record
in the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Engine

from corridor.errors import ConflictError, ForbiddenError, InputError, NotFoundError, UnauthorizedError
from corridor.services import audit
from corridor.store import audit as store_audit
from corridor.store import keys as store
from corridor.store.audit import write_transaction
from corridor.types.text import is_ascii_digits


class Role(StrEnum):
    """Who a key belongs to, lowest first (the order is `ROLE_ORDER`)."""

    VIEWER = "viewer"
    SCREENER = "screener"
    ANALYST = "analyst"
    REVIEWER = "reviewer"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return ROLE_ORDER.index(self)


ROLE_ORDER: tuple[Role, ...] = (Role.VIEWER, Role.SCREENER, Role.ANALYST, Role.REVIEWER, Role.ADMIN)


class Permission(StrEnum):
    """What an interface asks before it acts."""

    READ_LISTS = "lists.read"  # search, entities, catalog, lists, versions, diffs, rules, HS
    SCREEN = "screen"  # match, screen, compare, reconcile
    CHECK = "check"  # trade check, nothing recorded
    CHECK_RECORD = "check.record"  # trade check whose capped lines are counted in the ledger
    READ_LEDGER = "ledger.read"
    PORTFOLIO = "portfolio.manage"  # import, remove parties; run monitoring
    ALERTS_READ = "alerts.read"
    ALERT_DECIDE = "alert.decide"  # assign, comment, escalate, decide
    ALERT_APPROVE = "alert.approve"  # four eyes: approve or send back someone else's decision
    AUDIT_READ = "audit.read"  # verify, export, tail
    LISTS_IMPORT = "lists.import"  # import and update lists
    KEYS_MANAGE = "keys.manage"


# What each role adds to the role below it.
GRANTS: Mapping[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ_LISTS}),
    Role.SCREENER: frozenset({Permission.SCREEN, Permission.CHECK}),
    Role.ANALYST: frozenset(
        {
            Permission.CHECK_RECORD,
            Permission.READ_LEDGER,
            Permission.PORTFOLIO,
            Permission.ALERTS_READ,
            Permission.ALERT_DECIDE,
        }
    ),
    Role.REVIEWER: frozenset({Permission.ALERT_APPROVE, Permission.AUDIT_READ}),
    Role.ADMIN: frozenset({Permission.LISTS_IMPORT, Permission.KEYS_MANAGE}),
}


def _cumulative() -> dict[Role, frozenset[Permission]]:
    table: dict[Role, frozenset[Permission]] = {}
    granted: frozenset[Permission] = frozenset()
    for role in ROLE_ORDER:
        granted = granted | GRANTS[role]
        table[role] = granted
    return table


# The permission table: everything each role may do.
PERMISSIONS: Mapping[Role, frozenset[Permission]] = _cumulative()


def minimum_role(permission: Permission) -> Role:
    """The lowest role granted `permission`."""
    return next(role for role in ROLE_ORDER if permission in PERMISSIONS[role])


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        known = ", ".join(r.value for r in ROLE_ORDER)
        raise InputError("role", f"unknown role {value!r}; one of {known}") from None


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated key: whom the API acts for."""

    key_id: str
    name: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]

    def actor(self, channel: audit.Channel = audit.Channel.API) -> audit.Actor:
        return audit.Actor(self.name, self.role.value, channel)


def authorize(principal: Principal | None, permission: Permission) -> None:
    """Return when `principal` may do `permission`; UnauthorizedError (401) without
    a principal, ForbiddenError (403) for a role too low."""
    if principal is None:
        raise UnauthorizedError("a valid API key is required (Authorization: ApiKey <key>)")
    if not principal.can(permission):
        needed = minimum_role(permission)
        raise ForbiddenError(
            f"key {principal.name!r} has role {principal.role.value}; {permission.value} needs "
            f"{needed.value} or higher"
        )


# --- keys ---------------------------------------------------------------------

PREFIX = "cor_"
KEY_ID_HEX = 12
KDF_ITERATIONS = 50_000
# 256 random bits need no stretching against guessing; the iterations only slow
# down an attacker who stole the table *and* hopes for a weak key, while keeping a
# first check of a key at ~25 ms (later checks of the same key hit the cache below)
_KEY_RE = re.compile(rf"{PREFIX}(?P<key_id>[0-9a-f]{{{KEY_ID_HEX}}})_(?P<secret>[A-Za-z0-9_-]{{43}})")
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
# last-used is written at most this often per key: not one write per API request
LAST_USED_EVERY = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """A key as listed: never the key, never its hash."""

    key_id: str
    name: str
    role: Role
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class CreatedKey:
    """A new key.  `secret` is the only copy there will ever be."""

    key_id: str
    name: str
    role: Role
    created_at: datetime
    secret: str


def _kdf(key: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", key.encode("utf-8"), salt, iterations)


def _kdf_name(iterations: int) -> str:
    return f"pbkdf2_sha256${iterations}"


def _iterations(kdf: str) -> int:
    algorithm, _, count = kdf.partition("$")
    if algorithm != "pbkdf2_sha256" or not is_ascii_digits(count):
        raise ValueError(f"unknown key hash {kdf!r}")
    return int(count)


def _info(row: store.KeyRow) -> KeyInfo:
    return KeyInfo(row.key_id, row.name, Role(row.role), row.created_at, row.last_used_at, row.revoked_at)


def _by(actor: audit.Actor | None) -> audit.Actor:
    return actor or audit.Actor.cli()


def create(engine: Engine, name: str, role: Role | str, *, by: audit.Actor | None = None) -> CreatedKey:
    """Create a key named `name` with `role` (audited as done by `by`, default the
    CLI's OS user).  The secret is in the result and nowhere else."""
    name = name.strip()
    if not _NAME_RE.fullmatch(name):
        raise InputError(
            "name", "a key name is 1–64 letters, digits or . _ @ -, starting with a letter or digit"
        )
    role_value = role if isinstance(role, Role) else parse_role(role)
    actor = _by(by)
    key_id = secrets.token_hex(KEY_ID_HEX // 2)
    secret = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    salt = secrets.token_bytes(16)
    digest = _kdf(secret, salt, KDF_ITERATIONS)
    created_at = datetime.now(UTC)
    with write_transaction(engine) as conn:
        # the audit record first: it takes the chain-head lock, which also serialises
        # key creations, so the name check below cannot race
        audit.record_on(
            conn,
            actor=actor.name,
            role=actor.role,
            channel=actor.channel,
            action=audit.Action.KEY_CREATE,
            request={"name": name, "role": role_value.value},
            result_summary={"key_id": key_id, "name": name, "role": role_value.value},
        )
        store.insert(
            conn,
            key_id=key_id,
            name=name,
            role=role_value.value,
            kdf=_kdf_name(KDF_ITERATIONS),
            salt=salt.hex(),
            key_hash=digest.hex(),
            created_at=created_at,
        )
    return CreatedKey(key_id, name, role_value, created_at, secret)


def list_keys(engine: Engine) -> list[KeyInfo]:
    """Every key, revoked ones included, oldest first."""
    return [_info(row) for row in store.all_keys(engine)]


def revoke(engine: Engine, name_or_id: str, *, by: audit.Actor | None = None) -> KeyInfo:
    """Revoke the key with this name (or key id); it authenticates no more."""
    actor = _by(by)
    revoked_at = datetime.now(UTC)
    with write_transaction(engine) as conn:
        # the chain-head lock first: two revocations of one key cannot both pass the check
        store_audit.read_head(conn, lock=True)
        row = store.find(conn, name_or_id)
        if row is None:
            raise NotFoundError(f"no key named {name_or_id!r}")
        if row.revoked_at is not None:
            raise ConflictError(f"key {row.name!r} was revoked already, at {row.revoked_at.isoformat()}")
        audit.record_on(
            conn,
            actor=actor.name,
            role=actor.role,
            channel=actor.channel,
            action=audit.Action.KEY_REVOKE,
            request={"key": name_or_id},
            result_summary={"key_id": row.key_id, "name": row.name, "role": row.role},
        )
        store.mark_revoked(conn, row.id, revoked_at)
    _verified.forget(row.key_id)
    _rows.forget(row.key_id)
    return KeyInfo(row.key_id, row.name, Role(row.role), row.created_at, row.last_used_at, revoked_at)


def key_from_header(authorization: str | None) -> str | None:
    """The key in an `Authorization` header: `ApiKey <key>` (as yente's clients and
    the hosted OpenSanctions API send it) or `Bearer <key>`; None for anything else."""
    if not authorization:
        return None
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() not in ("apikey", "bearer") or not credentials.strip():
        return None
    return credentials.strip()


class _VerifiedKeys:
    """Keys whose hash this process has checked already: {sha256(key): stored hash}.

    The expensive KDF runs once per key and process; revocation still takes effect
    at once because every `authenticate` reads the key's row (and a cached entry
    counts only while the row's hash is the one it was checked against)."""

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def matches(self, presented: str, key_id: str, stored_hash: str) -> bool:
        fingerprint = hashlib.sha256(presented.encode("utf-8")).hexdigest()
        with self._lock:
            entry = self._entries.get(fingerprint)
            if entry is not None:
                self._entries.move_to_end(fingerprint)
        return entry is not None and entry[0] == key_id and hmac.compare_digest(entry[1], stored_hash)

    def remember(self, presented: str, key_id: str, stored_hash: str) -> None:
        fingerprint = hashlib.sha256(presented.encode("utf-8")).hexdigest()
        with self._lock:
            self._entries[fingerprint] = (key_id, stored_hash)
            self._entries.move_to_end(fingerprint)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def forget(self, key_id: str) -> None:
        with self._lock:
            for fingerprint in [f for f, (kid, _) in self._entries.items() if kid == key_id]:
                del self._entries[fingerprint]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_verified = _VerifiedKeys()
_DUMMY_SALT = secrets.token_bytes(16)

# A key's row is read again when the copy this process holds is older than this: a
# server answering a thousand requests a second reads it once a second, not a
# thousand times.  A revocation made by this process takes effect at once; one
# made by another process (the CLI, another worker) within this many seconds.
ROW_MAX_AGE = 1.0


class _KeyRows:
    """Recently read key rows: {key id: (row, when read)}, bounded."""

    def __init__(self, size: int = 1024, clock: Callable[[], float] = time.monotonic) -> None:
        self._size = size
        self._clock = clock
        self._rows: OrderedDict[str, tuple[store.KeyRow, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, engine: Engine, key_id: str) -> store.KeyRow | None:
        now = self._clock()
        with self._lock:
            entry = self._rows.get(key_id)
        if entry is not None and now - entry[1] < ROW_MAX_AGE:
            return entry[0]
        row = store.by_key_id(engine, key_id)
        with self._lock:
            if row is None:
                self._rows.pop(key_id, None)
            else:
                self._rows[key_id] = (row, now)
                self._rows.move_to_end(key_id)
                while len(self._rows) > self._size:
                    self._rows.popitem(last=False)
        return row

    def used(self, row: store.KeyRow, at: datetime) -> None:
        with self._lock:
            entry = self._rows.get(row.key_id)
            if entry is not None:
                self._rows[row.key_id] = (replace(entry[0], last_used_at=at), entry[1])

    def forget(self, key_id: str) -> None:
        with self._lock:
            self._rows.pop(key_id, None)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


_rows = _KeyRows()


def authenticate(engine: Engine, presented: str) -> Principal | None:
    """The principal of a presented key, or None for a malformed, unknown or revoked
    key.  The hash comparison takes the same time whatever the key."""
    match = _KEY_RE.fullmatch(presented.strip()) if isinstance(presented, str) else None
    row = _rows.get(engine, match.group("key_id")) if match else None
    if row is None:
        # same work as for a known key: an unknown key id takes as long as a wrong secret
        _kdf(presented[:128] if isinstance(presented, str) else "", _DUMMY_SALT, KDF_ITERATIONS)
        return None
    key = presented.strip()
    if _verified.matches(key, row.key_id, row.key_hash):
        valid = True
    else:
        try:
            iterations = _iterations(row.kdf)
            expected = bytes.fromhex(row.key_hash)
            salt = bytes.fromhex(row.salt)
        except ValueError:
            return None  # a row this version cannot check: refuse rather than guess
        valid = hmac.compare_digest(_kdf(key, salt, iterations), expected)
        if valid:
            _verified.remember(key, row.key_id, row.key_hash)
    if not valid or row.revoked_at is not None or row.role not in PERMISSIONS:
        return None
    now = datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
        store.touch(engine, row.id, now)
        _rows.used(row, now)
    return Principal(row.key_id, row.name, Role(row.role))


def principal_of(engine: Engine, key_id: str) -> Principal | None:
    """The principal of a key known by its id (a web session holds the id, not the
    key), or None when it is unknown or revoked (read as `authenticate` reads it)."""
    row = _rows.get(engine, key_id) if re.fullmatch(rf"[0-9a-f]{{{KEY_ID_HEX}}}", key_id) else None
    if row is None or row.revoked_at is not None or row.role not in PERMISSIONS:
        return None
    return Principal(row.key_id, row.name, Role(row.role))
