"""`corridor serve`: the HTTP API (FastAPI under uvicorn) on the same store as the CLI."""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated

import typer

from corridor.cli.common import DbOption, err, fail
from corridor.render import safe

top_app = typer.Typer()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@top_app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    no_auth: Annotated[
        bool, typer.Option("--no-auth", help="Serve without API keys (refused unless bound to loopback).")
    ] = False,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
    db_url: DbOption = None,
) -> None:
    """Serve the yente-compatible screening API, reconciliation and trade checks."""
    import uvicorn

    from corridor.store import db

    if no_auth and not is_loopback(host):
        raise fail(f"--no-auth serves everyone without a key: refused on {host} (bind to 127.0.0.1)", 2)
    engine = db.engine(db_url)
    db.ensure_schema(engine)  # migrate (or refuse) once, before workers start
    engine.dispose()
    # the workers build the app from the environment (uvicorn's factory mode)
    if db_url:
        os.environ["CORRIDOR_DATABASE_URL"] = db_url
    os.environ["CORRIDOR_API_AUTH"] = "0" if no_auth else "1"
    mode = "WITHOUT AUTHENTICATION" if no_auth else "API keys required"
    err.print(safe.text(f"corridor serving on http://{host}:{port} ({workers} worker(s), {mode})"))
    uvicorn.run(
        "corridor.api.app:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        loop="uvloop",
        http="httptools",
        access_log=False,
    )
