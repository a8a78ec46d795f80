"""The audit trail on SQLite and PostgreSQL: appending, the hash chain, tampering of
every kind detected and named, append-only triggers, concurrent appends, export."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy import exc as sa_exc

from corridor.errors import InputError
from corridor.services import audit
from corridor.store import db
from corridor.store.audit import GENESIS_HASH, canonical_json, record_hash
from corridor.store.schema import list_versions
from corridor.store.schema_audit import POSTGRES_TRIGGERS, SQLITE_TRIGGERS, audit_head, audit_records

ROOT = Path(__file__).resolve().parents[1]


def _record(engine: Engine, n: int, **overrides: Any) -> audit.AuditRecord:
    fields: dict[str, Any] = {
        "actor": "screener-1",
        "role": "screener",
        "channel": "api",
        "action": "screen",
        "request": {"queries": {"q1": {"schema": "Person", "properties": {"name": [f"김정은 {n}"]}}}},
        "result_summary": {"hits": [{"query": "q1", "entity_id": f"un:KPi.{n:03d}", "score": 0.9}]},
        "versions": {"un": {"version_id": 1, "sha256": "a" * 64}},
    }
    fields.update(overrides)
    return audit.record(engine, **fields)


@pytest.fixture
def engine(db_url: str) -> Engine:
    return db.engine(db_url)


@pytest.fixture
def five(engine: Engine) -> list[audit.AuditRecord]:
    return [_record(engine, n) for n in range(1, 6)]


def _rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [
            dict(row._mapping) for row in conn.execute(select(audit_records).order_by(audit_records.c.seq))
        ]


def _drop_guards(engine: Engine, *, indexes: bool = False) -> None:
    """Play a database superuser: drop the append-only triggers (and unique indexes)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            for name in POSTGRES_TRIGGERS:
                conn.execute(text(f"DROP TRIGGER {name} ON audit_records"))
        else:
            for name in SQLITE_TRIGGERS:
                conn.execute(text(f"DROP TRIGGER {name}"))
        if indexes:
            conn.execute(text("DROP INDEX uq_audit_records_prev_hash"))


def _set_seq(engine: Engine, old: int, new: int) -> None:
    with engine.begin() as conn:
        conn.execute(update(audit_records).where(audit_records.c.seq == old).values(seq=new))


# --- appending and an intact chain --------------------------------------------


