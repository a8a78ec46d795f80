"""Read side of the store: versions, status counts, diffs and entity lookups."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Row, select

from corridor.errors import NotFoundError
from corridor.model import Entity
from corridor.programs import regimes_of
from corridor.store.schema import entities, entity_programs, entity_refs, list_versions
from corridor.types.text import is_ascii_digits


class StoreError(NotFoundError):
    """A lookup that names something the store does not hold."""


@dataclass(frozen=True, slots=True)
class Version:
    id: int
    source: str
    format: str
    published: str
    published_inferred: bool
    sha256: str
    files: list[str]
    imported_at: str
    record_count: int
    declared_count: int | None
    active: bool

    @classmethod
    def from_row(cls, row: Row[Any]) -> Version:
        return cls(
            id=row.id,
            source=row.source,
            format=row.format,
            published=row.published,
            published_inferred=bool(row.published_inferred),
            sha256=row.sha256,
            files=json.loads(row.files or "[]"),
            imported_at=row.imported_at.isoformat() if row.imported_at else "",
            record_count=row.record_count,
            declared_count=row.declared_count,
            active=bool(row.active),
        )


def versions(engine: Engine, source: str | None = None) -> list[Version]:
    query = select(list_versions).order_by(
        list_versions.c.source, list_versions.c.published, list_versions.c.id
    )
    if source:
        query = query.where(list_versions.c.source == source)
    with engine.connect() as conn:
        return [Version.from_row(r) for r in conn.execute(query)]


def active_versions(engine: Engine) -> list[Version]:
    return [v for v in versions(engine) if v.active]


@dataclass(slots=True)
class SourceStatus:
    version: Version
    schemata: dict[str, int]
    programs: dict[str, int]  # entities per program tag
    regimes: dict[str, int]  # entities per regime family (DPRK, Russia...)


def status(engine: Engine) -> list[SourceStatus]:
    """Active version of every list with counts per schema, program and regime."""
    out = []
    with engine.connect() as conn:
        for version in active_versions(engine):
            schemata = Counter(
                r.schema
                for r in conn.execute(select(entities.c.schema).where(entities.c.version_id == version.id))
            )
            per_entity: dict[str, set[str]] = {}
            programs: Counter[str] = Counter()
            for r in conn.execute(
                select(entity_programs.c.entity_id, entity_programs.c.program).where(
                    entity_programs.c.version_id == version.id
                )
            ):
                programs[r.program] += 1
                per_entity.setdefault(r.entity_id, set()).update(regimes_of(r.program))
            regimes: Counter[str] = Counter()
            for families in per_entity.values():
                regimes.update(families)
            out.append(SourceStatus(version, dict(schemata), dict(programs), dict(regimes)))
    return out


def resolve_version(engine: Engine, source: str, ref: str | None, default: str) -> Version:
    """A version of `source` by id, by published-date prefix, or the default
    ("active" or "previous": the one imported before the active one)."""
    all_versions = versions(engine, source)
    if not all_versions:
        raise StoreError(f"no versions of list {source!r} in the store")
    if ref:
        if is_ascii_digits(ref):
            matches = [v for v in all_versions if v.id == int(ref)]
        else:
            matches = [v for v in all_versions if v.published.startswith(ref)]
        if not matches:
            raise StoreError(f"list {source!r} has no version {ref!r} (by id or publication date)")
        return matches[-1]
    ordered = sorted(all_versions, key=lambda v: (v.published, v.id))
    active = [v for v in ordered if v.active] or ordered[-1:]
    if default == "active":
        return active[-1]
    earlier = [v for v in ordered if (v.published, v.id) < (active[-1].published, active[-1].id)]
    if not earlier:
        raise StoreError(f"list {source!r} has only one version before the active one; nothing to compare")
    return earlier[-1]


@dataclass(slots=True)
class FieldChange:
    name: str
    added: list[Any] = field(default_factory=list)
    removed: list[Any] = field(default_factory=list)
    old: Any = None
    new: Any = None


@dataclass(slots=True)
class EntityChange:
    entity_id: str
    caption: str
    fields: list[FieldChange]


@dataclass(slots=True)
class Diff:
    source: str
    old: Version
    new: Version
    added: list[tuple[str, str]]  # (entity id, caption)
    removed: list[tuple[str, str]]
    changed: list[EntityChange]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "old": {"id": self.old.id, "published": self.old.published, "sha256": self.old.sha256},
            "new": {"id": self.new.id, "published": self.new.published, "sha256": self.new.sha256},
            "added": [{"id": i, "caption": c} for i, c in self.added],
            "removed": [{"id": i, "caption": c} for i, c in self.removed],
            "changed": [
                {
                    "id": ch.entity_id,
                    "caption": ch.caption,
                    "fields": [
                        {k: v for k, v in vars_of(fc).items() if v not in (None, [])} for fc in ch.fields
                    ],
                }
                for ch in self.changed
            ],
        }


def vars_of(change: FieldChange) -> dict[str, Any]:
    return {
        "field": change.name,
        "added": change.added,
        "removed": change.removed,
        "old": change.old,
        "new": change.new,
    }


def _key(item: Any) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Which fields of an entity changed: list fields by items added/removed,
    scalar fields by old/new value (pure function over two entity dicts)."""
    changes = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        if isinstance(a, list | type(None)) and isinstance(b, list | type(None)):
            a_items = {_key(x): x for x in a or []}
            b_items = {_key(x): x for x in b or []}
            changes.append(
                FieldChange(
                    name,
                    added=[v for k, v in b_items.items() if k not in a_items],
                    removed=[v for k, v in a_items.items() if k not in b_items],
                )
            )
        elif isinstance(a, dict | type(None)) and isinstance(b, dict | type(None)):
            for sub in field_changes(a or {}, b or {}):
                sub.name = f"{name}.{sub.name}"
                changes.append(sub)
        else:
            changes.append(FieldChange(name, old=a, new=b))
    return changes


