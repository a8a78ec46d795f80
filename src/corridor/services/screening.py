"""The screening service: the index of the active lists, loaded once per process,
swapped for a new one when the active list versions change.

`ScreeningService(engine, home)` holds the current `Screener`.  `current()`
returns it, checking the active versions (one small query) at most every
`check_every` seconds; `refresh()` checks now.  When the versions have changed,
the index for the new ones is loaded from CORRIDOR_HOME/index (or built from the
store and saved there) while the old one keeps serving; then one reference is
swapped.  Readers never wait on a lock: a caller that finds another thread
already building keeps the old index.

Index files are authenticated (`match.index`) with a per-home secret,
CORRIDOR_HOME/index/.key (created 0600 on first use).  A file that fails its
check (edited, truncated, empty, another format version or key) is never
decoded: the index is rebuilt from the store, a warning is logged once on the
`corridor.screening` logger, and `IndexReport.problem` says why (interfaces may
show it).  Screening goes on with correct results.

Garbage collection: an index is millions of objects that never change, and the
cyclic collector's full passes would walk them again and again.  So right after
an index becomes current the collector's tracked objects are frozen
(`gc.freeze`: they stay out of collections); on a swap they are unfrozen, the
old index is dropped and collected, and what is left is frozen again
(`_GcFreeze`).  Only the service does this, and only around index lifetimes.
Once an index is frozen, what the full passes still walk is mostly the screening
caches (analysed names, tokens, retrieval sets: bounded, acyclic, hundreds of
thousands of objects after a few thousand new names); so the oldest generation is
collected `FULL_COLLECTION_EVERY` middle-generation passes apart instead of
Python's 10 (a batch of trade checks with every party new spent ~9 % of its time
in full passes).  Garbage cycles are still collected, only less often.

Nothing here prints; results are typed (`IndexReport`, `match.Hit`,
`match.batch.BatchStats`).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, final

from sqlalchemy import Engine

from corridor import settings
from corridor.errors import IntegrityError
from corridor.model import Entity
from corridor.store import queries
from corridor.trade.screening import PartyHit

if TYPE_CHECKING:
    from corridor.match import Hit, Query, Screener
    from corridor.services.batch import BatchStats

log = logging.getLogger("corridor.screening")

INDEX_FORMAT = "2"  # part of the cache key: a new index file format never meets old files
KEY_FILE = ".key"
KEY_SIZE = 32
CHECK_EVERY = 5.0  # seconds between checks of the active versions in `current()`
# middle-generation collections between two full ones once an index is frozen
# (Python's default is 10; see the module docstring)
FULL_COLLECTION_EVERY = 100


def unique_entities(entities: Iterable[Entity]) -> Iterator[Entity]:
    """One record per entity id.  OFAC ids are shared by its SDN and Non-SDN
    publications (a party can be on both): the record with more names and
    identifiers is kept, with the names, identifiers and programs of both, and
    the other list in `also_on` (so a hit shows both lists: `Hit.lists`)."""
    chosen: dict[str, Entity] = {}
    for entity in entities:
        other = chosen.get(entity.id)
        if other is None:
            chosen[entity.id] = entity
            continue
        keep, drop = (
            (entity, other)
            if len(entity.names) + len(entity.identifiers) > len(other.names) + len(other.identifiers)
            else (other, entity)
        )
        keep = replace(
            keep,
            names=list({(n.full, n.kind): n for n in [*keep.names, *drop.names]}.values()),
            identifiers=list({(i.type, i.value): i for i in [*keep.identifiers, *drop.identifiers]}.values()),
            programs=list(dict.fromkeys([*keep.programs, *drop.programs])),
            also_on=[
                s for s in dict.fromkeys([*keep.also_on, drop.source, *drop.also_on]) if s != keep.source
            ],
        )
        chosen[entity.id] = keep
    yield from chosen.values()


def index_key(engine: Engine) -> str:
    """Identifies the set of active list versions the index must reflect."""
    return _key_of(queries.active_versions(engine))


def _key_of(active: Iterable[queries.Version]) -> str:
    parts = sorted(f"{v.source}:{v.sha256}" for v in active)
    return hashlib.sha256(("\n".join([INDEX_FORMAT, *parts])).encode()).hexdigest()[:16]


def versions_of(active: Iterable[queries.Version]) -> dict[str, dict[str, object]]:
    """The list versions an index reflects, as audit records name them."""
    return {
        v.source: {"version_id": v.id, "sha256": v.sha256} for v in sorted(active, key=lambda v: v.source)
    }


def index_dir(home: Path | None = None) -> Path:
    return (home or settings.home()) / "index"


def index_path(engine: Engine, home: Path | None = None) -> Path:
    return index_dir(home) / f"screener-{index_key(engine)}.idx"


def index_secret(directory: Path) -> bytes:
    """The home's secret for authenticating index files: `directory/.key`, made
    (mode 0600, from `secrets`) on first use (`services.secrets`)."""
    from corridor.services.secrets import home_secret

    return home_secret(directory, KEY_FILE, KEY_SIZE)


@final
@dataclass(frozen=True, slots=True)
class IndexReport:
    """Where the current index came from."""

    key: str  # of the active list versions it reflects
    path: Path
    entities: int
    origin: str  # "loaded" (from its file) | "built" (no file yet, or asked) | "rebuilt" (the file failed its check)
    seconds: float
    problem: str | None = None  # why the stored file was not used (origin "rebuilt")


@dataclass(slots=True, eq=False, weakref_slot=True)
class _Active:
    """The current index and what it reflects (swapped as one reference)."""

    key: str
    screener: Screener
    report: IndexReport
    versions: dict[str, dict[str, object]]  # {list: {"version_id", "sha256"}} the index reflects


class _GcFreeze:
    """Keeps the current index out of the cyclic garbage collector (see the module
    docstring); one per process, since `gc.freeze` is process-wide."""

    lock = threading.Lock()

    @classmethod
    def after_load(cls) -> None:
        with cls.lock:
            gc.collect()
            gc.freeze()
            cls._full_collections_apart()

    @classmethod
    def after_swap(cls) -> None:
        """The old index was dropped: unfreeze so its cycles can be collected, then
        freeze what is left (the new index among it)."""
        with cls.lock:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            cls._full_collections_apart()

    @staticmethod
    def _full_collections_apart() -> None:
        young, middle, oldest = gc.get_threshold()
        gc.set_threshold(young, middle, max(oldest, FULL_COLLECTION_EVERY))


def settle() -> None:
    """Freeze what is loaded (an index built outside a `ScreeningService`, as the
    trade benchmark does) out of the cyclic collector; see the module docstring."""
    _GcFreeze.after_load()


class ScreeningService:
    """The screening index of the active lists for one store and home (see the
    module docstring)."""

    def __init__(
        self,
        engine: Engine,
        home: Path | None = None,
        *,
        check_every: float = CHECK_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.home = home
        self.check_every = check_every
        self._clock = clock
        self._active: _Active | None = None
        self._next_check = 0.0
        self._building = threading.Lock()

    # --- the current index -------------------------------------------------------------

    def current(self) -> Screener:
        """The screener for the active lists, checked against them at most every
        `check_every` seconds."""
        active = self._active
        if active is not None and self._clock() < self._next_check:
            return active.screener
        return self.refresh()

    def refresh(self) -> Screener:
        """Check the active versions now; load or build the index for them if they
        changed (the old index serves other callers meanwhile)."""
        key = index_key(self.engine)
        self._next_check = self._clock() + self.check_every
        active = self._active
        if active is not None and active.key == key:
            return active.screener
        # the first index is waited for; a newer one is built by one caller while
        # the others go on with the old
        if not self._building.acquire(blocking=active is None):
            assert active is not None
            return active.screener
        try:
            active = self._active
            if active is not None and active.key == key:
                return active.screener
            new = self._obtain(key, rebuild=False)
            self._swap(new)
            return new.screener
        finally:
            self._building.release()

    def rebuild(self) -> Screener:
        """Build the index from the store now, replace its file and make it current."""
        with self._building:
            new = self._obtain(index_key(self.engine), rebuild=True)
            self._next_check = self._clock() + self.check_every
            self._swap(new)
            return new.screener

    @property
    def ready(self) -> bool:
        """Whether an index is loaded (a server answers /readyz with it)."""
        return self._active is not None

    @property
    def versions(self) -> dict[str, dict[str, object]]:
        """The list versions of the current index (what a screening ran against)."""
        active = self._active
        return dict(active.versions) if active is not None else {}

    def current_with_versions(self) -> tuple[Screener, str, dict[str, dict[str, object]]]:
        """The current screener, its index key and the versions it reflects, as one
        consistent triple (an audit record names exactly what was screened against)."""
        self.current()
        active = self._active
        assert active is not None
        return active.screener, active.key, active.versions

    @property
    def report(self) -> IndexReport | None:
        """Where the current index came from (None before the first one)."""
        active = self._active
        return active.report if active is not None else None

    # --- screening -----------------------------------------------------------------------

    def screen(self, query: Query, threshold: float | None = None, limit: int = 10) -> list[Hit]:
        """Hits for one query against the current index (QueryError for a bad query)."""
        return self.current().screen(query, threshold, limit)

    def screen_file(
        self,
        in_path: Path,
        out_path: Path,
        threshold: float | None = None,
        limit: int = 10,
        on_progress: Callable[[int], None] | None = None,
    ) -> BatchStats:
        """Screen a JSONL file of queries into a JSONL file of results
        (`match.batch.screen_jsonl`: one bad line is one error line)."""
        from corridor.services.batch import screen_jsonl

        return screen_jsonl(self.current(), in_path, out_path, threshold, on_progress, limit)

    # --- internals -------------------------------------------------------------------------

    def _obtain(self, key: str, rebuild: bool) -> _Active:
        from corridor.match import Screener

        started = time.perf_counter()
        active_versions = queries.active_versions(self.engine)
        versions = versions_of(active_versions)
        key = _key_of(active_versions)  # the versions read now decide what is built
        directory = index_dir(self.home)
        path = directory / f"screener-{key}.idx"
        secret = index_secret(directory)
        problem: str | None = None
        if not rebuild and path.exists():
            try:
                screener = Screener.load(path, secret)
            except IntegrityError as exc:
                problem = exc.message
                log.warning("screening index %s not used (%s): rebuilding it from the store", path, problem)
            else:
                seconds = time.perf_counter() - started
                return _Active(
                    key, screener, IndexReport(key, path, len(screener), "loaded", seconds), versions
                )
        screener = Screener.from_entities(unique_entities(queries.iter_active_entities(self.engine)))
        for stale in directory.glob("screener-*.idx"):
            if stale != path:
                stale.unlink(missing_ok=True)
        screener.save(path, secret)  # atomic: written aside, then renamed
        origin = "rebuilt" if problem else "built"
        seconds = time.perf_counter() - started
        return _Active(
            key, screener, IndexReport(key, path, len(screener), origin, seconds, problem), versions
        )

    def _swap(self, new: _Active) -> None:
        had_one = self._active is not None
        self._active = new  # one reference: readers see the old or the new, never a mix
        if had_one:
            _GcFreeze.after_swap()
        else:
            _GcFreeze.after_load()


_services: dict[tuple[str, str], ScreeningService] = {}
_services_lock = threading.Lock()


def service_for(engine: Engine, home: Path | None = None) -> ScreeningService:
    """The process's screening service for this store and home (one per pair, so
    the index is loaded once per process)."""
    where = (engine.url.render_as_string(hide_password=False), str((home or settings.home()).resolve()))
    with _services_lock:
        found = _services.get(where)
        if found is None or found.engine is not engine:
            found = _services[where] = ScreeningService(engine, home)
        return found


def close_all() -> None:
    """Drop every service of this process, and so their indexes (a forked worker
    that must not share its parent's index, a test that plays a new process)."""
    with _services_lock:
        _services.clear()
    _GcFreeze.after_swap()


def load_screener(engine: Engine, home: Path | None = None, rebuild: bool = False) -> Screener:
    """The screener for the active lists, checked against them now: the process's
    index when current, else from its file, else built and saved."""
    service = service_for(engine, home)
    return service.rebuild() if rebuild else service.refresh()


def active_programs(engine: Engine) -> dict[str, tuple[str, ...]]:
    """Program tags of every active entity (for trade rules that depend on them)."""
    from sqlalchemy import select

    from corridor.store.schema import entity_programs

    active = [v.id for v in queries.active_versions(engine)]
    programs: dict[str, list[str]] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(entity_programs.c.entity_id, entity_programs.c.program).where(
                entity_programs.c.version_id.in_(active)
            )
        )
        for entity_id, program in rows:
            values = programs.setdefault(entity_id, [])
            if program not in values:
                values.append(program)
    return {k: tuple(v) for k, v in programs.items()}


