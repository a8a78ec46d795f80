"""List data and user input are shown as inert text: markup never parsed, control
characters never reaching the terminal (issue 14, defects 8 and 9)."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest
from rich.console import Console

from corridor.model import Entity, make_name
from corridor.render import lists as render_lists
from corridor.render import safe
from corridor.render.screening import hits_table
from corridor.store.queries import Diff, EntityChange, EntityRecord, FieldChange, Version
from corridor.types.text import inert

HOSTILE = [
    "Zorblax Closetag [/]",
    "[/bold] Zzyzx",
    "[link=https://evil.example]click[/link]",
    "Clear \x1b[2J screen",
    "Link \x1b]8;;https://evil.example\x1b\\text\x1b]8;;\x1b\\",
    "Title \x1b]0;pwned\x07",
    "Bidi \u202egnp.exe",
]
RAW_SEQUENCES = ["\x1b[2J", "\x1b]8;", "\x1b]0;", "\x07", "\u202e"]


def _print(renderable: Any) -> str:
    buffer = io.StringIO()
    # no colour codes of our own: any ESC in the output would come from the data
    console = Console(file=buffer, width=200, force_terminal=False, color_system=None)
    console.print(renderable)
    return buffer.getvalue()


def _assert_inert(output: str, value: str) -> None:
    for seq in RAW_SEQUENCES:
        assert seq not in output, (value, seq)
    assert "\x1b" not in output


def _version(vid: int, source: str = "un") -> Version:
    return Version(
        id=vid,
        source=source,
        format="un-xml",
        published="2026-05-08",
        published_inferred=False,
        sha256="ab" * 32,
        files=[],
        imported_at="2026-05-09T00:00:00",
        record_count=1,
        declared_count=None,
        active=True,
    )


def _entity(name: str) -> Entity:
    made = make_name(name)
    assert made is not None
    return Entity(
        id="un:KPi.999",
        source="un",
        schema="Person",
        names=[made],
        programs=[name],
        notes=[name],
        list_ref="KPi.999",
    )


@pytest.mark.parametrize("value", HOSTILE)
def test_inert_makes_every_control_character_visible(value: str) -> None:
    shown = inert(value)
    assert shown.isprintable()
    # nothing is lost: the visible escapes stand where the characters were
    assert len(shown) >= len(value)


@pytest.mark.parametrize("value", HOSTILE)
def test_entity_view_shows_hostile_list_data_as_text(value: str) -> None:
    record = EntityRecord(entity=_entity(value), version=_version(1), related=[], history=[_version(1)])
    output = _print(render_lists.entity_view(record))
    _assert_inert(output, value)
    assert inert(value) in output  # the name row, as written, controls made visible


@pytest.mark.parametrize("value", HOSTILE)
def test_hits_table_and_its_title_show_hostile_text(value: str) -> None:
    hit = SimpleNamespace(
        score=0.93,
        list="un",
        lists=("un",),
        ref="KPi.999",
        caption=value,
        schema="Person",
        explanation=SimpleNamespace(summary=f"name {value}"),
    )
    output = _print(hits_table([hit], title=f"Hits for {value!r}"))  # type: ignore[list-item]
    _assert_inert(output, value)
    assert inert(value) in output  # the caption, as written, controls made visible


@pytest.mark.parametrize("value", HOSTILE)
def test_diff_view_shows_hostile_text(value: str) -> None:
    diff = Diff(
        source="un",
        old=_version(1),
        new=_version(2),
        added=[("un:KPi.1", value)],
        removed=[("un:KPi.2", value)],
        changed=[EntityChange("un:KPi.3", value, [FieldChange("names", added=[value], removed=[])])],
    )
    output = _print(render_lists.diff_view(diff))
    _assert_inert(output, value)


def test_markup_in_a_listed_name_is_printed_literally() -> None:
    record = EntityRecord(
        entity=_entity("Zorblax Closetag [/]"), version=_version(1), related=[], history=[_version(1)]
    )
    assert "Zorblax Closetag [/]" in _print(render_lists.entity_view(record))


def test_the_cli_consoles_read_no_markup() -> None:
    buffer = io.StringIO()
    console = safe.console()
    console.file = buffer
    console.print("[/bold] Zzyzx [red]not red[/red]")
    assert buffer.getvalue().strip() == "[/bold] Zzyzx [red]not red[/red]"
