"""HS 2022 nomenclature: loading the shared file, validating codes, paths, search."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from corridor.trade import hs


@pytest.fixture(scope="module")
def nomenclature(shared_data: Path) -> hs.Nomenclature:
    return hs.load(shared_data / "hs")


def test_counts_match_the_file(nomenclature: hs.Nomenclature, shared_data: Path) -> None:
    # Count the file's own rows by level (the TOTAL row is level 5 and skipped).
    with open(shared_data / "hs" / "harmonized-system.csv", encoding="utf-8") as handle:
        levels = [row["level"] for row in csv.DictReader(handle)]
    assert levels.count("2") == 97 and levels.count("4") == 1229 and levels.count("6") == 5613
    by_level = {n: sum(1 for e in nomenclature.entries.values() if e.level == n) for n in (2, 4, 6)}
    # Chapter 99 / 9999 / 999999 (section TOTAL, Comtrade's "not specified") are left out.
    assert by_level == {2: 96, 4: 1228, 6: 5612}
    assert "99" not in nomenclature and "9999" not in nomenclature
    assert len(nomenclature.sections) == 21  # sections.csv has a BOM: the first key must still be "I"
    assert nomenclature.sections["I"] == "live animals; animal products"


@pytest.mark.parametrize(
    ("raw", "hs6", "national"),
    [
        ("2710.12", "271012", ""),
        ("2710 12", "271012", ""),
        ("27", "27", ""),
        ("2710", "2710", ""),
        ("8703.23.19.10", "870323", "1910"),
        ("27101245", "271012", "45"),
        (271019, "271019", ""),
    ],
)
def test_accepted_code_forms(nomenclature: hs.Nomenclature, raw: object, hs6: str, national: str) -> None:
    code = nomenclature.validate(raw)
    assert (code.hs6, code.national) == (hs6, national)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("27A0", "malformed"),
        ("123", "3 digits"),
        ("2710.1", "5 digits"),
        ("", "missing"),
        (None, "missing"),
        ("77", "not in HS 2022"),
        ("27109300", "not in HS 2022"),
        ("8803", "not in HS 2022"),
        (2710.12, "quote it"),
        (65, "quote it"),
    ],
)
def test_bad_codes_name_the_field(nomenclature: hs.Nomenclature, raw: object, message: str) -> None:
    with pytest.raises(hs.HSCodeError) as info:
        nomenclature.validate(raw, "goods[2].hs_code")
    assert info.value.field == "goods[2].hs_code"
    assert message in str(info.value)
    assert str(info.value).startswith("goods[2].hs_code: ")


def test_path_gives_section_chapter_heading_subheading(nomenclature: hs.Nomenclature) -> None:
    path = nomenclature.path("2711.12")
    assert path.section == ("V", "Mineral products")
    assert path.chapter.code == "27" and path.heading is not None and path.heading.code == "2711"
    assert path.subheading is not None and path.subheading.description.endswith("liquefied, propane")
    assert nomenclature.describe("1101") == "Wheat or meslin flour"


def test_search_uses_synonyms_for_trade_words(nomenclature: hs.Nomenclature) -> None:
    assert nomenclature.search("diesel")[0].code == "271019"
    assert nomenclature.search("petrol")[0].code == "271012"
    assert {m.code for m in nomenclature.search("LPG", 3)} == {"271112", "271113", "271119"}
    assert nomenclature.search("wheat flour")[0].code == "110100"
    assert nomenclature.search("jet fuel")[0].via.startswith("synonym")


def test_search_by_words_and_by_code(nomenclature: hs.Nomenclature) -> None:
    assert nomenclature.search("organic chemicals")[0].code == "29"
    assert nomenclature.search("armoured fighting vehicles")[0].code in ("8710", "871000")
    codes = [m.code for m in nomenclature.search("2711", 20)]
    assert codes[0] == "2711" and "271112" in codes and all(c.startswith("2711") for c in codes)
    assert nomenclature.search("zzzzqx") == []


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("дизельное топливо", "271019"),
        ("경유", "271019"),
        ("бензин", "271012"),
        ("석탄", "2701"),
        ("밀가루", "110100"),
    ],
)
def test_search_finds_goods_named_in_russian_or_korean(
    nomenclature: hs.Nomenclature, query: str, code: str
) -> None:
    first = nomenclature.search(query)[0]
    assert first.code == code and first.via.startswith("product:")
