"""Write a parsed list as a new version, atomically, and decide whether it becomes active.

The store never reads files: it takes a `ParsedList` (metadata + an entity
iterator, from `corridor.sources`) and the files it came from (for the checksum).
`corridor.services.lists` detects and parses, then calls `write_list`.

The whole write is one database transaction: the new version row, all its
entities, references and programs, and the switch of the active flag.  A
malformed file, a crash or Ctrl-C anywhere before the commit rolls everything
back, so the previously active version stays untouched and active.  Every
attempt, failed ones included, is written to `import_events` in a separate
transaction (the audit trail) — except one refused because another process holds
the store's write lock (`StoreBusyError`): that audit write would wait again.

The activation rule (docs/sources.md): a new version becomes active unless
  * it is an older publication than the active version, or
  * it removes more than `max_removed_share` (default 20 %) of the active
    version's entities (a file cut at a record boundary looks well formed),
in which case it is stored but *held back* (`ImportResult.held_back` says why)
until an analyst imports it again with `activate=True`.  A file whose record
count differs from the count it declares is refused outright.  When either
date is unknown, the later import is the newer one.  The database guarantees
at most one active version per list (a partial unique index); on PostgreSQL
concurrent imports of one list also serialise their activation decision on an
advisory lock, so the decision is made against the committed active version.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Row, exists, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError as SqlIntegrityError

from corridor import settings
from corridor.errors import ConflictError, NotFoundError, StoreBusyError
from corridor.model import Entity
from corridor.sources.base import ParsedList, ParseError
from corridor.store.schema import entities, entity_programs, entity_refs, import_events, list_versions

BATCH_SIZE = 2000

__all__ = ["BATCH_SIZE", "ImportResult", "activate_version", "hold_back_reason", "sha256_of", "write_list"]


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
    active: bool = True  # False when the version was stored but not made active
    held_back: str = ""  # why a stored version was not made active ("" when it is active)
    warnings: tuple[str, ...] = ()  # data kept but not read as meant (garbled dates...)
    path: str = ""  # what was imported, as the user named it


def sha256_of(paths: Sequence[Path]) -> str:
    """Checksum of a file set: each file's name and bytes, in name order."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        if len(paths) > 1:
            digest.update(path.name.encode() + b"\0")
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


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
    label: str,
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
            raise ParseError(label, f"record {entity.id}", "the same entity id occurs twice in one list")
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


def _lock_activation(conn: Connection, source: str) -> None:
    """Serialise activation decisions for one list (PostgreSQL; SQLite holds its write lock already)."""
    if conn.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"activate:{source}".encode()).digest()[:8], "big", signed=True)
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _active(conn: Connection, source: str, excluding: int) -> Row[Any] | None:
    return conn.execute(
        select(list_versions).where(
            list_versions.c.source == source,
            list_versions.c.active.is_(True),
            list_versions.c.id != excluding,
        )
    ).first()


def _removed_count(conn: Connection, old_id: int, new_id: int) -> int:
    """Entities of version `old_id` that version `new_id` does not hold."""
    newer = entities.alias("newer")
    query = (
        select(func.count())
        .select_from(entities)
        .where(
            entities.c.version_id == old_id,
            ~exists().where(newer.c.version_id == new_id, newer.c.entity_id == entities.c.entity_id),
        )
    )
    return int(conn.execute(query).scalar_one())


def hold_back_reason(
    conn: Connection, version_id: int, source: str, published: str, max_removed_share: float
) -> str:
    """Why the new version must not replace the active one ("" when it may)."""
    current = _active(conn, source, version_id)
    if current is None:
        return ""
    if published and current.published and published[:10] < current.published[:10]:
        return (
            f"it is an older publication ({published[:10]}) than the active version "
            f"{current.id} ({current.published[:10]})"
        )
    if current.record_count:
        removed = _removed_count(conn, current.id, version_id)
        share = removed / current.record_count
        if share > max_removed_share:
            return (
                f"it removes {removed:,} of the {current.record_count:,} entities of the active version "
                f"{current.id} ({share:.0%}, more than the {max_removed_share:.0%} allowed): "
                "a cut or partial file looks like this"
            )
    return ""


