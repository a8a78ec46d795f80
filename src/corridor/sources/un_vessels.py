"""UN Security Council 1718 Committee: the Designated Vessels List.

The vessels the 1718 Committee designates are not in the consolidated XML: the
Committee publishes them as a table on its page "1718 Designated Vessels List"
(https://main.un.org/securitycouncil/en/sanctions/1718/materials/1718-Designated-Vessels-List,
with a PDF of the same table).  One row per vessel, with the columns

    # | Vessel name | IMO number | <one column per measure> | Designated as economic
    resources of | MMSI | Flag | Call sign | Type | Date of designation |
    Other information | Picture link

where the measure columns are headed by their legal basis, as the Committee writes it:
"Paragraph 8 (d) of resolution 1718 (2006) and paragraph 12 of resolution 2270 (2016)"
(asset freeze), "Paragraph 12 (a) of resolution 2321 (2016)" (de-flagging),
"Paragraph 12 (d) of resolution 2321 (2016)", "Paragraph 6 of resolution 2371 (2017)
and paragraph 6 of resolution 2375 (2017)" (port entry ban), "Economic resources
controlled or operated by Ocean Maritime Management (KPe.020)"; a cell marked
("X", "Yes", a date...) applies the measure, an empty or "NA" cell does not.
Names, flags, MMSI and call signs may list several values numbered "1: A 2: B".

This module reads the page as saved (HTML): the first table whose header row has
an IMO column.  No official copy could be staged offline; the parser follows the
published layout as public transcriptions of it show (OpenSanctions' dataset
"UN Security Council 1718 Designated Vessels List") and is tested on an authored
file (tests/fixtures/un/), like the EU list.  Entities are `Vessel`s with ids
`un-vessels:<IMO>` (stable across versions), `list_ref` the IMO number, program
DPRK plus one `measures` property per marked measure column.  The list key
`un-vessels` belongs to the UN family (`trade.screening.list_family`), so a hit
on one of these vessels cites the UN rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from corridor.errors import LimitError, Where
from corridor.model import Entity, Identifier, NameKind, make_name
from corridor.sources.base import ListMeta, ParsedList, ParseError, read_head
from corridor.types.countries import to_code
from corridor.types.dates import parse_date
from corridor.types.identifiers import imo_check_digit_ok
from corridor.types.text import name_key

FORMAT = "un-1718-vessels-html"
SOURCE = "un-vessels"
TITLE = "UN Security Council 1718 Committee: Designated Vessels List"
PROGRAM = "DPRK"

MAX_BYTES = 20_000_000  # the real page is well under 1 MB

# Header text (lower case, spaces collapsed, "_" as space) -> field.
_COLUMNS: dict[str, str] = {
    "#": "number",
    "no": "number",
    "no.": "number",
    "vessel name": "name",
    "name of vessel": "name",
    "name": "name",
    "vessel": "name",
    "imo number": "imo",
    "imo no.": "imo",
    "imo": "imo",
    "mmsi": "mmsi",
    "flag": "flag",
    "flag state": "flag",
    "call sign": "call_sign",
    "type": "type",
    "vessel type": "type",
    "type of vessel": "type",
    "date of designation": "date",
    "designation date": "date",
    "designated as economic resources of": "owner",
    "designated owner": "owner",
    "other information": "info",
    "additional information": "info",
    "picture link": "picture",
    "picture": "picture",
    "image url": "picture",
}
# What each measure column's legal basis means (matched in the header text).
_MEASURES: tuple[tuple[str, str], ...] = (
    ("8 (d) of resolution 1718", "asset freeze"),
    ("12 (a) of resolution 2321", "de-flagging"),
    ("12 (b) of resolution 2321", "direction to a port"),
    ("12 (d) of resolution 2321", "asset freeze (designated vessel)"),
    ("6 of resolution 2371", "port entry ban"),
    (
        "economic resources controlled or operated by",
        "asset freeze (economic resources of a designated entity)",
    ),
)
_NOT_MARKED = frozenset({"", "na", "n/a", "-", "–", "—", "no", "none", "0"})
_NUMBERED_RE = re.compile(r"(?:^|\s)\d{1,2}\s*[:.)]\s+")
_UN_REF_RE = re.compile(r"\b([A-Z]{2}[ie]\.\d{3})\b")
_UPDATED_RE = re.compile(
    r"(?:last\s+updated|updated\s+on|as\s+of)\s*:?\s*(?:on\s+)?(\d{1,2}\s+[A-Za-z]+\.?\s+\d{4}|\d{4}-\d{2}-\d{2})",
    re.IGNORECASE,
)
_HTML_START_RE = re.compile(
    rb"^\s*(?:<!doctype\s+html\s*>|<html[\s>]|<!--|<table[\s>]|<meta[\s>]|<head[\s>])", re.I
)


def sniff(path: Path, head: bytes) -> bool:
    """An HTML page (or table) that names the 1718 Committee's designated vessels (in
    its title or heading; the table itself may start beyond the head on the real page,
    so the IMO column is checked when parsing)."""
    body = head.lstrip(b"\xef\xbb\xbf")
    if not _HTML_START_RE.match(body):
        return False
    lower = b" ".join(body.lower().split())
    return b"designated vessels" in lower and (b"1718" in lower or b"imo" in lower)


def parse(path: Path) -> ParsedList:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise LimitError(
            f"file too large for a designated-vessels page ({size:,} bytes; at most {MAX_BYTES:,})",
            where=Where(file=str(path)),
        )
    head = read_head(path, 65536)
    if not _HTML_START_RE.match(head.lstrip(b"\xef\xbb\xbf")):
        raise ParseError(
            path, "line 1", "not an HTML page: the 1718 designated-vessels list is read as published"
        )
    meta = ListMeta(source=SOURCE, format=FORMAT, title=TITLE, files=[str(path)])
    return ParsedList(meta=meta, entities=_stream(path, meta))


def _document(path: Path) -> Any:
    """The page parsed without network access, comments or processing instructions."""
    parser = etree.HTMLParser(
        no_network=True, remove_comments=True, remove_pis=True, huge_tree=False, default_doctype=False
    )
    try:
        data = path.read_bytes()
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(path, f"line {line}", f"not valid UTF-8 text: byte 0x{data[exc.start]:02x}") from exc
    root = etree.fromstring(data, parser)
    if root is None:
        raise ParseError(path, "line 1", "empty HTML document")
    return root


def _cell_text(cell: Any) -> str:
    """A cell's text with line breaks (<br>) kept as spaces, whitespace collapsed."""
    return " ".join(" ".join(cell.itertext()).split())


