"""The facts a check derives once per transaction, shared by every trigger kind.

`build_context(tx, nexus)` finds the DPRK nexus a transaction states or does not
state (DPRK ports, DPRK-flagged carriers, DPRK parties by country, address, bank or
state body, DPRK-origin goods), the directions (to_dprk / from_dprk) it gives the
goods, and the US/EU/UK jurisdiction signals.  Policy data (which countries make an
EU nexus, which projects are DPRK projects) comes from `dprk_nexus.yaml`; role
groups come from the vocabularies.  Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from corridor.trade.ledger import CapCharge
from corridor.trade.nexus import NexusData, NexusFinding, PartyIndicators
from corridor.trade.transaction import JointVenture, Party, Transaction
from corridor.trade.verdict import Reason, ScreeningResult
from corridor.trade.vocabularies import vocabularies


@dataclass(slots=True)
class Context:
    """Facts derived once per transaction and shared by the trigger kinds."""

    tx: Transaction
    directions: set[str]
    nexus: list[NexusFinding]
    indicators: dict[int, PartyIndicators]  # party index -> indicators
    dprk_parties: set[int]
    jurisdictions: dict[str, bool]  # us / eu / uk -> the transaction has that nexus
    loading_keys: set[str]
    dprk_port_call: bool
    touched: set[str]  # countries the transaction touches
    destinations: set[str]
    has_dprk_vessel: bool
    has_sts: bool
    dprk_bank: bool
    nexus_data: NexusData
    screening: list[ScreeningResult] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    charges: list[CapCharge] = field(default_factory=list)

    @property
    def has_dprk_nexus(self) -> bool:
        return bool(self.directions) or any(f.strength == "strong" for f in self.nexus)

    def has_jurisdiction(self, nexus: str) -> bool:
        """Whether a rule scoped to `nexus` (us / eu / uk; "any" always) binds here."""
        return self.jurisdictions.get(nexus, True)

    def jv_dprk(self, jv: JointVenture) -> bool:
        return jv_dprk(jv, self.nexus_data)


def party_label(party: Party) -> str:
    country = f", {party.country.upper()}" if party.country else ""
    return f"party {party.name!r} ({party.role}{country})"


def jv_dprk(jv: JointVenture, nexus: NexusData) -> bool:
    """A joint venture with a DPRK partner, or on a project the nexus data names."""
    if jv.project in nexus.dprk_projects:
        return True
    return any(p.country == "kp" or nexus.party_indicators(p).dprk for p in jv.partners)


def build_context(tx: Transaction, nexus_data: NexusData) -> Context:
    roles = vocabularies().role_groups
    receiving, sending, banks = roles["receiving"], roles["sending"], roles["bank"]
    nexus: list[NexusFinding] = []
    directions: set[str] = set()
    if tx.destination == "kp":
        directions.add("to_dprk")
        nexus.append(NexusFinding("destination", "transaction", "destination is the DPRK", stated=True))
    if tx.origin == "kp":
        directions.add("from_dprk")
        nexus.append(NexusFinding("origin", "transaction", "origin is the DPRK", stated=True))
    loading_keys: set[str] = set()
    port_countries: set[str] = set()
    dprk_port_call = False
    for label, ports, dirs in (
        ("loading", tx.loading, ("from_dprk",)),
        ("discharge", tx.discharge, ("to_dprk",)),
        ("transshipment", tx.transshipment, ("to_dprk", "from_dprk")),
    ):
        for i, port in enumerate(ports):
            key, country = nexus_data.port(port)
            if label == "loading" and key:
                loading_keys.add(key)
            if country:
                port_countries.add(country)
            if country == "kp":
                dprk_port_call = True
                stated = (label == "discharge" and tx.destination == "kp") or (
                    label == "loading" and tx.origin == "kp"
                )
                nexus.append(
                    NexusFinding(
                        "port",
                        f"ports.{label}[{i}] {port.name!r}",
                        f"{port.name} is a DPRK port",
                        stated=stated,
                    )
                )
                directions.update(dirs)
    indicators: dict[int, PartyIndicators] = {}
    dprk_parties: set[int] = set()
    dprk_bank = False
    for i, party in enumerate(tx.parties):
        ind = nexus_data.party_indicators(party)
        indicators[i] = ind
        if "dprk_bank" in ind.indicators and (party.role in banks or party.role.endswith("_bank")):
            dprk_bank = True
        if ind.indicators:
            strength = "strong" if ind.dprk else "weak"
            nexus.append(NexusFinding("party", party_label(party), "; ".join(ind.details), strength=strength))
        if party.country == "kp" or ind.dprk:
            dprk_parties.add(i)
            if party.role in receiving and "to_dprk" not in directions:
                directions.add("to_dprk")
                nexus.append(NexusFinding("party", party_label(party), "a DPRK party receives the goods"))
            if party.role in sending and "from_dprk" not in directions:
                directions.add("from_dprk")
                nexus.append(NexusFinding("party", party_label(party), "a DPRK party supplies the goods"))
    has_dprk_vessel = False
    for vessel in tx.vessels:
        if vessel.flag == "kp":
            has_dprk_vessel = True
            nexus.append(NexusFinding("flag", f"vessel {vessel.name!r}", "DPRK-flagged vessel"))
            if (
                vessel.role == "carrier"
                and tx.destination is None
                and tx.goods
                and "to_dprk" not in directions
            ):
                directions.add("to_dprk")
                nexus.append(
                    NexusFinding(
                        "flag",
                        f"vessel {vessel.name!r}",
                        "goods on a DPRK-flagged carrier with no stated destination: treated as going to the DPRK",
                    )
                )
    for entry in tx.labour:
        if entry.nationality == "kp":
            nexus.append(
                NexusFinding("labour", f"labour ({entry.count:,} workers)", "DPRK nationals", stated=True)
            )
    for jv in tx.joint_ventures:
        if jv_dprk(jv, nexus_data):
            nexus.append(
                NexusFinding("joint_venture", f"joint venture {jv.name!r}", "a DPRK partner", stated=True)
            )
    for service in tx.services:
        if service.location == "kp":
            nexus.append(
                NexusFinding("service", f"service {service.kind}", "provided in the DPRK", stated=True)
            )
    for line in tx.goods:
        if (
            line.origin == "kp"
            and tx.destination != "kp"
            and "from_dprk" not in directions
            and line.direction is None
        ):
            directions.add("from_dprk")
            nexus.append(NexusFinding("origin", line.label, "goods of DPRK origin"))
    goods_origins = {g.origin for g in tx.goods if g.origin}
    ends = {c for c in (tx.origin, tx.destination) if c}
    touched = (
        ends
        | port_countries
        | goods_origins
        | {p.country for p in tx.parties if p.country and p.role in (receiving | sending)}
    )
    destinations = ({tx.destination} if tx.destination else set()) | {
        c for p in tx.discharge if (c := nexus_data.port(p)[1])
    }
    return Context(
        tx=tx,
        directions=directions,
        nexus=nexus,
        indicators=indicators,
        dprk_parties=dprk_parties,
        jurisdictions=_jurisdictions(tx, nexus_data, goods_origins, ends),
        loading_keys=loading_keys,
        dprk_port_call=dprk_port_call,
        touched=touched,
        destinations=destinations,
        has_dprk_vessel=has_dprk_vessel,
        has_sts=any(v.sts or v.role == "sts_counterparty" for v in tx.vessels),
        dprk_bank=dprk_bank,
        nexus_data=nexus_data,
    )


def _jurisdictions(
    tx: Transaction, nexus_data: NexusData, goods_origins: set[str], ends: set[str]
) -> dict[str, bool]:
    """us / eu / uk nexus: stated on the transaction, else derived from the signals
    each jurisdiction lists in the nexus data (its countries and currencies)."""
    stated = {"us": tx.us_nexus, "eu": tx.eu_nexus, "uk": tx.uk_nexus}
    currency = tx.payment.currency if tx.payment else ""
    party_countries = {p.country for p in tx.parties if p.country}
    places = {"party": party_countries, "goods_origin": goods_origins, "origin_destination": ends}
    out: dict[str, bool] = {}
    for key, rule in nexus_data.jurisdictions.items():
        if stated.get(key) is not None:
            out[key] = bool(stated[key])
            continue
        seen: set[str] = set().union(*(places[signal] for signal in rule.signals))
        out[key] = bool(currency and currency in rule.currencies) or bool(seen & rule.countries)
    for key, value in stated.items():
        out.setdefault(key, bool(value))
    return out
