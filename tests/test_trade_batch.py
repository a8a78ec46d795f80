"""Batch files (CSV, JSONL) and single transaction files: verdicts out, errors naming
the row and the field, the rest of the batch going on, the ledger untouched by errors."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from corridor.services.trade import BatchProgress, check_batch, check_file, read_transaction_file
from corridor.sources.base import ParseError
from corridor.store.db import engine
from corridor.store.ledger import CapLedger
from corridor.trade import hs
from corridor.trade.evaluate import Evaluator
from corridor.trade.rules import default_rulebook

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "transactions"


@pytest.fixture(scope="module")
def nomenclature(shared_data: Path) -> hs.Nomenclature:
    return hs.load(shared_data / "hs")


@pytest.fixture
def evaluator(nomenclature: hs.Nomenclature, sqlite_url: str) -> Evaluator:
    return Evaluator(default_rulebook(), hs=nomenclature, ledger=CapLedger(engine(sqlite_url)))


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["transaction_id"] or f"#{i}": row for i, row in enumerate(csv.DictReader(handle))}


def test_csv_batch(evaluator: Evaluator, tmp_path: Path) -> None:
    seen: list[int] = []
    out = tmp_path / "results.csv"
    summary = check_batch(
        EXAMPLES / "batch.csv", out, evaluator, on_progress=lambda p: seen.append(p.processed)
    )
    assert seen == list(range(1, 9)) and summary.processed == 8 and summary.errors == []
    rows = read_csv(out)
    assert {k: v["verdict"] for k, v in rows.items()} == {
        "B-001": "CAPPED_REPORTABLE",  # gasoline + diesel, notified
        "B-002": "CAPPED_REPORTABLE",  # LPG with attestation
        "B-003": "PROHIBITED",  # jet fuel declared for China, discharged at Nampho
        "B-004": "PROHIBITED",  # DPRK machinery
        "B-005": "CLEAR",  # Russian coal via Rajin with origin certificate + advance notification
        "B-006": "PROHIBITED",  # the same without the evidence
        "B-007": "PROHIBITED",  # DPRK workers (labour given in extra_json)
        "B-008": "CLEAR",  # wheat flour
    }
    assert "UN-2270-31" in rows["B-003"]["rule_ids"].split(";")
    assert "UN-2371-8" in rows["B-006"]["summary"]
    ledger = CapLedger(evaluator.ledger.engine)  # type: ignore[union-attr]
    # B-001: 2,000 t gasoline x 8.5 + 1,000 t diesel x 7.5; B-002: 500 t LPG x 11.6.
    assert sum(r.barrels for r in ledger.rows()) == Decimal(17000 + 7500 + 5800)
    assert {(r.transaction_id, r.line_no) for r in ledger.rows()} == {
        ("B-001", 1),
        ("B-001", 2),
        ("B-002", 1),
    }


def test_bad_rows_are_reported_and_the_rest_goes_on(evaluator: Evaluator, tmp_path: Path) -> None:
    progress: list[BatchProgress] = []
    out = tmp_path / "results.jsonl"
    summary = check_batch(EXAMPLES / "batch-with-errors.csv", out, evaluator, on_progress=progress.append)
    results = {r["transaction_id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert summary.processed == 10 and len(summary.errors) == 8 and progress[-1].errors == 8
    assert (
        results["E-001"]["verdict"] == "CAPPED_REPORTABLE"
        and results["E-010"]["verdict"] == "CAPPED_REPORTABLE"
    )
    errors = {k: v["error"] for k, v in results.items() if v["verdict"] == "ERROR"}
    expected = {
        "E-002": ("row 3 (transaction E-002), field goods[0].hs_code", "malformed HS code"),
        "E-003": ("row 5 (transaction E-003), field goods[1].quantity", "negative quantity"),
        "E-004": ("row 6 (transaction E-004), field goods[0].quantity", "non-numeric quantity"),
        "E-005": ("row 7 (transaction E-005), field goods[0].unit", "unknown unit"),
        "E-006": ("row 8 (transaction E-006), field date", "missing date"),
        "E-007": ("row 9 (transaction E-007), field destination", "unknown country 'Wakanda'"),
        "E-008": ("row 10", "malformed row"),
        "E-009": ("row 11 (transaction E-009), field goods[0].hs_code", "unknown HS code"),
    }
    assert set(errors) == set(expected)
    for tx_id, (where, message) in expected.items():
        assert f"batch-with-errors.csv: {where}" in errors[tx_id] and message in errors[tx_id], errors[tx_id]
    # Only E-001 (1,000 t gasoline) and E-010 (1,000 t diesel) reach the ledger; E-003's good
    # first line does not, because the transaction as a whole was rejected.
    rows = CapLedger(evaluator.ledger.engine).rows()  # type: ignore[union-attr]
    assert [(r.transaction_id, r.barrels) for r in rows] == [
        ("E-001", Decimal(8500)),
        ("E-010", Decimal(7500)),
    ]


def test_jsonl_batch_with_a_malformed_line(evaluator: Evaluator, tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    summary = check_batch(EXAMPLES / "batch.jsonl", out, evaluator)
    rows = read_csv(out)
    assert summary.processed == 5
    assert rows["J-001"]["verdict"] == "CAPPED_REPORTABLE"
    assert rows["J-002"]["verdict"] == "REVIEW" and rows["J-003"]["verdict"] == "PROHIBITED"
    assert rows["J-005"]["verdict"] == "REVIEW"
    broken = [r for r in rows.values() if r["verdict"] == "ERROR"]
    assert len(broken) == 1 and "batch.jsonl: line 4: malformed JSON" in broken[0]["error"]


def test_reappearing_transaction_id_and_unknown_column(evaluator: Evaluator, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "transaction_id,type,date,destination,hs_code,quantity,unit\n"
        "A,shipment,2022-01-01,cn,1101,1,t\nB,shipment,2022-01-01,cn,1101,1,t\nA,,,,1101,1,t\n",
        encoding="utf-8",
    )
    check_batch(src, tmp_path / "out.csv", evaluator)
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["verdict"] for r in rows] == ["CLEAR", "CLEAR", "ERROR"]
    assert "row 4, field transaction_id" in rows[2]["error"] and "appears again" in rows[2]["error"]
    bad = tmp_path / "bad.csv"
    bad.write_text("transaction_id,hscode\nA,1101\n", encoding="utf-8")
    with pytest.raises(ParseError, match="unknown column"):
        check_batch(bad, tmp_path / "out2.csv", evaluator)


def test_single_files(evaluator: Evaluator, nomenclature: hs.Nomenclature, tmp_path: Path) -> None:
    [gasoline] = check_file(EXAMPLES / "gasoline.yaml", evaluator)
    assert gasoline.outcome.value == "CAPPED_REPORTABLE" and gasoline.recorded
    [jet] = check_file(EXAMPLES / "jet-fuel.json", evaluator)
    assert jet.outcome.value == "PROHIBITED" and "to_dprk" in jet.directions
    broken = tmp_path / "broken.json"
    broken.write_text(
        '{"id": "X", "type": "shipment", "date": "2022-01-01", "goods": [{"hs_code": "2710", "quantity": -1, "unit": "t"}]}'
    )
    with pytest.raises(ParseError) as info:
        read_transaction_file(broken, nomenclature)
    assert info.value.where == "field goods[0].quantity" and "negative" in info.value.message


NATIONAL_CSV = """\
transaction_id,type,date,origin,destination,national_code,national_system,hs_code,goods_description,quantity,unit,notification_ref
C-1,shipment,2024-02-01,ru,kp,2710192100,tnved,,керосин авиационный,10,t,N-1
C-2,shipment,2024-02-01,ru,kp,27101943,cn,,дизельное топливо,10,t,N-1
C-3,shipment,2024-02-01,ru,kp,2701120000,tnved,2710.19,бензин,10,t,N-1
C-4,shipment,2024-02-01,ru,kp,,,2710.19,경유,10,t,N-1
"""


def test_csv_batch_with_national_codes_and_descriptions_in_any_language(
    evaluator: Evaluator, tmp_path: Path
) -> None:
    # RULES.md 2.3: aviation fuel "is **prohibited outright** under 2270 para 31 even
    # though it is a refined product"; UN-2397-5: refined products "capped + reportable".
    src = tmp_path / "national.csv"
    src.write_text(NATIONAL_CSV, encoding="utf-8")
    out = tmp_path / "results.jsonl"
    summary = check_batch(src, out, evaluator, record=False)
    results = {r["transaction_id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert {k: r["verdict"] for k, r in results.items()} == {
        "C-1": "PROHIBITED",
        "C-2": "CAPPED_REPORTABLE",
        "C-3": "ERROR",
        "C-4": "CAPPED_REPORTABLE",
    }
    assert "UN-2270-31" in {r["rule_id"] for r in results["C-1"]["reasons"]}
    assert "row 4 (transaction C-3), field goods[0].national_code" in results["C-3"]["error"]
    assert "not under HS 2710.19" in results["C-3"]["error"]
    assert len(summary.errors) == 1
