"""Reports into facts, for the CLI (and later the API): files in, analyses out.

* `engines(db_engine)` builds what an analysis needs once: the extractor (vocabulary
  checked against the HS nomenclature), the listed-name gazetteer and the screening
  engine over the active lists (when any list is loaded), and the trade rule packs.
* `listed_gazetteer(db_engine, home)`: the listed-names gazetteer, cached per set of
  active list versions in the process and in a signed file beside the screening index.
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
import hashlib
import hmac
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Engine

from corridor.errors import (
    CorridorError,
    InputError,
    IntegrityError,
    LimitError,
    NotFoundError,
    ParseError,
    Where,
)
from corridor.intel.analyse import NameScreen, TradeCheck, analyse
from corridor.intel.dates import dateline
from corridor.intel.extract import Extractor
from corridor.intel.listed import ListedName, ListedNames, usable
from corridor.intel.model import Analysis, LegalFinding, ScreenHit
from corridor.intel.stories import StoryIndex, signature
from corridor.intel.vocab import vocabulary
from corridor.store import intel as store
from corridor.store import queries

if TYPE_CHECKING:
    from corridor.match import Screener
    from corridor.services.screening import ScreenerParties

log = logging.getLogger(__name__)

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


GAZETTEER_FORMAT = "1"  # part of the file name: a new format never meets old files


@dataclass(frozen=True, slots=True)
class GazetteerReport:
    """Where the listed-names gazetteer came from."""

    key: str  # the active list versions it reflects (the screening index's key)
    origin: str  # memory (this process had it) | loaded (its file) | built (from the store) | rebuilt (file failed its check)
    names: int  # patterns in the gazetteer
    seconds: float
    path: Path
    problem: str | None = None


_gazetteers: dict[tuple[str, str], tuple[ListedNames, GazetteerReport]] = {}
_gazetteers_lock = threading.Lock()


def _listed_from_store(db_engine: Engine) -> list[ListedName]:
    from corridor.services.screening import unique_entities

    return [
        ListedName(entity.id, entity.schema, name.full)
        for entity in unique_entities(queries.iter_active_entities(db_engine))
        for name in entity.names
        if usable(name.full, entity.schema)
    ]


def _sign(secret: bytes, body: bytes) -> str:
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def _load_gazetteer_file(path: Path, secret: bytes, key: str) -> list[ListedName]:
    """The names of a gazetteer file, or IntegrityError when it is damaged or not ours."""
    raw = path.read_bytes()
    head, _, body = raw.partition(b"\n")
    try:
        header = orjson.loads(head)
    except orjson.JSONDecodeError:
        raise IntegrityError(f"{path}: no header line") from None
    if not isinstance(header, dict) or header.get("key") != key or header.get("format") != GAZETTEER_FORMAT:
        raise IntegrityError(f"{path}: made for other list versions or another format")
    if not hmac.compare_digest(str(header.get("mac", "")), _sign(secret, body)):
        raise IntegrityError(f"{path}: its authentication code does not match (changed or damaged)")
    try:
        rows = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise IntegrityError(f"{path}: damaged body") from None
    return [ListedName(str(r[0]), str(r[1]), str(r[2])) for r in rows]


def _save_gazetteer_file(path: Path, secret: bytes, key: str, names: list[ListedName]) -> None:
    body = orjson.dumps([[n.entity_id, n.schema, n.name] for n in names])
    header = orjson.dumps(
        {"format": GAZETTEER_FORMAT, "key": key, "count": len(names), "mac": _sign(secret, body)}
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".listed-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(header + b"\n" + body)
        os.replace(tmp, path)  # atomic: readers see the old file or the new, never half
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for stale in path.parent.glob("listed-*.json"):
        if stale != path:
            stale.unlink(missing_ok=True)


def listed_gazetteer(
    db_engine: Engine, home: Path | None = None, *, rebuild: bool = False
) -> tuple[ListedNames, GazetteerReport]:
    """The gazetteer of every name (every script) of every active list entity, cached
    per set of active list versions: in this process, and in a signed file beside the
    screening index (`index/listed-<key>.json`); a new list version changes the key,
    so the next call builds it again from the store (and removes the stale file)."""
    from corridor.services.screening import index_dir, index_key, index_secret

    started = time.perf_counter()
    key = index_key(db_engine)
    directory = index_dir(home)
    where = (db_engine.url.render_as_string(hide_password=False), str(directory.resolve()))
    path = directory / f"listed-{key}-v{GAZETTEER_FORMAT}.json"
    with _gazetteers_lock:
        cached = _gazetteers.get(where)
        if cached is not None and cached[1].key == key and not rebuild:
            report = cached[1]
            return cached[0], GazetteerReport(
                key, "memory", report.names, time.perf_counter() - started, report.path
            )
        secret = index_secret(directory)
        problem: str | None = None
        names: list[ListedName] | None = None
        if path.exists() and not rebuild:
            try:
                names = _load_gazetteer_file(path, secret, key)
                origin = "loaded"
            except (IntegrityError, OSError, IndexError, TypeError) as exc:
                problem = str(exc)
                log.warning("listed-names gazetteer %s not used (%s): rebuilding it", path, problem)
        if names is None:
            names = _listed_from_store(db_engine)
            _save_gazetteer_file(path, secret, key, names)
            origin = "rebuilt" if problem else "built"
        gazetteer = ListedNames(names)
        report = GazetteerReport(key, origin, len(gazetteer), time.perf_counter() - started, path, problem)
        _gazetteers[where] = (gazetteer, report)
        return gazetteer, report


def listed_names(db_engine: Engine, home: Path | None = None) -> ListedNames:
    """The listed-names gazetteer for the active lists (cached, see `listed_gazetteer`)."""
    return listed_gazetteer(db_engine, home)[0]


def forget_gazetteers() -> None:
    """Drop this process's gazetteers (a test that plays a new process)."""
    with _gazetteers_lock:
        _gazetteers.clear()
    with _served_lock:
        _served.clear()


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
        built.listed = listed_names(db_engine, home)
        built.screen = name_screen(screener)
        parties = ScreenerParties(screener, active_programs(db_engine))
    elif screen:
        built.warnings.append(
            "no lists imported: parties and vessels are not screened (corridor lists import ...)"
        )
    if check:
        built.check = trade_checker(parties)
    return built


