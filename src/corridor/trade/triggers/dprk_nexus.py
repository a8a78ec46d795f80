"""`dprk_nexus`: fires once for a transaction with a DPRK nexus (stated or found)."""

from __future__ import annotations

from collections.abc import Sequence

from corridor.trade.rules import Trigger
from corridor.trade.triggers.base import Run, TriggerKind
from corridor.trade.triggers.registry import register


@register
class DprkNexus(TriggerKind):
    kind = "dprk_nexus"

    def evaluate(self, run: Run, triggers: Sequence[Trigger]) -> None:
        if not run.ctx.has_dprk_nexus:
            return
        for trig in triggers:
            run.fire(trig, "transaction (DPRK nexus)")
