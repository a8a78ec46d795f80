"""What a report becomes: the document, its facts and the evidence behind each.

Every fact carries `Evidence`: the sentence that supports it and the character span
(`start`, `end`) of the words in `Document.text` (the cleaned text, as stored), so
`document.text[e.start:e.end]` is exactly the words that gave the fact.

Pure data, no I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

FACT_KINDS = ("entity", "vessel", "aircraft", "place", "goods", "quantity", "date", "activity")


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a fact is said: the span of its words and the sentence around them."""

    start: int
    end: int
    text: str  # document.text[start:end]
    sentence: str
    sentence_start: int

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "sentence": self.sentence}


@dataclass(frozen=True, slots=True)
class Quantity:
    """An amount as the report gives it: a number or a range, in a unit.

    `low == high` for a single number; "20,000–50,000 workers" keeps both ends.
    `qualifier` keeps the hedge ("up to", "more than", "about") the report used."""

    low: Decimal
    high: Decimal
    unit: str  # t, bbl, workers, containers, USD...
    dimension: str  # mass, barrel, volume, people, count, money, capacity
    qualifier: str = ""
    unit_inferred: bool = False  # the unit was not written next to the number

    @property
    def is_range(self) -> bool:
        return self.low != self.high

    def label(self) -> str:
        low, high = _num(self.low), _num(self.high)
        amount = f"{low}–{high}" if self.is_range else low
        hedge = f"{self.qualifier} " if self.qualifier else ""
        return f"{hedge}{amount} {self.unit}".strip()

    def to_dict(self) -> dict[str, Any]:
        return {
            "low": str(self.low),
            "high": str(self.high),
            "unit": self.unit,
            "dimension": self.dimension,
            "qualifier": self.qualifier,
            "unit_inferred": self.unit_inferred,
            "label": self.label(),
        }


def _num(value: Decimal) -> str:
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,}"


@dataclass(frozen=True, slots=True)
class DateRef:
    """A date resolved against the report's date, to the precision the text gives."""

    start: dt.date
    end: dt.date  # inclusive: "in October 2022" is 2022-10-01..2022-10-31
    precision: str  # day | week | month | year
    relative: bool  # "last Friday", "next month": computed from the report's date

    def label(self) -> str:
        if self.precision == "day":
            return self.start.isoformat()
        if self.precision == "week":
            return f"week of {self.start.isoformat()}"
        if self.precision == "month":
            return self.start.strftime("%Y-%m")
        return str(self.start.year)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "precision": self.precision,
            "relative": self.relative,
            "label": self.label(),
        }


@dataclass(slots=True)
class Fact:
    """One thing the report says, with every place it says it.

    kind: entity (a person, organisation or state body), vessel, place, goods,
    quantity, date or activity.  `key` identifies the same fact across reports
    (normalised name, gazetteer id, HS heading...).  `attrs` holds the kind's
    details (schema, country, role, hs, quantity, direction, date...)."""

    kind: str
    key: str
    label: str
    evidence: list[Evidence] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def first(self) -> Evidence:
        return self.evidence[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "label": self.label,
            "attrs": _plain(self.attrs),
            "evidence": [e.to_dict() for e in self.evidence],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Quantity | DateRef):
        return value.to_dict()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass(slots=True)
class Document:
    """A report as read: its cleaned text, split into sentences.

    `partial` is True when only part of the extraction could run (an unsupported
    language, a cut-off text); `warnings` say why, in plain words."""

    source: str
    text: str
    title: str
    report_date: dt.date
    language: str  # en | ru | ko | other
    sentences: list[Sentence]
    raw_format: str = "text"  # text | markdown | html
    sha256: str = ""
    partial: bool = False
    warnings: list[str] = field(default_factory=list)
    date_given: bool = False  # the date came from the caller, not a default


@dataclass(frozen=True, slots=True)
class ScreenHit:
    """A listed entity a party or vessel may be (from the screening engine)."""

    entity_id: str
    caption: str
    score: float
    list: str = ""
    ref: str = ""
    explanation: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "caption": self.caption,
            "score": round(self.score, 4),
            "list": self.list,
            "ref": self.ref,
            "explanation": self.explanation,
        }


@dataclass(frozen=True, slots=True)
class LegalFinding:
    """One reason the trade rule packs give for a hypothetical transaction, with its
    citation and verification mark exactly as the pack gives them."""

    rule_id: str
    outcome: str  # PROHIBITED | LICENCE_REQUIRED | CAPPED_REPORTABLE | REVIEW | CLEAR
    citation: str
    verification: str  # V | P | U
    verified: bool
    subject: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "outcome": self.outcome,
            "citation": self.citation,
            "verification": self.verification,
            "verified": self.verified,
            "subject": self.subject,
            "message": self.message,
        }


@dataclass(slots=True)
class LegalCheck:
    """The trade rule packs' answer for one activity put as a hypothetical transaction."""

    activity: str  # the activity fact's key (or "goods:<heading>:<direction>")
    description: str
    transaction: dict[str, Any]
    outcome: str
    findings: list[LegalFinding] = field(default_factory=list)
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "activity": self.activity,
            "description": self.description,
            "outcome": self.outcome,
            "findings": [f.to_dict() for f in self.findings],
            "transaction": self.transaction,
            **({"error": self.error} if self.error else {}),
        }


@dataclass(slots=True)
class Analysis:
    """A report with its facts, the screening of its parties and vessels, and what
    the trade rule packs say about the activities it describes."""

    document: Document
    facts: list[Fact]
    screening: dict[str, list[ScreenHit]] = field(default_factory=dict)  # fact key -> hits
    checks: list[LegalCheck] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Fact]:
        return [f for f in self.facts if f.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        doc = self.document
        return {
            "source": doc.source,
            "title": doc.title,
            "report_date": doc.report_date.isoformat(),
            "language": doc.language,
            "sha256": doc.sha256,
            "partial": doc.partial,
            "warnings": list(doc.warnings),
            "facts": [f.to_dict() for f in self.facts],
            "screening": {k: [h.to_dict() for h in v] for k, v in self.screening.items() if v},
            "checks": [c.to_dict() for c in self.checks],
        }
