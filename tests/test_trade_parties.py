"""Every party is screened, whatever its script (issue 8's defect): party identity
is the normalised name in any script with schema, country and identifiers, never an
empty key; a listed party written in Cyrillic or Hangul makes the verdict PROHIBITED
in any position; DPRK-nexus indicators fire on Hangul and Cyrillic names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from corridor.errors import ParseError
from corridor.model import Entity, make_name
from corridor.trade import hs
from corridor.trade.evaluate import Evaluator, Verdict
from corridor.trade.rules import Outcome, default_rulebook
from corridor.trade.screening import ExactNameScreener, PartyHit
from corridor.trade.transaction import parse_transaction


class RecordingScreener:
    """A PartyScreener that hits nothing and records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str | None]] = []

    def screen(
        self, name: str, schema: str, *, country: str | None = None, imo: str | None = None
    ) -> list[PartyHit]:
        self.calls.append((name, schema, country))
        return []


@pytest.fixture(scope="module")
def nomenclature(shared_data: Path) -> hs.Nomenclature:
    return hs.load(shared_data / "hs")


def flour(*parties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": "P-1",
        "type": "shipment",
        "date": "2024-05-01",
        "origin": "ru",
        "destination": "cn",
        "parties": list(parties),
        "goods": [{"hs_code": "1101.00", "quantity": 100, "unit": "t"}],
        **extra,
    }


def run(ev: Evaluator, nomenclature: hs.Nomenclature, data: dict[str, Any]) -> Verdict:
    return ev.check(parse_transaction(data, nomenclature))


def test_two_cyrillic_parties_are_both_screened(nomenclature: hs.Nomenclature) -> None:
    fake = RecordingScreener()
    ev = Evaluator(default_rulebook(), hs=nomenclature, screener=fake)
    verdict = run(
        ev,
        nomenclature,
        flour(
            {"name": "ООО Бета", "role": "exporter", "country": "ru"},
            {"name": "ООО Алис", "role": "importer", "country": "ru"},
        ),
    )
    assert [c[0] for c in fake.calls] == ["ООО Бета", "ООО Алис"]
    assert [s.name for s in verdict.screening] == ["ООО Бета", "ООО Алис"]


def test_hangul_parties_and_same_party_twice(nomenclature: hs.Nomenclature) -> None:
    fake = RecordingScreener()
    ev = Evaluator(default_rulebook(), hs=nomenclature, screener=fake)
    run(
        ev,
        nomenclature,
        flour(
            {"name": "조선무역", "role": "exporter"},
            {"name": "김영복", "role": "importer", "schema": "Person"},
            # the same party again (case, spacing) is screened once ...
            {"name": "ооо  БЕТА", "role": "consignee", "country": "ru"},
            {"name": "ООО Бета", "role": "end_user", "country": "ru"},
            # ... but the same name in another country is another party
            {"name": "ООО Бета", "role": "notify_party", "country": "kz"},
        ),
    )
    assert fake.calls == [
        ("조선무역", "LegalEntity", None),
        ("김영복", "Person", None),
        ("ооо БЕТА", "LegalEntity", "ru"),
        ("ООО Бета", "LegalEntity", "kz"),
    ]


def test_identifiers_are_part_of_the_identity(nomenclature: hs.Nomenclature) -> None:
    fake = RecordingScreener()
    ev = Evaluator(default_rulebook(), hs=nomenclature, screener=fake)
    verdict = run(
        ev,
        nomenclature,
        flour(
            {"name": "ООО Бета", "role": "exporter", "identifiers": {"inn": "2540000001"}},
            {"name": "ООО Бета", "role": "importer", "identifiers": ["inn:2540000002"]},
            {"name": "ООО  бета", "role": "consignee", "identifiers": ["INN:2540000002"]},
        ),
    )
    # two parties (the third is the second again); the engine is asked once per query
    assert [s.subject for s in verdict.screening] == [
        "party 'ООО Бета' (exporter)",
        "party 'ООО Бета' (importer)",
    ]
    assert fake.calls == [("ООО Бета", "LegalEntity", None)]


@pytest.mark.parametrize("name", ["...", "—", "« »", "\u200b"])
def test_a_name_with_nothing_to_screen_is_an_input_error(nomenclature: hs.Nomenclature, name: str) -> None:
    data = flour({"name": "ООО Бета", "role": "exporter"}, {"name": name, "role": "importer"})
    with pytest.raises(ParseError) as info:
        parse_transaction(data, nomenclature)
    assert info.value.where == "field parties[1].name"


def _listed(name: str, schema: str = "Company") -> Entity:
    primary = make_name(name)
    assert primary is not None
    return Entity(
        id="uk:99001",
        source="uk",
        schema=schema,
        names=[primary],
        programs=["Russia"],
        list_ref="RUS9999",
    )