def _switch_active(conn: Connection, source: str, version_id: int) -> None:
    conn.execute(
        update(list_versions)
        .where(list_versions.c.source == source, list_versions.c.active.is_(True))
        .values(active=False)
    )
    try:
        conn.execute(update(list_versions).where(list_versions.c.id == version_id).values(active=True))
    except SqlIntegrityError as exc:  # the one-active index: another writer won a race
        raise ConflictError(
            f"another import made a version of {source} active at the same time; nothing was changed: "
            "import again"
        ) from exc


def activate_version(engine: Engine, version_id: int) -> None:
    """Make a stored version the active one of its list (the `--activate` override)."""
    with engine.begin() as conn:
        row = conn.execute(select(list_versions.c.source).where(list_versions.c.id == version_id)).first()
        if row is None:
            raise NotFoundError(f"no list version {version_id} in the store")
        _lock_activation(conn, row.source)
        _switch_active(conn, row.source, version_id)


def write_list(
    engine: Engine,
    parsed: ParsedList,
    files: Sequence[Path],
    *,
    label: str = "",
    on_progress: Callable[[int], None] | None = None,
    activate: bool | None = None,
    published_hint: str = "",
    max_removed_share: float | None = None,
) -> ImportResult:
    """Store `parsed` as a new version of its list, in one transaction.

    `files` are the files it was parsed from (their checksum identifies the
    version: the same bytes again are a no-op that reports the existing version).
    `published_hint` dates a list that carries no date of its own; it is stored
    marked as inferred.  `activate=None` applies the activation rule (see the
    module docstring), True makes the version active whatever the rule says,
    False only stores it.  Raises ParseError for bad input, after which the
    store is exactly as before."""
    started = _now()
    meta = parsed.meta
    label = label or (str(files[0]) if files else meta.source)
    share = settings.current().max_removed_share if max_removed_share is None else max_removed_share
    sha = ""
    try:
        sha = sha256_of(files)
        with engine.connect() as conn:
            existing = conn.execute(
                select(list_versions).where(
                    list_versions.c.source == meta.source, list_versions.c.sha256 == sha
                )
            ).first()
        if existing is not None:
            active = bool(existing.active)
            if activate and not active:  # the deliberate override of a held-back version
                activate_version(engine, existing.id)
                active = True
            _record_event(
                engine,
                source=meta.source,
                path=label,
                sha256=sha,
                outcome="activated" if active and not existing.active else "unchanged",
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
                active,
                "" if active else "stored earlier but not active (import it with --activate to switch)",
                path=label,
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
            count = _write_entities(conn, version_id, parsed.entities, label, on_progress)
            # meta is complete only now that the stream is exhausted
            if not meta.published and published_hint:
                meta.published, meta.published_inferred = published_hint, True
            if meta.declared_count is not None and meta.declared_count != count:
                raise ParseError(
                    label, "record count", f"file declares {meta.declared_count} records but holds {count}"
                )
            if count == 0:
                raise ParseError(label, "", "no records found")
            conn.execute(
                update(list_versions)
                .where(list_versions.c.id == version_id)
                .values(
                    record_count=count,
                    declared_count=meta.declared_count,
                    published=meta.published,
                    published_inferred=meta.published_inferred,
                )
            )
            _lock_activation(conn, meta.source)
            held_back = ""
            if activate is None:
                held_back = hold_back_reason(conn, version_id, meta.source, meta.published, share)
                make_active = not held_back
            else:
                make_active = activate
                held_back = "" if activate else "not activated on request (--no-activate)"
            if make_active:
                _switch_active(conn, meta.source, version_id)
    except BaseException as exc:  # KeyboardInterrupt too: the transaction above rolled back
        if isinstance(exc, StoreBusyError):
            raise  # the audit write would wait for the same lock again
        message = str(exc) or type(exc).__name__
        # the audit write must never hide the original error
        with contextlib.suppress(Exception):
            _record_event(
                engine, source=meta.source, path=label, sha256=sha, outcome="failed", message=message
            )
        raise
    seconds = (_now() - started).total_seconds()
    _record_event(
        engine,
        source=meta.source,
        path=label,
        sha256=sha,
        outcome="imported" if make_active else "held_back",
        version_id=version_id,
        message=held_back,
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
        make_active,
        held_back,
        tuple(meta.warnings),
        label,
    )
