"""`corridor portfolio import` (CSV, JSONL, XLSX, --map, bad rows by line, re-import
as added / changed / removed) and `corridor monitor run` (default delta, --full,
--since) through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from corridor.cli import app
from corridor.store import db as store_db
from corridor.store.schema_monitor import monitor_runs

runner = CliRunner()
UN_OLD = "un/2026-02-27/consolidated.xml"
UN_NEW = "un/2026-05-08/consolidated.xml"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("CORRIDOR_HOME", str(tmp_path / "home"))
    return ["--db", f"sqlite:///{tmp_path / 'cli.db'}"]


def _invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _import_json(path: Path, db: list[str], *extra: str) -> tuple[dict[str, object], str]:
    code, out, err = _invoke("portfolio", "import", str(path), "--json", *extra, *db)
    assert code == 0, out + err
    return json.loads(out), err


def _parties(db: list[str]) -> dict[str, dict[str, object]]:
    from corridor.services import portfolio

    eng = store_db.engine(db[1])
    found = {p.id: p.to_dict() for p in portfolio.parties(eng)}
    eng.dispose()
    code, out, _ = _invoke("portfolio", "list", *db)
    assert code == 0 and all(i in out for i in found)  # the table lists them
    return found


def test_import_csv_reports_bad_rows_by_line_and_imports_the_rest(db: list[str], tmp_path: Path) -> None:
    path = tmp_path / "parties.csv"
    path.write_text(
        "id,name,schema,birth_date,country,identifiers\n"
        "c1,Ivan Petrov,Person,1970-03-01,ru,\n"
        ",No Id At All,Person,,,\n"  # line 3: no id
        "c2,Korea Trading Ltd,Organization,,kp,IMO 9074729;RU-77\n"
        "c3,,Person,,,\n"  # line 5: no name
        "c4,Pak Chol,Person,,kp,\n",
        encoding="utf-8",
    )
    code, out, err = _invoke("portfolio", "import", str(path), *db)
    assert code == 0, out + err
    flat = "".join(err.split())  # rich wraps long lines
    assert f"{path}:3:id:missing" in flat
    assert f"{path}:5:name:isempty" in flat
    assert "3 parties, 3 added, 0 changed, 0 removed, 2 bad rows" in " ".join(out.split())
    parties = _parties(db)
    assert sorted(parties) == ["c1", "c2", "c4"]
    assert parties["c2"]["imo"] == "9074729" and parties["c2"]["identifiers"] == ["RU-77"]
    assert parties["c1"]["birth_date"] == "1970-03-01"


def test_import_jsonl_with_bad_lines(db: list[str], tmp_path: Path) -> None:
    path = tmp_path / "parties.jsonl"
    path.write_text(
        json.dumps({"id": "j1", "name": "Ким Чен Ын", "schema": "Person"}, ensure_ascii=False)
        + "\n{not json\n"
        + json.dumps(["a list"])
        + "\n"
        + json.dumps({"id": "j2", "name": "김정은", "schema": "Person", "country": "kp"}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    report, _ = _import_json(path, db)
    assert [b["line"] for b in report["bad"]] == [2, 3]  # type: ignore[index]
    assert report["added"] == ["j1", "j2"]
    assert _parties(db)["j2"]["name"] == "김정은"


def test_import_xlsx_with_a_column_mapping(db: list[str], tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Customer No", "Full Name", "Type", "Date of birth", "Nationality"])
    sheet.append(["x1", "Ri Chol Ho", "Person", "1961-05-02", "kp"])
    sheet.append([None, "Nobody", "Person", None, None])  # row 3: no id
    sheet.append(["x2", "Sun Shipping Co", "Organization", None, "cn"])
    path = tmp_path / "parties.xlsx"
    book.save(path)
    mapping = [
        "--map",
        "Customer No=id",
        "--map",
        "Full Name=name",
        "--map",
        "Type=schema",
        "--map",
        "Date of birth=birth_date",
        "--map",
        "Nationality=country",
    ]
    report, _ = _import_json(path, db, *mapping)
    assert report["added"] == ["x1", "x2"]
    assert [b["line"] for b in report["bad"]] == [3]  # type: ignore[index]
    parties = _parties(db)
    assert parties["x1"]["birth_date"] == "1961-05-02" and parties["x1"]["country"] == "kp"
    # a mapping onto no field of Corridor is refused, naming the option
    code, out, err = _invoke("portfolio", "import", str(path), "--map", "Full Name=nickname", *db)
    assert code != 0 and "map" in (out + err)


def test_reimport_reports_added_changed_removed(db: list[str], tmp_path: Path) -> None:
    first = tmp_path / "v1.csv"
    first.write_text("id,name,schema\na,Anna Ivanova,Person\nb,Boris Pak,Person\nc,Cedar Ltd,Organization\n")
    _import_json(first, db)
    second = tmp_path / "v2.csv"
    second.write_text("id,name,schema\na,Anna Ivanova,Person\nb,Boris Pak Jr,Person\nd,Delta Co,Company\n")
    report, _ = _import_json(second, db)
    assert (report["added"], report["changed"], report["removed"]) == (["d"], ["b"], ["c"])
    assert sorted(_parties(db)) == ["a", "b", "d"]
    # the same file again: nothing new
    again, _ = _import_json(second, db)
    assert (again["added"], again["changed"], again["removed"]) == ([], [], [])


def _runs(db: list[str]) -> list[tuple[str, int, int]]:
    eng = store_db.engine(db[1])
    with eng.connect() as conn:
        rows = conn.execute(select(monitor_runs).order_by(monitor_runs.c.id)).all()
    eng.dispose()
    return [(r.kind, r.parties, r.screened) for r in rows]


def test_monitor_run_default_delta_full_and_since(db: list[str], tmp_path: Path, shared_data: Path) -> None:
    assert _invoke("lists", "import", str(shared_data / UN_OLD), "--no-monitor", *db)[0] == 0
    path = tmp_path / "p.csv"
    path.write_text(
        "id,name,schema\n"
        "k1,Kim Jong Un,Person\n"
        "k2,Korea Mining Development Trading Corporation,Organization\n"
        "n1,Maria Sanchez,Person\n"
        "n2,Blue River Bakery,Organization\n",
        encoding="utf-8",
    )
    _import_json(path, db)
    # never ran: the default is a full run
    code, out, _ = _invoke("monitor", "run", "--json", *db)
    assert code == 0
    first = json.loads(out)
    assert first["kind"] == "full" and first["screened"] == 4 and first["raised"] >= 1
    # nothing changed since: the default is a delta that screens nobody new
    code, out, _ = _invoke("monitor", "run", "--json", *db)
    second = json.loads(out)
    assert second["kind"] == "delta" and second["raised"] == second["changed"] == 0
    assert second["screened"] < 4
    # --full screens everyone
    code, out, _ = _invoke("monitor", "run", "--full", "--json", *db)
    assert json.loads(out)["kind"] == "full" and json.loads(out)["screened"] == 4
    # a new UN version, imported without monitoring, then a delta from the old version
    assert _invoke("lists", "import", str(shared_data / UN_NEW), "--no-monitor", *db)[0] == 0
    code, out, err = _invoke("monitor", "run", "--since", "un=2026-02-27", "--json", *db)
    assert code == 0, out + err
    delta = json.loads(out)
    assert delta["kind"] == "delta" and delta["screened"] < 4
    assert [k for k, _, _ in _runs(db)] == ["full", "delta", "full", "delta"]
    # bad options are refused with the option named
    code, out, err = _invoke("monitor", "run", "--since", "nolist=1", *db)
    assert code != 0 and "nolist" in (out + err)
    code, out, err = _invoke("monitor", "run", "--since", "un", *db)
    assert code != 0 and "LIST=VERSION" in (out + err)
    code, out, err = _invoke("monitor", "run", "--full", "--since", "un=", *db)
    assert code != 0 and "--full" in (out + err)
