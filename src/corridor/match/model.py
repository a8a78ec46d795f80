"""The screening API's data: queries, hits and their explanations.

A `Hit` always carries an `Explanation`: which listed name matched, how each
part of the query name aligned with a part of the listed name (and by which
method), and every qualifier (date of birth, country, gender, identifiers,
schema, IMO number) that moved the score, with the size of the move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from corridor.errors import InputError
from corridor.match.algorithm import DEFAULT
from corridor.model import SCHEMATA

# One threshold for every schema: a score >= 0.80 means "the name is the listed
# name written another way (scheme, order, typo, legal form), or an identifier
# matched".  Calibrated in docs/screening.md; the default algorithm's.
DEFAULT_THRESHOLD = DEFAULT.threshold

# Longest name accepted, in characters after normalisation (whitespace collapsed).
# The longest name on the lists is well under 300 characters.
MAX_NAME_LENGTH = 500

QUERY_SCHEMATA = (*SCHEMATA, "Thing")


class QueryError(InputError):
    """A query that cannot be screened; `field` names the bad field."""


@dataclass
class Query:
    """One thing to screen."""

    name: str
    schema: str = "Thing"  # Person | Organization | Company | LegalEntity | Vessel | Aircraft | Thing (any)
    birth_date: str | None = None  # ISO prefix: 1962, 1962-03, 1962-03-04
    country: str | None = None  # name or ISO code
    imo: str | None = None
    identifiers: list[str] = field(default_factory=list)  # passport, SWIFT/BIC, registration numbers...
    gender: str | None = None
    id: str | None = None


@dataclass
class PartMatch:
    """How one part of the query name aligned with one part of the listed name.
    An unmatched part has "" on the other side and method "missing"."""

    query_part: str
    listed_part: str
    method: str  # exact | korean-romanization | korean-cyrillic | cyrillic-translit | phonetic | fuzzy | initial | legal-form | run-together | missing
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "query_part": self.query_part,
            "listed_part": self.listed_part,
            "method": self.method,
            "score": round(self.score, 3),
        }


@dataclass
class NameEvidence:
    query_name: str
    matched_name: str
    name_kind: str  # primary / alias / weak_alias / former
    score: float
    parts: list[PartMatch] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query_name": self.query_name,
            "matched_name": self.matched_name,
            "name_kind": self.name_kind,
            "score": round(self.score, 3),
            "parts": [p.to_dict() for p in self.parts],
        }


@dataclass
class Qualifier:
    kind: str  # birth_date | country | gender | identifier | schema | imo
    effect: float  # score delta
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "effect": round(self.effect, 3), "detail": self.detail}


@dataclass
class Explanation:
    name: NameEvidence
    qualifiers: list[Qualifier] = field(default_factory=list)
    summary: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name.to_dict(),
            "qualifiers": [q.to_dict() for q in self.qualifiers],
            "summary": self.summary,
        }


@dataclass
class Hit:
    entity_id: str
    score: float
    list: str  # the entity's source, e.g. "un"
    ref: str  # the list's own reference, e.g. "KPi.064"
    caption: str
    schema: str
    explanation: Explanation
    lists: tuple[str, ...] = ()  # every list publishing this record (its `list` first)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "score": round(self.score, 4),
            "list": self.list,
            "lists": list(self.lists or (self.list,)),
            "ref": self.ref,
            "caption": self.caption,
            "schema": self.schema,
            "explanation": self.explanation.to_dict(),
        }


class Comparison:
    """The result of `compare`: a score and its explanation.  The explanation may
    be given as a function: it is then built on first access (bulk comparisons
    that only read scores never pay for it)."""

    __slots__ = ("_explanation", "_make", "score")

    def __init__(self, score: float, explanation: Explanation | Callable[[], Explanation]) -> None:
        self.score = score
        if isinstance(explanation, Explanation):
            self._explanation: Explanation | None = explanation
            self._make: Callable[[], Explanation] | None = None
        else:
            self._explanation = None
            self._make = explanation

    @property
    def explanation(self) -> Explanation:
        if self._explanation is None:
            assert self._make is not None
            self._explanation = self._make()
            self._make = None
        return self._explanation

    def __repr__(self) -> str:
        return f"Comparison(score={self.score!r}, explanation={self.explanation!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Comparison):
            return NotImplemented
        return self.score == other.score and self.explanation == other.explanation

    __hash__ = None  # type: ignore[assignment]
