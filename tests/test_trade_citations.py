"""Issue 15, items 5 and 6: every list's record of a listed party or vessel reaches the
verdict, and the verdict cites the UN designation first, then the national ones; the
1718 Committee's designated vessels are screened by IMO and cite the UN basis.

Expected verdicts and citations come from ../shared/regimes/RULES.md (quoted at each
test); the vessels are those of the authored designated-vessels page in
tests/fixtures/un/ (see its README).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from corridor.match import Query, Screener
from corridor.model import Entity, Identifier, make_name
from corridor.services.screening import TRADE_HIT_LIMIT, ScreenerParties
from corridor.sources.un_vessels import parse as parse_vessels
from corridor.trade import hs
from corridor.trade.evaluate import Evaluator, Verdict, regime_rank
from corridor.trade.rules import Outcome, RuleBook, default_rulebook
from corridor.trade.screening import ExactNameScreener, list_family
from corridor.trade.transaction import parse_transaction

P = Outcome.PROHIBITED
VESSELS = Path(__file__).parent / "fixtures" / "un" / "un_1718_designated_vessels_sample.html"
KOMID = "KOREA MINING DEVELOPMENT TRADING CORPORATION"


@pytest.fixture(scope="module")
def nomenclature(shared_data: Path) -> hs.Nomenclature:
    return hs.load(shared_data / "hs")


@pytest.fixture(scope="module")
def rules() -> RuleBook:
    return default_rulebook()


def listed(source: str, ref: str, name: str, programs: list[str], un_refs: list[str] | None = None) -> Entity:
    made = make_name(name)
    assert made is not None
    return Entity(
        id=f"{source}:{ref}",
        source=source,
        schema="Company",
        names=[made],
        list_ref=ref,
        programs=programs,
        un_refs=un_refs or [],
    )


def three_lists(name: str = KOMID) -> list[Entity]:
    """KOMID as the UN (KPe.001), OFAC (DPRK program tags) and OFSI (UN Ref KPe.001) list it."""
    return [
        listed("un", "KPe.001", name, ["DPRK"], ["KPe.001"]),
        listed("ofac-sdn", "11280", name, ["DPRK", "NPWMD"]),
        listed("uk", "11004", name, ["Democratic People's Republic of Korea"], ["KPe.001"]),
    ]


def flour_to(party: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": "C-1",
        "type": "shipment",
        "date": "2024-05-01",
        "origin": "ru",
        "destination": "cn",
        "parties": [
            {"name": "OOO Vostok Zerno", "role": "exporter", "country": "ru"},
            {"name": party, "role": "importer"},
        ],
        "goods": [{"hs_code": "1101.00", "quantity": 100, "unit": "t"}],
        **extra,
    }


def check(ev: Evaluator, nomenclature: hs.Nomenclature, data: dict[str, Any]) -> Verdict:
    return ev.check(parse_transaction(data, nomenclature), record=False)


def listed_reasons(verdict: Verdict) -> list[tuple[str, str]]:
    """(list family, rule id) of the reasons that rest on a list hit, in verdict order."""
    out = []
    for reason in verdict.reasons:
        if " ~ listed " in reason.subject:
            source = reason.subject.rsplit("[", 1)[1].split()[0]
            out.append((list_family(source), reason.rule_id))
    return out


def test_a_party_on_un_ofac_and_uk_gets_all_three_citations_un_first(
    nomenclature: hs.Nomenclature, rules: RuleBook
) -> None:
    # RULES.md 1.1: "| UN-1718-8d | 8(d) | Asset freeze on designated persons/entities ... | prohibited | **V** |"
    # RULES.md 5: "Engine rule: **any** of DPRK, DPRK2, DPRK3, DPRK4, DPRK-NKSPEA, or NPWMD with the NKSR
    #   secondary-sanctions remark, counts as a DPRK-program hit." (US-OFAC-TAGS, V)
    # RULES.md has no UK section: the UK asset freeze (UK-DPRK-AF) is U.
    ev = Evaluator(rules, hs=nomenclature, screener=ExactNameScreener.from_entities(three_lists()))
    verdict = check(ev, nomenclature, flour_to(KOMID))
    assert verdict.outcome is P
    found = listed_reasons(verdict)
    families = [family for family, _ in found]
    assert {"un", "us", "uk"} <= set(families)
    assert families == sorted(families, key=lambda f: ["un", "us", "uk"].index(f))  # UN, then OFAC, then UK
    assert ("un", "UN-1718-8d") in found and ("us", "US-OFAC-TAGS") in found and ("uk", "UK-DPRK-AF") in found
    first = verdict.reasons[0]
    assert first.outcome is P and first.rule_id.startswith("UN-")
    assert rules.rules["UN-1718-8d"].citation.endswith("[V]")
    assert (
        rules.rules["UK-DPRK-AF"].citation.endswith("[U]")
        and "(unverified)" in rules.rules["UK-DPRK-AF"].citation
    )


def test_at_each_severity_un_rules_come_before_national_ones(
    nomenclature: hs.Nomenclature, rules: RuleBook
) -> None:
    ev = Evaluator(rules, hs=nomenclature, screener=ExactNameScreener.from_entities(three_lists()))
    verdict = check(ev, nomenclature, flour_to(KOMID))
    for outcome in Outcome:
        ranks = [regime_rank(rules.rules[r.rule_id].regime) for r in verdict.reasons if r.outcome is outcome]
        assert ranks == sorted(ranks)


def test_the_hit_limit_never_drops_the_un_record(nomenclature: hs.Nomenclature, rules: RuleBook) -> None:
    """The real engine: seven lists carry the party under its exact name, the UN under a
    spelling that scores a little lower; the UN record still reaches the verdict."""
    exact = [
        listed(source, f"{i}", KOMID, ["DPRK"])
        for i, source in enumerate(["ofac-sdn", "ofac-cons", "uk", "uk-fcdo", "eu", "ftm:a", "ftm:b"])
    ]
    un = listed("un", "KPe.001", "KOREA MINING DEVELOPEMENT TRADING CORPORATION", ["DPRK"], ["KPe.001"])
    entities = [*exact, un]
    engine = Screener.from_entities(entities)
    # the defect: at the old limit of 5 the UN record falls out behind the seven exact copies
    old = engine.screen(Query(name=KOMID.title(), schema="Company"), limit=5)
    assert "un" not in {h.list for h in old}
    screener = ScreenerParties(engine, {e.id: tuple(e.programs) for e in entities})
    hits = screener.screen(KOMID.title(), "Company")
    by_list = {h.list: h.score for h in hits}
    assert "un" in by_list
    assert by_list["un"] < min(score for key, score in by_list.items() if key != "un")  # it ranks last...
    assert len(exact) >= 5 and len(entities) < TRADE_HIT_LIMIT  # behind more records than 5
    ev = Evaluator(rules, hs=nomenclature, screener=screener)
    verdict = check(ev, nomenclature, flour_to(KOMID.title()))
    assert verdict.outcome is P
    found = listed_reasons(verdict)
    assert found[0][0] == "un"
    assert {"un", "us", "uk"} <= {family for family, _ in found}


@pytest.fixture(scope="module")
def un_vessels() -> list[Entity]:
    return list(parse_vessels(VESSELS).entities)


@pytest.mark.parametrize("engine", ["exact", "screener"])
def test_a_un_designated_vessel_is_found_by_imo_and_cites_the_un_basis(
    nomenclature: hs.Nomenclature, rules: RuleBook, un_vessels: list[Entity], engine: str
) -> None:
    # RULES.md 1.7: "| UN-2371-VSL | (U) | Committee may designate vessels; designated vessels are denied port
    #   entry; chartering of DPRK-flagged vessels banned | VSL | — | prohibited | P | [S2] |"
    # RULES.md 1.10: "| UN-LIST | 1718 list | Screen all parties, vessels, ... against the 1718 Committee list
    #   (individuals KPi.*, entities KPe.*, designated vessels) | prohibited (asset freeze / port entry) | **V**"
    # The fixture's row 6: KUM UN SAN 3, IMO 8705539; here under another name.
    screener: Any
    if engine == "exact":
        screener = ExactNameScreener.from_entities(un_vessels)
    else:
        screener = ScreenerParties(
            Screener.from_entities(un_vessels), {e.id: tuple(e.programs) for e in un_vessels}
        )
    ev = Evaluator(rules, hs=nomenclature, screener=screener)
    data = flour_to(
        "OOO Dalniy Vostok Trading", vessels=[{"name": "SEA STAR 9", "imo": "8705539", "flag": "sl"}]
    )
    verdict = check(ev, nomenclature, data)
    assert verdict.outcome is P
    vessel_reasons = {r.rule_id: r for r in verdict.reasons if "SEA STAR 9" in r.subject and r.outcome is P}
    assert {"UN-2371-VSL", "UN-LIST"} <= set(vessel_reasons)
    assert vessel_reasons["UN-2371-VSL"].citation.endswith("(unverified) [P]")  # the mark RULES.md gives
    assert not vessel_reasons["UN-2371-VSL"].verified
    assert vessel_reasons["UN-LIST"].citation.endswith("[V]") and vessel_reasons["UN-LIST"].verified
    assert "[un-vessels 8705539]" in vessel_reasons["UN-LIST"].subject
    # a vessel that is not designated (valid IMO, another number) is not a hit
    clear = check(
        ev, nomenclature, flour_to("OOO Dalniy Vostok Trading", vessels=[{"name": "X", "imo": "9312042"}])
    )
    assert not any("~ listed" in r.subject for r in clear.reasons)


def test_a_vessel_on_the_un_and_ofac_lists_cites_the_un_first(
    nomenclature: hs.Nomenclature, rules: RuleBook, un_vessels: list[Entity]
) -> None:
    ofac = Entity(
        id="ofac-sdn:24553",
        source="ofac-sdn",
        schema="Vessel",
        names=[n for n in [make_name("KUM UN SAN 3")] if n],
        list_ref="24553",
        identifiers=[Identifier("imo", "8705539")],
        programs=["DPRK4"],
    )
    ev = Evaluator(rules, hs=nomenclature, screener=ExactNameScreener.from_entities([ofac, *un_vessels]))
    verdict = check(
        ev,
        nomenclature,
        flour_to("OOO Dalniy Vostok Trading", vessels=[{"name": "KUM UN SAN 3", "imo": "8705539"}]),
    )
    found = listed_reasons(verdict)
    assert {"un", "us"} <= {family for family, _ in found}
    assert found[0][0] == "un"
    assert [f for f, _ in found] == sorted((f for f, _ in found), key=lambda f: ["un", "us"].index(f))
