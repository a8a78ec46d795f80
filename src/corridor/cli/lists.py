"""`corridor lists …`, `entity` and `demo-import`: the official lists in and out."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn
from rich.text import Text
from sqlalchemy import Engine

from corridor import settings
from corridor.cli.common import DbOption, JsonOption, console, count_progress, engine_for, err, fail
from corridor.errors import CorridorError
from corridor.render import lists as render
from corridor.render import safe
from corridor.services import audit, monitoring
from corridor.services import lists as service
from corridor.types.jsonl import jsonl_line

lists_app = typer.Typer(no_args_is_help=True, help="Import, update and compare the official sanctions lists.")
top_app = typer.Typer()
app_command = top_app.command


def _engine(db_url: str | None) -> Engine:
    """The store, or one error line (a store that is behind, unreachable or busy)."""
    try:
        return engine_for(db_url)
    except CorridorError as exc:
        raise fail(str(exc)) from exc


def _show(outcome: service.ImportOutcome) -> None:
    if outcome.error is not None:
        err.print(
            Text("error: ", style="red")
            + safe.text(outcome.error)
            + Text("\n  nothing was changed: the active version of this list is as before")
        )
        return
    assert outcome.result is not None
    console.print(render.import_result(outcome.result, str(outcome.request.path)))


def _run_imports(engine: Engine, requests: list[service.ImportRequest]) -> bool:
    """Import each request, show each outcome as it comes; True when one failed."""
    with count_progress() as progress:
        tasks: dict[service.ImportRequest, TaskID] = {}

        def on_progress(request: service.ImportRequest, done: int) -> None:
            if request not in tasks:
                tasks[request] = progress.add_task(
                    f"importing {request.label or request.path.name}", total=None
                )
            progress.update(tasks[request], completed=done)

        outcomes = service.import_many(engine, requests, on_progress, _show)
    by = audit.Actor.cli()
    for outcome in outcomes:
        request = {
            "path": str(outcome.request.path),
            "hint": outcome.request.hint,
            "activate": outcome.request.activate,
        }
        summary = (
            audit.import_summary(outcome.result)
            if outcome.result is not None
            else {"outcome": "failed", "error": str(outcome.error)}
        )
        audit.record_by(engine, by, audit.Action.IMPORT, request, summary)
    return any(outcome.failed for outcome in outcomes)


@lists_app.command("import")
def lists_import(
    paths: Annotated[list[Path], typer.Argument(help="List file(s) or directories (OFAC CSV sets).")],
    source: Annotated[
        str | None, typer.Option("--source", help="un | ofac | uk | eu | ftm (detected when not given).")
    ] = None,
    published: Annotated[
        str,
        typer.Option(
            "--published",
            help="Publication date for files that carry none (stored as inferred; "
            "default: the date in the snapshot folder's name).",
        ),
    ] = "",
    activate: Annotated[
        bool | None,
        typer.Option(
            "--activate/--no-activate",
            help="Make this version active whatever the activation rule says (default: the rule decides: "
            "an older publication, or one removing more than 20 % of the active list, is held back).",
        ),
    ] = None,
    no_monitor: Annotated[
        bool, typer.Option("--no-monitor", help="Do not run delta monitoring of the portfolio afterwards.")
    ] = False,
    db_url: DbOption = None,
) -> None:
    """Import list files as new versions; each import is atomic."""
    engine = _engine(db_url)
    before = monitoring.active_version_ids(engine)
    requests = [service.ImportRequest(path, source, published, activate) for path in paths]
    failed = _run_imports(engine, requests)
    if not no_monitor:
        _monitor_delta(engine, before)
    if failed:
        raise typer.Exit(1)


def _monitor_delta(engine: Engine, before: dict[str, int]) -> None:
    """After a new version is activated: delta monitoring when a portfolio exists."""
    result = monitoring.after_list_change(engine, before)
    if result is not None:
        console.print(safe.text(result.line()))


@lists_app.command("update")
def lists_update(
    only: Annotated[
        list[str] | None, typer.Option("--list", help="Only these list keys (see `corridor lists sources`).")
    ] = None,
    mirror: Annotated[
        Path | None, typer.Option("--mirror", help="Offline mirror directory standing in for the URLs.")
    ] = None,
    no_monitor: Annotated[
        bool, typer.Option("--no-monitor", help="Do not run delta monitoring of the portfolio afterwards.")
    ] = False,
    db_url: DbOption = None,
) -> None:
    """Download the current official files and import those that changed."""
    engine = _engine(db_url)
    before = monitoring.active_version_ids(engine)
    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        DownloadColumn(),
        console=err,
        transient=True,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def on_progress(key: str, done: int, total: int | None) -> None:
            if key not in tasks:
                tasks[key] = progress.add_task(f"downloading {key}", total=total)
            progress.update(tasks[key], completed=done)

        outcomes = service.update(engine, settings.home(), only, mirror, on_progress=on_progress)
    by = audit.Actor.cli()
    for outcome in outcomes:
        audit.record_by(
            engine,
            by,
            audit.Action.UPDATE,
            {"source": outcome.source, "mirror": str(mirror) if mirror else None},
            audit.import_summary(outcome.result)
            if outcome.result is not None
            else {"list": outcome.source, "outcome": outcome.status, "message": outcome.message},
        )
    for outcome in outcomes:
        style = {"imported": "green", "failed": "red", "missing": "yellow", "held_back": "yellow"}.get(
            outcome.status, ""
        )
        detail = outcome.message or (f"{outcome.result.record_count:,} records" if outcome.result else "")
        console.print(safe.text(f"{outcome.source}: {outcome.status}", style) + safe.text(f" {detail}"))
        if outcome.result is not None:
            console.print(render.import_result(outcome.result, outcome.result.path or outcome.source))
    failed = sum(o.status == "failed" for o in outcomes)
    if not no_monitor:
        _monitor_delta(engine, before)
    console.print(
        Text(
            f"{len(outcomes)} source(s): "
            + ", ".join(f"{n} {s}" for s, n in sorted(Counter(o.status for o in outcomes).items()))
        )
    )
    if failed:
        raise typer.Exit(1)


@lists_app.command("sources")
def lists_sources() -> None:
    """The registry of official sources and their URLs."""
    from rich.table import Table

    table = Table(title="Official sources")
    for column in ("list", "publisher", "url", "licence", "default"):
        table.add_column(column, overflow="fold")
    for s in service.official_sources():
        table.add_row(s.key, s.publisher, s.url, s.licence, "yes" if s.enabled else "opt-in")
    console.print(table)


@lists_app.command("status")
def lists_status(db_url: DbOption = None, as_json: JsonOption = False) -> None:
    """Active versions, dates and counts per list, schema and program."""
    statuses = service.status(_engine(db_url))
    if as_json:
        sys.stdout.write(json.dumps(service.status_dicts(statuses), ensure_ascii=False, indent=2) + "\n")
        return
    if not statuses:
        console.print("No lists imported yet: run `corridor lists import PATH` or `corridor lists update`.")
        return
    console.print(render.status_table(statuses))


@lists_app.command("versions")
def lists_versions(source: Annotated[str | None, typer.Argument()] = None, db_url: DbOption = None) -> None:
    """Every stored version (of one list, or all)."""
    console.print(render.versions_table(service.versions(_engine(db_url), source)))


@lists_app.command("diff")
def lists_diff(
    source: Annotated[str, typer.Argument(help="List key: un, ofac-sdn, ofac-cons, uk, uk-fcdo, eu...")],
    old: Annotated[
        str | None,
        typer.Argument(help="Old version: id or publication date prefix (default: the one before NEW)."),
    ] = None,
    new: Annotated[str | None, typer.Argument(help="New version (default: the active one).")] = None,
    limit: Annotated[int, typer.Option(help="Rows shown per section.")] = 50,
    db_url: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Entities added, removed and changed between two versions, field by field."""
    try:
        result = service.diff(_engine(db_url), source, old, new)
    except CorridorError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        console.print(render.diff_view(result, limit))


