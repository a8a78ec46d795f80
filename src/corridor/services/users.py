"""Web sign-in accounts: a name, a role and a password hashed with argon2id.

Roles are the API keys' roles (`services.keys.Role`) and are checked against the
same permission table.  Passwords are never stored: the store keeps argon2id's
PHC string (salt and parameters inside it, argon2-cffi's RFC 9106 defaults), and
a hash made with weaker parameters is replaced at the next sign-in.  Checking a
name that does not exist costs the same as a wrong password, so timing does not
tell which names exist.  Every creation and change writes an audit record in the
same transaction; a password change or a disabled account ends the account's
open web sessions (`principal_of` compares the session's start with both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine

from corridor.errors import ConflictError, InputError, NotFoundError
from corridor.services import audit
from corridor.services.keys import PERMISSIONS, Principal, Role, parse_role
from corridor.store import audit as store_audit
from corridor.store import users as store
from corridor.store.audit import write_transaction

PASSWORD_MIN = 12
PASSWORD_MAX = 1024  # argon2 would take more; nobody types more
SUBJECT_PREFIX = "user-"  # a web session's subject for an account (API keys use their key id)
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password anyone has: it only costs the same time")


@dataclass(frozen=True, slots=True)
class UserInfo:
    """An account as listed: never the password, never its hash."""

    name: str
    role: Role
    created_at: datetime
    password_changed_at: datetime
    disabled_at: datetime | None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


def _info(row: store.UserRow) -> UserInfo:
    return UserInfo(row.name, Role(row.role), row.created_at, row.password_changed_at, row.disabled_at)


def check_password(password: str) -> str:
    """The password if it may be used, else an InputError naming `password`."""
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise InputError("password", f"a password has at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise InputError("password", f"a password has at most {PASSWORD_MAX} characters")
    if not password.strip() or any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise InputError("password", "a password may not contain control characters or be only spaces")
    return password


def _check_name(name: str) -> str:
    name = name.strip()
    if not _NAME_RE.fullmatch(name):
        raise InputError(
            "name", "a user name is 1–64 letters, digits or . _ @ -, starting with a letter or digit"
        )
    return name


def _by(actor: audit.Actor | None) -> audit.Actor:
    return actor or audit.Actor.cli()


def _record(conn: Connection, actor: audit.Actor, action: audit.Action, request: dict[str, str]) -> None:
    audit.record_on(
        conn,
        actor=actor.name,
        role=actor.role,
        channel=actor.channel,
        action=action,
        request=request,
        result_summary=request,
    )


def create(
    engine: Engine, name: str, role: Role | str, password: str, *, by: audit.Actor | None = None
) -> UserInfo:
    """Create an account (audited as done by `by`, default the CLI's OS user)."""
    name = _check_name(name)
    role_value = role if isinstance(role, Role) else parse_role(role)
    hashed = _hasher.hash(check_password(password))
    actor = _by(by)
    with write_transaction(engine) as conn:
        # the audit record first: it takes the chain-head lock, which serialises creations
        _record(conn, actor, audit.Action.USER_CREATE, {"name": name, "role": role_value.value})
        row = store.insert(conn, name=name, role=role_value.value, password_hash=hashed, at=datetime.now(UTC))
    return _info(row)


def list_users(engine: Engine) -> list[UserInfo]:
    return [_info(row) for row in store.all_users(engine)]


def _change(
    engine: Engine, name: str, by: audit.Actor | None, what: dict[str, str], **values: object
) -> UserInfo:
    actor = _by(by)
    with write_transaction(engine) as conn:
        store_audit.read_head(conn, lock=True)
        row = store.find(conn, name)
        if row is None:
            raise NotFoundError(f"no user named {name!r}")
        if what.get("change") == "disable" and row.disabled_at is not None:
            raise ConflictError(f"user {name!r} is disabled already")
        _record(conn, actor, audit.Action.USER_CHANGE, {"name": row.name, **what})
        store.change(conn, row.id, **values)
        changed = store.find(conn, name)
    assert changed is not None
    return _info(changed)


def set_password(engine: Engine, name: str, password: str, *, by: audit.Actor | None = None) -> UserInfo:
    """A new password; the account's open sessions end."""
    hashed = _hasher.hash(check_password(password))
    return _change(
        engine,
        name,
        by,
        {"change": "password"},
        password_hash=hashed,
        password_changed_at=datetime.now(UTC),
    )


def set_role(engine: Engine, name: str, role: Role | str, *, by: audit.Actor | None = None) -> UserInfo:
    role_value = role if isinstance(role, Role) else parse_role(role)
    return _change(engine, name, by, {"change": "role", "role": role_value.value}, role=role_value.value)


def disable(engine: Engine, name: str, *, by: audit.Actor | None = None) -> UserInfo:
    """The account signs in no more and its open sessions end."""
    return _change(engine, name, by, {"change": "disable"}, disabled_at=datetime.now(UTC))


def enable(engine: Engine, name: str, *, by: audit.Actor | None = None) -> UserInfo:
    return _change(engine, name, by, {"change": "enable"}, disabled_at=None)


def _principal(row: store.UserRow) -> Principal:
    return Principal(f"{SUBJECT_PREFIX}{row.id}", row.name, Role(row.role))


def authenticate(engine: Engine, name: str, password: str) -> Principal | None:
    """The principal of a name and password, or None (unknown name, wrong password,
    disabled account); an unknown name costs one argon2 check like a known one."""
    row = store.by_name(engine, name.strip()) if isinstance(name, str) and len(name) <= 64 else None
    presented = password if isinstance(password, str) and len(password) <= PASSWORD_MAX else ""
    try:
        _hasher.verify(row.password_hash if row is not None else _DUMMY_HASH, presented)
        valid = row is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        valid = False
    if row is None or not valid or row.disabled_at is not None or row.role not in PERMISSIONS:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        store.rehash(engine, row.id, _hasher.hash(presented))
    return _principal(row)


def is_subject(subject: str) -> bool:
    return subject.startswith(SUBJECT_PREFIX)


def principal_of(engine: Engine, subject: str, *, session_started: float) -> Principal | None:
    """The principal of a web session's subject (`user-<id>`), or None when the
    account is unknown or disabled, or its password changed after the session began."""
    number = subject[len(SUBJECT_PREFIX) :]
    if not is_subject(subject) or not number.isascii() or not number.isdigit() or len(number) > 12:
        return None
    row = store.by_id(engine, int(number))
    if row is None or row.disabled_at is not None or row.role not in PERMISSIONS:
        return None
    # cookies carry whole seconds: a session opened in the second of the change survives it
    if int(row.password_changed_at.timestamp()) > session_started:
        return None
    return _principal(row)