def _header_key(text: str) -> str:
    return " ".join(text.replace("_", " ").lower().split()).strip(" :")


def _rows(table: Any) -> list[Any]:
    return [row for row in table.iter("tr")]


def _find_table(root: Any, path: Path) -> tuple[Any, list[str], int]:
    """The table, its header fields (one per column) and the header row's index."""
    for table in root.iter("table"):
        rows = _rows(table)
        for index, row in enumerate(rows[:3]):
            headers = [
                _header_key(_cell_text(c)) for c in row if isinstance(c.tag, str) and c.tag in ("th", "td")
            ]
            if any(_COLUMNS.get(h) == "imo" for h in headers) and any(
                _COLUMNS.get(h) == "name" for h in headers
            ):
                return table, headers, index
    raise ParseError(
        path, "", "no table with a vessel name and an IMO number column: not the designated-vessels list"
    )


def _published(root: Any) -> str:
    text = " ".join(" ".join(root.itertext()).split())
    match = _UPDATED_RE.search(text)
    if not match:
        return ""
    spec = parse_date(match.group(1))
    return spec.start if spec and len(spec.start) == 10 else ""


def numbered(value: str) -> list[str]:
    """ "1: KUM UN SAN 3 2: KUM UN SAN" -> ["KUM UN SAN 3", "KUM UN SAN"]; a plain value -> [value]."""
    value = " ".join(value.split())
    if not value:
        return []
    if not _NUMBERED_RE.match(value):
        return [value]
    parts = [p.strip(" ;,") for p in _NUMBERED_RE.split(value)]
    return [p for p in parts if p]


def measure_label(header: str) -> str | None:
    """What a measure column means ("port entry ban"...), None for an unknown column."""
    for needle, label in _MEASURES:
        if needle in header:
            return label
    if header.startswith("paragraph") or "resolution" in header:
        return "measure"
    return None


