"""`corridor db …`: the store's schema, migrated on purpose (connecting never migrates)."""

from __future__ import annotations

import json
import sys

import typer
from rich.text import Text

from corridor.cli.common import DbOption, JsonOption, console, fail
from corridor.errors import CorridorError
from corridor.store import db

db_app = typer.Typer(no_args_is_help=True, help="The store's schema: status and upgrade.")


@db_app.command("upgrade")
def db_upgrade(db_url: DbOption = None) -> None:
    """Bring the store's schema to the newest revision (safe to run while nothing writes)."""
    try:
        state = db.upgrade(db.connect(db_url))
    except CorridorError as exc:
        raise fail(str(exc)) from exc
    console.print(Text(f"{state.url}: schema at revision {state.current} (head)", style="green"))


@db_app.command("status")
def db_status(db_url: DbOption = None, as_json: JsonOption = False) -> None:
    """The store's current schema revision and the newest one this Corridor knows."""
    try:
        state = db.schema_state(db.connect(db_url))
    except CorridorError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        data = {
            "url": state.url,
            "current": state.current,
            "head": state.head,
            "up_to_date": state.up_to_date,
        }
        sys.stdout.write(json.dumps(data) + "\n")
        return
    current = state.current or "none (empty store)"
    advice = "" if state.up_to_date else ": run `corridor db upgrade`"
    console.print(
        Text(f"{state.url}\n  current revision: {current}\n  head revision:    {state.head}{advice}")
    )
