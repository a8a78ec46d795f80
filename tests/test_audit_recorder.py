"""The server's audit recorder (`services.audit.LoopRecorder`): records of concurrent
requests committed in shared rounds, each request answered only after its own
record is stored, a bad record failing only itself, and a store locked by another
process waited for without stopping the event loop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from corridor.errors import InputError, StoreBusyError
from corridor.services import audit
from corridor.store import audit as store_audit
from corridor.store import db

ACTOR = audit.Actor("erp", "screener", audit.Channel.API)
VERSIONS = {"un": {"version_id": 1, "sha256": "b" * 64}}


@pytest.fixture
def engine(db_url: str) -> Engine:
    return db.engine(db_url)


def _summary(n: int) -> dict[str, Any]:
    return {
        "endpoint": "/match/default",
        "hits": [{"query": "q", "entity_id": f"un:KPi.{n:03d}", "score": 0.9}],
    }


def test_concurrent_records_share_rounds_and_all_verify(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    rounds: list[int] = []
    real = store_audit.append_many

    def counting(conn: Any, news: Any, **kwargs: Any) -> Any:
        rounds.append(len(news))
        return real(conn, news, **kwargs)

    monkeypatch.setattr(store_audit, "append_many", counting)
    recorder = audit.LoopRecorder(engine)
    before = audit.head(engine).seq

    async def many() -> list[audit.AuditRecord]:
        return await asyncio.gather(
            *(recorder.record(ACTOR, audit.Action.SCREEN, {"n": n}, _summary(n), VERSIONS) for n in range(40))
        )

    written = asyncio.run(many())
    assert [r.seq for r in written] == list(range(before + 1, before + 41))  # in submission order
    assert sum(rounds) == 40 and len(rounds) < 40  # shared rounds, not one transaction each
    assert audit.verify(engine).ok
    stored = audit.tail(engine, 40)
    assert [r.summary["hits"][0]["entity_id"] for r in stored] == [f"un:KPi.{n:03d}" for n in range(40)]
    assert all(r.versions == VERSIONS and r.actor == "erp" and r.role == "screener" for r in stored)


def test_a_bad_record_fails_alone(engine: Engine) -> None:
    recorder = audit.LoopRecorder(engine)
    before = audit.head(engine).seq

    async def mixed() -> list[Any]:
        return await asyncio.gather(
            recorder.record(ACTOR, audit.Action.SCREEN, {"n": 1}, _summary(1), VERSIONS),
            # a lone surrogate cannot be hashed as UTF-8: refused when the round is written
            recorder.record(ACTOR, audit.Action.SCREEN, {"n": 2}, {"name": "\ud800"}, VERSIONS),
            recorder.record(ACTOR, audit.Action.SCREEN, {"n": 3}, _summary(3), VERSIONS),
            return_exceptions=True,
        )

    first, bad, third = asyncio.run(mixed())
    assert isinstance(bad, InputError)
    assert isinstance(first, audit.AuditRecord) and isinstance(third, audit.AuditRecord)
    assert audit.head(engine).seq == before + 2
    assert audit.verify(engine).ok


def test_a_malformed_record_is_refused_before_it_is_queued(engine: Engine) -> None:
    recorder = audit.LoopRecorder(engine)
    with pytest.raises(InputError, match="actor"):
        asyncio.run(
            recorder.record(audit.Actor(" ", "screener", audit.Channel.API), audit.Action.SCREEN, {}, {})
        )


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    assert database
    return Path(database)


def test_a_locked_sqlite_store_is_waited_for_without_blocking_the_loop(sqlite_url: str) -> None:
    engine = db.engine(sqlite_url)
    recorder = audit.LoopRecorder(engine, busy_timeout=10.0)
    before = audit.head(engine).seq
    # another process's writer holds the write lock for a while
    other = sqlite3.connect(_sqlite_file(engine), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    released = threading.Event()

    def release_later() -> None:
        time.sleep(0.3)
        other.execute("COMMIT")
        released.set()

    async def scenario() -> tuple[audit.AuditRecord, int]:
        ticks = 0
        threading.Thread(target=release_later).start()
        pending = asyncio.ensure_future(
            recorder.record(ACTOR, audit.Action.SCREEN, {"n": 1}, _summary(1), VERSIONS)
        )
        while not pending.done():  # the loop goes on serving while the record waits
            ticks += 1
            await asyncio.sleep(0.01)
        return await pending, ticks

    written, ticks = asyncio.run(scenario())
    other.close()
    assert released.is_set()
    assert written.seq == before + 1
    assert ticks >= 10  # about 0.3 s of 10 ms ticks: the loop was never stopped by the lock
    assert audit.verify(engine).ok


def test_a_store_locked_past_the_busy_timeout_fails_the_waiting_records(sqlite_url: str) -> None:
    engine = db.engine(sqlite_url)
    recorder = audit.LoopRecorder(engine, busy_timeout=0.2)
    before = audit.head(engine).seq
    other = sqlite3.connect(_sqlite_file(engine), isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreBusyError):
            asyncio.run(recorder.record(ACTOR, audit.Action.SCREEN, {"n": 1}, _summary(1), VERSIONS))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert audit.head(engine).seq == before  # nothing half-written
