"""The FCDO "UK Sanctions List" (the list that replaces the OFSI ConList).

Two layouts are read:

* the full XML export `UK_Sanctions_List.xml`: root `Designations` with
  `DateGenerated` (dd/mm/yyyy) and one `Designation` per designation, holding
  `UniqueID` (RUS2451, DPR0189...), `OFSIGroupID`, `UNReferenceNumber`,
  `Names/Name` (Name1..Name6, NameType, AliasStrength), `NonLatinNames`,
  `RegimeName`, `IndividualEntityShip`, `DesignationSource`, `SanctionsImposed`
  ("|"-separated), `OtherInformation`, `UKStatementofReasons`, `Addresses`,
  `PhoneNumbers`, `EmailAddresses`, `Websites`, `IndividualDetails/Individual`
  (DOBs, Nationalities, PassportDetails, NationalIdentifierDetails, Positions,
  Genders, BirthDetails), `EntityDetails/Entity`, `ShipDetails/Ship` (IMONumbers,
  CurrentBelievedFlagOfShips...), `DateDesignated`, `LastUpdated`.  Streamed
  with `iter_xml`, one Designation at a time.

* the 8-column summary spreadsheet (`.ods`): Unique ID, OFSI Group ID, Name,
  Regime Name, Type, Designation source, Date Designated (dd-mm-yyyy), Sanctions
  Imposed.  An ODS file is a zip holding `content.xml`; its table rows are
  streamed with lxml (no odfpy), expanding `table:number-columns-repeated` and
  `table:number-rows-repeated` but never the 16384-column / million-row padding
  spreadsheet programs write after the data.

Ids are `uk-fcdo:<Unique ID>`; programs are the regime's short name
("Democratic People's Republic of Korea", "Russia") in both layouts.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import IO, Any

from corridor.model import Address, Entity, Identifier, Name, NameKind, detect_script, primary_first
from corridor.sources.base import (
    ListMeta,
    ParsedList,
    ParseError,
    check_zip,
    iter_xml,
    local,
    reject_dtd_in,
    release,
    safe_iterparse,
    text_of,
)
from corridor.sources.ofac_advanced import organisation_schema
from corridor.sources.uk_conlist import country_code, country_in_text, language_code
from corridor.types.dates import parse_date, parse_single

FORMAT = "uk-fcdo"
SOURCE = "uk-fcdo"

SCHEMA_BY_TYPE = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
SUMMARY_COLUMNS = ("Unique ID", "Name", "Regime Name", "Type")

_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_MAX_COLUMNS = 256  # far more than any list layout; stops the 16384-column padding
_DATE_GENERATED_RE = re.compile(rb"<DateGenerated>\s*([^<]+?)\s*</DateGenerated>")
_REGIME_RE = re.compile(r"^(?:The\s+)?(.*?)\s*\(Sanctions\).*$", re.IGNORECASE)


def sniff(path: Path, head: bytes) -> bool:
    if head.startswith(b"PK"):
        return _is_summary_ods(path)
    return b"<Designations" in head and (b"<Designation>" in head or b"<UniqueID>" in head)


def _is_summary_ods(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            if archive.read("mimetype").strip() != _ODS_MIME:
                return False
            with archive.open("content.xml") as handle:
                content = handle.read(1 << 20)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, zlib.error):  # corrupt members too
        return False
    return b"OFSI Group ID" in content and b"Unique ID" in content


def parse(path: Path) -> ParsedList:
    if zipfile.is_zipfile(path):
        check_zip(path)  # a zip bomb is refused before anything is inflated
        return _parse_summary(path)
    return _parse_xml(path)


# --- shared helpers -----------------------------------------------------------------------


def regime_short_name(regime: str) -> str:
    """ "The Russia (Sanctions) (EU Exit) Regulations 2019" -> "Russia"."""
    regime = " ".join(regime.split())
    match = _REGIME_RE.match(regime)
    return match.group(1) if match and match.group(1) else regime


def _iso(text: str) -> str:
    """dd/mm/yyyy or dd-mm-yyyy (also "dd/mm/1945" for an unknown day and month)."""
    text = re.sub(r"(?i)\bdd\b", "00", re.sub(r"(?i)\bmm\b", "00", text.strip()))
    text = re.sub(r"^(\d{1,2})-(\d{1,2})-(\d{4})$", r"\1/\2/\3", text)
    return parse_single(text, day_first=True) or ""


def _schema(path: Path, where: str, type_text: str, names: list[str], forms: list[str]) -> str:
    schema = SCHEMA_BY_TYPE.get(type_text.strip().lower())
    if schema is None:
        raise ParseError(path, where, f"unknown designation type {type_text!r} (Individual, Entity or Ship)")
    if schema == "Organization":
        return organisation_schema([*names, *forms])
    return schema


def _add(values: list[str], *new: str) -> None:
    for value in new:
        value = " ".join(value.split())
        if value and value not in values:
            values.append(value)


def _identifier(entity: Entity, kind: str, value: str, country: str = "", note: str = "") -> None:
    value = " ".join(value.split())
    if value:
        identifier = Identifier(type=kind, value=value, country=country, note=note)
        if identifier not in entity.identifiers:
            entity.identifiers.append(identifier)


# --- summary spreadsheet (.ods) ------------------------------------------------------------


def _parse_summary(path: Path) -> ParsedList:
    rows = _ods_rows(path)
    try:
        header_row = next(rows, None)
        if header_row is None:
            raise ParseError(path, "row 1", "empty spreadsheet")
        columns = {name: index for index, name in enumerate(header_row[1]) if name}
        missing = [name for name in SUMMARY_COLUMNS if name not in columns]
        if missing:
            raise ParseError(
                path, "row 1", f"missing required column(s): {', '.join(repr(m) for m in missing)}"
            )
        published = _zip_entry_date(path)
    except BaseException:
        rows.close()
        raise
    meta = ListMeta(
        source=SOURCE,
        format=FORMAT,
        published=published,
        published_inferred=True,  # the summary has no date inside; this is the export's timestamp
        title="UK Sanctions List (FCDO) summary",
        files=[str(path)],
    )
    return ParsedList(meta=meta, entities=_summary_entities(path, rows, columns, meta))


def _zip_entry_date(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        year, month, day = archive.getinfo("content.xml").date_time[:3]
    return f"{year:04d}-{month:02d}-{day:02d}" if year > 1980 else ""


def _summary_entities(
    path: Path, rows: Iterator[tuple[int, list[str]]], columns: dict[str, int], meta: ListMeta
) -> Iterator[Entity]:
    count = 0
    unnamed: list[str] = []
    for number, cells in rows:

        def cell(name: str, cells: list[str] = cells) -> str:
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        unique_id = cell("Unique ID")
        if not unique_id:
            raise ParseError(path, f"row {number}: Unique ID", "empty Unique ID")
        name = " ".join(cell("Name").split())
        schema = _schema(path, f"row {number}: Type", cell("Type"), [name], [])
        entity = Entity(id=f"{SOURCE}:{unique_id}", source=SOURCE, schema=schema, list_ref=unique_id)
        if name:
            entity.names.append(Name(full=name, kind=NameKind.PRIMARY, script=detect_script(name)))
        else:
            # The real 2025-08-11 summary has designations with an empty Name cell
            # (BEL0174...): still a designation, kept, and reported in meta.
            unnamed.append(unique_id)
        _add(entity.programs, regime_short_name(cell("Regime Name")))
        entity.listed_on = _iso(cell("Date Designated"))
        entity.add_property("ofsiGroupId", cell("OFSI Group ID"))
        for designation_source in cell("Designation source").split("|"):  # "UK|UN" on some rows
            entity.add_property("designationSource", designation_source)
        for measure in re.split(r"\s*[,|]\s*", cell("Sanctions Imposed")):
            entity.add_property("sanctionsImposed", measure)
        count += 1
        yield entity
    if count == 0:
        raise ParseError(path, "row 2", "no designations below the header row")
    meta.extra["designations"] = count
    meta.extra["unnamed"] = unnamed


def _ods_rows(path: Path) -> Generator[tuple[int, list[str]], None, None]:
    """(row number, cell texts) of the first sheet's non-empty rows, streamed."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ParseError(path, "", f"not a readable .ods (zip) file: {exc}") from exc
    with archive:
        if "content.xml" not in archive.namelist():
            raise ParseError(path, "content.xml", "missing: not an OpenDocument spreadsheet")
        with archive.open("content.xml") as handle:
            reject_dtd_in(handle, path)
        try:
            with archive.open("content.xml") as handle:
                yield from _table_rows(path, handle)
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:  # a corrupt member (CRC, cut)
            raise ParseError(path, "content.xml", f"corrupt zip member: {exc}") from exc


