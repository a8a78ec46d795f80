"""Every decision the CLI makes for a regulator lands in the audit trail: imports,
screenings and trade checks, with the active list versions and what came back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.services import audit
from corridor.store import db

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> tuple[str, Path]:
    home = tmp_path_factory.mktemp("home")
    url = f"sqlite:///{home / 'corridor.db'}"
    done = runner.invoke(
        app,
        ["lists", "import", str(shared_data / "un/2026-05-08/consolidated.xml"), "--db", url],
        env={"CORRIDOR_HOME": str(home)},
    )
    assert done.exit_code == 0, done.output
    return url, home


def _records(url: str) -> list[audit.AuditRecord]:
    return audit.tail(db.engine(url), 1000)


def test_an_import_is_recorded_with_its_version(store: tuple[str, Path]) -> None:
    url, _ = store
    (first,) = [r for r in _records(url) if r.action == "import"][:1]
    assert first.summary["list"] == "un" and first.summary["outcome"] == "active"
    assert first.channel == "cli" and first.role == audit.LOCAL_ROLE


def test_a_screening_is_recorded_with_its_hits_and_the_list_versions(store: tuple[str, Path]) -> None:
    url, home = store
    before = len(_records(url))
    done = runner.invoke(app, ["screen", "김정은", "--json", "--db", url], env={"CORRIDOR_HOME": str(home)})
    assert done.exit_code == 0, done.output
    hits = json.loads(done.output)
    records = _records(url)
    assert len(records) == before + 1
    last = records[-1]
    assert last.action == "screen"
    assert [h["entity_id"] for h in last.summary["hits"]] == [h["entity_id"] for h in hits]
    assert "un" in last.versions  # screened against which version of which list
    # the request is kept as its hash: an auditor holding the query can prove it
    assert last.request_sha256 == audit.request_hash(
        {
            "name": "김정은",
            "schema": "Thing",
            "birth_date": None,
            "country": None,
            "imo": None,
            "threshold": None,
            "limit": 10,
        }
    )


def test_a_trade_check_is_recorded_with_its_verdicts(store: tuple[str, Path]) -> None:
    url, home = store
    done = runner.invoke(
        app,
        ["check", str(ROOT / "examples/corridor-2022.yaml"), "--summary", "--no-record", "--db", url],
        env={"CORRIDOR_HOME": str(home)},
    )
    assert done.exit_code in (0, 1), done.output
    last = _records(url)[-1]
    assert last.action == "check"
    verdicts = last.summary["verdicts"]
    assert verdicts and all(v["verdict"] and isinstance(v["rule_ids"], list) for v in verdicts)
    assert {v["recorded"] for v in verdicts} == {False}


def test_the_chain_of_cli_decisions_verifies(store: tuple[str, Path]) -> None:
    url, home = store
    done = runner.invoke(app, ["audit", "verify", "--db", url], env={"CORRIDOR_HOME": str(home)})
    assert done.exit_code == 0, done.output
    assert "intact" in done.output