def test_records_are_chained_from_genesis_and_verify(engine: Engine, five: list[audit.AuditRecord]) -> None:
    assert [r.seq for r in five] == [1, 2, 3, 4, 5]
    assert five[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(five):
        assert after.prev_hash == before.hash
    for rec in five:
        assert rec.hash == record_hash(rec.body())
        assert rec.time.tzinfo is UTC
    result = audit.verify(engine)
    assert result.ok, result.message
    assert result.records == 5 and result.head_seq == 5 and result.head_hash == five[-1].hash
    assert result.message.startswith("chain intact: 5 records")
    assert audit.head(engine) == audit.Head(5, five[-1].hash)


def test_empty_trail_verifies(engine: Engine) -> None:
    result = audit.verify(engine)
    assert result.ok and result.records == 0 and result.head_hash == GENESIS_HASH


def test_request_hash_is_canonical(engine: Engine) -> None:
    first = _record(engine, 1, request={"b": [1, 2], "a": "김정은"})
    second = _record(engine, 2, request={"a": "김정은", "b": [1, 2]})
    other = _record(engine, 3, request={"a": "김정은", "b": [2, 1]})
    assert first.request_sha256 == second.request_sha256 == audit.request_hash({"a": "김정은", "b": [1, 2]})
    assert other.request_sha256 != first.request_sha256


def test_stored_fields_round_trip(engine: Engine) -> None:
    rec = _record(
        engine,
        7,
        action=audit.Action.CHECK,
        channel=audit.Channel.CLI,
        result_summary={"verdict": "prohibited", "rule_ids": ("UN-2397-4",), "barrels": Decimal("1.250")},
    )
    assert rec.summary == {"verdict": "prohibited", "rule_ids": ["UN-2397-4"], "barrels": "1.250"}
    (row,) = _rows(engine)
    assert row["action"] == "check" and row["channel"] == "cli"
    assert json.loads(row["summary"]) == rec.summary
    assert row["summary"] == canonical_json(rec.summary)


def test_default_versions_are_the_active_list_versions(engine: Engine) -> None:
    with engine.begin() as conn:
        for source, sha, active in (
            ("un", "1" * 64, False),
            ("un", "2" * 64, True),
            ("ofac", "3" * 64, True),
        ):
            conn.execute(
                list_versions.insert().values(
                    source=source,
                    format="test",
                    published="2026-05-08",
                    published_inferred=False,
                    sha256=sha,
                    files="[]",
                    imported_at=datetime.now(UTC),
                    record_count=0,
                    active=active,
                )
            )
        ids = {row.sha256: row.id for row in conn.execute(select(list_versions.c.id, list_versions.c.sha256))}
    rec = _record(engine, 1, versions=None)
    assert rec.versions == {
        "ofac": {"version_id": ids["3" * 64], "sha256": "3" * 64},
        "un": {"version_id": ids["2" * 64], "sha256": "2" * 64},
    }
    assert audit.verify(engine).ok


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"action": "delete-everything"}, "action"),
        ({"channel": "fax"}, "channel"),
        ({"actor": " "}, "actor"),
        ({"result_summary": {"score": float("nan")}}, "result_summary.score"),
        ({"result_summary": {"when": object()}}, "result_summary.when"),
        ({"request": {"name": "\ud800"}}, "request"),
    ],
)
def test_bad_records_are_refused_and_nothing_is_written(
    engine: Engine, overrides: dict[str, Any], field: str
) -> None:
    _record(engine, 1)
    with pytest.raises(InputError) as caught:
        _record(engine, 2, **overrides)
    assert caught.value.field == field
    assert audit.head(engine).seq == 1 and len(_rows(engine)) == 1


# --- tampering ----------------------------------------------------------------


