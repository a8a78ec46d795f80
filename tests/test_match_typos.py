"""Keyboard slips: credited in long tokens, never between two Korean given-name
syllables nor two common name parts; legal-form words read through a slip."""

from __future__ import annotations

import pytest

from corridor.match import Query, Screener, compare
from corridor.match.align import TYPO_ONE, TYPO_TWO, pair_score
from corridor.model import Entity, Name, NameKind, make_name
from corridor.names.tokens import analyze


def tok(text: str, kind: str = "person", at: int = 0):  # type: ignore[no-untyped-def]
    return analyze(text, kind)[at]


@pytest.mark.parametrize(
    ("query", "listed"),
    [("Chlo", "Chol"), ("Yog", "Yong"), ("Prigozhni", "Prigozhin"), ("Kaang", "Kwang"), ("Jonhg", "Jong")],
)
def test_one_slip_is_credited(query: str, listed: str) -> None:
    sim, method = pair_score(tok(query), tok(listed))
    assert sim >= TYPO_ONE and method in ("typo", "fuzzy")


def test_two_slips_only_in_a_long_token() -> None:
    assert pair_score(tok("Prigzohn"), tok("Prigozhin")) == (TYPO_TWO, "typo")  # 2 edits, 8+ letters
    assert pair_score(tok("Chpe"), tok("Cheo"))[0] < TYPO_TWO  # 2 edits in 4 letters: no


@pytest.mark.parametrize(
    ("query", "listed"),
    [("Chil", "Chol"), ("Nan", "Nam"), ("Jang", "Jong"), ("Hyon", "Hyok")],
)
def test_another_korean_syllable_is_not_a_slip(query: str, listed: str) -> None:
    assert pair_score(tok(query), tok(listed)) == (0.0, "")


def test_run_together_korean_given_names_get_no_slip_credit() -> None:
    # (the older fuzzy rule still compares them, first syllables agreeing)
    assert pair_score(tok("Yongchil"), tok("Yongchol"))[1] != "typo"


def test_another_first_letter_is_not_a_slip() -> None:
    assert pair_score(tok("Bavid"), tok("David"))[1] != "typo"


def test_korean_names_with_a_slip_score_above_the_threshold_near_misses_below() -> None:
    assert compare("Kim Yong Chlo", "KIM YONG CHOL").score >= 0.8
    assert compare("Yog Ho O", "Yong Ho O").score >= 0.8
    assert compare("Kim Yong Chil", "KIM YONG CHOL").score < 0.8
    assert compare("Kim Jong Nam", "Kim Jong Un").score < 0.8


def test_legal_form_words_with_a_slip_stay_legal_forms() -> None:
    forms = [t.legal for t in analyze("FAWARIS LIMITED LIABILITH COMPANY", "org")]
    assert forms == ["", "llc", "llc", "llc"]
    assert [t.legal for t in analyze("JOINT STOFK COMPANY ENERGIYA", "org")][:3] == ["jsc"] * 3
    assert [t.legal for t in analyze("HEADEY INVESTMENTS LIMIHED", "org")][-1] == "ltd"
    # a brand one slip off a legal form, not where a legal form stands, is a name word
    assert [t.legal for t in analyze("LIMITEX TRADING", "org")] == ["", ""]


def _entity(ident: str, schema: str, name: str) -> Entity:
    made: Name | None = make_name(name, NameKind.PRIMARY)
    assert made is not None
    return Entity(id=ident, source="un", schema=schema, names=[made])


def test_screening_retrieves_a_name_with_slips() -> None:
    screener = Screener.from_entities(
        [
            _entity("un:1", "Person", "Yevgeniy Viktorovich PRIGOZHIN"),
            _entity("un:2", "Vessel", "FU YUAN YU 7877"),
            _entity("un:3", "Company", "AMAN DAMASCUS JOINT STOCK COMPANY"),
            _entity("un:4", "Person", "KIM YONG CHOL"),
            _entity("un:5", "Person", "Sergey IVANOV"),
        ]
    )
    cases = [
        ("Yevgeniy PRIGZOHNI", "Person", "un:1"),  # two slips in one long word
        ("FU YUNA YU 7877", "Vessel", "un:2"),
        ("AMAH DAHASCUS JOITN STOCK COMPANY", "Company", "un:3"),
        ("KIM YONG CHLO", "Person", "un:4"),
    ]
    for name, schema, expected in cases:
        hits = screener.screen(Query(name, schema=schema))
        assert hits and hits[0].entity_id == expected, (name, hits)
    assert not screener.screen(Query("KIM YONG CHIL", schema="Person"))


def test_two_slips_in_a_short_vessel_or_company_word_not_in_a_personal_name() -> None:
    # 7+ letters outside personal names: vessel names are short
    assert pair_score(tok("BAREENTRS", "other"), tok("BARENTS", "other")) == (TYPO_TWO, "typo")
    assert pair_score(tok("ARTAXVILP", "org"), tok("ARTAVIL", "org")) == (TYPO_TWO, "typo")
    # a 6-letter word keeps one slip only (MAGAEYA is not MARAYA)
    assert pair_score(tok("MAGAEYA", "other"), tok("MARAYA", "other"))[0] < TYPO_TWO
    # personal names keep the 8-letter rule: Molotov and Morozov are two names
    assert pair_score(tok("Molotov"), tok("Morozov"))[0] < TYPO_TWO
    assert pair_score(tok("MOLOTOV", "other"), tok("Morozov"))[0] < TYPO_TWO


def test_screening_finds_a_short_vessel_name_two_slips_away() -> None:
    screener = Screener.from_entities(
        [
            _entity("ofac:1", "Vessel", "BARENTS"),
            _entity("ofac:2", "Vessel", "DARYABAR"),
            _entity("ofac:3", "Vessel", "DARYABARI"),  # one edit from the query's neighbour
            _entity("ofac:4", "Person", "Vyacheslav Mikhaylovich MOROZOV"),
        ]
    )
    for name, expected in (("BAREENTRS", "ofac:1"), ("DASRYAFAR", "ofac:2")):
        hits = screener.screen(Query(name, schema="Vessel"))
        assert hits and hits[0].entity_id == expected, (name, hits)
    assert not screener.screen(Query("Vyacheslav Mikhaylovich MOLOTOV", schema="Person"))
