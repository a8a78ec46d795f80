"""The evaluator: goods rules by HS and direction, exemptions with evidence, dates,
the DPRK nexus found from ports/flags/parties, screening hits, scope (US/EU nexus).
Expected rulings follow RULES.md sections 1-3 and 7."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from corridor.model import Entity, Identifier, NameKind, make_name
from corridor.trade import hs
from corridor.trade.evaluate import Evaluator, Verdict
from corridor.trade.rules import Outcome, default_rulebook
from corridor.trade.screening import ExactNameScreener, PartyScreener
from corridor.trade.transaction import parse_transaction

P, L, C, R, OK = (
    Outcome.PROHIBITED,
    Outcome.LICENCE_REQUIRED,
    Outcome.CAPPED_REPORTABLE,
    Outcome.REVIEW,
    Outcome.CLEAR,
)


@pytest.fixture(scope="module")
def nomenclature(shared_data: Path) -> hs.Nomenclature:
    return hs.load(shared_data / "hs")


@pytest.fixture(scope="module")
def evaluator(nomenclature: hs.Nomenclature) -> Evaluator:
    return Evaluator(default_rulebook(), hs=nomenclature)


def check(ev: Evaluator, nomenclature: hs.Nomenclature, **data: Any) -> Verdict:
    tx = {"id": "T", "type": "shipment", "date": "2022-11-01", **data}
    return ev.check(parse_transaction(tx, nomenclature))


def to_dprk(*goods: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"origin": "ru", "destination": "kp", "goods": list(goods), **extra}


def from_dprk(*goods: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"origin": "kp", "destination": "ru", "goods": list(goods), **extra}


def line(code: str, qty: Any = 100, unit: str = "t", **extra: Any) -> dict[str, Any]:
    return {"hs_code": code, "quantity": qty, "unit": unit, **extra}


def outcomes(verdict: Verdict) -> dict[str, set[Outcome]]:
    out: dict[str, set[Outcome]] = {}
    for reason in verdict.reasons:
        out.setdefault(reason.rule_id, set()).add(reason.outcome)
    return out


NOTIFIED = {"evidence": {"notification": "RU-1718-N-1"}}


# --- petroleum ---------------------------------------------------------------------------


def test_gasoline_is_capped_and_reportable(evaluator: Evaluator, nomenclature: hs.Nomenclature) -> None:
    v = check(evaluator, nomenclature, **to_dprk(line("2710.12", product="gasoline"), **NOTIFIED))
    assert v.outcome is C
    capped = [r for r in v.reasons if r.rule_id == "UN-2397-5" and r.outcome is C]
    assert capped and capped[0].citation == "UNSCR 2397 (2017) para 5 [V]" and capped[0].verified
    assert "UN-2270-31" not in outcomes(v)  # gasoline is not aviation fuel


def test_jet_fuel_is_prohibited_outright(evaluator: Evaluator, nomenclature: hs.Nomenclature) -> None:
    v = check(evaluator, nomenclature, **to_dprk(line("2710.19", product="Jet A-1"), **NOTIFIED))
    assert v.outcome is P
    assert P in outcomes(v)["UN-2270-31"]
    reason = next(r for r in v.reasons if r.rule_id == "UN-2270-31" and r.outcome is P)
    assert reason.citation == "UNSCR 2270 (2016) para 31 [V]"
    assert any("HS mapping is this pack's own" in n for n in reason.notes)
    assert not v.charges or v.recorded is False


def test_jet_fuel_for_civil_flights_outside_dprk_is_exempt(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    evidence = {"notification": "N-1", "civil_aircraft_fuel_outside_dprk": "VVO-UPLIFT-22"}
    v = check(evaluator, nomenclature, **to_dprk(line("2710.19", product="jet fuel"), evidence=evidence))
    jet = [r for r in v.reasons if r.rule_id == "UN-2270-31"]
    assert [r.outcome for r in jet] == [OK] and jet[0].exemption == "civil_aircraft_fuel_outside_dprk"
    assert jet[0].exemption_citation.startswith("EX-AVFUEL-CIVIL: UNSCR 2270 (2016) para 31")


def test_undescribed_2710_19_goes_to_review(evaluator: Evaluator, nomenclature: hs.Nomenclature) -> None:
    v = check(evaluator, nomenclature, **to_dprk(line("2710.19", description="petroleum oils"), **NOTIFIED))
    assert R in outcomes(v)["UN-2270-31"] and v.outcome is C
    diesel = check(evaluator, nomenclature, **to_dprk(line("2710.19", product="diesel"), **NOTIFIED))
    assert "UN-2270-31" not in outcomes(diesel)


def test_refined_without_notification_is_non_compliant(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    v = check(evaluator, nomenclature, **to_dprk(line("2710.19", product="diesel")))
    assert v.outcome is P and P in outcomes(v)["UN-2397-5-RPT"]


@pytest.mark.parametrize("code", ["2711.12", "2711.13"])
def test_lpg_counts_at_11_6_barrels_per_tonne(
    evaluator: Evaluator, nomenclature: hs.Nomenclature, code: str
) -> None:
    v = check(
        evaluator,
        nomenclature,
        **to_dprk(
            line(code, 1000, product="LPG"), evidence={"notification": "N", "non_ngl_attestation": "A"}
        ),
    )
    assert v.outcome is C
    assert [c.barrels for c in v.charges] == [11600] and v.charges[0].product == "lpg"
    assert "11.6 bbl/t" in v.charges[0].conversion and "; verified)" in v.charges[0].conversion
    assert outcomes(v)["UN-2375-13"] == {OK}  # attestation seen


def test_lpg_needs_non_ngl_attestation_and_ngl_is_banned(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    v = check(evaluator, nomenclature, **to_dprk(line("2711.12", 1000, product="propane"), **NOTIFIED))
    assert R in outcomes(v)["UN-2375-13"]
    ngl = check(
        evaluator, nomenclature, **to_dprk(line("2711.19", 1000, product="natural gas liquids"), **NOTIFIED)
    )
    assert ngl.outcome is P and P in outcomes(ngl)["UN-2375-13"]
    condensate = check(evaluator, nomenclature, **to_dprk(line("2709.00", 1000, product="gas condensate")))
    assert condensate.outcome is P and "UN-2397-4" not in outcomes(condensate)


def test_diesel_conversion_says_default_unverified(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    v = check(evaluator, nomenclature, **to_dprk(line("2710.19", 3000, product="diesel"), **NOTIFIED))
    assert v.charges[0].barrels == 22500
    assert "7.5 bbl/t" in v.charges[0].conversion and "unverified" in v.charges[0].conversion
    unknown = check(evaluator, nomenclature, **to_dprk(line("2710.19", 1000, description="fuel"), **NOTIFIED))
    assert unknown.charges[0].barrels == 8500 and "conservative default" in unknown.charges[0].conversion


def test_oil_as_payment_for_labour_is_prohibited(evaluator: Evaluator, nomenclature: hs.Nomenclature) -> None:
    v = check(
        evaluator,
        nomenclature,
        type="payment",
        labour=[{"nationality": "kp", "count": 500, "employer": "Stroy LLC"}],
        payment={
            "method": "goods",
            "payment_for": "labour",
            "settlement_goods": [line("2710.19", 1000, product="diesel")],
        },
        evidence={"notification": "N-1"},
    )
    assert v.outcome is P
    settle = [r for r in v.reasons if r.rule_id == "UN-2397-5" and r.outcome is P]
    assert settle and "revenue" in settle[0].message


# --- machinery, vehicles, chemicals, vessels -------------------------------------------------


def test_machinery_from_and_to_the_dprk(evaluator: Evaluator, nomenclature: hs.Nomenclature) -> None:
    out = check(evaluator, nomenclature, **from_dprk(line("8429.52", 3, "pcs")))
    assert out.outcome is P and outcomes(out)["UN-2397-6b"] == {P}
    into = check(evaluator, nomenclature, **to_dprk(line("8429.52", 3, "pcs")))
    assert into.outcome is P and outcomes(into)["UN-2397-7a"] == {P}
    reason = next(r for r in into.reasons if r.rule_id == "UN-2397-7a")
    assert reason.citation == "UNSCR 2397 (2017) para 7 (unverified) [P]" and not reason.verified
    assert "UN-2397-6b" not in outcomes(into) and "UN-2397-7a" not in outcomes(out)


def test_aircraft_spare_parts_exemption_needs_evidence(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    v = check(
        evaluator,
        nomenclature,
        **to_dprk(
            line("8807.30", 5, "pcs"), evidence={"civil_aircraft_spare_parts": "AIR-KORYO-TU204-REQ-7"}
        ),
    )
    assert outcomes(v)["UN-2397-7b"] == {OK}


def test_civil_vs_military_vehicles_from_the_dprk(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    civil = check(evaluator, nomenclature, **from_dprk(line("8703.23", 10, "pcs")))
    assert civil.outcome is R and outcomes(civil)["UN-1874-9"] == {R}
    military = check(evaluator, nomenclature, **from_dprk(line("8710.00", 2, "pcs")))
    assert (
        military.outcome is P
        and outcomes(military)["UN-1874-9"] == {P}
        and outcomes(military)["UN-1718-8b"] == {P}
    )
    # A civil car TO the DPRK is a transportation vehicle: prohibited by 2397 para 7.
    car_in = check(evaluator, nomenclature, **to_dprk(line("8703.23", 1, "pcs")))
    assert car_in.outcome is P and P in outcomes(car_in)["UN-2397-7b"]


def test_organic_chemicals_are_routed_to_review(evaluator: Evaluator, nomenclature: hs.Nomenclature) -> None:
    v = check(evaluator, nomenclature, **from_dprk(line("2905.11", 400)))
    assert v.outcome is R and outcomes(v)["UN-1718-8b"] == {R}


def test_vessels_to_the_dprk_and_sts_transfers(evaluator: Evaluator, nomenclature: hs.Nomenclature) -> None:
    ship = check(evaluator, nomenclature, **to_dprk(line("8901.20", 1, "pcs")))
    assert P in outcomes(ship)["UN-2397-14"]
    sts = check(
        evaluator,
        nomenclature,
        **to_dprk(
            line("2710.19", 100, product="diesel"),
            **NOTIFIED,
            vessels=[
                {"name": "Tanker A", "flag": "pa"},
                {"name": "Chon Ma San", "flag": "kp", "role": "sts_counterparty"},
            ],
        ),
    )
    assert sts.outcome is P and P in outcomes(sts)["UN-2375-11"]


# --- coal through Rajin --------------------------------------------------------------------

RAJIN_EVIDENCE = {"origin_certificate": "CT-1", "advance_notification": "1718/RAJIN/4"}


def rajin(code: str = "2701.12", origin: str = "ru", port: str = "Rajin", **extra: Any) -> dict[str, Any]:
    return {
        "origin": "ru",
        "destination": "cn",
        "ports": {"loading": [port]},
        "goods": [line(code, 50000, origin=origin)],
        **extra,
    }


def test_russian_coal_through_rajin_with_evidence_is_exempt(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    v = check(evaluator, nomenclature, **rajin(evidence=RAJIN_EVIDENCE))
    assert v.outcome is OK
    reason = next(r for r in v.reasons if r.rule_id == "UN-2371-8")
    assert reason.exemption == "rajin_transshipment_non_dprk_coal"
    assert reason.exemption_citation.startswith("EX-RAJIN-COAL: UNSCR 2371 (2017) para 8")
    assert "from_dprk" in v.directions and any(f.kind == "port" and "Rajin" in f.detail for f in v.nexus)


@pytest.mark.parametrize(
    ("kwargs", "missing"),
    [
        ({}, "missing evidence: origin_certificate, advance_notification"),
        ({"evidence": {"origin_certificate": "CT-1"}}, "missing evidence: advance_notification"),
        ({"evidence": RAJIN_EVIDENCE, "origin": "kp"}, "conditions not met"),  # DPRK coal
        ({"evidence": RAJIN_EVIDENCE, "port": "Nampho"}, "loaded at rajin"),
        ({"evidence": RAJIN_EVIDENCE, "code": "2601.11"}, "goods within HS 2701"),  # iron ore: coal only
    ],
)
def test_rajin_without_what_the_exemption_needs_is_prohibited(
    evaluator: Evaluator, nomenclature: hs.Nomenclature, kwargs: dict[str, Any], missing: str
) -> None:
    v = check(evaluator, nomenclature, **rajin(**kwargs))
    assert v.outcome is P
    reason = next(r for r in v.reasons if r.rule_id == "UN-2371-8")
    assert reason.outcome is P and any(missing in n for n in reason.notes), reason.notes


# --- labour, joint ventures, services, payments --------------------------------------------------


def test_workers_and_dates(evaluator: Evaluator, nomenclature: hs.Nomenclature) -> None:
    workers = [{"nationality": "kp", "count": 20000, "employer": "Stroy LLC"}]
    now = check(evaluator, nomenclature, type="contract", labour=workers)
    assert now.outcome is P and outcomes(now)["UN-2397-8"] == {P} and outcomes(now)["UN-2375-17"] == {P}
    expired = next(r for r in now.reasons if r.rule_id == "UN-2375-17")
    assert expired.exemption == "" and any(
        "prior_contract_labour" in n and "not available on 2022-11-01" in n for n in expired.notes
    )
    # In 2018 the repatriation deadline had not passed and a pre-2375 contract was still excepted.
    then = check(
        evaluator,
        nomenclature,
        type="contract",
        date="2018-06-01",
        labour=workers,
        evidence={"prior_contract": "2016 contract 12"},
    )
    assert outcomes(then)["UN-2397-8"] == {R} and outcomes(then)["UN-2375-17"] == {OK}
    assert then.outcome is R


def test_grandfathering_windows_have_expired(evaluator: Evaluator, nomenclature: hs.Nomenclature) -> None:
    textiles = from_dprk(line("6203.42", 1000, "pcs"), evidence={"prior_contract": "C-2017-08"})
    in_window = check(evaluator, nomenclature, date="2017-11-01", **textiles)
    assert outcomes(in_window)["UN-2375-16"] == {OK}
    later = check(evaluator, nomenclature, date="2022-11-01", **textiles)
    reason = next(r for r in later.reasons if r.rule_id == "UN-2375-16")
    assert reason.outcome is P and any("no longer applies from 2017-12-11" in n for n in reason.notes)


def test_superseded_caps_apply_in_their_own_period(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    v = check(evaluator, nomenclature, date="2017-11-15", **to_dprk(line("2710.19", 100, product="diesel")))
    assert [(c.cap_id, c.period) for c in v.charges] == [("UN-2375-14", "2017-10-01/2017-12-31")]
    assert "UN-2397-5" not in outcomes(v)
    before_caps = check(
        evaluator, nomenclature, date="2016-06-01", **to_dprk(line("2710.19", 100, product="diesel"))
    )
    assert before_caps.charges == [] and before_caps.outcome is OK


def test_joint_ventures_and_the_rajin_khasan_carve_out(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    jv = {"name": "Primorye-Korea Seafood JV", "partners": [{"name": "Partner", "country": "kp"}]}
    banned = check(evaluator, nomenclature, type="contract", joint_ventures=[jv])
    assert banned.outcome is P and outcomes(banned)["UN-2375-18"] == {P}
    carve = {"name": "RasonConTrans", "project": "rajin_khasan", "purpose": "russia_origin_coal_export"}
    assert check(evaluator, nomenclature, type="contract", joint_ventures=[carve]).outcome is OK
    containers = {**carve, "purpose": "container_transit"}  # the carve-out is for coal only
    assert check(evaluator, nomenclature, type="contract", joint_ventures=[containers]).outcome is P


def test_trade_office_and_tourism_are_review(evaluator: Evaluator, nomenclature: hs.Nomenclature) -> None:
    office = check(
        evaluator,
        nomenclature,
        type="contract",
        parties=[{"name": "Ministry of External Economic Relations", "role": "other", "country": "kp"}],
        services=[{"kind": "trade_office", "location": "ru", "city": "Vladivostok"}],
    )
    assert office.outcome is R and {"UN-2375-18", "UN-2321-DIPL", "US-EO13722"} <= set(outcomes(office))
    with_staff = check(
        evaluator,
        nomenclature,
        type="contract",
        services=[{"kind": "trade_office", "location": "ru"}],
        labour=[{"nationality": "kp", "count": 12, "employer": "Trade office"}],
    )
    assert with_staff.outcome is P
    tour = check(
        evaluator,
        nomenclature,
        type="contract",
        services=[{"kind": "tourism", "location": "kp", "city": "Wonsan-Kalma"}],
    )
    assert tour.outcome is R and {"UN-2375-18", "UN-2094-11", "UN-1718-8a3"} <= set(outcomes(tour))
    assert outcomes(tour)["US-TRAVEL-RESTRICTION"] == {OK}  # no US nexus: shown, not binding


def test_trade_finance_needs_committee_approval(evaluator: Evaluator, nomenclature: hs.Nomenclature) -> None:
    flour = line("1101.00", 1000, description="wheat flour")
    plain = check(evaluator, nomenclature, **to_dprk(flour))
    assert plain.outcome is OK
    financed = check(
        evaluator,
        nomenclature,
        **to_dprk(flour, payment={"method": "letter_of_credit", "finance": ["letter_of_credit"]}),
    )
    assert financed.outcome is L and outcomes(financed)["UN-2321-32"] == {L}
    approved = check(
        evaluator,
        nomenclature,
        **to_dprk(
            flour, payment={"finance": ["export_credit"]}, evidence={"committee_approval": "1718/EX/22"}
        ),
    )
    assert approved.outcome is OK


def test_us_and_eu_nexus(evaluator: Evaluator, nomenclature: hs.Nomenclature) -> None:
    flour = line("1101.00", 1000, description="wheat flour")
    usd = check(evaluator, nomenclature, **to_dprk(flour, payment={"method": "wire", "currency": "USD"}))
    assert usd.outcome is L and outcomes(usd)["US-EO13722"] == {L}
    german = check(
        evaluator,
        nomenclature,
        **to_dprk(
            line("8479.89", 1, "pcs"),
            parties=[{"name": "Maschinen GmbH", "role": "exporter", "country": "de"}],
        ),
    )
    assert P in outcomes(german)["EU-2016-849-9E"]
    russian = check(evaluator, nomenclature, **to_dprk(line("8479.89", 1, "pcs")))
    assert "EU-2016-849-9E" not in outcomes(russian)


def test_military_end_user_catch_all(evaluator: Evaluator, nomenclature: hs.Nomenclature) -> None:
    kpa = [{"name": "Korean People's Army", "role": "end_user"}]
    trucks_tyres = check(evaluator, nomenclature, **to_dprk(line("4011.20", 100, "pcs"), parties=kpa))
    assert outcomes(trucks_tyres)["UN-2270-8"] == {P}
    food = check(evaluator, nomenclature, **to_dprk(line("1101.00", 100), parties=kpa))
    assert outcomes(food)["UN-2270-8"] == {OK}


def test_chpl_applies_only_from_its_version_date(evaluator: Evaluator, nomenclature: hs.Nomenclature) -> None:
    chips = {"origin": "cn", "destination": "ru", "goods": [line("8542.31", 1000, "pcs")]}
    recent = check(evaluator, nomenclature, date="2024-06-01", **chips)
    assert recent.outcome is R and outcomes(recent)["RU-CHPL-T1"] == {R}
    reason = next(r for r in recent.reasons if r.rule_id == "RU-CHPL-T1")
    assert "(unverified)" in reason.citation and reason.verification == "P"
    assert "RU-CHPL-T1" not in outcomes(check(evaluator, nomenclature, date="2022-11-01", **chips))


# --- nexus not stated ----------------------------------------------------------------------------


def test_dprk_nexus_found_from_port_flag_address_and_bank(
    evaluator: Evaluator, nomenclature: hs.Nomenclature
) -> None:
    diesel = line("2710.19", 500, product="diesel")
    port = check(
        evaluator,
        nomenclature,
        origin="ru",
        destination="cn",
        ports={"discharge": ["Namp'o"]},
        goods=[diesel],
    )
    assert "to_dprk" in port.directions and port.outcome is P  # no notification -> non-compliant
    flag = check(
        evaluator, nomenclature, origin="ru", goods=[diesel], vessels=[{"name": "Yu Jong 2", "flag": "kp"}]
    )
    assert "to_dprk" in flag.directions and R in outcomes(flag)["UN-2270-19-20"]
    address = check(
        evaluator,
        nomenclature,
        origin="ru",
        goods=[line("8429.52", 1, "pcs")],
        parties=[{"name": "Some Buyer", "role": "consignee", "address": "Potonggang District, Pyongyang"}],
    )
    assert "to_dprk" in address.directions and P in outcomes(address)["UN-2397-7a"]
    bank = check(
        evaluator,
        nomenclature,
        origin="ru",
        destination="cn",
        goods=[line("1101.00", 10)],
        payment={
            "method": "wire",
            "banks": [{"name": "Foreign Trade Bank of the DPRK", "role": "correspondent"}],
        },
    )
    assert bank.outcome is P and outcomes(bank)["UN-2270-33-35"] == {P}
    pattern = check(
        evaluator,
        nomenclature,
        type="contract",
        parties=[{"name": "Korea Rungrado General Trading Corp", "role": "other"}],
    )
    assert pattern.outcome is R and outcomes(pattern)["UN-LIST"] == {R}
    assert [f.strength for f in pattern.nexus] == ["weak"]
    south = check(
        evaluator,
        nomenclature,
        type="contract",
        parties=[{"name": "Korea Electric Power Corporation", "role": "other"}],
    )
    assert south.outcome is OK and south.nexus == []
    plain = check(evaluator, nomenclature, origin="ru", destination="cn", goods=[diesel])
    assert plain.directions == () and plain.outcome is OK and plain.reasons == []


# --- screening -----------------------------------------------------------------------------------


def vessel_entity() -> Entity:
    name = make_name("CHON MA SAN")
    assert name is not None
    return Entity(
        id="un:vessel-chon-ma-san",
        source="un",
        schema="Vessel",
        names=[name],
        list_ref="1718-VSL-TEST",
        identifiers=[Identifier("imo", "IMO 8660313")],
        programs=["DPRK"],
    )


def test_listed_vessel_under_a_new_name_is_found_by_imo(nomenclature: hs.Nomenclature) -> None:
    ev = Evaluator(
        default_rulebook(), hs=nomenclature, screener=ExactNameScreener.from_entities([vessel_entity()])
    )
    assert isinstance(ev.screener, PartyScreener)
    renamed = check(
        ev,
        nomenclature,
        **to_dprk(line("1101.00", 10), vessels=[{"name": "SEA BREEZE 7", "imo": "8660313", "flag": "sl"}]),
    )
    assert renamed.outcome is P
    assert {"UN-LIST", "UN-2371-VSL"} <= {r.rule_id for r in renamed.reasons if r.outcome is P}
    hit = renamed.screening[-1].hits[0]
    assert hit.entity_id == "un:vessel-chon-ma-san" and "IMO 8660313" in hit.explanation
    other = check(
        ev, nomenclature, **to_dprk(line("1101.00", 10), vessels=[{"name": "SEA BREEZE 7", "imo": "9312042"}])
    )
    assert other.outcome is OK


def test_listed_party_asset_freeze_and_humanitarian_carve_out(nomenclature: hs.Nomenclature) -> None:
    names = [make_name("KOREA RYONBONG GENERAL CORPORATION"), make_name("RYONBONG", NameKind.ALIAS)]
    un = Entity(
        id="un:KPe.TEST",
        source="un",
        schema="Organization",
        names=[n for n in names if n],
        list_ref="KPe.TEST",
    )
    ofac = Entity(
        id="ofac:1",
        source="ofac-sdn",
        schema="Company",
        names=[n for n in [make_name("Mokran LLC")] if n],
        programs=["DPRK3"],
    )
    ev = Evaluator(default_rulebook(), hs=nomenclature, screener=ExactNameScreener.from_entities([un, ofac]))
    flour = line("1101.00", 10)
    v = check(
        ev,
        nomenclature,
        **to_dprk(flour, parties=[{"name": "Ryonbong", "role": "importer", "country": "kp"}]),
    )
    assert v.outcome is P and outcomes(v)["UN-1718-8d"] == {P} and outcomes(v)["UN-2270-32"] == {P}
    carve_out = {
        "parties": [{"name": "Ryonbong", "role": "importer"}],
        "evidence": {"humanitarian_exemption": "IAN7-22"},
    }
    human = check(ev, nomenclature, date="2023-03-01", **to_dprk(flour, **carve_out))
    assert outcomes(human)["UN-1718-8d"] == {OK}
    # Res. 2664 was adopted on 9 Dec 2022: before that the carve-out did not exist.
    assert outcomes(check(ev, nomenclature, date="2022-11-01", **to_dprk(flour, **carve_out)))[
        "UN-1718-8d"
    ] == {P}
    us = check(
        ev,
        nomenclature,
        type="contract",
        parties=[{"name": "MOKRAN, L.L.C.", "role": "employer", "country": "ru"}],
    )
    assert us.outcome is P and outcomes(us)["US-OFAC-TAGS"] == {P} and "US-OFAC-SDN" not in outcomes(us)


def test_unverified_paragraphs_are_always_marked(evaluator: Evaluator, nomenclature: hs.Nomenclature) -> None:
    v = check(
        evaluator,
        nomenclature,
        **to_dprk(line("8429.52", 1, "pcs"), line("2710.19", 5), labour=[{"nationality": "kp", "count": 3}]),
    )
    assert v.reasons
    for reason in v.reasons:
        assert reason.verified == (reason.verification == "V")
        assert ("(unverified)" in reason.citation) == (not reason.verified), reason.citation
