"""Inert text for the terminal: every piece of list data or user input that is
shown goes through `text()`, so it is a `rich.text.Text` (never parsed as
markup: a listed name "Zorblax Closetag [/]" prints as written) whose control
characters are made visible (`corridor.types.text.inert`: an ESC[2J, an OSC 8
hyperlink or a bidi override in a list record cannot act on the terminal).
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from corridor.types.text import inert


def text(value: object, style: str = "") -> Text:
    """`value` as inert rich Text."""
    return Text(inert(value), style=style)


def join(*parts: Text | str) -> Text:
    """Concatenate pieces; plain strings are our own wording, made inert all the same."""
    out = Text()
    for part in parts:
        out.append(part if isinstance(part, Text) else text(part))
    return out


def console(stderr: bool = False) -> Console:
    """A console that never reads markup or highlights data in plain strings: what
    the program prints is styled only through `Text` built on purpose."""
    return Console(stderr=stderr, markup=False, highlight=False, emoji=False)
