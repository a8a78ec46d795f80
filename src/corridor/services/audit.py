"""The audit trail: who screened, checked, imported or changed what, against which
list versions, and what came back, in one hash-chained, append-only sequence.

`record` appends one record (the CLI, the HTTP API and the web pages call it for
every screening, check, import, update, key change and alert decision); `verify`
walks the chain and names the first record that was edited, deleted, inserted or
moved; `export` yields the records as the dicts written as JSON lines; `tail` and
`head` show the end of the chain.  The vocabulary of actions and channels is
defined here once.  See docs/audit.md for the exact hash construction.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection, Engine

from corridor.errors import InputError, StoreBusyError
from corridor.store import audit as store
from corridor.store import db as store_db
from corridor.store.audit import AuditRecord, canonical_json, sha256_of, write_transaction

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from corridor.match.model import Hit
    from corridor.store.importer import ImportResult
    from corridor.trade.verdict import Verdict

__all__ = [
    "LOCAL_ROLE",
    "Action",
    "Actor",
    "AuditRecord",
    "Channel",
    "Head",
    "LoopRecorder",
    "VerifyResult",
    "canonical_json",
    "export",
    "file_digest",
    "head",
    "hits_summary",
    "import_summary",
    "local_actor",
    "record",
    "record_by",
    "record_on",
    "request_hash",
    "tail",
    "verdict_summary",
    "verify",
    "write_transaction",
]


class Action(StrEnum):
    """What a record is about: the one vocabulary of audited actions."""

    SCREEN = "screen"  # name screening (CLI screen, API /screen, /match)
    COMPARE = "compare"  # two names compared
    CHECK = "check"  # a trade check (verdict and rule ids)
    IMPORT = "import"  # a list file imported as a version
    UPDATE = "update"  # lists fetched from the publishers and imported
    KEY_CREATE = "key.create"
    KEY_REVOKE = "key.revoke"
    USER_CREATE = "user.create"
    USER_CHANGE = "user.change"  # role, password, disabled or enabled
    SIGN_IN = "sign_in"  # a web session opened
    SIGN_IN_FAILED = "sign_in.failed"  # a name and password that did not match (services/signin)
    PORTFOLIO_IMPORT = "portfolio.import"
    MONITOR_RUN = "monitor.run"
    ALERT_ASSIGN = "alert.assign"
    ALERT_COMMENT = "alert.comment"
    ALERT_ESCALATE = "alert.escalate"
    ALERT_DECIDE = "alert.decide"
    ALERT_APPROVE = "alert.approve"
    ALERT_RETURN = "alert.return"  # sent back by the reviewer
    INTEL_EXTRACT = "intel.extract"  # a report read into facts, screened and checked (web, API)


class Channel(StrEnum):
    """Through which interface the action came."""

    CLI = "cli"
    API = "api"
    WEB = "web"


# The role recorded for the command line: whoever runs it has the store itself, so
# no key and no role was checked; the record says so rather than claim one.
LOCAL_ROLE = "local"


def local_actor() -> str:
    """The operating-system user running this process (the CLI's actor)."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, AttributeError):  # no passwd entry, or not POSIX
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "local user"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a key's name and role through the API, the OS user on the CLI."""

    name: str
    role: str
    channel: Channel

    @classmethod
    def cli(cls) -> Actor:
        return cls(local_actor(), LOCAL_ROLE, Channel.CLI)


def request_hash(request: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a request (what an auditor recomputes from
    the request they hold to prove it is the one recorded)."""
    return sha256_of(request)


def _new_record(
    *,
    actor: str,
    role: str,
    channel: str,
    action: str,
    request: Mapping[str, Any],
    result_summary: Mapping[str, Any],
    versions: Mapping[str, Any] | None,
) -> store.NewRecord:
    try:
        action_value = Action(action)
    except ValueError:
        known = ", ".join(a.value for a in Action)
        raise InputError("action", f"unknown audit action {action!r}; one of {known}") from None
    try:
        channel_value = Channel(channel)
    except ValueError:
        known = ", ".join(c.value for c in Channel)
        raise InputError("channel", f"unknown channel {channel!r}; one of {known}") from None
    for field_name, value in (("actor", actor), ("role", role)):
        if not isinstance(value, str) or not value.strip():
            raise InputError(field_name, "must not be empty")
    if not isinstance(request, Mapping):
        raise InputError("request", "must be a mapping")
    if not isinstance(result_summary, Mapping):
        raise InputError("result_summary", "must be a mapping")
    return store.NewRecord(
        actor=actor,
        role=role,
        channel=channel_value.value,
        action=action_value.value,
        request_sha256=request_hash(request),
        summary=result_summary,
        versions=versions,
    )


def record(
    engine: Engine,
    *,
    actor: str,
    role: str,
    channel: str,
    action: str,
    request: Mapping[str, Any],
    result_summary: Mapping[str, Any],
    versions: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """Append one record in its own transaction.  `versions` defaults to the active
    list versions at this moment ({list: {"version_id", "sha256"}})."""
    with write_transaction(engine) as conn:
        return record_on(
            conn,
            actor=actor,
            role=role,
            channel=channel,
            action=action,
            request=request,
            result_summary=result_summary,
            versions=versions,
        )


def record_on(
    conn: Connection,
    *,
    actor: str,
    role: str,
    channel: str,
    action: str,
    request: Mapping[str, Any],
    result_summary: Mapping[str, Any],
    versions: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """Append one record inside a transaction the caller opened with
    `write_transaction(engine)`, so it commits or rolls back with the caller's
    other writes (a key change, a cap-ledger entry, an alert decision)."""
    new = _new_record(
        actor=actor,
        role=role,
        channel=channel,
        action=action,
        request=request,
        result_summary=result_summary,
        versions=versions,
    )
    return store.append(conn, new)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Intact (and how many records), or the first bad record and why."""

    ok: bool
    records: int
    head_seq: int
    head_hash: str
    bad_seq: int | None = None
    reason: str = ""

    @property
    def message(self) -> str:
        if self.ok:
            return f"chain intact: {self.records} record{'' if self.records == 1 else 's'}"
        return f"chain broken at record {self.bad_seq}: {self.reason}"


def verify(engine: Engine) -> VerifyResult:
    """Recompute every record's hash and link, from the first record to the head."""
    with store.read_snapshot(engine) as conn:
        checked = store.check_chain(store.iter_records(conn), store.read_head(conn))
    return VerifyResult(
        ok=checked.ok,
        records=checked.records,
        head_seq=checked.head_seq,
        head_hash=checked.head_hash,
        bad_seq=checked.bad_seq,
        reason=checked.reason,
    )


def export(engine: Engine, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """The records (from time `since`, UTC when naive) as dicts of the hashed fields
    plus `hash`: one JSON line each, re-verifiable outside Corridor."""
    since_text = None if since is None else store.format_time(since)
    with store.read_snapshot(engine) as conn:
        for rec in store.iter_records(conn, since=since_text):
            yield rec.to_dict()


def tail(engine: Engine, count: int = 20) -> list[AuditRecord]:
    """The newest `count` records, oldest first."""
    if count < 0:
        raise InputError("count", "must not be negative")
    with engine.connect() as conn:
        return store.last_records(conn, count)


@dataclass(frozen=True, slots=True)
class Head:
    """The end of the chain: keep `hash` somewhere outside the database."""

    seq: int
    hash: str


def head(engine: Engine) -> Head:
    with engine.connect() as conn:
        seq, digest = store.read_head(conn)
    return Head(seq, digest)


# --- what the interfaces record for each decision ------------------------------------
# The summary shapes of docs/audit.md, built in one place so the CLI, the API and the
# web pages record the same thing for the same decision.


def record_by(
    engine: Engine, by: Actor, action: Action, request: Mapping[str, Any], result_summary: Mapping[str, Any]
) -> AuditRecord:
    """`record` for an `Actor` (the CLI's OS user, an API key's name and role)."""
    return record(
        engine,
        actor=by.name,
        role=by.role,
        channel=by.channel.value,
        action=action.value,
        request=request,
        result_summary=result_summary,
    )


def file_digest(path: Path) -> str:
    """SHA-256 of a batch file, so the record names exactly what was screened or checked."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hits_summary(hits: Sequence[Hit], query: int | str = 0) -> list[dict[str, Any]]:
    return [{"query": query, "entity_id": h.entity_id, "score": round(h.score, 4)} for h in hits]


def verdict_summary(verdict: Verdict) -> dict[str, Any]:
    return {
        "transaction_id": verdict.transaction_id,
        "verdict": verdict.outcome.value,
        "rule_ids": verdict.rule_ids,
        "recorded": verdict.recorded,
    }


def import_summary(result: ImportResult) -> dict[str, Any]:
    return {
        "list": result.source,
        "version_id": result.version_id,
        "sha256": result.sha256,
        "outcome": "unchanged" if result.unchanged else ("active" if result.active else "held_back"),
        "held_back": result.held_back,
    }


class _Settable(Protocol):
    def set_result(self, result: AuditRecord, /) -> None: ...
    def set_exception(self, exception: BaseException, /) -> None: ...


def write_round(
    engine: Engine, batch: Sequence[tuple[store.NewRecord, _Settable]], *, retry_busy: bool = False
) -> None:
    """Append a round of records in one transaction and settle each one's future; a
    round that fails is written record by record, so a bad one fails only itself.
    With `retry_busy` a locked store raises StoreBusyError before anything is
    written or settled (the caller tries again)."""
    try:
        with write_transaction(engine) as conn:
            written = store.append_many(conn, [new for new, _ in batch])
    except StoreBusyError:
        if retry_busy:
            raise
        for _, future in batch:
            future.set_exception(StoreBusyError("the store is locked by another writer; try again"))
        return
    except Exception as error:
        if len(batch) == 1:
            batch[0][1].set_exception(error)
            return
        log.warning("audit round of %d records failed (%s); writing them one by one", len(batch), error)
        for one in batch:
            write_round(engine, [one])
        return
    for (_, future), done in zip(batch, written, strict=True):
        future.set_result(done)


class LoopRecorder:
    """Group commit inside an asyncio event loop (the HTTP server's): `record` queues
    a record and waits for its commit; the records queued while the loop runs its
    ready callbacks are written in one transaction right after them.  No thread is
    involved, so a request is not delayed by handing the GIL back and forth; the
    write blocks the loop for the length of one short transaction, in which that
    process could not have answered anything faster anyway."""

    RETRY = 0.0003  # seconds before asking for the write lock again, growing while it is busy
    RETRY_MAX = 0.005

    GATHER = 0.0005  # seconds a round waits for more records while requests are still in progress
    GATHER_MAX = 0.002

    def __init__(
        self, engine: Engine, busy_timeout: float = 10.0, in_progress: Callable[[], int] | None = None
    ) -> None:
        self.engine = engine
        # the same store through connections that do not wait for SQLite's write lock
        self._nowait = store_db.connect(engine.url.render_as_string(hide_password=False), wait=False)
        self.busy_timeout = busy_timeout
        # how many requests this process is handling now (the server counts them):
        # while more are in progress than records are queued, their records are
        # likely a moment away, and one round for all of them costs less than several
        self._in_progress = in_progress
        self._pending: list[tuple[store.NewRecord, asyncio.Future[AuditRecord]]] = []
        self._scheduled = False
        self._busy_since: float | None = None
        self._first_queued = 0.0

    async def record(
        self,
        by: Actor,
        action: Action,
        request: Mapping[str, Any],
        result_summary: Mapping[str, Any],
        versions: Mapping[str, Any] | None = None,
    ) -> AuditRecord:
        """Append one record; returns once it is committed (InputError at once for a
        record that is not well formed)."""
        new = _new_record(
            actor=by.name,
            role=by.role,
            channel=by.channel.value,
            action=action.value,
            request=request,
            result_summary=result_summary,
            versions=versions,
        )
        loop = asyncio.get_running_loop()
        future: asyncio.Future[AuditRecord] = loop.create_future()
        self._pending.append((new, future))
        if not self._scheduled:
            self._scheduled = True
            self._first_queued = time.monotonic()
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        if (
            self._in_progress is not None
            and self._in_progress() > len(self._pending)
            and time.monotonic() - self._first_queued < self.GATHER_MAX
        ):
            asyncio.get_running_loop().call_later(self.GATHER, self._flush)
            return
        batch, self._pending = self._pending, []
        if not batch:
            self._scheduled = False
            return
        try:
            write_round(self._nowait, batch, retry_busy=True)
        except StoreBusyError:
            # another process holds the write lock: try again shortly, serving
            # other requests meanwhile; records queued until then join this round
            self._pending = batch + self._pending
            if self._busy_since is None:
                self._busy_since = time.monotonic()
            waited = time.monotonic() - self._busy_since
            if waited > self.busy_timeout:
                everything, self._pending = self._pending, []
                self._busy_since = None
                self._scheduled = False
                for _, future in everything:
                    future.set_exception(
                        StoreBusyError(
                            f"the store stayed locked by another writer for {waited:.1f} s; try again"
                        )
                    )
                return
            asyncio.get_running_loop().call_later(
                min(self.RETRY_MAX, self.RETRY * (1 + waited * 100)), self._flush
            )
            return
        self._busy_since = None
        if self._pending:
            self._first_queued = time.monotonic()
            asyncio.get_running_loop().call_soon(self._flush)
        else:
            self._scheduled = False
