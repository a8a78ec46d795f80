"""Wiring between the store and the engines, shared by the CLI (and later the API).

The screening index is built from the active list versions and cached on disk in
CORRIDOR_HOME/index, under a key made of the active versions' checksums: an
import or update changes the key, so the next screen rebuilds the index once.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from corridor import settings
from corridor.model import Entity
from corridor.store import queries
from corridor.trade.screening import PartyHit

if TYPE_CHECKING:
    from corridor.match import Screener

INDEX_FORMAT = "1"


def unique_entities(entities: Iterable[Entity]) -> Iterator[Entity]:
    """One record per entity id.  OFAC ids are shared by its SDN and Non-SDN
    publications (a party can be on both): the record with more names and
    identifiers is kept, with the programs of both."""
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
        keep.programs = list(dict.fromkeys([*keep.programs, *drop.programs]))
        chosen[entity.id] = keep
    yield from chosen.values()


def index_key(engine: Engine) -> str:
    """Identifies the set of active list versions the index must reflect."""
    parts = sorted(f"{v.source}:{v.sha256}" for v in queries.active_versions(engine))
    return hashlib.sha256(("\n".join([INDEX_FORMAT, *parts])).encode()).hexdigest()[:16]


def index_path(engine: Engine, home: Path | None = None) -> Path:
    return (home or settings.home()) / "index" / f"screener-{index_key(engine)}.idx"


def settle() -> None:
    """Keep everything loaded so far (above all the screening index: millions of
    objects that never change) out of the cyclic garbage collector, whose full
    passes would otherwise walk all of it again and again while screening."""
    gc.collect()
    gc.freeze()


def load_screener(engine: Engine, home: Path | None = None, rebuild: bool = False) -> Screener:
    """The screener for the active lists: from the on-disk cache, or built and saved."""
    from corridor.match import Screener

    path = index_path(engine, home)
    if path.exists() and not rebuild:
        screener = Screener.load(path)
        settle()
        return screener
    screener = Screener.from_entities(unique_entities(queries.iter_active_entities(engine)))
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob("screener-*.idx"):
        if stale != path:
            stale.unlink(missing_ok=True)
    tmp = path.with_suffix(".tmp")
    screener.save(tmp)
    tmp.replace(path)  # atomic: a half-written index is never loaded
    settle()
    return screener


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
                Query(name=name, schema=schema or "Thing", country=country, imo=imo), self.threshold, limit=5
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
