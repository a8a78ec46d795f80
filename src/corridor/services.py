"""Wiring between the store and the engines, shared by the CLI (and later the API).

The screening index is built from the active list versions and cached on disk in
CORRIDOR_HOME/index, under a key made of the active versions' checksums: an
import or update changes the key, so the next screen rebuilds the index once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from corridor import config
from corridor.store import queries

if TYPE_CHECKING:
    from corridor.match import Screener

INDEX_FORMAT = "1"


def index_key(engine: Engine) -> str:
    """Identifies the set of active list versions the index must reflect."""
    parts = sorted(f"{v.source}:{v.sha256}" for v in queries.active_versions(engine))
    return hashlib.sha256(("\n".join([INDEX_FORMAT, *parts])).encode()).hexdigest()[:16]


def index_path(engine: Engine, home: Path | None = None) -> Path:
    return (home or config.home()) / "index" / f"screener-{index_key(engine)}.idx"


def load_screener(engine: Engine, home: Path | None = None, rebuild: bool = False) -> Screener:
    """The screener for the active lists: from the on-disk cache, or built and saved."""
    from corridor.match import Screener

    path = index_path(engine, home)
    if path.exists() and not rebuild:
        return Screener.load(path)
    screener = Screener.from_entities(queries.iter_active_entities(engine))
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob("screener-*.idx"):
        if stale != path:
            stale.unlink(missing_ok=True)
    tmp = path.with_suffix(".tmp")
    screener.save(tmp)
    tmp.replace(path)  # atomic: a half-written index is never loaded
    return screener