# Hits asked for per trade party: every list's record of one designation must reach
# the verdict (a party on the UN, OFAC SDN and consolidated, UK, FCDO, EU and
# OpenSanctions lists has seven records, and the UN one may score a little below the
# others), so the limit is far above the designations a party meets; the engine
# applies its limit per designation (every record of a designation it keeps stays:
# `EntityRecord.party`) and never separates equal scores at the limit either.
TRADE_HIT_LIMIT = 100


class ScreenerParties:
    """The screening engine behind the trade evaluator's `PartyScreener` protocol."""

    def __init__(
        self, screener: Screener, programs: dict[str, tuple[str, ...]], threshold: float | None = None
    ) -> None:
        self.screener = screener
        self.programs = programs
        self.threshold = threshold

    def screen(
        self, name: str, schema: str, *, country: str | None = None, imo: str | None = None
    ) -> list[PartyHit]:
        from corridor.match import Query, QueryError

        try:
            hits = self.screener.screen(
                Query(name=name, schema=schema or "Thing", country=country, imo=imo),
                self.threshold,
                limit=TRADE_HIT_LIMIT,
            )
        except QueryError:
            # a party the engine cannot screen (no usable name) is not a hit;
            # the transaction parser has already rejected truly malformed input
            return []
        return [
            PartyHit(
                entity_id=h.entity_id,
                list=h.list,
                ref=h.ref,
                caption=h.caption,
                score=h.score,
                programs=self.programs.get(h.entity_id, ()),
                explanation=h.explanation.summary,
            )
            for h in hits
        ]


def party_screener(engine: Engine, home: Path | None = None) -> ScreenerParties | None:
    """The trade checks' party screener over the active lists (None when no list is loaded)."""
    if not queries.active_versions(engine):
        return None
    return ScreenerParties(load_screener(engine, home), active_programs(engine))
