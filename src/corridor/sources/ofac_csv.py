"""OFAC legacy CSV file sets: the SDN list (sdn.csv) and the Non-SDN list (cons_prim.csv).

A set is up to four header-less CSV files published together:

    sdn.csv / cons_prim.csv     ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
                                Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks
    alt.csv / cons_alt.csv      ent_num, alt_num, alt_type (aka/fka/nka), alt_name, alt_remarks
    add.csv / cons_add.csv      ent_num, add_num, address, city/state/province/postal code,
                                country, add_remarks
    sdn_comments.csv /          ent_num, remarks overflow
    cons_comments.csv

Byte facts (all shared files): ASCII text, CRLF line ends, one record per line,
`-0- ` (with a trailing space) for null, a final 0x1A (DOS EOF) byte.  The
Program column joins programs as `NPWMD] [DPRK2`.  Remarks are cut at exactly
1000 characters; the comments file holds the rest, to be appended *verbatim*
(the cut can fall inside a word or just after a space: "...1027700070518 " +
"(Russia); ...").  alt.csv holds the strong aliases only; weak aliases are the
a.k.a.s inside Remarks (see ofac_remarks).

`parse(path)` takes the set's directory or its sdn.csv / cons_prim.csv; the
sibling files of the same set are read when present next to it.  sdn.csv is
streamed row by row; the small sibling files are loaded first, keyed by ent_num.
Text is decoded as UTF-8 (ASCII in practice), else cp1252; a NUL byte (UTF-16
and other wide encodings) or undecodable bytes raise ParseError with the line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from corridor.model import Address, Entity, Identifier, NameKind, make_name
from corridor.sources.base import ListMeta, ParsedList, ParseError
from corridor.sources.ofac_remarks import (
    REMARKS_FIELD_LIMIT,
    apply_facts,
    country_code,
    parse_remarks,
    person_name,
)
from corridor.types.text import is_ascii_digits

FORMAT = "ofac-csv"

SDN_COLUMNS = 12
ALT_COLUMNS = 5
ADD_COLUMNS = 6
COMMENTS_COLUMNS = 2

# main file name -> (source key, alt, add, comments sibling names)
_SETS: dict[str, tuple[str, str, str, str]] = {
    "sdn.csv": ("ofac-sdn", "alt.csv", "add.csv", "sdn_comments.csv"),
    "cons_prim.csv": ("ofac-cons", "cons_alt.csv", "cons_add.csv", "cons_comments.csv"),
}

_ALT_KINDS = {"aka": NameKind.ALIAS, "fka": NameKind.FORMER, "nka": NameKind.ALIAS}

# Legal forms that make an unlabelled (blank SDN_Type) entity a Company rather than
# an Organization.  Whole words/abbreviations only, matched in the upper-cased name.
_COMPANY_RE = re.compile(
    r"(?:^|(?<=[\s,(\"']))(?:"
    r"LLC|L\.L\.C\.|LLP|LIMITED LIABILITY COMPANY|LIMITED|LTD\.?|LTDA\.?|OOO|OAO|ZAO|PAO|AO|TOO|"
    r"JSC|OJSC|CJSC|PJSC|JOINT[- ]STOCK COMPANY|CO\.|COMPANY|CORPORATION|CORP\.?|INC\.?|INCORPORATED|"
    r"GMBH|AG|PLC|PTE\.?|S\.A\.(?:S\.|L\.|C\.)?|S\.R\.L\.|SRL|B\.V\.|N\.V\.|SDN\.? BHD\.?|FZE|FZCO|FZC|"
    r"DMCC|A\.S\.|KFT|S\.P\.A\.|SPA|UAB|SIA|EOOD|D\.O\.O\.|DOO|S\. DE R\.L\.|C\.A\."
    r")(?=$|[\s,;)\"'])"
)
_PROGRAM_SPLIT_RE = re.compile(r"\]\s*\[")


@dataclass(slots=True)
class FileSet:
    """The files of one CSV set (siblings None when absent)."""

    main: Path
    source: str
    alt: Path | None = None
    add: Path | None = None
    comments: Path | None = None

    @property
    def files(self) -> list[Path]:
        return [p for p in (self.main, self.alt, self.add, self.comments) if p is not None]


@dataclass(slots=True)
class SetCounts:
    """Join bookkeeping, reported in `meta.extra` once the parse is complete."""

    rows: int = 0
    alt_rows: int = 0
    alt_attached: int = 0
    add_rows: int = 0
    add_attached: int = 0
    add_empty: int = 0  # every column "-0-": nothing to attach
    comments_rows: int = 0
    comments_attached: int = 0
    remarks_truncated: list[str] = field(default_factory=list)  # ent_nums cut at 1000, no overflow
    orphans: dict[str, list[str]] = field(default_factory=dict)  # file -> ent_nums absent from main


# --- reading ----------------------------------------------------------------------


def _find(directory: Path, name: str) -> Path | None:
    """A file in `directory` by name, case-insensitively (OFAC has served SDN.CSV too)."""
    exact = directory / name
    if exact.is_file():
        return exact
    for candidate in directory.iterdir():
        if candidate.is_file() and candidate.name.casefold() == name:
            return candidate
    return None


def locate(path: Path) -> FileSet:
    """The file set for a directory or a main file (siblings only next to a canonically
    named main file: a renamed sdn.csv may not belong with the alt.csv beside it)."""
    if path.is_dir():
        mains = [(name, found) for name in _SETS if (found := _find(path, name)) is not None]
        if not mains:
            raise ParseError(path, "", "no sdn.csv or cons_prim.csv in this directory")
        if len(mains) > 1:
            raise ParseError(path, "", "directory holds both sdn.csv and cons_prim.csv; name the file")
        name, main = mains[0]
    else:
        main = path
        name = path.name.casefold()
    if name in _SETS:
        source, alt, add, comments = _SETS[name]
        directory = main.parent
        return FileSet(main, source, _find(directory, alt), _find(directory, add), _find(directory, comments))
    source = "ofac-cons" if name.startswith("cons") else "ofac-sdn"
    return FileSet(main, source)


def _decode(path: Path, line_no: int, raw: bytes) -> str:
    if b"\x00" in raw:
        raise ParseError(
            path, f"line {line_no}", "NUL byte: not OFAC's single-byte text (UTF-16 or binary file?)"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ParseError(path, f"line {line_no}", f"undecodable byte 0x{raw[exc.start]:02x}") from exc


def read_rows(path: Path, columns: int) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each record of a header-less OFAC CSV file.

    Streams the file; a quoted field spanning lines is joined (never seen in the
    official files, but legal CSV).  The 0x1A EOF byte ends the data."""
    pending = ""
    start = 0
    eof_marker_line = 0
    with open(path, "rb") as handle:
        for line_no, raw in enumerate(handle, start=1):
            if line_no == 1:
                if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                    raise ParseError(
                        path, "line 1", "UTF-16 byte-order mark: expected OFAC's single-byte text"
                    )
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            body = raw.rstrip(b"\r\n")
            if eof_marker_line:
                if body.strip(b"\x1a \t"):
                    raise ParseError(
                        path, f"line {line_no}", f"data after the end-of-file byte (line {eof_marker_line})"
                    )
                continue
            if body.endswith(b"\x1a"):
                eof_marker_line = line_no
                body = body.rstrip(b"\x1a")
            text = _decode(path, line_no, body)
            if not pending and not text.strip():
                continue
            if pending:
                pending += "\n" + text
            else:
                pending, start = text, line_no
            if pending.count('"') % 2:
                continue  # a quoted field continues on the next line
            try:
                fields = next(csv.reader([pending]))
            except csv.Error as exc:  # a bare CR inside a record, a stray quote...
                raise ParseError(path, f"line {start}", f"malformed CSV: {exc}") from exc
            pending = ""
            if len(fields) != columns:
                raise ParseError(path, f"line {start}", f"expected {columns} columns, found {len(fields)}")
            yield start, fields
    if pending:
        raise ParseError(path, f"line {start}", "unterminated quoted field at end of file")


