"""Golden tests: examples/corridor-2022.yaml, one transaction per activity the seed
reports describe, against the rulings in RULES.md section 7.2."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from corridor.model import Entity, make_name
from corridor.services.trade import check_scenario
from corridor.store.db import engine
from corridor.store.ledger import CapLedger
from corridor.trade.evaluate import Verdict
from corridor.trade.rules import Outcome, default_rulebook
from corridor.trade.screening import ExactNameScreener

SCENARIO = Path(__file__).resolve().parents[1] / "examples" / "corridor-2022.yaml"

# RULES.md 7.2: activity -> (verdict, rules that must be cited at that verdict's level).
GOLDEN = {
    "RU-KP-GASOLINE-2022-10": ("CAPPED_REPORTABLE", {"UN-2397-5"}),  # row 3
    "RU-KP-DIESEL-2022-10": ("CAPPED_REPORTABLE", {"UN-2397-5"}),  # row 3
    "RU-KP-LPG-2022-10": ("CAPPED_REPORTABLE", {"UN-2397-5"}),  # row 4 (11.6 bbl/t)
    "RU-KP-FLOUR-2022-11": ("CLEAR", set()),  # row 2: permitted after screening
    "KP-RU-MACHINERY-2022-11": ("PROHIBITED", {"UN-2397-6b"}),  # row 5
    "KP-RU-VEHICLES-2022-11": ("REVIEW", {"UN-1874-9"}),  # row 6: civil HS 87
    "KP-RU-CHEMICALS-2022-12": ("REVIEW", {"UN-1718-8b"}),  # row 7: HS 29 list screening
    "KP-RU-WORKERS-2022-11": ("PROHIBITED", {"UN-2397-8", "UN-2375-17"}),  # row 8
    "KP-RU-WORKERS-PAID-IN-OIL-2022-11": ("PROHIBITED", {"UN-2397-5", "UN-2397-4", "UN-2397-8"}),  # row 9
    "KP-TRADE-OFFICE-VLADIVOSTOK-2022-11": ("REVIEW", {"UN-2375-18", "UN-2321-DIPL"}),  # row 1
    "RU-KP-TOURISM-WONSAN-2022-12": ("REVIEW", {"UN-2375-18", "UN-2094-11", "UN-1718-8a3"}),  # row 10
    "RU-CN-COAL-VIA-RAJIN-2022-12": ("CLEAR", set()),  # row 11: exempt with evidence
}


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> dict[str, Verdict]:
    url = f"sqlite:///{tmp_path_factory.mktemp('scenario') / 't.db'}"
    return {v.transaction_id: v for v in check_scenario(SCENARIO, None, engine(url))}


def test_every_activity_has_its_ruling(verdicts: dict[str, Verdict]) -> None:
    assert list(verdicts) == list(GOLDEN)
    for tx_id, (expected, rules) in GOLDEN.items():
        verdict = verdicts[tx_id]
        assert verdict.outcome.value == expected, (
            tx_id,
            [(r.rule_id, r.outcome.value) for r in verdict.reasons],
        )
        cited = {r.rule_id for r in verdict.reasons if r.outcome is verdict.outcome}
        assert rules <= cited, (tx_id, cited)


def test_citations_and_verification_marks(verdicts: dict[str, Verdict]) -> None:
    workers = verdicts["KP-RU-WORKERS-2022-11"]
    repatriation = next(
        r for r in workers.reasons if r.rule_id == "UN-2397-8" and r.outcome is Outcome.PROHIBITED
    )
    assert repatriation.citation == "UNSCR 2397 (2017) para 8 (unverified) [P]"
    machinery = next(r for r in verdicts["KP-RU-MACHINERY-2022-11"].reasons if r.rule_id == "UN-2397-6b")
    assert machinery.citation == "UNSCR 2397 (2017) para 6 [V]"
    assert any("HS digits" in n and "(P)" in n for n in machinery.notes)
    coal = next(r for r in verdicts["RU-CN-COAL-VIA-RAJIN-2022-12"].reasons if r.rule_id == "UN-2371-8")
    assert coal.exemption == "rajin_transshipment_non_dprk_coal" and coal.outcome is Outcome.CLEAR
    jv = next(r for r in verdicts["RU-CN-COAL-VIA-RAJIN-2022-12"].reasons if r.rule_id == "UN-2375-18")
    assert jv.exemption == "rajin_khasan_project" and jv.exemption_citation.startswith("EX-RAJIN-JV")
    for verdict in verdicts.values():
        for reason in verdict.reasons:
            assert ("(unverified)" in reason.citation) == (reason.verification != "V"), reason


def test_ledger_after_the_scenario(verdicts: dict[str, Verdict]) -> None:
    by_tx = {c.transaction_id: c.barrels for v in verdicts.values() for c in v.charges if v.recorded}
    # 2,000 t gasoline x 8.5; 3,000 t diesel x 7.5; 1,000 t LPG x 11.6 (Committee chart).
    assert by_tx == {
        "RU-KP-GASOLINE-2022-10": Decimal(17000),
        "RU-KP-DIESEL-2022-10": Decimal(22500),
        "RU-KP-LPG-2022-10": Decimal(11600),
    }
    lpg = verdicts["RU-KP-LPG-2022-10"].caps[0]
    assert (lpg.period, lpg.after_bbl) == ("2022", Decimal(51100))
    paid = verdicts["KP-RU-WORKERS-PAID-IN-OIL-2022-11"]
    assert paid.recorded is False and paid.caps == []


def test_scenario_with_a_screener_and_a_listed_party(tmp_path: Path) -> None:
    # A HYPOTHETICAL listing (RULES.md Q8: its real designation status was not found),
    # to show a list hit on a party of the scenario.
    name = make_name("Construction Guidance Bureau")
    assert name is not None
    listed = Entity(id="test:cgb", source="ofac-sdn", schema="Organization", names=[name], programs=["DPRK3"])
    led_engine = engine(f"sqlite:///{tmp_path / 's.db'}")
    results = {
        v.transaction_id: v
        for v in check_scenario(SCENARIO, ExactNameScreener.from_entities([listed]), led_engine)
    }
    workers = results["KP-RU-WORKERS-2022-11"]
    assert any(r.rule_id == "US-OFAC-TAGS" and r.outcome is Outcome.PROHIBITED for r in workers.reasons)
    assert workers.screening and any(h.entity_id == "test:cgb" for s in workers.screening for h in s.hits)
    usage = CapLedger(led_engine).summary(default_rulebook().caps())
    assert [(u.cap_id, u.period, u.barrels, len(u.shipments)) for u in usage] == [
        ("UN-2397-5", "2022", Decimal(51100), 3)
    ]
