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
from rich.text import Text
from sqlalchemy import Engine

from corridor import config, render
from corridor.errors import ParseError
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
    err.print(Text("error: ", style="red") + Text(message))
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


rules_app = typer.Typer(no_args_is_help=True, help="The trade rule packs.")
index_app = typer.Typer(no_args_is_help=True, help="The screening index.")
app.add_typer(rules_app, name="rules")
app.add_typer(index_app, name="index")


def _batch_progress(description: str) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn(description),
        TextColumn("{task.completed:,} done"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


@index_app.command("build")
def index_build(db_url: DbOption = None) -> None:
    """(Re)build the screening index from the active list versions."""
    import time

    from corridor.services import load_screener

    started = time.perf_counter()
    screener = load_screener(_engine(db_url), rebuild=True)
    console.print(f"screening index: {len(screener):,} entities in {time.perf_counter() - started:.1f} s")


@app.command("screen")
def screen(
    name: Annotated[str | None, typer.Argument(help="Name to screen (omit with --input).")] = None,
    schema: Annotated[
        str, typer.Option(help="Person | Organization | Company | LegalEntity | Vessel | Aircraft | Thing")
    ] = "Thing",
    birth_date: Annotated[
        str | None, typer.Option("--birth-date", help="1962, 1962-03 or 1962-03-04")
    ] = None,
    country: Annotated[str | None, typer.Option(help="Country or nationality (name or ISO code).")] = None,
    imo: Annotated[str | None, typer.Option(help="IMO number (vessels).")] = None,
    threshold: Annotated[
        float | None, typer.Option(help="Minimum score (default: the documented default).")
    ] = None,
    limit: Annotated[int, typer.Option(help="Maximum hits per query.")] = 10,
    input_path: Annotated[Path | None, typer.Option("--input", help="Batch: JSONL query lines.")] = None,
    output_path: Annotated[Path | None, typer.Option("--output", help="Batch: JSONL result lines.")] = None,
    db_url: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Screen a person, company or vessel against the active lists, every hit explained."""
    from corridor.match import Query, QueryError
    from corridor.match.batch import screen_jsonl
    from corridor.match.render import hits_table
    from corridor.services import load_screener

    engine = _engine(db_url)
    if not queries.active_versions(engine):
        raise _fail("no lists imported: run `corridor lists import PATH` or `make demo` first")
    if input_path is not None:
        if output_path is None:
            raise _fail("--input needs --output")
        screener = load_screener(engine)
        with _batch_progress(f"screening {input_path.name}") as progress:
            task = progress.add_task("screen", total=None)
            stats = screen_jsonl(
                screener, input_path, output_path, threshold, _progress_callback(progress, task), limit
            )
        console.print(
            f"{stats.ok:,} queries screened, {stats.with_hits:,} with hits, {stats.errors:,} errors → {output_path}"
        )
        if stats.errors:
            err.print(
                f'[yellow]{stats.errors} line(s) had errors: see the "error" lines in {output_path}[/yellow]'
            )
        return
    if not name:
        raise _fail("give a NAME or --input FILE")
    try:
        query = Query(name=name, schema=schema, birth_date=birth_date, country=country, imo=imo)
        hits = load_screener(engine).screen(query, threshold, limit)
    except QueryError as exc:
        raise _fail(str(exc), 2) from exc
    if as_json:
        sys.stdout.write(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2) + "\n")
        return
    if not hits:
        console.print(f"No hits for {name!r} at the threshold.")
        return
    console.print(hits_table(hits, title=f"Hits for {name!r}"))


@app.command("compare")
def compare_names(
    name1: Annotated[str | None, typer.Argument()] = None,
    name2: Annotated[str | None, typer.Argument()] = None,
    schema: Annotated[str, typer.Option()] = "Person",
    input_path: Annotated[
        Path | None, typer.Option("--input", help="JSONL lines {id, name1, name2, schema}.")
    ] = None,
    output_path: Annotated[Path | None, typer.Option("--output", help="JSONL lines {id, score}.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Score two names (or a file of pairs) with the screening engine's name comparison."""
    from corridor.match import QueryError, compare
    from corridor.match.batch import compare_jsonl

    if input_path is not None:
        if output_path is None:
            raise _fail("--input needs --output")
        with _batch_progress(f"comparing {input_path.name}") as progress:
            task = progress.add_task("compare", total=None)
            stats = compare_jsonl(input_path, output_path, _progress_callback(progress, task))
        console.print(f"{stats.ok:,} pairs scored, {stats.errors:,} errors → {output_path}")
        return
    if not name1 or not name2:
        raise _fail("give NAME1 NAME2, or --input PAIRS.jsonl --output SCORES.jsonl")
    try:
        result = compare(name1, name2, schema)
    except QueryError as exc:
        raise _fail(str(exc), 2) from exc
    if as_json:
        sys.stdout.write(
            json.dumps(
                {"score": round(result.score, 4), "explanation": result.explanation.to_dict()},
                ensure_ascii=False,
            )
            + "\n"
        )
        return
    console.print(Text(f"score {result.score:.3f}: {result.explanation.summary}"))


@app.command("check")
def check(
    path: Annotated[Path | None, typer.Argument(help="A transaction file (.json / .yaml).")] = None,
    input_path: Annotated[
        Path | None, typer.Option("--input", help="Batch: transactions .csv or .jsonl.")
    ] = None,
    output_path: Annotated[
        Path | None, typer.Option("--output", help="Batch: results .csv or .jsonl.")
    ] = None,
    record: Annotated[bool, typer.Option(help="Record capped shipments in the cap ledger.")] = True,
    summary_only: Annotated[bool, typer.Option("--summary", help="One line per transaction.")] = False,
    db_url: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check transactions against the rule packs: a verdict with every reason and citation."""
    from corridor.services import party_screener
    from corridor.sources.base import ParseError as InputError
    from corridor.trade import batch, report

    engine = _engine(db_url)
    screener = party_screener(engine)
    if screener is None:
        err.print("[yellow]warning: no lists imported; parties and vessels are not screened[/yellow]")
    evaluator = batch.make_evaluator(screener, engine)
    if input_path is not None:
        if output_path is None:
            raise _fail("--input needs --output")
        with _batch_progress(f"checking {input_path.name}") as progress:
            task = progress.add_task("check", total=None)
            summary = batch.check_batch(
                input_path,
                output_path,
                evaluator,
                on_progress=lambda p: progress.update(task, completed=p.processed),
                record=record,
            )
        counts = ", ".join(f"{k} {v}" for k, v in sorted(summary.by_outcome.items()))
        console.print(f"{summary.processed:,} transactions checked ({counts}) → {output_path}")
        for line in summary.errors:
            err.print(Text("error: ", style="red") + Text(line))
        if summary.errors:
            raise typer.Exit(1)
        return
    if path is None:
        raise _fail("give a TRANSACTION file, or --input FILE --output FILE")
    try:
        verdicts = batch.check_file(path, evaluator, record=record)
    except (InputError, ValueError) as exc:
        raise _fail(str(exc), 2) from exc
    if as_json:
        sys.stdout.write(json.dumps([v.to_dict() for v in verdicts], ensure_ascii=False, indent=2) + "\n")
        return
    if summary_only:
        console.print(report.verdicts_table(verdicts, title=f"Verdicts for {path.name}"))
        return
    for verdict in verdicts:
        console.print(report.verdict_renderable(verdict))


@app.command("ledger")
def ledger(
    cap: Annotated[str | None, typer.Option(help="Cap rule id, e.g. UN-2397-5.")] = None,
    period: Annotated[str | None, typer.Option(help="Period, e.g. 2022.")] = None,
    shipments: Annotated[bool, typer.Option(help="List the shipments behind each period.")] = True,
    db_url: DbOption = None,
) -> None:
    """Cap use per period (refined petroleum, crude oil) with the shipments behind it."""
    from corridor.trade import ledger as cap_ledger
    from corridor.trade import report

    usages = cap_ledger.ledger_summary(_engine(db_url), cap, period)
    console.print(report.ledger_renderable(usages, show_shipments=shipments))


@rules_app.command("list")
def rules_list(
    regime: Annotated[str | None, typer.Option(help="Only this regime (UN, US, EU...).")] = None,
    status: Annotated[str | None, typer.Option(help="in_force | superseded | expired")] = None,
) -> None:
    """Every rule with its citation and verification mark."""
    from corridor.trade import report
    from corridor.trade.rules import default_rulebook

    console.print(report.rules_table(default_rulebook(), regime=regime, status=status))


@rules_app.command("show")
def rules_show(rule_id: Annotated[str, typer.Argument()]) -> None:
    """One rule in full: legal source, verification, dates, HS, caps, exemptions."""
    from corridor.trade import report
    from corridor.trade.rules import default_rulebook

    try:
        rule = default_rulebook().get(rule_id)
    except KeyError as exc:
        raise _fail(str(exc).strip("'\"")) from exc
    console.print(report.rule_renderable(rule))


@app.command("hs")
def hs(
    query: Annotated[str, typer.Argument(help="An HS code (2–10 digits, dots allowed) or words.")],
    limit: Annotated[int, typer.Option()] = 15,
) -> None:
    """Look up an HS 2022 code, or search the nomenclature by words."""
    from corridor.trade import hs as hs_module
    from corridor.trade import report

    nomenclature = hs_module.load()
    if any(ch.isdigit() for ch in query) and not any(ch.isalpha() for ch in query):
        try:
            console.print(report.hs_path_renderable(nomenclature.path(query, "code")))
        except ValueError as exc:
            raise _fail(str(exc)) from exc
        return
    console.print(report.hs_search_table(query, nomenclature.search(query, limit)))


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
                err.print(Text("error: ", style="red") + Text(str(exc)))
                continue
        console.print(render.import_result(result, str(snap.path)))


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
