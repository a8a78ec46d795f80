"""The intel core's pieces on their own: folding with offsets, quantities, dates,
sentences, boilerplate, language, story signatures, the data files' validation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from corridor.errors import ParseError
from corridor.intel import clean, vocab
from corridor.intel.dates import dateline, find_dates
from corridor.intel.extract import decode
from corridor.intel.listed import ListedName, ListedNames, usable
from corridor.intel.phrases import PhraseMatcher, fold
from corridor.intel.quantities import QuantityFinder
from corridor.intel.stories import StoryIndex, same_story, signature

BASE = dt.date(2024, 6, 12)  # a Wednesday


@pytest.fixture(scope="module")
def words() -> vocab.Vocabulary:
    return vocab.vocabulary()


def test_fold_maps_back_to_the_original_span() -> None:
    text = "Ships left Vladivostok’s port for Wŏnsan; KHASAN–TUMANGANG rail"
    folded = fold(text)
    matcher = PhraseMatcher(
        [("Vladivostok", "v"), ("Wonsan", "w"), ("Khasan-Tumangang", "kt"), ("Tumangang", "t")]
    )
    found = {m.value[0]: text[m.start : m.end] for m in matcher.find_folded(folded)}
    # the possessive ends the word; accents fold; the longest match wins over the shorter one inside it
    assert found == {"v": "Vladivostok", "w": "Wŏnsan", "kt": "KHASAN–TUMANGANG"}


def test_phrases_match_whole_words_in_any_script() -> None:
    matcher = PhraseMatcher([("Rajin", "rajin"), ("Владивосток", "vl"), ("나진", "najin")])
    assert not matcher.find("Rajinsky Street")  # no match inside a longer word
    text = "Судно прибыло во Владивосток, затем в 나진항으로 갔다."
    assert {m.value[0] for m in matcher.find(text)} == {"vl", "najin"}  # a Korean particle may follow


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("as many as 20,000–50,000 workers", "as many as 20,000–50,000 workers"),
        ("between 1,000 and 9,000 dwt", "between 1,000–9,000 dwt"),
        ("some 2 million tonnes of coal", "some 2,000,000 t"),
        ("125 thousand barrels", "125,000 bbl"),
        ("worth nearly US$1.2 billion", "nearly 1,200,000,000 USD"),
        ("10.6 bln rubles", "10,600,000,000 RUB"),
        ("Around 1,000 North Korean workers arrived", "around 1,000 workers"),
    ],
)
def test_quantities(words: vocab.Vocabulary, text: str, label: str) -> None:
    (found,) = QuantityFinder(words).find(text)
    assert found.quantity.label() == label


def test_years_days_and_references_are_no_quantities(words: vocab.Vocabulary) -> None:
    finder = QuantityFinder(words)
    assert finder.find("In 2017 the resolution 2397 was adopted on December 22.") == []
    (q,) = finder.find("They sent 5 and 6 tonnes.")  # two numbers, not a range
    assert (q.quantity.low, q.quantity.high) == (Decimal(6), Decimal(6))


@pytest.mark.parametrize(
    ("text", "label", "relative"),
    [
        ("last Friday", "2024-06-07", True),
        ("on Monday", "2024-06-10", True),
        ("next month", "2024-07", True),
        ("earlier this month", "2024-06", True),
        ("last year", "2023", True),
        ("three weeks ago", "2024-05-22", True),
        ("in October", "2023-10", True),  # the latest October not after the report
        ("in May", "2024-05", True),
        ("March 7 2024", "2024-03-07", False),
        ("on 22 December 2017", "2017-12-22", False),
        ("since October 2022", "2022-10", False),
        ("12 октября 2023 года", "2023-10-12", False),
        ("2024년 3월 7일", "2024-03-07", False),
    ],
)
def test_dates(text: str, label: str, relative: bool) -> None:
    (found,) = find_dates(text, BASE)
    assert found.date.label() == label and found.date.relative is relative


def test_dateline() -> None:
    assert dateline("Tankers seen\n\nNovember 22, 2024\n\nNorth Korean tankers...") == dt.date(2024, 11, 22)
    assert dateline(" date 2024-08-28 Since mid-2022 North Korea...") == dt.date(2024, 8, 28)
    assert dateline("Published: 27.03.2024 12:45\nRussia supplies oil") == dt.date(2024, 3, 27)
    assert dateline("No date here.\nJust text about 2019.") is None


def test_sentences_keep_abbreviations_and_spans() -> None:
    text = "The U.S. said so. Mr. Kim left on Oct. 3. Then 5 ships sailed!\n\nA new paragraph"
    sentences = clean.split_sentences(text)
    assert [s.text for s in sentences] == [
        "The U.S. said so.",
        "Mr. Kim left on Oct. 3.",
        "Then 5 ships sailed!",
        "A new paragraph",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_boilerplate_lines_and_cut_off(words: vocab.Vocabulary) -> None:
    text = "Title\nPosted by admin\nShare | Tweet\nReal text.\n\nRelated Reading\nOther story about Rajin"
    assert clean.strip_boilerplate(text, words) == "Title\nReal text."


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("North Korea has begun preparations to open new trade offices in Russia, a source said.", "en"),
        ("Северная Корея готовит открытие торговых представительств в России.", "ru"),
        ("북한이 러시아에 무역대표부를 새로 열 준비를 하고 있다.", "ko"),
        ("La Corée du Nord prépare l'ouverture de bureaux commerciaux en Russie, selon une source.", "other"),
        ("12345 67890 !!!", "other"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert clean.detect_language(text) == language


def test_decode_refuses_what_is_not_text() -> None:
    with pytest.raises(ParseError, match="empty"):
        decode(b"  \n", "a.txt")
    with pytest.raises(ParseError, match="binary"):
        decode(b"PK\x03\x04\x00\x00binary", "a.txt")
    assert decode("Rason".encode("utf-16"), "a.txt") == "Rason"
    assert decode(b"\xef\xbb\xbfRajin", "a.txt") == "Rajin"


def test_story_signatures() -> None:
    base = (
        "North Korea has begun preparations to open new trade offices throughout Russia, a source said. "
        "The offices will help expand imports of Russian wheat flour, gasoline, diesel and LPG. "
        "The Ministry of External Economic Relations and the Construction Guidance Bureau are selecting cadres. "
        "Regions likely to receive new offices include Vladivostok, Saint Petersburg and Moscow. "
    ) * 3
    rewrite = base.replace("has begun preparations", "is preparing").replace(
        "a source said", "according to reports"
    )
    other = (
        "Tankers loaded oil products at Vostochny and sailed to Chongjin, satellite images show. "
        "Several of the ships are designated by the UN Security Council for ship-to-ship transfers. "
    ) * 3
    a, b, c = signature(base), signature(rewrite), signature(other)
    assert same_story(a, b) and not same_story(a, c)
    index = StoryIndex([("1", "story-1", a)])
    assert index.match(b) == ("story-1", pytest.approx(index.match(b)[1]))  # type: ignore[index]
    assert index.match(c) is None


def test_listed_names_gazetteer_keeps_only_usable_names() -> None:
    assert usable("Chon Ma San", "Vessel") and usable("KOMID", "Company") is False
    assert usable("NAMCHONGANG", "Company") and not usable("Kim", "Person")
    listed = ListedNames([ListedName("un:1", "Vessel", "CHON MA SAN"), ListedName("un:2", "Person", "Kim")])
    text = "The Chon Ma San was seen; Kim said nothing."
    (hit,) = listed.find(fold(text), text)
    assert hit.text == "Chon Ma San" and [c.entity_id for c in hit.candidates] == ["un:1"]


def test_every_goods_heading_exists_in_hs(shared_data: object) -> None:
    from corridor.services.trade import nomenclature as load_nomenclature

    nomenclature = load_nomenclature()
    built = vocab.Vocabulary(vocab.load_data(), nomenclature.describe)
    assert built.goods["wheat-flour"].description.casefold().startswith("wheat or meslin flour")
    data = vocab.load_data()
    data["goods"]["goods"][0] = {**data["goods"]["goods"][0], "heading": "9998"}
    with pytest.raises(ParseError, match="goods/0"):
        vocab.Vocabulary(data, nomenclature.describe)


def test_data_files_are_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    import jsonschema

    data = vocab.load_data()
    schema_text = (vocab.resources.files("corridor.intel") / "data" / "places.schema.json").read_text()
    import json

    bad = {"places": [{"id": "x", "name": "X", "country": "RUS", "roles": ["port"]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json.loads(schema_text))
    assert len(data["places"]["places"]) > 40


def test_korean_report_places_goods_quantities_dates(shared_data: object) -> None:
    from corridor.intel.extract import Extractor

    extractor = Extractor(vocab.vocabulary())
    text = "북한 노동자들이 블라디보스토크에서 일하고 있으며, 북한은 휘발유 3만 톤을 수입했다고 2024년 3월 7일 보도됐다."
    doc = extractor.read_text(text, "ko.txt", dt.date(2024, 3, 10))
    assert doc.language == "ko" and doc.partial
    facts = {f.key: f for f in extractor.facts(doc)}
    assert facts["place:vladivostok"].first.text == "블라디보스토크"
    assert facts["goods:gasoline"].attrs["heading"] == "2710"
    assert facts["goods:gasoline"].attrs["quantity"].label() == "30,000 t"
    assert "activity:labour_dispatch" in facts and "date:2024-03-07" in facts


@pytest.mark.parametrize(
    "text",
    [
        "Korea's Ch'oe met Workers' Party men",
        "KHASAN-TUMANGANG, 20,000- 50,000 rock'n'roll",
        "  a__b ''x' `y` 's",
    ],
)
def test_fold_fast_path_agrees_with_the_general_one(text: str) -> None:
    # a non-ASCII letter at the end sends the text down the general path
    fast, general = fold(text), fold(text + " ŏ")
    assert general.text.startswith(fast.text) and general.origin[: len(fast.origin)] == fast.origin
