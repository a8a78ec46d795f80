"""`party_indicator`: a party the nexus data marks as a DPRK state body, military
body, bank, DPRK address or DPRK-style name (any script), optionally by role."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corridor.trade.context import party_label
from corridor.trade.rules import Trigger
from corridor.trade.triggers.base import Run, TriggerKind, frozen, params
from corridor.trade.triggers.registry import register


@dataclass(frozen=True, slots=True)
class IndicatorParams:
    indicators_any: frozenset[str]
    roles_any: frozenset[str] = frozenset()


@register
class PartyIndicator(TriggerKind):
    kind = "party_indicator"
    fields = frozenset({"indicators_any", "roles_any"})

    def parse(self, raw: Mapping[str, Any]) -> IndicatorParams:
        return IndicatorParams(frozen(raw, "indicators_any"), frozen(raw, "roles_any"))

    def evaluate(self, run: Run, triggers: Sequence[Trigger]) -> None:
        ctx = run.ctx
        for i, party in enumerate(ctx.tx.parties):
            ind = ctx.indicators[i]
            if not ind.indicators:
                continue
            for trig in triggers:
                p = params(trig, IndicatorParams)
                if not (p.indicators_any & ind.indicators):
                    continue
                if p.roles_any and party.role not in p.roles_any:
                    continue
                run.fire(trig, party_label(party), notes=ind.details)
