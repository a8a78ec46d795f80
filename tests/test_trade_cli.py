"""The trade commands through the CLI (typer's CliRunner): `check` (file, --summary,
--json, batch, exit codes, hostile input), `ledger`, `rules list`, `rules show`, `hs`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from corridor.cli import app
from corridor.render.trade import verdict_renderable, verdicts_table
from corridor.trade import hs
from corridor.trade.evaluate import Evaluator
from corridor.trade.rules import default_rulebook
from corridor.trade.transaction import parse_transaction

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "transactions"

HOSTILE = """\
id: "[/red]EX-1"
type: shipment
date: 2022-11-01
origin: ru
destination: kp
parties:
  - {name: "Zorblax Closetag [/]", role: exporter, country: kp}
  - {name: "[bold]Korea[/bold] General Trading \\e[2J Corp", role: importer}
goods:
  - {hs_code: "2710.19", quantity: 10, unit: t, product: "diesel [/]"}
"""


@pytest.fixture(autouse=True)
def wide_consoles() -> Iterator[None]:
    """The CLI's consoles are made at import; widen them so rows do not wrap."""
    from corridor.cli import common

    widths = common.console.width, common.err.width
    common.console.width = common.err.width = 300
    yield
    common.console.width, common.err.width = widths


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    return {"CORRIDOR_HOME": str(tmp_path / "home")}


def db(tmp_path: Path) -> list[str]:
    return ["--db", f"sqlite:///{tmp_path / 'corridor.db'}"]


def test_check_a_file_then_the_ledger(tmp_path: Path, home: dict[str, str]) -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "gasoline.yaml"), *db(tmp_path)], env=home)
    assert result.exit_code == 0, result.output
    assert "CAPPED_REPORTABLE" in result.stdout and "UN-2397-5" in result.stdout
    assert "no lists imported" in result.stderr
    ledger = runner.invoke(app, ["ledger", *db(tmp_path)], env=home)
    assert ledger.exit_code == 0, ledger.output
    assert "UN-2397-5 2022" in ledger.stdout and "EX-GASOLINE-1" in ledger.stdout
    short = runner.invoke(app, ["ledger", "--no-shipments", "--cap", "UN-2397-4", *db(tmp_path)], env=home)
    assert short.exit_code == 0 and "empty" in short.stdout


def test_check_summary_and_json(tmp_path: Path, home: dict[str, str]) -> None:
    summary = runner.invoke(
        app, ["check", str(EXAMPLES / "jet-fuel.json"), "--summary", "--no-record", *db(tmp_path)], env=home
    )
    assert summary.exit_code == 0, summary.output
    assert "PROHIBITED" in summary.stdout and "Verdicts for jet-fuel.json" in summary.stdout
    as_json = runner.invoke(
        app, ["check", str(EXAMPLES / "jet-fuel.json"), "--json", *db(tmp_path)], env=home
    )
    assert as_json.exit_code == 0, as_json.output
    [verdict] = json.loads(as_json.stdout)
    assert verdict["verdict"] == "PROHIBITED" and "to_dprk" in verdict["directions"]
    assert "UN-2270-31" in {r["rule_id"] for r in verdict["reasons"]}


def test_check_a_batch(tmp_path: Path, home: dict[str, str]) -> None:
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app,
        ["check", "--input", str(EXAMPLES / "batch-with-errors.csv"), "--output", str(out), *db(tmp_path)],
        env=home,
    )
    assert result.exit_code == 1  # some rows were errors
    assert "10 transactions checked" in result.stdout and "ERROR 8" in result.stdout
    assert result.stderr.count("error: ") == 8 and "field goods[1].quantity" in result.stderr
    assert out.read_text(encoding="utf-8").count("ERROR") == 8
    clean = runner.invoke(
        app,
        [
            "check",
            "--input",
            str(EXAMPLES / "batch.csv"),
            "--output",
            str(tmp_path / "ok.jsonl"),
            *db(tmp_path),
        ],
        env=home,
    )
    assert clean.exit_code == 0 and "8 transactions checked" in clean.stdout
    missing = runner.invoke(app, ["check", "--input", str(EXAMPLES / "batch.csv")], env=home)
    assert missing.exit_code == 1 and "--input needs --output" in missing.stderr


