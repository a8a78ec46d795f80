"""Party screening interface for trade checks, and an exact-match screener.

The evaluator screens every party and vessel through a `PartyScreener`.  The real
fuzzy engine (`corridor.match.Screener`) plugs in through an adapter; this module
gives the protocol, the hit type and `ExactNameScreener`, which matches exact
normalised names (case, accents, punctuation, spacing and the dots in initials
ignored: "Mokran, L.L.C." = "MOKRAN LLC") and exact IMO
numbers.  It is enough for tests and for lists given as hand-made entities.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from corridor.model import Entity, NameKind
from corridor.types.text import name_key


@dataclass(frozen=True, slots=True)
class PartyHit:
    """A list entry that may be the screened party."""

    entity_id: str  # "un:KPe.047"
    list: str  # source list key: un, ofac-sdn, ofac-cons, uk, uk-fcdo, eu, ftm:<dataset>
    ref: str  # the list's own reference (KPe.047, 9345, DPR0189...)
    caption: str
    score: float  # 0..1; 1.0 = exact
    programs: tuple[str, ...] = ()
    explanation: str = ""


@runtime_checkable
class PartyScreener(Protocol):
    def screen(
        self, name: str, schema: str, *, country: str | None = None, imo: str | None = None
    ) -> list[PartyHit]: ...


class NullScreener:
    """Screens nothing (no lists loaded); the evaluator reports that screening was skipped."""

    def screen(
        self, name: str, schema: str, *, country: str | None = None, imo: str | None = None
    ) -> list[PartyHit]:
        return []


_DIGITS = re.compile(r"\d{7}")
_WEAK_SCORE = 0.8  # weak aliases (OFAC "weak", UN "Low" quality) only support a match


def _imo_of(value: str) -> str:
    match = _DIGITS.search(value)
    return match.group(0) if match else ""


class ExactNameScreener:
    """Exact normalised-name and exact IMO matching over a set of entities."""

    def __init__(self) -> None:
        self._by_name: dict[str, list[tuple[Entity, str, NameKind]]] = defaultdict(list)
        self._by_imo: dict[str, list[Entity]] = defaultdict(list)
        self.size = 0

    @classmethod
    def from_entities(cls, entities: Iterable[Entity]) -> ExactNameScreener:
        screener = cls()
        for entity in entities:
            screener.add(entity)
        return screener

    def add(self, entity: Entity) -> None:
        self.size += 1
        for name in entity.names:
            key = name_key(name.full)
            if key:
                self._by_name[key].append((entity, name.full, name.kind))
        for ident in entity.identifiers:
            if ident.type == "imo":
                imo = _imo_of(ident.value)
                if imo:
                    self._by_imo[imo].append(entity)
        for value in entity.properties.get("imoNumber", ()):
            imo = _imo_of(value)
            if imo:
                self._by_imo[imo].append(entity)

    def screen(
        self, name: str, schema: str, *, country: str | None = None, imo: str | None = None
    ) -> list[PartyHit]:
        hits: dict[str, PartyHit] = {}
        want_vessel = schema == "Vessel"
        if imo:
            for entity in self._by_imo.get(_imo_of(imo), ()):
                hits[entity.id] = _hit(
                    entity, 1.0, f"IMO {_imo_of(imo)} matches the listed vessel {entity.caption!r}"
                )
        for entity, listed, kind in self._by_name.get(name_key(name), ()):
            if entity.id in hits or (entity.schema == "Vessel") != want_vessel:
                continue
            score = _WEAK_SCORE if kind is NameKind.WEAK_ALIAS else 1.0
            label = "name" if kind is NameKind.PRIMARY else kind.value.replace("_", " ")
            hits[entity.id] = _hit(entity, score, f"exact {label} match: {listed!r}")
        return sorted(hits.values(), key=lambda h: (-h.score, h.entity_id))


def _hit(entity: Entity, score: float, explanation: str) -> PartyHit:
    return PartyHit(
        entity_id=entity.id,
        list=entity.source,
        ref=entity.list_ref,
        caption=entity.caption,
        score=score,
        programs=tuple(entity.programs),
        explanation=explanation,
    )


def list_family(source: str) -> str:
    """Which regime a list belongs to: un / us / us_nonsdn / eu / uk / other."""
    key = source.casefold()
    if key == "un" or key.startswith("un-") or key.startswith("un:"):
        return "un"
    if key.startswith("ofac-cons") or key.startswith("ofac-nonsdn"):
        return "us_nonsdn"
    if key.startswith("ofac") or key.startswith("us"):
        return "us"
    if key.startswith("eu"):
        return "eu"
    if key.startswith("uk") or key.startswith("gb"):
        return "uk"
    return "other"
