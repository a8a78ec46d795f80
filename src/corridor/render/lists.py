"""Rich renderings of store results for the CLI (lists status, diffs, entities)."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from corridor.model import Entity
from corridor.render.safe import text
from corridor.store.importer import ImportResult
from corridor.store.queries import Diff, EntityRecord, SourceStatus, Version


def import_result(result: ImportResult, path: str) -> Text:
    """One import: what was stored, whether it is active, and if not why (held
    back for review), then any warning about data kept but not read as meant."""
    if result.unchanged:
        return text(
            f"{result.source}: {path} was already imported as version {result.version_id} (unchanged)"
        )
    declared = f" (file declares {result.declared_count})" if result.declared_count is not None else ""
    rate = f", {result.record_count / result.seconds:,.0f} records/s" if result.seconds > 0 else ""
    line = text(
        f"{result.source}: imported version {result.version_id}, published {result.published or 'unknown'}, "
        f"{result.record_count:,} records{declared}{rate}; ",
        style="green" if result.active else "yellow",
    )
    if result.active:
        line.append("now active", style="green")
    else:
        line.append(
            text(f"stored but not active: {result.held_back or 'not the newest publication'}", "yellow")
        )
        line.append(
            text(
                "\n  held back for review: compare it (`corridor lists diff`), then import it again "
                "with --activate to switch"
            )
        )
    for warning in result.warnings:
        line.append("\n")
        line.append(text("warning: ", "yellow"))
        line.append(text(warning))
    return line


def status_table(statuses: list[SourceStatus]) -> Table:
    table = Table(title="Active list versions", show_lines=False)
    for column in (
        "list",
        "version",
        "published",
        "imported",
        "records",
        "by schema",
        "DPRK",
        "Russia",
        "top programs",
    ):
        table.add_column(column, overflow="fold")
    for st in statuses:
        v = st.version
        published = v.published + (" (inferred)" if v.published_inferred else "")
        schemata = ", ".join(f"{k} {n:,}" for k, n in sorted(st.schemata.items(), key=lambda kv: -kv[1]))
        top = ", ".join(f"{k} {n:,}" for k, n in sorted(st.programs.items(), key=lambda kv: -kv[1])[:6])
        table.add_row(
            text(v.source),
            str(v.id),
            text(published or "—"),
            text(v.imported_at[:19]),
            f"{v.record_count:,}",
            text(schemata),
            f"{st.regimes.get('DPRK', 0):,}",
            f"{st.regimes.get('Russia', 0):,}",
            text(top),
        )
    return table


def versions_table(items: list[Version]) -> Table:
    table = Table(title="Stored list versions")
    for column in ("id", "list", "format", "published", "records", "sha256", "active"):
        table.add_column(column)
    for v in items:
        table.add_row(
            str(v.id),
            text(v.source),
            text(v.format),
            text(v.published),
            f"{v.record_count:,}",
            text(v.sha256[:12]),
            "yes" if v.active else "",
        )
    return table


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items() if v not in ("", None, False))
    return str(value)


def diff_view(diff: Diff, limit: int = 50) -> Group:
    head = text(
        f"{diff.source}: version {diff.old.id} ({diff.old.published}) → {diff.new.id} ({diff.new.published}): "
        f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed",
        style="bold",
    )
    parts: list[Any] = [head]
    for title, rows, style in (("Added", diff.added, "green"), ("Removed", diff.removed, "red")):
        if rows:
            table = Table(title=title, title_style=style)
            table.add_column("entity")
            table.add_column("name")
            for entity_id, caption in rows[:limit]:
                table.add_row(text(entity_id), text(caption))
            if len(rows) > limit:
                table.caption = f"… and {len(rows) - limit} more (--limit, --json)"
            parts.append(table)
    if diff.changed:
        table = Table(title="Changed", title_style="yellow")
        table.add_column("entity")
        table.add_column("name")
        table.add_column("field")
        table.add_column("change", overflow="fold")
        for change in diff.changed[:limit]:
            for i, fc in enumerate(change.fields):
                if fc.added or fc.removed:
                    change_text = "; ".join(
                        [f"+ {_short(a)}" for a in fc.added] + [f"- {_short(r)}" for r in fc.removed]
                    )
                else:
                    change_text = f"{_short(fc.old)} → {_short(fc.new)}"
                table.add_row(
                    text(change.entity_id if i == 0 else ""),
                    text(change.caption if i == 0 else ""),
                    text(fc.name),
                    text(change_text),
                )
        if len(diff.changed) > limit:
            table.caption = f"… and {len(diff.changed) - limit} more (--limit, --json)"
        parts.append(table)
    return Group(*parts)


def _row(table: Table, label: str, value: str) -> None:
    # Text, not markup: list data contains brackets ("[S7]", "(UN Ref)") rich would eat
    table.add_row(text(label), text(value))


def entity_panel(entity: Entity, title: str) -> Panel:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    _row(table, "id", entity.id)
    _row(table, "schema", entity.schema)
    _row(table, "list / ref", f"{entity.source} / {entity.list_ref}")
    for name in entity.names:
        detail = ", ".join(x for x in (name.kind.value, name.script, name.lang, name.note) if x)
        _row(table, "name", f"{name.full}  ({detail})")
    simple = (
        ("programs", entity.programs),
        ("UN refs", entity.un_refs),
        ("nationality", entity.nationalities),
        ("countries", entity.countries),
        ("birth place", entity.birth_places),
        ("titles", entity.titles),
        ("positions", entity.positions),
        ("linked to", entity.linked_to),
    )
    for label, values in simple:
        if values:
            _row(table, label, "; ".join(values))
    for d in entity.birth_dates:
        when = d.start + (f" to {d.end}" if d.end else "") + (" (approximately)" if d.approximate else "")
        _row(table, "birth date", when)
    for ident in entity.identifiers:
        extra = ", ".join(x for x in (ident.country, ident.note) if x)
        _row(table, ident.type, ident.value + (f"  ({extra})" if extra else ""))
    for addr in entity.addresses:
        _row(table, "address", addr.full or ", ".join(x for x in (addr.street, addr.city, addr.country) if x))
    if entity.listed_on:
        _row(table, "listed on", entity.listed_on)
    if entity.gender:
        _row(table, "gender", entity.gender)
    for key, values in entity.properties.items():
        _row(table, key, "; ".join(values))
    for note in entity.notes:
        _row(table, "note", note)
    return Panel(table, title=text(title))


def entity_view(record: EntityRecord) -> Group:
    v = record.version
    parts: list[Any] = [
        entity_panel(record.entity, f"{record.entity.caption} — {v.source} version {v.id} ({v.published})")
    ]
    history = ", ".join(f"{h.id} ({h.published})" for h in record.history)
    parts.append(text(f"In stored versions: {history}"))
    if record.related:
        parts.append(text(f"Records on other lists citing {', '.join(record.entity.un_refs)}:", style="bold"))
        for entity, version in record.related:
            parts.append(entity_panel(entity, f"{entity.caption} — {version.source} ({version.published})"))
    elif record.entity.un_refs:
        parts.append(text(f"No other active list cites {', '.join(record.entity.un_refs)}."))
    return Group(*parts)
