"""The `corridor` command line.  It only wires commands to the packages:
parsing is in `sources`, storage in `store`, fetching in `fetch`, screening in
`match`, trade checks in `trade`; rendering is in `render` and the packages'
own render modules."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import Engine

from corridor import config, render
from corridor.sources.base import ParseError
from corridor.store import db, queries
from corridor.store.importer import import_list

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Sanctions compliance for the Russia–DPRK corridor."
)
lists_app = typer.Typer(no_args_is_help=True, help="Import, update and compare the official sanctions lists.")
app.add_typer(lists_app, name="lists")

console = Console()
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: CORRIDOR_DATABASE_URL or SQLite in CORRIDOR_HOME)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _engine(url: str | None) -> Engine:
    return db.engine(url)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def _progress_callback(progress: Progress, task: TaskID) -> Callable[[int], None]:
    def update(done: int) -> None:
        progress.update(task, completed=done)

    return update


def _count_progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


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
    db_url: DbOption = None,
) -> None:
    """Import list files as new versions; each import is atomic."""
    engine = _engine(db_url)
    failed = False
    for path in paths:
        with _count_progress() as progress:
            task = progress.add_task(f"importing {path.name}", total=None)
            try:
                result = import_list(
                    engine,
                    path,
                    source,
                    on_progress=_progress_callback(progress, task),
                    published_hint=published,
                )
            except ParseError as exc:
                err.print(
                    f"[red]error:[/red] {exc}\n  nothing was changed: the active version of this list is as before"
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

    engine = _engine(db_url)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), console=err, transient=True
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def on_progress(key: str, done: int, total: int | None) -> None:
            if key not in tasks:
                tasks[key] = progress.add_task(f"downloading {key}", total=total)
            progress.update(tasks[key], completed=done)

        outcomes = update(engine, config.home(), only, mirror, on_progress=on_progress)
    for outcome in outcomes:
        style = {"imported": "green", "failed": "red", "missing": "yellow"}.get(outcome.status, "")
        detail = outcome.message or (f"{outcome.result.record_count:,} records" if outcome.result else "")
        console.print(
            f"[{style}]{outcome.source}: {outcome.status}[/{style}] {detail}"
            if style
            else f"{outcome.source}: {outcome.status} {detail}"
        )
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
    statuses = queries.status(_engine(db_url))
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
    console.print(render.versions_table(queries.versions(_engine(db_url), source)))


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
        result = queries.diff(_engine(db_url), source, old, new)
    except queries.StoreError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        console.print(render.diff_view(result, limit))


@app.command("entity")
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
        record = queries.get_entity(_engine(db_url), entity_id)
    except queries.StoreError as exc:
        raise _fail(str(exc)) from exc
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


@app.command("demo-import")
def demo_import(db_url: DbOption = None) -> None:
    """Import the newest snapshot of every list in the shared data folder (CORRIDOR_SHARED)."""
    from corridor.demo import newest_snapshots

    data = config.shared_data()
    if not data.exists():
        raise _fail(
            f"shared data folder not found: {data} (set CORRIDOR_SHARED, or run `corridor lists update`)"
        )
    engine = _engine(db_url)
    for snap in newest_snapshots(data):
        with _count_progress() as progress:
            task = progress.add_task(f"importing {snap.list_key} {snap.date}", total=None)
            try:
                result = import_list(
                    engine,
                    snap.path,
                    snap.hint,
                    on_progress=_progress_callback(progress, task),
                    published_hint=snap.date,
                )
            except ParseError as exc:
                err.print(f"[red]error:[/red] {exc}")
                continue
        console.print(render.import_result(result, str(snap.path)))


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
