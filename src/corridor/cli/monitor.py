"""`corridor portfolio …`, `corridor monitor run` and `corridor alerts …`.

The CLI runs as the local OS user with role `local` (it owns the store);
`alerts decide/approve/return` take `--actor NAME`, recorded in the trail, and the
service refuses an approval by the name that decided (four eyes).  The HTTP API
enforces roles by key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from corridor.cli.common import DbOption, JsonOption, console, engine_for, err
from corridor.render import safe
from corridor.services import alerts, audit, monitoring, portfolio

portfolio_app = typer.Typer(no_args_is_help=True, help="The portfolio of parties monitoring re-screens.")
monitor_app = typer.Typer(no_args_is_help=True, help="Screen the portfolio against the active lists.")
alerts_app = typer.Typer(no_args_is_help=True, help="Alerts: review, decide, approve (four eyes), export.")

ActorOption = Annotated[
    str | None, typer.Option("--actor", help="Who acts (recorded; default: the OS user).")
]


def _actor(name: str | None) -> audit.Actor:
    local = audit.Actor.cli()
    return local if not name else audit.Actor(name, local.role, local.channel)


@portfolio_app.command("import")
def portfolio_import(
    path: Path,
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="COL=field for other column names.")
    ] = None,
    db_url: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a CSV, JSONL or XLSX portfolio as a new version."""
    report = portfolio.import_file(engine_for(db_url), path, mapping=portfolio.parse_mapping(mapping or []))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    for bad in report.bad:
        err.print(safe.text(f"{path}:{bad.line}: {bad.field or 'row'}: {bad.message}"))
    console.print(
        safe.text(
            f"portfolio version {report.version_id}: {report.parties} parties, {len(report.added)} added, "
            f"{len(report.changed)} changed, {len(report.removed)} removed, {len(report.bad)} bad rows"
        )
    )


@portfolio_app.command("list")
def portfolio_list(db_url: DbOption = None, as_json: JsonOption = False) -> None:
    found = portfolio.parties(engine_for(db_url))
    if as_json:
        typer.echo(json.dumps([p.to_dict() for p in found], ensure_ascii=False))
        return
    table = Table("id", "name", "schema")
    for p in found:
        table.add_row(safe.text(p.id), safe.text(p.name), safe.text(p.schema))
    console.print(table)


@portfolio_app.command("show")
def portfolio_show(party_id: str, db_url: DbOption = None) -> None:
    console.print(
        safe.text(json.dumps(portfolio.show(engine_for(db_url), party_id).to_dict(), ensure_ascii=False))
    )


@portfolio_app.command("remove")
def portfolio_remove(party_id: str, db_url: DbOption = None) -> None:
    report = portfolio.remove(engine_for(db_url), party_id)
    console.print(safe.text(f"portfolio version {report.version_id}: {party_id} removed"))


@monitor_app.command("run")
def monitor_run(
    full: Annotated[
        bool, typer.Option("--full", help="Screen every party, whatever changed (rebuilds the stored keys).")
    ] = False,
    since: Annotated[
        list[str] | None,
        typer.Option(
            "--since",
            help="LIST=VERSION (id or publication date; LIST= alone: the version before the active one): "
            "a delta from that version of the list.",
        ),
    ] = None,
    db_url: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Screen the portfolio against the active lists and raise or update alerts.

    By default a delta: what changed in the lists and the portfolio since the last
    run (a full run when monitoring never ran); --full screens every party;
    --since LIST=VERSION runs the delta from an earlier version of a list."""
    refs: dict[str, str | None] | None = None
    if since:
        refs = {}
        for item in since:
            source, sep, ref = item.partition("=")
            if not sep or not source.strip():
                raise typer.BadParameter(f"{item!r} is not LIST=VERSION", param_hint="--since")
            refs[source.strip()] = ref.strip() or None
    result = monitoring.run(engine_for(db_url), full=full, since=refs)
    if as_json:
        typer.echo(json.dumps(result.to_dict()))
    else:
        console.print(safe.text(result.line()))


@alerts_app.command("list")
def alerts_list(
    state: Annotated[str | None, typer.Option("--state")] = None,
    party: Annotated[str | None, typer.Option("--party")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    offset: Annotated[int, typer.Option("--offset")] = 0,
    db_url: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    page = alerts.list_page(engine_for(db_url), state=state, party_id=party, offset=offset, limit=limit)
    if as_json:
        typer.echo(json.dumps(page.to_dict(), ensure_ascii=False))
        return
    table = Table(
        "id", "party", "listed", "score", "kind", "state", "age (days)", title=f"{page.total} alerts"
    )
    for a in page.alerts:
        table.add_row(
            str(a.id),
            safe.text(f"{a.party_id} {a.party_name}"),
            safe.text(f"{a.entity_id} {a.caption}"),
            f"{a.score:.3f}",
            a.kind,
            a.state,
            str(a.age_days()),
        )
    console.print(table)


@alerts_app.command("show")
def alerts_show(alert_id: int, db_url: DbOption = None) -> None:
    console.print(
        safe.text(
            json.dumps(alerts.get(engine_for(db_url), alert_id).to_dict(), ensure_ascii=False, indent=2)
        )
    )


def _done(alert: alerts.Alert) -> None:
    console.print(safe.text(f"alert {alert.id}: {alert.state}"))


@alerts_app.command("assign")
def alerts_assign(alert_id: int, assignee: str, actor: ActorOption = None, db_url: DbOption = None) -> None:
    _done(alerts.assign(engine_for(db_url), alert_id, assignee, by=_actor(actor)))


@alerts_app.command("comment")
def alerts_comment(alert_id: int, text: str, actor: ActorOption = None, db_url: DbOption = None) -> None:
    _done(alerts.comment(engine_for(db_url), alert_id, text, by=_actor(actor)))


@alerts_app.command("escalate")
def alerts_escalate(
    alert_id: int,
    reason: Annotated[str, typer.Option("--reason")],
    actor: ActorOption = None,
    db_url: DbOption = None,
) -> None:
    _done(alerts.escalate(engine_for(db_url), alert_id, reason, by=_actor(actor)))


@alerts_app.command("decide")
def alerts_decide(
    alert_id: int,
    outcome: Annotated[str, typer.Option("--outcome", help="true_match, false_positive or inconclusive.")],
    reason: Annotated[str, typer.Option("--reason")],
    actor: ActorOption = None,
    db_url: DbOption = None,
) -> None:
    _done(alerts.decide(engine_for(db_url), alert_id, outcome, reason, by=_actor(actor)))


@alerts_app.command("approve")
def alerts_approve(alert_id: int, actor: ActorOption = None, db_url: DbOption = None) -> None:
    _done(alerts.approve(engine_for(db_url), alert_id, by=_actor(actor)))


@alerts_app.command("return")
def alerts_return(
    alert_id: int,
    reason: Annotated[str, typer.Option("--reason")],
    actor: ActorOption = None,
    db_url: DbOption = None,
) -> None:
    _done(alerts.send_back(engine_for(db_url), alert_id, reason, by=_actor(actor)))


@alerts_app.command("export")
def alerts_export(
    alert_id: int,
    fmt: Annotated[str, typer.Option("--format", help="html or json")] = "json",
    db_url: DbOption = None,
) -> None:
    """The case file for a regulator, on standard output."""
    case = alerts.case_file(engine_for(db_url), alert_id)
    if fmt == "html":
        typer.echo(alerts.case_file_html(case), nl=False)
    elif fmt == "json":
        typer.echo(json.dumps(case, ensure_ascii=False, indent=2))
    else:
        raise typer.BadParameter("html or json", param_hint="--format")
