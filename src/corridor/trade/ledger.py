"""The cap ledger: petroleum shipments counted against the UN caps.

Rows live in the store table `cap_ledger` (one row per cap, transaction and goods
line; unique on cap_id + transaction_id + line_no, so a shipment is counted once
however often it is checked).  `CapLedger.apply` reads the use of each affected
cap period, lets the caller decide on the verdict, and records the new lines - all
in ONE database transaction, so a rejected transaction never changes the ledger and
two writers cannot both take the last barrels (PostgreSQL: an advisory lock per
cap; SQLite serialises writers itself).

Periods: "2024" for the calendar-year refined cap (UN-2397-5), "2023-12-22/2024-12-21"
for the crude cap's 12 months from 22 December (UN-2397-4), fixed ranges for
historic caps.
"""

from __future__ import annotations

import datetime as dt
import warnings
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine, and_, func, insert, select, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from corridor.store.schema import cap_ledger
from corridor.trade.petroleum import q6
from corridor.trade.rules import Cap

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class CapCharge:
    """One goods line counted against one cap period."""

    cap_id: str
    period: str
    transaction_id: str
    line_no: int
    shipment_date: dt.date
    hs_code: str
    product: str
    quantity: Decimal
    unit: str
    barrels: Decimal
    tonnes: Decimal | None
    conversion: str
    notification_ref: str = ""


@dataclass(frozen=True, slots=True)
class CapStatus:
    """A cap period before and after this transaction's lines."""

    cap_id: str
    period: str
    limit_bbl: Decimal | None
    limit_t: Decimal | None
    before_bbl: Decimal
    before_t: Decimal
    this_bbl: Decimal
    this_t: Decimal
    shipments_before: int
    thresholds: tuple[Decimal, ...]
    already_recorded: tuple[int, ...]  # line numbers of this transaction already in the ledger

    @property
    def after_bbl(self) -> Decimal:
        return self.before_bbl + self.this_bbl

    @property
    def after_t(self) -> Decimal:
        return self.before_t + self.this_t

    def _percent(self, bbl: Decimal, tonnes: Decimal) -> Decimal:
        shares = []
        if self.limit_bbl:
            shares.append(bbl / self.limit_bbl * HUNDRED)
        if self.limit_t:
            shares.append(tonnes / self.limit_t * HUNDRED)
        return max(shares) if shares else ZERO

    @property
    def percent_before(self) -> Decimal:
        return self._percent(self.before_bbl, self.before_t)

    @property
    def percent_after(self) -> Decimal:
        return self._percent(self.after_bbl, self.after_t)

    @property
    def over(self) -> bool:
        """Above the cap after this transaction (reaching it exactly is allowed)."""
        return bool(
            (self.limit_bbl is not None and self.after_bbl > self.limit_bbl)
            or (self.limit_t is not None and self.after_t > self.limit_t)
        )

    @property
    def crossed(self) -> tuple[Decimal, ...]:
        """Warning thresholds (percent) this transaction crosses."""
        before, after = self.percent_before, self.percent_after
        return tuple(t for t in self.thresholds if before < t <= after)

    @property
    def band(self) -> Decimal | None:
        """The highest threshold reached after this transaction."""
        reached = [t for t in self.thresholds if self.percent_after >= t]
        return max(reached) if reached else None

    def excess(self) -> str:
        parts = []
        if self.limit_bbl is not None and self.after_bbl > self.limit_bbl:
            parts.append(f"{q6(self.after_bbl - self.limit_bbl):,} bbl")
        if self.limit_t is not None and self.after_t > self.limit_t:
            parts.append(f"{q6(self.after_t - self.limit_t):,} t")
        return " / ".join(parts)


@dataclass(frozen=True, slots=True)
class LedgerRow:
    cap_id: str
    period: str
    transaction_id: str
    line_no: int
    shipment_date: str
    hs_code: str
    product: str
    quantity: Decimal
    unit: str
    barrels: Decimal
    tonnes: Decimal | None
    conversion: str
    notification_ref: str
    recorded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class PeriodUsage:
    cap_id: str
    period: str
    limit_bbl: Decimal | None
    limit_t: Decimal | None
    barrels: Decimal
    tonnes: Decimal
    shipments: tuple[LedgerRow, ...]

    @property
    def percent(self) -> Decimal:
        shares = []
        if self.limit_bbl:
            shares.append(self.barrels / self.limit_bbl * HUNDRED)
        if self.limit_t:
            shares.append(self.tonnes / self.limit_t * HUNDRED)
        return max(shares) if shares else ZERO


def _dec(value: object) -> Decimal:
    if value is None:
        return ZERO
    return q6(Decimal(str(value)))


class CapLedger:
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
        return _dec(row[0]), _dec(row[1]), int(row[2] or 0)

    def apply(
        self,
        charges: Sequence[CapCharge],
        caps: Mapping[str, Cap],
        decide: Callable[[list[CapStatus]], bool],
    ) -> tuple[list[CapStatus], bool]:
        """Compute each cap period's status with these charges; record them if `decide`
        says so.  One DB transaction: nothing is written unless decide() returns True."""
        if not charges:
            return [], False
        groups: dict[tuple[str, str], list[CapCharge]] = defaultdict(list)
        for charge in charges:
            groups[(charge.cap_id, charge.period)].append(charge)
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
                statuses = []
                for (cap_id, period), items in groups.items():
                    cap = caps[cap_id]
                    before_bbl, before_t, count = self._usage(conn, cap_id, period, tx_id)
                    statuses.append(
                        CapStatus(
                            cap_id=cap_id,
                            period=period,
                            limit_bbl=cap.limit("bbl"),
                            limit_t=cap.limit("t"),
                            before_bbl=before_bbl,
                            before_t=before_t,
                            this_bbl=sum((c.barrels for c in items), ZERO),
                            this_t=sum((c.tonnes or ZERO for c in items), ZERO),
                            shipments_before=count,
                            thresholds=cap.thresholds,
                            already_recorded=tuple(
                                c.line_no for c in items if (cap_id, c.line_no) in existing
                            ),
                        )
                    )
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
                quantity=_dec(r["quantity"]),
                unit=r["unit"],
                barrels=_dec(r["barrels"]),
                tonnes=_dec(r["tonnes"]) if r["tonnes"] is not None else None,
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
        grouped: dict[tuple[str, str], list[LedgerRow]] = defaultdict(list)
        for row in self.rows(cap_id, period):
            grouped[(row.cap_id, row.period)].append(row)
        out = []
        for (cid, per), rows in sorted(grouped.items()):
            cap = caps.get(cid)
            out.append(
                PeriodUsage(
                    cap_id=cid,
                    period=per,
                    limit_bbl=cap.limit("bbl") if cap else None,
                    limit_t=cap.limit("t") if cap else None,
                    barrels=sum((r.barrels for r in rows), ZERO),
                    tonnes=sum((r.tonnes or ZERO for r in rows), ZERO),
                    shipments=tuple(rows),
                )
            )
        return out


def ledger_summary(engine: Engine, cap_id: str | None = None, period: str | None = None) -> list[PeriodUsage]:
    """Cap use per period (with the shipments) against the limits of the bundled packs."""
    from corridor.trade.rules import default_rulebook

    return CapLedger(engine).summary(default_rulebook().caps(), cap_id, period)
