"""OpenSanctions "targets.simple.csv" export.

One row per target entity with the header
    id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,
    phones,emails,[program_ids,]dataset,first_seen,last_seen,last_change
where multi-valued cells are joined with ";".  The format flattens FtM: the
identifiers carry no type, so a value is typed only where its form says what it
is (IMO1234567 -> imo; for Russian entities the INN/OGRN lengths), otherwise it
is kept as "other".  `sanctions` holds the sanction texts; `dataset` is the
dataset's *title* ("Ukraine War and Sanctions"), so the source key is the
dataset name from the export's `index.json` when there is one (as for
entities.ftm.json: `ftm:wd_persons`), else the title's slug
(`ftm:ukraine-war-and-sanctions`).  Streamed row by row with the csv module.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Generator, Iterator
from pathlib import Path

from corridor.model import Address, DateSpec, Entity, Identifier, Name, NameKind, detect_script
from corridor.sources.base import ListMeta, ParsedList, ParseError, decoded_lines
from corridor.sources.ftm_json import SCHEMA_MAP, index_dataset_name
from corridor.types.text import is_ascii_digits

FORMAT = "ftm-simple-csv"

REQUIRED_COLUMNS = ("id", "schema", "name", "aliases", "identifiers", "dataset")
_HEADER_START = ("id", "schema", "name", "aliases", "birth_date", "countries")
_IMO_RE = re.compile(r"^IMO\s*(\d{7})$", re.IGNORECASE)


def sniff(path: Path, head: bytes) -> bool:
    if head.startswith(b"PK") or b"\x00" in head:
        return False  # a zip container or binary file, not CSV
    lines = head.decode("utf-8-sig", errors="replace").splitlines()
    first = lines[0] if lines else ""  # a head of only a BOM has no line
    try:
        columns = next(csv.reader([first]), [])
    except csv.Error:
        return False
    return tuple(columns[: len(_HEADER_START)]) == _HEADER_START and "identifiers" in columns


def _split(cell: str) -> list[str]:
    out: list[str] = []
    for part in (cell or "").split(";"):
        part = " ".join(part.strip().strip('"').split())
        if part and part not in out:
            out.append(part)
    return out


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def identifier_for(value: str, countries: list[str]) -> Identifier:
    """Type an untyped simple-CSV identifier by its form."""
    if match := _IMO_RE.match(value):
        return Identifier("imo", match.group(1))
    if "ru" in countries and is_ascii_digits(value):
        if len(value) in (10, 12):
            return Identifier("tax_id", value, "ru", "INN (by length)")
        if len(value) in (13, 15):
            return Identifier("registration", value, "ru", "OGRN (by length)")
    return Identifier("other", value)


def parse(path: Path) -> ParsedList:
    handle = decoded_lines(path, "utf-8-sig")  # closed by the entity generator
    try:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise ParseError(
                path, "line 1", f"missing required column(s): {', '.join(repr(m) for m in missing)}"
            )
        first = next(reader, None)  # the dataset (hence the source key) is named on every row
    except csv.Error as exc:
        handle.close()
        raise ParseError(path, f"line {reader.line_num}", f"malformed CSV: {exc}") from exc
    except BaseException:
        handle.close()
        raise
    dataset = index_dataset_name(path) or slug((first or {}).get("dataset") or "") or path.parent.name
    meta = ListMeta(
        source=f"ftm:{dataset}", format=FORMAT, title="OpenSanctions targets (simple CSV)", files=[str(path)]
    )
    rows = itertools.chain([first] if first is not None else [], reader)
    return ParsedList(meta=meta, entities=_entities(path, handle, reader, rows, meta))


def _entities(
    path: Path,
    handle: Generator[str, None, None],
    reader: csv.DictReader[str],
    rows: Iterator[dict[str, str]],
    meta: ListMeta,
) -> Iterator[Entity]:
    count = 0
    datasets: set[str] = set()
    try:
        for row in rows:
            where = f"line {reader.line_num}"
            entity = build_entity(path, where, row, meta.source)
            datasets.add(row.get("dataset") or "")
            if len(datasets) > 1:
                raise ParseError(
                    path, f"{where}: dataset", f"rows from several datasets ({row.get('dataset')!r})"
                )
            meta.published = max(meta.published, row.get("last_change") or "")
            count += 1
            yield entity
    except csv.Error as exc:
        raise ParseError(path, f"line {reader.line_num}", f"malformed CSV: {exc}") from exc
    finally:
        handle.close()
    meta.extra["rows"] = count


def build_entity(path: Path, where: str, row: dict[str, str], source: str) -> Entity:
    entity_id = (row.get("id") or "").strip()
    if not entity_id:
        raise ParseError(path, f"{where}: id", "empty id")
    schema = SCHEMA_MAP.get((row.get("schema") or "").strip())
    if schema is None:
        raise ParseError(path, f"{where}: schema", f"unknown or non-target schema {row.get('schema')!r}")
    entity = Entity(id=f"ftm:{entity_id}", source=source, schema=schema)
    entity.list_ref = entity_id
    for value, kind in [
        *((v, NameKind.PRIMARY) for v in _split(row.get("name", ""))),
        *((v, NameKind.ALIAS) for v in _split(row.get("aliases", ""))),
    ]:
        name = Name(full=value, kind=kind, script=detect_script(value))
        if name not in entity.names:
            entity.names.append(name)
    if not entity.names:
        raise ParseError(path, f"{where}: name", "entity has no name")
    for value in _split(row.get("birth_date", "")):
        entity.birth_dates.append(DateSpec(value[:10]))
    entity.countries = _split(row.get("countries", ""))
    entity.addresses = [Address(full=a) for a in _split(row.get("addresses", ""))]
    for value in _split(row.get("identifiers", "")):
        identifier = identifier_for(value, entity.countries)
        if identifier not in entity.identifiers:
            entity.identifiers.append(identifier)
    for column, id_type in (("phones", "phone"), ("emails", "email")):
        for value in _split(row.get(column, "")):
            entity.identifiers.append(Identifier(id_type, value))
    entity.programs = _split(row.get("program_ids", ""))
    sanctions = (row.get("sanctions") or "").strip().strip('"').strip()
    if sanctions:
        entity.notes.append(" ".join(sanctions.split()))
    for column, prop in (
        ("first_seen", "firstSeen"),
        ("last_seen", "lastSeen"),
        ("last_change", "lastChange"),
    ):
        entity.add_property(prop, row.get(column) or "")
    return entity
