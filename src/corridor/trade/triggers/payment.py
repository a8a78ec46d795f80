"""`payment`: payment methods (cash, barter...), trade finance, a DPRK bank in the
payment chain."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corridor.trade.rules import Trigger
from corridor.trade.triggers.base import Run, TriggerKind, frozen, params
from corridor.trade.triggers.registry import register


@dataclass(frozen=True, slots=True)
class PaymentParams:
    methods_any: frozenset[str] = frozenset()
    finance_any: frozenset[str] = frozenset()
    dprk_bank: bool | None = None


@register
class PaymentKind(TriggerKind):
    kind = "payment"
    fields = frozenset({"methods_any", "finance_any", "dprk_bank"})

    def parse(self, raw: Mapping[str, Any]) -> PaymentParams:
        return PaymentParams(frozen(raw, "methods_any"), frozen(raw, "finance_any"), raw.get("dprk_bank"))

    def evaluate(self, run: Run, triggers: Sequence[Trigger]) -> None:
        ctx = run.ctx
        pay = ctx.tx.payment
        for trig in triggers:
            p = params(trig, PaymentParams)
            if p.dprk_bank:
                if ctx.dprk_bank:
                    run.fire(trig, "payment: DPRK bank in the payment chain")
                continue
            if pay is None:
                continue
            if p.methods_any and pay.method in p.methods_any:
                run.fire(trig, f"payment: {pay.method}")
            elif p.finance_any and set(pay.finance) & p.finance_any:
                run.fire(trig, f"payment: {', '.join(sorted(set(pay.finance) & p.finance_any))}")
