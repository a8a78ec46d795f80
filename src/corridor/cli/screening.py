"""`corridor screen`, `compare` and `index build`: the screening engine."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text
from sqlalchemy import Engine

from corridor.cli.common import (
    COMMIT_ROWS,
    CommitRowsOption,
    DbOption,
    JsonOption,
    QuietOption,
    ResumeOption,
    WorkersOption,
    batch_progress,
    console,
    engine_for,
    err,
    fail,
    progress_callback,
    stream_progress,
)
from corridor.errors import InputError
from corridor.render import safe
from corridor.services import audit
from corridor.store import queries
from corridor.types.text import inert

if TYPE_CHECKING:
    from corridor.services.screening import ScreeningService

index_app = typer.Typer(no_args_is_help=True, help="The screening index.")
top_app = typer.Typer()


def _service(engine: Engine) -> ScreeningService:
    from corridor.services.screening import service_for

    return service_for(engine)


def _note_rebuild(service: ScreeningService) -> None:
    """Say once when a stored index failed its check and was rebuilt."""
    report = service.report
    if report is not None and report.origin == "rebuilt":
        err.print(
            Text(
                f"note: the stored screening index was rebuilt from the store ({report.problem})",
                style="yellow",
            )
        )


@index_app.command("build")
def index_build(db_url: DbOption = None) -> None:
    """(Re)build the screening index from the active list versions."""
    service = _service(engine_for(db_url))
    service.rebuild()
    report = service.report
    assert report is not None
    console.print(f"screening index: {report.entities:,} entities in {report.seconds:.1f} s")


@top_app.command("screen")
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
    input_path: Annotated[
        Path | None, typer.Option("--input", help="Batch: queries in a .jsonl, .csv or .parquet file.")
    ] = None,
    output_path: Annotated[
        Path | None, typer.Option("--output", help="Batch: results as .jsonl, or a .parquet directory.")
    ] = None,
    workers: WorkersOption = 1,
    resume: ResumeOption = False,
    quiet: QuietOption = False,
    commit_rows: CommitRowsOption = COMMIT_ROWS,
    db_url: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Screen a person, company or vessel against the active lists, every hit explained."""
    from corridor.match import Query, QueryError
    from corridor.render.screening import hits_table

    engine = engine_for(db_url)
    if not queries.active_versions(engine):
        raise fail("no lists imported: run `corridor lists import PATH` or `make demo` first")
    service = _service(engine)
    if input_path is not None:
        if output_path is None:
            raise fail("--input needs --output")
        from corridor.services.streaming import run_screen

        try:
            with stream_progress(f"screening {input_path.name}", quiet) as on_progress:
                summary = run_screen(
                    engine,
                    input_path,
                    output_path,
                    by=audit.Actor.cli(),
                    threshold=threshold,
                    limit=limit,
                    workers=workers,
                    resume=resume,
                    on_progress=on_progress,
                    commit_rows=commit_rows,
                    on_loaded=_note_rebuild,
                )
        except InputError as exc:
            raise fail(str(exc), 2) from exc
        resumed = f" (resumed after {summary.resumed_from:,})" if summary.resumed_from else ""
        console.print(
            safe.text(
                f"{summary.ok:,} queries screened, {summary.with_hits:,} with hits, {summary.errors:,} errors"
                f"{resumed} → {output_path}"
            )
        )
        if summary.errors:
            for message in summary.error_messages[:10]:
                err.print(Text("error: ", style="red") + safe.text(message))
            err.print(
                Text(
                    f'{summary.errors} line(s) had errors: see the "error" records in {output_path}',
                    style="yellow",
                )
            )
        return
    if not name:
        raise fail("give a NAME or --input FILE")
    try:
        query = Query(name=name, schema=schema, birth_date=birth_date, country=country, imo=imo)
        hits = service.screen(query, threshold, limit)
    except QueryError as exc:
        raise fail(str(exc), 2) from exc
    _note_rebuild(service)
    audit.record_by(
        engine,
        audit.Actor.cli(),
        audit.Action.SCREEN,
        {
            "name": name,
            "schema": schema,
            "birth_date": birth_date,
            "country": country,
            "imo": imo,
            "threshold": threshold,
            "limit": limit,
        },
        {"hits": audit.hits_summary(hits)},
    )
    if as_json:
        sys.stdout.write(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2) + "\n")
        return
    # the query is user input: shown inert (no markup, no control characters)
    if not hits:
        console.print(Text(f"No hits for {inert(name)!r} at the threshold."))
        return
    console.print(hits_table(hits, title=f"Hits for {inert(name)!r}"))


@top_app.command("compare")
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
    from corridor.services.batch import compare_jsonl

    if input_path is not None:
        if output_path is None:
            raise fail("--input needs --output")
        try:
            with batch_progress(f"comparing {input_path.name}") as progress:
                task = progress.add_task("compare", total=None)
                stats = compare_jsonl(input_path, output_path, progress_callback(progress, task))
        except InputError as exc:
            raise fail(str(exc), 2) from exc
        console.print(f"{stats.ok:,} pairs scored, {stats.errors:,} errors → {output_path}")
        if stats.errors:
            err.print(
                Text(
                    f'{stats.errors} line(s) had errors: see the "error" lines in {output_path}',
                    style="yellow",
                )
            )
        return
    if not name1 or not name2:
        raise fail("give NAME1 NAME2, or --input PAIRS.jsonl --output SCORES.jsonl")
    try:
        result = compare(name1, name2, schema)
    except QueryError as exc:
        raise fail(str(exc), 2) from exc
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


@top_app.command("screen-delta")
def screen_delta(
    input_path: Annotated[
        Path, typer.Option("--input", help="The queries screened before (.jsonl, .csv, .parquet).")
    ],
    previous_path: Annotated[
        Path, typer.Option("--previous", help="Their results (.jsonl) before the list update.")
    ],
    output_path: Annotated[
        Path, typer.Option("--output", help="The new results (.jsonl), as a full run writes them.")
    ],
    changes_path: Annotated[
        Path, typer.Option("--changes", help="What changed (.jsonl): new, changed, delisted, dropped hits.")
    ],
    since: Annotated[
        list[str] | None,
        typer.Option(
            "--since",
            help="LIST=VERSION the previous results were screened with (id or date); default: the version before the active one of every list.",
        ),
    ] = None,
    threshold: Annotated[float | None, typer.Option(help="Minimum score (as in the previous run).")] = None,
    limit: Annotated[int, typer.Option(help="Maximum hits per query (as in the previous run).")] = 10,
    db_url: DbOption = None,
) -> None:
    """After a list update, screen again only the rows the update can touch, and write what changed."""
    from corridor.services.delta import run_delta

    engine = engine_for(db_url)
    refs: dict[str, str | None] | None = None
    if since:
        refs = {}
        for item in since:
            source, _, ref = item.partition("=")
            refs[source.strip()] = ref.strip() or None
    try:
        summary, change = run_delta(
            engine,
            input_path,
            previous_path,
            output_path,
            changes_path,
            by=audit.Actor.cli(),
            since=refs,
            threshold=threshold,
            limit=limit,
        )
    except InputError as exc:
        raise fail(str(exc), 2) from exc
    counts = ", ".join(f"{v:,} {k}" for k, v in sorted(summary.changes.items())) or "no change"
    console.print(
        safe.text(
            f"lists: {len(change.added):,} added, {len(change.changed):,} changed, {len(change.removed):,} removed; "
            f"{summary.rescreened:,} of {summary.rows:,} rows screened again; hits: {counts} → {changes_path}"
        )
    )
