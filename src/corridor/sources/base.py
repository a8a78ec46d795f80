"""What every list parser shares: the result type, the error type and safe XML.

A parser is a module with
    FORMAT: str                      # "un-xml", "ofac-csv", ...
    def sniff(path: Path, head: bytes) -> bool
    def parse(path: Path) -> ParsedList
`parse` must stream: entities come out of an iterator while the file is read,
so a 100 MB list never sits in memory as a tree.  Anything wrong with the input
raises `ParseError` naming the file and the place (line, element, row, field).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from corridor.errors import ParseError
from corridor.model import Entity

__all__ = ["ListMeta", "ParseError", "ParsedList"]




@dataclass(slots=True)
class ListMeta:
    """Facts about one list file (or file set) as a whole."""

    source: str  # list key: un, ofac-sdn, ofac-cons, uk, uk-fcdo, eu, ftm:<dataset>
    format: str  # parser FORMAT
    published: str = ""  # ISO date (or datetime) written inside the file, "" if none
    published_inferred: bool = False  # True when the date is not from inside the file
    declared_count: int | None = None  # the file's own total (OFAC Record_Count...)
    title: str = ""
    files: list[str] = field(default_factory=list)  # every file read, for checksums
    extra: dict[str, Any] = field(default_factory=dict)
    # data the parser kept but could not read as meant (a garbled date...): shown to the user
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ParsedList:
    """A parse in progress: `meta` is complete once `entities` is exhausted."""

    meta: ListMeta
    entities: Iterator[Entity]


# --- XML ------------------------------------------------------------------------

_DOCTYPE_RE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ROOT_START_RE = re.compile(rb"<[A-Za-z_]")


def reject_dtd(path: Path, head: bytes | None = None) -> None:
    """Official lists never carry a DTD; one that does is either broken or an
    attack (entity-expansion bomb, external entity, external DTD), so any
    DOCTYPE in the prolog is refused outright.  The whole prolog is scanned,
    however much padding precedes the root element (`head` is accepted for
    callers that already read it, but the file itself is what is checked)."""
    tail = b""
    lines = 1
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 16):
            # the tail of the previous chunk is kept so a marker split across chunks is seen
            window = tail + chunk
            doctype = _DOCTYPE_RE.search(window)
            root = _ROOT_START_RE.search(window)
            if doctype and (root is None or doctype.start() < root.start()):
                line = lines + window[: doctype.start()].count(b"\n")
                raise ParseError(
                    path, f"line {line}", "DTD/DOCTYPE declarations are not allowed in a sanctions list file"
                )
            if root is not None:
                return
            tail = window[-16:]
            lines += window[:-16].count(b"\n")


def iter_xml(
    path: Path, tags: tuple[str, ...] | None = None, events: tuple[str, ...] = ("end",)
) -> Iterator[tuple[str, Any]]:
    """Stream (event, element) pairs from an XML file, safely.

    Entities are not resolved, no DTD or network is loaded, and syntax errors
    become ParseError with the line number.  Callers must `elem.clear()` what
    they are done with (see `release`)."""
    reject_dtd(path)
    context = etree.iterparse(
        str(path),
        events=events,
        tag=tags,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
    )
    try:
        yield from context
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else "?"
        raise ParseError(path, f"line {line}", f"malformed XML: {exc.msg}") from exc


def release(elem: Any) -> None:
    """Free a processed element and the siblings before it (iterparse memory)."""
    elem.clear()
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def local(tag: Any) -> str:
    """Tag name without its namespace."""
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def text_of(elem: Any) -> str:
    """Whitespace-normalised text of an element (and its children), "" if none."""
    if elem is None:
        return ""
    return " ".join("".join(elem.itertext()).split())


def read_head(path: Path, size: int = 4096) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)