def _value(field_text: str) -> str:
    """A column value with OFAC's "-0- " null mapped to ""."""
    text = field_text.strip()
    return "" if text == "-0-" else text


def _ent_num(path: Path, line_no: int, text: str) -> str:
    text = text.strip()
    if not is_ascii_digits(text):
        raise ParseError(path, f"line {line_no}", f"ent_num {text!r} is not a number")
    return str(int(text))


# --- pure record logic --------------------------------------------------------------


def parse_programs(text: str) -> list[str]:
    """ "NPWMD] [DPRK2" -> ["NPWMD", "DPRK2"]."""
    programs: list[str] = []
    for part in _PROGRAM_SPLIT_RE.split(_value(text)):
        program = part.strip(" []")
        if program and program not in programs:
            programs.append(program)
    return programs


def entity_schema(sdn_type: str, name: str) -> str:
    kind = _value(sdn_type).casefold()
    if kind == "individual":
        return "Person"
    if kind == "vessel":
        return "Vessel"
    if kind == "aircraft":
        return "Aircraft"
    return "Company" if _COMPANY_RE.search(name.upper()) else "Organization"


def make_address(fields: list[str]) -> Address | None:
    """An add.csv row (without ent_num/add_num) to an Address; None when all null.
    OFAC's second column joins city, state/province and postal code as written;
    it is kept whole in `city`."""
    street, city, country_text, remarks = (_value(f) for f in fields)
    if not (street or city or country_text or remarks):
        return None
    code = country_code(country_text) if country_text else None
    notes = [remarks] if remarks else []
    if country_text and not code:
        notes.append(f"country: {country_text}")
    full = ", ".join(part for part in (street, city, country_text) if part)
    return Address(full=full, street=street, city=city, country=code or "", note="; ".join(notes))