def _stream(path: Path, meta: ListMeta) -> Iterator[Entity]:
    root = _document(path)
    meta.published = _published(root)
    table, headers, header_index = _find_table(root, path)
    fields = [_COLUMNS.get(h) for h in headers]
    unknown = [h for h, f in zip(headers, fields, strict=True) if f is None and measure_label(h) is None]
    if unknown:
        meta.extra["unhandled_columns"] = unknown
    seen: dict[str, str] = {}
    count = 0
    for row in _rows(table)[header_index + 1 :]:
        cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("th", "td")]
        if not cells or all(not _cell_text(c) for c in cells):
            continue
        where = f"line {row.sourceline}, table row {count + 1}"
        if len(cells) != len(headers):
            raise ParseError(path, where, f"{len(cells)} cells where the header has {len(headers)} columns")
        values = {h: _cell_text(c) for h, c in zip(headers, cells, strict=True)}
        entity = row_to_entity(values, path, where, meta.warnings)
        if entity.id in seen:
            raise ParseError(path, where, f"duplicate vessel {entity.list_ref} (first at {seen[entity.id]})")
        seen[entity.id] = where
        count += 1
        yield entity
    if not count:
        raise ParseError(path, "", "the designated-vessels table has no rows")
    meta.extra["vessels"] = count


def row_to_entity(
    values: dict[str, str], path: Path, where: str, warnings: list[str] | None = None
) -> Entity:
    """One table row (header text -> cell text) to a Vessel entity."""
    by_field: dict[str, str] = {}
    for header, value in values.items():
        name = _COLUMNS.get(header)
        if name and value and name not in by_field:
            by_field[name] = value
    names = numbered(by_field.get("name", ""))
    if not names:
        raise ParseError(path, f"{where}, column 'Vessel name'", "vessel without a name")
    imo = re.sub(r"(?i)^imo\s*:?\s*", "", by_field.get("imo", "")).replace(" ", "")
    if imo and not re.fullmatch(r"\d{7}", imo):
        raise ParseError(path, f"{where}, column 'IMO number'", f"{imo!r} is not an IMO number (7 digits)")
    key = imo or name_key(names[0]).replace(" ", "-")
    entity = Entity(
        id=f"{SOURCE}:{key}",
        source=SOURCE,
        schema="Vessel",
        list_ref=imo or names[0],
        programs=[PROGRAM],
    )
    for index, full in enumerate(names):
        made = make_name(full, NameKind.PRIMARY if index == 0 else NameKind.ALIAS)
        if made is not None and all(n.full != made.full for n in entity.names):
            entity.names.append(made)
    if not entity.names:
        raise ParseError(path, f"{where}, column 'Vessel name'", f"{names[0]!r} is not a usable name")
    if imo:
        if imo_check_digit_ok(imo):
            entity.identifiers.append(Identifier("imo", imo, note="IMO ship number"))
        else:
            entity.identifiers.append(Identifier("imo", imo, note="fails the IMO check digit"))
            if warnings is not None:
                warnings.append(f"{path}: {where}: IMO number {imo} fails its check digit; kept as written")
    for mmsi in numbered(by_field.get("mmsi", "")):
        entity.identifiers.append(Identifier("mmsi", mmsi))
    for call_sign in numbered(by_field.get("call_sign", "")):
        entity.identifiers.append(Identifier("call_sign", call_sign))
    for flag in numbered(by_field.get("flag", "")):
        code = to_code(flag) or ""
        entity.add_property("flag", code or flag)
        if code and code not in entity.countries:
            entity.countries.append(code)
    if by_field.get("type"):
        entity.add_property("type", by_field["type"])
    raw_date = by_field.get("date", "")
    if raw_date:
        first = numbered(raw_date)[0]
        spec = parse_date(first)
        if spec and len(spec.start) == 10:
            entity.listed_on = spec.start
        else:
            entity.notes.append(f"Date of designation (as written, not a readable date): {raw_date}")
            if warnings is not None:
                warnings.append(
                    f"{path}: {where}: date of designation {raw_date!r} is not a date; kept as a note"
                )
    for header, value in values.items():
        label = measure_label(header) if _COLUMNS.get(header) is None else None
        if label and value.casefold().strip(" .") not in _NOT_MARKED:
            entity.add_property("measures", f"{label} ({header})")
            entity.add_property("sanctions", label)
    owner = by_field.get("owner", "")
    if owner:
        entity.notes.append(f"Designated as economic resources of: {owner}")
        for ref in _UN_REF_RE.findall(owner) or [owner]:
            if ref not in entity.linked_to:
                entity.linked_to.append(ref)
    info = by_field.get("info", "")
    if info:
        entity.notes.append(info)
        for ref in _UN_REF_RE.findall(info):
            if ref not in entity.linked_to:
                entity.linked_to.append(ref)
    return entity
