"""What every trigger kind shares: the `TriggerKind` interface and `Run`, the
common path of a matching trigger (rule and trigger dates, jurisdiction scope,
`unless_evidence`, exemptions with their evidence and conditions).  Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from corridor.trade.context import Context
from corridor.trade.rules import Exemption, Outcome, Rule, RuleBook, Trigger
from corridor.trade.transaction import GoodsLine, JointVenture
from corridor.trade.verdict import reason

P = TypeVar("P")


class TriggerKind:
    """One kind of trigger: how its pack entry is parsed, and how it is checked."""

    kind: ClassVar[str]
    # The pack fields this kind reads (besides the common ones); the schema test
    # checks each is declared in pack.schema.json.
    fields: ClassVar[frozenset[str]] = frozenset()

    def parse(self, raw: Mapping[str, Any]) -> Any:
        """The kind's typed parameters from the trigger's pack entry."""
        return None

    def compile(self, triggers: Sequence[Trigger], rules: Mapping[str, Rule]) -> Any:
        """An optional lookup built once per rulebook (kept in `RuleBook.compiled`)."""
        return None

    def evaluate(self, run: Run, triggers: Sequence[Trigger]) -> None:
        """Fire every trigger of this kind that matches the transaction."""
        raise NotImplementedError


def params(trig: Trigger, cls: type[P]) -> P:
    """The trigger's parameters as the kind's own type."""
    value = trig.params
    if not isinstance(value, cls):
        raise TypeError(f"trigger {trig.key} has {type(value).__name__} parameters, not {cls.__name__}")
    return value


def frozen(raw: Mapping[str, Any], key: str) -> frozenset[str]:
    return frozenset(raw.get(key) or ())


@dataclass(slots=True)
class Run:
    """One transaction being checked: the context, the rules, the screening threshold."""

    ctx: Context
    rulebook: RuleBook
    match_threshold: float

    def fire(
        self,
        trig: Trigger,
        subject: str,
        *,
        line: GoodsLine | None = None,
        jv: JointVenture | None = None,
        notes: Iterable[str] = (),
        outcome: Outcome | None = None,
    ) -> Outcome | None:
        """Apply one matching trigger: date, scope, evidence, exemptions.  Returns the
        outcome recorded (None if the trigger does not apply)."""
        ctx = self.ctx
        rule = self.rulebook.rules[trig.rule_id]
        day = ctx.tx.date
        if not rule.in_force(day) or not trig.active_on(day):
            return None
        notes = list(notes)
        result = outcome or trig.outcome
        scope = trig.scope or rule.scope
        if scope.nexus != "any" and not ctx.has_jurisdiction(scope.nexus):
            if scope.otherwise == "skip":
                return None
            lowered = Outcome.REVIEW if scope.otherwise == "review" else Outcome.CLEAR
            if lowered.rank < result.rank:
                result = lowered
            notes.append(
                f"no {scope.nexus.upper()} nexus found: shown as a risk, not a {scope.nexus.upper()} prohibition"
            )
        evidence = ctx.tx.evidence_for(line)
        if trig.unless_evidence:
            given = [f"{k}={evidence[k]}" for k in trig.unless_evidence if k in evidence]
            if given:
                ctx.reasons.append(
                    reason(rule, Outcome.CLEAR, f"Evidence attached: {', '.join(given)}.", subject)
                )
                return Outcome.CLEAR
        if rule.hs_caveat and line is not None:
            notes.append(rule.hs_caveat)
        for ex in trig.exemptions:
            applied, note = self._exemption(ex, evidence, line, jv)
            if applied:
                ex_rule = self.rulebook.rules[ex.rule_id]
                ctx.reasons.append(
                    reason(
                        rule,
                        ex.outcome,
                        f"Exempt: {(ex.explain or ex_rule.title).rstrip('.')}. Without the exemption: {trig.explain}",
                        subject,
                        notes=[*notes, note],
                        exemption=ex.id,
                        exemption_citation=f"{ex_rule.id}: {ex_rule.citation}",
                    )
                )
                return ex.outcome
            if note:
                notes.append(note)
        ctx.reasons.append(reason(rule, result, trig.explain, subject, notes=notes))
        return result

    def _exemption(
        self, ex: Exemption, evidence: Mapping[str, str], line: GoodsLine | None, jv: JointVenture | None
    ) -> tuple[bool, str]:
        """(applies?, note).  The note explains a near miss: missing evidence, expired
        exemption, unmet condition - only when some part of it is present."""
        day = self.ctx.tx.date
        ex_rule = self.rulebook.rules[ex.rule_id]
        failed = self._unmet_conditions(ex, line, jv)
        present = [k for k in ex.evidence if k in evidence]
        missing = [k for k in ex.evidence if k not in evidence]
        label = f"exemption {ex.id} ({ex_rule.id}: {ex_rule.citation})"
        if not failed and not missing:
            if not ex_rule.in_force(day):
                return False, f"{label} not available on {day}: {ex_rule.not_in_force_reason(day)}"
            given = ", ".join(f"{k}={evidence[k]}" for k in ex.evidence)
            return True, f"{label} applies" + (f"; evidence: {given}" if given else "")
        if not present and (failed or not ex.evidence):
            return False, ""
        if not ex_rule.in_force(day):
            return False, f"{label} not available on {day}: {ex_rule.not_in_force_reason(day)}"
        parts = []
        if missing:
            parts.append("missing evidence: " + ", ".join(missing))
        if failed:
            parts.append("conditions not met: " + "; ".join(failed))
        return False, f"{label} does not apply ({'; '.join(parts)})"

    def _unmet_conditions(self, ex: Exemption, line: GoodsLine | None, jv: JointVenture | None) -> list[str]:
        ctx = self.ctx
        cond = ex.conditions
        failed = []
        if cond.port_of_loading_any and not (ctx.loading_keys & set(cond.port_of_loading_any)):
            failed.append("loaded at " + "/".join(cond.port_of_loading_any))
        if cond.goods_origin_not:
            origin = (line.origin if line else None) or ctx.tx.origin
            if origin is None or origin in cond.goods_origin_not:
                failed.append("goods origin stated and not " + "/".join(cond.goods_origin_not))
        if cond.hs_any:
            lines = [line] if line is not None else list(ctx.tx.goods)
            if not lines or not all(any(g.hs.hs6.startswith(p) for p in cond.hs_any) for g in lines):
                failed.append("goods within HS " + "/".join(cond.hs_any))
        if cond.jv_project_any and (jv is None or jv.project not in cond.jv_project_any):
            failed.append("project " + "/".join(cond.jv_project_any))
        if cond.jv_purpose_any and (jv is None or jv.purpose not in cond.jv_purpose_any):
            failed.append("purpose " + "/".join(cond.jv_purpose_any))
        return failed
