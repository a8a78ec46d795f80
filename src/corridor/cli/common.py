"""What every command module shares: the consoles, common options, errors and progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from rich.progress import (
    MofNCompleteColumn,
    Progress,
    RenderableColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text
from sqlalchemy import Engine

from corridor.errors import CorridorError, InputError
from corridor.render import safe
from corridor.store import db

# markup off: list data and user input printed as plain strings stay plain
console = safe.console()
err = safe.console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: CORRIDOR_DATABASE_URL or SQLite in CORRIDOR_HOME)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


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
