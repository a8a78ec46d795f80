"""The application layer for trade checks: what `corridor check`, `ledger`, `rules`
and `hs` (and later the HTTP API) call.  Typed results, no printing.

* `evaluator(engine, screener=...)`: the default rules, DPRK-nexus data and HS
  2022 (from the shared folder), a party screener over the active lists and the
  cap ledger in the store.
* `check_document(path, evaluator)`: every transaction of one .json/.yaml file,
  each with its verdict or its own error (`DocumentCheck.exit_code`: 0 all checked,
  1 some failed, 2 none could be checked).
* `check_batch(input, output, evaluator)`: a .csv/.jsonl batch to a .csv/.jsonl
  file, one result per transaction; refuses to write over its input.
* `ledger_summary`, `rules`, `rule`, `hs_lookup`, `hs_search`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from corridor import settings
from corridor.errors import CorridorError, InputError, LimitError, NotFoundError, ParseError, Where
from corridor.store.ledger import CapLedger
from corridor.trade import batch, hs
from corridor.trade.documents import MAX_DOCUMENT_BYTES, parse_document
from corridor.trade.evaluate import Evaluator, Verdict
from corridor.trade.hs import HSMatch, HSPath, Nomenclature
from corridor.trade.ledger import PeriodUsage
from corridor.trade.rules import Rule, RuleBook, default_rulebook
from corridor.trade.screening import PartyScreener
from corridor.trade.transaction import Transaction, parse_transaction

BatchSummary = batch.BatchSummary
BatchProgress = batch.BatchProgress


def hs_dir() -> Path:
    return settings.shared_data() / "hs"


def nomenclature() -> Nomenclature:
    """HS 2022 from the shared folder (read once per process)."""
    return hs.load(hs_dir())


def rulebook() -> RuleBook:
    """The bundled rule packs, validated against HS 2022 when the shared folder has it."""
    return default_rulebook(hs_dir())


def party_screener(engine: Engine) -> PartyScreener | None:
    """The screening engine over the active lists (None when no list is imported)."""
    from corridor.services.screening import party_screener as screening_parties

    return screening_parties(engine)


def evaluator(
    engine: Engine | None, screener: PartyScreener | None = None, *, ledger: bool = True
) -> Evaluator:
    """An evaluator with the default rules and HS data; the cap ledger on `engine`
    (none without an engine or with ledger=False: cap headroom is then not checked)."""
    return Evaluator(
        rulebook(),
        hs=nomenclature(),
        screener=screener,
        ledger=CapLedger(engine) if engine is not None and ledger else None,
    )


@dataclass(frozen=True, slots=True)
class CheckedTransaction:
    """One transaction of a document: its verdict, or the error that stopped it."""

    where: str  # "transactions[3]" / "transaction"
    transaction_id: str
    verdict: Verdict | None = None
    error: CorridorError | None = None


@dataclass(slots=True)
class DocumentCheck:
    path: Path
    items: list[CheckedTransaction] = field(default_factory=list)

    @property
    def verdicts(self) -> list[Verdict]:
        return [i.verdict for i in self.items if i.verdict is not None]

    @property
    def errors(self) -> list[CheckedTransaction]:
        return [i for i in self.items if i.error is not None]

    @property
    def exit_code(self) -> int:
        """0 every transaction checked, 1 some could not be, 2 none could be."""
        if not self.errors:
            return 0
        return 2 if not self.verdicts else 1


def read_document(path: Path) -> Any:
    """A .json/.yaml/.yml document, parsed without trusting it (size checked before
    reading; ParseError / LimitError naming the file)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise LimitError(
                f"file too large ({size:,} bytes; at most {MAX_DOCUMENT_BYTES:,})",
                where=Where(file=str(path)),
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(path, "", f"cannot read: {exc.strerror or exc}") from None
    return parse_document(data, path.suffix, path)


def read_transaction_file(path: Path, hs: Nomenclature) -> list[Transaction]:
    """All transactions in a .json/.yaml file; the first bad one raises ParseError."""
    return [
        parse_transaction(data, hs, source=str(path), where=where)
        for where, data in batch.documents_in(read_document(Path(path)), str(path))
    ]


def check_file(path: Path, ev: Evaluator, *, record: bool = True) -> list[Verdict]:
    """Verdicts for every transaction in one file, in order (the first bad one raises)."""
    return [ev.check(tx, record=record) for tx in read_transaction_file(Path(path), ev.hs)]


def check_document(path: Path, ev: Evaluator, *, record: bool = True) -> DocumentCheck:
    """Every transaction of a .json/.yaml file: a bad one is reported with its id and
    field, the others are checked.  An unreadable file raises ParseError/LimitError."""
    return check_data(read_document(Path(path)), str(path), ev, record=record)


def check_data(data: Any, source: str, ev: Evaluator, *, record: bool = True) -> DocumentCheck:
    """Every transaction of a parsed document (a file's, or an API request's body):
    a bad one is reported with its place and field, the others are checked."""
    result = DocumentCheck(Path(source))
    for item in batch.transactions_in(data, source, ev.hs):
        if item.transaction is None:
            result.items.append(CheckedTransaction(item.where, item.transaction_id, error=item.error))
            continue
        try:
            verdict = ev.check(item.transaction, record=record)
        except CorridorError as exc:
            result.items.append(CheckedTransaction(item.where, item.transaction_id, error=exc))
            continue
        result.items.append(CheckedTransaction(item.where, item.transaction_id, verdict=verdict))
    return result


def check_batch(
    input_path: Path,
    output_path: Path,
    ev: Evaluator,
    *,
    on_progress: Callable[[BatchProgress], None] | None = None,
    record: bool = True,
) -> BatchSummary:
    """A batch file (.csv / .jsonl) to a results file (.csv / .jsonl); bad rows and
    lines become ERROR results and the rest goes on.  The output may not be the input
    (InputError, raised before anything is written)."""
    input_path, output_path = Path(input_path), Path(output_path)
    refuse_same_file(input_path, output_path)
    out_kind = output_path.suffix.casefold()
    if out_kind not in (".jsonl", ".csv"):
        raise ParseError(
            output_path, "", f"unsupported batch output {output_path.suffix!r} (use .csv or .jsonl)"
        )
    items = batch_items(input_path, ev.hs)
    first = next(items, None)  # a bad header is refused before the output is created
    with open(output_path, "w", encoding="utf-8", newline="") as out:
        chained = _chain(first, items)
        progress = batch.check_items(
            chained, out, out_kind, ev, source=str(input_path), on_progress=on_progress, record=record
        )
    return BatchSummary(
        input_path, output_path, progress.processed, progress.messages, dict(progress.by_outcome)
    )


def _chain(first: batch.BatchItem | None, rest: Iterator[batch.BatchItem]) -> Iterator[batch.BatchItem]:
    if first is not None:
        yield first
        yield from rest


def batch_items(path: Path, nomenclature: Nomenclature) -> Iterator[batch.BatchItem]:
    """The items of a .jsonl or .csv batch file, read as it goes."""
    if not path.is_file():
        raise ParseError(path, "", "no such file")
    suffix = path.suffix.casefold()
    if suffix == ".jsonl":
        return _jsonl(path, nomenclature)
    if suffix == ".csv":
        return _csv(path, nomenclature)
    raise ParseError(path, "", f"unsupported batch input {path.suffix!r} (use .csv or .jsonl)")


def _jsonl(path: Path, nomenclature: Nomenclature) -> Iterator[batch.BatchItem]:
    with open(path, "rb") as handle:
        yield from batch.jsonl_items(handle, str(path), nomenclature)


def _csv(path: Path, nomenclature: Nomenclature) -> Iterator[batch.BatchItem]:
    # surrogateescape: a byte that is not UTF-8 spoils its own row only
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        yield from batch.csv_items(handle, str(path), nomenclature)


def refuse_same_file(input_path: Path, output_path: Path) -> None:
    """InputError when the output is the input (the same path, another path to it, a
    symlink or a hard link): writing the results would destroy the transactions."""
    same = input_path.resolve() == output_path.resolve()
    if not same and output_path.exists():
        try:
            same = os.path.samefile(input_path, output_path)
        except OSError:
            same = False
    if same:
        raise InputError(
            "output", f"the output {output_path} is the input file {input_path}: refusing to overwrite it"
        )


def check_scenario(path: Path, screener: PartyScreener | None, engine: Engine | None) -> list[Verdict]:
    """Every transaction of a scenario file (e.g. examples/corridor-2022.yaml) in order,
    recording capped shipments in the ledger on `engine`; the first bad one raises."""
    return check_file(Path(path), evaluator(engine, screener))


def ledger_summary(engine: Engine, cap_id: str | None = None, period: str | None = None) -> list[PeriodUsage]:
    """Cap use per period (with the shipments) against the limits of the bundled packs."""
    return CapLedger(engine).summary(rulebook().caps(), cap_id, period)


def rules(regime: str | None = None, status: str | None = None) -> list[Rule]:
    """The rules, optionally of one regime (UN, US, EU, UK, CHPL) and status."""
    return [
        r
        for r in rulebook().rules.values()
        if (not regime or r.regime.casefold() == regime.casefold()) and (not status or r.status == status)
    ]


def rule(rule_id: str) -> Rule:
    try:
        return rulebook().get(rule_id)
    except KeyError:
        raise NotFoundError(f"unknown rule id {rule_id!r} (see `corridor rules list`)") from None


def rule_dict(rule: Rule) -> dict[str, Any]:
    """A rule as JSON data: its legal basis and verification first (the compiled
    trigger matchers are the engine's, not data for a reader)."""

    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": rule.id,
        "pack": rule.pack,
        "regime": rule.regime,
        "title": rule.title,
        "instrument": rule.instrument,
        "paragraph": rule.paragraph_label,
        "citation": rule.citation,
        "verification": rule.verification,
        "verified": rule.verified,
        "verification_note": rule.verification_note,
        "sources": [
            {"key": s.key, "title": s.title, "urls": list(s.urls), "locator": s.locator} for s in rule.sources
        ],
        "status": rule.status,
        "adopted": day(rule.adopted),
        "in_force_from": day(rule.in_force_from),
        "superseded_by": rule.superseded_by or None,
        "superseded_on": day(rule.superseded_on),
        "expired_on": day(rule.expired_on),
        "direction": rule.direction,
        "measure": rule.measure,
        "hs": None
        if rule.hs is None
        else {
            "prefixes": list(rule.hs.prefixes),
            "mapping": rule.hs.mapping,
            "verification": rule.hs.verification,
            "caveat": rule.hs_caveat,
        },
        "cap": None
        if rule.cap is None
        else {
            "limits": [{"amount": str(limit.amount), "unit": limit.unit} for limit in rule.cap.limits],
            "product": rule.cap.product,
            "thresholds": [str(t) for t in rule.cap.thresholds],
            "thresholds_verification": rule.cap.thresholds_verification,
        },
        "triggers": [
            {"kind": t.kind, "outcome": t.outcome.value, "explain": t.explain} for t in rule.triggers
        ],
        "explanation": rule.explanation,
    }


def is_code(query: str) -> bool:
    """An HS code query (digits, dots, spaces) rather than words."""
    return any(ch.isdigit() for ch in query) and not any(ch.isalpha() for ch in query)


def hs_lookup(code: str) -> HSPath:
    """Where a code sits in HS 2022; HSCodeError (an InputError) for a bad one."""
    return nomenclature().path(code, "code")


def hs_search(query: str, limit: int = 15) -> list[HSMatch]:
    return nomenclature().search(query, limit)


__all__ = [
    "BatchProgress",
    "BatchSummary",
    "CheckedTransaction",
    "DocumentCheck",
    "ParseError",
    "batch_items",
    "check_batch",
    "check_document",
    "check_file",
    "check_scenario",
    "evaluator",
    "hs_lookup",
    "hs_search",
    "is_code",
    "ledger_summary",
    "nomenclature",
    "party_screener",
    "read_document",
    "read_transaction_file",
    "refuse_same_file",
    "rule",
    "rulebook",
    "rules",
]
