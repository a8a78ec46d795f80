"""The `corridor` command line.  Commands only parse options, call the
application layer (`corridor.services`) and render what it returns; one module
per concern: `lists` (lists, entity, demo-import), `screening` (screen, compare,
index), `trade` (check, ledger, rules, hs)."""

from __future__ import annotations

import typer

from corridor import settings
from corridor.cli import db, lists, screening, trade


def _start() -> None:
    # each invocation runs with the environment as it is when it starts
    settings.reload()


app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Sanctions compliance for the Russia–DPRK corridor.",
    callback=_start,
)
app.add_typer(lists.lists_app, name="lists")
app.add_typer(db.db_app, name="db")
app.add_typer(trade.rules_app, name="rules")
app.add_typer(screening.index_app, name="index")
for module in (lists, screening, trade):
    for command in module.top_app.registered_commands:
        app.registered_commands.append(command)


def main() -> None:  # pragma: no cover
    app()


__all__ = ["app", "main"]
