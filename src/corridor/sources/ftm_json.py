"""FollowTheMoney entity JSON lines (OpenSanctions `entities.ftm.json`, or any
file in that format), imported as-is, and our Entity exported back to FtM.

Each line is one FtM entity: {"id", "schema", "properties": {prop: [values]},
"caption", "datasets", "referents", "target", "first_seen", "last_seen",
"last_change"}.  Schema and property names are checked against the
`followthemoney` model.

Only "thing" schemata that screening knows become Entities: Person,
Organization (and PublicBody), Company, LegalEntity, Vessel, Airplane (our
"Aircraft").  The other entities are folded into them:

* `Sanction` (its `entity` is the target): programId (-> programs), program,
  listing/start date, provisions and `unscId` go onto the target;
* `Address` entities referenced by `addressEntity` become addresses;
* `Passport` / `Identification` become identifiers of their holder;
* `Occupancy` + `Position` become positions of the holder;
* Ownership, Directorship, Family, Membership, Employment, Associate,
  Representation, UnknownLink (any FtM edge) link both ends (`linked_to`).

Sanctions come in any order relative to their targets, so the file is read
twice: pass 1 validates every line and keeps only the small folded facts
(keyed by the entity they belong to); pass 2 streams the things.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.schema import Schema

from corridor.model import Address, DateSpec, Entity, Identifier, Name, NameKind, detect_script
from corridor.sources.base import ListMeta, ParsedList, ParseError, decoded_lines
from corridor.types.text import is_ascii_digits

FORMAT = "ftm-json"

# FtM thing schemata -> our schema names (model.SCHEMATA).
SCHEMA_MAP = {
    "Person": "Person",
    "Organization": "Organization",
    "PublicBody": "Organization",
    "Company": "Company",
    "LegalEntity": "LegalEntity",
    "Vessel": "Vessel",
    "Airplane": "Aircraft",
}
EXPORT_SCHEMA = {"Aircraft": "Airplane"}  # FtM 4 has no "Aircraft" schema

_NAME_KINDS = {
    "name": NameKind.PRIMARY,
    "alias": NameKind.ALIAS,
    "previousName": NameKind.FORMER,
    "weakAlias": NameKind.WEAK_ALIAS,
    "abbreviation": NameKind.WEAK_ALIAS,
}
_EXPORT_NAME_PROP = {
    NameKind.PRIMARY: "name",
    NameKind.ALIAS: "alias",
    NameKind.FORMER: "previousName",
    NameKind.WEAK_ALIAS: "weakAlias",
}

# FtM identifier properties -> our identifier types (the property name becomes the note).
_ID_PROPS = {
    "passportNumber": "passport",
    "idNumber": "national_id",
    "socialSecurityNumber": "national_id",
    "innCode": "tax_id",
    "taxNumber": "tax_id",
    "vatCode": "tax_id",
    "ogrnCode": "registration",
    "registrationNumber": "registration",
    "okpoCode": "registration",
    "uscCode": "registration",
    "leiCode": "registration",
    "kppCode": "other",
    "swiftBic": "swift",
    "imoNumber": "imo",
    "mmsi": "mmsi",
    "callSign": "call_sign",
    "email": "email",
    "website": "website",
    "phone": "phone",
    "wikidataId": "other",
    "permId": "other",
    "uniqueEntityId": "other",
    "dunsCode": "other",
    "bikCode": "other",
    "npiCode": "other",
    "licenseNumber": "other",
    "serialNumber": "aircraft_serial",
}
# Our identifier type -> the FtM property for export when the note names none.
_EXPORT_ID_PROP = {
    "passport": "passportNumber",
    "national_id": "idNumber",
    "tax_id": "taxNumber",
    "registration": "registrationNumber",
    "swift": "swiftBic",
    "imo": "imoNumber",
    "mmsi": "mmsi",
    "call_sign": "callSign",
    "email": "email",
    "website": "website",
    "phone": "phone",
    "aircraft_serial": "serialNumber",
    "aircraft_registration": "registrationNumber",
    "other": "idNumber",
}

# Properties mapped to Entity fields (not copied again into `properties`).
_MAPPED = {
    *_NAME_KINDS,
    *_ID_PROPS,
    "birthDate",
    "birthPlace",
    "nationality",
    "citizenship",
    "country",
    "jurisdiction",
    "mainCountry",
    "address",
    "addressEntity",
    "gender",
    "position",
    "title",
    "notes",
    "summary",
    "description",
    "programId",
}


@dataclass(slots=True)
class _Folded:
    """What pass 1 keeps: facts of non-thing entities, keyed by the thing they belong to."""

    sanctions: dict[str, list[dict[str, list[str]]]] = field(default_factory=dict)
    addresses: dict[str, Address] = field(default_factory=dict)
    identifiers: dict[str, list[Identifier]] = field(default_factory=dict)
    links: dict[str, list[str]] = field(default_factory=dict)
    posts: dict[str, list[str]] = field(default_factory=dict)  # holder -> Position ids
    position_names: dict[str, str] = field(default_factory=dict)
    schemata: Counter[str] = field(default_factory=Counter)
    datasets: list[str] | None = None
    last_change: str = ""
    lines: int = 0
    targets: int = 0


def sniff(path: Path, head: bytes) -> bool:
    first = head.lstrip().split(b"\n", 1)[0]
    if not first.startswith(b"{"):
        return False
    try:
        data = json.loads(first)
    except RecursionError:
        return False  # nested beyond any entity: not FtM
    except ValueError:
        return b'"schema"' in first and b'"properties"' in first  # a first line longer than the head
    return isinstance(data, dict) and "schema" in data and "properties" in data and "id" in data


def parse(path: Path) -> ParsedList:
    folded = _collect(path)
    dataset = (folded.datasets[0] if folded.datasets else "") or index_dataset_name(path) or path.parent.name
    meta = ListMeta(
        source=f"ftm:{dataset}",
        format=FORMAT,
        published=folded.last_change,
        title=f"FollowTheMoney entities ({dataset})",
        files=[str(path)],
        extra={
            "records": folded.lines,
            "schemata": dict(folded.schemata),
            "targets": folded.targets,
            "imported": sum(n for s, n in folded.schemata.items() if s in SCHEMA_MAP),
            "folded_or_skipped": {s: n for s, n in folded.schemata.items() if s not in SCHEMA_MAP},
        },
    )
    return ParsedList(meta=meta, entities=_entities(path, folded, meta.source))


def index_dataset_name(path: Path) -> str:
    """The dataset name from an OpenSanctions export's `index.json` next to the file."""
    index = path.parent / "index.json"
    try:
        data = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return ""
    return str(data.get("name") or "") if isinstance(data, dict) else ""


