"""Issue 15, item 7: chemical-weapons agents and precursors (CWC Schedules 1-3, the
Australia Group precursors) named in English, Russian or Korean, or by CAS number,
are WMD items under the 1718 Committee's lists, whatever HS code the line gives.

RULES.md, rows quoted:
  "| UN-1718-8a2 | 8(a)(ii) | Nuclear/missile/WMD items listed in Committee documents
   (S/2006/853 + Corr.1, ...) | TO | list-based, not HS | prohibited | P |"
  "| UN-1718-8b | 8(b) | The DPRK must stop exporting the 8(a)(i)-(ii) items; all States
   must ban their procurement from the DPRK | FROM | as 8(a) | prohibited | P ..."
  "| 7 | DPRK organic chemicals -> Russia | 29 | No UN commodity ban by HS 29. Screen
   against WMD/chemical lists (... CW-precursor lists; 1718 8(b)) ... | PERMITTED
   (screen) under UN text; PROHIBITED if listed/dual-use |"
The chemical names and CAS numbers are this pack's mapping of the schedules (U).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from corridor.trade import hs
from corridor.trade.evaluate import Evaluator, Verdict
from corridor.trade.rules import Outcome, RuleBook, default_rulebook
from corridor.trade.transaction import parse_transaction


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
    ev: Evaluator, nomenclature: hs.Nomenclature, origin: str, destination: str, **line: Any
) -> Verdict:
    tx = {
        "id": "CW-1",
        "type": "shipment",
        "date": "2024-06-01",
        "origin": origin,
        "destination": destination,
        "goods": [{"quantity": 200, "unit": "kg", **line}],
    }
    return ev.check(parse_transaction(tx, nomenclature), record=False)


def outcomes(verdict: Verdict, rule_id: str) -> set[Outcome]:
    return {r.outcome for r in verdict.reasons if r.rule_id == rule_id}


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
    assert Outcome.PROHIBITED in outcomes(verdict, "UN-1718-8a2"), [
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
    assert Outcome.PROHIBITED in outcomes(verdict, "UN-1718-8b")
    assert verdict.outcome == Outcome.PROHIBITED


def test_an_ordinary_organic_chemical_from_the_dprk_stays_a_screen(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    # RULES.md row 7: "PERMITTED (screen) under UN text" for chemicals not on a list
    verdict = check(evaluator, nomenclature, "KP", "RU", hs="2915.21", description="acetic acid")
    assert outcomes(verdict, "UN-1718-8b") == {Outcome.REVIEW}


def test_a_cw_word_inside_another_product_is_not_a_precursor(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    # "triethanolamine" names a precursor; a shampoo that lists it is not one
    verdict = check(evaluator, nomenclature, "RU", "KP", hs="3305.10", description="shampoo")
    assert Outcome.PROHIBITED not in outcomes(verdict, "UN-1718-8a2")
