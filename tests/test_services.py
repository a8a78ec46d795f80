"""Store → screening index → trade checks, through the services and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.services import screening as services
from corridor.services.lists import import_path as import_list
from corridor.store import db

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> tuple[str, Path]:
    home = tmp_path_factory.mktemp("home")
    url = f"sqlite:///{home / 'corridor.db'}"
    engine = db.engine(url)
    import_list(engine, shared_data / "un/2026-05-08/consolidated.xml")
    import_list(engine, shared_data / "ofac/sdn_csv_only_2024-05-03", "ofac", published_hint="2024-05-03")
    return url, home


def test_index_is_cached_and_follows_the_active_versions(loaded: tuple[str, Path], shared_data: Path) -> None:
    url, home = loaded
    engine = db.engine(url)
    first = services.load_screener(engine, home)
    path = services.index_path(engine, home)
    assert path.exists()
    again = services.load_screener(engine, home)
    assert len(again) == len(first)
    # OFAC SDN and the UN list share no ids, so the index holds every entity of both
    assert len(first) == 1009 + 14965


def test_unique_entities_merges_duplicate_ids() -> None:
    from corridor.model import Entity, make_name

    a_name, b_name = make_name("ALPHA LLC"), make_name("ALPHA LIMITED LIABILITY COMPANY")
    assert a_name is not None and b_name is not None
    sdn = Entity(id="ofac:1", source="ofac-sdn", schema="Company", names=[a_name, b_name], programs=["DPRK3"])
    cons = Entity(
        id="ofac:1", source="ofac-cons", schema="Company", names=[a_name], programs=["RUSSIA-EO14024"]
    )
    (kept,) = list(services.unique_entities([cons, sdn]))
    assert kept.source == "ofac-sdn" and kept.programs == ["DPRK3", "RUSSIA-EO14024"]


def test_party_screener_returns_hits_with_programs(loaded: tuple[str, Path]) -> None:
    url, home = loaded
    parties = services.party_screener(db.engine(url), home)
    assert parties is not None
    hits = parties.screen("ООО Алис", "Company", country="RU")
    assert hits and hits[0].entity_id == "ofac:48260"
    assert "DPRK2" in hits[0].programs and hits[0].list == "ofac-sdn"
    assert parties.screen("", "Company") == []  # an unscreenable name is no hit, not a crash


def test_check_cites_the_listing_of_screened_parties(loaded: tuple[str, Path]) -> None:
    url, home = loaded
    result = runner.invoke(
        app,
        ["check", str(ROOT / "examples/listed-parties.yaml"), "--json", "--db", url],
        env={"CORRIDOR_HOME": str(home)},
    )
    assert result.exit_code == 0, result.output
    verdicts = {v["transaction_id"]: v for v in json.loads(result.stdout)}
    alis = verdicts["RU-IT-SERVICES-ALIS-2024-04"]
    assert alis["verdict"] == "PROHIBITED"
    hit_ids = {h["entity_id"] for s in alis["screening"] for h in s["hits"]}
    assert {"ofac:48260", "ofac:37517"} <= hit_ids
    vessel = verdicts["RU-KP-FLOUR-HWANG-GUM-SAN-2024-05"]
    assert vessel["verdict"] == "PROHIBITED"
    assert any(h["entity_id"] == "ofac:17087" for s in vessel["screening"] for h in s["hits"])


def test_screen_command_single_and_batch(loaded: tuple[str, Path], tmp_path: Path) -> None:
    url, home = loaded
    env = {"CORRIDOR_HOME": str(home)}
    result = runner.invoke(app, ["screen", "김정은", "--json", "--db", url], env=env)
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert hits[0]["entity_id"] == "ofac:20157" and hits[0]["explanation"]
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"id": "1", "name": "KOMID", "schema": "Organization"}\n'
        "{not json\n"
        '{"id": "3", "name": "", "schema": "Person"}\n'
        '{"id": "4", "name": "Vessel X", "schema": "Vessel", "imo": "8405270"}\n',
        encoding="utf-8",
    )
    out = tmp_path / "r.jsonl"
    result = runner.invoke(
        app, ["screen", "--input", str(queries), "--output", str(out), "--db", url], env=env
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 4
    assert any(h["ref"] == "9345" for h in lines[0]["hits"])
    assert "error" in lines[1] and lines[1]["line"] == 2
    assert "error" in lines[2] and "name" in lines[2]["error"]
    assert lines[3]["hits"][0]["entity_id"] == "ofac:17087"


def test_screen_rejects_bad_queries_cleanly(loaded: tuple[str, Path]) -> None:
    url, home = loaded
    result = runner.invoke(
        app, ["screen", "Kim", "--schema", "Spaceship", "--db", url], env={"CORRIDOR_HOME": str(home)}
    )
    assert result.exit_code == 2 and "schema" in result.output
