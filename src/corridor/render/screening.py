"""Hits as a rich table for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from rich.table import Table

from corridor.match.model import Hit


def _score_style(score: float) -> str:
    if score >= 0.95:
        return "bold red"
    if score >= 0.85:
        return "red"
    return "yellow"


def hits_table(hits: Sequence[Hit], title: str | None = None) -> Table:
    """One row per hit: score, list, reference, caption, why."""
    table = Table(title=title, show_lines=False, expand=False)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("list", no_wrap=True)
    table.add_column("ref", no_wrap=True)
    table.add_column("caption")
    table.add_column("schema", no_wrap=True)
    table.add_column("why")
    for hit in hits:
        table.add_row(
            f"[{_score_style(hit.score)}]{hit.score:.2f}[/]",
            escape(hit.list),
            escape(hit.ref),
            escape(hit.caption),
            hit.schema,
            escape(hit.explanation.summary),
        )
    return table
