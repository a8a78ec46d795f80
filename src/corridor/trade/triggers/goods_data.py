"""`goods_data`: a goods line whose identification does not add up (a national code
the tables do not know, national digits without their system, a description naming
a product classified elsewhere, two products on one line): one reason per issue,
with the issue's explanation.  Used by the data-quality pack (`data_quality.yaml`),
which no resolution backs and which cites none."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corridor.trade.rules import Trigger
from corridor.trade.triggers.base import Run, TriggerKind, frozen, params
from corridor.trade.triggers.registry import register


@dataclass(frozen=True, slots=True)
class GoodsDataParams:
    issues_any: frozenset[str]


@register
class GoodsData(TriggerKind):
    kind = "goods_data"
    fields = frozenset({"issues_any"})

    def parse(self, raw: Mapping[str, Any]) -> GoodsDataParams:
        return GoodsDataParams(issues_any=frozen(raw, "issues_any"))

    def evaluate(self, run: Run, triggers: Sequence[Trigger]) -> None:
        for line in run.ctx.tx.goods:  # settlement goods are goods lines too
            for issue in line.issues:
                for trig in triggers:
                    if issue.kind in params(trig, GoodsDataParams).issues_any:
                        run.fire(trig, line.label, line=line, notes=[issue.message])
