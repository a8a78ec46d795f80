"""Fuzzing every list parser in `corridor.sources` (Hypothesis).

Each parser gets small valid inputs (authored fixtures, or a few records cut
from the shared snapshots), which Hypothesis mutates: bytes flipped, inserted,
deleted, duplicated, the file truncated, and tokens that break formats spliced
in (DOCTYPE, entities, quotes, NUL, invalid UTF-8, huge numbers).  The property:
parsing (and draining every entity) either yields entities or raises
`ParseError` / `LimitError` — never another exception, never a hang (a
per-example deadline).  Detection (`sources.parse`) is fuzzed the same way.

Bounded in the normal run (a few examples per parser); `CORRIDOR_FUZZ=1`
(`make fuzz`) runs `CORRIDOR_FUZZ_EXAMPLES` (default 2,000) per parser.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor import settings as corridor_settings
from corridor import sources
from corridor.errors import LimitError, ParseError
from corridor.sources import (
    eu_xml,
    ftm_json,
    ofac_advanced,
    ofac_csv,
    ofac_xml,
    os_simple_csv,
    uk_conlist,
    uk_fcdo,
    un_xml,
)

pytestmark = pytest.mark.fuzz

LONG = os.environ.get("CORRIDOR_FUZZ", "") not in ("", "0")
EXAMPLES = int(os.environ.get("CORRIDOR_FUZZ_EXAMPLES", "2000")) if LONG else 12
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=not LONG,  # the bounded run is reproducible; the long one explores
    database=None,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"
SHARED = corridor_settings.shared_data()

TOKENS = [
    b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]>",
    b"<!-- c -->",
    b"&a;",
    b"&#0;",
    b"&amp;",
    b"]]>",
    b"<![CDATA[x]]>",
    b"<",
    b">",
    b"</",
    b'"',
    b"'",
    b",",
    b"\r\n",
    b"\n",
    b"\0",
    b"\xff",
    b"\xc3(",
    b"\xef\xbb\xbf",
    b"-0- ",
    b"9" * 400,
    b"{",
    b"}",
    b"[",
    b"null",
    b'"properties": {}',
    b"2016-13-45",
    b"1e309",
    b"\x1a",
]


def _un_seed() -> bytes:
    raw = (SHARED / "un/2026-05-08/consolidated.xml").read_bytes()
    people = re.findall(rb"<INDIVIDUAL>.*?</INDIVIDUAL>", raw, re.S)[:3]
    bodies = re.findall(rb"<ENTITY>.*?</ENTITY>", raw, re.S)[:2]
    head = raw[: raw.index(b"<INDIVIDUALS>")]
    return (
        head
        + b"<INDIVIDUALS>"
        + b"".join(people)
        + b"</INDIVIDUALS><ENTITIES>"
        + b"".join(bodies)
        + b"</ENTITIES></CONSOLIDATED_LIST>"
    )


def _sdn_seed() -> bytes:
    rows = (SHARED / "ofac/sdn_csv_set_2021-07/sdn.csv").read_bytes().split(b"\r\n")
    return b"\r\n".join(rows[:25]) + b"\r\n"


def _ofac_advanced_seed() -> bytes:
    from tests.test_source_ofac_advanced import SAMPLE

    return SAMPLE.encode("utf-8")


def _uk_csv_seed() -> bytes:
    import openpyxl

    book = openpyxl.load_workbook(SHARED / "uk/ofsi_conlist_2025-04-14/ConList.xlsx", read_only=True)
    out = io.StringIO()
    import csv

    writer = csv.writer(out)
    for _, row in zip(range(30), book.worksheets[0].iter_rows(values_only=True), strict=False):
        writer.writerow(["" if v is None else v for v in row])
    book.close()
    return out.getvalue().encode("utf-8")


def _xlsx_seed() -> bytes:
    import openpyxl

    rows = list(csv_rows(_uk_csv_seed()))
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_rows(data: bytes) -> list[list[str]]:
    import csv

    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def _simple_csv_seed() -> bytes:
    header = "id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,emails,program_ids,dataset,first_seen,last_seen,last_change"
    rows = [
        'p1,Person,KIM Yong Bok,"Kim Yong-bok;김영복",1960-01-01,kp,,PP123,"UN 1718",,,KP-1,test,2024-01-01,2024-02-01,2024-02-01',
        "c1,Company,OOO Alis,Алис,,ru,Moscow,1027700132195,,,,RU-1,test,2024-01-01,2024-02-01,2024-02-01",
    ]
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


# parser module, file name, seed builder (lazy: some read the shared data)
CASES: list[tuple[ModuleType, str, Callable[[], bytes]]] = [
    (un_xml, "consolidated.xml", _un_seed),
    (ofac_csv, "sdn.csv", _sdn_seed),
    (ofac_xml, "sdn.xml", lambda: (FIXTURES / "ofac/tempuri_layout_sample.xml").read_bytes()),
    (ofac_advanced, "sdn_advanced.xml", _ofac_advanced_seed),
    (eu_xml, "eu_fsf.xml", lambda: (FIXTURES / "eu/eu_fsf_sample.xml").read_bytes()),
    (uk_conlist, "ConList.csv", _uk_csv_seed),
    (uk_conlist, "ConList.xlsx", _xlsx_seed),
    (uk_fcdo, "UK_Sanctions_List.xml", lambda: (FIXTURES / "uk/uk_sanctions_list_sample.xml").read_bytes()),
    (ftm_json, "entities.ftm.json", lambda: (FIXTURES / "ftm/sample_entities.jsonl").read_bytes()),
    (os_simple_csv, "targets.simple.csv", _simple_csv_seed),
]

_seeds: dict[str, bytes] = {}


def seed(index: int) -> bytes:
    module, name, build = CASES[index]
    key = f"{module.__name__}:{name}"
    if key not in _seeds:
        try:
            _seeds[key] = build()
        except FileNotFoundError as exc:
            pytest.skip(f"*** NOT FUZZED: seed data missing ({exc.filename}) ***")
    return _seeds[key]


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """`data` with up to eight random edits."""
    out = bytearray(data)
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["flip", "insert", "token", "delete", "duplicate", "truncate"]))
        at = draw(st.integers(0, len(out)))
        if kind == "flip" and out:
            at = min(at, len(out) - 1)
            out[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "token":
            out[at:at] = draw(st.sampled_from(TOKENS))
        elif kind == "delete":
            del out[at : at + draw(st.integers(1, 64))]
        elif kind == "duplicate":
            out[at:at] = out[at : at + draw(st.integers(1, 256))]
        elif kind == "truncate":
            del out[at:]
    return bytes(out)


def _check(parse: Callable[[Path], object], name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            parsed = parse(path)
            for _entity in parsed.entities:  # type: ignore[attr-defined]
                pass
        except (ParseError, LimitError):
            pass  # the only acceptable failures: clear errors naming the file


@pytest.mark.parametrize(
    "index", range(len(CASES)), ids=[f"{m.__name__.rsplit('.', 1)[-1]}-{n}" for m, n, _ in CASES]
)
def test_seed_inputs_parse(index: int) -> None:
    """The unmutated seeds are valid: the fuzzing starts from inputs that parse."""
    module, name, _ = CASES[index]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(seed(index))
        assert list(module.parse(path).entities)


@pytest.mark.parametrize(
    "index", range(len(CASES)), ids=[f"{m.__name__.rsplit('.', 1)[-1]}-{n}" for m, n, _ in CASES]
)
def test_parser_never_fails_uncleanly(index: int) -> None:
    module, name, _ = CASES[index]
    data = seed(index)

    @FUZZ
    @given(mutated(data))
    def run(sample: bytes) -> None:
        _check(module.parse, name, sample)

    run()


@pytest.mark.parametrize(
    "index", range(len(CASES)), ids=[f"{m.__name__.rsplit('.', 1)[-1]}-{n}" for m, n, _ in CASES]
)
def test_detection_never_fails_uncleanly(index: int) -> None:
    _, name, _ = CASES[index]
    data = seed(index)

    @FUZZ
    @given(mutated(data))
    def run(sample: bytes) -> None:
        _check(sources.parse, name, sample)

    run()
