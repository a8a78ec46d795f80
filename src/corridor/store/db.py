"""Engines, schema revisions and the store-busy error.

`engine(url)` connects; it never migrates a store that already has a schema.
`upgrade(engine)` (what `corridor db upgrade` runs) brings the schema to the
newest Alembic revision.  The one exception is an *empty* store: its first use
creates the schema, under a lock (PostgreSQL `pg_advisory_xact_lock`, SQLite an
exclusive `flock` on a lock file beside the database) so that two processes
starting on the same empty store cannot race.  A store whose schema is behind
this code raises `SchemaBehindError`, telling the user to run `corridor db upgrade`.

SQLite waits `settings.current().busy_timeout` seconds for another writer's
lock, then raises `StoreBusyError` (one line for the CLI, HTTP 503 for the API).
"""

from __future__ import annotations

import contextlib
import fcntl
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import ExceptionContext, make_url

from corridor import settings
from corridor.errors import CorridorError, StoreBusyError

MIGRATIONS = Path(__file__).with_name("migrations")
# any fixed 64-bit number: the key of the advisory lock that serialises schema creation
_PG_SCHEMA_LOCK = 0x636F7272_69646F72  # "corridor"

__all__ = [
    "SchemaBehindError",
    "SchemaState",
    "connect",
    "engine",
    "ensure_schema",
    "head_revision",
    "normalise_url",
    "schema_state",
    "upgrade",
]


class SchemaBehindError(CorridorError):
    """The store's schema is older (or other) than this version of Corridor expects."""

    status = 503
    code = "schema_behind"


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where a store's schema stands: `current` is None for an empty store."""

    url: str  # without password
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (status, screening) go on while an import writes;
    # foreign keys are off by default in SQLite.
    # The driver's own transaction handling is turned off (it would commit DDL
    # statement by statement): SQLAlchemy's BEGIN below makes migrations atomic too.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


SQLITE_BEGIN = "sqlite_begin"  # execution option: "IMMEDIATE" takes the write lock at BEGIN
IMMEDIATE = "IMMEDIATE"


def _sqlite_begin(conn: Connection) -> None:
    # a writer that reads before it writes (the audit chain head, the active
    # version) asks for BEGIN IMMEDIATE, so no other writer can slip in between
    mode = conn.get_execution_options().get(SQLITE_BEGIN, "")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == IMMEDIATE else "BEGIN")


def _busy_to_store_busy(context: ExceptionContext) -> None:
    """SQLite's "database is locked" after the busy timeout → StoreBusyError."""
    original = context.original_exception
    if isinstance(original, sqlite3.OperationalError) and "locked" in str(original):
        timeout = settings.current().busy_timeout
        raise StoreBusyError(
            f"store busy: another process is writing to the database (waited {timeout:g} s); try again later"
        ) from original


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


@lru_cache(maxsize=8)
def connect(url: str | None = None, *, wait: bool = True) -> Engine:
    """An engine for `url` (default: the configured database).  Connects only: no schema check.

    `wait=False` (SQLite): a connection that finds the write lock taken fails at
    once ("store busy") instead of waiting up to the busy timeout; a server's event
    loop asks again later and serves other requests meanwhile."""
    url = normalise_url(url or settings.database_url())
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            # a new CORRIDOR_HOME: SQLite creates the file, not the folder it lives in
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        timeout = settings.current().busy_timeout if wait else 0.0
        eng = create_engine(url, connect_args={"timeout": timeout})
        event.listen(eng, "connect", _sqlite_pragmas)
        event.listen(eng, "begin", _sqlite_begin)
        event.listen(eng, "handle_error", _busy_to_store_busy)
    else:
        eng = create_engine(url, pool_pre_ping=True)
    return eng


@lru_cache(maxsize=8)
def engine(url: str | None = None) -> Engine:
    """An engine for `url` whose schema is at the newest revision.

    An empty store is initialised here (under a lock); a store that is behind
    raises SchemaBehindError; an up-to-date one is only read (one query)."""
    eng = connect(url)
    ensure_schema(eng)
    return eng


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "the migrations folder has no revision"
    return head


def _current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _is_empty(conn: Connection) -> bool:
    return not inspect(conn).get_table_names()


def schema_state(eng: Engine) -> SchemaState:
    with eng.connect() as conn:
        current = _current_revision(conn)
    return SchemaState(eng.url.render_as_string(hide_password=True), current, head_revision())


def _migrate(conn: Connection) -> None:
    cfg = _config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")


@contextlib.contextmanager
def _schema_lock(eng: Engine) -> Iterator[Connection]:
    """A transaction holding the lock that serialises schema changes."""
    if eng.dialect.name == "postgresql":
        with eng.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_SCHEMA_LOCK})
            yield conn
        return
    database = make_url(str(eng.url)).database
    if eng.dialect.name != "sqlite" or not database or database == ":memory:":
        with eng.begin() as conn:
            yield conn
        return
    lock_path = Path(database).with_name(Path(database).name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        with eng.begin() as conn:
            yield conn


def upgrade(eng: Engine) -> SchemaState:
    """Bring the store's schema to the newest revision (`corridor db upgrade`)."""
    with _schema_lock(eng) as conn:
        _migrate(conn)
    return schema_state(eng)


def ensure_schema(eng: Engine) -> None:
    """Create the schema of an empty store; refuse one that is behind."""
    head = head_revision()
    with eng.connect() as conn:
        current = _current_revision(conn)
    if current == head:
        return
    if current is None:
        with _schema_lock(eng) as conn:
            # another process may have created it while we waited for the lock
            if _current_revision(conn) is None and _is_empty(conn):
                _migrate(conn)
        current = schema_state(eng).current
        if current == head:
            return
    where = eng.url.render_as_string(hide_password=True)
    found = f"at revision {current}" if current else "not a Corridor store (tables without a revision)"
    raise SchemaBehindError(
        f"the store {where} is {found}; this Corridor needs revision {head}: run `corridor db upgrade`"
    )
