"""OFSI Consolidated List (`ConList.xlsx`, and the same layout as `ConList.csv`).

Layout: row 1 is `Last Updated | dd/mm/yyyy`, row 2 the 36 column headers
(Name 6 = surname or entity name, Name 1..5 = given names, Title, Name Non-Latin
Script, DOB, Nationality, Passport Number, Address 1..6, Other Information,
Group Type, Alias Type, Alias Quality, Regime, Listed On, Group ID...), then
one row per *name variant* of a designation.  Rows of one designation share a
`Group ID` but are not adjacent, and each row repeats the designation's other
facts (a person with 3 names and 3 birth years has 9 rows).

So rows are folded per Group ID into sets of distinct facts (names, birth
dates, addresses...) -- compact, because repeated values collapse -- and one
`Entity` per Group ID is built once the sheet has been read.  The workbook is
read with openpyxl in read-only (streaming) mode; the CSV with the csv module.

`Other Information` carries labelled facts: "(UK Sanctions List Ref):DPR0189.
(UN Ref):KPe.018. ... (IMO number):7408873 (Flag of ship):North Korea ...";
they become list_ref, un_refs, identifiers and vessel properties.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry

from corridor.model import Address, Entity, Identifier, Name, NameKind, detect_script, primary_first
from corridor.sources.base import ListMeta, ParsedList, ParseError, check_zip, decoded_lines
from corridor.sources.ofac_advanced import organisation_schema
from corridor.types.countries import to_code
from corridor.types.dates import parse_date, parse_single

FORMAT = "uk-conlist"
SOURCE = "uk"

REQUIRED_COLUMNS = ("Name 6", "Group Type", "Alias Type", "Regime", "Group ID")
NAME_COLUMNS = ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5")
ADDRESS_COLUMNS = ("Address 1", "Address 2", "Address 3", "Address 4", "Address 5", "Address 6")

GROUP_SCHEMA = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}

# Facts folded per group: each a tuple of columns whose values belong together in a row.
_FACETS: dict[str, tuple[str, ...]] = {
    "name": (
        "Name 6",
        *NAME_COLUMNS,
        "Alias Type",
        "Alias Quality",
        "Name Non-Latin Script",
        "Non-Latin Script Type",
        "Non-Latin Script Language",
    ),
    "title": ("Title",),
    "dob": ("DOB",),
    "birth": ("Town of Birth", "Country of Birth"),
    "nationality": ("Nationality",),
    "passport": ("Passport Number", "Passport Details"),
    "national_id": ("National Identification Number", "National Identification Details"),
    "position": ("Position",),
    "address": (*ADDRESS_COLUMNS, "Post/Zip Code", "Country"),
    "other": ("Other Information",),
    "type": ("Group Type",),
    "listing": ("Regime", "Listed On", "UK Sanctions List Date Designated", "Last Updated"),
}

# Labels OFSI uses inside "Other Information": "(Label):value".
_OI_LABELS = (
    "UK Sanctions List Ref",
    "UK Statement of Reasons",
    "UN Ref",
    "Gender",
    "Phone number",
    "Tel",
    "Fax",
    "Email address",
    "Website",
    "Type of entity",
    "Business Reg No",
    "Parent company",
    "Subsidiaries",
    "IMO number",
    "Current owners",
    "Flag of ship",
    "Previous flags",
    "Type of ship",
    "Tonnage of ship",
    "Length of ship",
    "Year built",
)
_OI_RE = re.compile(r"\((" + "|".join(re.escape(label) for label in _OI_LABELS) + r")\)\s*:\s*")
# Labels whose value is a short code; text after the code is free text, not the value.
_CODE_RES = {
    "UK Sanctions List Ref": re.compile(r"^([A-Z]{2,4}\d{3,5})\.?\s*"),
    # UN references are "KPe.018"; the ConList sometimes writes "QDE.145"
    "UN Ref": re.compile(r"^([A-Z]{2}[A-Za-z])\.\s?(\d{3})\.?\s*"),
    "Gender": re.compile(r"^(Male|Female)\.?\s*", re.IGNORECASE),
    "IMO number": re.compile(r"^(\d{7})\.?\s*"),
}
_NUMBERED_RE = re.compile(r"\(\d+(?:-\d+)?\)\s*")
_TAX_NUMBER_RE = re.compile(
    r"(?:(?P<tax>\b(?:TIN|INN|Tax ID(?: No\.?)?|Tax Identification Number|VAT)\b)\s*[:\-.]?\s*)?(?P<number>\d[\d\-/ ]{4,}\d)",
    re.IGNORECASE,
)
_COUNTRY_NOW_RE = re.compile(
    r"\b(?:now|currently)\s+(?:the\s+)?([A-Za-z][A-Za-z ,.'-]+?)\)?\s*$", re.IGNORECASE
)
# Country names in the UK lists that `countries.to_code` does not resolve.
_COUNTRY_ALIASES = {
    "congo democratic republic": "cd",
    "democratic republic of congo": "cd",
    "occupied palestinian territories": "ps",
    "palestinian territories": "ps",
    "palestine": "ps",
    "bosnia herzegovina": "ba",
    "uzbekhistan": "uz",
    "sundan": "sd",
    "russian": "ru",
    "german": "de",
    "britain": "gb",
    "moldovan": "md",
}
_SCRIPT_TYPES = {"cyrillic": "Cyrillic", "cryillic": "Cyrillic", "cyrilic": "Cyrillic", "russian": "Cyrillic"}


def sniff(path: Path, head: bytes) -> bool:
    if head.startswith(b"PK"):
        return _xlsx_has_headers(path)
    text = head.decode("utf-8-sig", errors="replace")
    first = text.split("\n", 1)[0]
    # "Group ID" is not required here: a ConList missing it must reach parse(),
    # which names the missing column, instead of being called unrecognised
    return first.startswith("Last Updated") and "Name 6" in text


def _xlsx_has_headers(path: Path) -> bool:
    """An .xlsx whose strings hold the ConList headers (cheap: no sheet load).
    Excel keeps strings in sharedStrings.xml; other writers (openpyxl) inline
    them in the first worksheet."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            member = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else "xl/worksheets/sheet1.xml"
            if member not in names:
                return False
            with archive.open(member) as handle:
                strings = handle.read(262144)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):  # corrupt members too
        return False
    return b"Name 6" in strings and b"Last Updated" in strings