# --- reading --------------------------------------------------------------------------------


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any], Schema]]:
    """(line number, entity dict, FtM schema) for every entity, validated.

    Nested exports (`targets.nested.json`) embed related entities as property
    values; they are unnested here (the value becomes the id) and each embedded
    entity is yielded once, with the line number it was found on."""
    nested_seen: set[str] = set()  # only ids that came out of nesting: flat files keep this empty
    lines = decoded_lines(path)
    with contextlib.closing(lines):
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError as exc:
                raise ParseError(path, f"line {number}", f"malformed JSON: {exc}") from exc
            except RecursionError as exc:  # "[[[[…" 100,000 deep
                raise ParseError(path, f"line {number}", "malformed JSON: nested too deeply") from exc
            for entity, schema in _unnest(path, number, data, "", nested_seen):
                yield number, entity, schema


def _unnest(
    path: Path, number: int, data: Any, field_path: str, seen: set[str]
) -> Iterator[tuple[dict[str, Any], Schema]]:
    where = f"line {number}: {field_path}" if field_path else f"line {number}"
    if not isinstance(data, dict):
        raise ParseError(path, where, "not a JSON object")
    if not isinstance(data.get("id"), str) or not data["id"]:
        raise ParseError(path, f"{where}.id" if field_path else f"{where}: id", "missing entity id")
    schema = model.get(data.get("schema") or "")
    if schema is None:
        field = f"{field_path}.schema" if field_path else "schema"
        raise ParseError(
            path, f"line {number}: {field}", f"unknown FollowTheMoney schema {data.get('schema')!r}"
        )
    properties = data.get("properties", {})
    if not isinstance(properties, dict) or not all(isinstance(v, list) for v in properties.values()):
        field = f"{field_path}.properties" if field_path else "properties"
        raise ParseError(path, f"line {number}: {field}", "must map property names to lists of values")
    embedded: list[tuple[str, dict[str, Any]]] = []
    for prop, values in properties.items():
        if any(isinstance(v, dict) for v in values):
            embedded.extend((f"{field_path}.{prop}".lstrip("."), v) for v in values if isinstance(v, dict))
            properties[prop] = [
                v["id"] if isinstance(v, dict) and isinstance(v.get("id"), str) else v for v in values
            ]
    if data["id"] in seen:
        return
    if embedded or field_path:
        seen.add(data["id"])
    yield data, schema
    for child_path, child in embedded:
        yield from _unnest(path, number, child, child_path, seen)


