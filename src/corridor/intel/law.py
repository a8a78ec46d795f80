"""Activities as hypothetical transactions for the trade rule packs.

A report says "North Korea imports Russian gasoline", "20,000–50,000 workers",
"paid in oil", "trade offices in Vladivostok".  Each becomes one transaction dict in
the documented transaction format (docs/trade.md, `corridor.trade.transaction`), so
the rule packs say what applies, with their citations and verification marks:

    goods shipment   one per goods fact and direction: origin/destination RU/KP, the
                     goods' check code (gasoline 2710.12, LPG 2711.19...), the quantity
                     the report gives (in t, bbl, kg, l, kl, m3) or 1 t to test the rules
    labour           a contract with DPRK nationals (the report's count, else 1), site
    payment_in_kind  labour paid with the petroleum the report names
    service          trade office / tourism / financial at the report's place
    joint_venture    a venture with a DPRK partner
    sts              a ship-to-ship transfer of the goods named, with the vessels named
    arms             munitions (HS 93.06) in the report's direction (default DPRK → Russia)

The parties named with an activity go into the transaction, so a listed one is caught
by the evaluator's own screening.  The transaction is hypothetical: it tests what the
law says about what the report describes; it is not evidence that it happened.

Pure, no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from corridor.intel.model import DateRef, Document, Fact, Quantity

_TRADE_UNITS = {"t", "bbl", "kg", "l", "kl", "m3"}
_PETROLEUM = ("2709", "2710", "2711")
_COUNTRY = {"to_dprk": ("RU", "KP"), "from_dprk": ("KP", "RU")}
_PARTY_SCHEMA = {
    "Person": "Person",
    "Company": "Company",
    "Organization": "Organization",
    "PublicBody": "Organization",
}


@dataclass(frozen=True, slots=True)
class Hypothesis:
    """One activity of a report put as a transaction."""

    activity: str  # fact key, or "goods:<id>:<direction>"
    description: str
    transaction: dict[str, Any]


def _date(dates: Sequence[DateRef], doc: Document) -> str:
    day: dt.date = dates[0].start if dates else doc.report_date
    return day.isoformat()


def _amount(quantity: Quantity | None) -> tuple[str, str, str]:
    """(quantity, unit, note) for a goods line."""
    if quantity is not None and quantity.unit in _TRADE_UNITS:
        return str(quantity.high), quantity.unit, ""
    return "1", "t", " (quantity not stated: 1 t to test the rules)"


def _line(goods: dict[str, Any], origin: str, quantity: Quantity | None = None) -> tuple[dict[str, Any], str]:
    amount, unit, note = _amount(quantity)
    line: dict[str, Any] = {
        "hs_code": goods["code"],
        "description": goods["label"],
        "quantity": amount,
        "unit": unit,
        "origin": origin,
    }
    if goods.get("product"):
        line["product"] = goods["product"]
    return line, note


def _parties(
    parties: Sequence[dict[str, Any]], state_bodies: Sequence[Fact], role: str
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for party in parties:
        schema = _PARTY_SCHEMA.get(party.get("schema", ""), "")
        if not schema or party["name"] in seen:
            continue
        seen.add(party["name"])
        out.append({"name": party["name"], "role": role, "schema": schema})
    for body in state_bodies:
        if body.label not in seen:
            seen.add(body.label)
            out.append({"name": body.label, "role": role, "country": "KP", "schema": "Organization"})
    return out


def _count(counts: Sequence[Quantity]) -> int:
    return int(max((q.high for q in counts), default=Decimal(1)))


def _place(places: Sequence[dict[str, Any]], country: str) -> str:
    return next((p["name"] for p in places if p["country"] == country), "")


def hypotheses(doc: Document, facts: Sequence[Fact], tx_prefix: str = "report") -> list[Hypothesis]:
    """The report's activities and traded goods as transactions (see the module doc)."""
    out: list[Hypothesis] = []
    # State bodies named as DPRK agencies: the DPRK side of offices and labour.
    kp_bodies = [
        f for f in facts if f.kind == "entity" and f.attrs.get("schema") == "PublicBody" and _dprk_context(f)
    ]
    goods_facts = [f for f in facts if f.kind == "goods"]
    for fact in goods_facts:
        for direction in fact.attrs.get("directions", []):
            origin, destination = _COUNTRY[direction]
            goods_dates: list[DateRef] = list(fact.attrs.get("dates") or [])
            line, note = _line(fact.attrs, origin, fact.attrs.get("quantity"))
            arrow = "Russia → DPRK" if direction == "to_dprk" else "DPRK → Russia"
            out.append(
                Hypothesis(
                    f"goods:{fact.attrs['goods_id']}:{direction}",
                    f"{fact.label} (HS {fact.attrs['heading']}), {arrow}{note}",
                    {
                        "id": f"{tx_prefix}-goods-{fact.attrs['goods_id']}-{direction}",
                        "type": "shipment",
                        "date": _date(goods_dates, doc),
                        "description": f"{fact.label} as the report describes it",
                        "origin": origin,
                        "destination": destination,
                        "goods": [line],
                    },
                )
            )
    for fact in facts:
        if fact.kind != "activity":
            continue
        attrs = fact.attrs
        check = attrs["check"]
        dates: list[DateRef] = attrs.get("dates", [])
        places: list[dict[str, Any]] = attrs.get("places", [])
        parties: list[dict[str, Any]] = attrs.get("parties", [])
        goods: list[dict[str, Any]] = attrs.get("goods", [])
        counts: list[Quantity] = attrs.get("counts", [])
        tx: dict[str, Any] = {"id": f"{tx_prefix}-{attrs['activity']}", "date": _date(dates, doc)}
        description = fact.label
        if check == "labour":
            site = _place(places, "ru")
            tx.update(
                type="contract",
                description="DPRK workers as the report describes them",
                labour=[{"nationality": "KP", "count": _count(counts), "site": site, "income_earning": True}],
                parties=_parties(parties, kp_bodies, "intermediary"),
            )
            description = f"labour dispatch: {_count(counts):,} DPRK workers" + (
                f" at {site}" if site else ""
            )
        elif check == "payment_in_kind":
            oil = [g for g in goods if g["heading"] in _PETROLEUM]
            lines = [_line(g, "RU")[0] for g in oil]
            tx.update(
                type="payment",
                description="DPRK labour paid with Russian petroleum",
                labour=[
                    {"nationality": "KP", "count": _count(_report_counts(facts)), "income_earning": True}
                ],
                payment={"method": "goods", "payment_for": "labour", "settlement_goods": lines},
            )
            description = "payment in kind: " + ", ".join(g["label"] for g in oil)
        elif check == "service":
            kind = attrs["service_kind"]
            country = "RU" if kind == "trade_office" else "KP"
            city = _place(places, country.lower())
            tx.update(
                type="contract",
                description=f"{fact.label} as the report describes it",
                services=[{"kind": kind, "location": country, "city": city}],
                parties=_parties(parties, kp_bodies if kind == "trade_office" else [], "other"),
            )
            description = f"{fact.label}" + (f" in {city}" if city else "")
        elif check == "joint_venture":
            partners = [{"name": p["name"], "country": "KP"} for p in parties[:3]] or [
                {"name": "DPRK partner (not named)", "country": "KP"}
            ]
            tx.update(
                type="contract",
                description="a joint venture as the report describes it",
                joint_ventures=[{"name": "joint venture named in the report", "partners": partners}],
            )
        elif check == "sts":
            oil = [g for g in goods if g["heading"] in _PETROLEUM] or [
                {"code": "2710", "label": "refined petroleum products", "product": "refined petroleum"}
            ]
            vessels = [
                {"name": v["name"], "sts": True, **({"imo": v["imo"]} if v.get("imo") else {})}
                for v in attrs.get("vessels", [])
            ]
            tx.update(
                type="shipment",
                description="ship-to-ship transfer as the report describes it",
                origin="RU",
                destination="KP",
                goods=[_line(g, "RU")[0] for g in oil],
                vessels=vessels or [{"name": "vessel not named", "sts": True}],
            )
        elif check == "arms":
            directions = [d for g in goods for d in g.get("directions", [])]
            direction = directions[0] if directions else "from_dprk"
            origin, destination = _COUNTRY[direction]
            tx.update(
                type="shipment",
                description="arms or munitions transfer as the report describes it",
                origin=origin,
                destination=destination,
                goods=[
                    {
                        "hs_code": "9306",
                        "description": "munitions",
                        "quantity": "1",
                        "unit": "t",
                        "origin": origin,
                    }
                ],
            )
            description = "arms / munitions " + (
                "DPRK → Russia" if direction == "from_dprk" else "Russia → DPRK"
            )
        else:  # a goods activity: the goods shipments above cover it
            continue
        out.append(Hypothesis(fact.key, description, tx))
    return out


def _report_counts(facts: Sequence[Fact]) -> list[Quantity]:
    return [
        f.attrs["quantity"] for f in facts if f.kind == "quantity" and f.attrs["quantity"].unit == "workers"
    ]


def _dprk_context(fact: Fact) -> bool:
    """A state body named in a sentence about the DPRK ("North Korea's Ministry of ...")."""
    return any(
        word in e.sentence.casefold() for e in fact.evidence for word in ("north korea", "dprk", "pyongyang")
    )
