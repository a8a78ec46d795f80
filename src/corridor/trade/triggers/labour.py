"""`labour`: workers by nationality and whether they earn income."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corridor.trade.rules import Trigger
from corridor.trade.triggers.base import Run, TriggerKind, frozen, params
from corridor.trade.triggers.registry import register


@dataclass(frozen=True, slots=True)
class LabourParams:
    nationality_any: frozenset[str] = frozenset()
    income_earning: bool | None = None


@register
class Labour(TriggerKind):
    kind = "labour"
    fields = frozenset({"nationality_any", "income_earning"})

    def parse(self, raw: Mapping[str, Any]) -> LabourParams:
        return LabourParams(frozen(raw, "nationality_any"), raw.get("income_earning"))

    def evaluate(self, run: Run, triggers: Sequence[Trigger]) -> None:
        for entry in run.ctx.tx.labour:
            where = f" at {entry.site}" if entry.site else ""
            who = f" (employer {entry.employer})" if entry.employer else ""
            subject = f"labour: {entry.count:,} {entry.nationality.upper()} nationals{where}{who}"
            for trig in triggers:
                p = params(trig, LabourParams)
                if p.nationality_any and entry.nationality not in p.nationality_any:
                    continue
                if p.income_earning is not None and p.income_earning != entry.income_earning:
                    continue
                run.fire(trig, subject)
