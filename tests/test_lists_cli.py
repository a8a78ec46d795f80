"""Every `corridor lists …` command, `entity`, `demo-import` and `db …` through the CLI (SQLite)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.store import db as store_db

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    return ["--db", f"sqlite:///{tmp_path / 'cli.db'}"]


def _invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _flat(*args: str) -> tuple[int, str]:
    """Exit code and output with rich's line wrapping undone (for text, not JSON)."""
    code, out = _invoke(*args)
    return code, " ".join(out.split())


def test_import_good_file_then_bad_file_leaves_store_unchanged(
    db: list[str], shared_data: Path, tmp_path: Path
) -> None:
    code, out = _flat("lists", "import", str(shared_data / "un/2026-05-08/consolidated.xml"), *db)
    assert code == 0 and "now active" in out and "1,009 records" in out
    before = _invoke("lists", "status", "--json", *db)[1]
    bad = tmp_path / "consolidated.xml"
    bad.write_bytes(b'<?xml version="1.0"?><!-- x --><!DOCTYPE x [<!ENTITY a "a">]><CONSOLIDATED_LIST/>')
    code, out = _flat("lists", "import", str(bad), *db)
    assert code == 1 and "DTD/DOCTYPE" in out and "nothing was changed" in out
    assert _invoke("lists", "status", "--json", *db)[1] == before


def test_import_held_back_says_so_and_activate_overrides(db: list[str], shared_data: Path) -> None:
    newer = shared_data / "ofac/sdn_csv_set_2021-07"
    older = shared_data / "ofac/sdn_csv_set_2021-04"
    assert _invoke("lists", "import", str(newer), "--source", "ofac", *db)[0] == 0
    code, out = _flat("lists", "import", str(older), "--source", "ofac", *db)
    assert code == 0
    assert "held back" in out and "older publication" in out and "--activate" in out
    status = json.loads(_invoke("lists", "status", "--json", *db)[1])
    assert [s["published"] for s in status] == ["2021-07"]
    code, out = _flat("lists", "import", str(older), "--source", "ofac", "--activate", *db)
    assert code == 0
    status = json.loads(_invoke("lists", "status", "--json", *db)[1])
    assert [s["published"] for s in status] == ["2021-04"]


def test_versions_diff_and_entity(db: list[str], shared_data: Path) -> None:
    for day in ("2026-02-27", "2026-05-08"):
        assert _invoke("lists", "import", str(shared_data / f"un/{day}/consolidated.xml"), *db)[0] == 0
    code, out = _flat("lists", "versions", "un", *db)
    assert code == 0 and "2026-02-27" in out and "2026-05-08" in out
    code, out = _flat("lists", "diff", "un", *db)
    assert code == 0 and re.search(r"\d+ added, \d+ removed, \d+ changed", out)
    data = json.loads(_invoke("lists", "diff", "un", "--json", *db)[1])
    assert data["new"]["published"].startswith("2026-05-08")
    code, out = _flat("entity", "un:KPe.001", *db)
    assert code == 0 and "KOREA MINING DEVELOPMENT TRADING CORPORATION" in out
    shown = json.loads(_invoke("entity", "un:KPe.001", "--json", *db)[1])
    assert shown["entity"]["id"] == "un:KPe.001"
    code, out = _invoke("entity", "un:KPe.001", "--ftm", *db)
    first = json.loads(out.splitlines()[0])
    assert code == 0 and first["schema"] in ("Organization", "Company", "LegalEntity")
    code, out = _invoke("lists", "status", *db)
    assert code == 0 and "un" in out


def test_update_from_a_mirror_summarises_and_fails_on_a_bad_source(
    db: list[str], shared_data: Path, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "un").mkdir(parents=True)
    shutil.copy(shared_data / "un/2026-05-08/consolidated.xml", mirror / "un/consolidated.xml")
    (mirror / "ofac-cons").mkdir()
    (mirror / "ofac-cons/consolidated.xml").write_bytes(b"<sdnList/>")  # tiny: refused
    code, out = _flat("lists", "update", "--mirror", str(mirror), "--list", "un", "--list", "ofac-cons", *db)
    assert code == 1
    assert "un: imported" in out and "ofac-cons: failed" in out and "only 10 bytes" in out
    assert "2 source(s)" in out


def test_sources_lists_the_registry() -> None:
    code, out = _flat("lists", "sources")
    assert code == 0 and "ofac-sdn" in out and "uk-fcdo" in out and "opt-in" in out


def test_status_on_an_empty_store(db: list[str]) -> None:
    code, out = _invoke("lists", "status", *db)
    assert code == 0 and "No lists imported yet" in out
    assert json.loads(_invoke("lists", "status", "--json", *db)[1]) == []


def test_demo_import(
    db: list[str], shared_data: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # a shared folder holding only the UN snapshots keeps this quick
    shared = tmp_path / "shared"
    (shared / "data").mkdir(parents=True)
    shutil.copytree(shared_data / "un", shared / "data/un")
    monkeypatch.setenv("CORRIDOR_SHARED", str(shared))
    code, out = _flat("demo-import", *db)
    assert code == 0 and "un: imported" in out and "2026-05-08" in out
    monkeypatch.setenv("CORRIDOR_SHARED", str(tmp_path / "nowhere"))
    code, out = _flat("demo-import", *db)
    assert code == 1 and "shared data folder not found" in out


def test_db_status_and_upgrade(db: list[str]) -> None:
    code, out = _flat("db", "status", *db)
    assert code == 0 and "none (empty store)" in out and "db upgrade" in out
    data = json.loads(_invoke("db", "status", "--json", *db)[1])
    assert data == {**data, "current": None, "head": store_db.head_revision(), "up_to_date": False}
    code, out = _flat("db", "upgrade", *db)
    assert code == 0 and f"revision {store_db.head_revision()}" in out
    data = json.loads(_invoke("db", "status", "--json", *db)[1])
    assert data["current"] == store_db.head_revision() and data["up_to_date"] is True


def test_a_store_that_is_behind_gives_one_line(db: list[str]) -> None:
    from alembic import command

    url = db[1]
    assert _invoke("db", "upgrade", *db)[0] == 0
    eng = store_db.connect(url)
    cfg = store_db._config()
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    store_db.engine.cache_clear()
    code, out = _flat("lists", "status", *db)
    assert code == 1 and "corridor db upgrade" in out and "Traceback" not in out
