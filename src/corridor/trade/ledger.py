"""The cap ledger's pure side: charges, cap status arithmetic, usage summaries.

The evaluator computes the `CapCharge`s a transaction wants to make and decides,
from each cap period's `CapStatus`, whether they may be recorded.  Reading the use
and writing the rows is the store's job (`corridor.store.ledger.CapLedger`), which
implements the `Ledger` protocol below: read, decide and write in ONE database
transaction, so a rejected transaction never changes the ledger and two writers
cannot both take the last barrels.

Periods: "2024" for the calendar-year refined cap (UN-2397-5), "2023-12-22/2024-12-21"
for the crude cap's 12 months from 22 December (UN-2397-4), fixed ranges for
historic caps.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

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


Decide = Callable[[list[CapStatus]], bool]


class Ledger(Protocol):
    """Where cap charges are counted (the store implements it)."""

    def apply(
        self, charges: Sequence[CapCharge], caps: Mapping[str, Cap], decide: Decide
    ) -> tuple[list[CapStatus], bool]:
        """Each cap period's status with these charges; records them only if
        `decide(statuses)` is true, all in one store transaction."""
        ...


def cap_status(
    cap_id: str,
    period: str,
    cap: Cap,
    items: Sequence[CapCharge],
    before: tuple[Decimal, Decimal, int],
    already_recorded: Iterable[int],
) -> CapStatus:
    """The status of one cap period: `before` is (barrels, tonnes, shipments) already
    counted from other transactions."""
    before_bbl, before_t, count = before
    return CapStatus(
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
        already_recorded=tuple(already_recorded),
    )


def group_charges(charges: Iterable[CapCharge]) -> dict[tuple[str, str], list[CapCharge]]:
    groups: dict[tuple[str, str], list[CapCharge]] = defaultdict(list)
    for charge in charges:
        groups[(charge.cap_id, charge.period)].append(charge)
    return dict(groups)


def summarise(rows: Iterable[LedgerRow], caps: Mapping[str, Cap]) -> list[PeriodUsage]:
    """Cap use per period with the shipments behind it (sums in Decimal, exact)."""
    grouped: dict[tuple[str, str], list[LedgerRow]] = defaultdict(list)
    for row in rows:
        grouped[(row.cap_id, row.period)].append(row)
    out = []
    for (cid, per), items in sorted(grouped.items()):
        cap = caps.get(cid)
        out.append(
            PeriodUsage(
                cap_id=cid,
                period=per,
                limit_bbl=cap.limit("bbl") if cap else None,
                limit_t=cap.limit("t") if cap else None,
                barrels=sum((r.barrels for r in items), ZERO),
                tonnes=sum((r.tonnes or ZERO for r in items), ZERO),
                shipments=tuple(items),
            )
        )
    return out


def decimal6(value: object) -> Decimal:
    """A stored number as an exact 6-place Decimal (SQLite returns floats)."""
    if value is None:
        return ZERO
    return q6(Decimal(str(value)))
