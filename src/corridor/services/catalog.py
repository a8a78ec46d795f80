"""The catalogue of what is being screened: datasets, entity ids and entity dates.

yente's clients see lists as *datasets* (`GET /catalog`, `/match/{dataset}`) and
entities with `first_seen`, `last_seen` and `last_change`.  A `Catalog` is that
view of one set of active list versions (the screening index's), built once per
index and swapped with it:

- each active list is a dataset named by its list key (`un`, `ofac-sdn`, `uk`…;
  OpenSanctions data without its `ftm:` prefix), and the collections `default`
  (every active list) and `sanctions` (the official publishers' lists) group them;
- entity ids are Corridor's (`un:KPi.033`) or their FollowTheMoney form
  (`un-KPi.033`, what FtM ids allow); both resolve;
- an entity's dates come from the versions that hold it: first seen in the
  oldest, last seen in the active one, last changed in the oldest version whose
  record is the same as today's.

Entities themselves are read from the store by id, a few at a time, with a
small cache: a /match response needs its hits' full records, a catalogue of
every record in memory would cost far more than the index.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, final

from sqlalchemy import Engine

from corridor.errors import NotFoundError
from corridor.fetch.registry import OFFICIAL_SOURCES
from corridor.model import Entity
from corridor.sources.ftm_json import entity_to_ftm
from corridor.store import queries

T = TypeVar("T")

DEFAULT_COLLECTION = "default"
SANCTIONS_COLLECTION = "sanctions"
_OFFICIAL = {source.key: source.publisher for source in OFFICIAL_SOURCES}
CACHE_SIZE = 4096  # entities kept: the hits analysts and systems ask about again


def dataset_name(source: str) -> str:
    """The dataset name of a list key (FtM datasets lose their `ftm:` prefix)."""
    return source.removeprefix("ftm:")


def ftm_id(entity_id: str) -> str:
    """Corridor's id in the form FollowTheMoney allows (letters, digits, `.`, `-`)."""
    if entity_id.startswith("ftm:"):
        return entity_id[4:]
    return entity_id.replace(":", "-").replace("_", "-")


@final
@dataclass(frozen=True, slots=True)
class Dataset:
    """A list version, or a collection of them, as yente's catalogue shows it."""

    name: str
    title: str
    version: str  # the version's publication date (a collection: the newest of its lists)
    children: tuple[str, ...] = ()  # a collection's lists
    source: str = ""  # the list key; "" for a collection
    version_id: int | None = None
    sha256: str = ""
    entity_count: int = 0

    @property
    def is_collection(self) -> bool:
        return bool(self.children)


@final
@dataclass(frozen=True, slots=True)
class EntityDates:
    first_seen: str
    last_seen: str
    last_change: str


class _LRU(Generic[T]):
    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> T | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: str, value: T) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


class Catalog:
    """Datasets, ids and dates of one set of active list versions."""

    def __init__(
        self,
        engine: Engine,
        key: str,
        datasets: Mapping[str, Dataset],
        sources: Mapping[str, str],  # entity id -> its list key
        dates: Mapping[str, EntityDates],
        aliases: Mapping[str, str],  # FtM id -> Corridor id
    ) -> None:
        self.engine = engine
        self.key = key
        self.datasets = dict(datasets)
        self._sources = sources
        self._dates = dates
        self._aliases = aliases
        self._version_ids = [d.version_id for d in datasets.values() if d.version_id is not None]
        self._cache: _LRU[Entity] = _LRU(CACHE_SIZE)
        self._ftm: _LRU[dict[str, Any]] = _LRU(CACHE_SIZE)

    # --- datasets -----------------------------------------------------------------------

    def dataset(self, name: str) -> Dataset:
        found = self.datasets.get(name)
        if found is None:
            known = ", ".join(sorted(self.datasets))
            raise NotFoundError(f"no dataset {name!r}; the catalogue has {known}")
        return found

    def sources_of(self, names: Iterable[str]) -> frozenset[str]:
        """The list keys the named datasets (lists or collections) cover."""
        out: set[str] = set()
        for name in names:
            found = self.dataset(name)
            for child in found.children or (found.name,):
                out.add(self.datasets[child].source)
        return frozenset(out)

    @property
    def collection_names(self) -> list[str]:
        return [d.name for d in self.datasets.values() if d.is_collection]

    # --- entities -----------------------------------------------------------------------

    def resolve(self, entity_id: str) -> str | None:
        """Corridor's id for `entity_id` in either form; None if no active list has it."""
        if entity_id in self._sources:
            return entity_id
        return self._aliases.get(entity_id)

    def source_of(self, entity_id: str) -> str:
        return self._sources.get(entity_id, "")

    def dates(self, entity_id: str) -> EntityDates | None:
        return self._dates.get(entity_id)

    def entities(self, entity_ids: Iterable[str]) -> dict[str, Entity]:
        """The active records of these entities (cached; one store query for the rest)."""
        wanted = list(dict.fromkeys(entity_ids))
        found: dict[str, Entity] = {}
        missing: list[str] = []
        for entity_id in wanted:
            cached = self._cache.get(entity_id)
            if cached is None:
                missing.append(entity_id)
            else:
                found[entity_id] = cached
        if missing:
            for entity_id, entity in queries.active_entities(self.engine, missing, self._version_ids).items():
                self._cache.put(entity_id, entity)
                found[entity_id] = entity
        return {entity_id: found[entity_id] for entity_id in wanted if entity_id in found}

    def ftm(self, entity: Entity) -> dict[str, Any]:
        """The entity as a FollowTheMoney dict (`sources.ftm_json.entity_to_ftm`),
        made once per catalogue: FtM's cleaning costs more than screening the name.
        Callers must not change what it returns."""
        made = self._ftm.get(entity.id)
        if made is None:
            made = entity_to_ftm(entity)
            self._ftm.put(entity.id, made)
        return made

    def entity(self, entity_id: str) -> Entity:
        resolved = self.resolve(entity_id)
        record = self.entities([resolved]).get(resolved) if resolved else None
        if record is None:
            raise NotFoundError(f"no entity {entity_id!r} on the active lists")
        return record

    def __len__(self) -> int:
        return len(self._sources)


