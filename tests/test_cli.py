"""The `corridor lists …` and `corridor entity` commands end to end (SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.cli import app

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    return ["--db", f"sqlite:///{tmp_path / 'cli.db'}"]


def test_import_status_diff_and_entity(db: list[str], shared_data: Path) -> None:
    old = shared_data / "un/2026-02-27/consolidated.xml"
    new = shared_data / "un/2026-05-08/consolidated.xml"
    result = runner.invoke(app, ["lists", "import", str(old), str(new), *db])
    assert result.exit_code == 0, result.output
    assert "1,009 records" in result.output

    status = json.loads(runner.invoke(app, ["lists", "status", "--json", *db]).output)
    (un,) = status
    assert un["list"] == "un" and un["records"] == 1009 and un["published"].startswith("2026-05-08")
    assert un["regimes"]["DPRK"] == 155  # KPi.001–080 and KPe.001–075

    diff = json.loads(runner.invoke(app, ["lists", "diff", "un", "--json", *db]).output)
    assert diff["old"]["published"].startswith("2026-02-27")
    assert len(diff["added"]) - len(diff["removed"]) == 1009 - 1003

    shown = json.loads(runner.invoke(app, ["entity", "un:KPe.001", "--json", *db]).output)
    names = {n["full"] for n in shown["entity"]["names"]}
    assert "KOREA MINING DEVELOPMENT TRADING CORPORATION" in names
    assert any("KOMID" in n for n in names)


def test_bad_file_is_reported_and_exit_code_is_nonzero(
    db: list[str], tmp_path: Path, shared_data: Path
) -> None:
    raw = (shared_data / "un/2026-05-08/consolidated.xml").read_bytes()
    bad = tmp_path / "consolidated.xml"
    bad.write_bytes(raw[:300_000])
    result = runner.invoke(app, ["lists", "import", str(bad), *db])
    assert result.exit_code == 1
    assert "consolidated.xml" in result.output and "line" in result.output
    assert "nothing was changed" in result.output
    status = runner.invoke(app, ["lists", "status", "--json", *db])
    assert json.loads(status.output) == []


def test_unknown_entity_and_unknown_list_fail_cleanly(db: list[str]) -> None:
    result = runner.invoke(app, ["entity", "un:KPi.999", *db])
    assert result.exit_code == 1 and "no entity" in result.output
    result = runner.invoke(app, ["lists", "diff", "eu", *db])
    assert result.exit_code == 1 and "no versions" in result.output