@pytest.mark.parametrize("position", [0, 1, 2])
def test_a_cyrillic_listed_party_prohibits_in_any_position(
    nomenclature: hs.Nomenclature, position: int
) -> None:
    screener = ExactNameScreener.from_entities([_listed("ТОО ЗАПЧАСТЬ ТРЕЙД")])
    ev = Evaluator(default_rulebook(), hs=nomenclature, screener=screener)
    parties: list[dict[str, Any]] = [
        {"name": "ООО Бета", "role": "exporter", "country": "ru"},
        {"name": "ООО Алис", "role": "importer", "country": "ru"},
        {"name": "Vostok Logistics LLC", "role": "consignee", "country": "ru"},
    ]
    parties[position] = {**parties[position], "name": "ТОО «Запчасть Трейд»"}
    verdict = run(ev, nomenclature, flour(*parties))
    assert verdict.outcome is Outcome.PROHIBITED
    assert any(r.rule_id.startswith("UK-") and "ЗАПЧАСТЬ" in r.subject for r in verdict.reasons)


@pytest.fixture(scope="module")
def uk_parties(shared_data: Path) -> Any:
    """The real screening engine over the UK ConList of 2025-04-14."""
    from corridor.match import Screener
    from corridor.services.screening import ScreenerParties
    from corridor.sources import parse

    entities = list(parse(shared_data / "uk/ofsi_conlist_2025-04-14/ConList.xlsx").entities)
    programs = {e.id: tuple(e.programs) for e in entities}
    return ScreenerParties(Screener.from_entities(entities), programs)


def test_kim_yong_bok_in_hangul_as_second_party(nomenclature: hs.Nomenclature, uk_parties: Any) -> None:
    ev = Evaluator(default_rulebook(), hs=nomenclature, screener=uk_parties)
    verdict = run(
        ev,
        nomenclature,
        flour(
            {"name": "ООО Бета", "role": "exporter", "country": "ru"},
            {"name": "김영복", "role": "importer", "schema": "Person"},
        ),
    )
    assert verdict.outcome is Outcome.PROHIBITED
    kim = next(s for s in verdict.screening if s.name == "김영복")
    assert any(h.entity_id == "uk:16816" for h in kim.hits)
    assert any(r.outcome is Outcome.PROHIBITED and "김영복" in r.subject for r in verdict.reasons)


def test_a_cyrillic_uk_listed_company_as_third_party(nomenclature: hs.Nomenclature, uk_parties: Any) -> None:
    ev = Evaluator(default_rulebook(), hs=nomenclature, screener=uk_parties)
    verdict = run(
        ev,
        nomenclature,
        flour(
            {"name": "ООО Бета", "role": "exporter", "country": "ru"},
            {"name": "ООО Алис", "role": "importer", "country": "ru"},
            {"name": "ТОО ЗАПЧАСТЬ ТРЕЙД", "role": "consignee", "country": "kz"},
        ),
    )
    assert verdict.outcome is Outcome.PROHIBITED
    third = next(s for s in verdict.screening if s.name == "ТОО ЗАПЧАСТЬ ТРЕЙД")
    assert any(h.entity_id == "uk:16636" for h in third.hits)


@pytest.mark.parametrize(
    ("party", "indicator", "rule_id"),
    [
        # Hangul, run together as DPRK documents write it
        ({"name": "조선인민군 제2경제위원회", "role": "end_user"}, "dprk_military", "UN-2270-8"),
        ({"name": "조선무역은행", "role": "beneficiary_bank"}, "dprk_bank", "UN-2270-33-35"),
        ({"name": "대외경제성", "role": "importer"}, "dprk_state_body", "UN-LIST"),
        ({"name": "조선릉라도무역총회사", "role": "importer"}, "dprk_name", "UN-LIST"),
        # Cyrillic
        (
            {"name": "Министерство внешнеэкономических связей КНДР", "role": "importer"},
            "dprk_state_body",
            "UN-LIST",
        ),
        ({"name": "ООО Альфа", "role": "importer", "address": "Пхеньян, район Мангёндэ"}, "dprk_address", ""),
    ],
)
def test_nexus_indicators_fire_on_non_latin_names(
    nomenclature: hs.Nomenclature, party: dict[str, Any], indicator: str, rule_id: str
) -> None:
    ev = Evaluator(default_rulebook(), hs=nomenclature)
    data = flour({"name": "ООО Бета", "role": "exporter", "country": "ru"}, party)
    data["payment"] = {"method": "wire", "currency": "RUB"}
    tx = parse_transaction(data, nomenclature)
    found = ev.nexus_data.party_indicators(tx.parties[1])
    assert indicator in found.indicators, found
    verdict = ev.check(tx)
    assert any(f.kind == "party" and f.subject.startswith(f"party {party['name']!r}") for f in verdict.nexus)
    if rule_id:
        assert rule_id in verdict.rule_ids
    # the receiving party is a DPRK party: the goods go to the DPRK
    if found.dprk and party["role"] in ("importer", "end_user"):
        assert "to_dprk" in verdict.directions


def test_a_generic_russian_ministry_needs_dprk_context(nomenclature: hs.Nomenclature) -> None:
    ev = Evaluator(default_rulebook(), hs=nomenclature)
    plain = parse_transaction(
        flour({"name": "Министерство внешнеэкономических связей", "role": "importer", "country": "by"}),
        nomenclature,
    )
    assert not ev.nexus_data.party_indicators(plain.parties[0]).indicators
    dprk = parse_transaction(
        flour({"name": "Министерство внешнеэкономических связей", "role": "importer", "country": "kp"}),
        nomenclature,
    )
    assert "dprk_state_body" in ev.nexus_data.party_indicators(dprk.parties[0]).indicators