def _title(source: str) -> str:
    if source.startswith("ftm:"):
        return f"OpenSanctions dataset {dataset_name(source)} (FollowTheMoney)"
    publisher = _OFFICIAL.get(source)
    return f"{publisher}: {source}" if publisher else source


def build(engine: Engine, key: str) -> Catalog:
    """The catalogue of the active versions (`key` is the screening index's)."""
    versions = queries.versions(engine)
    by_id = {v.id: v for v in versions}
    active = {v.id: v for v in versions if v.active}
    counts: dict[int, int] = {}
    sources: dict[str, str] = {}
    aliases: dict[str, str] = {}
    # per entity: (first published, its digest in the active version, versions by date)
    seen: dict[str, list[tuple[str, int, str]]] = {}
    for entity_id, version_id, digest in queries.entity_history(engine):
        version = by_id.get(version_id)
        if version is None:
            continue
        seen.setdefault(entity_id, []).append((version.published, version_id, digest))
        if version_id in active:
            counts[version_id] = counts.get(version_id, 0) + 1
            sources[entity_id] = version.source
    dates: dict[str, EntityDates] = {}
    for entity_id in sources:
        history = sorted(seen[entity_id])
        current = next((row for row in reversed(history) if row[1] in active), history[-1])
        changed = current[0]
        for published, _vid, digest in reversed(history):
            if digest != current[2]:
                break
            changed = published
        dates[entity_id] = EntityDates(history[0][0], current[0], changed)
        alias = ftm_id(entity_id)
        if alias != entity_id:
            aliases[alias] = entity_id
    datasets: dict[str, Dataset] = {}
    for version in sorted(active.values(), key=lambda v: v.source):
        name = dataset_name(version.source)
        datasets[name] = Dataset(
            name=name,
            title=_title(version.source),
            version=version.published,
            source=version.source,
            version_id=version.id,
            sha256=version.sha256,
            entity_count=counts.get(version.id, 0),
        )
    lists = [d for d in datasets.values() if not d.is_collection]
    groups = {
        DEFAULT_COLLECTION: ("Every active list", lists),
        SANCTIONS_COLLECTION: (
            "The official sanctions lists (UN, US, UK, EU publishers)",
            [d for d in lists if d.source in _OFFICIAL],
        ),
    }
    for name, (title, members) in groups.items():
        datasets[name] = Dataset(
            name=name,
            title=title,
            version=max((d.version for d in members), default=""),
            children=tuple(d.name for d in members),
            entity_count=sum(d.entity_count for d in members),
        )
    return Catalog(engine, key, datasets, sources, dates, aliases)


def describe(dataset: Dataset) -> dict[str, Any]:
    """A dataset as plain data (the catalogue endpoints render it)."""
    return {
        "name": dataset.name,
        "title": dataset.title,
        "version": dataset.version,
        "children": list(dataset.children),
        "source": dataset.source or None,
        "version_id": dataset.version_id,
        "sha256": dataset.sha256 or None,
        "entity_count": dataset.entity_count,
    }
