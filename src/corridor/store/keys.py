"""API keys in the store: rows of `api_keys`, never the key itself.

A row holds the non-secret key id (the lookup prefix of the key), the salted hash
and its parameters, the name and role, and when the key was created, last used and
revoked.  Hashing and checking keys is the application layer's (`services.keys`);
this module only reads and writes rows.  Inserts and revocations run on a
connection from `store.audit.write_transaction`, so the key change and its audit
record commit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, or_, select, update
from sqlalchemy import exc as sa_exc

from corridor.errors import ConflictError
from corridor.store.schema_audit import api_keys


@dataclass(frozen=True, slots=True)
class KeyRow:
    id: int
    key_id: str
    name: str
    role: str
    kdf: str
    salt: str
    key_hash: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _utc(moment: datetime | None) -> datetime | None:
    # SQLite hands DateTime(timezone=True) back without its zone; every time here is UTC
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _from_row(row: Row[Any]) -> KeyRow:
    created = _utc(row.created_at)
    assert created is not None  # the column is NOT NULL
    return KeyRow(
        id=row.id,
        key_id=row.key_id,
        name=row.name,
        role=row.role,
        kdf=row.kdf,
        salt=row.salt,
        key_hash=row.key_hash,
        created_at=created,
        last_used_at=_utc(row.last_used_at),
        revoked_at=_utc(row.revoked_at),
    )


def insert(
    conn: Connection,
    *,
    key_id: str,
    name: str,
    role: str,
    kdf: str,
    salt: str,
    key_hash: str,
    created_at: datetime,
) -> KeyRow:
    """Store a new key; a name (or key id) already taken is a ConflictError."""
    if find(conn, name) is not None:
        raise ConflictError(f"a key named {name!r} exists already (revoked keys keep their names)")
    try:
        result = conn.execute(
            api_keys.insert().values(
                key_id=key_id,
                name=name,
                role=role,
                kdf=kdf,
                salt=salt,
                key_hash=key_hash,
                created_at=created_at,
            )
        )
    except sa_exc.IntegrityError:  # a concurrent insert: the whole transaction rolls back
        raise ConflictError(f"a key named {name!r} or with id {key_id} exists already") from None
    (row_id,) = result.inserted_primary_key or (None,)
    row = conn.execute(select(api_keys).where(api_keys.c.id == row_id)).one()
    return _from_row(row)


def find(conn: Connection, name_or_id: str) -> KeyRow | None:
    """The key with this name, or else with this key id."""
    rows = [
        _from_row(row)
        for row in conn.execute(
            select(api_keys).where(or_(api_keys.c.name == name_or_id, api_keys.c.key_id == name_or_id))
        )
    ]
    by_name = [row for row in rows if row.name == name_or_id]
    chosen = by_name or rows
    return chosen[0] if chosen else None


def by_key_id(engine: Engine, key_id: str) -> KeyRow | None:
    with engine.connect() as conn:
        row = conn.execute(select(api_keys).where(api_keys.c.key_id == key_id)).first()
    return None if row is None else _from_row(row)


def all_keys(engine: Engine) -> list[KeyRow]:
    with engine.connect() as conn:
        return [_from_row(row) for row in conn.execute(select(api_keys).order_by(api_keys.c.id))]


def mark_revoked(conn: Connection, row_id: int, at: datetime) -> None:
    conn.execute(update(api_keys).where(api_keys.c.id == row_id).values(revoked_at=at))


def touch(engine: Engine, row_id: int, at: datetime) -> None:
    """Record that a key was used (best effort: a busy store does not refuse the key)."""
    try:
        with engine.begin() as conn:
            conn.execute(update(api_keys).where(api_keys.c.id == row_id).values(last_used_at=at))
    except sa_exc.OperationalError:
        pass  # last-used is informational; the request it belongs to must not fail on it
