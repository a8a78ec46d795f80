"""The HTTP application: `create_app()` for `corridor serve`, tests and ASGI servers.

It only parses requests, calls the application layer (`corridor.services`) and
renders; every router checks the caller's key and role (`security.require`).
The screening index is loaded in the background at start-up: `/readyz` answers
503 until it is, and screening requests wait for it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from corridor import settings
from corridor.api import errors
from corridor.api.limits import BodyLimit
from corridor.api.responses import JSON
from corridor.api.routers import (
    audit,
    intel,
    keys,
    lists,
    matching,
    monitoring,
    reconcile,
    screening,
    system,
    trade,
)
from corridor.api.state import AppState
from corridor.store import db
from corridor.web import cases as web_cases
from corridor.web import errors as web_errors
from corridor.web import intel as web_intel
from corridor.web import lists as web_lists
from corridor.web import routes as web_routes

log = logging.getLogger("corridor.api")

DESCRIPTION = """Sanctions screening and trade checks for the Russia–DPRK corridor.

yente-compatible matching (`/match`, `/search`, `/entities`, `/catalog`), OpenRefine
reconciliation (`/reconcile`), Corridor's own screening and trade checks, list
versions and diffs.  Every endpoint but the health probes needs an API key:
`Authorization: ApiKey <key>` (or `Bearer <key>`).  See docs/api.md.
"""


def create_app(
    database_url: str | None = None,
    *,
    auth: bool = True,
    home: Path | None = None,
    load_index: bool = True,
) -> FastAPI:
    """The application on the store at `database_url` (default: the settings').
    `auth=False` serves without keys (only `corridor serve --no-auth` on loopback)."""
    current = settings.reload()
    engine = db.engine(database_url)
    db.ensure_schema(engine)
    state = AppState(engine, current, auth=auth, home=home)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if load_index:
            threading.Thread(target=_load, args=(state,), name="index-load", daemon=True).start()
        try:
            yield
        finally:
            state.close()

    app = FastAPI(
        title="Corridor",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        default_response_class=JSON,
    )
    app.state.corridor = state
    errors.install(app)
    for module in (system, matching, reconcile, screening, trade, lists, monitoring, keys, audit, intel):
        app.include_router(module.router)
    # the analysts' pages: the same state, keys, roles and audit trail
    for pages in (web_routes, web_cases, web_lists, web_intel):
        app.include_router(pages.router)
    web_errors.install(app)
    app.add_middleware(
        BodyLimit, max_body=current.api_max_body, max_upload=current.api_max_upload, state=state
    )
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("corridor")
    except PackageNotFoundError:  # run from a source tree that was not installed
        return "0+unknown"


def _load(state: AppState) -> None:
    try:
        state.load()
    except Exception:  # the server stays up and not ready; the log says why
        log.exception("the screening index could not be loaded")


def from_environment() -> FastAPI:
    """uvicorn's factory for `corridor serve` workers: the store from the settings,
    authentication unless the command set CORRIDOR_API_AUTH=0 (loopback only)."""
    import os

    return create_app(auth=os.environ.get("CORRIDOR_API_AUTH", "1") != "0")
