"""Batch JSONL screening/comparison, qualifier rules and the rich table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from corridor.match import Query, QueryError, Screener, compare
from corridor.match.features.dates import birth_date_qualifier
from corridor.match.features.schema import schema_allows
from corridor.match.records import ListedDate
from corridor.model import DateSpec, Entity, NameKind, make_name
from corridor.render.screening import hits_table
from corridor.services.batch import compare_jsonl, query_from_dict, screen_jsonl
from corridor.types.identifiers import imo_check_digit_ok, normalize_imo


@pytest.fixture(scope="module")
def screener() -> Screener:
    def person(ident: str, name: str, alias: str = "") -> Entity:
        names = [make_name(name), make_name(alias, NameKind.ALIAS) if alias else None]
        return Entity(
            id=ident,
            source="un",
            schema="Person",
            list_ref=ident.split(":")[1],
            names=[n for n in names if n],
        )

    return Screener.from_entities(
        [
            person("un:KPi.064", "CH'OE SO'K MIN", "Choe Sok Min"),
            person("un:KPi.001", "YUN HO-JIN", "Yun Ho-chin"),
        ]
    )


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_screen_jsonl_goes_on_after_bad_lines(screener: Screener, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "name": "Choe Sok-min", "schema": "Person"}),
                "{not json",
                json.dumps({"id": "c", "name": "", "schema": "Person"}),
                "",
                json.dumps({"id": "d", "name": "Yun Ho Jin", "schema": "Starship"}),
                json.dumps(["a list"]),
                json.dumps({"id": "f", "name": "Nobody Atall"}),
                json.dumps({"id": "g", "name": "Yun Ho Jin", "birth_date": "1960", "colour": "red"}),
                json.dumps({"id": 7, "name": "윤호진", "schema": "Person"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    seen: list[int] = []
    stats = screen_jsonl(screener, src, out, threshold=None, on_progress=seen.append)
    rows = _read(out)
    assert (stats.lines, stats.ok, stats.errors) == (8, 3, 5)
    assert seen == list(range(1, 9))
    assert rows[0]["id"] == "a" and rows[0]["hits"][0]["entity_id"] == "un:KPi.064"
    assert set(rows[0]["hits"][0]) == {"entity_id", "score", "list", "ref", "caption", "explanation"}
    assert rows[0]["hits"][0]["ref"] == "KPi.064" and rows[0]["hits"][0]["list"] == "un"
    assert rows[1] == {"id": None, "line": 2, "error": rows[1]["error"]} and "JSON" in rows[1]["error"]
    assert rows[2]["id"] == "c" and rows[2]["line"] == 3 and rows[2]["error"].startswith("name")
    assert rows[3]["id"] == "d" and rows[3]["line"] == 5 and rows[3]["error"].startswith("schema")
    assert rows[4]["line"] == 6 and "object" in rows[4]["error"]
    assert rows[5] == {"id": "f", "hits": []}
    assert rows[6]["id"] == "g" and rows[6]["error"].startswith("colour")
    assert rows[7]["id"] == "7" and rows[7]["hits"][0]["entity_id"] == "un:KPi.001"


def test_compare_jsonl(tmp_path: Path) -> None:
    src = tmp_path / "pairs.jsonl"
    src.write_text(
        json.dumps({"id": "1", "name1": "김정은", "name2": "Kim Jong Un", "schema": "Person"})
        + "\n"
        + json.dumps({"id": "2", "name1": "Kim Jong Nam", "name2": "Kim Jong Un"})
        + "\n"
        + json.dumps({"id": "3", "name1": "Kim"})
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "scores.jsonl"
    stats = compare_jsonl(src, out)
    rows = _read(out)
    assert (stats.ok, stats.errors) == (2, 1)
    assert rows[0]["id"] == "1" and rows[0]["score"] > 0.9
    assert rows[1]["id"] == "2" and rows[1]["score"] < 0.6
    assert rows[2] == {"id": "3", "line": 3, "error": "name2: is missing"}


def test_query_from_dict() -> None:
    query = query_from_dict({"id": "x", "name": "Kim", "imo": 9253325, "identifiers": ["A1234"]})
    assert query == Query("Kim", imo="9253325", identifiers=["A1234"], id="x")


def test_imo_check_digit() -> None:
    # 9*7 + 2*6 + 5*5 + 3*4 + 3*3 + 2*2 = 125 → 5
    assert imo_check_digit_ok("9253325")
    assert not imo_check_digit_ok("9253326")
    assert normalize_imo("IMO 7406784") == "7406784"
    assert normalize_imo("IMO 123") is None


def test_birth_date_rules() -> None:
    listed = (ListedDate("1961-06-01", "", False),)
    assert birth_date_qualifier("1961-06-01", listed).effect > 0  # type: ignore[union-attr]
    assert birth_date_qualifier("1961", listed).effect > 0  # type: ignore[union-attr]
    assert birth_date_qualifier("1961-07", listed).effect < 0  # type: ignore[union-attr]
    assert birth_date_qualifier("1962-06-01", listed).effect == -0.08  # type: ignore[union-attr]
    assert birth_date_qualifier("1964", listed).effect == -0.15  # type: ignore[union-attr]
    assert birth_date_qualifier("1975", listed).effect == -0.25  # type: ignore[union-attr]
    ranged = (ListedDate("1960", "1963", False),)
    assert birth_date_qualifier("1962-02-02", ranged).effect > 0  # type: ignore[union-attr]
    circa = (ListedDate("1962", "", True),)
    assert birth_date_qualifier("1963", circa).effect > 0  # type: ignore[union-attr]
    assert birth_date_qualifier(None, listed) is None
    assert birth_date_qualifier("1961", ()) is None
    # the best of several listed dates counts
    both = (ListedDate("1950", "", False), ListedDate("1961-06-01", "", False))
    assert birth_date_qualifier("1961-06-01", both).effect > 0  # type: ignore[union-attr]
    assert DateSpec("1961").last == "1961"


def test_schema_rules() -> None:
    assert schema_allows("Thing", "Vessel")
    assert schema_allows("Person", "Person") and schema_allows("Person", "LegalEntity")
    assert not schema_allows("Person", "Company")
    assert schema_allows("Company", "Organization") and not schema_allows("Company", "Vessel")
    assert not schema_allows("Vessel", "Person")


def test_hits_table(screener: Screener) -> None:
    hits = screener.screen(Query("Choe [Sok] Min"))
    table = hits_table(hits, title="hits")
    console = Console(width=200, record=True)
    console.print(table)
    text = console.export_text()
    assert "KPi.064" in text and "CH'OE SO'K MIN" in text and "[" in text
    assert table.row_count == len(hits) == 1


def test_a_field_name_that_cannot_be_named_is_reported_on_the_line() -> None:
    # fuzzing found an empty key answered with an error naming no field
    for key in ("", " ", "a\x00b", "x" * 300):
        with pytest.raises(QueryError) as info:
            query_from_dict({"name": "Kim", key: 1})
        assert info.value.field == "line" and "is not a query field" in str(info.value)
    with pytest.raises(QueryError) as info:
        query_from_dict({"name": "Kim", "colour": "red"})
    assert info.value.field == "colour"


def test_numbers_past_the_digit_limit_are_query_errors() -> None:
    # str() of an int of more than 4,300 digits raises ValueError
    with pytest.raises(QueryError) as info:
        query_from_dict({"name": "Kim", "imo": 10**5000})
    assert info.value.field == "imo"
    with pytest.raises(QueryError) as info:
        Screener.from_entities([]).screen(Query("Kim", birth_date=10**5000))  # type: ignore[arg-type]
    assert info.value.field == "birth_date"
    # quoting such a number in the message must not fail either (found by fuzzing)
    for field in ("schema", "country", "imo"):
        with pytest.raises(QueryError) as info:
            Screener.from_entities([]).screen(Query("Kim", **{field: 10**5000}))  # type: ignore[arg-type]
        assert info.value.field == field
    with pytest.raises(QueryError, match="schema"):
        compare("Kim", "Kim", 10**5000)  # type: ignore[arg-type]


def test_batch_paths_are_checked_before_anything_is_written(screener: Screener, tmp_path: Path) -> None:
    from corridor.errors import InputError

    src = tmp_path / "in.jsonl"
    src.write_text('{"name": "Kim"}\n', encoding="utf-8")
    for bad_out, field in (
        (tmp_path / "missing" / "out.jsonl", "output"),
        (tmp_path, "output"),
        (src, "output"),
    ):
        with pytest.raises(InputError) as info:
            screen_jsonl(screener, src, bad_out)
        assert info.value.field == field
    with pytest.raises(InputError) as info:
        compare_jsonl(tmp_path / "nothing.jsonl", tmp_path / "out.jsonl")
    assert info.value.field == "input" and not (tmp_path / "out.jsonl").exists()
    assert src.read_text(encoding="utf-8") == '{"name": "Kim"}\n'


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_each_result_is_one_line_whatever_the_name_holds(
    screener: Screener, tmp_path: Path, separator: str
) -> None:
    """JSON leaves U+2028, U+2029 and U+0085 raw; str.splitlines (and other line
    readers) split on them, so the writer escapes them (found by fuzzing)."""
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "a", "name": f"Kim{separator}Jong Un"}, ensure_ascii=False)
        + "\n"
        + json.dumps({"id": "b", "name": f"bad{separator}"}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    target = tmp_path / "out.jsonl"
    screen_jsonl(screener, source, target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["a", "b"]
