"""The bilingual glossary of DPRK organisation names (names.glossary): its data,
segmentation, the English query variants, abbreviations, country evidence, and
what screening and trade checks make of them (issue 13, item 3)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from importlib import resources
from typing import Any

import jsonschema
import pytest

from corridor.match import Query, Screener
from corridor.match.index import organisation_name_keys, shared_countries
from corridor.match.records import EntityRecord
from corridor.model import Entity, NameKind, make_name
from corridor.names import glossary
from corridor.names.tokens import analyze
from corridor.trade.rules import Outcome

P, A = NameKind.PRIMARY, NameKind.ALIAS


def _schema() -> dict[str, Any]:
    text = resources.files("corridor.names").joinpath("data/glossary.schema.json").read_text("utf-8")
    return dict(json.loads(text))


# --- the data ---------------------------------------------------------------------------


def test_the_glossary_data_is_valid_and_every_form_is_read_once() -> None:
    raw = glossary.data()
    jsonschema.validate(raw, _schema())
    table = glossary.glossary()
    forms = [f for entry in raw["concepts"].values() for f in entry.get("ko", [])]
    assert len(forms) == len(set(forms)) == len(table.hangul)
    assert table.hangul["은행"].english[0] == "Bank"


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        (("concepts", "bank", "ko"), ["bank"]),  # a Latin "Hangul" form
        (("concepts", "bank", "ru_noun"), ["Банк"]),  # Russian stems are lower case
        (("concepts", "bank", "en"), []),  # a concept without English
        (("concepts", "bank", "colour"), "blue"),  # an unknown field
    ],
)
def test_the_schema_refuses_bad_data(path: tuple[str, ...], bad: Any) -> None:
    raw = copy.deepcopy(glossary.data())
    target = raw
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = bad
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(raw, _schema())


# --- segmentation -----------------------------------------------------------------------


def _parts(segments: list[glossary.Segment]) -> list[tuple[str, str | None]]:
    return [(s.text, s.concept.key if s.concept else None) for s in segments]


def test_hangul_run_together_name_is_split_into_glossary_words() -> None:
    assert _parts(glossary.segment_hangul("조선광업개발무역회사")) == [
        ("조선", "korea"),
        ("광업", "mining"),
        ("개발", "development"),
        ("무역", "trading"),
        ("회사", "company"),
    ]


def test_hangul_proper_part_between_glossary_words() -> None:
    assert _parts(glossary.segment_hangul("조선련봉총회사")) == [
        ("조선", "korea"),
        ("련봉", None),
        ("총회사", "general_corporation"),
    ]
    assert _parts(glossary.segment_hangul("단천상업은행")) == [
        ("단천", None),
        ("상업", "commercial"),
        ("은행", "bank"),
    ]


def test_a_one_syllable_word_is_read_only_at_the_end() -> None:
    # 성 (ministry) ends 원자력공업성; inside 광성 it is a syllable of the name Kwangsong
    assert _parts(glossary.segment_hangul("원자력공업성"))[-1] == ("성", "ministry")
    assert ("광성", None) in _parts(glossary.segment_hangul("조선광성무역회사"))


def test_a_korean_legal_form_is_left_whole() -> None:
    assert _parts(glossary.segment_hangul("주식회사")) == [("주식회사", None)]


def test_cyrillic_words_by_stem_in_any_case_and_not_inside_other_words() -> None:
    parts = _parts(glossary.segment_cyrillic(["Корейской", "торговой", "корпорации", "по", "развитию"]))
    assert parts == [
        ("Корейской", "korea"),
        ("торговой", "trading"),
        ("корпорации", "corporation"),
        ("развитию", "development"),
    ]
    # банкротство (bankruptcy) starts like банк but is another word
    assert _parts(glossary.segment_cyrillic(["банкротство"])) == [("банкротство", None)]


def test_a_russian_phrase_wins_over_its_words() -> None:
    parts = _parts(glossary.segment_cyrillic(["горнодобывающей", "промышленности"]))
    assert parts == [("горнодобывающей промышленности", "mining")]


# --- variants ---------------------------------------------------------------------------


def _names(name: str, schema: str = "Organization") -> list[str]:
    return [v.name for v in glossary.variants(name, schema)]


def test_hangul_names_read_in_english() -> None:
    assert "Korea Mining Development Trading Corporation" in _names("조선광업개발무역회사")
    assert _names("조선련봉총회사")[0] == "Korea Ryonpong General Corporation"
    assert "Korea Trading Bank" in _names("조선무역은행")
    assert "Ministry of Atomic Energy Industry" in _names("원자력공업성")


def test_russian_names_read_in_english_order() -> None:
    assert "Korea Mining Development Trading Corporation" in _names(
        "Корейская торговая корпорация по развитию горнодобывающей промышленности"
    )
    assert _names("«Корейская генеральная корпорация Рёнбон»")[0] == "Korea Рёнбон General Corporation"
    assert _names("Коммерческий банк Танчхон")[0] == "Танчхон Commercial Bank"
    assert "Foreign Trade Bank" in _names("Внешнеторговый банк КНДР")


def test_a_variant_says_which_words_were_translated() -> None:
    first = glossary.variants("조선무역은행")[0]
    assert first.source == "glossary"
    assert first.notes == ("조선 → Korea", "무역 → Trading", "은행 → Bank")
    assert "단천 → Tanchon (a name, romanised)" in glossary.variants("단천상업은행")[0].notes
    assert _names("제2경제위원회")[0] == "Second Economic Committee"


def test_no_variants_for_persons_names_without_glossary_words_or_too_many() -> None:
    assert _names("조선광업개발무역회사", "Person") == []
    assert _names("김영성", "Thing") == []  # a personal name ending in 성 (ministry)
    assert _names("Иванов Пётр") == []
    assert _names("Acme Holdings") == []
    assert len(glossary.variants("조선광업개발무역회사", limit=2)) == 2
    assert len(glossary.variants("조선광업개발무역회사")) == glossary.MAX_VARIANTS


def test_abbreviations_both_ways_case_where_it_matters() -> None:
    assert _names("FTB") == ["Foreign Trade Bank"]
    assert _names("Foreign Trade Bank of Korea") == ["FTB of Korea"]
    assert _names("Samsung IT Solutions") == ["Samsung Information Technology Solutions"]
    assert _names("Make it Happen Ltd") == []  # the word "it"
    assert _names("Acme Co Ltd") == []  # legal forms: names.legal_forms equates them


# --- country evidence -------------------------------------------------------------------


def test_countries_named_by_a_name() -> None:
    assert glossary.countries_named(
        ["FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA"], []
    ) == ("KP",)
    # "Korea ..." says DPRK only under a DPRK programme
    assert glossary.countries_named(["KOREA MINING DEVELOPMENT TRADING CORPORATION"], ["DPRK2"]) == ("KP",)
    assert glossary.countries_named(["KOREA MINING DEVELOPMENT TRADING CORPORATION"], ["SDGT"]) == ()
    assert glossary.countries_named(["SHANGHAI DONGFENG SHIPPING CO LTD"], ["DPRK3"]) == ()


def _record(ident: str, caption: str, countries: tuple[str, ...], party: str = "") -> EntityRecord:
    return EntityRecord(
        ident, ident.split(":")[0], ident, caption, "Organization", (), countries, "", (), (), party or ident
    )


def test_a_record_without_country_takes_its_designations() -> None:
    records = [
        _record("un:KPe.023", "DAEDONG CREDIT BANK (DCB)", ("kp",)),
        _record("ofac:16085", "DAEDONG CREDIT BANK", ()),
        _record("uk:1", "OTHER NAME", (), party="un:KPe.023"),
        _record("ofac:1", "UNRELATED BANK", ()),
        _record("ofac:2", "SHARED NAME", ("cn",)),
        _record("ofac:3", "SHARED NAME", ("hk",)),
        _record("ofac:4", "SHARED NAME", ()),
    ]
    raw = [(i, r.caption, "primary", analyze(r.caption, "org")) for i, r in enumerate(records)]
    shared = shared_countries(records, organisation_name_keys(raw, records))
    # by the name without its bracketed abbreviation, by the UN reference; nothing
    # from a name whose records disagree
    assert [r.countries for r in shared] == [("kp",), ("kp",), ("kp",), (), ("cn",), ("hk",), ()]


# --- screening --------------------------------------------------------------------------


def _entity(ident: str, schema: str, names: list[tuple[str, NameKind]], **fields: Any) -> Entity:
    source, ref = ident.split(":", 1)
    built = [make_name(full, kind) for full, kind in names]
    return Entity(
        id=ident, source=source, schema=schema, names=[n for n in built if n], list_ref=ref, **fields
    )


@pytest.fixture(scope="module")
def small() -> Screener:
    return Screener.from_entities(
        [
            _entity(
                "un:KPe.001",
                "Organization",
                [("KOREA MINING DEVELOPMENT TRADING CORPORATION", P)],
                countries=["kp"],
            ),
            _entity("un:KPe.003", "Organization", [("TANCHON COMMERCIAL BANK", P)], countries=["kp"]),
            _entity("ofac:9346", "Organization", [("TANCHON COMMERCIAL BANK", P)], programs=["DPRK"]),
            _entity(
                "un:KPe.047",
                "Organization",
                [("FOREIGN TRADE BANK", P), ("Korea Trading Bank", A)],
                countries=["kp"],
            ),
        ]
    )


def test_a_glossary_hit_is_explained(small: Screener) -> None:
    hits = small.screen(Query("조선광업개발무역회사"))
    assert hits[0].entity_id == "un:KPe.001"
    glossary_notes = [q for q in hits[0].explanation.qualifiers if q.kind == "glossary"]
    assert glossary_notes and glossary_notes[0].effect == 0.0
    assert "무역 → Trading" in glossary_notes[0].detail
    assert "glossary: 조선 → Korea" in hits[0].explanation.summary


def test_the_expansion_adds_hits_and_leaves_latin_queries_alone(small: Screener) -> None:
    assert not small.screen(Query("조선광업개발무역회사", schema="Person"))  # no expansion for persons
    plain = small.screen(Query("Tanchon Commercial Bank"))
    assert {h.entity_id for h in plain} == {"un:KPe.003", "ofac:9346"}
    assert all(q.kind != "glossary" for h in plain for q in h.explanation.qualifiers)


def test_abbreviation_hit(small: Screener) -> None:
    hits = small.screen(Query("FTB"))
    assert hits[0].entity_id == "un:KPe.047"
    assert any(q.kind == "abbreviation" for q in hits[0].explanation.qualifiers)


def test_a_south_korean_namesake_is_flagged_by_country(small: Screener) -> None:
    # the OFAC copy gives no country: it takes the UN record's (same name)
    hits = small.screen(Query("Tanchon Commercial Bank Co Ltd", schema="Company", country="KR"))
    assert {h.entity_id for h in hits} == {"un:KPe.003", "ofac:9346"}
    for hit in hits:
        country = [q for q in hit.explanation.qualifiers if q.kind == "country"]
        assert country and country[0].effect < 0 and "kr not among listed kp" in country[0].detail


# --- the real lists ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(un_ofac: tuple[Screener, dict[str, tuple[str, ...]]]) -> tuple[Screener, dict[str, tuple[str, ...]]]:
    return un_ofac


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("조선광업개발무역회사", "un:KPe.001"),
        ("조선련봉총회사", "un:KPe.002"),
        ("단천상업은행", "un:KPe.003"),
        ("조선무역은행", "un:KPe.047"),
        ("«Корейская генеральная корпорация Рёнбон»", "un:KPe.002"),
        ("Корейская торговая корпорация по развитию горнодобывающей промышленности", "un:KPe.001"),
        ("Внешнеторговый банк КНДР", "un:KPe.047"),
        ("Коммерческий банк Танчхон", "un:KPe.003"),
    ],
)
def test_real_lists_translated_names(real: tuple[Screener, Any], name: str, expected: str) -> None:
    hits = real[0].screen(Query(name, schema="Organization"))
    assert expected in [h.entity_id for h in hits][:3], [(h.entity_id, round(h.score, 2)) for h in hits]


@pytest.mark.slow
def test_real_lists_ofac_komid_has_the_dprk_as_country(real: tuple[Screener, Any]) -> None:
    hits = real[0].screen(Query("Korea Mining Development Trading Co., Ltd", schema="Company", country="KR"))
    ofac = next(h for h in hits if h.entity_id == "ofac:9345")
    assert any(q.kind == "country" and q.effect < 0 for q in ofac.explanation.qualifiers)


@pytest.mark.slow
@pytest.mark.parametrize("party", ["단천상업은행", "Коммерческий банк Танчхон"])
def test_a_trade_check_with_a_translated_listed_party_is_not_clear(
    check_with_party: Callable[[str, str], Any], party: str
) -> None:
    verdict = check_with_party(party, "beneficiary_bank")
    assert verdict.outcome is not Outcome.CLEAR
    screened = next(s for s in verdict.screening if s.name == party)
    assert {"un:KPe.003", "ofac:9346"} & {h.entity_id for h in screened.hits}


def _segment_cyrillic_every_phrase(words: list[str]) -> list[tuple[str, str | None]]:
    """`segment_cyrillic` as it was before phrases were looked up by their first
    letters: every glossary phrase tried at every word, in the glossary's order."""
    table = glossary.glossary()
    folded = [w.lower().replace("ё", "е") for w in words]
    out: list[tuple[str, str | None]] = []
    at = 0
    while at < len(words):
        for stems, concept, _noun in table.russian:
            end = at + len(stems)
            if end <= len(words) and all(
                folded[at + k].startswith(s) and len(folded[at + k]) - len(s) <= glossary.MAX_ENDING
                for k, s in enumerate(stems)
            ):
                out.append((" ".join(words[at:end]), concept.key))
                at = end
                break
        else:
            if folded[at] not in table.glue:
                out.append((words[at], None))
            at += 1
    return out


def test_cyrillic_phrases_looked_up_by_first_letters_read_as_every_phrase_tried() -> None:
    table = glossary.glossary()
    # every glossary phrase with a case ending, alone, inside a name and next to
    # another, and names of no glossary word
    phrases = [" ".join(stem + "ой" for stem in stems) for stems, _c, _n in table.russian]
    names = [
        *phrases,
        *(f"ООО «Рога и копыта» {p} по развитию" for p in phrases),
        *(f"{a} {b}" for a, b in zip(phrases, reversed(phrases), strict=True)),
        "Корейская торговая корпорация по развитию горнодобывающей промышленности",
        "Иван Петрович Сидоров",
        "банкротство",
    ]
    for name in names:
        words = name.replace("«", " ").replace("»", " ").split()
        assert _parts(glossary.segment_cyrillic(words)) == _segment_cyrillic_every_phrase(words), name