def test_raw_update_and_delete_are_refused_by_the_database(
    engine: Engine, five: list[audit.AuditRecord]
) -> None:
    for statement in (
        update(audit_records).where(audit_records.c.seq == 3).values(summary='{"hits":[]}'),
        delete(audit_records).where(audit_records.c.seq == 3),
    ):
        with pytest.raises(sa_exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(statement)
    if engine.dialect.name == "postgresql":
        with pytest.raises(sa_exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_records"))
    assert [row["hash"] for row in _rows(engine)] == [r.hash for r in five]
    assert audit.verify(engine).ok


def test_edited_summary_is_named(engine: Engine, five: list[audit.AuditRecord]) -> None:
    _drop_guards(engine)
    with engine.begin() as conn:
        conn.execute(update(audit_records).where(audit_records.c.seq == 3).values(summary='{"hits":[]}'))
    result = audit.verify(engine)
    assert not result.ok and result.bad_seq == 3
    assert "edited" in result.reason and result.records == 2
    assert result.message.startswith("chain broken at record 3:")


def test_edited_and_rehashed_record_breaks_the_next_link(
    engine: Engine, five: list[audit.AuditRecord]
) -> None:
    _drop_guards(engine)
    forged = {**five[2].body(), "summary": {"hits": []}}
    with engine.begin() as conn:
        conn.execute(
            update(audit_records)
            .where(audit_records.c.seq == 3)
            .values(summary=canonical_json({"hits": []}), hash=record_hash(forged))
        )
    result = audit.verify(engine)
    assert not result.ok and result.bad_seq == 4
    assert "does not follow record 3" in result.reason


def test_unreadable_summary_is_named(engine: Engine, five: list[audit.AuditRecord]) -> None:
    _drop_guards(engine)
    with engine.begin() as conn:
        conn.execute(update(audit_records).where(audit_records.c.seq == 2).values(summary="{not json"))
    result = audit.verify(engine)
    assert result.bad_seq == 2 and "unreadable" in result.reason
    # export still shows what is there, so the tampering can be inspected
    assert [item["summary"] for item in audit.export(engine)][1] == "{not json"


def test_deleted_middle_record_is_named(engine: Engine, five: list[audit.AuditRecord]) -> None:
    _drop_guards(engine)
    with engine.begin() as conn:
        conn.execute(delete(audit_records).where(audit_records.c.seq == 3))
    result = audit.verify(engine)
    assert not result.ok and result.bad_seq == 3 and "missing" in result.reason


def test_deleted_and_renumbered_is_named(engine: Engine, five: list[audit.AuditRecord]) -> None:
    _drop_guards(engine)
    with engine.begin() as conn:
        conn.execute(delete(audit_records).where(audit_records.c.seq == 3))
    for seq in (4, 5):
        _set_seq(engine, seq, seq - 1)
    with engine.begin() as conn:
        conn.execute(update(audit_head).values(seq=4))
    result = audit.verify(engine)
    assert not result.ok and result.bad_seq == 3 and "does not follow record 2" in result.reason


def test_swapped_pair_is_named(engine: Engine, five: list[audit.AuditRecord]) -> None:
    _drop_guards(engine)
    _set_seq(engine, 2, -1)
    _set_seq(engine, 3, 2)
    _set_seq(engine, -1, 3)
    result = audit.verify(engine)
    assert not result.ok and result.bad_seq == 2
    assert "does not follow record 1" in result.reason


def test_inserted_record_is_named(engine: Engine, five: list[audit.AuditRecord]) -> None:
    _drop_guards(engine, indexes=True)
    for seq in (5, 4, 3):  # make room at 3, from the top so no number is taken twice
        _set_seq(engine, seq, seq + 1)
    forged = {
        **five[2].body(),
        "actor": "intruder",
        "summary": {"hits": []},
        "prev_hash": five[1].hash,
        "seq": 3,
    }
    with engine.begin() as conn:
        conn.execute(
            audit_records.insert().values(
                **{
                    **forged,
                    "versions": canonical_json(forged["versions"]),
                    "summary": canonical_json(forged["summary"]),
                    "hash": record_hash(forged),
                }
            )
        )
        conn.execute(update(audit_head).values(seq=6))
    result = audit.verify(engine)
    assert not result.ok and result.bad_seq == 3
    assert "record 3 was inserted" in result.reason


def test_deleted_tail_is_named(engine: Engine, five: list[audit.AuditRecord]) -> None:
    _drop_guards(engine)
    with engine.begin() as conn:
        conn.execute(delete(audit_records).where(audit_records.c.seq >= 4))
    result = audit.verify(engine)
    assert not result.ok and result.bad_seq == 4 and "tail was deleted" in result.reason


def test_record_appended_around_the_head_is_named(engine: Engine, five: list[audit.AuditRecord]) -> None:
    forged = {**five[4].body(), "seq": 6, "prev_hash": five[4].hash}
    with engine.begin() as conn:  # INSERT is allowed: only the head is bypassed
        conn.execute(
            audit_records.insert().values(
                **{
                    **forged,
                    "versions": canonical_json(forged["versions"]),
                    "summary": canonical_json(forged["summary"]),
                    "hash": record_hash(forged),
                }
            )
        )
    result = audit.verify(engine)
    assert not result.ok and result.bad_seq == 6 and "added outside Corridor" in result.reason
    # and appending refuses to fork away from the stale head
    with pytest.raises(Exception, match="out of step"):
        _record(engine, 7)


# --- concurrency --------------------------------------------------------------


def test_concurrent_threads_never_fork_the_chain(engine: Engine) -> None:
    threads_count, per_thread = 4, 12
    barrier = threading.Barrier(threads_count)
    failures: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            barrier.wait()
            for n in range(per_thread):
                _record(engine, n, actor=f"worker-{worker}")
        except BaseException as error:  # collected and asserted below
            failures.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    rows = _rows(engine)
    assert [row["seq"] for row in rows] == list(range(1, threads_count * per_thread + 1))
    assert {row["actor"] for row in rows} == {f"worker-{i}" for i in range(threads_count)}
    result = audit.verify(engine)
    assert result.ok and result.records == threads_count * per_thread, result.message


_APPENDER = """
import sys
from corridor.services import audit
from corridor.store import db
engine = db.engine(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
for n in range(int(sys.argv[3])):
    audit.record(engine, actor=sys.argv[2], role="local", channel="cli", action="screen",
                 request={"n": n}, result_summary={"hits": []}, versions={})
"""


def test_two_processes_never_fork_the_chain(engine: Engine, db_url: str) -> None:
    per_process = 15
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _APPENDER, db_url, f"proc-{i}", str(per_process)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i in range(2)
    ]
    try:
        for proc in procs:  # both have imported and migrated before either appends
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        for proc in procs:
            assert proc.wait(120) == 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    rows = _rows(engine)
    assert len(rows) == 2 * per_process
    assert {row["actor"] for row in rows} == {"proc-0", "proc-1"}
    assert len({row["prev_hash"] for row in rows}) == len(rows)
    assert audit.verify(engine).ok


# --- export -------------------------------------------------------------------


def test_export_since_and_fields(engine: Engine, five: list[audit.AuditRecord]) -> None:
    exported = list(audit.export(engine))
    assert [item["seq"] for item in exported] == [1, 2, 3, 4, 5]
    assert exported[0] == five[0].to_dict()
    assert set(exported[0]) == {*audit.AuditRecord.__dataclass_fields__} - {"readable"}
    later = list(audit.export(engine, five[2].time))
    assert [item["seq"] for item in later] == [3, 4, 5]
    naive = five[2].time.replace(tzinfo=None)  # naive means UTC
    assert [item["seq"] for item in audit.export(engine, naive)] == [3, 4, 5]
    assert list(audit.export(engine, datetime(2999, 1, 1, tzinfo=UTC))) == []


def _doc_script() -> str:
    doc = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- verify-script -->\n```python\n(.*?)```", doc, re.S)
    assert match, "docs/audit.md lost its verification script"
    return match.group(1)


@pytest.fixture
def doc_script(tmp_path: Path) -> Iterator[Path]:
    script = tmp_path / "verify_audit.py"
    script.write_text(_doc_script(), encoding="utf-8")
    yield script


def _export_file(engine: Engine, path: Path) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for item in audit.export(engine):
            handle.write(json.dumps(item, ensure_ascii=True) + "\n")
    return path


def test_the_documented_script_verifies_an_export(
    engine: Engine, five: list[audit.AuditRecord], doc_script: Path, tmp_path: Path
) -> None:
    _record(engine, 6, actor="Ким Чен Ын \u202e", result_summary={"note": "control \x1b[2J", "score": 1e-05})
    trail = _export_file(engine, tmp_path / "trail.jsonl")
    head = audit.head(engine).hash
    ok = subprocess.run([sys.executable, str(doc_script), str(trail), head], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert f"record 6: head {head}" in ok.stdout
    wrong_head = subprocess.run(
        [sys.executable, str(doc_script), str(trail), "f" * 64], capture_output=True, text=True
    )
    assert wrong_head.returncode == 1 and "not the head hash you kept" in wrong_head.stderr
    lines = trail.read_text(encoding="utf-8").splitlines()
    edited = json.loads(lines[2])
    edited["summary"] = {"hits": []}
    lines[2] = json.dumps(edited)
    trail.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = subprocess.run([sys.executable, str(doc_script), str(trail)], capture_output=True, text=True)
    assert bad.returncode == 1 and "record 3" in bad.stderr


# --- the migration ------------------------------------------------------------


def test_migration_0004_downgrades_and_upgrades_again(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    _record(engine, 1)
    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004-1")
    tables = set(inspect(engine).get_table_names())
    assert not tables & {"audit_records", "audit_head", "api_keys"} and "list_versions" in tables
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert audit.head(engine) == audit.Head(0, GENESIS_HASH)
    _record(engine, 1)
    with pytest.raises(sa_exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(delete(audit_records))
    assert audit.verify(engine).ok