def _values(data: dict[str, Any], prop: str) -> list[str]:
    return [str(v) for v in data.get("properties", {}).get(prop, []) if str(v).strip()]


def _collect(path: Path) -> _Folded:
    folded = _Folded()
    for _number, data, schema in _lines(path):
        folded.lines += 1
        folded.schemata[schema.name] += 1
        folded.targets += bool(data.get("target"))
        datasets = [str(d) for d in data.get("datasets", [])]
        if folded.datasets is None:
            folded.datasets = datasets
        else:
            folded.datasets = [d for d in folded.datasets if d in datasets]
        folded.last_change = max(folded.last_change, str(data.get("last_change") or ""))
        if schema.name in SCHEMA_MAP:
            continue
        _fold(data, schema, folded)
    return folded


def _fold(data: dict[str, Any], schema: Schema, folded: _Folded) -> None:
    props = data.get("properties", {})
    if schema.name == "Sanction":
        for target in _values(data, "entity"):
            folded.sanctions.setdefault(target, []).append({k: [str(x) for x in v] for k, v in props.items()})
    elif schema.name == "Address":
        folded.addresses[data["id"]] = _address_entity(data)
    elif schema.name == "Position":
        folded.position_names[data["id"]] = (_values(data, "name") or [data.get("caption") or ""])[0]
    elif schema.is_a("Identification"):  # Passport, Identification
        number = (_values(data, "number") or _values(data, "passportNumber") or [""])[0]
        if number:
            country = (_values(data, "country") or [""])[0]
            kind = "passport" if schema.name == "Passport" else "national_id"
            note = (_values(data, "type") or [schema.name])[0]
            for holder in _values(data, "holder"):
                folded.identifiers.setdefault(holder, []).append(Identifier(kind, number, country, note))
    elif schema.name == "Occupancy":
        for holder in _values(data, "holder"):
            folded.posts.setdefault(holder, []).extend(_values(data, "post"))
    elif schema.edge and schema.source_prop is not None and schema.target_prop is not None:
        for source in _values(data, schema.source_prop.name):
            for target in _values(data, schema.target_prop.name):
                folded.links.setdefault(source, []).append(target)
                folded.links.setdefault(target, []).append(source)


def _address_entity(data: dict[str, Any]) -> Address:
    def first(prop: str) -> str:
        values = _values(data, prop)
        return values[0] if values else ""

    parts = [first("street"), first("city"), first("region"), first("postalCode")]
    full = first("full") or data.get("caption") or ", ".join(p for p in parts if p)
    return Address(
        full=full,
        street=first("street"),
        city=first("city"),
        region=first("region"),
        postal_code=first("postalCode"),
        country=first("country"),
    )


