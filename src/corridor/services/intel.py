"""Reports into facts, for the CLI (and later the API): files in, analyses out.

* `engines(db_engine)` builds what an analysis needs once: the extractor (vocabulary
  checked against the HS nomenclature), the listed-name gazetteer and the screening
  engine over the active lists (when any list is loaded), and the trade rule packs.
* `read_report(path, report_date)` reads one file with its limits: it must exist, be
  a file, not be larger than MAX_FILE_BYTES (LimitError), and be text (ParseError).
* `analyse_file`, `extract_files` (per-file errors kept, the others go on),
  `ingest_dir` (each report stored atomically, grouped into stories), `list_stories`,
  `fact_support`.

The trade wiring sits in `trade_checker` alone, so it can be re-pointed when the
trade package's surface changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from corridor.errors import CorridorError, InputError, LimitError, NotFoundError, ParseError, Where
from corridor.intel.analyse import NameScreen, TradeCheck, analyse
from corridor.intel.dates import dateline
from corridor.intel.extract import Extractor
from corridor.intel.listed import ListedName, ListedNames
from corridor.intel.model import Analysis, LegalFinding, ScreenHit
from corridor.intel.stories import StoryIndex, signature
from corridor.intel.vocab import vocabulary
from corridor.store import intel as store
from corridor.store import queries

if TYPE_CHECKING:
    from corridor.match import Screener
    from corridor.services.screening import ScreenerParties

MAX_FILE_BYTES = 10 * 1024 * 1024  # a news report is kilobytes; anything this big is not one
REPORT_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml")
SCREEN_THRESHOLD = 0.8


@dataclass(slots=True)
class Engines:
    extractor: Extractor
    listed: ListedNames | None = None
    screen: NameScreen | None = None
    check: TradeCheck | None = None
    warnings: list[str] = field(default_factory=list)


def name_screen(screener: Screener, threshold: float = SCREEN_THRESHOLD) -> NameScreen:
    """The screening engine as the intel core's `NameScreen` (cached by name and schema)."""
    from corridor.match import Query, QueryError

    cache: dict[tuple[str, str], list[ScreenHit]] = {}

    def screen(name: str, schema: str) -> list[ScreenHit]:
        key = (name, schema)
        if key in cache:
            return cache[key]
        try:
            hits = screener.screen(Query(name=name, schema=schema or "Thing"), threshold, limit=5)
        except QueryError:
            hits = []
        result = [
            ScreenHit(h.entity_id, h.caption, h.score, h.list, h.ref, h.explanation.summary) for h in hits
        ]
        if len(cache) < 50000:
            cache[key] = result
        return result

    return screen


def trade_checker(parties: ScreenerParties | None) -> TradeCheck:
    """The trade rule packs as the intel core's `TradeCheck`: the transaction dict is
    parsed by the trade package's transaction model and evaluated without recording
    anything in the cap ledger.  (The one place that knows the trade package's API.)"""
    from corridor.services.trade import evaluator as trade_evaluator
    from corridor.trade.transaction import build_transaction

    evaluator = trade_evaluator(None, parties)

    def check(transaction: dict[str, Any]) -> tuple[str, list[LegalFinding]]:
        verdict = evaluator.check(build_transaction(transaction, evaluator.hs), record=False)
        findings = [
            LegalFinding(
                r.rule_id, r.outcome.value, r.citation, r.verification, r.verified, r.subject, r.message
            )
            for r in verdict.reasons
        ]
        return verdict.outcome.value, findings

    return check


def listed_names(db_engine: Engine) -> ListedNames:
    """Every name (every script) of every active list entity, for the gazetteer."""
    from corridor.services.screening import unique_entities

    def names() -> Iterable[ListedName]:
        for entity in unique_entities(queries.iter_active_entities(db_engine)):
            for name in entity.names:
                yield ListedName(entity.id, entity.schema, name.full)

    return ListedNames(names())


def engines(
    db_engine: Engine | None, *, screen: bool = True, check: bool = True, home: Path | None = None
) -> Engines:
    """The extractor, and, over the active lists, the gazetteer, screening and trade checks."""
    from corridor.services.trade import nomenclature as hs_nomenclature

    nomenclature = hs_nomenclature()
    built = Engines(Extractor(vocabulary(nomenclature.describe)))
    parties = None
    if screen and db_engine is not None and queries.active_versions(db_engine):
        from corridor.services.screening import ScreenerParties, active_programs, load_screener

        screener = load_screener(db_engine, home)
        built.listed = listed_names(db_engine)
        built.screen = name_screen(screener)
        parties = ScreenerParties(screener, active_programs(db_engine))
    elif screen:
        built.warnings.append(
            "no lists imported: parties and vessels are not screened (corridor lists import ...)"
        )
    if check:
        built.check = trade_checker(parties)
    return built


