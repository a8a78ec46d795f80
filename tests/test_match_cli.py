"""The screening commands through the CLI (typer's CliRunner): `index build`,
`screen` (single, --json, batch), `compare` (pair, batch); a batch never
overwrites its input, and one bad line is one error line (issue 14 #10, #11)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.test_index_security import write_ftm
from typer.testing import CliRunner

from corridor.cli import app
from corridor.services import screening as services
from corridor.services.lists import import_path as import_list
from corridor.store import db

runner = CliRunner()

LISTED = [
    ("p-1", "Person", "Zorblax Quentaroo"),
    ("p-2", "Person", "Vexmira Tolundova"),
    ("c-1", "Company", "Korea Quendaria Trading Corporation"),
]


@pytest.fixture
def cli(tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    """The --db option and environment of a store with a small list."""
    home = tmp_path / "home"
    url = f"sqlite:///{tmp_path / 'corridor.db'}"
    import_list(db.engine(url), write_ftm(tmp_path / "list.jsonl", "cli_test", LISTED))
    return ["--db", url], {"CORRIDOR_HOME": str(home)}


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_index_build(cli: tuple[list[str], dict[str, str]]) -> None:
    db_args, env = cli
    result = runner.invoke(app, ["index", "build", *db_args], env=env)
    assert result.exit_code == 0, result.output
    assert "3 entities" in result.output
    files = list((Path(env["CORRIDOR_HOME"]) / "index").glob("screener-*.idx"))
    assert len(files) == 1


def test_screen_single_and_json(cli: tuple[list[str], dict[str, str]]) -> None:
    db_args, env = cli
    result = runner.invoke(app, ["screen", "Zorblax Quentaro", "--json", *db_args], env=env)
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert [h["entity_id"] for h in hits] == ["ftm:p-1"]
    assert hits[0]["explanation"]["name"]["matched_name"] == "Zorblax Quentaroo"
    table = runner.invoke(app, ["screen", "Vexmira Tolundova", "--schema", "Person", *db_args], env=env)
    assert table.exit_code == 0 and "Vexmira Tolundova" in table.stdout
    none = runner.invoke(app, ["screen", "Nobody Atall", *db_args], env=env)
    assert none.exit_code == 0 and "No hits" in none.stdout
    bad = runner.invoke(app, ["screen", "Zorblax", "--birth-date", "1984-13", *db_args], env=env)
    assert bad.exit_code == 2 and "birth_date" in bad.output


def test_screen_says_when_a_damaged_index_was_rebuilt(cli: tuple[list[str], dict[str, str]]) -> None:
    db_args, env = cli
    assert runner.invoke(app, ["index", "build", *db_args], env=env).exit_code == 0
    (path,) = (Path(env["CORRIDOR_HOME"]) / "index").glob("screener-*.idx")
    path.write_bytes(path.read_bytes()[:-7])
    services.close_all()  # the next command as a new process: its index from the file
    result = runner.invoke(app, ["screen", "Zorblax Quentaroo", "--json", *db_args], env=env)
    assert result.exit_code == 0, result.output
    assert [h["entity_id"] for h in json.loads(result.stdout)] == ["ftm:p-1"]
    assert "rebuilt" in result.stderr


def test_screen_batch(cli: tuple[list[str], dict[str, str]], tmp_path: Path) -> None:
    db_args, env = cli
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        json.dumps({"id": "a", "name": "Zorblax Quentaroo", "schema": "Person"})
        + "\n"
        + json.dumps({"id": "b", "name": "Korea Quendaria Trading Corp", "schema": "Company"})
        + "\n"
        + json.dumps({"id": "c", "name": "Nobody Atall"})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.jsonl"
    result = runner.invoke(app, ["screen", "--input", str(queries), "--output", str(out), *db_args], env=env)
    assert result.exit_code == 0, result.output
    assert "3 queries screened, 2 with hits, 0 errors" in result.stdout
    rows = _rows(out)
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert rows[0]["hits"][0]["entity_id"] == "ftm:p-1" and rows[1]["hits"][0]["entity_id"] == "ftm:c-1"
    assert rows[2]["hits"] == []


def test_compare_pair_and_batch(tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", "김정은", "Kim Jong Un", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["score"] > 0.9 and data["explanation"]["name"]["parts"]
    plain = runner.invoke(app, ["compare", "Kim Jong Nam", "Kim Jong Un"])
    assert plain.exit_code == 0 and "score 0." in plain.stdout
    bad = runner.invoke(app, ["compare", "Kim", "Kim", "--schema", "Spaceship"])
    assert bad.exit_code == 2 and "schema" in bad.output
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        json.dumps({"id": "1", "name1": "Evgueni Prigojine", "name2": "Yevgeniy Viktorovich PRIGOZHIN"})
        + "\n"
        + json.dumps({"id": "2", "name1": "Kim"})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "scores.jsonl"
    result = runner.invoke(app, ["compare", "--input", str(pairs), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 pairs scored, 1 errors" in result.stdout
    rows = _rows(out)
    assert rows[0]["id"] == "1" and rows[0]["score"] > 0.85
    assert rows[1] == {"id": "2", "line": 2, "error": "name2: is missing"}


def _same_file_ways(tmp_path: Path, source: Path) -> list[str]:
    """The input file named otherwise: itself, a relative path with '..', a symlink, a hard link."""
    link = tmp_path / "link.jsonl"
    link.symlink_to(source)
    hard = tmp_path / "hard.jsonl"
    os.link(source, hard)
    return [str(source), str(tmp_path / "sub" / ".." / source.name), str(link), str(hard)]


@pytest.mark.parametrize("command", ["screen", "compare"])
def test_a_batch_never_overwrites_its_input(
    cli: tuple[list[str], dict[str, str]], tmp_path: Path, command: str
) -> None:
    db_args, env = cli
    (tmp_path / "sub").mkdir()
    source = tmp_path / "in.jsonl"
    line = {"screen": {"id": "a", "name": "Zorblax"}, "compare": {"id": "a", "name1": "A b", "name2": "A b"}}
    content = json.dumps(line[command]) + "\n"
    source.write_text(content, encoding="utf-8")
    extra = db_args if command == "screen" else []
    for output in _same_file_ways(tmp_path, source):
        result = runner.invoke(app, [command, "--input", str(source), "--output", output, *extra], env=env)
        assert result.exit_code == 2, (output, result.output)
        assert "is the input file" in " ".join(result.output.split())  # rich wraps long lines
        assert source.read_text(encoding="utf-8") == content
    # from another directory, with a relative path
    cwd = Path.cwd()
    os.chdir(tmp_path / "sub")
    try:
        result = runner.invoke(
            app, [command, "--input", "../in.jsonl", "--output", str(source), *extra], env=env
        )
    finally:
        os.chdir(cwd)
    assert result.exit_code == 2 and source.read_text(encoding="utf-8") == content


def _bad_lines(name_field: str) -> list[bytes]:
    field = name_field.encode()
    return [
        b'{"id": "big", "' + field + b'": "Zorblax", "imo": ' + b"9" * 5000 + b"}",  # int conversion limit
        b"[" * 200_000 + b"]" * 200_000,  # recursion
        b'{"id": "bytes", "' + field + b'": "Zorblax \xff Quentaroo"}',  # not UTF-8
        b'{"id": "surrogate", "' + field + b'": "Zorblax \\ud800 Quentaroo"}',  # a lone surrogate, escaped
    ]


@pytest.mark.parametrize("command", ["screen", "compare"])
def test_one_bad_line_is_one_error_line(
    cli: tuple[list[str], dict[str, str]], tmp_path: Path, command: str
) -> None:
    db_args, env = cli
    if command == "screen":
        good = json.dumps({"id": "ok", "name": "Zorblax Quentaroo"}).encode()
        bad = _bad_lines("name")
    else:
        good = json.dumps({"id": "ok", "name1": "Zorblax Quentaroo", "name2": "Zorblax Quentaroo"}).encode()
        bad = _bad_lines("name1")
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join([good, *bad, good]) + b"\n")
    out = tmp_path / "out.jsonl"
    extra = db_args if command == "screen" else []
    result = runner.invoke(app, [command, "--input", str(source), "--output", str(out), *extra], env=env)
    assert result.exit_code == 0, result.output
    rows = _rows(out)
    assert len(rows) == 6
    assert rows[0]["id"] == rows[5]["id"] == "ok"
    if command == "screen":
        assert rows[0]["hits"][0]["entity_id"] == rows[5]["hits"][0]["entity_id"] == "ftm:p-1"
    else:
        assert rows[0]["score"] == rows[5]["score"] == 1.0
    assert [r["line"] for r in rows[1:4]] == [2, 3, 4]
    assert all("error" in r for r in rows[1:4])
    assert "too long" in rows[1]["error"] or "JSON" in rows[1]["error"]
    assert "nested too deeply" in rows[2]["error"] or "JSON" in rows[2]["error"]
    assert "UTF-8" in rows[3]["error"] and rows[3]["id"] is None
    assert rows[4]["id"] == "surrogate"  # screened or refused, and written as valid JSON


@pytest.mark.parametrize("name", ["[/bold] Zzyzx", "Zorblax Quentaroo [/]", "\x1b[2J Zorblax Quentaroo"])
def test_markup_and_escapes_in_a_query_are_shown_inert(
    cli: tuple[list[str], dict[str, str]], name: str
) -> None:
    db_args, env = cli
    result = runner.invoke(app, ["screen", name, *db_args], env=env)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert ("No hits" in result.stdout) or ("Hits for" in result.stdout)
