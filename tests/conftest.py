"""Shared fixtures: the shared data folder and databases (SQLite and PostgreSQL).

PostgreSQL tests use CORRIDOR_TEST_POSTGRES_URL (default: the local server at
127.0.0.1:5432, database `test`).  Where no server answers they skip with a loud
message; with CI=true they fail instead, so CI can never pass without them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from corridor import settings

POSTGRES_URL = os.environ.get(
    "CORRIDOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _missing(reason: str) -> None:
    message = f"*** NOT TESTED: {reason} ***"
    if IN_CI:
        pytest.fail(message + " (CI=true: this must not be skipped)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = settings.shared_data()
    if not (path / "SOURCES.md").exists():
        _missing(f"shared data not found at {path} (set CORRIDOR_SHARED)")
    return path


def _postgres_available() -> str | None:
    from sqlalchemy import create_engine, text

    try:
        eng = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
    except Exception as exc:  # any failure means: no usable server
        return str(exc).splitlines()[0]
    return None


@pytest.fixture(scope="session")
def postgres_url() -> str:
    error = _postgres_available()
    if error:
        _missing(f"PostgreSQL not reachable at {POSTGRES_URL}: {error}")
    return POSTGRES_URL


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema per test, dropped afterwards."""
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in postgres_url else "?"
    yield f"{postgres_url}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'corridor.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run a test on both back ends."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'corridor.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


# --- batch jobs (tests/test_batch_*.py, tests/test_spark.py) ---------------------------

BATCH_ROWS = 3000


@pytest.fixture(scope="session")
def batch_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> tuple[str, Any, Path]:
    """A store with the UN list of 2026-05-08: (url, engine, home)."""
    from corridor.services.lists import import_path
    from corridor.store import db

    root = tmp_path_factory.mktemp("batch-store")
    url = f"sqlite:///{root / 'corridor.db'}"
    engine = db.engine(url)
    import_path(engine, shared_data / "un/2026-05-08/consolidated.xml")
    return url, engine, root / "home"


@pytest.fixture(scope="session")
def batch_screener(batch_store: tuple[str, Any, Path]) -> Any:
    from corridor.services import screening

    _, engine, home = batch_store
    return screening.load_screener(engine, home)


@pytest.fixture(scope="session")
def batch_records(batch_store: tuple[str, Any, Path]) -> list[dict[str, Any]]:
    """A few thousand mixed-script parties (Hangul and romanised, Cyrillic and Latin,
    English, Chinese), 2 % taken from the list with variations."""
    from bench.synthetic import parties

    from corridor.store.queries import iter_active_entities

    _, engine, _ = batch_store
    return list(parties(list(iter_active_entities(engine)), BATCH_ROWS, seed=7, listed_share=0.02))


# --- the real lists, read once a session (tests/test_match_screener.py, test_names_*.py) ---


@pytest.fixture(scope="session")
def un_ofac(shared_data: Path) -> tuple[Any, dict[str, tuple[str, ...]]]:
    """A screener over the UN list of 2026-05-08 and the OFAC SDN list of
    2024-05-03, and each entity's programmes (for `ScreenerParties`)."""
    from corridor.match import Screener
    from corridor.model import Entity
    from corridor.sources import parse

    entities: list[Entity] = []
    for path in (
        shared_data / "un/2026-05-08/consolidated.xml",
        shared_data / "ofac/sdn_csv_only_2024-05-03/sdn.csv",
    ):
        entities.extend(parse(path).entities)
    return Screener.from_entities(entities), {e.id: tuple(e.programs) for e in entities}


@pytest.fixture(scope="session")
def check_with_party(
    un_ofac: tuple[Any, dict[str, tuple[str, ...]]], shared_data: Path
) -> Callable[[str, str], Any]:
    """party name, role → the verdict of a Russian flour shipment to China (HS
    1101.00) that has that party (in China) besides its exporter, screened against
    `un_ofac`: what a trade check makes of one party."""
    from corridor.services.screening import ScreenerParties
    from corridor.trade import hs
    from corridor.trade.evaluate import Evaluator
    from corridor.trade.rules import default_rulebook
    from corridor.trade.transaction import parse_transaction

    nomenclature = hs.load(shared_data / "hs")
    screener, programs = un_ofac
    evaluator = Evaluator(default_rulebook(), hs=nomenclature, screener=ScreenerParties(screener, programs))

    def check(party: str, role: str) -> Any:
        data = {
            "id": "P-1",
            "type": "shipment",
            "date": "2024-05-01",
            "origin": "ru",
            "destination": "cn",
            "parties": [
                {"name": "ООО Бета", "role": "exporter", "country": "ru"},
                {"name": party, "role": role, "country": "cn"},
            ],
            "goods": [{"hs_code": "1101.00", "quantity": 100, "unit": "t"}],
        }
        return evaluator.check(parse_transaction(data, nomenclature))

    return check
