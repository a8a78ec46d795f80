"""Checking a transaction against the rule packs: one verdict, every reason.

Verdict scale (most severe wins): PROHIBITED > LICENCE_REQUIRED > CAPPED_REPORTABLE
> REVIEW > CLEAR.  Each reason cites its rule (id, instrument, paragraph - shown as
"(unverified)" unless the paragraph was verified - and the V/P/U mark); CLEAR
reasons are notes (exemptions applied, evidence seen, secondary-sanctions risk).

Steps for one transaction (`assess`, pure):
 1. Context: the DPRK nexus and directions, jurisdiction signals (`trade.context`).
 2. Screening: every distinct party and vessel through the `PartyScreener`.
 3. Rules: every registered trigger kind (`trade.triggers`) fires the triggers of
    the rules in force on the transaction date, with jurisdiction scope and
    exemptions that apply only when their evidence is attached.  Capped petroleum
    lines become cap charges.
Then (`check`): the charges go to the `Ledger` (the store's `CapLedger`), which
reads each cap period's use, lets the pure decision (`trade.caps`) rule, and
records the charges in the same store transaction only when the verdict lets the
shipment go.  A prohibited transaction never reaches the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

from corridor.trade.caps import cap_reasons, may_record, recorded_reasons
from corridor.trade.context import Context, build_context, party_label
from corridor.trade.hs import Nomenclature
from corridor.trade.ledger import CapCharge, CapStatus, Ledger
from corridor.trade.nexus import NexusData, default_nexus
from corridor.trade.rules import Outcome, RuleBook, default_rulebook
from corridor.trade.screening import NullScreener, PartyHit, PartyScreener
from corridor.trade.transaction import Transaction
from corridor.trade.triggers import registry
from corridor.trade.triggers.base import Run
from corridor.trade.verdict import Reason, ScreeningResult, Verdict, dedupe, reason

__all__ = ["REGIME_ORDER", "Assessment", "Evaluator", "Reason", "ScreeningResult", "Verdict", "regime_rank"]

# The order citations are given in at one severity: the UN's designation and measures
# first (they bind every State), then the national and regional overlays.
REGIME_ORDER = ("UN", "US", "UK", "EU")


def regime_rank(regime: str) -> int:
    """Position of a rule's regime in `REGIME_ORDER` (others after them)."""
    key = regime.upper()
    return REGIME_ORDER.index(key) if key in REGIME_ORDER else len(REGIME_ORDER)


def subject_root(subject: str) -> str:
    """The screened party or vessel a listed-hit subject is about ("party 'X' (buyer)"
    of "party 'X' (buyer) ~ listed 'X' [un KPe.1]")."""
    return subject.split(" ~ listed ", 1)[0]


@dataclass(slots=True)
class Assessment:
    """A transaction checked without the ledger: its context (reasons so far) and
    the cap charges it wants to make."""

    ctx: Context
    warnings: list[str]

    @property
    def charges(self) -> list[CapCharge]:
        return self.ctx.charges

    @property
    def outcome(self) -> Outcome:
        return max((r.outcome for r in self.ctx.reasons), key=lambda o: o.rank, default=Outcome.CLEAR)