def read_report(path: Path) -> bytes:
    """A report file's bytes, within the limits."""
    if not path.exists():
        raise NotFoundError(f"{path}: no such file")
    if not path.is_file():
        raise InputError("path", "not a file", file=str(path))
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise LimitError(
            f"{size:,} bytes: larger than a report ({MAX_FILE_BYTES:,} bytes at most)",
            where=Where(file=str(path)),
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ParseError(path, "", f"cannot read: {exc.strerror or exc}") from exc


def analyse_file(
    path: Path, built: Engines, report_date: dt.date | None = None, tx_prefix: str = ""
) -> Analysis:
    data = read_report(path)
    extractor = built.extractor
    doc = extractor.read(data, str(path), report_date, suffix=path.suffix)
    if report_date is None:
        found = dateline(doc.text)
        if found is not None:
            doc.report_date = found
            doc.warnings = [w for w in doc.warnings if not w.startswith("no report date")]
    return analyse(
        doc,
        extractor,
        listed=built.listed,
        screen=built.screen,
        check=built.check,
        tx_prefix=tx_prefix or path.stem,
    )


@dataclass(slots=True)
class FileResult:
    path: Path
    analysis: Analysis | None = None
    error: CorridorError | None = None
    saved: store.Saved | None = None


def extract_files(
    paths: Sequence[Path], built: Engines, report_date: dt.date | None = None
) -> list[FileResult]:
    """One result per file: an analysis, or the error that names the file."""
    results = []
    for path in paths:
        try:
            results.append(FileResult(path, analyse_file(path, built, report_date)))
        except CorridorError as exc:
            results.append(FileResult(path, error=exc))
    return results


def report_files(directory: Path) -> list[Path]:
    if not directory.exists():
        raise NotFoundError(f"{directory}: no such directory")
    if not directory.is_dir():
        raise InputError("dir", "not a directory", file=str(directory))
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix.casefold() in REPORT_SUFFIXES)


@dataclass(slots=True)
class IngestSummary:
    results: list[FileResult]

    @property
    def stored(self) -> int:
        return sum(1 for r in self.results if r.saved is not None and not r.saved.duplicate)

    @property
    def duplicates(self) -> int:
        return sum(1 for r in self.results if r.saved is not None and r.saved.duplicate)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if r.error is not None)


def ingest(
    db_engine: Engine,
    paths: Sequence[Path],
    built: Engines,
    report_date: dt.date | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> IngestSummary:
    """Analyse and store each report (one transaction per report); a report that fails
    is reported and stores nothing; the others go on."""
    index = StoryIndex(store.signatures(db_engine))
    results: list[FileResult] = []
    for path in paths:
        result = FileResult(path)
        try:
            analysis = analyse_file(path, built, report_date)
            result.analysis = analysis
            known = store.find_report(db_engine, analysis.document.sha256)
            if known is not None:
                result.saved = store.Saved(known[0], known[1], False, True, 0)
            else:
                sig = signature(analysis.document.text)
                match = index.match(sig)
                story_id = int(match[0]) if match else None
                saved = store.save_analysis(db_engine, analysis, sig, story_id, match[1] if match else None)
                index.add(str(saved.report_id), str(saved.story_id), sig)
                result.saved = saved
        except CorridorError as exc:
            result.error = exc
        results.append(result)
        if on_file is not None:
            on_file(result)
    return IngestSummary(results)


def ingest_dir(
    db_engine: Engine,
    directory: Path,
    built: Engines,
    report_date: dt.date | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> IngestSummary:
    return ingest(db_engine, report_files(directory), built, report_date, on_file)


def list_stories(db_engine: Engine) -> list[store.StoryRow]:
    return store.stories(db_engine)


def fact_support(
    db_engine: Engine, *, entity: str | None = None, kind: str | None = None, limit: int = 200
) -> list[store.FactSupport]:
    """Stored facts with their support; `entity` selects parties, vessels and aircraft
    (by registration or operator and type) by name."""
    from corridor.types.text import name_key

    if entity is not None:
        key = name_key(entity)
        if not key:
            raise InputError("entity", "give a name with letters or digits")
        return store.fact_support(
            db_engine, kind=kind or "entity,vessel,aircraft", key_contains=key, limit=limit
        )
    return store.fact_support(db_engine, kind=kind, limit=limit)