_served: dict[tuple[str, str], Engines] = {}
_served_lock = threading.Lock()


def engines_over(db_engine: Engine, screener: Screener, index_key: str, home: Path | None = None) -> Engines:
    """The engines for a server that already holds the screening index (`screener`,
    built for the active versions `index_key`): the extractor, the listed-names
    gazetteer of the same versions, screening and trade checks over that screener.
    Built once per index key and database, then shared by the requests."""
    from corridor.services.screening import ScreenerParties, active_programs
    from corridor.services.trade import nomenclature as hs_nomenclature

    where = (db_engine.url.render_as_string(hide_password=False), index_key)
    with _served_lock:
        found = _served.get(where)
        if found is not None:
            return found
        built = Engines(Extractor(vocabulary(hs_nomenclature().describe)))
        parties = None
        if queries.active_versions(db_engine):
            built.listed = listed_names(db_engine, home)
            built.screen = name_screen(screener)
            parties = ScreenerParties(screener, active_programs(db_engine))
        else:
            built.warnings.append("no lists imported: parties and vessels are not screened")
        built.check = trade_checker(parties)
        for stale in [k for k in _served if k[0] == where[0]]:
            del _served[stale]
        _served[where] = built
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
    return analyse_bytes(
        read_report(path), str(path), built, report_date, tx_prefix or path.stem, path.suffix
    )


def analyse_bytes(
    data: bytes,
    source: str,
    built: Engines,
    report_date: dt.date | None = None,
    tx_prefix: str = "report",
    suffix: str = ".txt",
) -> Analysis:
    """One report given as bytes (a pasted text, an upload), within the same limits
    as a file: LimitError past MAX_FILE_BYTES, ParseError for binary data."""
    if len(data) > MAX_FILE_BYTES:
        raise LimitError(
            f"{len(data):,} bytes: larger than a report ({MAX_FILE_BYTES:,} bytes at most)",
            where=Where(file=source),
        )
    extractor = built.extractor
    doc = extractor.read(data, source, report_date, suffix=suffix)
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
        tx_prefix=tx_prefix,
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


def audit_summary(analysis: Analysis) -> dict[str, Any]:
    """What the audit record keeps of an extraction: the report's hash, the facts
    counted by kind, the screening hits (entity ids and scores) and each check's
    outcome with its rule ids; not the text."""
    kinds: dict[str, int] = {}
    for fact in analysis.facts:
        kinds[fact.kind] = kinds.get(fact.kind, 0) + 1
    return {
        "sha256": analysis.document.sha256,
        "language": analysis.document.language,
        "partial": analysis.document.partial,
        "facts": kinds,
        "hits": [
            {"fact": key, "entity_id": h.entity_id, "score": round(h.score, 4)}
            for key, hits in sorted(analysis.screening.items())
            for h in hits
        ],
        "checks": [
            {
                "activity": c.activity,
                "outcome": c.outcome,
                "rule_ids": sorted({f.rule_id for f in c.findings}),
            }
            for c in analysis.checks
        ],
    }
