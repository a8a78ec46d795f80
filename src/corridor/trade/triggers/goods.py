"""`goods`: a goods line by HS prefix and direction, with the products it names
(`products_any`/`products_none`: keys of the product vocabulary, in any language),
national subheadings (`national_any`: "cn:27101921"), raw descriptor terms,
settlement goods, countries, destinations, DPRK labour; capped lines become cap
charges.  Triggers are compiled into an HS index (direction -> prefix length ->
prefix) once per rulebook."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corridor.trade.context import Context
from corridor.trade.ledger import CapCharge
from corridor.trade.petroleum import ConversionError, convert
from corridor.trade.products import vocabulary as product_vocabulary
from corridor.trade.rules import Outcome, Rule, Trigger, matcher
from corridor.trade.transaction import GoodsLine
from corridor.trade.triggers.base import Run, TriggerKind, frozen, params
from corridor.trade.triggers.registry import register
from corridor.trade.verdict import reason
from corridor.types.text import TermMatcher

DIRECTIONS = ("to_dprk", "from_dprk", "any")


@dataclass(frozen=True, slots=True)
class GoodsParams:
    direction: str
    hs: tuple[str, ...] = ()
    hs_exclude: tuple[str, ...] = ()
    descriptor_any: TermMatcher | None = None
    descriptor_none: TermMatcher | None = None
    products_any: frozenset[str] = frozenset()
    products_none: frozenset[str] = frozenset()
    national_any: tuple[tuple[str, str], ...] = ()  # (system, code prefix)
    settlement: bool | None = None
    countries_any: frozenset[str] = frozenset()
    destination_any: frozenset[str] = frozenset()
    dprk_labour: bool | None = None
    charge_cap: bool = False


class GoodsIndex:
    """Goods triggers by direction and HS prefix; `lookup` is memoised (at most
    3 x 6,900 keys)."""

    def __init__(self, triggers: Sequence[Trigger], rules: Mapping[str, Rule]) -> None:
        # direction -> prefix length -> prefix -> triggers ("" prefix = every line)
        goods: dict[str, dict[int, dict[str, list[Trigger]]]] = {
            d: {n: defaultdict(list) for n in (0, 2, 4, 6)} for d in DIRECTIONS
        }
        # direction -> short code (2/4 digits) -> triggers whose prefixes extend it
        under: dict[str, dict[str, list[tuple[Trigger, str]]]] = {d: defaultdict(list) for d in DIRECTIONS}
        for trig in triggers:
            p = params(trig, GoodsParams)
            rule = rules[trig.rule_id]
            prefixes = p.hs or (rule.hs.prefixes if rule.hs else ())
            if not prefixes:
                goods[p.direction][0][""].append(trig)
            for prefix in prefixes:
                goods[p.direction][len(prefix)][prefix].append(trig)
                for short in (prefix[:2], prefix[:4]):
                    if len(short) < len(prefix):
                        under[p.direction][short].append((trig, prefix))
        self._goods = {d: {n: dict(v) for n, v in by_len.items()} for d, by_len in goods.items()}
        self._under = {d: dict(v) for d, v in under.items()}
        self._memo: dict[tuple[str, str], tuple[tuple[Trigger, bool], ...]] = {}

    def lookup(self, direction: str, hs6: str) -> tuple[tuple[Trigger, bool], ...]:
        """(trigger, exact) pairs; exact=False marks a trigger on a narrower code than
        the line gives (the line *may* fall under it: reported as review)."""
        key = (direction, hs6)
        cached = self._memo.get(key)
        if cached is None:
            cached = self._memo[key] = tuple(self._lookup(direction, hs6))
        return cached

    def _lookup(self, direction: str, hs6: str) -> list[tuple[Trigger, bool]]:
        by_len = self._goods[direction]
        found: list[tuple[Trigger, bool]] = [(t, True) for t in by_len[0].get("", ())]
        for n in (2, 4, 6):
            if len(hs6) >= n:
                found.extend((t, True) for t in by_len[n].get(hs6[:n], ()))
        if len(hs6) < 6:
            seen = {t.key for t, _ in found}
            for trig, _prefix in self._under[direction].get(hs6, ()):
                if trig.key not in seen:
                    seen.add(trig.key)
                    found.append((trig, False))
        return found


@register
class Goods(TriggerKind):
    kind = "goods"
    fields = frozenset(
        {
            "direction",
            "hs",
            "hs_exclude",
            "descriptor_any",
            "descriptor_none",
            "products_any",
            "products_none",
            "national_any",
            "settlement",
            "countries_any",
            "destination_any",
            "dprk_labour",
            "charge_cap",
        }
    )

    def parse(self, raw: Mapping[str, Any]) -> GoodsParams:
        return GoodsParams(
            direction=raw.get("direction", "any"),
            hs=tuple(raw.get("hs") or ()),
            hs_exclude=tuple(raw.get("hs_exclude") or ()),
            descriptor_any=matcher(raw.get("descriptor_any")),
            descriptor_none=matcher(raw.get("descriptor_none")),
            products_any=frozen(raw, "products_any"),
            products_none=frozen(raw, "products_none"),
            national_any=tuple(
                (system, code)
                for system, code in (item.split(":", 1) for item in raw.get("national_any") or ())
            ),
            settlement=raw.get("settlement"),
            countries_any=frozen(raw, "countries_any"),
            destination_any=frozen(raw, "destination_any"),
            dprk_labour=raw.get("dprk_labour"),
            charge_cap=bool(raw.get("charge_cap", False)),
        )

    def compile(self, triggers: Sequence[Trigger], rules: Mapping[str, Rule]) -> GoodsIndex:
        return GoodsIndex(triggers, rules)

    def evaluate(self, run: Run, triggers: Sequence[Trigger]) -> None:
        ctx = run.ctx
        index: GoodsIndex = run.rulebook.compiled[self.kind]
        for line in ctx.tx.goods:
            if line.direction:
                line_dirs = {line.direction}
            elif line.settlement and ctx.has_dprk_nexus:
                # Goods given as payment in a DPRK deal go to the DPRK side (workers, agencies).
                line_dirs = {"to_dprk"}
            else:
                line_dirs = set(ctx.directions)
            done: set[str] = set()
            for direction in (*sorted(line_dirs), "any"):
                for trig, exact in index.lookup(direction, line.hs.hs6):
                    p = params(trig, GoodsParams)
                    if trig.key in done or not _matches(ctx, p, line):
                        continue
                    done.add(trig.key)
                    notes = []
                    outcome = None
                    if not exact:
                        notes.append(
                            f"the line's code {line.hs.dotted()} is broader than this rule's HS prefixes: it may fall under it"
                        )
                        if trig.outcome.rank > Outcome.REVIEW.rank:
                            outcome = Outcome.REVIEW
                    if p.products_any:
                        notes.append(_named_by(line, p.products_any))
                    result = run.fire(trig, line.label, line=line, notes=notes, outcome=outcome)
                    if result is Outcome.CAPPED_REPORTABLE and p.charge_cap and exact:
                        _charge(run, run.rulebook.rules[trig.rule_id], line)


def _matches(ctx: Context, p: GoodsParams, line: GoodsLine) -> bool:
    hs6 = line.hs.hs6
    if p.hs_exclude and any(hs6.startswith(x) for x in p.hs_exclude):
        return False
    if p.descriptor_any is not None and p.descriptor_any.found(line.descriptor) is None:
        return False
    if p.descriptor_none is not None and p.descriptor_none.found(line.descriptor) is not None:
        return False
    if p.products_any and not (p.products_any & line.product_set):
        return False
    if p.products_none and p.products_none & line.product_set:
        return False
    if p.national_any and not any(
        n.system == system and n.digits.startswith(code)
        for n in line.national
        for system, code in p.national_any
    ):
        return False
    if p.settlement is not None and p.settlement != line.settlement:
        return False
    if p.countries_any and not (p.countries_any & (ctx.touched | ({line.origin} if line.origin else set()))):
        return False
    if p.destination_any and not (p.destination_any & ctx.destinations):
        return False
    return not (p.dprk_labour is not None and p.dprk_labour != line.dprk_labour)


def _named_by(line: GoodsLine, wanted: frozenset[str]) -> str:
    """Which source named the product the trigger wants (national code, product
    field, description in any language)."""
    vocab = product_vocabulary()
    sources = [n.source for n in line.namings if vocab.closure(n.product) & wanted]
    return "goods identified by " + "; ".join(dict.fromkeys(sources))


def _charge(run: Run, rule: Rule, line: GoodsLine) -> None:
    """The cap charge of one capped line (or the reason it cannot be counted)."""
    ctx = run.ctx
    cap = rule.cap
    assert cap is not None  # charge_cap is only allowed on capped rules (pack cross-check)
    subject = line.label
    period = cap.period.period_for(ctx.tx.date)
    if period is None:
        return
    if not cap.ledger:
        ctx.reasons.append(
            reason(
                rule,
                Outcome.CAPPED_REPORTABLE,
                f"Cap {cap.describe()}: not tracked in the ledger ({cap.note}).",
                subject,
            )
        )
        return
    table = run.rulebook.petroleum
    if table is None:
        ctx.reasons.append(
            reason(
                rule,
                Outcome.REVIEW,
                "No petroleum conversion table loaded: the line cannot be counted.",
                subject,
            )
        )
        return
    try:
        conv = convert(line, table)
    except ConversionError as exc:
        ctx.reasons.append(
            reason(rule, Outcome.REVIEW, f"Cannot count this line against the cap: {exc}.", subject)
        )
        return
    evidence = ctx.tx.evidence_for(line)
    ctx.charges.append(
        CapCharge(
            cap_id=rule.id,
            period=period[0],
            transaction_id=ctx.tx.id,
            line_no=line.line_no,
            shipment_date=ctx.tx.date,
            hs_code=line.hs.digits,
            product=conv.product,
            quantity=line.quantity,
            unit=line.unit,
            barrels=conv.barrels,
            tonnes=conv.tonnes,
            conversion=conv.text,
            notification_ref=evidence.get("notification", ""),
        )
    )
