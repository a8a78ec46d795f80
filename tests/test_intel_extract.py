"""Golden tests on the two seed reports and on a report written for the tests.

Every fact issue 12's "Why" names is extracted with its span; spans point at the
words that say it (`document.text[start:end]`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from corridor.intel.extract import Extractor
from corridor.intel.model import Document, Fact
from corridor.intel.vocab import vocabulary
from corridor.services.trade import nomenclature

HERE = Path(__file__).resolve().parent
REPORT_DATE = dt.date(2022, 11, 22)  # the seeds were published in November 2022


@pytest.fixture(scope="module")
def extractor(shared_data: Path) -> Extractor:
    return Extractor(vocabulary(nomenclature().describe))


@pytest.fixture(scope="module")
def seeds(extractor: Extractor, shared_data: Path) -> list[tuple[Document, list[Fact]]]:
    out = []
    for path in sorted((shared_data.parent / "seeds").glob("*.txt")):
        doc = extractor.read(path.read_bytes(), str(path), REPORT_DATE, suffix=".txt")
        out.append((doc, extractor.facts(doc)))
    assert len(out) == 2
    return out


def facts_of(facts: list[Fact], kind: str) -> dict[str, Fact]:
    return {f.label: f for f in facts if f.kind == kind}


def assert_span(doc: Document, fact: Fact, *words: str) -> None:
    for evidence in fact.evidence:
        assert doc.text[evidence.start : evidence.end] == evidence.text
        assert evidence.text in evidence.sentence
        assert (
            doc.text[evidence.sentence_start : evidence.sentence_start + len(evidence.sentence)]
            == evidence.sentence
        )
    written = {e.text.casefold() for e in fact.evidence}
    assert any(w.casefold() in written for w in words), (fact.label, written)


def test_boilerplate_is_removed(seeds: list[tuple[Document, list[Fact]]]) -> None:
    for doc, _ in seeds:
        for furniture in (
            "Posted by",
            "Header Ads Widget",
            "Related Reading",
            "About Us",
            "Post a Comment",
            "Click here to subscribe",
            "Source: Frappler",
        ):
            assert furniture not in doc.text
        assert doc.language == "en" and not doc.partial
    # the firm's blurb after "Related Reading" is not the report: no banking activity from it
    assert "activity:banking" not in {f.key for f in seeds[0][1]}


def test_state_bodies(seeds: list[tuple[Document, list[Fact]]]) -> None:
    for doc, facts in seeds:
        entities = facts_of(facts, "entity")
        for body in ("Ministry of External Economic Relations", "Construction Guidance Bureau"):
            assert entities[body].attrs["schema"] == "PublicBody"
            assert_span(doc, entities[body], body)
    doc, facts = seeds[1]
    assert facts_of(facts, "entity")["Kim Song"].attrs["schema"] == "Person"


def test_places_with_country_and_role(seeds: list[tuple[Document, list[Fact]]]) -> None:
    (doc0, facts0), (_doc1, facts1) = seeds
    places0, places1 = facts_of(facts0, "place"), facts_of(facts1, "place")
    for name in ("Vladivostok", "Khabarovsk", "Saint Petersburg", "Moscow"):
        assert places0[name].attrs["country"] == "ru"
        assert_span(doc0, places0[name], name)
    assert places0["Wonsan-Kalma"].attrs == {
        **places0["Wonsan-Kalma"].attrs,
        "country": "kp",
        "roles": ["resort"],
    }
    assert_span(doc0, places0["Wonsan-Kalma"], "Wonsan-Kalma Beach Resort")
    assert "port" in places0["Vladivostok"].attrs["roles"]
    assert places1["Rason"].attrs["country"] == "kp" and "sez" in places1["Rason"].attrs["roles"]
    for name in ("Vladivostok", "Saint Petersburg", "Moscow"):
        assert name in places1


def test_goods_with_hs_headings_and_direction(seeds: list[tuple[Document, list[Fact]]]) -> None:
    doc, facts = seeds[0]
    goods = facts_of(facts, "goods")
    expected = {
        "wheat flour": ("1101", "to_dprk"),
        "gasoline": ("2710", "to_dprk"),
        "diesel": ("2710", "to_dprk"),
        "LPG": ("2711", "to_dprk"),
        "organic chemicals": ("29", "from_dprk"),
        "vehicles": ("87", "from_dprk"),
        "machinery": ("84", "from_dprk"),
    }
    for label, (heading, direction) in expected.items():
        fact = goods[label]
        assert fact.attrs["heading"] == heading
        assert fact.attrs["hs_description"]  # from the nomenclature, not made up
        assert fact.attrs["directions"] == [direction], label
        assert_span(doc, fact, label)
    # payment in oil: Russian oil and petroleum, to the DPRK
    assert goods["crude oil"].attrs["directions"] == ["to_dprk"]
    assert goods["refined petroleum products"].attrs["directions"] == ["to_dprk"]


def test_worker_range_kept_as_range(seeds: list[tuple[Document, list[Fact]]]) -> None:
    doc, facts = seeds[0]
    (quantity,) = [f for f in facts if f.kind == "quantity" and f.attrs["quantity"].unit == "workers"]
    q = quantity.attrs["quantity"]
    assert (q.low, q.high, q.is_range, q.qualifier) == (20000, 50000, True, "as many as")
    assert (
        q.unit_inferred
    )  # "As many as 20,000- 50,000, could be invited": the workers of the sentence before
    assert_span(doc, quantity, "As many as 20,000- 50,000")
    labour = facts_of(facts, "activity")["labour dispatch"]
    assert [c.high for c in labour.attrs["counts"]] == [50000]


def test_activities(seeds: list[tuple[Document, list[Fact]]]) -> None:
    doc0, facts0 = seeds[0]
    activities = {f.attrs["activity"]: f for f in facts0 if f.kind == "activity"}
    assert {"trade_office", "labour_dispatch", "payment_in_kind", "tourism"} <= set(activities)
    assert_span(doc0, activities["payment_in_kind"], "to pay for")
    assert {g["label"] for g in activities["payment_in_kind"].attrs["goods"]} == {
        "crude oil",
        "refined petroleum products",
    }
    office_places = [p["name"] for p in activities["trade_office"].attrs["places"]]
    assert {"Vladivostok", "Khabarovsk", "Saint Petersburg", "Moscow"} <= set(office_places)
    assert "Wonsan-Kalma" in [p["name"] for p in activities["tourism"].attrs["places"]]
    _doc1, facts1 = seeds[1]
    assert {"trade_office", "labour_dispatch"} <= {
        f.attrs["activity"] for f in facts1 if f.kind == "activity"
    }


def test_dates_resolved_against_the_report_date(seeds: list[tuple[Document, list[Fact]]]) -> None:
    _doc0, facts0 = seeds[0]
    _doc1, facts1 = seeds[1]
    by_written = {f.attrs["written"]: f.attrs["date"] for f in facts0 + facts1 if f.kind == "date"}
    assert by_written["next month"].label() == "2022-12" and by_written["next month"].relative
    assert by_written["last Friday"].label() == "2022-11-18"  # 22 Nov 2022 was a Tuesday
    assert by_written["in October"].label() == "2022-10"
    assert by_written["October 12"].label() == "2022-10-12"
    assert by_written["earlier this month"].label() == "2022-11"


def test_markdown_report_with_imo_quantities_and_listed_party(extractor: Extractor) -> None:
    path = HERE / "intel_data" / "written_listed.md"
    doc = extractor.read(path.read_bytes(), str(path), dt.date(2024, 3, 20), suffix=".md")
    assert doc.raw_format == "markdown" and "#" not in doc.text and "*" not in doc.text
    facts = extractor.facts(doc)
    vessels = facts_of(facts, "vessel")
    assert vessels["SEA PRIMORYE"].attrs["imo"] == "9312042"
    goods = facts_of(facts, "goods")
    assert goods["diesel"].attrs["quantity"].label() == "12,000 t"
    assert goods["gasoline"].attrs["quantity"].label() == "3,500 bbl"
    assert goods["coal"].attrs["heading"] == "2701" and goods["coal"].attrs["directions"] == ["to_dprk"]
    assert facts_of(facts, "entity")["Korea Ryonbong General Corporation"].attrs["schema"] == "Company"
    places = facts_of(facts, "place")
    assert {"Vostochny", "Nampho", "Nakhodka", "Khasan–Tumangang", "Rajin"} <= set(places)
    assert places["Khasan–Tumangang"].attrs["roles"][0] == "rail_crossing"
    dates = {f.attrs["written"]: f.attrs["date"].label() for f in facts if f.kind == "date"}
    assert dates["3 March 2024"] == "2024-03-03"
    assert dates["last week"].startswith("week of 2024-03-11")
    assert "activity:ship_to_ship" in {f.key for f in facts}


def test_capital_as_government_is_no_place(extractor: Extractor) -> None:
    text = "Pyongyang has made clear it will not stop. The delegation arrived in Pyongyang on Monday."
    doc = extractor.read_text(text, "t.txt", dt.date(2024, 1, 10))
    (place,) = [f for f in extractor.facts(doc) if f.kind == "place"]
    assert [e.start for e in place.evidence] == [text.index("in Pyongyang") + 3]


def test_russian_report_with_places(extractor: Extractor) -> None:
    text = "Российские туристы поехали в Пхеньян и на курорт Вонсан-Кальма, сообщает правительство Приморского края."
    doc = extractor.read_text(text, "ru.txt", dt.date(2024, 1, 10))
    # with the Russian NER loaded, Russian is a supported language: not partial
    assert doc.language == "ru" and not doc.partial and not doc.warnings
    facts = extractor.facts(doc)
    assert {"Pyongyang", "Wonsan-Kalma", "Primorsky Krai"} <= {f.label for f in facts if f.kind == "place"}
    assert "activity:tourism" in {f.key for f in facts}
