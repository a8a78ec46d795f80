"""The lists application layer: import, update, status, versions, diff, entity, demo.

Joins `sources/` (detection and parsing), `store/` (atomic versioned writes,
queries) and `fetch/` (downloads).  Every function returns typed results and
prints nothing: the CLI and the coming API render them.

Dating rule for files without a date inside (the OFAC legacy CSV sets): the
`published` given by the user (`--published`), else the date at the end of the
snapshot folder's name (`sdn_csv_set_2021-04` → 2021-04), stored as *inferred*;
when no date is known at all, import order decides (docs/sources.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from corridor import sources
from corridor.demo import newest_snapshots
from corridor.errors import CorridorError, NotFoundError, ParseError
from corridor.fetch import download
from corridor.fetch.registry import OFFICIAL_SOURCES, OfficialSource
from corridor.sources.base import ParsedList
from corridor.store import queries
from corridor.store.importer import ImportResult, write_list
from corridor.store.queries import Diff, EntityRecord, SourceStatus, Version

__all__ = [
    "Diff",
    "EntityRecord",
    "ImportOutcome",
    "ImportRequest",
    "ImportResult",
    "SourceStatus",
    "UpdateOutcome",
    "Version",
    "demo_import",
    "demo_requests",
    "diff",
    "entity",
    "entity_dict",
    "entity_ftm",
    "folder_date",
    "import_many",
    "import_path",
    "official_sources",
    "status",
    "status_dicts",
    "update",
    "versions",
]

_FOLDER_DATE = re.compile(r"(?:^|[_-])(\d{4}-\d{2}(?:-\d{2})?)$")


def folder_date(path: Path) -> str:
    """The date a snapshot folder is named with ("" when none): the folder itself
    for a directory (an OFAC CSV set), else the folder the file is in."""
    folder = path if path.is_dir() else path.parent
    match = _FOLDER_DATE.search(folder.name)
    return match.group(1) if match else ""


def files_of(path: Path, parsed: ParsedList) -> list[Path]:
    """The files a parse read (their checksum identifies the version)."""
    if parsed.meta.files:
        return [Path(f) for f in parsed.meta.files]
    return [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())


def import_path(
    engine: Engine,
    path: Path,
    hint: str | None = None,
    *,
    on_progress: Callable[[int], None] | None = None,
    activate: bool | None = None,
    published_hint: str = "",
    expect_source: str | None = None,
) -> ImportResult:
    """Detect, parse and store one list file (or OFAC CSV directory) as a new version.

    `hint` narrows detection to one publisher (un, ofac, uk, eu, ftm).
    `expect_source`, when given, refuses a file that holds another list before
    anything is written.  See `corridor.store.importer.write_list` for
    `activate` and the activation rule.  Raises CorridorError (ParseError,
    LimitError, StoreBusyError...) after which the store is as before."""
    path = Path(path)
    parsed = sources.parse(path, hint)
    if expect_source is not None and parsed.meta.source != expect_source:
        raise ParseError(
            path,
            "",
            f"expected list {expect_source}, but the file holds {parsed.meta.source}; nothing imported",
        )
    return write_list(
        engine,
        parsed,
        files_of(path, parsed),
        label=str(path),
        on_progress=on_progress,
        activate=activate,
        published_hint=published_hint or folder_date(path),
    )


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """One file (or OFAC CSV directory) to import."""

    path: Path
    hint: str | None = None
    published: str = ""  # date for a file that carries none
    activate: bool | None = None
    label: str = ""  # how to call it in progress output ("un 2026-05-08")


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What became of one request: a result, or the error (the store unchanged)."""

    request: ImportRequest
    result: ImportResult | None = None
    error: CorridorError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


ManyProgress = Callable[[ImportRequest, int], None]


def import_many(
    engine: Engine,
    requests: Iterable[ImportRequest],
    on_progress: ManyProgress | None = None,
    on_outcome: Callable[[ImportOutcome], None] | None = None,
) -> list[ImportOutcome]:
    """Import each request in its own transaction; one failure never stops the others.

    `on_outcome` hears of each outcome as soon as it is known (to show it at once)."""
    outcomes: list[ImportOutcome] = []
    for request in requests:
        progress = (lambda n, r=request: on_progress(r, n)) if on_progress else None
        try:
            result = import_path(
                engine,
                request.path,
                request.hint,
                on_progress=progress,
                activate=request.activate,
                published_hint=request.published,
            )
        except CorridorError as exc:
            outcome = ImportOutcome(request, error=exc)
        else:
            outcome = ImportOutcome(request, result=result)
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)
    return outcomes


def demo_requests(data_dir: Path) -> list[ImportRequest]:
    """The newest snapshot of every list in the shared data folder, as import requests."""
    return [
        ImportRequest(snap.path, snap.hint, snap.date, label=f"{snap.list_key} {snap.date}")
        for snap in newest_snapshots(data_dir)
    ]


