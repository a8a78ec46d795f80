"""Rule packs: YAML data validated by a JSON Schema, compiled into a `RuleBook`.

A pack (`packs/*.yaml`, schema `packs/pack.schema.json`) lists one regime's rules.
Each rule is a legal anchor (instrument + paragraph, verification mark V/P/U,
sources, dates, status) with *triggers*: the situations in a transaction the
engine recognises (a goods line by HS prefix and direction, a listed party, a
DPRK-flagged vessel, DPRK workers, a joint venture, a service, a payment...) and
the outcome each one produces.  Exemptions name the evidence they need.

Loading validates every pack and fails with `ParseError(file, "rule ID, field X",
message)`; cross-checks follow (unique ids, known sources and exemption rules, HS
prefixes that exist in HS 2022).  Compiling builds the lookups the evaluator uses
per transaction: goods triggers indexed by direction and HS prefix length, the
other triggers by kind, descriptor term lists as precompiled regexes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from corridor.errors import ParseError
from corridor.trade.hs import Nomenclature
from corridor.types.text import TermMatcher, normalize

# The C loader when libyaml is there (packs load ~5x faster); both are safe loaders.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PACKS_DIR = Path(str(resources.files("corridor.trade") / "packs"))
DEFAULT_PACKS = ("un_dprk", "us_dprk", "eu_dprk", "uk_dprk", "ru_chpl", "data_quality")


class Outcome(StrEnum):
    """The verdict scale, most severe first in `SEVERITY` order."""

    PROHIBITED = "PROHIBITED"
    LICENCE_REQUIRED = "LICENCE_REQUIRED"
    CAPPED_REPORTABLE = "CAPPED_REPORTABLE"
    REVIEW = "REVIEW"
    CLEAR = "CLEAR"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {
    Outcome.CLEAR: 0,
    Outcome.REVIEW: 1,
    Outcome.CAPPED_REPORTABLE: 2,
    Outcome.LICENCE_REQUIRED: 3,
    Outcome.PROHIBITED: 4,
}
# Pack vocabulary -> verdict scale ("note" is shown but never raises the verdict).
OUTCOME_OF = {
    "prohibited": Outcome.PROHIBITED,
    "licence_required": Outcome.LICENCE_REQUIRED,
    "capped_reportable": Outcome.CAPPED_REPORTABLE,
    "review": Outcome.REVIEW,
    "note": Outcome.CLEAR,
}


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    title: str
    urls: tuple[str, ...] = ()
    locator: str = ""

    def cite(self) -> str:
        where = self.urls[0] if self.urls else self.locator
        return f"[{self.key}] {self.title}" + (f" <{where}>" if where else "")


@dataclass(frozen=True, slots=True)
class HSMapping:
    prefixes: tuple[str, ...]
    mapping: str  # "resolution" (the instrument's own digits) or "pack" (this pack's mapping)
    verification: str  # V / P / U
    note: str = ""

    def caveat(self) -> str:
        """How far the HS digits can be trusted, in words ("" when verified)."""
        if self.mapping == "pack":
            return "HS mapping is this pack's own, not the instrument's words (unverified)"
        if self.verification != "V":
            return (
                f"HS digits per the instrument as briefed, not seen in retrieved text ({self.verification})"
            )
        return ""


@dataclass(frozen=True, slots=True)
class Conditions:
    port_of_loading_any: tuple[str, ...] = ()
    goods_origin_not: tuple[str, ...] = ()
    hs_any: tuple[str, ...] = ()
    jv_project_any: tuple[str, ...] = ()
    jv_purpose_any: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = []
        if self.port_of_loading_any:
            parts.append("loaded at " + "/".join(self.port_of_loading_any))
        if self.goods_origin_not:
            parts.append("goods origin not " + "/".join(self.goods_origin_not))
        if self.hs_any:
            parts.append("HS " + "/".join(self.hs_any))
        if self.jv_project_any:
            parts.append("project " + "/".join(self.jv_project_any))
        if self.jv_purpose_any:
            parts.append("purpose " + "/".join(self.jv_purpose_any))
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class Exemption:
    id: str
    rule_id: str
    evidence: tuple[str, ...]
    outcome: Outcome = Outcome.CLEAR
    conditions: Conditions = field(default_factory=Conditions)
    explain: str = ""


@dataclass(frozen=True, slots=True)
class Scope:
    nexus: str = "any"  # any / us / eu / uk
    otherwise: str = "skip"  # note / review / skip when the nexus is missing


@dataclass(frozen=True, slots=True)
class CapLimit:
    amount: Decimal
    unit: str  # bbl / t / usd


@dataclass(frozen=True, slots=True)
class CapPeriod:
    kind: str  # calendar_year / anniversary / fixed
    month: int = 1
    day: int = 1
    start: dt.date | None = None
    end: dt.date | None = None

    def period_for(self, day: dt.date) -> tuple[str, dt.date, dt.date] | None:
        """(label, first day, last day) of the period containing `day`, or None."""
        if self.kind == "calendar_year":
            return str(day.year), dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
        if self.kind == "anniversary":
            year = day.year if (day.month, day.day) >= (self.month, self.day) else day.year - 1
            start = dt.date(year, self.month, self.day)
            end = dt.date(year + 1, self.month, self.day) - dt.timedelta(days=1)
            return f"{start.isoformat()}/{end.isoformat()}", start, end
        assert self.start is not None and self.end is not None
        if self.start <= day <= self.end:
            return f"{self.start.isoformat()}/{self.end.isoformat()}", self.start, self.end
        return None

    def describe(self) -> str:
        if self.kind == "calendar_year":
            return "per calendar year"
        if self.kind == "anniversary":
            return f"per 12 months from {dt.date(2000, self.month, self.day):%d %B}"
        return f"{self.start} to {self.end}"


@dataclass(frozen=True, slots=True)
class Cap:
    limits: tuple[CapLimit, ...]
    period: CapPeriod
    product: str  # refined / crude / coal
    ledger: bool
    thresholds: tuple[Decimal, ...]
    thresholds_verification: str
    over_cap_exemption: Exemption | None = None
    note: str = ""

    def limit(self, unit: str) -> Decimal | None:
        return next((lim.amount for lim in self.limits if lim.unit == unit), None)

    def describe(self) -> str:
        amounts = " or ".join(f"{lim.amount:,} {lim.unit}" for lim in self.limits)
        return f"{amounts} {self.period.describe()}"


@dataclass(frozen=True, slots=True)
class Trigger:
    """One situation a rule recognises, with the outcome it produces.

    The fields every kind shares are here; what a kind matches on is its own typed
    `params` (a dataclass defined by the kind's module under `trade/triggers/`)."""

    rule_id: str
    index: int
    kind: str
    outcome: Outcome
    explain: str
    params: Any = None
    applies_from: dt.date | None = None
    applies_until: dt.date | None = None
    unless_evidence: tuple[str, ...] = ()
    exemptions: tuple[Exemption, ...] = ()
    scope: Scope | None = None  # overrides the rule's scope

    @property
    def key(self) -> str:
        return f"{self.rule_id}#{self.index}"

    def active_on(self, day: dt.date) -> bool:
        if self.applies_from and day < self.applies_from:
            return False
        return not (self.applies_until and day > self.applies_until)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    pack: str
    regime: str
    title: str
    instrument: str
    paragraph: str
    verification: str  # V / P / U
    verified: bool
    verification_note: str
    sources: tuple[Source, ...]
    status: str
    adopted: dt.date
    in_force_from: dt.date
    superseded_by: str
    superseded_on: dt.date | None
    expired_on: dt.date | None
    dates_note: str
    direction: str
    measure: str
    hs: HSMapping | None
    cap: Cap | None
    scope: Scope
    triggers: tuple[Trigger, ...]
    explanation: str
    hs_caveat: str = ""  # precomputed HSMapping.caveat() (shown with every goods reason)
    citation_text: str = ""  # precomputed citation
    source_ids: tuple[str, ...] = ()

    def in_force(self, day: dt.date) -> bool:
        """Applies on `day`: in_force_from <= day < superseded_on / expired_on."""
        if day < self.in_force_from:
            return False
        if self.superseded_on and day >= self.superseded_on:
            return False
        return not (self.expired_on and day >= self.expired_on)

    def not_in_force_reason(self, day: dt.date) -> str:
        if day < self.in_force_from:
            return f"not yet in force on {day} (from {self.in_force_from})"
        if self.superseded_on and day >= self.superseded_on:
            return f"superseded by {self.superseded_by} on {self.superseded_on}"
        if self.expired_on and day >= self.expired_on:
            return f"expired: no longer applies from {self.expired_on}"
        return ""

    @property
    def paragraph_label(self) -> str:
        """The paragraph as it must be shown: unverified numbers say so."""
        return self.paragraph if self.verified else f"{self.paragraph} (unverified)"

    @property
    def citation(self) -> str:
        return self.citation_text or f"{self.instrument} {self.paragraph_label} [{self.verification}]"


@dataclass(frozen=True, slots=True)
class PetroleumProduct:
    key: str
    label: str
    heading: str  # the HS heading a line must be under for its descriptor to name this product
    t_to_bbl: Decimal
    kl_to_t: Decimal | None
    verification: str
    basis: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PetroleumDefault:
    hs: str
    product: str
    conservative: bool
    note: str


@dataclass(frozen=True, slots=True)
class PetroleumTable:
    authority: str
    barrel_litres: Decimal
    products: Mapping[str, PetroleumProduct]
    defaults: tuple[PetroleumDefault, ...]
    by_product: Mapping[str, str]  # product-vocabulary key (products.yaml) -> petroleum product key

    def default_for(self, hs6: str) -> PetroleumDefault | None:
        best: PetroleumDefault | None = None
        for item in self.defaults:
            if hs6.startswith(item.hs) and (best is None or len(item.hs) > len(best.hs)):
                best = item
        return best


@dataclass(frozen=True, slots=True)
class PackInfo:
    id: str
    title: str
    regime: str
    compiled: str
    basis: str
    path: str
    rule_count: int


class RuleBook:
    """All loaded rules, compiled for fast lookup by the evaluator."""

    def __init__(
        self, rules: Sequence[Rule], packs: Sequence[PackInfo], petroleum: PetroleumTable | None
    ) -> None:
        from corridor.trade.triggers import registry  # the kinds import this module

        self.rules: dict[str, Rule] = {r.id: r for r in rules}
        self.packs = tuple(packs)
        self.petroleum = petroleum
        self.by_kind: dict[str, list[Trigger]] = defaultdict(list)
        for rule in rules:
            for trig in rule.triggers:
                self.by_kind[trig.kind].append(trig)
        # Each kind may compile its triggers into its own lookup (goods: an HS index).
        self.compiled: dict[str, Any] = {}
        for kind, handler in registry.kinds().items():
            compiled = handler.compile(self.by_kind.get(kind, ()), self.rules)
            if compiled is not None:
                self.compiled[kind] = compiled

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, rule_id: str) -> Rule:
        try:
            return self.rules[rule_id]
        except KeyError:
            raise KeyError(f"unknown rule id {rule_id!r}") from None

    def goods_triggers(self, direction: str, hs6: str) -> tuple[tuple[Trigger, bool], ...]:
        """Goods triggers for a code moving in `direction`: (trigger, exact) pairs
        (see `trade.triggers.goods.GoodsIndex`)."""
        index = self.compiled["goods"]
        found: tuple[tuple[Trigger, bool], ...] = index.lookup(direction, hs6)
        return found

    def caps(self) -> dict[str, Cap]:
        return {rid: r.cap for rid, r in self.rules.items() if r.cap is not None}


