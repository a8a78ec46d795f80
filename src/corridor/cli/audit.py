"""`corridor audit …`: verify, export and show the hash-chained audit trail."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from corridor.cli.common import DbOption, JsonOption, console, engine_for, err, fail
from corridor.errors import InputError
from corridor.render import safe
from corridor.services import audit

audit_app = typer.Typer(no_args_is_help=True, help="Verify, export and show the audit trail.")


@audit_app.command("verify")
def audit_verify(db_url: DbOption = None) -> None:
    """Recompute the hash chain; exit 1 naming the first bad record."""
    result = audit.verify(engine_for(db_url))
    if not result.ok:
        raise fail(result.message, 1)
    console.print(safe.text(result.message))
    console.print(safe.text(f"head {result.head_seq} {result.head_hash}"))


def _parse_since(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise InputError("--since", f"not an ISO 8601 date or time: {value!r}") from None


def _json_line(item: dict[str, Any]) -> str:
    # ASCII escapes: the same JSON as the hashed form once parsed, and no control or
    # bidi character reaches a terminal raw
    return json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


@audit_app.command("export")
def audit_export(
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="Only records from this UTC time on (ISO 8601: 2026-12-01 or 2026-12-01T08:00Z)."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
    ] = None,
    db_url: DbOption = None,
) -> None:
    """Write the records as JSON lines (each re-verifiable: see docs/audit.md)."""
    since_time = _parse_since(since) if since else None
    records = audit.export(engine_for(db_url), since_time)
    count = 0
    if output is None:
        for item in records:
            sys.stdout.write(_json_line(item) + "\n")
            count += 1
        sys.stdout.flush()
        return
    partial = output.with_name(output.name + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        for item in records:
            handle.write(_json_line(item) + "\n")
            count += 1
    partial.replace(output)  # a reader never sees half an export
    err.print(safe.text(f"exported {count} records to {output}"))


def _short(value: Any, width: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= width else text[: width - 1] + "…"


@audit_app.command("tail")
def audit_tail(
    count: Annotated[int, typer.Option("-n", "--count", min=0, help="How many records.")] = 20,
    db_url: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the newest records."""
    records = audit.tail(engine_for(db_url), count)
    if as_json:
        for rec in records:
            sys.stdout.write(_json_line(rec.to_dict()) + "\n")
        return
    # fits 80 columns: what identifies a record never wraps, actor and summary fold;
    # the hashes are in `--json`, `audit export` and `audit head`
    table = Table(
        title=Text(f"audit trail: last {len(records)} records"),
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    for column, no_wrap, min_width in (
        ("seq", True, None),
        ("at (UTC)", True, None),
        ("actor", False, 8),
        ("role/via", True, None),
        ("action", True, None),
        ("summary", False, None),
    ):
        table.add_column(column, no_wrap=no_wrap, overflow="fold", min_width=min_width)
    for rec in records:
        table.add_row(
            safe.text(rec.seq),
            safe.text(rec.at[:19].replace("T", " ")),
            safe.text(rec.actor),
            safe.text(f"{rec.role}/{rec.channel}"),
            safe.text(rec.action),
            safe.text(_short(rec.summary)),
        )
    console.print(table)


@audit_app.command("head")
def audit_head(db_url: DbOption = None, as_json: JsonOption = False) -> None:
    """Print the newest record's number and hash: keep it outside the database."""
    current = audit.head(engine_for(db_url))
    if as_json:
        sys.stdout.write(json.dumps({"seq": current.seq, "hash": current.hash}) + "\n")
        return
    console.print(safe.text(f"{current.seq} {current.hash}"))
