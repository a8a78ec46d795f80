"""`vessel`: a vessel by flag, charter, ship-to-ship transfer, DPRK port call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corridor.trade.rules import Trigger
from corridor.trade.triggers.base import Run, TriggerKind, frozen, params
from corridor.trade.triggers.registry import register


@dataclass(frozen=True, slots=True)
class VesselParams:
    flag_any: frozenset[str] = frozenset()
    chartered: bool | None = None
    sts: bool | None = None
    called_dprk_port: bool | None = None


@register
class VesselKind(TriggerKind):
    kind = "vessel"
    fields = frozenset({"flag_any", "chartered", "sts", "called_dprk_port"})

    def parse(self, raw: Mapping[str, Any]) -> VesselParams:
        return VesselParams(
            flag_any=frozen(raw, "flag_any"),
            chartered=raw.get("chartered"),
            sts=raw.get("sts"),
            called_dprk_port=raw.get("called_dprk_port"),
        )

    def evaluate(self, run: Run, triggers: Sequence[Trigger]) -> None:
        ctx = run.ctx
        for vessel in ctx.tx.vessels:
            called = ctx.dprk_port_call and vessel.role == "carrier"
            subject = f"vessel {vessel.name!r}" + (
                f" (IMO {vessel.imo}, flag {vessel.flag or '?'})"
                if vessel.imo
                else f" (flag {vessel.flag or '?'})"
            )
            for trig in triggers:
                p = params(trig, VesselParams)
                if p.flag_any and vessel.flag not in p.flag_any:
                    continue
                if p.chartered is not None and p.chartered != vessel.chartered:
                    continue
                if p.sts is not None and p.sts != ctx.has_sts:
                    continue
                if p.called_dprk_port is not None and p.called_dprk_port != called:
                    continue
                run.fire(trig, subject)