# --- loading ------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _validator(schema_path: str) -> Draft202012Validator:
    with open(schema_path, encoding="utf-8") as handle:
        schema = json.load(handle)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _stringify_dates(value: Any) -> Any:
    """YAML turns 2017-12-22 into a date; the schema (and JSON) want strings."""
    if isinstance(value, dict):
        return {k: _stringify_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify_dates(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def read_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return _stringify_dates(yaml.load(handle, Loader=_LOADER))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ParseError(path, where, f"invalid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise ParseError(path, "", f"invalid YAML: {exc}") from exc
    except OSError as exc:
        raise ParseError(path, "", f"cannot read: {exc}") from exc


def _where(data: Any, error_path: Sequence[Any]) -> str:
    """'rule UN-2397-5, field hs.verification' for a schema error inside a rule."""
    parts = list(error_path)
    if len(parts) >= 2 and parts[0] == "rules" and isinstance(parts[1], int):
        rules = data.get("rules") if isinstance(data, dict) else None
        rule = rules[parts[1]] if isinstance(rules, list) and parts[1] < len(rules) else None
        rule_id = rule.get("id") if isinstance(rule, dict) else None
        label = f"rule {rule_id}" if rule_id else f"rules[{parts[1]}]"
        rest = parts[2:]
        return f"{label}, field {_dotted(rest)}" if rest else label
    return f"field {_dotted(parts)}" if parts else "top level"


def _dotted(parts: Sequence[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _schema_error(path: Path, data: Any, errors: list[ValidationError]) -> ParseError:
    # Deepest first: the most specific message names the exact field.
    errors.sort(key=lambda e: (-len(e.absolute_path), list(map(str, e.absolute_path))))
    first = errors[0]
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return ParseError(path, _where(data, list(first.absolute_path)), f"{first.message}{more}")


def validate_document(path: Path, data: Any, schema_name: str) -> None:
    """Raise ParseError naming the file and the rule/field of the first problem."""
    validator = _validator(str(PACKS_DIR / schema_name))
    errors = list(validator.iter_errors(data))
    if errors:
        raise _schema_error(path, data, errors)


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def matcher(terms: Iterable[str] | None) -> TermMatcher | None:
    """A compiled matcher for a pack's term list, or None when there are none."""
    terms = list(terms or ())
    return TermMatcher(terms) if terms else None


def _exemption(raw: Mapping[str, Any]) -> Exemption:
    cond = raw.get("conditions") or {}
    return Exemption(
        id=raw["id"],
        rule_id=raw["rule"],
        evidence=tuple(raw.get("evidence") or ()),
        outcome=OUTCOME_OF[raw.get("outcome", "note")],
        conditions=Conditions(
            port_of_loading_any=tuple(normalize(p) for p in cond.get("port_of_loading_any", ())),
            goods_origin_not=tuple(cond.get("goods_origin_not", ())),
            hs_any=tuple(cond.get("hs_any", ())),
            jv_project_any=tuple(cond.get("jv_project_any", ())),
            jv_purpose_any=tuple(cond.get("jv_purpose_any", ())),
        ),
        explain=raw.get("explain", ""),
    )


def _scope(raw: Mapping[str, Any] | None) -> Scope | None:
    if not raw:
        return None
    return Scope(nexus=raw["nexus"], otherwise=raw.get("otherwise", "skip"))


def _trigger(rule_id: str, index: int, raw: Mapping[str, Any]) -> Trigger:
    from corridor.trade.triggers import registry  # the kinds import this module

    return Trigger(
        rule_id=rule_id,
        index=index,
        kind=raw["kind"],
        outcome=OUTCOME_OF[raw["outcome"]],
        explain=raw["explain"],
        params=registry.get(raw["kind"]).parse(raw),
        applies_from=_date(raw.get("applies_from")),
        applies_until=_date(raw.get("applies_until")),
        unless_evidence=tuple(raw.get("unless_evidence") or ()),
        exemptions=tuple(_exemption(e) for e in raw.get("exemptions") or ()),
        scope=_scope(raw.get("scope")),
    )


def _cap(raw: Mapping[str, Any]) -> Cap:
    period = raw["period"]
    over = raw.get("over_cap_exemption")
    return Cap(
        limits=tuple(CapLimit(Decimal(str(lim["amount"])), lim["unit"]) for lim in raw["limits"]),
        period=CapPeriod(
            kind=period["kind"],
            month=int(period.get("month", 1)),
            day=int(period.get("day", 1)),
            start=_date(period.get("start")),
            end=_date(period.get("end")),
        ),
        product=raw["product"],
        ledger=bool(raw.get("ledger", False)),
        thresholds=tuple(sorted(Decimal(str(t)) for t in raw["thresholds"])),
        thresholds_verification=raw["thresholds_verification"],
        over_cap_exemption=_exemption(over) if over else None,
        note=raw.get("note", ""),
    )


def _petroleum(path: Path, raw: Mapping[str, Any]) -> PetroleumTable:
    products: dict[str, PetroleumProduct] = {}
    by_product: dict[str, str] = {}  # product-vocabulary key -> petroleum product
    for key, item in raw["products"].items():
        products[key] = PetroleumProduct(
            key=key,
            label=item["label"],
            heading=item["heading"],
            t_to_bbl=Decimal(str(item["t_to_bbl"])),
            kl_to_t=Decimal(str(item["kl_to_t"])) if "kl_to_t" in item else None,
            verification=item["verification"],
            basis=item["basis"],
            sources=tuple(item.get("sources") or ()),
        )
        for product in item["products"]:
            if product in by_product:
                raise ParseError(
                    path,
                    f"field petroleum.products.{key}.products",
                    f"{product!r} is also under {by_product[product]}",
                )
            by_product[product] = key
    defaults = tuple(
        PetroleumDefault(
            hs=d["hs"], product=d["product"], conservative=bool(d.get("conservative")), note=d["note"]
        )
        for d in raw["defaults"]
    )
    return PetroleumTable(
        authority=raw["authority"],
        barrel_litres=Decimal(str(raw["barrel_litres"])),
        products=products,
        defaults=defaults,
        by_product=by_product,
    )


def _build_rule(pack_id: str, raw: Mapping[str, Any], sources: Mapping[str, Source]) -> Rule:
    dates = raw["dates"]
    hs = raw.get("hs")
    paragraph = raw["paragraph"] if raw["verified"] else f"{raw['paragraph']} (unverified)"
    mapping = (
        HSMapping(tuple(hs["prefixes"]), hs["mapping"], hs["verification"], hs.get("note", ""))
        if hs
        else None
    )
    rule_id = raw["id"]
    return Rule(
        id=rule_id,
        pack=pack_id,
        regime=raw["regime"],
        title=raw["title"],
        instrument=raw["instrument"],
        paragraph=raw["paragraph"],
        verification=raw["verification"],
        verified=bool(raw["verified"]),
        verification_note=raw.get("verification_note", ""),
        sources=tuple(sources[key] for key in raw["sources"]),
        status=raw["status"],
        adopted=dt.date.fromisoformat(dates["adopted"]),
        in_force_from=dt.date.fromisoformat(dates["in_force_from"]),
        superseded_by=dates.get("superseded_by", ""),
        superseded_on=_date(dates.get("superseded_on")),
        expired_on=_date(dates.get("expired_on")),
        dates_note=dates.get("note", ""),
        direction=raw["direction"],
        measure=raw["measure"],
        hs=mapping,
        cap=_cap(raw["cap"]) if raw.get("cap") else None,
        scope=_scope(raw.get("scope")) or Scope(),
        triggers=tuple(_trigger(rule_id, i, t) for i, t in enumerate(raw.get("triggers") or ())),
        explanation=" ".join(raw["explanation"].split()),
        hs_caveat=mapping.caveat() if mapping else "",
        citation_text=(
            f"{raw['instrument']} {paragraph} [{raw['verification']}]"
            if raw.get("legal_basis", True)
            else f"{raw['instrument']}: {raw['paragraph']} (no legal basis: a data-quality check)"
        ),
        source_ids=tuple(raw["sources"]),
    )


def _check_rule(
    path: Path, raw: Mapping[str, Any], sources: Mapping[str, Source], hs: Nomenclature | None
) -> None:
    rule_id = raw["id"]
    for key in raw["sources"]:
        if key not in sources:
            raise ParseError(
                path, f"rule {rule_id}, field sources", f"source {key} is not defined in this pack's sources"
            )
    dates = raw["dates"]
    in_force = dt.date.fromisoformat(dates["in_force_from"])
    for key in ("superseded_on", "expired_on"):
        if dates.get(key) and dt.date.fromisoformat(dates[key]) <= in_force:
            raise ParseError(
                path,
                f"rule {rule_id}, field dates.{key}",
                f"{dates[key]} is not after in_force_from {in_force}",
            )
    if raw["status"] == "in_force" and (dates.get("superseded_on") or dates.get("expired_on")):
        raise ParseError(
            path, f"rule {rule_id}, field status", "in_force but the dates say superseded/expired"
        )
    if hs is not None:
        prefix_sets: list[tuple[str, Sequence[str]]] = []
        if raw.get("hs"):
            prefix_sets.append(("hs.prefixes", raw["hs"]["prefixes"]))
        for i, trig in enumerate(raw.get("triggers") or ()):
            for key in ("hs", "hs_exclude"):
                if trig.get(key):
                    prefix_sets.append((f"triggers[{i}].{key}", trig[key]))
            for j, ex in enumerate(trig.get("exemptions") or ()):
                if (ex.get("conditions") or {}).get("hs_any"):
                    prefix_sets.append(
                        (f"triggers[{i}].exemptions[{j}].conditions.hs_any", ex["conditions"]["hs_any"])
                    )
        for where, prefixes in prefix_sets:
            for prefix in prefixes:
                if prefix not in hs:
                    raise ParseError(
                        path, f"rule {rule_id}, field {where}", f"HS code {prefix} is not in HS 2022"
                    )
    for i, trig in enumerate(raw.get("triggers") or ()):
        prefixes = trig.get("hs") or (raw.get("hs") or {}).get("prefixes") or ()
        for j, item in enumerate(trig.get("national_any") or ()):
            code = item.split(":", 1)[1]
            where = f"rule {rule_id}, field triggers[{i}].national_any[{j}]"
            if prefixes and not any(code.startswith(p) for p in prefixes):
                raise ParseError(
                    path,
                    where,
                    f"{item} is not under the trigger's HS codes ({', '.join(prefixes)}): it can never match",
                )
            if hs is not None and code[:6] not in hs:
                raise ParseError(path, where, f"{item}: {code[:6]} is not in HS 2022")
        if trig.get("charge_cap") and not raw.get("cap"):
            raise ParseError(
                path, f"rule {rule_id}, field triggers[{i}].charge_cap", "the rule has no cap to charge"
            )


def load_pack(
    path: Path, hs: Nomenclature | None = None
) -> tuple[PackInfo, list[Rule], PetroleumTable | None, list[str]]:
    """Validate and build one pack; returns (info, rules, petroleum table, referenced rule ids)."""
    data = read_yaml(path)
    validate_document(path, data, "pack.schema.json")
    sources = {
        key: Source(key, item["title"], tuple(item.get("urls") or ()), item.get("locator", ""))
        for key, item in (data.get("sources") or {}).items()
    }
    rules: list[Rule] = []
    references: list[str] = []
    for raw in data["rules"]:
        _check_rule(path, raw, sources, hs)
        rules.append(_build_rule(data["pack"]["id"], raw, sources))
        for trig in raw.get("triggers") or ():
            references.extend(f"{raw['id']}:{e['rule']}" for e in trig.get("exemptions") or ())
        if raw.get("cap", {}).get("over_cap_exemption"):
            references.append(f"{raw['id']}:{raw['cap']['over_cap_exemption']['rule']}")
        if raw["dates"].get("superseded_by"):
            references.append(f"{raw['id']}:{raw['dates']['superseded_by']}")
    meta = data["pack"]
    info = PackInfo(
        meta["id"],
        meta["title"],
        meta["regime"],
        meta["compiled"],
        " ".join(meta["basis"].split()),
        str(path),
        len(rules),
    )
    petroleum = _petroleum(path, data["petroleum"]) if data.get("petroleum") else None
    if petroleum:
        from corridor.trade.products import vocabulary

        known = vocabulary()
        for product in petroleum.by_product:
            if product not in known:
                raise ParseError(
                    path,
                    f"field petroleum.products ({product})",
                    f"unknown product {product!r} (products.yaml)",
                )
        for item in petroleum.defaults:
            if item.product not in petroleum.products:
                raise ParseError(
                    path, f"field petroleum.defaults ({item.hs})", f"unknown product {item.product!r}"
                )
    return info, rules, petroleum, references


def load_rulebook(paths: Iterable[Path] | None = None, hs: Nomenclature | None = None) -> RuleBook:
    """Load packs (default: the bundled six) into one RuleBook; fails on the first bad pack."""
    pack_paths = list(paths) if paths is not None else [PACKS_DIR / f"{name}.yaml" for name in DEFAULT_PACKS]
    infos: list[PackInfo] = []
    rules: list[Rule] = []
    petroleum: PetroleumTable | None = None
    references: list[tuple[Path, str]] = []
    seen: dict[str, Path] = {}
    for path in pack_paths:
        info, pack_rules, pack_petroleum, refs = load_pack(Path(path), hs)
        for rule in pack_rules:
            if rule.id in seen:
                raise ParseError(
                    path, f"rule {rule.id}, field id", f"duplicate rule id (also in {seen[rule.id]})"
                )
            seen[rule.id] = Path(path)
        infos.append(info)
        rules.extend(pack_rules)
        references.extend((Path(path), ref) for ref in refs)
        if pack_petroleum is not None:
            if petroleum is not None:
                raise ParseError(path, "field petroleum", "petroleum conversion table defined in two packs")
            petroleum = pack_petroleum
    for path, ref in references:
        owner, target = ref.split(":", 1)
        if target not in seen:
            raise ParseError(path, f"rule {owner}", f"refers to unknown rule {target!r}")
    return RuleBook(rules, infos, petroleum)


@lru_cache(maxsize=4)
def default_rulebook(hs_dir: Path | None = None) -> RuleBook:
    """The bundled packs; validated against HS 2022 when `hs_dir` holds it (the
    application layer passes the shared HS folder)."""
    from corridor.trade import hs as hs_module

    nomenclature = None
    if hs_dir is not None and (hs_dir / "harmonized-system.csv").exists():
        nomenclature = hs_module.load(hs_dir)
    return load_rulebook(hs=nomenclature)
