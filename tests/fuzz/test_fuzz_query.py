"""Fuzzing the screening query parser (issue 14): query validation, JSONL query
lines and pair lines.  Property: any input gives hits (or a score), or a
`QueryError` / `InputError` naming what is wrong; never another exception, and a
batch writes exactly one valid JSON line per input line.

Bounded in the normal test run; `CORRIDOR_FUZZ=1` runs many more examples
(`CORRIDOR_FUZZ_EXAMPLES` sets how many, default 20,000).
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.errors import InputError
from corridor.match import Comparison, Query, QueryError, Screener, compare
from corridor.model import DateSpec, Entity, Identifier, NameKind, make_name
from corridor.services.batch import compare_jsonl, query_from_dict, screen_jsonl

pytestmark = pytest.mark.fuzz

LONG = os.environ.get("CORRIDOR_FUZZ") == "1"
EXAMPLES = int(os.environ.get("CORRIDOR_FUZZ_EXAMPLES", "20000")) if LONG else 100
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=not LONG,  # the bounded run is the same on every machine
)


@lru_cache(maxsize=1)
def screener() -> Screener:
    def entity(ident: str, schema: str, *names: str, **fields: Any) -> Entity:
        built = [make_name(n, NameKind.PRIMARY if i == 0 else NameKind.ALIAS) for i, n in enumerate(names)]
        return Entity(id=ident, source="t", schema=schema, names=[n for n in built if n], **fields)

    return Screener.from_entities(
        [
            entity(
                "t:1", "Person", "KIM, Jong Un", "김정은", birth_dates=[DateSpec("1984-01-08")], gender="male"
            ),
            entity("t:2", "Person", "Yevgeniy Viktorovich PRIGOZHIN", "Евгений Викторович Пригожин"),
            entity(
                "t:3",
                "Company",
                "LIMITED LIABILITY COMPANY ALIS",
                identifiers=[Identifier("reg", "1162536087230")],
            ),
            entity("t:4", "Vessel", "EBANO", identifiers=[Identifier("imo", "7406784")]),
            entity("t:5", "Organization", "KOREA MINING DEVELOPMENT TRADING CORPORATION", "KOMID"),
        ]
    )


# text that reaches every branch: names of the lists' scripts, digits, controls,
# surrogates cannot be encoded in JSON lines but can be in Python strings
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=600),
    st.sampled_from(
        ["김정은", "Kim Jong-Un", "ООО Алис", "KOMID", "IMO 7406784", "1984-01-08", "kp", "male", ""]
    ),
)
SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    # near the int → str digit limit (past it Hypothesis cannot print an example;
    # tests/test_match_batch.py covers numbers past it)
    st.integers(min_value=10**4000, max_value=10**4299),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
FIELDS = ["id", "name", "schema", "birth_date", "country", "imo", "identifiers", "gender"]
QUERY_DICT = st.dictionaries(st.sampled_from([*FIELDS, "colour"]) | TEXT, VALUE, max_size=9)


def _is_hits(result: object) -> bool:
    return isinstance(result, list) and all(hasattr(h, "entity_id") for h in result)


@FUZZ
@given(
    name=VALUE,
    schema=VALUE,
    birth_date=VALUE,
    country=VALUE,
    imo=VALUE,
    identifiers=VALUE,
    gender=VALUE,
    threshold=st.none() | st.floats(allow_nan=True, allow_infinity=True),
    limit=st.integers(min_value=-3, max_value=10**6),
)
def test_any_query_gives_hits_or_a_query_error(
    name: Any,
    schema: Any,
    birth_date: Any,
    country: Any,
    imo: Any,
    identifiers: Any,
    gender: Any,
    threshold: float | None,
    limit: int,
) -> None:
    query = Query(name, schema, birth_date, country, imo, identifiers, gender)
    try:
        hits = screener().screen(query, threshold, limit)
    except QueryError as exc:
        assert exc.field and str(exc)
    else:
        assert _is_hits(hits) and len(hits) <= max(limit, 0)
        assert all(h.score >= (0.8 if threshold is None else threshold) for h in hits)


@FUZZ
@given(data=QUERY_DICT)
def test_any_json_object_gives_a_query_or_a_query_error(data: dict[str, Any]) -> None:
    try:
        query = query_from_dict(data)
    except QueryError as exc:
        assert exc.field
        return
    try:
        assert _is_hits(screener().screen(query))
    except QueryError as exc:
        assert exc.field


@FUZZ
@given(name1=VALUE, name2=VALUE, schema=VALUE)
def test_any_pair_gives_a_score_or_a_query_error(name1: Any, name2: Any, schema: Any) -> None:
    try:
        result = compare(name1, name2, schema)
    except QueryError as exc:
        assert exc.field
    else:
        assert isinstance(result, Comparison) and 0.0 <= result.score <= 1.0
        assert isinstance(result.explanation.summary, str)


def _json_line(value: Any) -> bytes:
    try:
        return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    except ValueError:  # an int past the digit limit: written as digits
        return b'{"name": "Kim", "imo": ' + b"7" * 5000 + b"}"


LINE = st.one_of(
    st.binary(max_size=300),
    QUERY_DICT.map(_json_line),
    VALUE.map(_json_line),
    st.integers(min_value=1, max_value=3000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(min_value=1, max_value=3000).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth),
)


def _run_batch(kind: str, lines: list[bytes]) -> tuple[list[dict[str, Any]], int]:
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        source.write_bytes(
            b"\n".join(line.replace(b"\n", b" ").replace(b"\r", b" ") for line in lines) + b"\n"
        )
        try:
            stats = (
                screen_jsonl(screener(), source, target)
                if kind == "screen"
                else compare_jsonl(source, target)
            )
        except InputError as exc:  # only the paths may be refused, and these are fine
            raise AssertionError(f"batch refused: {exc}") from exc
        rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert stats.lines == stats.ok + stats.errors
    return rows, stats.lines


@FUZZ
@given(lines=st.lists(LINE, min_size=1, max_size=6), kind=st.sampled_from(["screen", "compare"]))
def test_a_batch_answers_every_line_with_one_json_line(lines: list[bytes], kind: str) -> None:
    rows, counted = _run_batch(kind, lines)
    non_blank = [
        line
        for line in (b"\n".join(x.replace(b"\n", b" ").replace(b"\r", b" ") for x in lines)).split(b"\n")
        if line.decode("utf-8", "replace").strip()
    ]
    assert len(rows) == counted == len(non_blank)
    for row in rows:
        assert isinstance(row, dict)
        assert ("error" in row and isinstance(row["line"], int)) or ("hits" in row or "score" in row)
