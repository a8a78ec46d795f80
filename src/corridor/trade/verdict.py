"""What a check returns: the verdict, its reasons and the screening results.

Pure data (dataclasses) with their JSON forms; `reason()` builds a reason citing
its rule as the rule must be cited (unverified paragraphs say so).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from corridor.trade.ledger import CapCharge, CapStatus
from corridor.trade.nexus import NexusFinding
from corridor.trade.rules import Outcome, Rule
from corridor.trade.screening import PartyHit


@dataclass(frozen=True, slots=True)
class Reason:
    outcome: Outcome
    rule_id: str
    citation: str  # "UNSCR 2397 (2017) para 7 (unverified) [P]"
    verification: str
    verified: bool
    message: str
    subject: str  # "line 2: HS 2710.19 diesel", "party 'X' (importer)", "transaction"
    notes: tuple[str, ...] = ()
    exemption: str = ""  # id of the exemption applied
    exemption_citation: str = ""
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "outcome": self.outcome.value,
            "rule_id": self.rule_id,
            "citation": self.citation,
            "verification": self.verification,
            "verified": self.verified,
            "subject": self.subject,
            "message": self.message,
        }
        if self.notes:
            out["notes"] = list(self.notes)
        if self.exemption:
            out["exemption"] = self.exemption
            out["exemption_citation"] = self.exemption_citation
        if self.sources:
            out["sources"] = list(self.sources)
        return out


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    subject: str  # "party 'X' (importer)" / "vessel 'Y' (IMO 1234567)"
    name: str
    schema: str
    hits: tuple[PartyHit, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "schema": self.schema,
            "hits": [
                {
                    "entity_id": h.entity_id,
                    "list": h.list,
                    "ref": h.ref,
                    "caption": h.caption,
                    "score": h.score,
                    "programs": list(h.programs),
                    "explanation": h.explanation,
                }
                for h in self.hits
            ],
        }


@dataclass(slots=True)
class Verdict:
    transaction_id: str
    date: dt.date
    outcome: Outcome
    reasons: list[Reason]
    screening: list[ScreeningResult]
    nexus: list[NexusFinding]
    directions: tuple[str, ...]
    caps: list[CapStatus] = field(default_factory=list)
    charges: list[CapCharge] = field(default_factory=list)
    recorded: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def rule_ids(self) -> list[str]:
        return sorted({r.rule_id for r in self.reasons})

    def reasons_at(self, outcome: Outcome) -> list[Reason]:
        return [r for r in self.reasons if r.outcome is outcome]

    def to_dict(self) -> dict[str, Any]:
        return {
            "transaction_id": self.transaction_id,
            "date": self.date.isoformat(),
            "verdict": self.outcome.value,
            "directions": list(self.directions),
            "reasons": [r.to_dict() for r in self.reasons],
            "screening": [s.to_dict() for s in self.screening if s.hits],
            "nexus": [
                {
                    "kind": f.kind,
                    "subject": f.subject,
                    "detail": f.detail,
                    "strength": f.strength,
                    "stated": f.stated,
                }
                for f in self.nexus
            ],
            "caps": [
                {
                    "cap_id": c.cap_id,
                    "period": c.period,
                    "limit_bbl": str(c.limit_bbl) if c.limit_bbl is not None else None,
                    "limit_t": str(c.limit_t) if c.limit_t is not None else None,
                    "before_bbl": str(c.before_bbl),
                    "this_bbl": str(c.this_bbl),
                    "after_bbl": str(c.after_bbl),
                    "percent_after": f"{c.percent_after:.2f}",
                    "over": c.over,
                }
                for c in self.caps
            ],
            "charges": [
                {
                    "cap_id": c.cap_id,
                    "period": c.period,
                    "line_no": c.line_no,
                    "barrels": str(c.barrels),
                    "tonnes": str(c.tonnes) if c.tonnes is not None else None,
                    "conversion": c.conversion,
                }
                for c in self.charges
            ],
            "recorded_in_ledger": self.recorded,
            "warnings": list(self.warnings),
        }


def num(value: Decimal) -> str:
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return text or "0"


def reason(
    rule: Rule,
    outcome: Outcome,
    message: str,
    subject: str,
    *,
    notes: Iterable[str] = (),
    exemption: str = "",
    exemption_citation: str = "",
) -> Reason:
    notes = [n for n in notes if n]
    if rule.verification_note and not rule.verified:
        notes.append(rule.verification_note)
    return Reason(
        outcome=outcome,
        rule_id=rule.id,
        citation=rule.citation,
        verification=rule.verification,
        verified=rule.verified,
        message=message,
        subject=subject,
        notes=tuple(dict.fromkeys(notes)),
        exemption=exemption,
        exemption_citation=exemption_citation,
        sources=rule.source_ids,
    )


def dedupe(reasons: list[Reason]) -> list[Reason]:
    seen: set[tuple[str, str, str, str]] = set()
    out = []
    for reason in reasons:
        key = (reason.rule_id, reason.subject, reason.message, reason.outcome.value)
        if key not in seen:
            seen.add(key)
            out.append(reason)
    return out