def parse(path: Path) -> ParsedList:
    rows, close = _open_rows(path)
    try:
        published, columns = _read_header(path, rows)
    except BaseException:
        close()
        raise
    meta = ListMeta(
        source=SOURCE,
        format=FORMAT,
        published=published,
        title="OFSI Consolidated List of Financial Sanctions Targets",
        files=[str(path)],
    )
    return ParsedList(meta=meta, entities=_entities(path, rows, columns, meta, close))


# --- reading ----------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A cell as text: dates as ISO, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _open_rows(path: Path) -> tuple[Iterator[tuple[int, list[str]]], Any]:
    """(row number, cell texts) for every row, and a function closing the file."""
    if path.suffix.lower() == ".csv" or not zipfile.is_zipfile(path):
        handle = decoded_lines(path, _csv_encoding(path))  # closed via `close`
        reader = csv.reader(handle)
        rows = ((n, [_cell(v) for v in row]) for n, row in enumerate(reader, start=1))
        return _csv_errors(path, reader, rows), handle.close
    import openpyxl  # imported here: only spreadsheet inputs need it

    check_zip(path)  # a zip bomb is refused before anything is inflated
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise ParseError(path, "", f"cannot open spreadsheet: {exc}") from exc
    rows = ((n, [_cell(v) for v in row]) for n, row in enumerate(sheet.iter_rows(values_only=True), start=1))
    return _sheet_errors(path, rows), workbook.close


def _sheet_errors(path: Path, rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """Errors while streaming a sheet (a corrupt member, malformed XML) as ParseError."""
    row = 0
    try:
        for row, cells in rows:
            yield row, cells
    except ParseError:
        raise
    except Exception as exc:  # openpyxl, zipfile and the XML parser raise many types
        raise ParseError(
            path, f"row {row + 1}", f"cannot read spreadsheet: {type(exc).__name__}: {exc}"
        ) from exc


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) unless the bytes say otherwise; older OFSI CSV
    exports are Windows-1252.  Checked chunk by chunk, never holding the file."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _csv_errors(
    path: Path, reader: Any, rows: Iterator[tuple[int, list[str]]]
) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from rows
    except csv.Error as exc:
        raise ParseError(path, f"line {reader.line_num}", f"malformed CSV: {exc}") from exc


