"""What every command module shares: the consoles, common options, errors and progress."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    RenderableColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text
from sqlalchemy import Engine

from corridor.errors import CorridorError, InputError
from corridor.render import safe
from corridor.store import db

if TYPE_CHECKING:
    from corridor.services.streaming import RunProgress

# markup off: list data and user input printed as plain strings stay plain
console = safe.console()
err = safe.console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: CORRIDOR_DATABASE_URL or SQLite in CORRIDOR_HOME)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
WorkersOption = Annotated[
    int,
    typer.Option("--workers", min=1, help="Batch: processes sharing the loaded index (forked after load)."),
]
ResumeOption = Annotated[
    bool,
    typer.Option(
        "--resume", help="Batch: continue an interrupted run from OUTPUT.progress (no row lost or repeated)."
    ),
]
COMMIT_ROWS = 5000  # = services.streaming.COMMIT_ROWS (not imported: the CLI starts fast)
CommitRowsOption = Annotated[
    int, typer.Option("--commit-rows", min=1, help="Batch: results per committed (fsync'd) chunk.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Batch: no progress bar.")]


def engine_for(url: str | None) -> Engine:
    return db.engine(url)


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(Text("error: ", style="red") + safe.text(message))
    return typer.Exit(code)


def exit_code(error: CorridorError) -> int:
    """2 for input the user must correct (as for a usage error), 1 for the rest."""
    return 2 if isinstance(error, InputError) else 1


def progress_callback(progress: Progress, task: TaskID) -> Callable[[int], None]:
    def update(done: int) -> None:
        progress.update(task, completed=done)

    return update


def count_progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def batch_progress(description: str) -> Progress:
    return Progress(
        SpinnerColumn(),
        RenderableColumn(safe.text(description)),
        TextColumn("{task.completed:,} done"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


@contextmanager
def stream_progress(description: str, quiet: bool = False) -> Iterator[Callable[[RunProgress], None]]:
    """A progress bar on stderr for a streaming batch (rows, rows/s, ETA), off with
    --quiet or when stderr is not a terminal; yields the run's `on_progress`."""
    progress = Progress(
        RenderableColumn(safe.text(description)),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f} %"),
        TextColumn("{task.fields[rows]:,} rows · {task.fields[rate]:,.0f} rows/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=quiet or not err.is_terminal,
    )
    import time

    first: list[tuple[float, int]] = []  # the first report: the rate leaves out loading the index
    with progress:
        task = progress.add_task("batch", total=None, rows=0, rate=0.0)

        def update(state: RunProgress) -> None:
            now = time.monotonic()
            if not first:
                first.append((now, state.rows))
            since, rows = first[0]
            rate = (state.rows - rows) / (now - since) if now > since else 0.0
            progress.update(task, completed=state.done, total=state.total, rows=state.rows, rate=rate)

        yield update
