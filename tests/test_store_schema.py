"""Connecting never migrates; an empty store is initialised once under a lock;
a store that is behind says to run `corridor db upgrade`; a busy SQLite store
gives one clear error (issue 8 §4, issue 14 #16)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from corridor import settings
from corridor.errors import StoreBusyError
from corridor.model import Entity, make_name
from corridor.sources.base import ListMeta, ParsedList
from corridor.store import db, importer, queries

INIT_SCRIPT = """
import sys
from corridor.store import db
eng = db.connect(sys.argv[1])
db.ensure_schema(eng)
print(db.schema_state(eng).current)
"""


def _downgrade_to_0001(url: str) -> None:
    from alembic import command

    eng = db.connect(url)
    cfg = db._config()
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")


def test_engine_on_an_empty_store_creates_the_schema(db_url: str) -> None:
    eng = db.engine(db_url)
    state = db.schema_state(eng)
    assert state.current == state.head == db.head_revision()
    assert "list_versions" in inspect(eng).get_table_names()


def test_connect_alone_never_migrates(db_url: str) -> None:
    eng = db.connect(db_url)
    assert db.schema_state(eng).current is None
    assert "list_versions" not in inspect(eng).get_table_names()


def test_a_store_that_is_behind_is_not_migrated_by_connecting(db_url: str) -> None:
    db.upgrade(db.connect(db_url))
    _downgrade_to_0001(db_url)
    fresh = create_engine(db.normalise_url(db_url))  # a new process would see this
    with pytest.raises(db.SchemaBehindError, match=r"revision 0001.*corridor db upgrade"):
        db.ensure_schema(fresh)
    assert db.schema_state(fresh).current == "0001"  # untouched
    state = db.upgrade(fresh)
    assert state.up_to_date
    db.ensure_schema(fresh)
    fresh.dispose()


def test_migration_0002_keeps_one_active_version_per_list(db_url: str, tmp_path: Path) -> None:
    eng = db.connect(db_url)
    db.upgrade(eng)
    _downgrade_to_0001(db_url)
    with eng.begin() as conn:
        for i, published in enumerate(["2026-01-01", "2026-02-01", "2025-12-01"]):
            conn.execute(
                text(
                    "INSERT INTO list_versions (source, format, published, published_inferred, sha256, files,"
                    " imported_at, record_count, declared_count, active) VALUES ('un', 'x', :p, :f, :s, '[]',"
                    " CURRENT_TIMESTAMP, 1, NULL, :t)"
                ),
                {"p": published, "f": False, "s": f"{i:064d}", "t": True},
            )
    db.upgrade(eng)
    active = [v.published for v in queries.versions(eng, "un") if v.active]
    assert active == ["2026-02-01"]


def test_two_processes_initialise_an_empty_store_at_once(db_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", INIT_SCRIPT, db_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert out.strip() == db.head_revision()
    eng = db.connect(db_url)
    with eng.connect() as conn:
        revisions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    assert [r.version_num for r in revisions] == [db.head_revision()]


def _tiny() -> ParsedList:
    name = make_name("Somebody")
    assert name is not None
    return ParsedList(
        ListMeta(source="x", format="test"),
        iter([Entity(id="x:1", source="x", schema="Person", names=[name])]),
    )


def test_a_locked_sqlite_store_raises_store_busy_quickly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORRIDOR_STORE_BUSY_TIMEOUT", "0.3")
    settings.reload()
    try:
        path = tmp_path / "busy.db"
        url = f"sqlite:///{path}"
        eng = db.engine(url)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process holding the write lock
        (tmp_path / "f").write_text("f")
        started = time.monotonic()
        try:
            with pytest.raises(StoreBusyError, match="store busy: another process is writing"):
                importer.write_list(eng, _tiny(), [tmp_path / "f"])
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert time.monotonic() - started < 2  # one busy timeout, not two
        assert queries.versions(eng) == []
        assert StoreBusyError("x").status == 503
    finally:
        monkeypatch.delenv("CORRIDOR_STORE_BUSY_TIMEOUT")
        settings.reload()
