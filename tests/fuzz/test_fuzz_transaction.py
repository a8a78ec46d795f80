"""Fuzzing the transaction parser (Hypothesis): whatever a transaction document,
batch line or file holds, parsing either succeeds or raises an `InputError` /
`ParseError` (the user's error, naming the place) - never another exception.

Bounded in the normal run (a few seconds); `CORRIDOR_FUZZ=1` runs many more
examples (`make fuzz`)."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.errors import InputError, LimitError, ParseError
from corridor.services.trade import read_transaction_file
from corridor.trade import hs
from corridor.trade.batch import csv_items, jsonl_items
from corridor.trade.documents import parse_json, parse_yaml
from corridor.trade.transaction import parse_transaction

LONG = os.environ.get("CORRIDOR_FUZZ", "") == "1"
# the long run takes as long as it takes: no per-test timeout then
pytestmark = [pytest.mark.fuzz, *([pytest.mark.timeout(0)] if LONG else [])]
FUZZ = settings(
    max_examples=3000 if LONG else 25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
USER_ERRORS = (InputError, ParseError, LimitError)

_KEYS = [
    "id",
    "type",
    "date",
    "origin",
    "destination",
    "parties",
    "goods",
    "vessels",
    "ports",
    "payment",
    "labour",
    "joint_ventures",
    "services",
    "evidence",
    "us_nexus",
    "name",
    "role",
    "country",
    "hs_code",
    "quantity",
    "unit",
    "product",
    "imo",
    "flag",
    "method",
    "finance",
    "banks",
    "settlement_goods",
    "nationality",
    "count",
    "partners",
    "kind",
    "location",
    "identifiers",
    "address",
    "schema",
]
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**60, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(
        [
            "2022-13-45",
            "2022-01-01",
            "1e308",
            "-1",
            "2710.19",
            "t",
            "ton",
            "kp",
            "ru",
            "Nampho",
            "ООО Бета",
            "김영복",
            "[/red]",
            "\x1b[2J",
            "9" * 300,
            "shipment",
            "exporter",
            "9074729",
        ]
    ),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(_KEYS), inner, max_size=6)
    ),
    max_leaves=25,
)
_DOCUMENTS = st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=10)


@pytest.fixture(scope="module")
def nomenclature(shared_data: Path) -> hs.Nomenclature:
    return hs.load(shared_data / "hs")


@FUZZ
@given(data=st.one_of(_DOCUMENTS, _VALUES))
def test_any_document_parses_or_names_the_problem(nomenclature: hs.Nomenclature, data: Any) -> None:
    with contextlib.suppress(USER_ERRORS):
        parse_transaction(data, nomenclature, source="fuzz")


@FUZZ
@given(text=st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
def test_any_yaml_or_json_text_parses_or_names_the_problem(text: str) -> None:
    for parse in (parse_yaml, parse_json):
        with contextlib.suppress(USER_ERRORS):
            parse(text, "fuzz")


@FUZZ
@given(
    lines=st.lists(
        st.one_of(st.binary(max_size=120), _DOCUMENTS.map(lambda d: json.dumps(d).encode())), max_size=5
    )
)
def test_any_jsonl_batch_gives_one_item_per_line(
    nomenclature: hs.Nomenclature, tmp_path: Path, lines: list[bytes]
) -> None:
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(b"\n".join(line.replace(b"\n", b" ").replace(b"\r", b" ") for line in lines))
    with open(path, "rb") as handle:
        items = list(jsonl_items(handle, str(path), nomenclature))
    assert all(i.transaction is not None or isinstance(i.error, ParseError) for i in items)


@FUZZ
@given(body=st.binary(max_size=400))
def test_any_csv_batch_goes_on_or_names_the_header(
    nomenclature: hs.Nomenclature, tmp_path: Path, body: bytes
) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(b"transaction_id,type,date,destination,hs_code,quantity,unit\n" + body)
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        for item in csv_items(handle, str(path), nomenclature):
            assert item.transaction is not None or isinstance(item.error, ParseError)


@FUZZ
@given(
    data=st.one_of(_DOCUMENTS, st.lists(_DOCUMENTS, max_size=3)), suffix=st.sampled_from([".yaml", ".json"])
)
def test_any_transaction_file_reads_or_names_the_problem(
    nomenclature: hs.Nomenclature, tmp_path: Path, data: Any, suffix: str
) -> None:
    import yaml

    path = tmp_path / f"fuzz{suffix}"
    try:
        text = json.dumps(data) if suffix == ".json" else yaml.safe_dump(data, allow_unicode=True)
    except (ValueError, yaml.YAMLError):
        return  # not representable in this format
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with contextlib.suppress(USER_ERRORS):
        read_transaction_file(path, nomenclature)
