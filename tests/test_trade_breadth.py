"""Issue 15, item 7: statues under every heading they fall under, luxury goods of the
2094 and 2270 annexes and nuclear trigger-list items mapped to HS (this pack's mapping,
always shown as unverified), with the rules' own RULES.md marks.

Expected verdicts and citations come from ../shared/regimes/RULES.md (the rows are
quoted at each test).  The HS digits are the pack's mapping of the named categories,
not words of the resolutions (RULES.md: "HS (mapped) ... are all U unless stated").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from corridor.trade import hs
from corridor.trade.evaluate import Evaluator, Verdict
from corridor.trade.rules import Outcome, RuleBook, default_rulebook
from corridor.trade.transaction import parse_transaction

P, R = Outcome.PROHIBITED, Outcome.REVIEW


@pytest.fixture(scope="module")
def nomenclature(shared_data: Path) -> hs.Nomenclature:
    return hs.load(shared_data / "hs")


@pytest.fixture(scope="module")
def rules(shared_data: Path) -> RuleBook:
    return default_rulebook(shared_data / "hs")


@pytest.fixture(scope="module")
def evaluator(rules: RuleBook, nomenclature: hs.Nomenclature) -> Evaluator:
    return Evaluator(rules, hs=nomenclature)


def check(
    ev: Evaluator, nomenclature: hs.Nomenclature, origin: str, destination: str, **goods: Any
) -> Verdict:
    tx = {
        "id": "B-1",
        "type": "shipment",
        "date": "2024-06-01",
        "origin": origin,
        "destination": destination,
        "goods": [{"quantity": 2, "unit": "pcs", **goods}],
    }
    return ev.check(parse_transaction(tx, nomenclature), record=False)


def ruled(verdict: Verdict, rule_id: str) -> set[Outcome]:
    return {r.outcome for r in verdict.reasons if r.rule_id == rule_id}


# --- statues: RULES.md 1.6 "| UN-2321-29 | 29 | Statues (DPRK export) | FROM | mapped 9703 (U) | prohibited | P |"


@pytest.mark.parametrize(
    ("code", "description"),
    [
        ("9703.90", "original bronze sculpture"),
        ("6913.90", "ceramic statuettes"),
        ("6913.10", "porcelain figurines"),
        ("8306.29", "statuettes of base metal"),
        ("8306.21", "gilt statuette"),
        ("4420.19", "carved wooden figures"),
        ("3926.40", "plastic ornaments"),
        ("7018.90", "lamp-worked glass statuettes"),
    ],
)
def test_statues_from_the_dprk_are_prohibited_under_every_heading(
    evaluator: Evaluator, nomenclature: hs.Nomenclature, rules: RuleBook, code: str, description: str
) -> None:
    verdict = check(evaluator, nomenclature, "kp", "ru", hs_code=code, description=description)
    assert verdict.outcome is P
    assert P in ruled(verdict, "UN-2321-29")
    reason = next(r for r in verdict.reasons if r.rule_id == "UN-2321-29" and r.outcome is P)
    assert reason.citation == "UNSCR 2321 (2016) para 29 (unverified) [P]" and not reason.verified
    assert any(
        "HS mapping is this pack's own" in n for n in reason.notes
    )  # the digits are not the resolution's


@pytest.mark.parametrize(
    ("code", "description"),
    [
        ("6802.93", "granite monument"),
        ("6802.91", "marble bust of a leader"),
        ("6810.99", "concrete statue"),
        ("7419.80", "bronze monument"),
        ("6802.93", "памятник из гранита"),
        ("6802.93", "화강암 동상"),
    ],
)
def test_monuments_of_stone_concrete_or_metal_by_their_description(
    evaluator: Evaluator, nomenclature: hs.Nomenclature, code: str, description: str
) -> None:
    verdict = check(evaluator, nomenclature, "kp", "ru", hs_code=code, description=description)
    assert verdict.outcome is P and P in ruled(verdict, "UN-2321-29")


def test_worked_stone_that_is_not_a_statue_is_reviewed_not_prohibited(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    verdict = check(
        evaluator, nomenclature, "kp", "ru", hs_code="6802.93", description="granite paving slabs"
    )
    assert ruled(verdict, "UN-2321-29") == {R}
    concrete = check(evaluator, nomenclature, "kp", "ru", hs_code="6810.99", description="concrete pipes")
    assert "UN-2321-29" not in {r.rule_id for r in concrete.reasons}


def test_statues_to_the_dprk_are_not_caught_by_the_export_ban(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    # 2321 para 29 is a procurement ban (FROM the DPRK)
    verdict = check(evaluator, nomenclature, "ru", "kp", hs_code="6913.90", description="ceramic statuettes")
    assert "UN-2321-29" not in {r.rule_id for r in verdict.reasons}


def test_the_eu_statue_rule_uses_the_same_headings(rules: RuleBook) -> None:
    un, eu = rules.rules["UN-2321-29"], rules.rules["EU-1509-13"]
    assert un.hs is not None and eu.hs is not None
    assert un.hs.prefixes == eu.hs.prefixes
    assert (un.hs.mapping, un.hs.verification) == ("pack", "U")


# --- luxury goods -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "description", "rule_id"),
    [
        # RULES.md 1.4: "| UN-2094-AIV | Annex IV | Luxury goods examples (jewellery, precious stones and metals,
        #   yachts, luxury cars, racing cars: contents U) | TO | prohibited | P |"
        ("7113.19", "gold necklace", "UN-2094-AIV"),
        ("7116.10", "pearl brooch", "UN-2094-AIV"),
        ("7108.13", "gold bars", "UN-2094-AIV"),
        ("8903.33", "motor yacht", "UN-2094-AIV"),
        ("8703.80", "electric sports car", "UN-2094-AIV"),
        # RULES.md 1.5: "| UN-2270-LUX | annex | Additional luxury goods annex (... conflict, U) | TO | — |
        #   prohibited | P |" (categories: analyst knowledge, U)
        ("9101.11", "gold wrist-watch", "UN-2270-LUX"),
        ("7013.22", "lead crystal stemware", "UN-2270-LUX"),
    ],
)
def test_luxury_goods_to_the_dprk_are_prohibited(
    evaluator: Evaluator,
    nomenclature: hs.Nomenclature,
    rules: RuleBook,
    code: str,
    description: str,
    rule_id: str,
) -> None:
    verdict = check(evaluator, nomenclature, "ru", "kp", hs_code=code, description=description)
    assert verdict.outcome is P and P in ruled(verdict, rule_id)
    assert rules.rules[rule_id].verification == "P" and "(unverified) [P]" in rules.rules[rule_id].citation


def test_an_ordinary_car_is_not_a_luxury_good_but_a_vehicle(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    # RULES.md 1.9: "| UN-2397-7b | 7 (U) | Transportation vehicles | TO | 86, 87, 88, 89 (P) | prohibited |"
    verdict = check(evaluator, nomenclature, "ru", "kp", hs_code="8703.23", description="family saloon")
    assert "UN-2094-AIV" not in {r.rule_id for r in verdict.reasons}
    assert P in ruled(verdict, "UN-2397-7b")


@pytest.mark.parametrize(("code", "description"), [("8703.10", "snowmobile"), ("9506.11", "skis")])
def test_luxury_categories_with_a_value_floor_or_a_broad_heading_are_reviewed(
    evaluator: Evaluator, nomenclature: hs.Nomenclature, code: str, description: str
) -> None:
    verdict = check(evaluator, nomenclature, "ru", "kp", hs_code=code, description=description)
    assert ruled(verdict, "UN-2270-LUX") == {R}


def test_ordinary_glassware_is_not_lead_crystal(evaluator: Evaluator, nomenclature: hs.Nomenclature) -> None:
    verdict = check(evaluator, nomenclature, "ru", "kp", hs_code="7013.28", description="drinking glasses")
    assert "UN-2270-LUX" not in {r.rule_id for r in verdict.reasons}


# --- WMD lists: RULES.md 1.1 "| UN-1718-8a2 | 8(a)(ii) | Nuclear/missile/WMD items listed in Committee documents
#   (S/2006/853 + Corr.1, later S/2009/364, INFCIRC/254 parts 1-2, ...) | TO | list-based, not HS | prohibited | P |"
#   and "| UN-1718-8b | 8(b) | ... all States must ban their procurement from the DPRK | FROM | as 8(a) | prohibited | P"


@pytest.mark.parametrize("code", ["2844.10", "2845.10", "2612.10", "8401.30"])
def test_nuclear_items_the_hs_names_are_prohibited_both_ways(
    evaluator: Evaluator, nomenclature: hs.Nomenclature, code: str
) -> None:
    to = check(evaluator, nomenclature, "ru", "kp", hs_code=code)
    assert to.outcome is P and P in ruled(to, "UN-1718-8a2")
    back = check(evaluator, nomenclature, "kp", "ru", hs_code=code)
    assert back.outcome is P and P in ruled(back, "UN-1718-8b")


def test_other_chemicals_stay_a_list_screening_review(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    # RULES.md 7.2 row 7: DPRK organic chemicals (29): "PERMITTED (screen) under UN text; PROHIBITED if
    #   listed/dual-use" -> `REVIEW/DUAL_USE_SCREEN`
    verdict = check(evaluator, nomenclature, "kp", "ru", hs_code="2905.11", description="methanol")
    assert ruled(verdict, "UN-1718-8b") == {R}


# --- chemical-weapons agents and precursors (issue 15, item 7)
# Issue 15, item 7: chemical-weapons agents and precursors (CWC Schedules 1-3, the
# Australia Group precursors) named in English, Russian or Korean, or by CAS number,
# are WMD items under the 1718 Committee's lists, whatever HS code the line gives.
#
# RULES.md, rows quoted:
#   "| UN-1718-8a2 | 8(a)(ii) | Nuclear/missile/WMD items listed in Committee documents
#    (S/2006/853 + Corr.1, ...) | TO | list-based, not HS | prohibited | P |"
#   "| UN-1718-8b | 8(b) | The DPRK must stop exporting the 8(a)(i)-(ii) items; all States
#    must ban their procurement from the DPRK | FROM | as 8(a) | prohibited | P ..."
#   "| 7 | DPRK organic chemicals -> Russia | 29 | No UN commodity ban by HS 29. Screen
#    against WMD/chemical lists (... CW-precursor lists; 1718 8(b)) ... | PERMITTED
#    (screen) under UN text; PROHIBITED if listed/dual-use |"
# The chemical names and CAS numbers are this pack's mapping of the schedules (U).


@pytest.mark.parametrize(
    ("code", "description"),
    [
        ("2920.29", "thiodiglycol, 99 % purity"),
        ("2920.29", "тиодигликоль технический"),
        ("2931.59", "dimethyl methylphosphonate (DMMP)"),
        ("2812.12", "phosphorus oxychloride"),
        ("2811.11", "hydrogen fluoride, anhydrous"),
        ("2837.11", "sodium cyanide briquettes"),
        ("2922.19", "triethanolamine 85 %"),
        ("2931.90", "chemical, CAS 111-48-8"),  # thiodiglycol by its CAS number only
    ],
)
def test_a_cw_precursor_to_the_dprk_is_prohibited_under_8a2(
    evaluator: Evaluator, nomenclature: hs.Nomenclature, code: str, description: str
) -> None:
    verdict = check(evaluator, nomenclature, "RU", "KP", hs=code, description=description)
    assert Outcome.PROHIBITED in ruled(verdict, "UN-1718-8a2"), [
        (r.rule_id, r.outcome) for r in verdict.reasons
    ]
    assert verdict.outcome == Outcome.PROHIBITED
    reason = next(
        r for r in verdict.reasons if r.rule_id == "UN-1718-8a2" and r.outcome == Outcome.PROHIBITED
    )
    assert "1718" in reason.citation and "8(a)(ii)" in reason.citation
    assert reason.verification == "P" and not reason.verified  # P in RULES.md: never shown as verified


def test_a_cw_precursor_from_the_dprk_is_prohibited_under_8b(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    verdict = check(evaluator, nomenclature, "KP", "RU", hs="2920.29", description="thiodiglycol")
    assert Outcome.PROHIBITED in ruled(verdict, "UN-1718-8b")
    assert verdict.outcome == Outcome.PROHIBITED


def test_an_ordinary_organic_chemical_from_the_dprk_stays_a_screen(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    # RULES.md row 7: "PERMITTED (screen) under UN text" for chemicals not on a list
    verdict = check(evaluator, nomenclature, "KP", "RU", hs="2915.21", description="acetic acid")
    assert ruled(verdict, "UN-1718-8b") == {Outcome.REVIEW}


def test_a_cw_word_inside_another_product_is_not_a_precursor(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    # "triethanolamine" names a precursor; a shampoo that lists it is not one
    verdict = check(evaluator, nomenclature, "RU", "KP", hs="3305.10", description="shampoo")
    assert Outcome.PROHIBITED not in ruled(verdict, "UN-1718-8a2")
