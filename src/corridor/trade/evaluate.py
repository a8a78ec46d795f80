"""Checking a transaction against the rule packs: one verdict, every reason.

Verdict scale (most severe wins): PROHIBITED > LICENCE_REQUIRED > CAPPED_REPORTABLE
> REVIEW > CLEAR.  Each reason cites its rule (id, instrument, paragraph - shown as
"(unverified)" unless the paragraph was verified - and the V/P/U mark); CLEAR
reasons are notes (exemptions applied, evidence seen, secondary-sanctions risk).

Steps for one transaction:
 1. DPRK nexus: directions (to_dprk / from_dprk) from the stated origin and
    destination and from what it does not state - DPRK ports, DPRK-flagged
    carriers, DPRK parties (country, address, banks, state bodies).
 2. Screening: every party and vessel through the `PartyScreener`.
 3. Rules: the triggers of every rule in force on the transaction date - goods
    lines by HS prefix and direction (precompiled index), listed parties and
    vessels, party indicators, vessels, labour, joint ventures, services,
    payment - with jurisdiction scope (US/EU/UK nexus) and exemptions that
    apply only when their evidence is attached.
 4. Caps: capped petroleum lines are converted to barrels and checked against the
    ledger; warnings at the thresholds, PROHIBITED above the cap; the lines are
    recorded (one DB transaction) only when the verdict lets the shipment go.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from corridor.trade import hs as hs_module
from corridor.trade.hs import Nomenclature
from corridor.trade.ledger import CapCharge, CapLedger, CapStatus
from corridor.trade.nexus import NexusData, NexusFinding, PartyIndicators, default_nexus
from corridor.trade.petroleum import ConversionError, convert
from corridor.trade.rules import Exemption, Outcome, Rule, RuleBook, Scope, Trigger, default_rulebook
from corridor.trade.screening import NullScreener, PartyHit, PartyScreener, list_family
from corridor.trade.transaction import GoodsLine, JointVenture, Party, Transaction

EU_MEMBERS = frozenset(
    [
        "at",
        "be",
        "bg",
        "hr",
        "cy",
        "cz",
        "dk",
        "ee",
        "fi",
        "fr",
        "de",
        "gr",
        "hu",
        "ie",
        "it",
        "lv",
        "lt",
        "lu",
        "mt",
        "nl",
        "pl",
        "pt",
        "ro",
        "sk",
        "si",
        "es",
        "se",
    ]
)
_RECEIVING_ROLES = frozenset({"importer", "consignee", "end_user", "notify_party"})
_SENDING_ROLES = frozenset({"exporter"})
_BANK_ROLES = frozenset(
    {"ordering_bank", "beneficiary_bank", "correspondent_bank", "intermediary_bank", "bank"}
)


@dataclass(frozen=True, slots=True)
class Reason:
    outcome: Outcome
    rule_id: str
    citation: str  # "UNSCR 2397 (2017) para 7 (unverified) [P]"
    verification: str
    verified: bool
    message: str
    subject: str  # "line 2: HS 2710.19 diesel", "party 'X' (importer)", "transaction"
    notes: tuple[str, ...] = ()
    exemption: str = ""  # id of the exemption applied
    exemption_citation: str = ""
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "outcome": self.outcome.value,
            "rule_id": self.rule_id,
            "citation": self.citation,
            "verification": self.verification,
            "verified": self.verified,
            "subject": self.subject,
            "message": self.message,
        }
        if self.notes:
            out["notes"] = list(self.notes)
        if self.exemption:
            out["exemption"] = self.exemption
            out["exemption_citation"] = self.exemption_citation
        if self.sources:
            out["sources"] = list(self.sources)
        return out


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    subject: str  # "party 'X' (importer)" / "vessel 'Y' (IMO 1234567)"
    name: str
    schema: str
    hits: tuple[PartyHit, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "schema": self.schema,
            "hits": [
                {
                    "entity_id": h.entity_id,
                    "list": h.list,
                    "ref": h.ref,
                    "caption": h.caption,
                    "score": h.score,
                    "programs": list(h.programs),
                    "explanation": h.explanation,
                }
                for h in self.hits
            ],
        }


@dataclass(slots=True)
class Verdict:
    transaction_id: str
    date: dt.date
    outcome: Outcome
    reasons: list[Reason]
    screening: list[ScreeningResult]
    nexus: list[NexusFinding]
    directions: tuple[str, ...]
    caps: list[CapStatus] = field(default_factory=list)
    charges: list[CapCharge] = field(default_factory=list)
    recorded: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def rule_ids(self) -> list[str]:
        return sorted({r.rule_id for r in self.reasons})

    def reasons_at(self, outcome: Outcome) -> list[Reason]:
        return [r for r in self.reasons if r.outcome is outcome]

    def to_dict(self) -> dict[str, Any]:
        return {
            "transaction_id": self.transaction_id,
            "date": self.date.isoformat(),
            "verdict": self.outcome.value,
            "directions": list(self.directions),
            "reasons": [r.to_dict() for r in self.reasons],
            "screening": [s.to_dict() for s in self.screening if s.hits],
            "nexus": [
                {
                    "kind": f.kind,
                    "subject": f.subject,
                    "detail": f.detail,
                    "strength": f.strength,
                    "stated": f.stated,
                }
                for f in self.nexus
            ],
            "caps": [
                {
                    "cap_id": c.cap_id,
                    "period": c.period,
                    "limit_bbl": str(c.limit_bbl) if c.limit_bbl is not None else None,
                    "limit_t": str(c.limit_t) if c.limit_t is not None else None,
                    "before_bbl": str(c.before_bbl),
                    "this_bbl": str(c.this_bbl),
                    "after_bbl": str(c.after_bbl),
                    "percent_after": f"{c.percent_after:.2f}",
                    "over": c.over,
                }
                for c in self.caps
            ],
            "charges": [
                {
                    "cap_id": c.cap_id,
                    "period": c.period,
                    "line_no": c.line_no,
                    "barrels": str(c.barrels),
                    "tonnes": str(c.tonnes) if c.tonnes is not None else None,
                    "conversion": c.conversion,
                }
                for c in self.charges
            ],
            "recorded_in_ledger": self.recorded,
            "warnings": list(self.warnings),
        }


@dataclass(slots=True)
class _Context:
    """Facts derived once per transaction and shared by the trigger handlers."""

    tx: Transaction
    directions: set[str]
    nexus: list[NexusFinding]
    indicators: dict[int, PartyIndicators]  # party index -> indicators
    dprk_parties: set[int]
    us: bool
    eu: bool
    uk: bool
    loading_keys: set[str]
    dprk_port_call: bool
    touched: set[str]  # countries the transaction touches
    destinations: set[str]
    has_dprk_vessel: bool
    has_sts: bool
    dprk_bank: bool
    reasons: list[Reason] = field(default_factory=list)
    charges: list[CapCharge] = field(default_factory=list)

    @property
    def has_dprk_nexus(self) -> bool:
        return bool(self.directions) or any(f.strength == "strong" for f in self.nexus)


class Evaluator:
    """Checks transactions; holds the compiled rules, indicators, screener and ledger."""

    def __init__(
        self,
        rulebook: RuleBook | None = None,
        *,
        hs: Nomenclature | None = None,
        nexus: NexusData | None = None,
        screener: PartyScreener | None = None,
        ledger: CapLedger | None = None,
        match_threshold: float = 0.9,
        screening_cache_size: int = 20000,
    ) -> None:
        self.rulebook = rulebook or default_rulebook()
        self.hs = hs or hs_module.load()
        self.nexus_data = nexus or default_nexus()
        self.screener: PartyScreener = screener or NullScreener()
        self.ledger = ledger
        self.match_threshold = match_threshold
        self._screen_cache: dict[tuple[str, str, str, str], tuple[PartyHit, ...]] = {}
        self._cache_size = screening_cache_size
        self._caps = self.rulebook.caps()

    # --- public -------------------------------------------------------------------

    def check(self, tx: Transaction, *, record: bool = True) -> Verdict:
        """The verdict for one transaction; capped lines go into the ledger only when
        `record` is set and the verdict is below LICENCE_REQUIRED."""
        ctx = self._context(tx)
        screening = self._screen(ctx)
        self._goods(ctx)
        self._listed(ctx, screening)
        self._indicators(ctx)
        self._vessels(ctx)
        self._labour(ctx)
        self._joint_ventures(ctx)
        self._services(ctx)
        self._payment(ctx)
        self._nexus_wide(ctx)
        warnings = []
        if isinstance(self.screener, NullScreener):
            warnings.append("no sanctions lists loaded: parties and vessels were not screened")
        caps: list[CapStatus] = []
        recorded = False
        pre = max((r.outcome for r in ctx.reasons), key=lambda o: o.rank, default=Outcome.CLEAR)
        if ctx.charges and pre is Outcome.PROHIBITED:
            # Already refused: the ledger is not even read, let alone written.
            for cap_id in dict.fromkeys(c.cap_id for c in ctx.charges):
                ctx.reasons.append(
                    _reason(
                        self.rulebook.rules[cap_id],
                        Outcome.CLEAR,
                        "Not counted against the cap: the transaction is prohibited.",
                        "cap ledger",
                    )
                )
        elif ctx.charges:
            if self.ledger is None:
                warnings.append("no cap ledger: cap headroom was not checked and nothing was recorded")
            else:
                caps, recorded = self._apply_caps(ctx, record)
        reasons = _dedupe(ctx.reasons)
        outcome = max((r.outcome for r in reasons), key=lambda o: o.rank, default=Outcome.CLEAR)
        reasons.sort(key=lambda r: (-r.outcome.rank, r.subject, r.rule_id))
        return Verdict(
            transaction_id=tx.id,
            date=tx.date,
            outcome=outcome,
            reasons=reasons,
            screening=screening,
            nexus=ctx.nexus,
            directions=tuple(sorted(ctx.directions)),
            caps=caps,
            charges=list(ctx.charges),
            recorded=recorded,
            warnings=warnings,
        )

    # --- context: nexus and jurisdiction --------------------------------------------

    def _context(self, tx: Transaction) -> _Context:
        nexus: list[NexusFinding] = []
        directions: set[str] = set()
        if tx.destination == "kp":
            directions.add("to_dprk")
            nexus.append(NexusFinding("destination", "transaction", "destination is the DPRK", stated=True))
        if tx.origin == "kp":
            directions.add("from_dprk")
            nexus.append(NexusFinding("origin", "transaction", "origin is the DPRK", stated=True))
        loading_keys: set[str] = set()
        port_countries: set[str] = set()
        dprk_port_call = False
        for label, ports, dirs in (
            ("loading", tx.loading, ("from_dprk",)),
            ("discharge", tx.discharge, ("to_dprk",)),
            ("transshipment", tx.transshipment, ("to_dprk", "from_dprk")),
        ):
            for i, port in enumerate(ports):
                key, country = self.nexus_data.port(port)
                if label == "loading" and key:
                    loading_keys.add(key)
                if country:
                    port_countries.add(country)
                if country == "kp":
                    dprk_port_call = True
                    stated = (label == "discharge" and tx.destination == "kp") or (
                        label == "loading" and tx.origin == "kp"
                    )
                    nexus.append(
                        NexusFinding(
                            "port",
                            f"ports.{label}[{i}] {port.name!r}",
                            f"{port.name} is a DPRK port",
                            stated=stated,
                        )
                    )
                    directions.update(dirs)
        indicators: dict[int, PartyIndicators] = {}
        dprk_parties: set[int] = set()
        dprk_bank = False
        for i, party in enumerate(tx.parties):
            ind = self.nexus_data.party_indicators(party)
            indicators[i] = ind
            if "dprk_bank" in ind.indicators and (party.role in _BANK_ROLES or party.role.endswith("_bank")):
                dprk_bank = True
            is_dprk = party.country == "kp" or ind.dprk
            if ind.indicators:
                strength = "strong" if ind.dprk else "weak"
                nexus.append(
                    NexusFinding("party", _party_label(party), "; ".join(ind.details), strength=strength)
                )
            if is_dprk:
                dprk_parties.add(i)
                if party.role in _RECEIVING_ROLES and "to_dprk" not in directions:
                    directions.add("to_dprk")
                    nexus.append(
                        NexusFinding("party", _party_label(party), "a DPRK party receives the goods")
                    )
                if party.role in _SENDING_ROLES and "from_dprk" not in directions:
                    directions.add("from_dprk")
                    nexus.append(
                        NexusFinding("party", _party_label(party), "a DPRK party supplies the goods")
                    )
        has_dprk_vessel = False
        for vessel in tx.vessels:
            if vessel.flag == "kp":
                has_dprk_vessel = True
                nexus.append(NexusFinding("flag", f"vessel {vessel.name!r}", "DPRK-flagged vessel"))
                if (
                    vessel.role == "carrier"
                    and tx.destination is None
                    and tx.goods
                    and "to_dprk" not in directions
                ):
                    directions.add("to_dprk")
                    nexus.append(
                        NexusFinding(
                            "flag",
                            f"vessel {vessel.name!r}",
                            "goods on a DPRK-flagged carrier with no stated destination: treated as going to the DPRK",
                        )
                    )
        for entry in tx.labour:
            if entry.nationality == "kp":
                nexus.append(
                    NexusFinding("labour", f"labour ({entry.count:,} workers)", "DPRK nationals", stated=True)
                )
        for jv in tx.joint_ventures:
            if self._jv_dprk(jv):
                nexus.append(
                    NexusFinding("joint_venture", f"joint venture {jv.name!r}", "a DPRK partner", stated=True)
                )
        for service in tx.services:
            if service.location == "kp":
                nexus.append(
                    NexusFinding("service", f"service {service.kind}", "provided in the DPRK", stated=True)
                )
        for line in tx.goods:
            if (
                line.origin == "kp"
                and tx.destination != "kp"
                and "from_dprk" not in directions
                and line.direction is None
            ):
                directions.add("from_dprk")
                nexus.append(NexusFinding("origin", line.label, "goods of DPRK origin"))
        party_countries = {p.country for p in tx.parties if p.country}
        goods_origins = {g.origin for g in tx.goods if g.origin}
        currency = tx.payment.currency if tx.payment else ""
        ends = {c for c in (tx.origin, tx.destination) if c}
        touched = (
            ends
            | port_countries
            | goods_origins
            | {p.country for p in tx.parties if p.country and p.role in (_RECEIVING_ROLES | _SENDING_ROLES)}
        )
        us = (
            tx.us_nexus
            if tx.us_nexus is not None
            else (currency == "USD" or "us" in party_countries or "us" in goods_origins or "us" in ends)
        )
        eu = (
            tx.eu_nexus
            if tx.eu_nexus is not None
            else bool((party_countries | goods_origins | ends) & EU_MEMBERS)
        )
        uk = (
            tx.uk_nexus
            if tx.uk_nexus is not None
            else (currency == "GBP" or "gb" in party_countries or "gb" in ends)
        )
        destinations = ({tx.destination} if tx.destination else set()) | {
            c for p in tx.discharge if (c := self.nexus_data.port(p)[1])
        }
        return _Context(
            tx=tx,
            directions=directions,
            nexus=nexus,
            indicators=indicators,
            dprk_parties=dprk_parties,
            us=bool(us),
            eu=bool(eu),
            uk=bool(uk),
            loading_keys=loading_keys,
            dprk_port_call=dprk_port_call,
            touched=touched,
            destinations=destinations,
            has_dprk_vessel=has_dprk_vessel,
            has_sts=any(v.sts or v.role == "sts_counterparty" for v in tx.vessels),
            dprk_bank=dprk_bank,
        )

    def _jv_dprk(self, jv: JointVenture) -> bool:
        if jv.project == "rajin_khasan":
            return True
        for partner in jv.partners:
            if partner.country == "kp" or self.nexus_data.party_indicators(partner).dprk:
                return True
        return False

    # --- screening -------------------------------------------------------------------

    def _screen(self, ctx: _Context) -> list[ScreeningResult]:
        results = []
        seen: set[tuple[str, str, str]] = set()
        for party in ctx.tx.parties:
            key = (party.key, party.schema, party.country or "")
            if key in seen:
                continue
            seen.add(key)
            hits = self._screen_one(party.name, party.schema, party.country, None)
            results.append(ScreeningResult(_party_label(party), party.name, party.schema, hits))
        for vessel in ctx.tx.vessels:
            hits = self._screen_one(vessel.name, "Vessel", vessel.flag, vessel.imo or None)
            label = f"vessel {vessel.name!r}" + (f" (IMO {vessel.imo})" if vessel.imo else "")
            results.append(ScreeningResult(label, vessel.name, "Vessel", hits))
        return results

    def _screen_one(
        self, name: str, schema: str, country: str | None, imo: str | None
    ) -> tuple[PartyHit, ...]:
        key = (name, schema, country or "", imo or "")
        cached = self._screen_cache.get(key)
        if cached is not None:
            return cached
        hits = tuple(self.screener.screen(name, schema, country=country, imo=imo))
        if len(self._screen_cache) >= self._cache_size:
            self._screen_cache.clear()
        self._screen_cache[key] = hits
        return hits

    # --- the common path of every trigger ---------------------------------------------

    def _fire(
        self,
        ctx: _Context,
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
        rule = self.rulebook.rules[trig.rule_id]
        day = ctx.tx.date
        if not rule.in_force(day) or not trig.active_on(day):
            return None
        notes = list(notes)
        result = outcome or trig.outcome
        scope = trig.scope or rule.scope
        if scope.nexus != "any" and not _has_nexus(ctx, scope):
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
                    _reason(rule, Outcome.CLEAR, f"Evidence attached: {', '.join(given)}.", subject)
                )
                return Outcome.CLEAR
        if rule.hs_caveat and line is not None:
            notes.append(rule.hs_caveat)
        for ex in trig.exemptions:
            applied, note = self._exemption(ctx, ex, evidence, line, jv)
            if applied:
                ex_rule = self.rulebook.rules[ex.rule_id]
                ctx.reasons.append(
                    _reason(
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
        ctx.reasons.append(_reason(rule, result, trig.explain, subject, notes=notes))
        return result

    def _exemption(
        self,
        ctx: _Context,
        ex: Exemption,
        evidence: Mapping[str, str],
        line: GoodsLine | None,
        jv: JointVenture | None,
    ) -> tuple[bool, str]:
        """(applies?, note).  The note explains a near miss: missing evidence, expired
        exemption, unmet condition - only when some part of it is present."""
        ex_rule = self.rulebook.rules[ex.rule_id]
        failed = self._unmet_conditions(ctx, ex, line, jv)
        present = [k for k in ex.evidence if k in evidence]
        missing = [k for k in ex.evidence if k not in evidence]
        label = f"exemption {ex.id} ({ex_rule.id}: {ex_rule.citation})"
        if not failed and not missing:
            if not ex_rule.in_force(ctx.tx.date):
                return (
                    False,
                    f"{label} not available on {ctx.tx.date}: {ex_rule.not_in_force_reason(ctx.tx.date)}",
                )
            given = ", ".join(f"{k}={evidence[k]}" for k in ex.evidence)
            return True, f"{label} applies" + (f"; evidence: {given}" if given else "")
        if not present and (failed or not ex.evidence):
            return False, ""
        if not ex_rule.in_force(ctx.tx.date):
            return (
                False,
                f"{label} not available on {ctx.tx.date}: {ex_rule.not_in_force_reason(ctx.tx.date)}",
            )
        parts = []
        if missing:
            parts.append("missing evidence: " + ", ".join(missing))
        if failed:
            parts.append("conditions not met: " + "; ".join(failed))
        return False, f"{label} does not apply ({'; '.join(parts)})"

    def _unmet_conditions(
        self, ctx: _Context, ex: Exemption, line: GoodsLine | None, jv: JointVenture | None
    ) -> list[str]:
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

    # --- goods -----------------------------------------------------------------------

    def _goods(self, ctx: _Context) -> None:
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
                for trig, exact in self.rulebook.goods_triggers(direction, line.hs.hs6):
                    if trig.key in done or not self._goods_match(ctx, trig, line):
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
                    result = self._fire(ctx, trig, line.label, line=line, notes=notes, outcome=outcome)
                    if result is Outcome.CAPPED_REPORTABLE and trig.charge_cap and exact:
                        self._charge(ctx, self.rulebook.rules[trig.rule_id], line)

    def _goods_match(self, ctx: _Context, trig: Trigger, line: GoodsLine) -> bool:
        hs6 = line.hs.hs6
        if trig.hs_exclude and any(hs6.startswith(p) for p in trig.hs_exclude):
            return False
        if trig.descriptor_any is not None and trig.descriptor_any.found(line.descriptor) is None:
            return False
        if trig.descriptor_none is not None and trig.descriptor_none.found(line.descriptor) is not None:
            return False
        if trig.settlement is not None and trig.settlement != line.settlement:
            return False
        if trig.countries_any and not (
            trig.countries_any & (ctx.touched | ({line.origin} if line.origin else set()))
        ):
            return False
        if trig.destination_any and not (trig.destination_any & ctx.destinations):
            return False
        return not (trig.dprk_labour is not None and trig.dprk_labour != line.dprk_labour)

    def _charge(self, ctx: _Context, rule: Rule, line: GoodsLine) -> None:
        cap = rule.cap
        assert cap is not None
        subject = line.label
        period = cap.period.period_for(ctx.tx.date)
        if period is None:
            return
        if not cap.ledger:
            ctx.reasons.append(
                _reason(
                    rule,
                    Outcome.CAPPED_REPORTABLE,
                    f"Cap {cap.describe()}: not tracked in the ledger ({cap.note}).",
                    subject,
                )
            )
            return
        table = self.rulebook.petroleum
        if table is None:
            ctx.reasons.append(
                _reason(
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
                _reason(rule, Outcome.REVIEW, f"Cannot count this line against the cap: {exc}.", subject)
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

    def _apply_caps(self, ctx: _Context, record: bool) -> tuple[list[CapStatus], bool]:
        assert self.ledger is not None
        pre = max((r.outcome for r in ctx.reasons), key=lambda o: o.rank, default=Outcome.CLEAR)
        cap_reasons: list[Reason] = []

        def decide(statuses: list[CapStatus]) -> bool:
            cap_reasons.extend(self._cap_reasons(ctx, statuses))
            final = max([pre, *(r.outcome for r in cap_reasons)], key=lambda o: o.rank)
            return record and final.rank < Outcome.LICENCE_REQUIRED.rank

        statuses, recorded = self.ledger.apply(ctx.charges, self._caps, decide)
        ctx.reasons.extend(cap_reasons)
        if recorded:
            for status in statuses:
                rule = self.rulebook.rules[status.cap_id]
                lines = [c for c in ctx.charges if c.cap_id == status.cap_id and c.period == status.period]
                new = [c.line_no for c in lines if c.line_no not in status.already_recorded]
                text = (
                    f"Recorded in the cap ledger, period {status.period}: line(s) {', '.join(map(str, new))}."
                    if new
                    else (f"Already in the cap ledger (period {status.period}); not counted again.")
                )
                ctx.reasons.append(_reason(rule, Outcome.CLEAR, text, "cap ledger"))
        return statuses, recorded

    def _cap_reasons(self, ctx: _Context, statuses: list[CapStatus]) -> list[Reason]:
        out = []
        for status in statuses:
            rule = self.rulebook.rules[status.cap_id]
            cap = self._caps[status.cap_id]
            lines = [c for c in ctx.charges if c.cap_id == status.cap_id and c.period == status.period]
            conversions = tuple(f"line {c.line_no}: {c.conversion}" for c in lines)
            limit = " or ".join(f"{lim.amount:,} {lim.unit}" for lim in cap.limits)
            used = f"{_num(status.after_bbl)} bbl" + (
                f" / {_num(status.after_t)} t" if status.limit_t else ""
            )
            figures = (
                f"period {status.period}: {used} of {limit} after this shipment "
                f"({status.percent_after:.2f} %; before {_num(status.before_bbl)} bbl in {status.shipments_before} shipment(s); "
                f"this shipment {_num(status.this_bbl)} bbl)"
            )
            if status.already_recorded:
                conversions += (
                    f"line(s) {', '.join(map(str, status.already_recorded))} already in the ledger: counted once",
                )
            if status.over:
                ex = cap.over_cap_exemption
                evidence = ctx.tx.evidence
                if (
                    ex
                    and all(k in evidence for k in ex.evidence)
                    and self.rulebook.rules[ex.rule_id].in_force(ctx.tx.date)
                ):
                    ex_rule = self.rulebook.rules[ex.rule_id]
                    out.append(
                        _reason(
                            rule,
                            Outcome.CLEAR,
                            f"Above the cap by {status.excess()} with prior Committee approval ({', '.join(f'{k}={evidence[k]}' for k in ex.evidence)}); {figures}.",
                            "cap",
                            notes=conversions,
                            exemption=ex.id,
                            exemption_citation=f"{ex_rule.id}: {ex_rule.citation}",
                        )
                    )
                    continue
                out.append(
                    _reason(
                        rule,
                        Outcome.PROHIBITED,
                        f"Cap exceeded: this shipment would take the aggregate above the cap by {status.excess()}; {figures}.",
                        "cap",
                        notes=conversions,
                    )
                )
                continue
            message = f"Cap use {figures}."
            if status.crossed:
                message += (
                    f" Crosses the {', '.join(f'{t:g} %' for t in status.crossed)} warning threshold(s)"
                )
                message += (
                    " (Committee alert thresholds: unverified)."
                    if cap.thresholds_verification != "V"
                    else "."
                )
            elif status.band is not None:
                message += f" Above the {status.band:g} % warning threshold."
            out.append(_reason(rule, Outcome.CAPPED_REPORTABLE, message, "cap", notes=conversions))
        return out

    # --- listed parties and vessels ---------------------------------------------------

    def _listed(self, ctx: _Context, screening: list[ScreeningResult]) -> None:
        for result in screening:
            kind = "listed_vessel" if result.schema == "Vessel" else "listed_party"
            for hit in result.hits:
                family = list_family(hit.list)
                subject = f"{result.subject} ~ listed {hit.caption!r} [{hit.list} {hit.ref}]".rstrip()
                strong = hit.score >= self.match_threshold
                notes = [hit.explanation] if hit.explanation else []
                if not strong:
                    notes.append(
                        f"possible match only (score {hit.score:.2f} < {self.match_threshold:.2f}): confirm identity"
                    )
                for trig in self.rulebook.by_kind.get(kind, ()):
                    if trig.lists_any and family not in trig.lists_any:
                        continue
                    if not trig.programs_match(hit.programs):
                        continue
                    if trig.schemas_any and result.schema not in trig.schemas_any:
                        continue
                    outcome = None if strong else Outcome.REVIEW
                    self._fire(ctx, trig, subject, notes=notes, outcome=outcome)

    # --- party indicators --------------------------------------------------------------

    def _indicators(self, ctx: _Context) -> None:
        triggers = self.rulebook.by_kind.get("party_indicator", ())
        for i, party in enumerate(ctx.tx.parties):
            ind = ctx.indicators[i]
            if not ind.indicators:
                continue
            for trig in triggers:
                if not (trig.indicators_any & ind.indicators):
                    continue
                if trig.roles_any and party.role not in trig.roles_any:
                    continue
                self._fire(ctx, trig, _party_label(party), notes=ind.details)

    # --- vessels, labour, joint ventures, services, payment -----------------------------

    def _vessels(self, ctx: _Context) -> None:
        for vessel in ctx.tx.vessels:
            called = ctx.dprk_port_call and vessel.role == "carrier"
            subject = f"vessel {vessel.name!r}" + (
                f" (IMO {vessel.imo}, flag {vessel.flag or '?'})"
                if vessel.imo
                else f" (flag {vessel.flag or '?'})"
            )
            for trig in self.rulebook.by_kind.get("vessel", ()):
                if trig.flag_any and vessel.flag not in trig.flag_any:
                    continue
                if trig.chartered is not None and trig.chartered != vessel.chartered:
                    continue
                if trig.sts is not None and trig.sts != ctx.has_sts:
                    continue
                if trig.called_dprk_port is not None and trig.called_dprk_port != called:
                    continue
                self._fire(ctx, trig, subject)

    def _labour(self, ctx: _Context) -> None:
        for entry in ctx.tx.labour:
            where = f" at {entry.site}" if entry.site else ""
            who = f" (employer {entry.employer})" if entry.employer else ""
            subject = f"labour: {entry.count:,} {entry.nationality.upper()} nationals{where}{who}"
            for trig in self.rulebook.by_kind.get("labour", ()):
                if trig.nationality_any and entry.nationality not in trig.nationality_any:
                    continue
                if trig.income_earning is not None and trig.income_earning != entry.income_earning:
                    continue
                self._fire(ctx, trig, subject)

    def _joint_ventures(self, ctx: _Context) -> None:
        for jv in ctx.tx.joint_ventures:
            dprk = self._jv_dprk(jv)
            for trig in self.rulebook.by_kind.get("joint_venture", ()):
                if trig.dprk_partner is not None and trig.dprk_partner != dprk:
                    continue
                self._fire(ctx, trig, f"joint venture {jv.name!r}", jv=jv)

    def _services(self, ctx: _Context) -> None:
        for service in ctx.tx.services:
            place = f" in {service.city}" if service.city else ""
            subject = f"service: {service.kind}{place}" + (
                f" ({service.location.upper()})" if service.location else ""
            )
            for trig in self.rulebook.by_kind.get("service", ()):
                if trig.kinds_any and service.kind not in trig.kinds_any:
                    continue
                if trig.location_any and service.location not in trig.location_any:
                    continue
                if trig.dprk_vessel is not None and trig.dprk_vessel != ctx.has_dprk_vessel:
                    continue
                self._fire(ctx, trig, subject)

    def _payment(self, ctx: _Context) -> None:
        pay = ctx.tx.payment
        for trig in self.rulebook.by_kind.get("payment", ()):
            if trig.dprk_bank:
                if ctx.dprk_bank:
                    self._fire(ctx, trig, "payment: DPRK bank in the payment chain")
                continue
            if pay is None:
                continue
            if trig.methods_any and pay.method in trig.methods_any:
                self._fire(ctx, trig, f"payment: {pay.method}")
            elif trig.finance_any and set(pay.finance) & trig.finance_any:
                self._fire(ctx, trig, f"payment: {', '.join(sorted(set(pay.finance) & trig.finance_any))}")

    def _nexus_wide(self, ctx: _Context) -> None:
        if not ctx.has_dprk_nexus:
            return
        for trig in self.rulebook.by_kind.get("dprk_nexus", ()):
            self._fire(ctx, trig, "transaction (DPRK nexus)")


def _has_nexus(ctx: _Context, scope: Scope) -> bool:
    return {"us": ctx.us, "eu": ctx.eu, "uk": ctx.uk}.get(scope.nexus, True)


def _party_label(party: Party) -> str:
    country = f", {party.country.upper()}" if party.country else ""
    return f"party {party.name!r} ({party.role}{country})"


def _num(value: Decimal) -> str:
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return text or "0"


def _reason(
    rule: Rule,
    outcome: Outcome,
    message: str,
    subject: str,
    *,
    notes: Iterable[str] = (),
    exemption: str = "",
    exemption_citation: str = "",
) -> Reason:
    notes = [n for n in notes if n]
    if rule.verification_note and not rule.verified:
        notes.append(rule.verification_note)
    return Reason(
        outcome=outcome,
        rule_id=rule.id,
        citation=rule.citation,
        verification=rule.verification,
        verified=rule.verified,
        message=message,
        subject=subject,
        notes=tuple(dict.fromkeys(notes)),
        exemption=exemption,
        exemption_citation=exemption_citation,
        sources=rule.source_ids,
    )


def _dedupe(reasons: list[Reason]) -> list[Reason]:
    seen: set[tuple[str, str, str, str]] = set()
    out = []
    for reason in reasons:
        key = (reason.rule_id, reason.subject, reason.message, reason.outcome.value)
        if key not in seen:
            seen.add(key)
            out.append(reason)
    return out