# --- building ---------------------------------------------------------------------------------


def _entities(path: Path, folded: _Folded, source: str) -> Iterator[Entity]:
    for _number, data, schema in _lines(path):
        if schema.name in SCHEMA_MAP:
            yield build_entity(data, schema, folded, source)


def _add(values: list[str], *new: str) -> None:
    for value in new:
        value = " ".join(value.split())
        if value and value not in values:
            values.append(value)


def build_entity(data: dict[str, Any], schema: Schema, folded: _Folded, source: str) -> Entity:
    entity_id = data["id"]
    entity = Entity(id=f"ftm:{entity_id}", source=source, schema=SCHEMA_MAP[schema.name], list_ref=entity_id)
    props: dict[str, list[Any]] = data.get("properties", {})

    caption = str(data.get("caption") or "")
    ordered = [("name", caption)] if caption and caption in _values(data, "name") else []
    for prop in _NAME_KINDS:
        ordered.extend((prop, value) for value in _values(data, prop))
    for prop, value in ordered:
        kind = _NAME_KINDS[prop]
        name = Name(
            full=" ".join(value.split()),
            kind=kind,
            script=detect_script(value),
            note=prop if prop == "abbreviation" else "",
        )
        if name.full and name not in entity.names:
            entity.names.append(name)
    if not entity.names:
        _name_from_parts(data, entity)

    for value in _values(data, "birthDate"):
        spec = DateSpec(value[:10])
        if spec not in entity.birth_dates:
            entity.birth_dates.append(spec)
    _add(entity.birth_places, *_values(data, "birthPlace"))
    _add(entity.nationalities, *_values(data, "nationality"), *_values(data, "citizenship"))
    _add(
        entity.countries,
        *_values(data, "country"),
        *_values(data, "jurisdiction"),
        *_values(data, "mainCountry"),
    )
    for gender in _values(data, "gender"):
        entity.gender = gender if gender in ("male", "female") else entity.gender
    _add(entity.titles, *_values(data, "title"))
    _add(entity.positions, *_values(data, "position"))
    _add(entity.notes, *_values(data, "notes"), *_values(data, "summary"), *_values(data, "description"))
    _add(entity.programs, *_values(data, "programId"))

    for prop, id_type in _ID_PROPS.items():
        for value in _values(data, prop):
            if id_type == "imo":  # FtM writes "IMO9253325"; our identifiers hold the digits
                value = re.sub(r"(?i)^IMO\s*", "", value)
            identifier = Identifier(type=id_type, value=value, note=prop)
            if identifier not in entity.identifiers:
                entity.identifiers.append(identifier)
    for identifier in folded.identifiers.get(entity_id, []):
        if identifier not in entity.identifiers:
            entity.identifiers.append(identifier)

    for ref in _values(data, "addressEntity"):
        address = folded.addresses.get(ref)
        if address is not None and address not in entity.addresses:
            entity.addresses.append(address)
    known = {a.full for a in entity.addresses}
    for text in _values(data, "address"):
        if text not in known:
            entity.addresses.append(Address(full=text))
            known.add(text)

    for post in folded.posts.get(entity_id, []):
        _add(entity.positions, folded.position_names.get(post, ""))
    for other in folded.links.get(entity_id, []):
        _add(entity.linked_to, f"ftm:{other}")

    listed: list[str] = []
    for sanction in folded.sanctions.get(entity_id, []):
        # Program codes are the programs; the program's wording (often a long
        # sentence in the authority's language) stays a property.
        _add(entity.programs, *sanction.get("programId", []))
        for prop in ("program", "authority", "authorityId", "provisions"):
            for value in sanction.get(prop, []):
                entity.add_property(prop, value)
        _add(entity.un_refs, *sanction.get("unscId", []))
        _add(listed, *(d[:10] for d in sanction.get("listingDate", []) or sanction.get("startDate", [])))
    entity.listed_on = min(listed) if listed else ""

    for prop, values in props.items():
        if prop in _MAPPED or prop not in schema.properties:
            continue
        if schema.properties[prop].type.name == "entity":
            continue
        for value in values:
            entity.add_property(prop, str(value))
    if data.get("target"):
        entity.add_property("target", "true")
    return entity