def diff(engine: Engine, source: str, old_ref: str | None = None, new_ref: str | None = None) -> Diff:
    new = resolve_version(engine, source, new_ref, "active")
    old = resolve_version(engine, source, old_ref, "previous")
    if old.id == new.id:
        raise StoreError(f"OLD and NEW are the same version ({old.id}) of {source!r}")
    cols = (entities.c.entity_id, entities.c.digest, entities.c.caption)
    with engine.connect() as conn:
        a = {r.entity_id: r for r in conn.execute(select(*cols).where(entities.c.version_id == old.id))}
        b = {r.entity_id: r for r in conn.execute(select(*cols).where(entities.c.version_id == new.id))}
        changed_ids = sorted(i for i in a.keys() & b.keys() if a[i].digest != b[i].digest)
        changed = []
        for start in range(0, len(changed_ids), 500):
            chunk = changed_ids[start : start + 500]
            data: dict[tuple[int, str], dict[str, Any]] = {}
            for r in conn.execute(
                select(entities.c.version_id, entities.c.entity_id, entities.c.data).where(
                    entities.c.version_id.in_([old.id, new.id]), entities.c.entity_id.in_(chunk)
                )
            ):
                data[(r.version_id, r.entity_id)] = json.loads(r.data)
            for entity_id in chunk:
                changes = field_changes(data[(old.id, entity_id)], data[(new.id, entity_id)])
                changed.append(EntityChange(entity_id, b[entity_id].caption, changes))
    return Diff(
        source,
        old,
        new,
        added=sorted((i, b[i].caption) for i in b.keys() - a.keys()),
        removed=sorted((i, a[i].caption) for i in a.keys() - b.keys()),
        changed=changed,
    )


@dataclass(slots=True)
class EntityRecord:
    entity: Entity
    version: Version
    related: list[tuple[Entity, Version]]  # records on other lists citing the same UN reference
    history: list[Version]  # every stored version holding this entity id


def _active_ids(engine: Engine) -> dict[int, Version]:
    return {v.id: v for v in active_versions(engine)}


