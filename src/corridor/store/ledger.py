"""The cap ledger in the store: table `cap_ledger`, one row per cap, transaction
and goods line (unique on cap_id + transaction_id + line_no, so a shipment is counted
once however often it is checked).

`CapLedger.apply` reads the use of each affected cap period, lets the caller decide
(the evaluator's pure decision, `corridor.trade`) and records the new lines - all in
ONE database transaction: nothing is written unless the decision says so, and two
writers cannot both take the last barrels (PostgreSQL: an advisory lock per cap;
SQLite serialises writers itself).  The arithmetic is in `corridor.trade.ledger`.
"""

from __future__ import annotations

import datetime as dt
import warnings
import zlib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from sqlalchemy import Engine, and_, func, insert, select, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from corridor.store.schema import cap_ledger
from corridor.trade.ledger import (
    CapCharge,
    CapStatus,
    Decide,
    LedgerRow,
    PeriodUsage,
    cap_status,
    decimal6,
    group_charges,
    summarise,
)
from corridor.trade.rules import Cap


class CapLedger:
    """The `corridor.trade.ledger.Ledger` protocol on a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _lock(self, conn: Connection, cap_ids: Iterable[str]) -> None:
        if conn.dialect.name == "postgresql":
            for cap_id in sorted(set(cap_ids)):
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:k)"), {"k": zlib.crc32(cap_id.encode()) & 0x7FFFFFFF}
                )

    def _usage(
        self, conn: Connection, cap_id: str, period: str, exclude_tx: str
    ) -> tuple[Decimal, Decimal, int]:
        row = conn.execute(
            select(
                func.sum(cap_ledger.c.barrels),
                func.sum(func.coalesce(cap_ledger.c.tonnes, 0)),
                func.count(),
            ).where(
                and_(
                    cap_ledger.c.cap_id == cap_id,
                    cap_ledger.c.period == period,
                    cap_ledger.c.transaction_id != exclude_tx,
                )
            )
        ).one()
        return decimal6(row[0]), decimal6(row[1]), int(row[2] or 0)

    def apply(
        self, charges: Sequence[CapCharge], caps: Mapping[str, Cap], decide: Decide
    ) -> tuple[list[CapStatus], bool]:
        """Compute each cap period's status with these charges; record them if `decide`
        says so.  One DB transaction: nothing is written unless decide() returns True."""
        if not charges:
            return [], False
        groups = group_charges(charges)
        tx_id = charges[0].transaction_id
        with warnings.catch_warnings():
            # SQLite has no DECIMAL; sums come back as floats and are rounded to 6 places.
            warnings.simplefilter("ignore", sa_exc.SAWarning)
            with self.engine.begin() as conn:
                self._lock(conn, (cap_id for cap_id, _ in groups))
                existing = {
                    (r.cap_id, r.line_no)
                    for r in conn.execute(
                        select(cap_ledger.c.cap_id, cap_ledger.c.line_no).where(
                            cap_ledger.c.transaction_id == tx_id
                        )
                    )
                }
                statuses = [
                    cap_status(
                        cap_id,
                        period,
                        caps[cap_id],
                        items,
                        self._usage(conn, cap_id, period, tx_id),
                        (c.line_no for c in items if (cap_id, c.line_no) in existing),
                    )
                    for (cap_id, period), items in groups.items()
                ]
                record = decide(statuses)
                if record:
                    now = dt.datetime.now(dt.UTC)
                    rows = [
                        {
                            "cap_id": c.cap_id,
                            "period": c.period,
                            "transaction_id": c.transaction_id,
                            "line_no": c.line_no,
                            "shipment_date": c.shipment_date.isoformat(),
                            "hs_code": c.hs_code,
                            "product": c.product,
                            "quantity": c.quantity,
                            "unit": c.unit,
                            "barrels": c.barrels,
                            "tonnes": c.tonnes,
                            "conversion": c.conversion,
                            "notification_ref": c.notification_ref,
                            "recorded_at": now,
                        }
                        for c in charges
                        if (c.cap_id, c.line_no) not in existing
                    ]
                    if rows:
                        conn.execute(insert(cap_ledger), rows)
        return statuses, record

    def rows(self, cap_id: str | None = None, period: str | None = None) -> list[LedgerRow]:
        query = select(cap_ledger).order_by(
            cap_ledger.c.cap_id,
            cap_ledger.c.period,
            cap_ledger.c.shipment_date,
            cap_ledger.c.transaction_id,
            cap_ledger.c.line_no,
        )
        if cap_id:
            query = query.where(cap_ledger.c.cap_id == cap_id)
        if period:
            query = query.where(cap_ledger.c.period == period)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sa_exc.SAWarning)
            with self.engine.connect() as conn:
                result = conn.execute(query).mappings().all()
        return [
            LedgerRow(
                cap_id=r["cap_id"],
                period=r["period"],
                transaction_id=r["transaction_id"],
                line_no=int(r["line_no"]),
                shipment_date=r["shipment_date"],
                hs_code=r["hs_code"],
                product=r["product"],
                quantity=decimal6(r["quantity"]),
                unit=r["unit"],
                barrels=decimal6(r["barrels"]),
                tonnes=decimal6(r["tonnes"]) if r["tonnes"] is not None else None,
                conversion=r["conversion"],
                notification_ref=r["notification_ref"],
                recorded_at=r["recorded_at"],
            )
            for r in result
        ]

    def summary(
        self, caps: Mapping[str, Cap], cap_id: str | None = None, period: str | None = None
    ) -> list[PeriodUsage]:
        """Cap use per period with the shipments behind it (sums in Decimal, exact)."""
        return summarise(self.rows(cap_id, period), caps)