def _name_from_parts(data: dict[str, Any], entity: Entity) -> None:
    """An entity with name parts but no `name`: compose one."""
    given = " ".join(_values(data, "firstName")[:1] + _values(data, "middleName")[:1])
    patronymic = " ".join(_values(data, "fatherName")[:1])
    family = " ".join(_values(data, "lastName")[:1])
    full = " ".join(p for p in (given, patronymic, family) if p)
    if full:
        entity.names.append(
            Name(full=full, script=detect_script(full), given=given, family=family, patronymic=patronymic)
        )


# --- export -------------------------------------------------------------------------------------


def _export_id(entity: Entity) -> str:
    """FtM entity ids allow letters, digits, "." and "-" only."""
    if entity.id.startswith("ftm:"):
        return entity.id[4:]
    return entity.id.replace(":", "-").replace("_", "-")


def entity_to_ftm(entity: Entity) -> dict[str, Any]:
    """Our Entity as one FtM entity dict (the thing only; `model.get_proxy`
    accepts it).  Values FtM would not accept (bad dates, unknown countries)
    are dropped by FtM's own cleaning; properties that are not FtM properties
    of the schema (e.g. "provisions") are left out."""
    schema_name = EXPORT_SCHEMA.get(entity.schema, entity.schema)
    schema = model.get(schema_name)
    if schema is None:
        raise ValueError(f"{entity.id}: schema {entity.schema!r} has no FollowTheMoney equivalent")
    props: dict[str, list[str]] = {}

    def put(prop: str, value: str) -> None:
        if prop in schema.properties and value and value not in props.setdefault(prop, []):
            props[prop].append(value)

    for name in entity.names:
        put(_EXPORT_NAME_PROP[name.kind], name.full)
        if schema.is_a("Person"):
            put("firstName", name.given)
            put("lastName", name.family)
            put("fatherName", name.patronymic)
    for spec in entity.birth_dates:
        put("birthDate", spec.start)
        if spec.end:
            put("birthDate", spec.end)
    for place in entity.birth_places:
        put("birthPlace", place)
    for code in entity.nationalities:
        put("nationality" if schema.is_a("Person") else "country", code)
    for code in entity.countries:
        put("country", code)
    for address in entity.addresses:
        put("address", address.full)
    for identifier in entity.identifiers:
        prop = (
            identifier.note
            if identifier.note in schema.properties
            else _EXPORT_ID_PROP.get(identifier.type, "")
        )
        if prop not in schema.properties:
            prop = "registrationNumber" if "registrationNumber" in schema.properties else "idNumber"
        put(
            prop,
            f"IMO{identifier.value}"
            if prop == "imoNumber" and is_ascii_digits(identifier.value)
            else identifier.value,
        )
    for program in entity.programs:
        put("programId", program)
    put("gender", entity.gender)
    for title in entity.titles:
        put("title", title)
    for position in entity.positions:
        put("position", position)
    for note in entity.notes:
        put("notes", note)
    for prop, values in entity.properties.items():
        if prop in schema.properties and schema.properties[prop].type.name != "entity":
            for value in values:
                put(prop, value)
    if entity.source and not entity.source.startswith("ftm:"):
        put("topics", "sanction")
    data = {
        "id": _export_id(entity),
        "schema": schema.name,
        "properties": {k: v for k, v in props.items() if v},
    }
    proxy = model.get_proxy(data, cleaned=False)  # FtM's own validation and cleaning
    out: dict[str, Any] = proxy.to_dict()
    out["caption"] = entity.caption
    out["datasets"] = [entity.source.removeprefix("ftm:")]
    return out
