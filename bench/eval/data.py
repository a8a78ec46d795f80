"""Loading the newest list snapshots for evaluation, with a parse cache.

Parsing the UK ConList spreadsheet takes ~20 s, so parsed entities are cached as
JSON lines under bench/results/cache/, keyed by the snapshot file (path, size,
mtime) and the parser sources' mtimes: a changed file or parser re-parses.

By default only the official lists are loaded: UN, OFAC SDN, OFAC Non-SDN and
the UK OFSI ConList (~21,000 entities).  Left out unless asked for: the UK FCDO
*summary* spreadsheet (the ConList designations again with primary names only,
no aliases, dates or ids) and the OpenSanctions FtM files the demo also imports.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import corridor.sources
from corridor.demo import Snapshot, newest_snapshots
from corridor.model import Entity
from corridor.sources import parse

RESULTS_DIR = Path(__file__).resolve().parents[1] / "results"


@dataclass(slots=True)
class Corpus:
    """The entities of several list snapshots, and which snapshots they came from."""

    entities: list[Entity]
    snapshots: list[Snapshot] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    duplicate_ids: list[str] = field(default_factory=list)  # ids seen on two lists (one copy kept)

    def by_id(self) -> dict[str, Entity]:
        return {e.id: e for e in self.entities}


# The official sanctions lists the evaluation is about (~21,000 entities).
DEFAULT_LISTS = ("un", "ofac-sdn", "ofac-cons", "uk")


def select_snapshots(data_dir: Path, lists: Iterable[str] | None = DEFAULT_LISTS) -> list[Snapshot]:
    """The newest snapshot of each of `lists` (None: every list the demo imports,
    including the UK FCDO summary and the OpenSanctions FtM files)."""
    snaps = newest_snapshots(data_dir)
    if lists is not None:
        wanted = set(lists)
        snaps = [s for s in snaps if s.list_key in wanted]
    return snaps


def _cache_key(snap: Snapshot) -> str:
    stat_parts = []
    files = [snap.path] if snap.path.is_file() else sorted(p for p in snap.path.iterdir() if p.is_file())
    for path in files:
        st = path.stat()
        stat_parts.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    parser_dir = Path(corridor.sources.__file__).parent
    for path in sorted(parser_dir.glob("*.py")):
        stat_parts.append(f"{path.name}:{path.stat().st_mtime_ns}")
    return hashlib.sha1("|".join(stat_parts).encode()).hexdigest()[:16]


def load_snapshot(snap: Snapshot, cache_dir: Path | None = None) -> list[Entity]:
    """The entities of one snapshot, from the cache when it is current."""
    cache_file = None
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        cache_file = cache_dir / f"{snap.list_key}-{snap.date}-{_cache_key(snap)}.jsonl"
        if cache_file.exists():
            with cache_file.open(encoding="utf-8") as handle:
                return [Entity.from_dict(json.loads(line)) for line in handle]
    entities = list(parse(snap.path, snap.hint).entities)
    if cache_file is not None:
        for stale in cache_file.parent.glob(f"{snap.list_key}-{snap.date}-*.jsonl"):
            stale.unlink()
        tmp = cache_file.with_suffix(".part")
        with tmp.open("w", encoding="utf-8") as handle:
            for entity in entities:
                handle.write(json.dumps(entity.to_dict(), ensure_ascii=False) + "\n")
        tmp.replace(cache_file)
    return entities


def load_corpus(snapshots: Iterable[Snapshot], cache_dir: Path | None = RESULTS_DIR / "cache") -> Corpus:
    corpus = Corpus(entities=[])
    for snap in snapshots:
        started = time.perf_counter()
        entities = load_snapshot(snap, cache_dir)
        print(
            f"  loaded {snap.list_key} {snap.date}: {len(entities):,} entities ({time.perf_counter() - started:.1f} s)",
            file=sys.stderr,
        )
        corpus.entities.extend(entities)
        corpus.snapshots.append(snap)
        corpus.counts[snap.list_key] = len(entities)
    corpus.entities, corpus.duplicate_ids = unique_by_id(corpus.entities)
    return corpus


def unique_by_id(entities: list[Entity]) -> tuple[list[Entity], list[str]]:
    """One entity per id.  OFAC gives a party the same uid on the SDN and the
    Non-SDN list, so `ofac:<uid>` can occur twice; the fuller record is kept
    (more names and identifiers; the first on a tie)."""
    kept: dict[str, Entity] = {}
    duplicates: list[str] = []
    for entity in entities:
        other = kept.get(entity.id)
        if other is None:
            kept[entity.id] = entity
            continue
        duplicates.append(entity.id)
        if len(entity.names) + len(entity.identifiers) > len(other.names) + len(other.identifiers):
            kept[entity.id] = entity
    return list(kept.values()), sorted(set(duplicates))
