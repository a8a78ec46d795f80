"""Hostile transactions (issue 14, trade side): huge and malformed numbers and
dates name their field, a YAML alias bomb is refused, one bad line of a batch is
one error line, the output may not be the input, a file of many transactions
reports each bad one and checks the rest."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from corridor.errors import InputError, ParseError
from corridor.services import trade as service
from corridor.services.trade import check_batch, read_transaction_file
from corridor.store.db import engine
from corridor.store.ledger import CapLedger
from corridor.trade import hs
from corridor.trade.documents import MAX_ALIASES
from corridor.trade.evaluate import Evaluator
from corridor.trade.rules import default_rulebook

GOOD = {
    "id": "OK-1",
    "type": "shipment",
    "date": "2022-01-01",
    "origin": "ru",
    "destination": "cn",
    "goods": [{"hs_code": "1101", "quantity": 10, "unit": "t"}],
}


@pytest.fixture(scope="module")
def nomenclature(shared_data: Path) -> hs.Nomenclature:
    return hs.load(shared_data / "hs")


@pytest.fixture
def evaluator(nomenclature: hs.Nomenclature, sqlite_url: str) -> Evaluator:
    return Evaluator(default_rulebook(), hs=nomenclature, ledger=CapLedger(engine(sqlite_url)))


def diesel(quantity: Any, tx_id: str = "Q-1") -> dict[str, Any]:
    return {
        "id": tx_id,
        "type": "shipment",
        "date": "2022-01-01",
        "origin": "ru",
        "destination": "kp",
        "evidence": {"notification": "N-1"},
        "goods": [{"hs_code": "2710.19", "quantity": quantity, "unit": "t", "product": "diesel"}],
    }


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (1e308, "too large"),
        (10**300, "too large"),
        ("9" * 300, "too long"),
        ("9" * 5000, "too long"),
        ("1e308", "too large"),
        ("1e999999999", "too large"),
        ("NaN", "non-numeric"),
        ("Infinity", "non-numeric"),
    ],
)
def test_huge_quantities_name_the_field(
    evaluator: Evaluator, tmp_path: Path, quantity: Any, message: str
) -> None:
    path = tmp_path / "q.json"
    path.write_text(json.dumps(diesel(quantity)), encoding="utf-8")
    result = service.check_document(path, evaluator)
    [item] = result.items
    assert item.verdict is None and isinstance(item.error, ParseError)
    assert item.error.where == "field goods[0].quantity" and message in item.error.message
    assert result.exit_code == 2


def test_yaml_five_thousand_digits_and_a_bad_date_name_the_field(
    evaluator: Evaluator, nomenclature: hs.Nomenclature, tmp_path: Path
) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(
        "id: Y-1\ntype: shipment\ndate: 2022-01-01\ngoods:\n"
        f"  - {{hs_code: '2710.19', quantity: {'7' * 5000}, unit: t}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ParseError) as info:
        read_transaction_file(big, nomenclature)
    assert info.value.where == "field goods[0].quantity"
    bad_date = tmp_path / "date.yaml"
    bad_date.write_text("id: Y-2\ntype: shipment\ndate: 2022-13-45\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        read_transaction_file(bad_date, nomenclature)
    assert info.value.where == "field date" and "2022-13-45" in info.value.message


def test_a_huge_quantity_in_a_csv_batch_does_not_stop_the_rows_after_it(
    evaluator: Evaluator, tmp_path: Path
) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "transaction_id,type,date,origin,destination,notification_ref,hs_code,quantity,unit,product\n"
        f"H-1,shipment,2022-01-01,ru,kp,N-1,2710.19,{'9' * 300},t,diesel\n"
        "H-2,shipment,2022-01-01,ru,kp,N-2,2710.19,1e308,t,diesel\n"
        "H-3,shipment,2022-01-01,ru,kp,N-3,2710.19,10,t,diesel\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    summary = check_batch(src, out, evaluator)
    results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["verdict"] for r in results] == ["ERROR", "ERROR", "CAPPED_REPORTABLE"]
    assert (
        "field goods[0].quantity" in results[0]["error"] and "field goods[0].quantity" in results[1]["error"]
    )
    assert summary.processed == 3 and len(summary.errors) == 2


def _alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\nid: BOMB\ntype: shipment\ndate: 2022-01-01\nnotes: *i\n"


def test_a_yaml_alias_bomb_is_refused(nomenclature: hs.Nomenclature, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_alias_bomb(), encoding="utf-8")
    assert bomb.stat().st_size < 1500
    started = time.monotonic()
    with pytest.raises(ParseError) as info:
        read_transaction_file(bomb, nomenclature)
    assert time.monotonic() - started < 5
    assert info.value.path == str(bomb) and "too many YAML aliases" in info.value.message


def test_a_few_aliases_are_fine(nomenclature: hs.Nomenclature, tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text(
        "id: AL-1\ntype: shipment\ndate: 2022-01-01\ndestination: cn\n"
        "parties: [&p {name: Vostok LLC, role: exporter, country: ru}]\n"
        f"goods: [{', '.join(['{hs_code: 1101, quantity: 1, unit: t}'] * 3)}]\n",
        encoding="utf-8",
    )
    assert MAX_ALIASES >= 10
    [tx] = read_transaction_file(path, nomenclature)
    assert tx.parties[0].name == "Vostok LLC" and len(tx.goods) == 3


def test_bad_jsonl_lines_are_one_error_each(evaluator: Evaluator, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps({**GOOD, "id": "L-1"}).encode(),
        b'{"id": "L-2", "type": "shipment", "date": "2022-01-01", "n": ' + b"7" * 5000 + b"}",
        b"[" * 200_000 + b"]" * 200_000,
        json.dumps({**GOOD, "id": "L-4", "description": "caf\u00e9"}).encode().replace(b"caf", b"caf\xff"),
        json.dumps({**GOOD, "id": "L-5"}).encode(),
    ]
    src.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    summary = check_batch(src, out, evaluator)
    results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["verdict"] for r in results] == ["CLEAR", "ERROR", "ERROR", "ERROR", "CLEAR"]
    assert [r.get("where") for r in results[1:4]] == ["line 2", "line 3", "line 4"]
    assert "line 3" in results[2]["error"] and "nested too deeply" in results[2]["error"]
    assert "not UTF-8" in results[3]["error"]
    assert summary.processed == 5


def test_a_non_utf8_csv_row_is_one_error(evaluator: Evaluator, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(
        b"transaction_id,type,date,destination,goods_description,hs_code,quantity,unit\n"
        b"C-1,shipment,2022-01-01,cn,flour,1101,1,t\n"
        b"C-2,shipment,2022-01-01,cn,fl\xffur,1101,1,t\n"
        b"C-3,shipment,2022-01-01,cn,flour,1101,1,t\n"
    )
    out = tmp_path / "out.csv"
    check_batch(src, out, evaluator)
    text = out.read_text(encoding="utf-8")
    assert text.count("CLEAR") == 2 and "row 3: not UTF-8 text" in text


@pytest.mark.parametrize("how", ["same", "dotted", "symlink", "hardlink"])
def test_output_equal_to_input_is_refused(evaluator: Evaluator, tmp_path: Path, how: str) -> None:
    src = tmp_path / "in.jsonl"
    original = json.dumps(GOOD) + "\n"
    src.write_text(original, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    out = {
        "same": src,
        "dotted": tmp_path / "sub" / ".." / "in.jsonl",
        "symlink": tmp_path / "link.jsonl",
        "hardlink": tmp_path / "hard.jsonl",
    }[how]
    if how == "symlink":
        out.symlink_to(src)
    if how == "hardlink":
        out.hardlink_to(src)
    with pytest.raises(InputError) as info:
        service.check_batch(src, out, evaluator)
    assert info.value.field == "output" and "is the input" in info.value.message
    assert src.read_text(encoding="utf-8") == original


def test_a_file_of_many_reports_each_bad_one_and_checks_the_rest(
    evaluator: Evaluator, tmp_path: Path
) -> None:
    path = tmp_path / "many.yaml"
    docs = [
        {**GOOD, "id": "M-1"},
        {**GOOD, "id": "M-2", "goods": [{"hs_code": "1101", "quantity": -1, "unit": "t"}]},
        {**GOOD, "id": "M-3"},
        {**GOOD, "id": "M-4", "date": "2022-13-45"},
        ["not", "a", "transaction"],
    ]
    path.write_text(json.dumps({"transactions": docs}), encoding="utf-8")
    result = service.check_document(path.rename(tmp_path / "many.json"), evaluator)
    assert [v.transaction_id for v in result.verdicts] == ["M-1", "M-3"]
    errors = {(e.transaction_id, e.where): e.error for e in result.errors}
    assert set(errors) == {("M-2", "transactions[1]"), ("M-4", "transactions[3]"), ("", "transactions[4]")}
    assert "transactions[1], field goods[0].quantity" in str(errors[("M-2", "transactions[1]")])
    assert "transactions[3], field date" in str(errors[("M-4", "transactions[3]")])
    assert result.exit_code == 1
