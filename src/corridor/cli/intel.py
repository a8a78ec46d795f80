"""`corridor intel extract|ingest|stories|facts`: reports into facts."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from corridor.cli.common import DbOption, JsonOption, console, engine_for, err, fail
from corridor.errors import CorridorError
from corridor.types.jsonl import jsonl_line

intel_app = typer.Typer(
    no_args_is_help=True, help="Reports into facts: extract, screen, check, group into stories."
)

DateOption = Annotated[
    str | None,
    typer.Option("--date", help="The report's date (YYYY-MM-DD): relative dates are resolved from it."),
]


def _date(raw: str | None) -> dt.date | None:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise fail(f"--date: {raw!r} is not a date (YYYY-MM-DD)", 2) from None


def _error_line(path: Path, exc: CorridorError) -> None:
    err.print(Text("error: ", style="red") + Text(str(exc)))


@intel_app.command("extract")
def extract(
    files: Annotated[list[Path], typer.Argument(help="Report files: plain text, Markdown or HTML.")],
    date: DateOption = None,
    as_json: JsonOption = False,
    as_ftm: Annotated[
        bool, typer.Option("--ftm", help="FollowTheMoney entities, one JSON object a line.")
    ] = False,
    sentences: Annotated[bool, typer.Option("--sentences", help="Show each fact's sentence.")] = False,
    screen: Annotated[bool, typer.Option(help="Screen parties and vessels against the active lists.")] = True,
    db_url: DbOption = None,
) -> None:
    """Facts of each report, with their evidence, screening hits and the rules that apply."""
    from corridor.intel.ftm import to_ftm
    from corridor.render import intel as render
    from corridor.services import intel as service

    report_date = _date(date)
    try:
        built = service.engines(engine_for(db_url) if screen else None, screen=screen)
    except CorridorError as exc:
        raise fail(str(exc)) from exc
    for warning in built.warnings:
        err.print(Text("warning: ", style="yellow") + Text(warning))
    results = service.extract_files(files, built, report_date)
    failed = 0
    out: list[dict[str, object]] = []
    for result in results:
        if result.error is not None:
            failed += 1
            _error_line(result.path, result.error)
            if as_json:
                out.append({"source": str(result.path), "error": result.error.to_dict()})
            continue
        assert result.analysis is not None
        if as_ftm:
            for entity in to_ftm(result.analysis):
                sys.stdout.write(jsonl_line(entity).decode("utf-8"))
        elif as_json:
            out.append(result.analysis.to_dict())
        else:
            console.print(render.analysis_renderable(result.analysis, show_sentences=sentences))
    if as_json:
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    if failed:
        raise typer.Exit(2 if failed == len(results) else 1)


@intel_app.command("ingest")
def ingest(
    directory: Annotated[
        Path, typer.Argument(help="A folder of reports (.txt, .md, .html; searched recursively).")
    ],
    date: DateOption = None,
    screen: Annotated[bool, typer.Option(help="Screen parties and vessels against the active lists.")] = True,
    db_url: DbOption = None,
) -> None:
    """Store each report and its facts (one transaction per report) and group reports into stories."""
    from corridor.services import intel as service

    report_date = _date(date)
    engine = engine_for(db_url)
    try:
        built = service.engines(engine if screen else None, screen=screen)
        files = service.report_files(directory)
    except CorridorError as exc:
        raise fail(str(exc)) from exc
    for warning in built.warnings:
        err.print(Text("warning: ", style="yellow") + Text(warning))

    def show(result: service.FileResult) -> None:
        if result.error is not None:
            _error_line(result.path, result.error)
            return
        saved = result.saved
        assert saved is not None
        if saved.duplicate:
            line = (
                f"= {result.path.name}: already stored as report #{saved.report_id} (story {saved.story_id})"
            )
        else:
            story = "new story" if saved.new_story else "joins story"
            line = f"+ {result.path.name}: report #{saved.report_id}, {saved.facts} facts, {story} {saved.story_id}"
        partial = result.analysis is not None and result.analysis.document.partial
        console.print(Text(line + (" (partial)" if partial else "")))

    summary = service.ingest(engine, files, built, report_date, on_file=show)
    console.print(
        Text(
            f"{summary.stored} stored, {summary.duplicates} already stored, {summary.failed} failed, of {len(files)} files"
        )
    )
    if summary.failed:
        raise typer.Exit(1)


@intel_app.command("stories")
def stories(db_url: DbOption = None, as_json: JsonOption = False) -> None:
    """Stored stories: each report and the near-duplicates and rewrites grouped with it."""
    from corridor.render import intel as render
    from corridor.services import intel as service

    rows = service.list_stories(engine_for(db_url))
    if as_json:
        data = [{"id": s.id, "title": s.title, "reports": s.reports} for s in rows]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    console.print(render.stories_table(rows))


@intel_app.command("facts")
def facts(
    entity: Annotated[
        str | None, typer.Option("--entity", help="Parties, vessels and aircraft whose name contains this.")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            help="entity, vessel, aircraft, place, goods, activity, quantity, date (comma-separated)."
        ),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
    db_url: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stored facts with how many independent stories and reports support them."""
    from corridor.render import intel as render
    from corridor.services import intel as service

    try:
        rows = service.fact_support(engine_for(db_url), entity=entity, kind=kind, limit=limit)
    except CorridorError as exc:
        raise fail(str(exc), 2) from exc
    if as_json:
        data = [
            {
                "kind": r.kind,
                "key": r.key,
                "label": r.label,
                "stories": r.stories,
                "reports": r.reports,
                "attrs": r.attrs,
                "mentions": r.mentions,
            }
            for r in rows
        ]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    if not rows:
        console.print(Text("no stored fact matches"))
        return
    console.print(render.support_table(rows))
