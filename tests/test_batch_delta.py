"""Delta screening (services.delta): after a list update, only the touched rows
are screened again, and the final hits are those of a full re-run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from corridor.match import Screener
from corridor.services import delta, streaming
from corridor.services.lists import import_path
from corridor.services.screening import unique_entities
from corridor.store import db
from corridor.store.queries import iter_version_entities, versions


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> tuple[Engine, int, int]:
    engine = db.engine(f"sqlite:///{tmp_path_factory.mktemp('delta') / 'corridor.db'}")
    import_path(engine, shared_data / "un/2025-04-19/consolidated.xml")
    import_path(engine, shared_data / "un/2026-05-08/consolidated.xml")
    old, new = (v.id for v in versions(engine, "un"))
    return engine, old, new


def _screener(engine: Engine, version: int) -> Screener:
    return Screener.from_entities(unique_entities(iter_version_entities(engine, version)))


def _hits(path: Path) -> list[list[tuple[str, float]]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [[(h["entity_id"], h["score"]) for h in r.get("hits") or []] for r in rows]


def test_a_delta_run_gives_the_hits_of_a_full_re_run(
    two_versions: tuple[Engine, int, int], batch_records: list[dict[str, Any]], tmp_path: Path
) -> None:
    engine, old_id, new_id = two_versions
    old, new = _screener(engine, old_id), _screener(engine, new_id)
    change = delta.store_delta(engine, [old_id], [new_id])
    assert change.added and change.removed and change.changed
    # the parties, and the names of entities the update added, changed or removed
    by_id = {
        e.id: e for e in [*iter_version_entities(engine, old_id), *iter_version_entities(engine, new_id)]
    }
    moved = sorted(change.added)[:15] + sorted(change.removed)[:15] + sorted(change.changed)[:15]
    extra = [{"id": f"m-{i}", "name": by_id[e].names[0].full} for i, e in enumerate(moved)]
    source = tmp_path / "in.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in [*batch_records[:1500], *extra]]
    lines.insert(3, "{broken")
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    previous = tmp_path / "previous.jsonl"
    streaming.screen_file(old, source, previous)
    out, changes = tmp_path / "delta.jsonl", tmp_path / "changes.jsonl"
    summary = delta.screen_delta(new, change, source, previous, out, changes)
    full = tmp_path / "full.jsonl"
    streaming.screen_file(new, source, full)

    got, want = _hits(out), _hits(full)
    assert len(got) == len(want) == summary.rows == len(lines)
    for row, (a, b) in enumerate(zip(got, want, strict=True)):
        assert [e for e, _ in a] == [e for e, _ in b], row
        assert all(abs(x - y) <= 0.002 for (_, x), (_, y) in zip(a, b, strict=True)), row
    # the rows screened again are exactly those of the full run; the rest were kept
    delta_lines = out.read_bytes().splitlines()
    full_lines = full.read_bytes().splitlines()
    previous_lines = previous.read_bytes().splitlines()
    for i, line in enumerate(delta_lines):
        assert line in (full_lines[i], previous_lines[i])
    assert 0 < summary.rescreened < summary.rows / 2, summary  # the point: far fewer rows screened
    recorded = [json.loads(line) for line in changes.read_text(encoding="utf-8").splitlines()]
    kinds = {c["change"] for c in recorded}
    assert {"new", "delisted"} <= kinds, summary
    assert summary.changes == {k: sum(c["change"] == k for c in recorded) for k in kinds}
    # every change recorded is a real difference between the previous and the new hits, and
    # every difference is recorded (rows are lines: the input has no blank line)
    new_hits = {(r, e) for r, hits in enumerate(want, start=1) for e, _ in hits}
    old_hits = {(r, e) for r, hits in enumerate(_hits(previous), start=1) for e, _ in hits}
    assert {(c["row"], c["entity_id"]) for c in recorded if c["change"] == "new"} == new_hits - old_hits
    assert {(c["row"], c["entity_id"]) for c in recorded if c["change"] in ("delisted", "dropped")} == (
        old_hits - new_hits
    )


def test_no_change_screens_nothing_again(
    two_versions: tuple[Engine, int, int], batch_records: list[dict[str, Any]], tmp_path: Path
) -> None:
    engine, _, new_id = two_versions
    new = _screener(engine, new_id)
    same = delta.store_delta(engine, [new_id], [new_id])
    assert same.empty
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in batch_records[:300]), "utf-8")
    previous = tmp_path / "previous.jsonl"
    streaming.screen_file(new, source, previous)
    summary = delta.screen_delta(new, same, source, previous, tmp_path / "o.jsonl", tmp_path / "c.jsonl")
    near = sum(
        any(h["score"] < new.algorithm.threshold + delta.DRIFT for h in json.loads(line)["hits"])
        for line in previous.read_text(encoding="utf-8").splitlines()
    )
    assert summary.rescreened == near and summary.changes == {}
    assert (tmp_path / "o.jsonl").read_bytes() == previous.read_bytes()


def test_screen_delta_command(
    two_versions: tuple[Engine, int, int], batch_records: list[dict[str, Any]], tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from corridor.cli import app

    engine, old_id, _ = two_versions
    url = engine.url.render_as_string(hide_password=False)
    env = {"CORRIDOR_HOME": str(tmp_path / "home")}
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in batch_records[:400]), "utf-8")
    previous = tmp_path / "previous.jsonl"
    streaming.screen_file(_screener(engine, old_id), source, previous)
    runner = CliRunner()
    out, changes, full = tmp_path / "new.jsonl", tmp_path / "changes.jsonl", tmp_path / "full.jsonl"
    result = runner.invoke(
        app,
        [
            "screen-delta",
            "--input",
            str(source),
            "--previous",
            str(previous),
            "--output",
            str(out),
            "--changes",
            str(changes),
            "--since",
            "un=2025-04-19",
            "--db",
            url,
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "137 added, 150 changed, 5 removed" in result.stdout
    whole = runner.invoke(
        app, ["screen", "--input", str(source), "--output", str(full), "--db", url], env=env
    )
    assert whole.exit_code == 0, whole.output
    assert [[e for e, _ in row] for row in _hits(out)] == [[e for e, _ in row] for row in _hits(full)]
    unknown = runner.invoke(
        app,
        [
            "screen-delta",
            "--input",
            str(source),
            "--previous",
            str(previous),
            "--output",
            str(out),
            "--changes",
            str(changes),
            "--since",
            "eu=2020",
            "--db",
            url,
        ],
        env=env,
    )
    assert unknown.exit_code == 2 and "no active version of eu" in unknown.stderr
