"""Goods in any language (issue 15, item 2): the product vocabulary names a product
from Russian or Korean text as from English, the verdicts agree, aviation fuel
described in Russian is banned (not capped at the gasoline factor), and a code that
disagrees with its description is shown for REVIEW, never resolved silently.
Expected verdicts and citations are RULES.md's (quoted at each test)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from corridor.errors import ParseError
from corridor.trade import hs
from corridor.trade.evaluate import Evaluator, Verdict
from corridor.trade.products import load_products, vocabulary
from corridor.trade.rules import Outcome, default_rulebook
from corridor.trade.transaction import parse_transaction
from corridor.types.text import normalize

P, C, R, OK = Outcome.PROHIBITED, Outcome.CAPPED_REPORTABLE, Outcome.REVIEW, Outcome.CLEAR
NOTIFIED = {"notification": "RU-1718-N-1"}


@pytest.fixture(scope="module")
def nomenclature(shared_data: Path) -> hs.Nomenclature:
    return hs.load(shared_data / "hs")


@pytest.fixture(scope="module")
def evaluator(nomenclature: hs.Nomenclature, shared_data: Path) -> Evaluator:
    return Evaluator(default_rulebook(shared_data / "hs"), hs=nomenclature)


def check(ev: Evaluator, nomenclature: hs.Nomenclature, goods: dict[str, Any], **data: Any) -> Verdict:
    tx = {
        "id": "T",
        "type": "shipment",
        "date": "2024-03-01",
        "origin": "ru",
        "destination": "kp",
        "goods": [{"quantity": 100, "unit": "t", **goods}],
        "evidence": dict(NOTIFIED),
        **data,
    }
    return ev.check(parse_transaction(tx, nomenclature), record=False)


def by_rule(verdict: Verdict) -> dict[str, set[Outcome]]:
    out: dict[str, set[Outcome]] = {}
    for reason in verdict.reasons:
        out.setdefault(reason.rule_id, set()).add(reason.outcome)
    return out


# --- the vocabulary -------------------------------------------------------------------

NAMES = [
    # (text as written, the product it names)
    ("aviation kerosene", "jet_fuel"),
    ("авиационный керосин", "jet_fuel"),
    ("керосин авиационный марки ТС-1", "jet_fuel"),
    ("항공유", "aviation_fuel"),
    ("항공유를", "aviation_fuel"),  # with the object particle
    ("제트유", "jet_fuel"),
    ("diesel fuel", "diesel"),
    ("дизельное топливо", "diesel"),
    ("дизельного топлива", "diesel"),  # genitive
    ("топливо дизельное ЕВРО класс 5", "diesel"),
    ("경유", "diesel"),
    ("디젤", "diesel"),
    ("gasoline", "gasoline"),
    ("бензин", "gasoline"),
    ("бензин автомобильный АИ-95", "gasoline"),
    ("휘발유", "gasoline"),
    ("бензин авиационный", "avgas"),  # longest first: not motor gasoline
    ("LPG", "lpg"),
    ("сжиженный газ", "lpg"),
    ("газ сжиженный углеводородный", "lpg"),
    ("액화석유가스", "lpg"),
    ("coal", "coal"),
    ("уголь", "coal"),
    ("угля каменного", "coal"),
    ("석탄", "coal"),
    ("wheat flour", "wheat_flour"),
    ("пшеничная мука", "wheat_flour"),
    ("мука пшеничная высшего сорта", "wheat_flour"),
    ("밀가루", "wheat_flour"),
    ("diesel engine", "diesel_engine"),  # an engine, not fuel
    ("дизельный двигатель", "diesel_engine"),
    ("сжиженный природный газ", "natural_gas"),  # LNG, not LPG
]


@pytest.mark.parametrize(("text", "product"), NAMES)
def test_a_description_names_its_product_in_any_language(text: str, product: str) -> None:
    found = [f.product for f in vocabulary().find(normalize(text))]
    assert found == [product]


@pytest.mark.parametrize("text", ["경유지 블라디보스토크", "углеводороды прочие", "уголок 50x50"])
def test_words_that_only_contain_a_term_name_nothing(text: str) -> None:
    # 경유지 is "transit point" (not 경유 "diesel"); углеводороды "hydrocarbons" and
    # уголок "angle (section)" are not уголь "coal"
    assert vocabulary().find(normalize(text)) == ()


def test_kinds_make_every_aviation_fuel_an_aviation_fuel() -> None:
    vocab = vocabulary()
    for key in ("jet_fuel", "avgas", "naphtha_jet_fuel", "rocket_fuel", "aviation_fuel"):
        assert "aviation_fuel" in vocab.closure(key), key
    for key in ("diesel", "gasoline", "kerosene", "lamp_kerosene", "fuel_oil"):
        assert "aviation_fuel" not in vocab.closure(key), key


def test_vocabulary_hs_codes_exist(shared_data: Path) -> None:
    codes = frozenset(hs.load(shared_data / "hs").entries)
    vocab = load_products(hs_codes=codes)
    assert {"en", "ru", "ko"} <= {lang for p in vocab.products.values() for lang, t in p.terms.items() if t}


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "products.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_a_term_naming_two_products_is_refused_with_its_place(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "products:\n"
        "  a: {label: A, hs: ['2710'], terms: {en: [fuel]}}\n"
        "  b: {label: B, hs: ['2711'], terms: {en: [gas], ru: [Fuel]}}\n",
    )
    with pytest.raises(ParseError) as info:
        load_products(path)
    assert "product b, field terms.ru[0]" in str(info.value) and "also names product a" in str(info.value)


def test_unknown_kind_and_bad_hs_are_refused(tmp_path: Path, shared_data: Path) -> None:
    path = _write(tmp_path, "products:\n  a: {label: A, hs: ['2710'], kinds: [nope], terms: {en: [x]}}\n")
    with pytest.raises(ParseError, match=r"product a, field kinds\[0\].*unknown product 'nope'"):
        load_products(path)
    path = _write(tmp_path, "products:\n  a: {label: A, hs: ['7700'], terms: {en: [x]}}\n")
    codes = frozenset(hs.load(shared_data / "hs").entries)
    with pytest.raises(ParseError, match=r"product a, field hs\[0\].*7700 is not in HS 2022"):
        load_products(path, hs_codes=codes)
    path = _write(tmp_path, "products:\n  a: {label: A, hs: ['2710'], terms: {de: [x]}}\n")
    with pytest.raises(ParseError, match=r"products\.yaml"):
        load_products(path)


# --- verdicts: the same in every language ----------------------------------------------

# RULES.md 1.5, UN-2270-31: "Aviation fuel TO the DPRK (aviation gasoline, naphtha-type
# jet fuel, kerosene-type jet fuel, kerosene-type rocket fuel) | TO | ... | prohibited /
# exempt | **V**"; RULES.md 2.3: "**Aviation fuel** ... is **prohibited outright** under
# 2270 para 31 even though it is a refined product."
AVIATION = [
    "Jet A-1",
    "керосин авиационный ТС-1",
    "авиационное топливо",
    "топливо для реактивных двигателей",
    "항공유",
    "제트 연료",
]


@pytest.mark.parametrize("text", AVIATION)
def test_aviation_fuel_in_any_language_is_banned_not_capped(
    evaluator: Evaluator, nomenclature: hs.Nomenclature, text: str
) -> None:
    v = check(evaluator, nomenclature, {"hs_code": "2710.19", "description": text})
    assert v.outcome is P
    rules = by_rule(v)
    assert rules["UN-2270-31"] == {P}  # the ban fires; the "product not named" review does not
    ban = next(r for r in v.reasons if r.rule_id == "UN-2270-31")
    assert ban.citation == "UNSCR 2270 (2016) para 31 [V]" and ban.verified
    assert "DQ-GOODS-CONFLICT" not in rules


def test_aviation_fuel_in_russian_matches_english(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    english = check(evaluator, nomenclature, {"hs_code": "2710.19", "product": "jet fuel"})
    russian = check(evaluator, nomenclature, {"hs_code": "2710.19", "description": "авиационный керосин"})
    assert russian.outcome is english.outcome is P
    assert russian.rule_ids == english.rule_ids


# RULES.md 1.9, UN-2397-5: "**All refined petroleum products** (UN description: "including
# diesel and kerosene") TO the DPRK | TO | 2710; 2711 LPG (see §2.4) | capped + reportable";
# RULES.md 2.2 chart: "Gas oil / diesel | 0.133 | 7.5" and "Gasoline | 0.118 | 8.5";
# 2.4: "HS 2711.12/2711.13/2711.19 (LPG) = capped + reportable at 11.6 bbl/t, **plus** a
# mandatory origin attestation that the product is not NGL".
FUELS = [
    ("2710.19", "diesel", "diesel", "7.5 bbl/t"),
    ("2710.19", "дизельное топливо", "diesel", "7.5 bbl/t"),
    ("2710.19", "경유", "diesel", "7.5 bbl/t"),
    ("2710.12", "gasoline", "gasoline", "8.5 bbl/t"),
    ("2710.12", "бензин АИ-92", "gasoline", "8.5 bbl/t"),
    ("2710.12", "휘발유", "gasoline", "8.5 bbl/t"),
    ("2711.12", "LPG", "lpg", "11.6 bbl/t"),
    ("2711.12", "сжиженный газ", "lpg", "11.6 bbl/t"),
    ("2711.12", "액화석유가스", "lpg", "11.6 bbl/t"),
]


@pytest.mark.parametrize(("code", "text", "product", "factor"), FUELS)
def test_refined_products_in_any_language_are_capped_at_their_own_factor(
    evaluator: Evaluator, nomenclature: hs.Nomenclature, code: str, text: str, product: str, factor: str
) -> None:
    evidence = {**NOTIFIED, "non_ngl_attestation": "ATT-1"}
    v = check(evaluator, nomenclature, {"hs_code": code, "description": text}, evidence=evidence)
    assert v.outcome is C, [(r.rule_id, r.outcome.value, r.message) for r in v.reasons]
    assert C in by_rule(v)["UN-2397-5"]
    assert "UN-2270-31" not in by_rule(v)  # a named non-aviation product: no ban, no review
    (charge,) = v.charges
    assert charge.product == product and factor in charge.conversion
    assert "conservative default" not in charge.conversion


# RULES.md 1.7, UN-2371-8: "**Full ban** on DPRK coal, iron and iron ore" (FROM, V).
@pytest.mark.parametrize("text", ["coal", "уголь каменный", "석탄"])
def test_dprk_coal_in_any_language_is_banned(
    evaluator: Evaluator, nomenclature: hs.Nomenclature, text: str
) -> None:
    v = check(
        evaluator,
        nomenclature,
        {"hs_code": "2701.12", "description": text},
        origin="kp",
        destination="cn",
        evidence={},
    )
    assert v.outcome is P and P in by_rule(v)["UN-2371-8"]
    assert "DQ-GOODS-CONFLICT" not in by_rule(v)


# RULES.md 7.2 row 2: "Russian **wheat flour**, processed food → DPRK | 1101; 16–21 | No UN
# goods ban ... | **PERMITTED (screen)**".
@pytest.mark.parametrize("text", ["wheat flour", "мука пшеничная", "밀가루"])
def test_wheat_flour_in_any_language_is_clear(
    evaluator: Evaluator, nomenclature: hs.Nomenclature, text: str
) -> None:
    v = check(evaluator, nomenclature, {"hs_code": "1101.00", "description": text}, evidence={})
    assert v.outcome is OK
    assert not any(r.outcome is not OK for r in v.reasons)


# --- conflicts: flagged, never resolved silently ----------------------------------------


def test_code_and_description_that_disagree_go_to_review(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    # HS 2701 (coal) described as diesel: which is right is for a person to say.
    v = check(
        evaluator, nomenclature, {"hs_code": "2701.12", "description": "дизельное топливо"}, evidence={}
    )
    assert v.outcome is R
    (reason,) = [r for r in v.reasons if r.rule_id == "DQ-GOODS-CONFLICT"]
    assert reason.outcome is R
    assert "no legal basis" in reason.citation and not reason.verified
    assert any("diesel" in n and "2701.12" in n and "disagree" in n for n in reason.notes)


def test_product_field_and_description_that_disagree_apply_the_strictest_and_review(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    # The product field says diesel (capped), the Russian description says jet fuel
    # (banned): the ban applies (RULES.md 2.3) and the conflict is shown.
    v = check(
        evaluator,
        nomenclature,
        {"hs_code": "2710.19", "product": "diesel", "description": "керосин авиационный"},
    )
    assert v.outcome is P and P in by_rule(v)["UN-2270-31"]
    conflict = [r for r in v.reasons if r.rule_id == "DQ-GOODS-CONFLICT"]
    assert conflict and conflict[0].outcome is R
    notes = " ".join(conflict[0].notes)
    assert "diesel" in notes and "jet fuel" in notes and "«керосин авиационный»" in notes
    (charge,) = v.charges  # the conversion does not pick one of them either
    assert "not chosen between" in charge.conversion and "8.5 bbl/t" in charge.conversion


def test_data_quality_checks_stand_under_no_regime(evaluator: Evaluator) -> None:
    rules = evaluator.rulebook.rules
    dq = [r for r in rules.values() if any(t.kind == "goods_data" for t in r.triggers)]
    assert {r.id for r in dq} == {"DQ-GOODS-NATIONAL", "DQ-GOODS-CONFLICT"}
    for rule in dq:
        assert rule.regime == "DATA" and rule.pack == "data_quality"
        assert rule.citation.endswith("(no legal basis: a data-quality check)")
    # and no sanctions pack carries a data check
    for rule in rules.values():
        if rule.regime != "DATA":
            assert all(t.kind != "goods_data" for t in rule.triggers), rule.id


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("8704.10", "самосвал с дизельным двигателем"),  # an engine, named as an attribute
        ("8704.22", "diesel truck"),
        ("8430.39", "coal mining machinery"),
        ("8413.30", "jet fuel pump"),
        ("3802.10", "уголь активированный"),
        ("7304.19", "steel pipes"),
    ],
)
def test_a_product_named_as_an_attribute_of_other_goods_is_no_conflict(
    evaluator: Evaluator, nomenclature: hs.Nomenclature, code: str, text: str
) -> None:
    v = check(evaluator, nomenclature, {"hs_code": code, "description": text}, destination="cn", evidence={})
    assert "DQ-GOODS-CONFLICT" not in by_rule(v)
    assert v.outcome is OK


def test_a_description_naming_one_fuel_under_another_fuels_code_is_a_conflict(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    # diesel is classified under 2710.19/2710.20, not 2711.12 (propane)
    v = check(
        evaluator, nomenclature, {"hs_code": "2711.12", "description": "경유"}, destination="cn", evidence={}
    )
    assert by_rule(v)["DQ-GOODS-CONFLICT"] == {R}
