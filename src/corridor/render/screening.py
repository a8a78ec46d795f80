"""Hits as a rich table for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from corridor.match.model import Hit
from corridor.render.safe import text


def _score_style(score: float) -> str:
    if score >= 0.95:
        return "bold red"
    if score >= 0.85:
        return "red"
    return "yellow"


def hits_table(hits: Sequence[Hit], title: str | None = None) -> Table:
    """One row per hit: score, list, reference, caption, why."""
    table = Table(title=text(title) if title else None, show_lines=False, expand=False)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("list", no_wrap=True)
    table.add_column("ref", no_wrap=True)
    table.add_column("caption")
    table.add_column("schema", no_wrap=True)
    table.add_column("why")
    for hit in hits:
        table.add_row(
            Text(f"{hit.score:.2f}", style=_score_style(hit.score)),
            text(" + ".join(hit.lists or (hit.list,))),  # OFAC SDN + Non-SDN: one record, both lists
            text(hit.ref),
            text(hit.caption),
            text(hit.schema),
            text(hit.explanation.summary),
        )
    return table
