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
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lxml import etree

from corridor.errors import LimitError, ParseError, Where
from corridor.model import Entity

__all__ = [
    "ListMeta",
    "ParseError",
    "ParsedList",
    "check_zip",
    "decoded_lines",
    "is_html_page",
    "iter_xml",
    "reject_dtd",
    "safe_iterparse",
]


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

_PROLOG_CHUNK = 1 << 16


def _prolog_error(path: Path, line: int, message: str) -> ParseError:
    return ParseError(path, f"line {line}", message)


def reject_dtd_in(handle: IO[bytes], path: Path) -> None:
    """Refuse a DOCTYPE anywhere in the prolog of the XML read from `handle`.

    The prolog is scanned token by token (XML declaration, processing
    instructions, comments, whitespace) up to the root element, however long it
    is and in bounded memory, so a comment or a PI in front of the DOCTYPE cannot
    hide it.  UTF-16/32 XML (NUL bytes, a UTF-16 BOM) is refused too: official
    lists are UTF-8, and a byte scan could not see a DOCTYPE in them."""
    buffer = handle.read(_PROLOG_CHUNK)
    if buffer.startswith(b"\xef\xbb\xbf"):
        buffer = buffer[3:]
    line = 1

    def more() -> bool:
        nonlocal buffer
        chunk = handle.read(_PROLOG_CHUNK)
        buffer += chunk
        return bool(chunk)

    while True:
        stripped = buffer.lstrip(b" \t\r\n")
        line += buffer[: len(buffer) - len(stripped)].count(b"\n")
        buffer = stripped
        if len(buffer) < 9 and more():
            continue
        if not buffer:
            return  # an empty file: the parser reports it
        if b"\0" in buffer[:4] or buffer[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise ParseError(path, f"line {line}", "not UTF-8 XML (UTF-16/32): official lists are UTF-8")
        if buffer.startswith(b"<!--"):
            opener, terminator = b"<!--", b"-->"
        elif buffer.startswith(b"<?"):
            opener, terminator = b"<?", b"?>"
        elif buffer.startswith(b"<!"):  # <!DOCTYPE in any case, <!ENTITY...: never in a list file
            raise ParseError(
                path, f"line {line}", "DTD/DOCTYPE declarations are not allowed in a sanctions list file"
            )
        else:
            return  # the root element (or text the parser will call malformed)
        end = buffer.find(terminator, len(opener))
        while end < 0:
            # a long comment or PI: keep only the bytes a split terminator could start in
            # (the buffer holds 9 bytes or more here, so the opener is never kept)
            keep = len(buffer) - len(terminator) + 1
            line += buffer[:keep].count(b"\n")
            buffer = buffer[keep:]
            if not more():
                return  # unterminated: the parser reports it
            end = buffer.find(terminator)
        line += buffer[:end].count(b"\n")
        buffer = buffer[end + len(terminator) :]


_HTML_PAGE_RE = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<!doctype\s+html\s*>|<html[\s>])", re.IGNORECASE)


def is_html_page(head: bytes) -> bool:
    """A web page: `<!DOCTYPE html>` exactly (no internal subset, no public or system
    identifier) or an `<html>` start tag first.  Such a file is read by an HTML
    parser (`sources.un_vessels`), never by an XML one."""
    return bool(_HTML_PAGE_RE.match(head))


def reject_dtd(path: Path, head: bytes | None = None) -> None:
    """Official lists never carry a DTD; one that does is either broken or an
    attack (entity-expansion bomb, external entity, external DTD), so any
    DOCTYPE in the prolog is refused outright, before the parser sees it.  The
    file itself is what is checked (`head` is accepted for callers that already
    read it).  `safe_iterparse` refuses a DOCTYPE the parser reports as well."""
    with open(path, "rb") as handle:
        reject_dtd_in(handle, path)