def demo_import(
    engine: Engine, data_dir: Path, on_progress: ManyProgress | None = None
) -> list[ImportOutcome]:
    """Import the newest snapshot of every list in the shared data folder (`make demo`).

    NotFoundError when the folder does not exist."""
    if not data_dir.exists():
        raise NotFoundError(
            f"shared data folder not found: {data_dir} (set CORRIDOR_SHARED, or run `corridor lists update`)"
        )
    return import_many(engine, demo_requests(data_dir), on_progress)


# --- update: download (or mirror) then import ----------------------------------------


@dataclass(slots=True)
class UpdateOutcome:
    source: str
    status: str  # imported / held_back / unchanged / not_modified / failed / missing
    message: str = ""
    path: Path | None = None
    size: int = 0
    result: ImportResult | None = None


def official_sources() -> tuple[OfficialSource, ...]:
    return OFFICIAL_SOURCES


def update(
    engine: Engine,
    home: Path,
    keys: Iterable[str] | None = None,
    mirror: Path | None = None,
    sources: Iterable[OfficialSource] = OFFICIAL_SOURCES,
    client: httpx.Client | None = None,
    retries: int = 3,
    backoff: float = 0.5,
    on_progress: download.ProgressFn | None = None,
    deadline_seconds: float | None = None,
) -> list[UpdateOutcome]:
    """Fetch and import every selected source; one source's failure never stops the others."""
    wanted = set(keys) if keys else None
    chosen = [s for s in sources if (s.key in wanted if wanted else s.enabled)]
    state = download.load_state(home)
    own_client = client is None
    http = client or httpx.Client(follow_redirects=True)
    outcomes: list[UpdateOutcome] = []
    try:
        for source in chosen:
            try:
                outcome = _update_one(
                    engine, home, source, mirror, state, http, retries, backoff, on_progress, deadline_seconds
                )
            except CorridorError as exc:
                outcome = UpdateOutcome(source.key, "failed", str(exc))
            except OSError as exc:  # a full disk, an unreadable mirror...
                outcome = UpdateOutcome(source.key, "failed", f"{type(exc).__name__}: {exc}")
            outcomes.append(outcome)
    finally:
        if own_client:
            http.close()
    return outcomes


def _update_one(
    engine: Engine,
    home: Path,
    source: OfficialSource,
    mirror: Path | None,
    state: dict[str, dict[str, Any]],
    http: httpx.Client,
    retries: int,
    backoff: float,
    on_progress: download.ProgressFn | None,
    deadline_seconds: float | None,
) -> UpdateOutcome:
    new_state: dict[str, Any] = {}
    if mirror is not None:
        found = download.from_mirror(source, mirror)
        if found is None:
            return UpdateOutcome(
                source.key, "missing", f"not in mirror: {mirror / source.key / source.filename}"
            )
        path = found
    else:
        dest = home / "downloads" / source.key.replace(":", "_") / source.filename
        fetched = download.download_with_retries(
            http, source, dest, state.get(source.key, {}), retries, backoff, on_progress, deadline_seconds
        )
        if fetched.status == "not_modified":
            return UpdateOutcome(source.key, "not_modified", "publisher reports no change (HTTP 304)")
        path, new_state = fetched.path, fetched.state
    result = import_path(engine, path, source.hint, expect_source=source.key)
    if new_state:
        state[source.key] = new_state
        download.save_state(home, state)
    if result.unchanged:
        status = "unchanged"
    elif result.held_back:
        status = "held_back"
    else:
        status = "imported"
    return UpdateOutcome(source.key, status, result.held_back, path, path.stat().st_size, result)


# --- read side -----------------------------------------------------------------------


def status(engine: Engine) -> list[SourceStatus]:
    """Active version of every list with counts per schema, program and regime."""
    return queries.status(engine)


def status_dicts(statuses: Sequence[SourceStatus]) -> list[dict[str, Any]]:
    """`lists status --json` (and the API's answer)."""
    return [
        {
            "list": s.version.source,
            "version": s.version.id,
            "published": s.version.published,
            "published_inferred": s.version.published_inferred,
            "sha256": s.version.sha256,
            "records": s.version.record_count,
            "schemata": s.schemata,
            "regimes": s.regimes,
            "programs": s.programs,
        }
        for s in statuses
    ]


def versions(engine: Engine, source: str | None = None) -> list[Version]:
    return queries.versions(engine, source)


def diff(engine: Engine, source: str, old: str | None = None, new: str | None = None) -> Diff:
    """Entities added, removed and changed between two versions (NotFoundError if none)."""
    return queries.diff(engine, source, old, new)


def entity(engine: Engine, entity_id: str) -> EntityRecord:
    """One entity with its cross-references (NotFoundError if unknown)."""
    return queries.get_entity(engine, entity_id)


def entity_dict(record: EntityRecord) -> dict[str, Any]:
    """`entity --json`."""
    return {
        "entity": record.entity.to_dict(),
        "version": {"id": record.version.id, "published": record.version.published},
        "related": [e.to_dict() for e, _ in record.related],
    }


def entity_ftm(record: EntityRecord) -> list[dict[str, Any]]:
    """`entity --ftm`: the entity and the records citing it, as FollowTheMoney entities."""
    from corridor.sources.ftm_json import entity_to_ftm

    return [entity_to_ftm(item) for item in [record.entity, *(e for e, _ in record.related)]]
