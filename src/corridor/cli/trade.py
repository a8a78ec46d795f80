"""`corridor check`, `ledger`, `rules …` and `hs`: the trade checks."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from corridor.cli.common import DbOption, JsonOption, batch_progress, console, engine_for, err, fail

rules_app = typer.Typer(no_args_is_help=True, help="The trade rule packs.")
top_app = typer.Typer()


@top_app.command("check")
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
    from corridor.render import trade as report
    from corridor.services.screening import party_screener
    from corridor.sources.base import ParseError as InputError
    from corridor.trade import batch

    engine = engine_for(db_url)
    screener = party_screener(engine)
    if screener is None:
        err.print("[yellow]warning: no lists imported; parties and vessels are not screened[/yellow]")
    evaluator = batch.make_evaluator(screener, engine)
    if input_path is not None:
        if output_path is None:
            raise fail("--input needs --output")
        with batch_progress(f"checking {input_path.name}") as progress:
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
        raise fail("give a TRANSACTION file, or --input FILE --output FILE")
    try:
        verdicts = batch.check_file(path, evaluator, record=record)
    except (InputError, ValueError) as exc:
        raise fail(str(exc), 2) from exc
    if as_json:
        sys.stdout.write(json.dumps([v.to_dict() for v in verdicts], ensure_ascii=False, indent=2) + "\n")
        return
    if summary_only:
        console.print(report.verdicts_table(verdicts, title=f"Verdicts for {path.name}"))
        return
    for verdict in verdicts:
        console.print(report.verdict_renderable(verdict))


@top_app.command("ledger")
def ledger(
    cap: Annotated[str | None, typer.Option(help="Cap rule id, e.g. UN-2397-5.")] = None,
    period: Annotated[str | None, typer.Option(help="Period, e.g. 2022.")] = None,
    shipments: Annotated[bool, typer.Option(help="List the shipments behind each period.")] = True,
    db_url: DbOption = None,
) -> None:
    """Cap use per period (refined petroleum, crude oil) with the shipments behind it."""
    from corridor.render import trade as report
    from corridor.trade import ledger as cap_ledger

    usages = cap_ledger.ledger_summary(engine_for(db_url), cap, period)
    console.print(report.ledger_renderable(usages, show_shipments=shipments))


@rules_app.command("list")
def rules_list(
    regime: Annotated[str | None, typer.Option(help="Only this regime (UN, US, EU...).")] = None,
    status: Annotated[str | None, typer.Option(help="in_force | superseded | expired")] = None,
) -> None:
    """Every rule with its citation and verification mark."""
    from corridor.render import trade as report
    from corridor.trade.rules import default_rulebook

    console.print(report.rules_table(default_rulebook(), regime=regime, status=status))


@rules_app.command("show")
def rules_show(rule_id: Annotated[str, typer.Argument()]) -> None:
    """One rule in full: legal source, verification, dates, HS, caps, exemptions."""
    from corridor.render import trade as report
    from corridor.trade.rules import default_rulebook

    try:
        rule = default_rulebook().get(rule_id)
    except KeyError as exc:
        raise fail(str(exc).strip("'\"")) from exc
    console.print(report.rule_renderable(rule))


@top_app.command("hs")
def hs(
    query: Annotated[str, typer.Argument(help="An HS code (2–10 digits, dots allowed) or words.")],
    limit: Annotated[int, typer.Option()] = 15,
) -> None:
    """Look up an HS 2022 code, or search the nomenclature by words."""
    from corridor.render import trade as report
    from corridor.trade import hs as hs_module

    nomenclature = hs_module.load()
    if any(ch.isdigit() for ch in query) and not any(ch.isalpha() for ch in query):
        try:
            console.print(report.hs_path_renderable(nomenclature.path(query, "code")))
        except ValueError as exc:
            raise fail(str(exc)) from exc
        return
    console.print(report.hs_search_table(query, nomenclature.search(query, limit)))


