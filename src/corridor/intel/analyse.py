"""The pipeline: a document's facts, screened and checked against the law.

The core depends only on two small protocols, which the application layer
(`corridor.services.intel`) fills with the real engines:

* `NameScreen(name, schema) -> list[ScreenHit]`: the screening engine for one party
  or vessel name (hits explained);
* `TradeCheck(transaction dict) -> (outcome, [LegalFinding])`: the trade rule packs'
  verdict on one hypothetical transaction.

Listed-name gazetteer matches are candidates: a candidate the engine does not confirm
(no hit at its threshold) is dropped, so a common name that happens to be on a list
does not become a fact on its own.

Pure, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from corridor.errors import CorridorError
from corridor.intel.extract import Extractor
from corridor.intel.law import hypotheses
from corridor.intel.listed import ListedNames
from corridor.intel.model import Analysis, Document, Fact, LegalCheck, LegalFinding, ScreenHit

_SCREEN_SCHEMA = {
    "PublicBody": "Organization",
    "Person": "Person",
    "Organization": "Organization",
    "Company": "Company",
    "LegalEntity": "LegalEntity",
    "Vessel": "Vessel",
    "Aircraft": "Aircraft",
}


class NameScreen(Protocol):
    def __call__(self, name: str, schema: str) -> Sequence[ScreenHit]: ...


class TradeCheck(Protocol):
    def __call__(self, transaction: dict[str, Any]) -> tuple[str, list[LegalFinding]]: ...


def analyse(
    doc: Document,
    extractor: Extractor,
    *,
    listed: ListedNames | None = None,
    screen: NameScreen | None = None,
    check: TradeCheck | None = None,
    tx_prefix: str = "report",
) -> Analysis:
    facts = extractor.facts(doc, listed)
    screening: dict[str, list[ScreenHit]] = {}
    kept: list[Fact] = []
    for fact in facts:
        if fact.kind == "aircraft" and screen is not None:
            if fact.attrs.get("registration"):  # aircraft are listed by their registration mark
                hits = list(screen(str(fact.attrs["registration"]), "Aircraft"))
                if fact.attrs.get("why") == "listed name" and not hits:
                    continue  # a listed-name candidate the engine does not confirm
                screening[fact.key] = hits
                fact.attrs["listed"] = bool(hits)
        elif fact.kind in ("entity", "vessel") and screen is not None:
            schema = _SCREEN_SCHEMA.get(str(fact.attrs.get("schema", "")), "Thing")
            hits = list(screen(fact.label, schema))
            if fact.attrs.get("why") == "listed name":
                candidates = set(fact.attrs.get("listed_candidates", []))
                hits = [h for h in hits if h.entity_id in candidates] or hits
                if not hits:
                    continue  # a listed-name candidate the engine does not confirm
            screening[fact.key] = hits
            fact.attrs["listed"] = bool(hits)
        elif fact.kind in ("entity", "vessel", "aircraft") and fact.attrs.get("why") == "listed name":
            continue  # without an engine to confirm them, gazetteer candidates are not facts
        kept.append(fact)
    checks: list[LegalCheck] = []
    if check is not None:
        for hypothesis in hypotheses(doc, kept, tx_prefix):
            try:
                outcome, findings = check(hypothesis.transaction)
                checks.append(
                    LegalCheck(
                        hypothesis.activity, hypothesis.description, hypothesis.transaction, outcome, findings
                    )
                )
            except CorridorError as exc:
                # a hypothesis the trade model cannot take is reported, not fatal
                checks.append(
                    LegalCheck(
                        hypothesis.activity,
                        hypothesis.description,
                        hypothesis.transaction,
                        "ERROR",
                        [],
                        str(exc),
                    )
                )
    return Analysis(doc, kept, screening, checks)
