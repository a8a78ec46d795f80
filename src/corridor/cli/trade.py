"""`corridor check`, `ledger`, `rules …` and `hs`: the trade checks.

Commands parse options, call `corridor.services.trade` and render with
`corridor.render.trade`.  `check FILE` exits 0 when every transaction was checked,
1 when some could not be (each named with its id and field), 2 when none could be
(or the file cannot be read); `check --input --output` exits 1 when some rows or
lines were errors, 2 when the batch could not run (e.g. the output is the input).
A crash (a bug, not the input) exits 70 (`INTERNAL_ERROR`, sysexits' EX_SOFTWARE)
with one `internal error:` line and the traceback, so that "some transactions
failed" (1) is never confused with "the checker broke".
"""

from __future__ import annotations

import functools
import json
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import click
import typer
from rich.text import Text

from corridor.cli.common import (
    COMMIT_ROWS,
    CommitRowsOption,
    DbOption,
    JsonOption,
    QuietOption,
    ResumeOption,
    WorkersOption,
    console,
    engine_for,
    err,
    fail,
    stream_progress,
)
from corridor.errors import CorridorError
from corridor.services import audit

rules_app = typer.Typer(no_args_is_help=True, help="The trade rule packs.")
top_app = typer.Typer()

INTERNAL_ERROR = 70  # sysexits.h EX_SOFTWARE: the checker broke (not 1: some failed, 2: bad input)
F = TypeVar("F", bound=Callable[..., Any])


def internal_errors(func: F) -> F:
    """A bug inside the command exits INTERNAL_ERROR with one `internal error:` line
    and the traceback on stderr (never the 1 of "some transactions failed")."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (
            typer.Exit,
            typer.Abort,
            click.exceptions.Exit,
            click.exceptions.Abort,
            click.ClickException,
            CorridorError,
        ):
            raise
        except Exception as exc:
            from corridor.render import trade as report

            err.print(
                Text("internal error (a bug, not the input): ", style="red")
                + report.plain(f"{type(exc).__name__}: {exc}")
            )
            for line in "".join(traceback.format_exception(exc)).rstrip().split("\n"):
                err.print(report.plain(line))
            raise typer.Exit(INTERNAL_ERROR) from exc

    return wrapper  # type: ignore[return-value]


@top_app.command("check")
@internal_errors
def check(
    path: Annotated[Path | None, typer.Argument(help="A transaction file (.json / .yaml).")] = None,
    input_path: Annotated[
        Path | None, typer.Option("--input", help="Batch: transactions .csv, .jsonl or .parquet.")
    ] = None,
    output_path: Annotated[
        Path | None, typer.Option("--output", help="Batch: results .csv, .jsonl, or a .parquet directory.")
    ] = None,
    workers: WorkersOption = 1,
    resume: ResumeOption = False,
    quiet: QuietOption = False,
    commit_rows: CommitRowsOption = COMMIT_ROWS,
    record: Annotated[bool, typer.Option(help="Record capped shipments in the cap ledger.")] = True,
    summary_only: Annotated[bool, typer.Option("--summary", help="One line per transaction.")] = False,
    db_url: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check transactions against the rule packs: a verdict with every reason and citation."""
    from corridor.render import trade as report
    from corridor.services import trade as service

    if input_path is not None and output_path is None:
        raise fail("--input needs --output")
    if input_path is None and path is None:
        raise fail("give a TRANSACTION file, or --input FILE --output FILE")
    engine = engine_for(db_url)
    try:
        screener = service.party_screener(engine)
        if screener is None:
            err.print(
                Text("warning: no lists imported; parties and vessels are not screened", style="yellow")
            )
        evaluator = service.evaluator(engine, screener)
        if input_path is not None and output_path is not None:
            from corridor.services.streaming import run_check

            with stream_progress(f"checking {input_path.name}", quiet) as on_progress:
                summary = run_check(
                    engine,
                    evaluator,
                    input_path,
                    output_path,
                    by=audit.Actor.cli(),
                    record=record,
                    workers=workers,
                    resume=resume,
                    on_progress=on_progress,
                    commit_rows=commit_rows,
                )
            counts = ", ".join(f"{k} {v}" for k, v in sorted(summary.by_outcome.items()))
            resumed = f", resumed after {summary.resumed_from:,}" if summary.resumed_from else ""
            console.print(
                report.plain(f"{summary.rows:,} transactions checked ({counts}{resumed}) → {output_path}")
            )
            for line in summary.error_messages:
                err.print(Text("error: ", style="red") + report.plain(line))
            if summary.errors > len(summary.error_messages):
                err.print(
                    report.plain(
                        f"... {summary.errors - len(summary.error_messages):,} more in {output_path}"
                    )
                )
            if summary.errors:
                raise typer.Exit(1)
            return
        assert path is not None
        result = service.check_document(path, evaluator, record=record)
    except CorridorError as exc:
        raise fail(str(exc), 2) from exc
    audit.record_by(
        engine,
        audit.Actor.cli(),
        audit.Action.CHECK,
        {"file": str(path), "file_sha256": audit.file_digest(path), "record": record},
        {
            "verdicts": [audit.verdict_summary(v) for v in result.verdicts],
            "errors": [{"transaction_id": i.transaction_id, "where": i.where} for i in result.errors],
        },
    )
    if as_json:
        items = [
            i.verdict.to_dict()
            if i.verdict is not None
            else {
                "transaction_id": i.transaction_id,
                "verdict": "ERROR",
                "where": i.where,
                "error": str(i.error),
            }
            for i in result.items
        ]
        sys.stdout.write(json.dumps(items, ensure_ascii=False, indent=2) + "\n")
    elif summary_only:
        console.print(report.verdicts_table(result.verdicts, title=f"Verdicts for {path.name}"))
    else:
        for verdict in result.verdicts:
            console.print(report.verdict_renderable(verdict))
    if result.errors:
        err.print(report.check_errors([(i.transaction_id or i.where, str(i.error)) for i in result.errors]))
        raise typer.Exit(result.exit_code)


