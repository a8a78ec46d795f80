"""The Python API for batch jobs: screen or check files of any size.

    from corridor import batch

    summary = batch.screen_file("parties.parquet", "hits.jsonl", workers=4, resume=True)
    print(summary.rows, summary.with_hits, summary.errors, f"{summary.rows_per_second:,.0f} rows/s")

    batch.check_file("shipments.csv", "verdicts.parquet")

Inputs: .csv, .jsonl or .parquet (a file or a directory of parts); outputs:
.jsonl (checks also .csv) or a .parquet directory.  Memory stays constant,
`workers` processes share one loaded index, `resume` continues an interrupted
run without losing or repeating a row, and a bad row is one error record naming
its row.  Each run against the store is recorded in the audit trail.  The work is
done by the application layer (`corridor.services.streaming`); this module only
picks the store and the screener.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from corridor.match import Query, Screener
from corridor.services import audit
from corridor.services.streaming import BatchSummary, RunProgress, progress_path, read_results
from corridor.services.streaming import screen_file as _screen_file
from corridor.store import db

__all__ = [
    "BatchSummary",
    "Query",
    "RunProgress",
    "check_file",
    "progress_path",
    "read_results",
    "screen_file",
]


def screen_file(
    input: str | Path,
    output: str | Path,
    *,
    workers: int = 1,
    resume: bool = False,
    threshold: float | None = None,
    limit: int = 10,
    db_url: str | None = None,
    screener: Screener | None = None,
    on_progress: Callable[[RunProgress], None] | None = None,
) -> BatchSummary:
    """Screen every record of `input` into `output` against the active lists of the
    store (`db_url`, default the configured one), or against `screener` when given
    (then nothing is read from the store and nothing is audited)."""
    if screener is not None:
        return _screen_file(
            screener,
            input,
            output,
            threshold=threshold,
            limit=limit,
            workers=workers,
            resume=resume,
            on_progress=on_progress,
        )
    from corridor.services.streaming import run_screen

    return run_screen(
        db.engine(db_url),
        input,
        output,
        by=audit.Actor.cli(),
        threshold=threshold,
        limit=limit,
        workers=workers,
        resume=resume,
        on_progress=on_progress,
    )


def check_file(
    input: str | Path,
    output: str | Path,
    *,
    workers: int = 1,
    resume: bool = False,
    record: bool = True,
    db_url: str | None = None,
    on_progress: Callable[[RunProgress], None] | None = None,
) -> BatchSummary:
    """Check every transaction of `input` into `output` with the default rules, the
    active lists and the store's cap ledger (charges applied in input order)."""
    from corridor.services import trade
    from corridor.services.streaming import run_check

    engine = db.engine(db_url)
    evaluator = trade.evaluator(engine, trade.party_screener(engine))
    return run_check(
        engine,
        evaluator,
        input,
        output,
        by=audit.Actor.cli(),
        record=record,
        workers=workers,
        resume=resume,
        on_progress=on_progress,
    )