def _read_header(path: Path, rows: Iterator[tuple[int, list[str]]]) -> tuple[str, dict[str, int]]:
    first = next(rows, None)
    if first is None or not first[1] or first[1][0] != "Last Updated":
        raise ParseError(path, "row 1", "expected 'Last Updated' and the list date: not an OFSI ConList")
    published = parse_single(first[1][1] if len(first[1]) > 1 else "", day_first=True) or ""
    second = next(rows, None)
    if second is None:
        raise ParseError(path, "row 2", "no column headers")
    columns = {name: index for index, name in enumerate(second[1]) if name}
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ParseError(path, "row 2", f"missing required column(s): {', '.join(repr(m) for m in missing)}")
    return published, columns


@dataclass(slots=True)
class _Group:
    """Distinct facts of one Group ID, in first-seen order (dict keys as ordered sets)."""

    first_row: int
    facets: dict[str, dict[tuple[str, ...], None]] = field(default_factory=dict)

    def add(self, facet: str, values: tuple[str, ...]) -> None:
        if any(values):
            self.facets.setdefault(facet, {})[values] = None

    def get(self, facet: str) -> list[tuple[str, ...]]:
        return list(self.facets.get(facet, {}))


def _entities(
    path: Path,
    rows: Iterator[tuple[int, list[str]]],
    columns: dict[str, int],
    meta: ListMeta,
    close: Any,
) -> Iterator[Entity]:
    groups: dict[str, _Group] = {}
    row_count = 0
    try:
        for number, cells in rows:
            if not any(cells):
                continue

            def cell(name: str, cells: list[str] = cells) -> str:
                index = columns.get(name)
                return cells[index] if index is not None and index < len(cells) else ""

            group_id = cell("Group ID")
            if not group_id:
                raise ParseError(path, f"row {number}: Group ID", "empty Group ID")
            if not cell("Name 6") and not any(cell(c) for c in NAME_COLUMNS):
                raise ParseError(path, f"row {number}: Name 6", "row has no name")
            if cell("Group Type").lower() not in GROUP_SCHEMA:
                raise ParseError(
                    path, f"row {number}: Group Type", f"unknown Group Type {cell('Group Type')!r}"
                )
            row_count += 1
            group = groups.get(group_id)
            if group is None:
                group = groups[group_id] = _Group(first_row=number)
            for facet, facet_columns in _FACETS.items():
                group.add(facet, tuple(cell(c) for c in facet_columns))
    finally:
        close()
    meta.extra["rows"] = row_count
    meta.extra["groups"] = len(groups)
    for group_id, group in groups.items():
        yield build_entity(group_id, group)


# --- building -----------------------------------------------------------------------------


def split_numbered(text: str) -> list[str]:
    """ "(1) Mullah (2) Maulavi" -> ["Mullah", "Maulavi"]; plain text -> [text]."""
    if not text:
        return []
    parts = _NUMBERED_RE.split(text) if _NUMBERED_RE.search(text) else [text]
    return [p.strip().rstrip(".;,").strip() for p in parts if p.strip().rstrip(".;,").strip()]


def country_code(text: str) -> str:
    """ISO alpha-2 for the country names the UK lists write ("" when unknown)."""
    text = text.strip().strip(".").strip()
    if not text:
        return ""
    code = to_code(text)
    if code:
        return code
    key = " ".join(re.findall(r"[a-z0-9]+", text.casefold().replace("'", "")))
    if key in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[key]
    if match := _COUNTRY_NOW_RE.search(text):  # "Former USSR, now Ukraine"
        return country_code(match.group(1))
    without_brackets = re.sub(r"\([^)]*\)", " ", text).strip()  # "Iraq (previous address)"
    if without_brackets and without_brackets != text:
        return country_code(without_brackets)
    first = re.split(r"[.;,]", text)[0].strip()  # "Russia. Former USSR"
    if first and first != text:
        return country_code(first)
    return ""


@lru_cache(maxsize=256)
def language_code(text: str) -> str:
    """ISO 639 code (alpha-2 where there is one) of a language name, "" if unknown."""
    for part in re.split(r"[/,]", text):
        try:
            language = pycountry.languages.lookup(part.strip())
        except LookupError:
            continue
        return str(getattr(language, "alpha_2", "") or language.alpha_3)
    return ""


def split_other_information(text: str) -> tuple[dict[str, list[str]], list[str]]:
    """Labelled facts of "Other Information" and the free text around them."""
    labelled: dict[str, list[str]] = {}
    free: list[str] = []
    matches = list(_OI_RE.finditer(text))
    if not matches:
        return labelled, [text] if text.strip() else []
    if text[: matches[0].start()].strip():
        free.append(text[: matches[0].start()].strip())
    for index, match in enumerate(matches):
        label = match.group(1)
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        value = text[match.end() : end].strip()
        code_re = _CODE_RES.get(label)
        if code_re is not None and (code := code_re.match(value)):
            rest = value[code.end() :].strip()
            if label == "UN Ref":
                prefix, number = code.groups()
                value = f"{prefix[:2]}{prefix[2].lower()}.{number}"
            else:
                value = code.group(1)
            if rest:
                free.append(rest)
        labelled.setdefault(label, []).append(value.rstrip(" .;"))
    return labelled, free