@top_app.command("ledger")
def ledger(
    cap: Annotated[str | None, typer.Option(help="Cap rule id, e.g. UN-2397-5.")] = None,
    period: Annotated[str | None, typer.Option(help="Period, e.g. 2022.")] = None,
    shipments: Annotated[bool, typer.Option(help="List the shipments behind each period.")] = True,
    db_url: DbOption = None,
) -> None:
    """Cap use per period (refined petroleum, crude oil) with the shipments behind it."""
    from corridor.render import trade as report
    from corridor.services import trade as service

    usages = service.ledger_summary(engine_for(db_url), cap, period)
    console.print(report.ledger_renderable(usages, show_shipments=shipments))


@rules_app.command("list")
def rules_list(
    regime: Annotated[str | None, typer.Option(help="Only this regime (UN, US, EU...).")] = None,
    status: Annotated[str | None, typer.Option(help="in_force | superseded | expired")] = None,
) -> None:
    """Every rule with its citation and verification mark."""
    from corridor.render import trade as report
    from corridor.services import trade as service

    console.print(report.rules_table(service.rulebook(), regime=regime, status=status))


@rules_app.command("show")
def rules_show(rule_id: Annotated[str, typer.Argument()]) -> None:
    """One rule in full: legal source, verification, dates, HS, caps, exemptions."""
    from corridor.render import trade as report
    from corridor.services import trade as service

    try:
        rule = service.rule(rule_id)
    except CorridorError as exc:
        raise fail(exc.message) from exc
    console.print(report.rule_renderable(rule))


@top_app.command("hs")
def hs(
    query: Annotated[str, typer.Argument(help="An HS code (2–10 digits, dots allowed) or words.")],
    limit: Annotated[int, typer.Option()] = 15,
) -> None:
    """Look up an HS 2022 code, or search the nomenclature by words."""
    from corridor.render import trade as report
    from corridor.services import trade as service

    try:
        if service.is_code(query):
            console.print(report.hs_path_renderable(service.hs_lookup(query)))
            return
        console.print(report.hs_search_table(query, service.hs_search(query, limit)))
    except CorridorError as exc:
        raise fail(str(exc)) from exc