@app_command("entity")
def entity(
    entity_id: Annotated[
        str, typer.Argument(help="Entity id (un:KPi.064, ofac:9345, uk:16815) or a list reference.")
    ],
    db_url: DbOption = None,
    as_json: JsonOption = False,
    ftm: Annotated[bool, typer.Option("--ftm", help="Print as FollowTheMoney JSON.")] = False,
) -> None:
    """One entity with everything known about it and the records citing the same UN reference."""
    try:
        record = service.entity(_engine(db_url), entity_id)
    except CorridorError as exc:
        raise fail(str(exc)) from exc
    if ftm:
        for item in service.entity_ftm(record):
            sys.stdout.write(jsonl_line(item).decode("utf-8"))
    elif as_json:
        sys.stdout.write(json.dumps(service.entity_dict(record), ensure_ascii=False, indent=2) + "\n")
    else:
        console.print(render.entity_view(record))


@app_command("demo-import")
def demo_import(db_url: DbOption = None) -> None:
    """Import the newest snapshot of every list in the shared data folder (CORRIDOR_SHARED)."""
    data = settings.shared_data()
    if not data.exists():
        raise fail(
            f"shared data folder not found: {data} (set CORRIDOR_SHARED, or run `corridor lists update`)"
        )
    if _run_imports(_engine(db_url), service.demo_requests(data)):
        raise typer.Exit(1)
