"""Cap decisions, pure: from each cap period's status (what the ledger already
holds plus this transaction's charges), the reasons - warnings at the thresholds,
PROHIBITED above the cap unless an over-cap exemption's evidence is attached - and
whether the charges may be recorded."""

from __future__ import annotations

from collections.abc import Sequence

from corridor.trade.context import Context
from corridor.trade.ledger import CapStatus
from corridor.trade.rules import Outcome, RuleBook
from corridor.trade.verdict import Reason, num, reason


def cap_reasons(ctx: Context, rulebook: RuleBook, statuses: Sequence[CapStatus]) -> list[Reason]:
    out = []
    caps = rulebook.caps()
    for status in statuses:
        rule = rulebook.rules[status.cap_id]
        cap = caps[status.cap_id]
        lines = [c for c in ctx.charges if c.cap_id == status.cap_id and c.period == status.period]
        conversions = tuple(f"line {c.line_no}: {c.conversion}" for c in lines)
        limit = " or ".join(f"{lim.amount:,} {lim.unit}" for lim in cap.limits)
        used = f"{num(status.after_bbl)} bbl" + (f" / {num(status.after_t)} t" if status.limit_t else "")
        figures = (
            f"period {status.period}: {used} of {limit} after this shipment "
            f"({status.percent_after:.2f} %; before {num(status.before_bbl)} bbl in {status.shipments_before} shipment(s); "
            f"this shipment {num(status.this_bbl)} bbl)"
        )
        if status.already_recorded:
            conversions += (
                f"line(s) {', '.join(map(str, status.already_recorded))} already in the ledger: counted once",
            )
        if status.over:
            ex = cap.over_cap_exemption
            evidence = ctx.tx.evidence
            if (
                ex
                and all(k in evidence for k in ex.evidence)
                and rulebook.rules[ex.rule_id].in_force(ctx.tx.date)
            ):
                ex_rule = rulebook.rules[ex.rule_id]
                given = ", ".join(f"{k}={evidence[k]}" for k in ex.evidence)
                out.append(
                    reason(
                        rule,
                        Outcome.CLEAR,
                        f"Above the cap by {status.excess()} with prior Committee approval ({given}); {figures}.",
                        "cap",
                        notes=conversions,
                        exemption=ex.id,
                        exemption_citation=f"{ex_rule.id}: {ex_rule.citation}",
                    )
                )
                continue
            out.append(
                reason(
                    rule,
                    Outcome.PROHIBITED,
                    f"Cap exceeded: this shipment would take the aggregate above the cap by {status.excess()}; {figures}.",
                    "cap",
                    notes=conversions,
                )
            )
            continue
        message = f"Cap use {figures}."
        if status.crossed:
            message += f" Crosses the {', '.join(f'{t:g} %' for t in status.crossed)} warning threshold(s)"
            message += (
                " (Committee alert thresholds: unverified)." if cap.thresholds_verification != "V" else "."
            )
        elif status.band is not None:
            message += f" Above the {status.band:g} % warning threshold."
        out.append(reason(rule, Outcome.CAPPED_REPORTABLE, message, "cap", notes=conversions))
    return out


def recorded_reasons(ctx: Context, rulebook: RuleBook, statuses: Sequence[CapStatus]) -> list[Reason]:
    """The notes of charges that went into the ledger."""
    out = []
    for status in statuses:
        rule = rulebook.rules[status.cap_id]
        lines = [c for c in ctx.charges if c.cap_id == status.cap_id and c.period == status.period]
        new = [c.line_no for c in lines if c.line_no not in status.already_recorded]
        text = (
            f"Recorded in the cap ledger, period {status.period}: line(s) {', '.join(map(str, new))}."
            if new
            else f"Already in the cap ledger (period {status.period}); not counted again."
        )
        out.append(reason(rule, Outcome.CLEAR, text, "cap ledger"))
    return out


def may_record(before: Outcome, reasons: Sequence[Reason], record: bool) -> bool:
    """Charges are recorded only when asked and the verdict lets the shipment go."""
    final = max([before, *(r.outcome for r in reasons)], key=lambda o: o.rank)
    return record and final.rank < Outcome.LICENCE_REQUIRED.rank
