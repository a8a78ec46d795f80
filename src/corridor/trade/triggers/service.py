"""`service`: a service by kind and where it is provided (and DPRK vessels)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corridor.trade.rules import Trigger
from corridor.trade.triggers.base import Run, TriggerKind, frozen, params
from corridor.trade.triggers.registry import register


@dataclass(frozen=True, slots=True)
class ServiceParams:
    kinds_any: frozenset[str] = frozenset()
    location_any: frozenset[str] = frozenset()
    dprk_vessel: bool | None = None


@register
class ServiceKind(TriggerKind):
    kind = "service"
    fields = frozenset({"kinds_any", "location_any", "dprk_vessel"})

    def parse(self, raw: Mapping[str, Any]) -> ServiceParams:
        return ServiceParams(frozen(raw, "kinds_any"), frozen(raw, "location_any"), raw.get("dprk_vessel"))

    def evaluate(self, run: Run, triggers: Sequence[Trigger]) -> None:
        ctx = run.ctx
        for service in ctx.tx.services:
            place = f" in {service.city}" if service.city else ""
            subject = f"service: {service.kind}{place}" + (
                f" ({service.location.upper()})" if service.location else ""
            )
            for trig in triggers:
                p = params(trig, ServiceParams)
                if p.kinds_any and service.kind not in p.kinds_any:
                    continue
                if p.location_any and service.location not in p.location_any:
                    continue
                if p.dprk_vessel is not None and p.dprk_vessel != ctx.has_dprk_vessel:
                    continue
                run.fire(trig, subject)
