"""Settings: every environment variable Corridor reads, read in one place.

`current()` reads the environment once and keeps the result; importing this
module reads nothing and creates nothing.  A CLI invocation or an API process
starts with `reload()`, so what it runs with is fixed for its whole life.

| variable | meaning | default |
|---|---|---|
| CORRIDOR_HOME | data directory (SQLite database, downloads, index) | ./.corridor |
| CORRIDOR_DATABASE_URL | SQLAlchemy URL | sqlite:///$CORRIDOR_HOME/corridor.db |
| CORRIDOR_SHARED | the shared data folder (official list snapshots, HS) | ../shared |
| CORRIDOR_STORE_BUSY_TIMEOUT | seconds to wait for another writer's lock | 10 |
| CORRIDOR_MAX_REMOVED_SHARE | share of the active version's entities a new version may remove and still become active (docs/sources.md) | 0.2 |
| CORRIDOR_FETCH_DEADLINE | seconds one source's download may take, all attempts together | 600 |
| CORRIDOR_API_MAX_BODY | bytes an API request body may have (413 above) | 4194304 (4 MiB) |
| CORRIDOR_API_MAX_BATCH | queries or transactions in one API call (400 above; yente's MAX_BATCH is 100) | 100 |
| CORRIDOR_API_MAX_UPLOAD | bytes of a list file uploaded to `POST /lists/import` | 268435456 (256 MiB) |
| CORRIDOR_SIGNIN_MAX_FAILURES | failed password sign-ins for one account name within the window before its sign-in is refused (docs/security.md) | 5 |
| CORRIDOR_SIGNIN_MAX_FAILURES_ADDRESS | the same for one client address, whatever the names | 20 |
| CORRIDOR_SIGNIN_WINDOW | seconds the failures are counted over (and a refusal lasts at most) | 900 |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Settings:
    home: Path
    database_url: str
    shared: Path
    busy_timeout: float
    max_removed_share: float = 0.2
    fetch_deadline: float = 600.0
    api_max_body: int = 4 * 1024 * 1024
    api_max_batch: int = 100
    api_max_upload: int = 256 * 1024 * 1024
    signin_max_failures: int = 5
    signin_max_failures_address: int = 20
    signin_window: float = 900.0

    @property
    def shared_data(self) -> Path:
        return self.shared / "data"


def _shared(raw: str) -> Path:
    """A relative CORRIDOR_SHARED is taken from the project root first, then the cwd."""
    path = Path(raw).expanduser()
    if not path.is_absolute():
        beside_project = (_PROJECT_ROOT / path).resolve()
        path = beside_project if beside_project.exists() else path.resolve()
    return path


def _seconds(environ: Mapping[str, str], key: str, default: float) -> float:
    raw = environ.get(key, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        from corridor.errors import InputError

        raise InputError(key, f"must be a number of seconds, got {raw!r}") from None
    return max(0.0, value)


def _share(environ: Mapping[str, str], key: str, default: float) -> float:
    raw = environ.get(key, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        from corridor.errors import InputError

        raise InputError(key, f"must be a share between 0 and 1 (0.2 = 20 %), got {raw!r}")
    return value


def _count(environ: Mapping[str, str], key: str, default: int) -> int:
    raw = environ.get(key, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        from corridor.errors import InputError

        raise InputError(key, f"must be a whole number of at least 1, got {raw!r}")
    return value


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from `environ` (default: the process environment), without side effects."""
    env = os.environ if environ is None else environ
    home = Path(env.get("CORRIDOR_HOME") or ".corridor").expanduser().resolve()
    url = env.get("CORRIDOR_DATABASE_URL") or f"sqlite:///{home / 'corridor.db'}"
    return Settings(
        home=home,
        database_url=url,
        shared=_shared(env.get("CORRIDOR_SHARED") or "../shared"),
        busy_timeout=_seconds(env, "CORRIDOR_STORE_BUSY_TIMEOUT", 10.0),
        max_removed_share=_share(env, "CORRIDOR_MAX_REMOVED_SHARE", 0.2),
        fetch_deadline=_seconds(env, "CORRIDOR_FETCH_DEADLINE", 600.0),
        api_max_body=_count(env, "CORRIDOR_API_MAX_BODY", 4 * 1024 * 1024),
        api_max_batch=_count(env, "CORRIDOR_API_MAX_BATCH", 100),
        api_max_upload=_count(env, "CORRIDOR_API_MAX_UPLOAD", 256 * 1024 * 1024),
        signin_max_failures=_count(env, "CORRIDOR_SIGNIN_MAX_FAILURES", 5),
        signin_max_failures_address=_count(env, "CORRIDOR_SIGNIN_MAX_FAILURES_ADDRESS", 20),
        signin_window=_seconds(env, "CORRIDOR_SIGNIN_WINDOW", 900.0),
    )


_current: Settings | None = None


def current() -> Settings:
    """The settings of this process (read on first use)."""
    global _current
    if _current is None:
        _current = load()
    return _current


def reload() -> Settings:
    """Read the environment again (the start of a CLI invocation, a test)."""
    global _current
    _current = load()
    return _current


def home() -> Path:
    """CORRIDOR_HOME, created when first needed."""
    path = current().home
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    return current().database_url


def shared_data() -> Path:
    return current().shared_data
