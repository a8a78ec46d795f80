"""`corridor lists …`, `entity` and `demo-import`: the official lists in and out."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn
from rich.text import Text

from corridor import settings
from corridor.cli.common import (
    DbOption,
    JsonOption,
    console,
    count_progress,
    engine_for,
    err,
    fail,
    progress_callback,
)
from corridor.errors import ParseError
from corridor.render import lists as render
from corridor.store import queries
from corridor.store.importer import import_list

lists_app = typer.Typer(no_args_is_help=True, help="Import, update and compare the official sanctions lists.")
top_app = typer.Typer()
app_command = top_app.command


@lists_app.command("import")
def lists_import(
    paths: Annotated[list[Path], typer.Argument(help="List file(s) or directories (OFAC CSV sets).")],
    source: Annotated[
        str | None, typer.Option("--source", help="un | ofac | uk | eu | ftm (detected when not given).")
    ] = None,
    published: Annotated[
        str,
        typer.Option("--published", help="Publication date for files that carry none (stored as inferred)."),
    ] = "",
    activate: Annotated[
        bool | None,
        typer.Option(
            "--activate/--no-activate",
            help="Make this version active (default: only if no newer publication is active).",
        ),
    ] = None,
    db_url: DbOption = None,
) -> None:
    """Import list files as new versions; each import is atomic."""
    engine = engine_for(db_url)
    failed = False
    for path in paths:
        with count_progress() as progress:
            task = progress.add_task(f"importing {path.name}", total=None)
            try:
                result = import_list(
                    engine,
                    path,
                    source,
                    on_progress=progress_callback(progress, task),
                    activate=activate,
                    published_hint=published,
                )
            except ParseError as exc:
                err.print(
                    Text("error: ", style="red")
                    + Text(f"{exc}\n  nothing was changed: the active version of this list is as before")
                )
                failed = True
                continue
        console.print(render.import_result(result, str(path)))
    if failed:
        raise typer.Exit(1)


@lists_app.command("update")
def lists_update(
    only: Annotated[
        list[str] | None, typer.Option("--list", help="Only these list keys (see `corridor lists sources`).")
    ] = None,
    mirror: Annotated[
        Path | None, typer.Option("--mirror", help="Offline mirror directory standing in for the URLs.")
    ] = None,
    db_url: DbOption = None,
) -> None:
    """Download the current official files and import those that changed."""
    from corridor.fetch.download import update

    engine = engine_for(db_url)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), console=err, transient=True
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def on_progress(key: str, done: int, total: int | None) -> None:
            if key not in tasks:
                tasks[key] = progress.add_task(f"downloading {key}", total=total)
            progress.update(tasks[key], completed=done)

        outcomes = update(engine, settings.home(), only, mirror, on_progress=on_progress)
    for outcome in outcomes:
        style = {"imported": "green", "failed": "red", "missing": "yellow"}.get(outcome.status, "")
        detail = outcome.message or (f"{outcome.result.record_count:,} records" if outcome.result else "")
        console.print(Text(f"{outcome.source}: {outcome.status}", style=style) + Text(f" {detail}"))
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(1)


@lists_app.command("sources")
def lists_sources() -> None:
    """The registry of official sources and their URLs."""
    from rich.table import Table

    from corridor.fetch.registry import OFFICIAL_SOURCES

    table = Table(title="Official sources")
    for column in ("list", "publisher", "url", "licence", "default"):
        table.add_column(column, overflow="fold")
    for s in OFFICIAL_SOURCES:
        table.add_row(s.key, s.publisher, s.url, s.licence, "yes" if s.enabled else "opt-in")
    console.print(table)


@lists_app.command("status")
def lists_status(db_url: DbOption = None, as_json: JsonOption = False) -> None:
    """Active versions, dates and counts per list, schema and program."""
    statuses = queries.status(engine_for(db_url))
    if as_json:
        console.print_json(
            json.dumps(
                [
                    {
                        "list": s.version.source,
                        "version": s.version.id,
                        "published": s.version.published,
                        "published_inferred": s.version.published_inferred,
                        "sha256": s.version.sha256,
                        "records": s.version.record_count,
                        "schemata": s.schemata,
                        "regimes": s.regimes,
                        "programs": s.programs,
                    }
                    for s in statuses
                ]
            )
        )
        return
    if not statuses:
        console.print("No lists imported yet: run `corridor lists import PATH` or `corridor lists update`.")
        return
    console.print(render.status_table(statuses))


@lists_app.command("versions")
def lists_versions(source: Annotated[str | None, typer.Argument()] = None, db_url: DbOption = None) -> None:
    """Every stored version (of one list, or all)."""
    console.print(render.versions_table(queries.versions(engine_for(db_url), source)))


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
        result = queries.diff(engine_for(db_url), source, old, new)
    except queries.StoreError as exc:
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
        record = queries.get_entity(engine_for(db_url), entity_id)
    except queries.StoreError as exc:
        raise fail(str(exc)) from exc
    if ftm:
        from corridor.sources.ftm_json import entity_to_ftm

        for item in [record.entity, *(e for e, _ in record.related)]:
            sys.stdout.write(json.dumps(entity_to_ftm(item), ensure_ascii=False) + "\n")
    elif as_json:
        data = {
            "entity": record.entity.to_dict(),
            "version": {"id": record.version.id, "published": record.version.published},
            "related": [e.to_dict() for e, _ in record.related],
        }
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        console.print(render.entity_view(record))


@app_command("demo-import")
def demo_import(db_url: DbOption = None) -> None:
    """Import the newest snapshot of every list in the shared data folder (CORRIDOR_SHARED)."""
    from corridor.demo import newest_snapshots

    data = settings.shared_data()
    if not data.exists():
        raise fail(
            f"shared data folder not found: {data} (set CORRIDOR_SHARED, or run `corridor lists update`)"
        )
    engine = engine_for(db_url)
    for snap in newest_snapshots(data):
        with count_progress() as progress:
            task = progress.add_task(f"importing {snap.list_key} {snap.date}", total=None)
            try:
                result = import_list(
                    engine,
                    snap.path,
                    snap.hint,
                    on_progress=progress_callback(progress, task),
                    published_hint=snap.date,
                )
            except ParseError as exc:
                err.print(Text("error: ", style="red") + Text(str(exc)))
                continue
        console.print(render.import_result(result, str(snap.path)))