def get_entity(engine: Engine, entity_id: str) -> EntityRecord:
    """One entity from the active version of its list, with cross-references."""
    active = _active_ids(engine)
    all_versions = {v.id: v for v in versions(engine)}
    with engine.connect() as conn:
        candidates = (
            [entity_id]
            if ":" in entity_id
            else [f"un:{entity_id}", f"ofac:{entity_id}", f"uk:{entity_id}", entity_id]
        )
        rows = []
        for candidate in candidates:
            rows = list(
                conn.execute(
                    select(entities.c.version_id, entities.c.data).where(entities.c.entity_id == candidate)
                )
            )
            if rows:
                entity_id = candidate
                break
        if not rows:
            by_ref = conn.execute(
                select(entities.c.entity_id).where(
                    entities.c.list_ref == entity_id, entities.c.version_id.in_(list(active))
                )
            ).first()
            if by_ref is None:
                raise StoreError(f"no entity {entity_id!r} in the store")
            return get_entity(engine, by_ref.entity_id)
        history = sorted((all_versions[r.version_id] for r in rows), key=lambda v: (v.published, v.id))
        current = [r for r in rows if r.version_id in active] or [
            max(rows, key=lambda r: (all_versions[r.version_id].published, r.version_id))
        ]
        row = current[0]
        entity = Entity.from_dict(json.loads(row.data))
        related: list[tuple[Entity, Version]] = []
        if entity.un_refs and active:
            # one query: the active records citing any of this entity's UN references
            ref_rows = conn.execute(
                select(entities.c.version_id, entities.c.data)
                .join(
                    entity_refs,
                    (entity_refs.c.version_id == entities.c.version_id)
                    & (entity_refs.c.entity_id == entities.c.entity_id),
                )
                .where(
                    entity_refs.c.un_ref.in_(entity.un_refs),
                    entity_refs.c.version_id.in_(list(active)),
                    entities.c.entity_id != entity.id,
                )
                .distinct()
            )
            for ref_row in ref_rows:
                related.append((Entity.from_dict(json.loads(ref_row.data)), active[ref_row.version_id]))
    return EntityRecord(entity, all_versions[row.version_id], related, history)


def iter_active_entities(engine: Engine, sources: list[str] | None = None) -> Iterator[Entity]:
    """Every entity of every active list version (what screening indexes)."""
    active = [v for v in active_versions(engine) if not sources or v.source in sources]
    with engine.connect() as conn:
        for version in active:
            result = conn.execution_options(stream_results=True, yield_per=2000).execute(
                select(entities.c.data).where(entities.c.version_id == version.id)
            )
            for (data,) in result:
                yield Entity.from_dict(json.loads(data))


def iter_version_entities(engine: Engine, version_id: int) -> Iterator[Entity]:
    """Every entity of one stored list version, active or not (a delta against an
    earlier version reads the old records so)."""
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=2000).execute(
            select(entities.c.data).where(entities.c.version_id == version_id)
        )
        for (data,) in result:
            yield Entity.from_dict(json.loads(data))


def active_entities(engine: Engine, entity_ids: list[str], version_ids: list[int]) -> dict[str, Entity]:
    """The entities with these ids in these (active) versions, in one query; ids the
    versions do not hold are missing from the result."""
    if not entity_ids or not version_ids:
        return {}
    found: dict[str, Entity] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(entities.c.entity_id, entities.c.data).where(
                entities.c.entity_id.in_(sorted(set(entity_ids))), entities.c.version_id.in_(version_ids)
            )
        )
        for row in rows:
            entity = Entity.from_dict(json.loads(row.data))
            other = found.get(row.entity_id)
            # an OFAC id on both the SDN and the non-SDN list: the fuller record
            if other is None or len(entity.names) + len(entity.identifiers) > len(other.names) + len(
                other.identifiers
            ):
                found[row.entity_id] = entity
    return found


def entity_history(engine: Engine) -> Iterator[tuple[str, int, str]]:
    """(entity id, version id, digest) for every entity row of every stored version:
    when each entity was first seen, last seen and last changed."""
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=5000).execute(
            select(entities.c.entity_id, entities.c.version_id, entities.c.digest)
        )
        for row in result:
            yield row.entity_id, row.version_id, row.digest