def build_entity(
    source: str,
    row: list[str],
    aliases: list[list[str]] | None = None,
    addresses: list[Address] | None = None,
    overflow: str | None = None,
) -> tuple[Entity, bool]:
    """One sdn.csv row (with its alt rows, addresses and remarks overflow) to an
    Entity; also says whether the remarks were cut without an overflow."""
    ent_num = str(int(row[0].strip()))
    primary = _value(row[1])
    schema = entity_schema(row[2], primary)
    entity = Entity(id=f"ofac:{ent_num}", source=source, schema=schema, list_ref=ent_num)
    name = person_name(primary) if schema == "Person" else make_name(primary)
    if name:
        entity.names.append(name)
    entity.programs = parse_programs(row[3])
    title = _value(row[4])
    if title:
        entity.titles.append(title)

    call_sign, vessel_type, tonnage, grt, flag, owner = (_value(f) for f in row[5:11])
    if call_sign:
        entity.add_property("callSign", call_sign)
        entity.identifiers.append(Identifier("call_sign", call_sign))
    entity.add_property("type", vessel_type)
    entity.add_property("tonnage", tonnage)
    entity.add_property("grossRegisteredTonnage", grt)
    if flag:
        code = country_code(flag)
        if code:
            entity.add_property("flag", code)
        else:
            entity.notes.append(f"Vessel flag: {flag}")
    entity.add_property("owner", owner)

    for alt in aliases or []:
        alt_type, alt_name, alt_remarks = _value(alt[0]).casefold(), _value(alt[1]), _value(alt[2])
        kind = _ALT_KINDS.get(alt_type.replace(".", ""), NameKind.ALIAS)
        note = "; ".join(part for part in ("n.k.a." if alt_type.startswith("n") else "", alt_remarks) if part)
        alias = (
            person_name(alt_name, kind, note) if schema == "Person" else make_name(alt_name, kind, note=note)
        )
        if alias and alias not in entity.names and not (name and alias.full == name.full):
            entity.names.append(alias)

    for address in addresses or []:
        if address not in entity.addresses:
            entity.addresses.append(address)
        if address.country and address.country not in entity.countries:
            entity.countries.append(address.country)

    raw_remarks = row[11]
    if overflow is not None:
        raw_remarks = raw_remarks + overflow  # verbatim: the cut may split a word
    remarks = _value(raw_remarks)
    truncated = overflow is None and len(row[11]) >= REMARKS_FIELD_LIMIT
    if remarks:
        entity.add_property("remarks", remarks)
        apply_facts(entity, parse_remarks(remarks, truncated=truncated))
    return entity, truncated


# --- parser entry points --------------------------------------------------------------