def test_check_refuses_to_write_over_its_input(tmp_path: Path, home: dict[str, str]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text((EXAMPLES / "batch.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    before = src.read_bytes()
    link = tmp_path / "link.jsonl"
    link.symlink_to(src)
    for out in (src, link):
        result = runner.invoke(
            app, ["check", "--input", str(src), "--output", str(out), *db(tmp_path)], env=home
        )
        assert result.exit_code == 2 and "is the input" in result.stderr
        assert src.read_bytes() == before


def test_check_exit_codes_for_files_with_bad_transactions(tmp_path: Path, home: dict[str, str]) -> None:
    good = {"id": "G-1", "type": "shipment", "date": "2022-01-01", "destination": "cn"}
    some = tmp_path / "some.json"
    some.write_text(json.dumps([good, {**good, "id": "B-1", "date": "2022-13-45"}]), encoding="utf-8")
    result = runner.invoke(app, ["check", str(some), "--summary", *db(tmp_path)], env=home)
    assert result.exit_code == 1
    assert "G-1" in result.stdout and "B-1" in result.stderr and "field date" in result.stderr
    as_json = runner.invoke(app, ["check", str(some), "--json", *db(tmp_path)], env=home)
    assert as_json.exit_code == 1
    assert [v["verdict"] for v in json.loads(as_json.stdout)] == ["CLEAR", "ERROR"]
    none = tmp_path / "none.json"
    none.write_text(json.dumps([{**good, "quantity": 1}]), encoding="utf-8")
    assert runner.invoke(app, ["check", str(none), *db(tmp_path)], env=home).exit_code == 2
    unreadable = tmp_path / "x.yaml"
    unreadable.write_bytes(b"id: \xff\n")
    result = runner.invoke(app, ["check", str(unreadable), *db(tmp_path)], env=home)
    assert result.exit_code == 2 and "not UTF-8" in result.stderr


@pytest.mark.parametrize("mode", [[], ["--summary"]])
def test_markup_in_transactions_prints_as_text(tmp_path: Path, home: dict[str, str], mode: list[str]) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), *mode, *db(tmp_path)], env=home)
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "[/red]EX-1" in result.stdout
    assert "\x1b[2J" not in result.stdout
    if not mode:
        assert "Zorblax Closetag [/]" in result.stdout and "\\x1b[2J" in result.stdout


def test_rendered_capture_keeps_markup_and_controls_inert(shared_data: Path) -> None:
    nomenclature = hs.load(shared_data / "hs")
    import yaml

    tx = parse_transaction(yaml.safe_load(HOSTILE), nomenclature)
    verdict = Evaluator(default_rulebook(), hs=nomenclature).check(tx)
    for renderable in (verdict_renderable(verdict), verdicts_table([verdict])):
        console = Console(record=True, width=200, color_system=None)
        console.print(renderable)
        shown = console.export_text()
        assert "[/red]EX-1" in shown and "\x1b" not in shown
    full = Console(record=True, width=300, color_system=None)
    full.print(verdict_renderable(verdict))
    shown = full.export_text()
    assert "[bold]Korea[/bold] General Trading \\x1b[2J Corp" in shown and "diesel [/]" in shown


def test_rules_list_and_show() -> None:
    listed = runner.invoke(app, ["rules", "list", "--regime", "UK"])
    assert listed.exit_code == 0, listed.output
    assert "UK-ASSET-FREEZE" in listed.stdout and "UN-2397-5" not in listed.stdout
    shown = runner.invoke(app, ["rules", "show", "UN-2397-7a"])
    assert shown.exit_code == 0, shown.output
    assert "(unverified)" in shown.stdout and "[P]" in shown.stdout
    unknown = runner.invoke(app, ["rules", "show", "UN-NOPE"])
    assert unknown.exit_code == 1 and "unknown rule id 'UN-NOPE'" in unknown.stderr


def test_hs_code_and_words() -> None:
    code = runner.invoke(app, ["hs", "2710.19"])
    assert code.exit_code == 0, code.output
    assert "HS 2710.19" in code.stdout and "27" in code.stdout
    words = runner.invoke(app, ["hs", "diesel", "--limit", "3"])
    assert words.exit_code == 0 and "271019" in words.stdout
    bad = runner.invoke(app, ["hs", "9999.99"])
    assert bad.exit_code == 1 and "error:" in bad.stderr
    markup = runner.invoke(app, ["hs", "[/red] diesel"])
    assert markup.exit_code == 0 and "[/red]" in markup.stdout


