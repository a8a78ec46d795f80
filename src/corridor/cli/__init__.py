"""The `corridor` command line.  Commands only parse options, call the
application layer (`corridor.services`) and render what it returns; one module
per concern: `lists` (lists, entity, demo-import), `screening` (screen, compare,
index), `trade` (check, ledger, rules, hs), `intel` (reports into facts), `keys`
(API keys and roles), `users` (web sign-in accounts), `audit` (the hash-chained audit trail), `serve` (the HTTP API), `spark`
(the batch jobs on Apache Spark)."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from corridor import settings
from corridor.cli import db, intel, lists, screening, serve, trade
from corridor.cli.audit import audit_app
from corridor.cli.common import exit_code, fail
from corridor.cli.keys import keys_app
from corridor.cli.monitor import alerts_app, monitor_app, portfolio_app
from corridor.cli.spark import spark_app
from corridor.cli.users import users_app
from corridor.errors import CorridorError


class CorridorGroup(TyperGroup):
    """The root command group: any `CorridorError` a command lets through (bad
    input, a busy store, a missing record) ends as one `error:` line and an exit
    code, never a traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer vendors its own click Context type
        try:
            return super().invoke(ctx)
        except CorridorError as error:
            raise fail(str(error), exit_code(error)) from error


def _start() -> None:
    # each invocation runs with the environment as it is when it starts
    settings.reload()


app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Sanctions compliance for the Russia–DPRK corridor.",
    callback=_start,
    cls=CorridorGroup,
)
app.add_typer(lists.lists_app, name="lists")
app.add_typer(db.db_app, name="db")
app.add_typer(trade.rules_app, name="rules")
app.add_typer(screening.index_app, name="index")
app.add_typer(intel.intel_app, name="intel")
app.add_typer(keys_app, name="keys")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(spark_app, name="spark")
app.add_typer(portfolio_app, name="portfolio")
app.add_typer(monitor_app, name="monitor")
app.add_typer(alerts_app, name="alerts")
for module in (lists, screening, trade, serve):
    for command in module.top_app.registered_commands:
        app.registered_commands.append(command)


def main() -> None:  # pragma: no cover
    app()


__all__ = ["app", "main"]