def sniff(path: Path, head: bytes) -> bool:
    """A header-less 12-column OFAC CSV whose first field is an ent_num."""
    if path.is_dir():
        try:
            path = locate(path).main
        except ParseError:
            return False
        with open(path, "rb") as handle:
            head = handle.read(65536)
    if b"\x00" in head[:200]:
        return path.name.casefold() in _SETS  # UTF-16 sdn.csv: let parse() name the problem
    first = head.split(b"\n", 1)[0].rstrip(b"\r").removeprefix(b"\xef\xbb\xbf")
    try:
        fields = next(csv.reader([first.decode("cp1252", errors="replace")]))
    except (csv.Error, StopIteration):
        return False
    return len(fields) == SDN_COLUMNS and is_ascii_digits(fields[0].strip())


def _load_side(path: Path, columns: int) -> dict[str, list[tuple[int, list[str]]]]:
    rows: dict[str, list[tuple[int, list[str]]]] = {}
    for line_no, fields in read_rows(path, columns):
        rows.setdefault(_ent_num(path, line_no, fields[0]), []).append((line_no, fields[1:]))
    return rows


def _entities(files: FileSet, meta: ListMeta) -> Iterator[Entity]:
    counts = SetCounts()
    alt_rows = _load_side(files.alt, ALT_COLUMNS) if files.alt else {}
    add_rows = _load_side(files.add, ADD_COLUMNS) if files.add else {}
    comment_rows = _load_side(files.comments, COMMENTS_COLUMNS) if files.comments else {}
    counts.alt_rows = sum(len(v) for v in alt_rows.values())
    counts.add_rows = sum(len(v) for v in add_rows.values())
    counts.comments_rows = sum(len(v) for v in comment_rows.values())
    seen: set[str] = set()
    for line_no, fields in read_rows(files.main, SDN_COLUMNS):
        ent_num = _ent_num(files.main, line_no, fields[0])
        if ent_num in seen:
            raise ParseError(files.main, f"line {line_no}", f"ent_num {ent_num} appears twice")
        seen.add(ent_num)
        aliases = [alt[1:] for _, alt in alt_rows.get(ent_num, [])]  # drop alt_num
        counts.alt_attached += len(aliases)
        addresses: list[Address] = []
        for _, add in add_rows.get(ent_num, []):
            address = make_address(add[1:])  # drop add_num
            if address is None:
                counts.add_empty += 1
            else:
                addresses.append(address)
                counts.add_attached += 1
        overflow_parts = [c[0] for _, c in comment_rows.get(ent_num, [])]
        counts.comments_attached += len(overflow_parts)
        overflow = "".join(overflow_parts) if overflow_parts else None
        entity, truncated = build_entity(meta.source, fields, aliases, addresses, overflow)
        if truncated:
            counts.remarks_truncated.append(ent_num)
        counts.rows += 1
        yield entity
    for label, rows in (("alt", alt_rows), ("add", add_rows), ("comments", comment_rows)):
        orphans = sorted(set(rows) - seen, key=int)
        if orphans:
            counts.orphans[label] = orphans
    meta.extra.update(
        {
            "rows": counts.rows,
            "alt_rows": counts.alt_rows,
            "alt_attached": counts.alt_attached,
            "add_rows": counts.add_rows,
            "add_attached": counts.add_attached,
            "add_empty": counts.add_empty,
            "comments_rows": counts.comments_rows,
            "comments_attached": counts.comments_attached,
            "remarks_truncated": counts.remarks_truncated,
            "orphans": counts.orphans,
        }
    )


def parse(path: Path) -> ParsedList:
    files = locate(path)
    titles = {
        "ofac-sdn": "OFAC SDN list (legacy CSV)",
        "ofac-cons": "OFAC Non-SDN Consolidated list (legacy CSV)",
    }
    meta = ListMeta(
        source=files.source,
        format=FORMAT,
        title=titles[files.source],
        files=[str(p) for p in files.files],
        # The CSV files carry no date; the importer supplies one (inferred) if needed.
        extra={
            "set_files": {
                k: (str(v) if v else "")
                for k, v in (("alt", files.alt), ("add", files.add), ("comments", files.comments))
            }
        },
    )
    return ParsedList(meta=meta, entities=_entities(files, meta))
