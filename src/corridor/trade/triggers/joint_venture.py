"""`joint_venture`: a joint venture, with or without a DPRK partner (a DPRK party,
or a project the nexus data names as a DPRK project)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corridor.trade.rules import Trigger
from corridor.trade.triggers.base import Run, TriggerKind, params
from corridor.trade.triggers.registry import register


@dataclass(frozen=True, slots=True)
class JointVentureParams:
    dprk_partner: bool | None = None


@register
class JointVentureKind(TriggerKind):
    kind = "joint_venture"
    fields = frozenset({"dprk_partner"})

    def parse(self, raw: Mapping[str, Any]) -> JointVentureParams:
        return JointVentureParams(raw.get("dprk_partner"))

    def evaluate(self, run: Run, triggers: Sequence[Trigger]) -> None:
        for jv in run.ctx.tx.joint_ventures:
            dprk = run.ctx.jv_dprk(jv)
            for trig in triggers:
                p = params(trig, JointVentureParams)
                if p.dprk_partner is not None and p.dprk_partner != dprk:
                    continue
                run.fire(trig, f"joint venture {jv.name!r}", jv=jv)