def _name_kind(alias_type: str, quality: str) -> tuple[NameKind, str]:
    alias_type, quality = alias_type.strip().lower(), quality.strip().lower()
    if alias_type == "primary name":
        return NameKind.PRIMARY, ""
    if alias_type == "primary name variation":
        return NameKind.ALIAS, "primary name variation"
    if alias_type == "fka":
        return NameKind.FORMER, quality
    if quality.startswith("low"):
        return NameKind.WEAK_ALIAS, quality
    return NameKind.ALIAS, quality


def _names(rows: list[tuple[str, ...]], schema: str) -> list[Name]:
    names: list[Name] = []
    for surname, n1, n2, n3, n4, n5, alias_type, quality, non_latin, script_type, language in rows:
        kind, note = _name_kind(alias_type, quality)
        given = " ".join(p for p in (n1, n2, n3, n4, n5) if p)
        full = " ".join(p for p in (given, surname) if p)
        if full:
            name = Name(
                full=full,
                kind=kind,
                script=detect_script(full),
                # Parts only where the list splits the name (a bare Name 6 is a whole name).
                given=given if schema == "Person" else "",
                family=surname if schema == "Person" and given else "",
                note=note,
            )
            if name not in names:
                names.append(name)
        for original in split_numbered(non_latin):
            declared = _SCRIPT_TYPES.get(script_type.lower(), script_type)
            script = detect_script(original) or declared
            name = Name(full=original, kind=kind, script=script, lang=language_code(language), note=note)
            if name not in names:
                names.append(name)
    # A few groups list only "primary name variation"s: the first is the primary name.
    return primary_first(names)


def _add(values: list[str], *new: str) -> None:
    for value in new:
        if value and value not in values:
            values.append(value)


def _identifier(entity: Entity, kind: str, value: str, country: str = "", note: str = "") -> None:
    value = value.strip()
    if value:
        identifier = Identifier(type=kind, value=value, country=country, note=note)
        if identifier not in entity.identifiers:
            entity.identifiers.append(identifier)


def _documents(entity: Entity, kind: str, rows: list[tuple[str, ...]]) -> None:
    """Numbers paired with their details by position: "(1) A1 (2) B2" / "(1) Libya (2) UK"."""
    for numbers, details in rows:
        number_list = split_numbered(numbers)
        detail_list = split_numbered(details)
        for index, number in enumerate(number_list):
            note = detail_list[index] if len(detail_list) == len(number_list) else details
            _identifier(entity, kind, number, country_in_text(note), note)


def country_in_text(text: str) -> str:
    """The country a document note names ("Issued by Russian Federation", "Libya number")."""
    for chunk in re.split(r"[.,;()]", text):
        words = chunk.split()
        for size in range(min(len(words), 5), 0, -1):
            for start in range(len(words) - size + 1):
                code = to_code(" ".join(words[start : start + size]))
                if code and len(" ".join(words[start : start + size])) > 3:
                    return code
    return ""


def _registrations(entity: Entity, value: str) -> None:
    found = False
    for item in split_numbered(value):
        for match in _TAX_NUMBER_RE.finditer(item):
            found = True
            kind = "tax_id" if match.group("tax") else "registration"
            _identifier(entity, kind, match.group("number").replace(" ", ""), note=item)
    if not found and value.strip():
        _identifier(entity, "registration", value, note="Business Reg No")