def _refuse_parsed_doctype(context: Any, path: Path, prefix: str) -> None:
    root = getattr(context, "root", None)
    if root is None:
        return
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise ParseError(
            path, f"{prefix}line 1", "DTD/DOCTYPE declarations are not allowed in a sanctions list file"
        )


def safe_iterparse(
    source: str | IO[bytes],
    path: Path,
    events: tuple[str, ...] = ("end",),
    tags: tuple[str, ...] | None = None,
    where: str = "",
) -> Iterator[tuple[str, Any]]:
    """lxml iterparse with everything dangerous off: no DTD loading or validation,
    no entity resolution, no network, no huge trees; a DOCTYPE the parser reports
    is refused (at the first event and at the end).  Syntax errors become
    ParseError with `where` (e.g. "content.xml ") and the line number."""
    try:
        context = etree.iterparse(
            source,
            events=events,
            tag=tags,
            resolve_entities=False,
            load_dtd=False,
            dtd_validation=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
        )
    except ValueError as exc:  # a tag built from the file's own namespace that lxml refuses
        raise ParseError(path, f"{where}line 1", f"unusable XML namespace: {exc}") from exc
    first = True
    try:
        for item in context:
            if first:
                _refuse_parsed_doctype(context, path, where)
                first = False
            yield item
        _refuse_parsed_doctype(context, path, where)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else "?"
        raise ParseError(path, f"{where}line {line}", f"malformed XML: {exc.msg}") from exc


def iter_xml(
    path: Path, tags: tuple[str, ...] | None = None, events: tuple[str, ...] = ("end",)
) -> Iterator[tuple[str, Any]]:
    """Stream (event, element) pairs from an XML file, safely (see `safe_iterparse`).

    Callers must `elem.clear()` what they are done with (see `release`)."""
    reject_dtd(path)
    yield from safe_iterparse(str(path), path, events, tags)


# --- zip containers (xlsx, ods) ---------------------------------------------------------

# The real spreadsheets inflate to ~30 MB at about 8:1; a bomb inflates 1000:1 to GBs.
MAX_UNZIPPED_BYTES = 1 << 30
MAX_ZIP_RATIO = 200
MAX_ZIP_MEMBERS = 10_000
_RATIO_FLOOR = 1 << 20  # tiny members may have any ratio


def check_zip(path: Path) -> None:
    """Refuse a zip container whose members would inflate beyond the limits, before
    reading any of them.  Python's zipfile never inflates a member beyond the size
    its directory declares (it stops there, then fails the CRC), so checking the
    declared sizes and ratios bounds what is actually decompressed."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ParseError(path, "", f"not a readable zip container: {exc}") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise LimitError(
            f"{len(members):,} members in the archive, more than the {MAX_ZIP_MEMBERS:,} allowed",
            where=Where(file=str(path)),
        )
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > _RATIO_FLOOR and member.file_size > MAX_ZIP_RATIO * max(
            member.compress_size, 1
        ):
            raise LimitError(
                f"member inflates {member.file_size / max(member.compress_size, 1):,.0f}:1 "
                f"({member.compress_size:,} to {member.file_size:,} bytes), more than the "
                f"{MAX_ZIP_RATIO}:1 allowed: a zip bomb",
                where=Where(file=str(path), field=member.filename),
            )
        if total > MAX_UNZIPPED_BYTES:
            raise LimitError(
                f"members declare more than {MAX_UNZIPPED_BYTES:,} bytes uncompressed: refused",
                where=Where(file=str(path), field=member.filename),
            )


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


def decoded_lines(path: Path, encoding: str = "utf-8") -> Generator[str, None, None]:
    """The file's lines as text (line endings kept, for the csv module), decoded
    line by line so a bad byte is a ParseError naming its line and column."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                yield raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ParseError(
                    path,
                    f"line {number}",
                    f"not valid {encoding} text: byte 0x{raw[exc.start]:02x} at column {exc.start + 1}",
                ) from exc


def read_head(path: Path, size: int = 4096) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)
