"""The audit trail in the store: append under a lock, read, and check the hash chain.

Each record is hashed over its canonical JSON form (`canonical_json`: keys sorted,
no spaces, UTF-8, no NaN) *including the previous record's hash*, so editing,
deleting, inserting or reordering any record breaks the chain at that place.
Appending takes the chain-head row's lock first (`SELECT … FOR UPDATE` on
PostgreSQL; `BEGIN IMMEDIATE` on SQLite, which takes the database's write lock),
so two processes appending at once are serialised and the chain cannot fork; the
unique index on `prev_hash` refuses a fork even if that lock were bypassed.

There is no update or delete here on purpose, and the database refuses both
through triggers (migration 0004).  The format is described for auditors in
docs/audit.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Engine, Row, select, update
from sqlalchemy import exc as sa_exc

from corridor.errors import InputError, IntegrityError, StoreBusyError
from corridor.store import db
from corridor.store.schema import list_versions
from corridor.store.schema_audit import GENESIS_HASH, audit_head, audit_records

HEAD_ID = 1
_HEAD_SQL = f"SELECT seq, hash FROM audit_head WHERE id = {HEAD_ID}"
_PLACEHOLDERS = {"qmark": ("?", "?"), "format": ("%s", "%s"), "pyformat": ("%(seq)s", "%(hash)s")}
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width: text order is time order

# The fields a record's hash covers, in the order records are shown; `hash` is the
# SHA-256 of the canonical JSON of exactly these.
HASHED_FIELDS = (
    "seq",
    "at",
    "actor",
    "role",
    "channel",
    "action",
    "request_sha256",
    "versions",
    "summary",
    "prev_hash",
)


def jsonable(value: Any, where: str = "value") -> Any:
    """`value` as plain JSON data: Decimals become strings (exact), dates ISO text,
    enums their value, tuples and sets lists.  Anything else is refused."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError(where, "NaN and infinite numbers cannot be recorded")
        return value
    if isinstance(value, Enum):
        return jsonable(value.value, where)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InputError(where, f"keys must be text, got {type(key).__name__}")
            out[key] = jsonable(item, f"{where}.{key}")
        return out
    if isinstance(value, list | tuple):
        return [jsonable(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, set | frozenset):
        return sorted((jsonable(item, where) for item in value), key=canonical_json)
    raise InputError(where, f"cannot record a value of type {type(value).__name__}")


def canonical_json(value: Any) -> str:
    """The one serialisation that is hashed: sorted keys, no whitespace, non-ASCII
    kept as is (hashed as UTF-8), NaN refused."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def sha256_of(value: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of `value` (made JSON-able first)."""
    try:
        data = canonical_json(jsonable(value)).encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate in a string
        raise InputError("request", f"text that is not valid Unicode: {error.reason}") from None
    return hashlib.sha256(data).hexdigest()


def record_hash(body: Mapping[str, Any]) -> str:
    """The hash of a record: SHA-256 over the canonical JSON of its HASHED_FIELDS."""
    return hashlib.sha256(canonical_json({k: body[k] for k in HASHED_FIELDS}).encode("utf-8")).hexdigest()


def format_time(moment: datetime) -> str:
    """`moment` as the fixed-width UTC text stored and hashed; naive means UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


@dataclass(frozen=True, slots=True)
class NewRecord:
    """What a caller records; the store adds the sequence number, time and hashes."""

    actor: str
    role: str
    channel: str
    action: str
    request_sha256: str
    summary: Mapping[str, Any]
    versions: Mapping[str, Any] | None = None  # None: the active list versions now


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One record of the trail as stored (and hashed)."""

    seq: int
    at: str  # exactly as hashed: 2026-12-03T07:42:26.123456Z
    actor: str
    role: str
    channel: str
    action: str
    request_sha256: str
    versions: Any  # {list: {"version_id", "sha256"}}; raw text if the stored JSON is unreadable
    summary: Any
    prev_hash: str
    hash: str
    readable: bool = field(default=True, compare=False)

    @property
    def time(self) -> datetime:
        return datetime.strptime(self.at, TIME_FORMAT).replace(tzinfo=UTC)

    def body(self) -> dict[str, Any]:
        """The hashed fields."""
        return {name: getattr(self, name) for name in HASHED_FIELDS}

    def to_dict(self) -> dict[str, Any]:
        """The record as exported: the hashed fields and the hash."""
        return {**self.body(), "hash": self.hash}


def _load(text: str) -> tuple[Any, bool]:
    try:
        return json.loads(text), True
    except ValueError:
        return text, False


def from_row(row: Row[Any]) -> AuditRecord:
    versions, versions_ok = _load(row.versions)
    summary, summary_ok = _load(row.summary)
    return AuditRecord(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        role=row.role,
        channel=row.channel,
        action=row.action,
        request_sha256=row.request_sha256,
        versions=versions,
        summary=summary,
        prev_hash=row.prev_hash,
        hash=row.hash,
        readable=versions_ok and summary_ok,
    )


def _busy(error: sa_exc.OperationalError) -> bool:
    return "locked" in str(error.orig).lower() or "busy" in str(error.orig).lower()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that may append to the trail (and write anything else that must
    commit or roll back with its record).  On SQLite it begins with BEGIN IMMEDIATE:
    the write lock is taken before anything is read, so the head read later is the
    newest and no other writer can slip in."""
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.execution_options(**{db.SQLITE_BEGIN: db.IMMEDIATE})
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
    except sa_exc.OperationalError as error:
        if _busy(error):
            raise StoreBusyError("the store is locked by another writer; try again") from None
        raise


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only connection on which every query sees the same committed state
    (the chain head and the records agree even while others append)."""
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":  # SQLite: the deferred BEGIN's snapshot starts at the first read
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        try:
            yield conn
        finally:
            conn.rollback()


def active_versions(conn: Connection) -> dict[str, dict[str, Any]]:
    """The active version of each list: {list: {"version_id": id, "sha256": digest}}."""
    rows = conn.execute(
        select(list_versions.c.source, list_versions.c.id, list_versions.c.sha256)
        .where(list_versions.c.active.is_(True))
        .order_by(list_versions.c.source, list_versions.c.id)
    )
    return {row.source: {"version_id": row.id, "sha256": row.sha256} for row in rows}


def read_head(conn: Connection, *, lock: bool = False) -> tuple[int, str]:
    """(sequence number, hash) of the newest record as the chain head holds them."""
    # plain SQL: this runs once per append, and the compiled statement costs
    # several times the query itself (SQLite's BEGIN IMMEDIATE is its lock there)
    sql = _HEAD_SQL + (" FOR UPDATE" if lock and conn.dialect.name != "sqlite" else "")
    row = conn.exec_driver_sql(sql).first()
    if row is None:
        raise IntegrityError("the audit chain head row is missing: the trail was tampered with")
    return int(row.seq), str(row.hash)


def append(conn: Connection, new: NewRecord, *, now: datetime | None = None) -> AuditRecord:
    """Append one record on `conn`, which must come from `write_transaction`."""
    return append_many(conn, [new], now=now)[0]


def append_many(
    conn: Connection, news: Sequence[NewRecord], *, now: datetime | None = None
) -> list[AuditRecord]:
    """Append records in order on `conn` (from `write_transaction`): the head is
    read and locked once, the chain is hashed in memory, the rows go in with one
    statement and the head moves once, so a server's round of records costs one
    round trip, not one per record.  A bad record (text that is not valid Unicode)
    raises InputError and nothing of the round is written."""
    if not news:
        return []
    head_seq, head_hash = read_head(conn, lock=True)
    current_versions: dict[str, dict[str, Any]] | None = None
    records: list[AuditRecord] = []
    rows: list[dict[str, Any]] = []
    for new in news:
        if new.versions is None:
            if current_versions is None:
                current_versions = active_versions(conn)
            versions: Any = current_versions
        else:
            versions = jsonable(new.versions, "versions")
        record = AuditRecord(
            seq=head_seq + 1,
            at=format_time(now or datetime.now(UTC)),
            actor=new.actor,
            role=new.role,
            channel=new.channel,
            action=new.action,
            request_sha256=new.request_sha256,
            versions=versions,
            summary=jsonable(new.summary, "result_summary"),
            prev_hash=head_hash,
            hash="",
        )
        try:
            digest = record_hash(record.body())
        except UnicodeEncodeError as error:  # a lone surrogate in a string
            raise InputError("result_summary", f"text that is not valid Unicode: {error.reason}") from None
        rows.append(
            {
                **record.body(),
                "versions": canonical_json(record.versions),
                "summary": canonical_json(record.summary),
                "hash": digest,
            }
        )
        records.append(AuditRecord(**{**record.body(), "hash": digest}))
        head_seq, head_hash = record.seq, digest
    try:
        conn.execute(audit_records.insert(), rows)
    except sa_exc.IntegrityError as error:
        # the head row disagrees with the records: someone wrote around the lock
        raise IntegrityError(
            f"cannot append audit record {records[0].seq}: the chain head is out of step with the "
            "records (run `corridor audit verify`)"
        ) from error
    _move_head(conn, head_seq, head_hash)
    return records


def _move_head(conn: Connection, seq: int, digest: str) -> None:
    style = _PLACEHOLDERS.get(conn.dialect.paramstyle)
    if style is None:  # a driver of another style: the compiled statement
        conn.execute(update(audit_head).where(audit_head.c.id == HEAD_ID).values(seq=seq, hash=digest))
        return
    sql = f"UPDATE audit_head SET seq = {style[0]}, hash = {style[1]} WHERE id = {HEAD_ID}"
    params: Any = {"seq": seq, "hash": digest} if conn.dialect.paramstyle == "pyformat" else (seq, digest)
    conn.exec_driver_sql(sql, params)


def iter_records(conn: Connection, *, since: str | None = None) -> Iterator[AuditRecord]:
    """Every record in sequence order (from time `since`, stored form, if given)."""
    query = select(audit_records).order_by(audit_records.c.seq)
    if since is not None:
        query = query.where(audit_records.c.at >= since)
    for row in conn.execution_options(yield_per=1000).execute(query):
        yield from_row(row)


def records_of(conn: Connection, action: str, *, since: str) -> list[AuditRecord]:
    """The records of one action from time `since` (stored form), oldest first: a
    range read on the time index, for counts over a recent window."""
    query = (
        select(audit_records)
        .where(audit_records.c.at >= since, audit_records.c.action == action)
        .order_by(audit_records.c.seq)
    )
    return [from_row(row) for row in conn.execute(query)]


def last_records(conn: Connection, count: int) -> list[AuditRecord]:
    """The newest `count` records, oldest first."""
    query = select(audit_records).order_by(audit_records.c.seq.desc()).limit(max(0, count))
    return [from_row(row) for row in reversed(list(conn.execute(query)))]


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """The outcome of walking the chain: intact, or the first bad record and why."""

    ok: bool
    records: int  # records checked before the first bad one (all of them when ok)
    head_seq: int
    head_hash: str
    bad_seq: int | None = None
    reason: str = ""


def check_chain(records: Iterable[AuditRecord], head: tuple[int, str]) -> ChainCheck:
    """Walk `records` (in sequence order) from the genesis hash to `head`."""
    head_seq, head_hash = head

    def broken(seq: int, reason: str, checked: int) -> ChainCheck:
        return ChainCheck(False, checked, head_seq, head_hash, seq, reason)

    expected = 1
    prev_hash = GENESIS_HASH
    prev_prev_hash: str | None = None  # what the previous record pointed back to
    checked = 0
    for record in records:
        seq = record.seq
        if seq != expected:
            gone = f"record {expected} is" if seq == expected + 1 else f"records {expected}–{seq - 1} are"
            return broken(expected, f"{gone} missing: deleted from the trail", checked)
        if record.prev_hash != prev_hash:
            if prev_prev_hash is not None and record.prev_hash == prev_prev_hash:
                return broken(
                    seq - 1,
                    f"record {seq - 1} was inserted: it and record {seq} both point back to "
                    f"{'the start of the chain' if seq == 2 else f'record {seq - 2}'}",
                    checked - 1,
                )
            return broken(
                seq,
                f"record {seq} does not follow record {seq - 1} (its prev_hash is not that record's "
                f"hash): record {seq - 1} was rewritten, or records were removed, inserted or reordered here",
                checked,
            )
        if not record.readable:
            return broken(seq, f"record {seq} was edited: its stored JSON is unreadable", checked)
        if record_hash(record.body()) != record.hash:
            return broken(
                seq, f"record {seq} was edited or moved: its content does not match its hash", checked
            )
        prev_prev_hash, prev_hash = record.prev_hash, record.hash
        checked += 1
        expected += 1
    if checked < head_seq:
        return broken(
            checked + 1,
            f"record {checked + 1} is missing: the chain head counts {head_seq} records, "
            f"the trail ends at {checked} (its tail was deleted)",
            checked,
        )
    if checked > head_seq:
        return broken(
            head_seq + 1,
            f"record {head_seq + 1} is not in the chain head, which counts {head_seq} records: "
            "it was added outside Corridor",
            checked,
        )
    if prev_hash != head_hash:
        return broken(
            checked,
            f"record {checked}'s hash differs from the chain head's: the last record was replaced",
            checked,
        )
    return ChainCheck(True, checked, head_seq, head_hash)