def _table_rows(path: Path, handle: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    context = safe_iterparse(handle, path, ("start", "end"), where="content.xml ")
    row_tag, table_tag = f"{{{_TABLE}}}table-row", f"{{{_TABLE}}}table"
    tables_seen = 0
    row_number = 0
    try:
        for event, elem in context:
            if elem.tag == table_tag:
                if event == "start":
                    tables_seen += 1
                elif tables_seen == 1:
                    return  # only the first sheet holds the list
                continue
            if event != "end" or elem.tag != row_tag or tables_seen != 1:
                continue
            repeat = int(elem.get(f"{{{_TABLE}}}number-rows-repeated", "1"))
            cells = _row_cells(elem)
            release(elem)
            if not any(cells):
                row_number += repeat  # padding rows: counted, never expanded
                continue
            for _ in range(repeat):
                row_number += 1
                yield row_number, cells
    except ValueError as exc:  # a repeat count that is not a number
        raise ParseError(path, f"content.xml row {row_number + 1}", f"malformed spreadsheet: {exc}") from exc


def _row_cells(row: Any) -> list[str]:
    cells: list[str] = []
    for cell in row:
        if local(cell.tag) not in ("table-cell", "covered-table-cell"):
            continue
        repeat = int(cell.get(f"{{{_TABLE}}}number-columns-repeated", "1"))
        value = _cell_value(cell)
        cells.extend([value] * min(repeat, _MAX_COLUMNS - len(cells)))
        if len(cells) >= _MAX_COLUMNS:
            break
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _cell_value(cell: Any) -> str:
    value_type = cell.get(f"{{{_OFFICE}}}value-type", "")
    if value_type == "date":
        return cell.get(f"{{{_OFFICE}}}date-value", "")[:10]
    if value_type in ("float", "percentage", "currency"):
        value = cell.get(f"{{{_OFFICE}}}value", "")
        return value[:-2] if value.endswith(".0") else value
    if value_type == "boolean":
        return cell.get(f"{{{_OFFICE}}}boolean-value", "")
    paragraphs = ["".join(p.itertext()) for p in cell.iter(f"{{{_TEXT}}}p")]
    return "\n".join(paragraphs).strip()


# --- full XML -------------------------------------------------------------------------------


def _parse_xml(path: Path) -> ParsedList:
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if b"<Designations" not in head:
        raise ParseError(path, "line 1", "not a UK Sanctions List XML file: no <Designations> root")
    match = _DATE_GENERATED_RE.search(head)
    meta = ListMeta(
        source=SOURCE,
        format=FORMAT,
        published=_iso(match.group(1).decode("utf-8", "replace")) if match else "",
        title="UK Sanctions List (FCDO)",
        files=[str(path)],
    )
    return ParsedList(meta=meta, entities=_xml_entities(path, meta))


def _xml_entities(path: Path, meta: ListMeta) -> Iterator[Entity]:
    count = 0
    for _event, elem in iter_xml(path, ("Designation",)):
        entity = designation_entity(path, elem)
        release(elem)
        count += 1
        yield entity
    if count == 0:
        # e.g. a future layout with a default XML namespace: fail loudly, never import nothing
        raise ParseError(path, "Designations", "no <Designation> elements found")
    meta.extra["designations"] = count


def _texts(elem: Any, tag: str) -> list[str]:
    return [t for t in (text_of(e) for e in elem.iter(tag)) if t]


def _first(elem: Any, tag: str) -> str:
    values = _texts(elem, tag)
    return values[0] if values else ""


def _name_kind(name_type: str, strength: str) -> tuple[NameKind, str]:
    name_type, strength = name_type.strip().lower(), strength.strip().lower()
    if name_type == "primary name":
        return NameKind.PRIMARY, ""
    if name_type == "primary name variation":
        return NameKind.ALIAS, "primary name variation"
    if name_type in ("formerly known as", "fka", "former name"):
        return NameKind.FORMER, strength
    if strength.startswith("low"):
        return NameKind.WEAK_ALIAS, strength
    return NameKind.ALIAS, strength


def designation_entity(path: Path, elem: Any) -> Entity:
    """One `Designation` element as an Entity."""
    unique_id = _first(elem, "UniqueID")
    where = f"line {elem.sourceline}: Designation {unique_id}".rstrip()
    if not unique_id:
        raise ParseError(path, f"line {elem.sourceline}: Designation", "no UniqueID")
    names = _designation_names(elem)
    if not names:
        raise ParseError(path, where, "designation has no name")
    forms = _texts(elem, "TypeOfEntity")
    schema = _schema(
        path,
        f"{where}: IndividualEntityShip",
        _first(elem, "IndividualEntityShip"),
        [n.full for n in names],
        forms,
    )
    entity = Entity(id=f"{SOURCE}:{unique_id}", source=SOURCE, schema=schema, list_ref=unique_id, names=names)
    for form in forms:
        entity.add_property("legalForm", form)
    entity.add_property("ofsiGroupId", _first(elem, "OFSIGroupID"))
    _add(entity.un_refs, *_texts(elem, "UNReferenceNumber"))
    for regime in _texts(elem, "RegimeName"):
        _add(entity.programs, regime_short_name(regime))
        if regime_short_name(regime) != regime:
            entity.add_property("regulation", regime)
    for designation_source in _first(elem, "DesignationSource").split("|"):
        entity.add_property("designationSource", designation_source)
    for measures in _texts(elem, "SanctionsImposed"):
        for measure in measures.split("|"):
            entity.add_property("sanctionsImposed", measure)
    entity.listed_on = _iso(_first(elem, "DateDesignated"))
    entity.add_property("modifiedAt", _iso(_first(elem, "LastUpdated")))
    _add(entity.notes, *_texts(elem, "UKStatementofReasons"), *_texts(elem, "OtherInformation"))
    _add(entity.titles, *_texts(elem, "Title"))

    for address in elem.iter("Address"):
        lines = [_first(address, f"AddressLine{i}") for i in range(1, 7)]
        postal, country = _first(address, "AddressPostalCode"), _first(address, "AddressCountry")
        item = Address(
            full=", ".join(p for p in (*lines, postal, country) if p),
            street=", ".join(p for p in lines[:5] if p),
            city=lines[5],
            postal_code=postal,
            country=country_code(country),
        )
        if (item.full or item.country) and item not in entity.addresses:
            entity.addresses.append(item)
        _add(entity.countries, item.country)
    for phone in _texts(elem, "PhoneNumber"):
        _identifier(entity, "phone", phone)
    for emails in _texts(elem, "EmailAddress"):
        for email in re.split(r"[;\s]+", emails):
            _identifier(entity, "email", email)
    for website in _texts(elem, "Website"):
        _identifier(entity, "website", website)

    _individual_details(elem, entity)
    for number in _texts(elem, "BusinessRegistrationNumber"):
        _identifier(entity, "registration", number, note="Business Registration Number")
    _add(entity.linked_to, *_texts(elem, "ParentCompany"), *_texts(elem, "Subsidiary"))
    _ship_details(elem, entity)
    return entity


def _designation_names(elem: Any) -> list[Name]:
    names: list[Name] = []
    for name_elem in elem.iter("Name"):
        if name_elem.getparent() is None or local(name_elem.getparent().tag) != "Names":
            continue
        parts = [_first(name_elem, f"Name{i}") for i in range(1, 7)]
        given = " ".join(p for p in parts[:5] if p)
        full = " ".join(p for p in (given, parts[5]) if p)
        if not full:
            continue
        kind, note = _name_kind(_first(name_elem, "NameType"), _first(name_elem, "AliasStrength"))
        name = Name(
            full=full,
            kind=kind,
            script=detect_script(full),
            given=given,
            family=parts[5] if given else "",
            note=note,
        )
        if name not in names:
            names.append(name)
    for original in elem.iter("NameNonLatinScript"):
        full = text_of(original)
        parent = original.getparent()
        language = _first(parent, "NonLatinScriptLanguage") if parent is not None else ""
        script = detect_script(full) or (_first(parent, "NonLatinScriptType") if parent is not None else "")
        name = Name(
            full=full, kind=NameKind.PRIMARY, script=script, lang=language_code(language) if language else ""
        )
        if full and name not in names:
            names.append(name)
    # A few groups list only "primary name variation"s: the first is the primary name.
    return primary_first(names)


def _individual_details(elem: Any, entity: Entity) -> None:
    for dob in _texts(elem, "DOB"):
        text = re.sub(r"(?i)\bdd\b|\bmm\b", "00", dob)
        spec = parse_date(text, day_first=True)
        if spec is not None and spec not in entity.birth_dates:
            entity.birth_dates.append(spec)
        elif spec is None:
            _add(entity.notes, f"DOB: {dob}")
    for nationality in _texts(elem, "Nationality"):
        code = country_code(nationality)
        if code:
            _add(entity.nationalities, code)
        else:
            entity.add_property("nationalityText", nationality)
    for passport in elem.iter("Passport"):
        note = _first(passport, "PassportAdditionalInformation")
        _identifier(entity, "passport", _first(passport, "PassportNumber"), country_in_text(note), note)
    for national_id in elem.iter("NationalIdentifier"):
        note = _first(national_id, "NationalIdentifierAdditionalInformation")
        _identifier(
            entity,
            "national_id",
            _first(national_id, "NationalIdentifierNumber"),
            country_in_text(note),
            note,
        )
    _add(entity.positions, *_texts(elem, "Position"))
    for gender in _texts(elem, "Gender"):
        if gender.lower() in ("male", "female"):
            entity.gender = gender.lower()
    for location in elem.iter("Location"):
        town, country = _first(location, "TownOfBirth"), _first(location, "CountryOfBirth")
        _add(entity.birth_places, ", ".join(p for p in (town, country) if p))


def _ship_details(elem: Any, entity: Entity) -> None:
    for imo in _texts(elem, "IMONumber"):
        _identifier(entity, "imo", re.sub(r"(?i)^IMO\s*", "", imo))
    _add(entity.linked_to, *_texts(elem, "CurrentOwnerOperator"))
    for tag, prop in (("CurrentBelievedFlagOfShip", "flag"), ("PreviousFlag", "pastFlags")):
        for flag in _texts(elem, tag):
            code = country_code(flag)
            entity.add_property(prop, code or flag)
            if prop == "flag" and code:
                _add(entity.countries, code)
    for tag, prop in (("TypeOfShip", "type"), ("TonnageOfShip", "tonnage"), ("YearBuilt", "buildDate")):
        for value in _texts(elem, tag):
            entity.add_property(prop, value)
    for value in _texts(elem, "LengthOfShip"):
        _add(entity.notes, f"Length of ship: {value}")
