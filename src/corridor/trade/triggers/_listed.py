"""What `listed_party` and `listed_vessel` share: a screening hit on a list of a
regime's family, with program filters; below the match threshold it is REVIEW."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corridor.trade.rules import Outcome, Trigger
from corridor.trade.screening import list_family
from corridor.trade.triggers.base import Run, TriggerKind, frozen, params

LISTED_FIELDS = frozenset({"lists_any", "programs_any", "programs_none", "schemas_any"})


@dataclass(frozen=True, slots=True)
class ListedParams:
    lists_any: frozenset[str] = frozenset()
    programs_any: tuple[str, ...] = ()
    programs_none: tuple[str, ...] = ()
    schemas_any: frozenset[str] = frozenset()

    def programs_match(self, programs: Sequence[str]) -> bool:
        folded = [p.casefold() for p in programs]
        if self.programs_any and not any(term in p for p in folded for term in self.programs_any):
            return False
        return not (self.programs_none and any(term in p for p in folded for term in self.programs_none))


class Listed(TriggerKind):
    """Base of the two listed kinds; `vessels` says which screening results it reads."""

    vessels: bool = False

    def parse(self, raw: Mapping[str, Any]) -> ListedParams:
        return ListedParams(
            lists_any=frozen(raw, "lists_any"),
            programs_any=tuple(p.casefold() for p in raw.get("programs_any") or ()),
            programs_none=tuple(p.casefold() for p in raw.get("programs_none") or ()),
            schemas_any=frozen(raw, "schemas_any"),
        )

    def evaluate(self, run: Run, triggers: Sequence[Trigger]) -> None:
        for result in run.ctx.screening:
            if (result.schema == "Vessel") != self.vessels:
                continue
            for hit in result.hits:
                family = list_family(hit.list)
                subject = f"{result.subject} ~ listed {hit.caption!r} [{hit.list} {hit.ref}]".rstrip()
                strong = hit.score >= run.match_threshold
                notes = [hit.explanation] if hit.explanation else []
                if not strong:
                    notes.append(
                        f"possible match only (score {hit.score:.2f} < {run.match_threshold:.2f}): confirm identity"
                    )
                for trig in triggers:
                    p = params(trig, ListedParams)
                    if p.lists_any and family not in p.lists_any:
                        continue
                    if not p.programs_match(hit.programs):
                        continue
                    if p.schemas_any and result.schema not in p.schemas_any:
                        continue
                    run.fire(trig, subject, notes=notes, outcome=None if strong else Outcome.REVIEW)
