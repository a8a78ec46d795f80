"""Settings from the environment, read in one place.

CORRIDOR_HOME          data directory (SQLite database, index files); default ./.corridor
CORRIDOR_DATABASE_URL  SQLAlchemy URL; default sqlite:///$CORRIDOR_HOME/corridor.db
CORRIDOR_SHARED        the shared data folder (official list snapshots); default ../shared
"""

from __future__ import annotations

import os
from pathlib import Path

_PROJECT_ROOT = Path(__file__).resolve().parents[2]


def home() -> Path:
    path = Path(os.environ.get("CORRIDOR_HOME") or ".corridor").expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    url = os.environ.get("CORRIDOR_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{(home() / 'corridor.db').resolve()}"


def shared_dir() -> Path:
    """The shared folder; a relative setting is taken from the project root first."""
    raw = os.environ.get("CORRIDOR_SHARED") or "../shared"
    path = Path(raw).expanduser()
    if not path.is_absolute():
        beside_project = (_PROJECT_ROOT / path).resolve()
        path = beside_project if beside_project.exists() else path.resolve()
    return path


def shared_data() -> Path:
    return shared_dir() / "data"