def _apply_other_information(entity: Entity, text: str) -> None:
    labelled, free = split_other_information(text)
    for ref in labelled.get("UK Sanctions List Ref", []):
        entity.list_ref = entity.list_ref or ref
        entity.add_property("ukSanctionsListRef", ref)
    for ref in labelled.get("UN Ref", []):
        _add(entity.un_refs, ref)
    for gender in labelled.get("Gender", []):
        if gender.lower() in ("male", "female"):
            entity.gender = gender.lower()
    for label, kind in (
        ("Phone number", "phone"),
        ("Tel", "phone"),
        ("Fax", "phone"),
        ("Email address", "email"),
    ):
        for value in labelled.get(label, []):
            for item in split_numbered(value):
                _identifier(entity, kind, item, note=label)
    for value in labelled.get("Website", []):
        for item in split_numbered(value):
            _identifier(entity, "email" if "@" in item else "website", item, note="Website")
    for value in labelled.get("Business Reg No", []):
        _registrations(entity, value)
    for value in labelled.get("IMO number", []):
        _identifier(entity, "imo", value)
    for label in ("Parent company", "Subsidiaries", "Current owners"):
        for value in labelled.get(label, []):
            _add(entity.linked_to, *split_numbered(value))
    for value in labelled.get("Type of entity", []):
        entity.add_property("legalForm", value)
    for label, prop in (("Flag of ship", "flag"), ("Previous flags", "pastFlags")):
        for value in labelled.get(label, []):
            for flag in re.split(r"[.;,]\s*|\(\d+\)\s*", value):
                code = country_code(flag)
                entity.add_property(prop, code or flag)
                if prop == "flag" and code:
                    _add(entity.countries, code)
    for label, prop in (
        ("Type of ship", "type"),
        ("Tonnage of ship", "tonnage"),
        ("Year built", "buildDate"),
    ):
        for value in labelled.get(label, []):
            entity.add_property(prop, value)
    for value in labelled.get("Length of ship", []):
        _add(entity.notes, f"Length of ship: {value}")
    for value in labelled.get("UK Statement of Reasons", []):
        _add(entity.notes, value)
    for value in free:
        _add(entity.notes, value)


def build_entity(group_id: str, group: _Group, source: str = SOURCE) -> Entity:
    group_type = group.get("type")[0][0].lower()
    schema = GROUP_SCHEMA[group_type]
    entity = Entity(id=f"{source}:{group_id}", source=source, schema=schema)
    entity.names = _names(group.get("name"), schema)
    for (text,) in group.get("other"):
        _apply_other_information(entity, text)
    entity.list_ref = entity.list_ref or group_id
    entity.add_property("ofsiGroupId", group_id)
    if schema == "Organization":
        forms = entity.properties.get("legalForm", [])
        entity.schema = (
            "Company" if _is_business(forms) else organisation_schema(n.full for n in entity.names)
        )

    for (titles,) in group.get("title"):
        _add(entity.titles, *split_numbered(titles))
    for (dob,) in group.get("dob"):
        for text in split_numbered(dob):
            spec = parse_date(text, day_first=True)
            if spec is not None and spec not in entity.birth_dates:
                entity.birth_dates.append(spec)
            elif spec is None:
                _add(entity.notes, f"DOB: {text}")
    for towns, countries in group.get("birth"):
        town_list, country_list = split_numbered(towns), split_numbered(countries)
        if len(town_list) == len(country_list):
            places = [", ".join(p for p in pair if p) for pair in zip(town_list, country_list, strict=True)]
        else:
            places = [*town_list, *country_list]
        _add(entity.birth_places, *places)
    for (nationality,) in group.get("nationality"):
        for text in split_numbered(nationality):
            code = country_code(text)
            if code:
                _add(entity.nationalities, code)
            else:
                entity.add_property("nationalityText", text)
    _documents(entity, "passport", group.get("passport"))
    _documents(entity, "national_id", group.get("national_id"))
    for (position,) in group.get("position"):
        _add(entity.positions, *split_numbered(position))
    for row in group.get("address"):
        address = _address(row)
        if address not in entity.addresses:
            entity.addresses.append(address)
        _add(entity.countries, address.country)
    designated: list[str] = []
    for regime, listed_on, date_designated, last_updated in group.get("listing"):
        _add(entity.programs, regime)
        for prop, value in (("listingDate", listed_on), ("modifiedAt", last_updated)):
            iso = parse_single(value, day_first=True)
            if iso:
                entity.add_property(prop, iso)
        _add(designated, parse_single(date_designated or listed_on, day_first=True) or "")
    entity.listed_on = min(designated) if designated else ""
    return entity


def _is_business(legal_forms: Iterable[str]) -> bool:
    return any(
        re.search(r"company|enterprise|business|corporation|firm|bank", f, re.IGNORECASE) for f in legal_forms
    )


def _address(row: tuple[str, ...]) -> Address:
    *lines, postal, country = row
    street = ", ".join(line for line in lines[:5] if line)
    city = lines[5]
    full = ", ".join(p for p in (*lines, postal, country) if p)
    return Address(full=full, street=street, city=city, postal_code=postal, country=country_code(country))