class Evaluator:
    """Checks transactions; holds the compiled rules, indicators, screener and ledger."""

    def __init__(
        self,
        rulebook: RuleBook | None = None,
        *,
        hs: Nomenclature,
        nexus: NexusData | None = None,
        screener: PartyScreener | None = None,
        ledger: Ledger | None = None,
        match_threshold: float = 0.9,
        screening_cache_size: int = 20000,
    ) -> None:
        self.rulebook = rulebook or default_rulebook()
        self.hs = hs
        self.nexus_data = nexus or default_nexus()
        self.screener: PartyScreener = screener or NullScreener()
        self.ledger = ledger
        self.match_threshold = match_threshold
        self._screen_cache: dict[tuple[str, str, str, str], tuple[PartyHit, ...]] = {}
        self._cache_size = screening_cache_size
        self._caps = self.rulebook.caps()
        self._kinds = registry.kinds()

    # --- public -------------------------------------------------------------------

    def assess(self, tx: Transaction) -> Assessment:
        """Every reason but the cap ledger's, and the cap charges (pure but for the
        screener, which only reads)."""
        ctx = build_context(tx, self.nexus_data)
        ctx.screening = self._screen(ctx)
        run = Run(ctx, self.rulebook, self.match_threshold)
        for kind, handler in self._kinds.items():
            triggers = self.rulebook.by_kind.get(kind, ())
            if triggers:
                handler.evaluate(run, triggers)
        warnings = []
        if isinstance(self.screener, NullScreener):
            warnings.append("no sanctions lists loaded: parties and vessels were not screened")
        return Assessment(ctx, warnings)

    def check(self, tx: Transaction, *, record: bool = True) -> Verdict:
        """The verdict for one transaction; capped lines go into the ledger only when
        `record` is set and the verdict is below LICENCE_REQUIRED."""
        assessment = self.assess(tx)
        ctx, warnings = assessment.ctx, assessment.warnings
        caps: list[CapStatus] = []
        recorded = False
        pre = assessment.outcome
        if ctx.charges and pre is Outcome.PROHIBITED:
            # Already refused: the ledger is not even read, let alone written.
            for cap_id in dict.fromkeys(c.cap_id for c in ctx.charges):
                ctx.reasons.append(
                    reason(
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
                caps, recorded = self._apply_caps(ctx, pre, record)
        reasons = dedupe(ctx.reasons)
        outcome = max((r.outcome for r in reasons), key=lambda o: o.rank, default=Outcome.CLEAR)
        reasons.sort(key=self._reason_order)
        return Verdict(
            transaction_id=tx.id,
            date=tx.date,
            outcome=outcome,
            reasons=reasons,
            screening=ctx.screening,
            nexus=ctx.nexus,
            directions=tuple(sorted(ctx.directions)),
            caps=caps,
            charges=list(ctx.charges),
            recorded=recorded,
            warnings=warnings,
        )

    def _reason_order(self, r: Reason) -> tuple[int, int, str, str, str]:
        """Most severe first; at each severity the UN's basis first, then the national
        ones (US, UK, EU, then the rest: `REGIME_ORDER`); then by subject and rule.  So
        a party listed by the UN, OFAC and the UK cites its UN designation first."""
        rule = self.rulebook.rules.get(r.rule_id)
        regime = rule.regime if rule is not None else ""
        return (-r.outcome.rank, regime_rank(regime), subject_root(r.subject), r.subject, r.rule_id)

    # --- caps -------------------------------------------------------------------------

    def _apply_caps(self, ctx: Context, pre: Outcome, record: bool) -> tuple[list[CapStatus], bool]:
        assert self.ledger is not None
        found: list[Reason] = []

        def decide(statuses: list[CapStatus]) -> bool:
            found.extend(cap_reasons(ctx, self.rulebook, statuses))
            return may_record(pre, found, record)

        statuses, recorded = self.ledger.apply(ctx.charges, self._caps, decide)
        ctx.reasons.extend(found)
        if recorded:
            ctx.reasons.extend(recorded_reasons(ctx, self.rulebook, statuses))
        return statuses, recorded

    # --- screening -------------------------------------------------------------------

    def _screen(self, ctx: Context) -> list[ScreeningResult]:
        """Every distinct party (identity: name key in any script, schema, country,
        identifiers) and every vessel, screened once."""
        results = []
        seen: set[tuple[str, str, str, tuple[str, ...]]] = set()
        for party in ctx.tx.parties:
            if party.identity in seen:
                continue
            seen.add(party.identity)
            hits = self._screen_one(party.name, party.schema, party.country, None)
            results.append(ScreeningResult(party_label(party), party.name, party.schema, hits))
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
