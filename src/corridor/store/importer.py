"""Import a parsed list as a new version, atomically.

The whole import is one database transaction: the new version row, all its
entities, references and programs, and the switch of the active flag.  A
malformed file, a crash or Ctrl-C anywhere before the commit rolls everything
back, so the previously active version stays untouched and active.  Every
attempt, failed ones included, is written to `import_events` in a separate
transaction (the audit trail).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from corridor import sources
from corridor.model import Entity
from corridor.sources.base import ParsedList, ParseError
from corridor.store.schema import entities, entity_programs, entity_refs, import_events, list_versions

BATCH_SIZE = 2000


@dataclass(frozen=True, slots=True)
class ImportResult:
    version_id: int
    source: str
    format: str
    published: str
    record_count: int
    declared_count: int | None
    sha256: str
    unchanged: bool  # the same bytes were imported before: nothing new stored
    seconds: float
    active: bool = True  # False when an older publication was stored beside a newer active one


def sha256_of(paths: list[Path]) -> str:
    """Checksum of a file set: each file's name and bytes, in name order."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        if len(paths) > 1:
            digest.update(path.name.encode() + b"\0")
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _files_of(path: Path, parsed: ParsedList) -> list[Path]:
    if parsed.meta.files:
        return [Path(f) for f in parsed.meta.files]
    return [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())


def _now() -> datetime:
    return datetime.now(UTC)


def _record_event(engine: Engine, **values: Any) -> None:
    with engine.begin() as conn:
        conn.execute(insert(import_events).values(at=_now(), **values))


def _rows(
    version_id: int, entity: Entity
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    data = entity.canonical_json()
    row = {
        "version_id": version_id,
        "entity_id": entity.id,
        "schema": entity.schema,
        "caption": entity.caption,
        "list_ref": entity.list_ref,
        "digest": hashlib.sha1(data.encode("utf-8")).hexdigest(),
        "data": data,
    }
    refs = [
        {"version_id": version_id, "entity_id": entity.id, "un_ref": r} for r in dict.fromkeys(entity.un_refs)
    ]
    programs = [
        {"version_id": version_id, "entity_id": entity.id, "program": p}
        for p in dict.fromkeys(entity.programs)
    ]
    return row, refs, programs


def _write_entities(
    conn: Connection,
    version_id: int,
    stream: Iterator[Entity],
    path: Path,
    on_progress: Callable[[int], None] | None,
) -> int:
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    refs: list[dict[str, Any]] = []
    programs: list[dict[str, Any]] = []
    count = 0

    def flush() -> None:
        if rows:
            conn.execute(insert(entities), rows)
        if refs:
            conn.execute(insert(entity_refs), refs)
        if programs:
            conn.execute(insert(entity_programs), programs)
        rows.clear()
        refs.clear()
        programs.clear()

    for entity in stream:
        if entity.id in seen:
            raise ParseError(path, f"record {entity.id}", "the same entity id occurs twice in one list")
        seen.add(entity.id)
        row, row_refs, row_programs = _rows(version_id, entity)
        rows.append(row)
        refs.extend(row_refs)
        programs.extend(row_programs)
        count += 1
        if len(rows) >= BATCH_SIZE:
            flush()
            if on_progress:
                on_progress(count)
    flush()
    if on_progress:
        on_progress(count)
    return count


def _is_newest(conn: Connection, source: str, published: str) -> bool:
    """True unless the active version of `source` is a later publication."""
    current = conn.execute(
        select(list_versions.c.published).where(
            list_versions.c.source == source, list_versions.c.active.is_(True)
        )
    ).first()
    if current is None or not current.published or not published:
        return True
    return published[:10] >= current.published[:10]


def import_list(
    engine: Engine,
    path: Path,
    hint: str | None = None,
    on_progress: Callable[[int], None] | None = None,
    activate: bool | None = None,
    published_hint: str = "",
) -> ImportResult:
    """Parse `path` and store it as a new version of its list, in one transaction.

    Re-importing the same bytes is a no-op that reports the existing version.
    `published_hint` dates a file that carries no date of its own (the OFAC
    legacy CSVs); it is stored marked as inferred.  `activate=None` (the default)
    makes the new version active unless the active one is a newer publication:
    importing an old snapshot for comparison never replaces the current list.
    Raises ParseError for bad input, after which the store is exactly as before."""
    started = _now()
    path = Path(path)
    source = hint or ""
    sha = ""
    try:
        parsed = sources.parse(path, hint)
        meta = parsed.meta
        source = meta.source
        files = _files_of(path, parsed)
        sha = sha256_of(files)
        with engine.connect() as conn:
            existing = conn.execute(
                select(list_versions).where(
                    list_versions.c.source == meta.source, list_versions.c.sha256 == sha
                )
            ).first()
        if existing is not None:
            _record_event(
                engine,
                source=source,
                path=str(path),
                sha256=sha,
                outcome="unchanged",
                version_id=existing.id,
                message="same file already imported",
            )
            return ImportResult(
                existing.id,
                existing.source,
                existing.format,
                existing.published,
                existing.record_count,
                existing.declared_count,
                sha,
                True,
                0.0,
            )
        with engine.begin() as conn:
            inserted = conn.execute(
                insert(list_versions).values(
                    source=meta.source,
                    format=meta.format,
                    published=meta.published,
                    published_inferred=meta.published_inferred,
                    sha256=sha,
                    files=json.dumps([f.name for f in files]),
                    imported_at=started,
                    record_count=0,
                    declared_count=None,
                    active=False,
                )
            ).inserted_primary_key
            assert inserted is not None
            version_id = int(inserted[0])
            count = _write_entities(conn, version_id, parsed.entities, path, on_progress)
            # meta is complete only now that the stream is exhausted
            if not meta.published and published_hint:
                meta.published, meta.published_inferred = published_hint, True
            if meta.declared_count is not None and meta.declared_count != count:
                raise ParseError(
                    path, "record count", f"file declares {meta.declared_count} records but holds {count}"
                )
            if count == 0:
                raise ParseError(path, "", "no records found")
            if activate is None:
                activate = _is_newest(conn, meta.source, meta.published)
            if activate:
                conn.execute(
                    update(list_versions).where(list_versions.c.source == meta.source).values(active=False)
                )
            conn.execute(
                update(list_versions)
                .where(list_versions.c.id == version_id)
                .values(
                    record_count=count,
                    declared_count=meta.declared_count,
                    published=meta.published,
                    published_inferred=meta.published_inferred,
                    active=activate,
                )
            )
    except BaseException as exc:  # KeyboardInterrupt too: the transaction above rolled back
        message = str(exc) or type(exc).__name__
        # the audit write must never hide the original error
        with contextlib.suppress(Exception):
            _record_event(
                engine, source=source, path=str(path), sha256=sha, outcome="failed", message=message
            )
        raise
    seconds = (_now() - started).total_seconds()
    _record_event(
        engine, source=meta.source, path=str(path), sha256=sha, outcome="imported", version_id=version_id
    )
    return ImportResult(
        version_id,
        meta.source,
        meta.format,
        meta.published,
        count,
        meta.declared_count,
        sha,
        False,
        seconds,
        bool(activate),
    )
