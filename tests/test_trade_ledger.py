"""The cap ledger on SQLite and PostgreSQL: a year of refined-petroleum shipments
through the 75/90/95 % warnings to the cap, right to the barrel; idempotence;
rejected transactions never change it; one DB transaction per write."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy

from corridor.store.db import engine
from corridor.store.ledger import CapLedger
from corridor.trade import hs
from corridor.trade.evaluate import Evaluator, Verdict
from corridor.trade.ledger import CapCharge
from corridor.trade.rules import Outcome, default_rulebook
from corridor.trade.transaction import parse_transaction


@pytest.fixture(scope="module")
def nomenclature(shared_data: Path) -> hs.Nomenclature:
    return hs.load(shared_data / "hs")


def shipment(
    tx_id: str, date: str, code: str, qty: str, unit: str, product: str = "", notified: bool = True
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": tx_id,
        "type": "shipment",
        "date": date,
        "origin": "ru",
        "destination": "kp",
        "goods": [{"hs_code": code, "quantity": qty, "unit": unit, "product": product}],
    }
    if notified:
        data["evidence"] = {"notification": f"N-{tx_id}"}
        if code.startswith("2711"):
            data["evidence"]["non_ngl_attestation"] = f"A-{tx_id}"
    return data


# (id, date, HS, quantity, unit, product, barrels counted, cap total after, thresholds crossed)
YEAR = [
    ("S01", "2024-01-15", "2710.19", "300000", "bbl", "diesel", "300000", "300000", ()),
    ("S02", "2024-02-20", "2710.12", "80000", "bbl", "gasoline", "80000", "380000", ("75",)),  # 76 %
    ("S03", "2024-03-10", "2711.12", "2000", "t", "LPG", "23200", "403200", ()),  # 11.6 bbl/t
    ("S04", "2024-04-05", "2710.19", "6160", "t", "diesel", "46200", "449400", ()),  # 7.5 bbl/t
    (
        "S05",
        "2024-05-18",
        "2710.12",
        "1589872.94928",
        "l",
        "gasoline",
        "10000",
        "459400",
        ("90",),
    ),  # exact volume
    ("S06", "2024-06-30", "2710.19", "16000", "bbl", "diesel", "16000", "475400", ("95",)),
    ("S07", "2024-08-01", "2711.13", "1000", "t", "butane", "11600", "487000", ()),
    ("S08", "2024-09-12", "2710.19", "1454", "t", "diesel", "10905", "497905", ()),
]


def run(ev: Evaluator, nomenclature: hs.Nomenclature, data: dict[str, Any]) -> Verdict:
    return ev.check(parse_transaction(data, nomenclature))


def total(led: CapLedger, period: str = "2024") -> Decimal:
    usage = led.summary(default_rulebook().caps(), "UN-2397-5", period)
    return usage[0].barrels if usage else Decimal(0)


def test_a_year_of_refined_petroleum(db_url: str, nomenclature: hs.Nomenclature) -> None:
    led = CapLedger(engine(db_url))
    ev = Evaluator(default_rulebook(), hs=nomenclature, ledger=led)
    for tx_id, date, code, qty, unit, product, barrels, after, crossed in YEAR:
        v = run(ev, nomenclature, shipment(tx_id, date, code, qty, unit, product))
        assert v.outcome is Outcome.CAPPED_REPORTABLE, (tx_id, [r.message for r in v.reasons])
        assert v.recorded and [c.barrels for c in v.charges] == [Decimal(barrels)]
        status = v.caps[0]
        assert (status.cap_id, status.period, status.after_bbl) == ("UN-2397-5", "2024", Decimal(after))
        assert [f"{t:g}" for t in status.crossed] == list(crossed), tx_id
        assert total(led) == Decimal(after)
        warning = next(r for r in v.reasons if r.rule_id == "UN-2397-5" and r.subject == "cap")
        if crossed:
            assert (
                f"Crosses the {crossed[0]} % warning threshold" in warning.message
                and "unverified" in warning.message
            )

    # 2,095 bbl left.  A shipment without notification is refused and changes nothing.
    unnotified = run(
        ev, nomenclature, shipment("S09", "2024-10-01", "2710.19", "100", "bbl", "diesel", notified=False)
    )
    assert (
        unnotified.outcome is Outcome.PROHIBITED
        and not unnotified.recorded
        and total(led) == Decimal("497905")
    )
    # One barrel too many: refused, ledger unchanged.
    over = run(ev, nomenclature, shipment("S10", "2024-10-15", "2710.19", "2095.000001", "bbl", "diesel"))
    assert over.outcome is Outcome.PROHIBITED and not over.recorded
    refusal = next(r for r in over.reasons if r.outcome is Outcome.PROHIBITED)
    assert refusal.rule_id == "UN-2397-5" and "above the cap by 0.000001 bbl" in refusal.message
    assert total(led) == Decimal("497905")
    # Exactly to the cap is allowed.
    full = run(ev, nomenclature, shipment("S11", "2024-11-01", "2710.19", "2095", "bbl", "diesel"))
    assert full.outcome is Outcome.CAPPED_REPORTABLE and full.recorded
    assert full.caps[0].percent_after == 100 and total(led) == Decimal(500000)
    # Then nothing more this year ...
    late = run(ev, nomenclature, shipment("S12", "2024-12-20", "2711.12", "1", "kg", "LPG"))
    assert late.outcome is Outcome.PROHIBITED and total(led) == Decimal(500000)
    # ... and a fresh cap next year.
    january = run(ev, nomenclature, shipment("S13", "2025-01-02", "2710.19", "1000", "bbl", "diesel"))
    assert january.outcome is Outcome.CAPPED_REPORTABLE and january.caps[0].period == "2025"
    assert january.caps[0].before_bbl == 0 and total(led, "2025") == 1000

    rows = led.rows("UN-2397-5", "2024")
    assert [r.transaction_id for r in rows] == [*(s[0] for s in YEAR), "S11"]
    assert sum(r.barrels for r in rows) == Decimal(500000)
    assert any(
        "11.6 bbl/t" in r.conversion and "verified" in r.conversion for r in rows if r.product == "lpg"
    )
    assert next(r for r in rows if r.transaction_id == "S02").notification_ref == "N-S02"


def test_each_shipment_counted_once(sqlite_url: str, nomenclature: hs.Nomenclature) -> None:
    led = CapLedger(engine(sqlite_url))
    ev = Evaluator(default_rulebook(), hs=nomenclature, ledger=led)
    data = shipment("ONCE", "2023-05-01", "2710.19", "1000", "t", "diesel")
    first, again = run(ev, nomenclature, data), run(ev, nomenclature, data)
    assert first.recorded and again.recorded
    assert again.caps[0].before_bbl == 0 and again.caps[0].already_recorded == (1,)
    assert total(led, "2023") == Decimal(7500) and len(led.rows()) == 1
    assert any("Already in the cap ledger" in r.message for r in again.reasons)


def test_dry_run_and_licence_required_do_not_record(sqlite_url: str, nomenclature: hs.Nomenclature) -> None:
    led = CapLedger(engine(sqlite_url))
    ev = Evaluator(default_rulebook(), hs=nomenclature, ledger=led)
    dry = ev.check(
        parse_transaction(shipment("DRY", "2023-05-01", "2710.19", "10", "t", "diesel"), nomenclature),
        record=False,
    )
    assert dry.outcome is Outcome.CAPPED_REPORTABLE and not dry.recorded
    financed = shipment("LC", "2023-05-02", "2710.19", "10", "t", "diesel")
    financed["payment"] = {"method": "letter_of_credit", "finance": ["letter_of_credit"]}
    assert run(ev, nomenclature, financed).outcome is Outcome.LICENCE_REQUIRED
    assert led.rows() == []


def test_crude_cap_in_barrels_or_tonnes_from_22_december(db_url: str, nomenclature: hs.Nomenclature) -> None:
    led = CapLedger(engine(db_url))
    ev = Evaluator(default_rulebook(), hs=nomenclature, ledger=led)
    big = run(ev, nomenclature, shipment("CR1", "2023-12-22", "2709.00", "525000", "t", "crude oil"))
    assert big.outcome is Outcome.CAPPED_REPORTABLE and big.caps[0].period == "2023-12-22/2024-12-21"
    assert big.caps[0].after_t == 525000 and big.caps[0].percent_after == 100
    over = run(ev, nomenclature, shipment("CR2", "2024-12-21", "2709.00", "1", "t", "crude oil"))
    assert over.outcome is Outcome.PROHIBITED
    approved = shipment("CR3", "2024-12-21", "2709.00", "1", "t", "crude oil")
    approved["evidence"]["committee_approval"] = "1718/CRUDE/24-1"
    ok = run(ev, nomenclature, approved)
    assert ok.outcome is Outcome.CAPPED_REPORTABLE and ok.recorded
    assert any(r.exemption == "committee_approved_crude_above_cap" for r in ok.reasons)
    next_period = run(ev, nomenclature, shipment("CR4", "2024-12-22", "2709.00", "1000", "bbl", "crude oil"))
    assert next_period.caps[0].period == "2024-12-22/2025-12-21" and next_period.caps[0].before_bbl == 0


def test_a_failed_write_leaves_no_rows(sqlite_url: str) -> None:
    led = CapLedger(engine(sqlite_url))
    caps = default_rulebook().caps()
    import datetime as dt

    charge = CapCharge(
        "UN-2397-5",
        "2024",
        "DUP",
        1,
        dt.date(2024, 1, 1),
        "271019",
        "diesel",
        Decimal(1),
        "bbl",
        Decimal(1),
        None,
        "test",
    )
    # Two rows with the same (cap, transaction, line): the second insert violates the
    # unique key, so the whole write is rolled back.
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        led.apply([charge, charge], caps, lambda statuses: True)
    assert led.rows() == []
