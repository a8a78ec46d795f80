"""Web sign-in accounts in the store: rows of `users`, never a password.

Hashing and checking passwords is the application layer's (`services.users`);
this module only reads and writes rows.  Changes run on a connection from
`store.audit.write_transaction`, so an account change and its audit record
commit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, select, update
from sqlalchemy import exc as sa_exc

from corridor.errors import ConflictError
from corridor.store.schema_audit import users


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    name: str
    role: str
    password_hash: str
    created_at: datetime
    password_changed_at: datetime
    disabled_at: datetime | None


def _utc(moment: datetime) -> datetime:
    # SQLite hands DateTime(timezone=True) back without its zone; every time here is UTC
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _from_row(row: Row[Any]) -> UserRow:
    return UserRow(
        id=row.id,
        name=row.name,
        role=row.role,
        password_hash=row.password_hash,
        created_at=_utc(row.created_at),
        password_changed_at=_utc(row.password_changed_at),
        disabled_at=None if row.disabled_at is None else _utc(row.disabled_at),
    )


def insert(conn: Connection, *, name: str, role: str, password_hash: str, at: datetime) -> UserRow:
    """Store a new account; a name already taken is a ConflictError."""
    if find(conn, name) is not None:
        raise ConflictError(f"a user named {name!r} exists already")
    try:
        result = conn.execute(
            users.insert().values(
                name=name, role=role, password_hash=password_hash, created_at=at, password_changed_at=at
            )
        )
    except sa_exc.IntegrityError:  # a concurrent insert: the whole transaction rolls back
        raise ConflictError(f"a user named {name!r} exists already") from None
    (row_id,) = result.inserted_primary_key or (None,)
    return _from_row(conn.execute(select(users).where(users.c.id == row_id)).one())


def find(conn: Connection, name: str) -> UserRow | None:
    row = conn.execute(select(users).where(users.c.name == name)).first()
    return None if row is None else _from_row(row)


def by_name(engine: Engine, name: str) -> UserRow | None:
    with engine.connect() as conn:
        return find(conn, name)


def by_id(engine: Engine, user_id: int) -> UserRow | None:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return None if row is None else _from_row(row)


def all_users(engine: Engine) -> list[UserRow]:
    with engine.connect() as conn:
        return [_from_row(row) for row in conn.execute(select(users).order_by(users.c.id))]


def change(conn: Connection, user_id: int, **values: Any) -> None:
    """Set columns of one account (role, password_hash, password_changed_at, disabled_at)."""
    allowed = {"role", "password_hash", "password_changed_at", "disabled_at"}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not a changeable column: {', '.join(sorted(unknown))}")
    conn.execute(update(users).where(users.c.id == user_id).values(**values))


def rehash(engine: Engine, user_id: int, password_hash: str) -> None:
    """Store a stronger hash of the same password (best effort, at sign-in)."""
    try:
        with engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))
    except sa_exc.OperationalError:
        pass  # the old hash still verifies; the next sign-in tries again