def test_a_batch_file_named_with_markup(tmp_path: Path, home: dict[str, str]) -> None:
    src = tmp_path / "[bold]in.jsonl"
    src.write_text((EXAMPLES / "batch.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "[bold]out.jsonl"
    result = runner.invoke(app, ["check", "--input", str(src), "--output", str(out), *db(tmp_path)], env=home)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "5 transactions checked" in result.stdout and "[bold]out.jsonl" in result.stdout


MANY = """\
transactions:
  - {id: OK-1, type: shipment, date: 2024-01-10, origin: RU, destination: CN, goods: [{tnved: "1101001500", description: мука пшеничная, quantity: 5, unit: t}]}
  - {id: BAD-CODE, type: shipment, date: 2024-01-10, origin: RU, destination: КНДР, goods: [{hs_code: "2710.19", tnved: "2701120000", quantity: 5, unit: t}]}
  - {id: OK-2, type: shipment, date: 2024-01-11, origin: РФ, destination: КНДР, goods: [{tnved: "2710192100", description: керосин авиационный, quantity: 5, unit: t}], evidence: {notification: N-1}}
  - {id: BAD-UNIT, type: shipment, date: 2024-01-12, origin: RU, destination: CN, goods: [{hs_code: "1101.00", quantity: 5, unit: tons}]}
  - {id: BAD-SYSTEM, type: shipment, date: 2024-01-12, origin: RU, destination: CN, goods: [{national_code: "2710192100", quantity: 5, unit: t}]}
  - {id: OK-3, type: shipment, date: 2024-01-13, origin: RU, destination: CN, goods: [{hs_code: "2701.12", description: уголь каменный, quantity: 5, unit: t}]}
"""


@pytest.mark.parametrize("mode", [[], ["--summary"], ["--json"]])
def test_check_file_reports_each_bad_transaction_and_checks_the_rest(
    tmp_path: Path, home: dict[str, str], mode: list[str]
) -> None:
    path = tmp_path / "many.yaml"
    path.write_text(MANY, encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), *mode, *db(tmp_path)], env=home)
    assert result.exit_code == 1, result.output  # some failed: not 0, not 2 (none checked), not 70 (a crash)
    if mode == ["--json"]:
        items = {i["transaction_id"]: i for i in json.loads(result.stdout)}
        assert [items[k]["verdict"] for k in ("OK-1", "OK-2", "OK-3")] == ["CLEAR", "PROHIBITED", "CLEAR"]
        assert {k for k, i in items.items() if i["verdict"] == "ERROR"} == {
            "BAD-CODE",
            "BAD-UNIT",
            "BAD-SYSTEM",
        }
        assert (
            "transactions[1]" in items["BAD-CODE"]["where"] and "goods[0].tnved" in items["BAD-CODE"]["error"]
        )
    else:
        for tx_id in ("OK-1", "OK-2", "OK-3"):
            assert tx_id in result.stdout
    for tx_id, field in (
        ("BAD-CODE", "goods[0].tnved"),
        ("BAD-UNIT", "goods[0].unit"),
        ("BAD-SYSTEM", "goods[0].national_system"),
    ):
        line = next(ln for ln in result.stderr.splitlines() if tx_id in ln)
        assert field in line or field in result.stderr.split(tx_id, 1)[1][:300], (tx_id, result.stderr)


def test_a_crash_exits_70_not_the_1_of_some_failed(
    tmp_path: Path, home: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridor.cli.trade import INTERNAL_ERROR

    def broken(self: Evaluator, tx: object, **kwargs: object) -> None:
        raise RuntimeError("boom in the evaluator")

    monkeypatch.setattr(Evaluator, "check", broken)
    path = tmp_path / "many.yaml"
    path.write_text(MANY, encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "--summary", *db(tmp_path)], env=home)
    assert INTERNAL_ERROR == 70
    assert result.exit_code == INTERNAL_ERROR
    assert "internal error" in result.stderr and "RuntimeError: boom in the evaluator" in result.stderr


def test_the_service_checks_lists_transaction_by_transaction() -> None:
    """What the API's POST /check calls: each bad transaction is an item with its
    place and field, the others have verdicts."""
    import yaml

    from corridor.services import trade

    data = yaml.safe_load(MANY)
    result = trade.check_data(data, "body", trade.evaluator(None), record=False)
    assert [i.transaction_id for i in result.items] == [t["id"] for t in data["transactions"]]
    errors = {i.transaction_id: i for i in result.errors}
    assert set(errors) == {"BAD-CODE", "BAD-UNIT", "BAD-SYSTEM"}
    assert errors["BAD-CODE"].where == "transactions[1]"
    assert "field goods[0].tnved" in str(errors["BAD-CODE"].error)
    assert [v.transaction_id for v in result.verdicts] == ["OK-1", "OK-2", "OK-3"]
    assert result.exit_code == 1
