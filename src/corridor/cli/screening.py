"""`corridor screen`, `compare` and `index build`: the screening engine."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from corridor.cli.common import (
    DbOption,
    JsonOption,
    batch_progress,
    console,
    engine_for,
    err,
    fail,
    progress_callback,
)
from corridor.store import queries

index_app = typer.Typer(no_args_is_help=True, help="The screening index.")
top_app = typer.Typer()


@index_app.command("build")
def index_build(db_url: DbOption = None) -> None:
    """(Re)build the screening index from the active list versions."""
    import time

    from corridor.services.screening import load_screener

    started = time.perf_counter()
    screener = load_screener(engine_for(db_url), rebuild=True)
    console.print(f"screening index: {len(screener):,} entities in {time.perf_counter() - started:.1f} s")


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
    input_path: Annotated[Path | None, typer.Option("--input", help="Batch: JSONL query lines.")] = None,
    output_path: Annotated[Path | None, typer.Option("--output", help="Batch: JSONL result lines.")] = None,
    db_url: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Screen a person, company or vessel against the active lists, every hit explained."""
    from corridor.match import Query, QueryError
    from corridor.match.batch import screen_jsonl
    from corridor.render.screening import hits_table
    from corridor.services.screening import load_screener

    engine = engine_for(db_url)
    if not queries.active_versions(engine):
        raise fail("no lists imported: run `corridor lists import PATH` or `make demo` first")
    if input_path is not None:
        if output_path is None:
            raise fail("--input needs --output")
        screener = load_screener(engine)
        with batch_progress(f"screening {input_path.name}") as progress:
            task = progress.add_task("screen", total=None)
            stats = screen_jsonl(
                screener, input_path, output_path, threshold, progress_callback(progress, task), limit
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
        raise fail("give a NAME or --input FILE")
    try:
        query = Query(name=name, schema=schema, birth_date=birth_date, country=country, imo=imo)
        hits = load_screener(engine).screen(query, threshold, limit)
    except QueryError as exc:
        raise fail(str(exc), 2) from exc
    if as_json:
        sys.stdout.write(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2) + "\n")
        return
    if not hits:
        console.print(f"No hits for {name!r} at the threshold.")
        return
    console.print(hits_table(hits, title=f"Hits for {name!r}"))


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
    from corridor.match.batch import compare_jsonl

    if input_path is not None:
        if output_path is None:
            raise fail("--input needs --output")
        with batch_progress(f"comparing {input_path.name}") as progress:
            task = progress.add_task("compare", total=None)
            stats = compare_jsonl(input_path, output_path, progress_callback(progress, task))
        console.print(f"{stats.ok:,} pairs scored, {stats.errors:,} errors → {output_path}")
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


