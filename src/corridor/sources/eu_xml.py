"""EU Consolidated Financial Sanctions list, XML v1.1 ("FSF", xmlFullSanctionsList_1_1).

Published by the European Commission (Financial Sanctions Database).  Layout,
namespace http://eu.europa.ec/fpi/fsd/export, all data in attributes:

    <export generationDate="2026-07-31T18:40:51.758+02:00" globalFileId="184862">
      <sanctionEntity designationDate="…" designationDetails="" unitedNationId="KPe.001"
                      euReferenceNumber="EU.1948.74" logicalId="4393">
        <remark>…</remark>
        <regulation regulationType="regulation" organisationType="council"
                    publicationDate="…" entryIntoForceDate="…" numberTitle="2017/1509 (OJ L224)"
                    programme="PRK" logicalId="…"><publicationUrl>…</publicationUrl></regulation>
        <subjectType code="person|enterprise" classificationCode="P|E"/>
        <nameAlias firstName middleName lastName wholeName function gender title
                   nameLanguage strong="true|false" regulationLanguage logicalId>
            <regulationSummary …/><remark>…</remark></nameAlias>
        <citizenship region countryIso2Code countryDescription logicalId/>
        <birthdate circa calendarType city zipCode birthdate dayOfMonth monthOfYear year
                   yearRangeFrom yearRangeTo region place countryIso2Code countryDescription/>
        <identification diplomatic knownExpired knownFalse reportedLost revokedByIssuer
                   issuedBy issueDate latinNumber nameOnDocument number region
                   identificationTypeCode identificationTypeDescription countryIso2Code …/>
        <address street poBox city zipCode region place asAtListingTime countryIso2Code
                 countryDescription><contactInfo key="PHONE|FAX|EMAIL|WEB" value="…"/>
                 <remark>…</remark></address>
      </sanctionEntity>
    </export>

No real EU file could be staged offline (every copy is larger than the snapshot
limit); this parser follows the published structure as seen in public parsers and
excerpts (OpenSanctions `zavod/shed/fsf.py`, ammitto, moov-io/watchman) and is
tested on an authored sample (tests/fixtures/eu/).  countryIso2Code "00" with
countryDescription "UNKNOWN" means no country.  The EU does not mark a primary
name: the first strong nameAlias is taken as primary; a spelling repeated for
several `nameLanguage`s is kept once.  `regulationSummary` children (the act that
introduced one detail) and `regulationLanguage` attributes are skipped on purpose:
they say where a detail comes from, not what it is.  Child elements of
sanctionEntity this module does not know are counted in
`meta.extra["unhandled_elements"]`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from corridor.model import Address, DateSpec, Entity, Identifier, Name, NameKind, make_name
from corridor.sources.base import (
    ListMeta,
    ParsedList,
    ParseError,
    iter_xml,
    local,
    read_head,
    reject_dtd,
    release,
)
from corridor.sources.un_xml import COMPANY_NAME_RE, organisation_schema, to_code
from corridor.types.dates import parse_single
from corridor.types.text import is_ascii_digits

FORMAT = "eu-xml"
SOURCE = "eu"
TITLE = "EU Consolidated Financial Sanctions List"
NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"

_ROOT_TAG = "export"
_HANDLED = frozenset(
    {
        "remark",
        "regulation",
        "subjectType",
        "nameAlias",
        "citizenship",
        "birthdate",
        "identification",
        "address",
    }
)

# identificationTypeCode -> model identifier type (codes per the FSF list; the
# document kinds without a model type become "other" with their description).
_ID_TYPES = {
    "passport": "passport",
    "id": "national_id",
    "nrn": "national_id",
    "ssn": "national_id",
    "regnumber": "registration",
    "fiscalcode": "tax_id",
    "swiftbic": "swift",
    "imo": "imo",
}
_CONTACT_TYPES = {"PHONE": "phone", "FAX": "phone", "EMAIL": "email", "WEB": "website"}
_ID_FLAGS = (
    ("diplomatic", "diplomatic"),
    ("knownExpired", "known expired"),
    ("knownFalse", "known false"),
    ("reportedLost", "reported lost"),
    ("revokedByIssuer", "revoked by issuer"),
)
# A ship listed as an enterprise: an IMO number plus ship words, and no company name.
_VESSEL_WORDS_RE = re.compile(r"\b(?:vessel|ship|tanker|carrier|freighter|flag(?:ged)?)\b", re.IGNORECASE)
_GENDERS = {"M": "male", "F": "female"}


# --- format detection and file level ------------------------------------------------


def _root(head: bytes) -> tuple[str, bytes]:
    """(local name, start tag) of the first element in the file head."""
    match = re.search(rb"<([A-Za-z_][\w.:-]*)[^>]*>", head)
    if not match:
        return "", b""
    return match.group(1).decode("ascii", "replace").rsplit(":", 1)[-1], match.group(0)


def sniff(path: Path, head: bytes) -> bool:
    name, start = _root(head)
    return name == _ROOT_TAG and (NAMESPACE.encode() in start or b"sanctionEntity" in head)


def parse(path: Path) -> ParsedList:
    """Stream the entities of one EU FSF XML file."""
    head = read_head(path, 65536)
    reject_dtd(path)
    name, start = _root(head)
    if not sniff(path, head):
        raise ParseError(
            path, "line 1", f"not an EU FSF export: root element is {name or 'missing'}, expected {_ROOT_TAG}"
        )
    meta = ListMeta(
        source=SOURCE,
        format=FORMAT,
        published=_attribute(start, b"generationDate"),
        title=TITLE,
        files=[str(path)],
    )
    file_id = _attribute(start, b"globalFileId")
    if file_id:
        meta.extra["global_file_id"] = file_id
    return ParsedList(meta=meta, entities=_stream(path, meta))


def _attribute(start_tag: bytes, name: bytes) -> str:
    match = re.search(rb"\b" + name + rb"\s*=\s*([\"'])(.*?)\1", start_tag)
    return match.group(2).decode("utf-8", "replace").strip() if match else ""


def _stream(path: Path, meta: ListMeta) -> Iterator[Entity]:
    seen: set[str] = set()
    unhandled: Counter[str] = Counter()
    for _event, elem in iter_xml(path, ("{*}sanctionEntity",)):
        entity = sanction_entity(elem, path, unhandled)
        if entity.id in seen:
            raise ParseError(path, _where(elem), f"duplicate logicalId {entity.id.removeprefix('eu:')}")
        seen.add(entity.id)
        release(elem)
        yield entity
    if not seen:
        raise ParseError(path, "", "no sanctionEntity records in the file")
    meta.extra["entities"] = len(seen)
    if unhandled:
        meta.extra["unhandled_elements"] = dict(unhandled)


# --- one sanctionEntity -------------------------------------------------------------------


def sanction_entity(elem: Any, path: Path, unhandled: Counter[str] | None = None) -> Entity:
    """One sanctionEntity element to an Entity (pure apart from errors)."""
    for node in elem.iter(etree.Entity):
        raise ParseError(path, f"line {node.sourceline}", f"entity reference {node.text} is not allowed")
    logical_id = (elem.get("logicalId") or "").strip()
    if not logical_id:
        raise ParseError(path, _where(elem), "sanctionEntity without a logicalId attribute")
    children: dict[str, list[Any]] = {}
    for child in elem:
        if not isinstance(child.tag, str):
            continue
        name = local(child.tag)
        children.setdefault(name, []).append(child)
        if unhandled is not None and name not in _HANDLED:
            unhandled[name] += 1

    subject = [(s.get("code") or "").strip().lower() for s in children.get("subjectType", [])]
    if not subject or subject[0] not in ("person", "enterprise"):
        found = subject[0] if subject else "none"
        raise ParseError(path, _where(elem), f"subjectType code must be person or enterprise, found {found}")
    is_person = subject[0] == "person"
    un_id = _attr(elem, "unitedNationId")
    entity = Entity(
        id=f"{SOURCE}:{logical_id}",
        source=SOURCE,
        schema="Person" if is_person else "Organization",
        list_ref=_attr(elem, "euReferenceNumber"),
        un_refs=[un_id] if un_id else [],
    )
    for alias in children.get("nameAlias", []):
        _add_name_alias(entity, alias, is_person)
    if not entity.names:
        raise ParseError(path, _where(elem), f"sanctionEntity {logical_id} has no nameAlias with a name")

    for remark in children.get("remark", []):
        _append_unique(entity.notes, _clean(remark.text))
    details = _attr(elem, "designationDetails")
    if details:
        entity.notes.append(details)
    _add_regulations(entity, elem, children.get("regulation", []))
    for citizenship in children.get("citizenship", []):
        code = country_code(citizenship)
        if code:
            _append_unique(entity.nationalities, code)
    for birth in children.get("birthdate", []):
        _add_birth(entity, birth)
    for node in children.get("identification", []):
        _add_identification(entity, node)
    for node in children.get("address", []):
        _add_address(entity, node)

    if not is_person:
        entity.schema = enterprise_schema(entity)
    return entity


def enterprise_schema(entity: Entity) -> str:
    """Vessel, Company or Organization for an EU "enterprise".

    The EU lists ships as enterprises; one is taken for a vessel when it has an IMO
    number, the remarks or document descriptions speak of a ship, and no name
    carries a company legal form (shipping companies have IMO company numbers)."""
    strong = [n.full for n in entity.names if n.kind is not NameKind.WEAK_ALIAS]
    has_imo = any(i.type == "imo" for i in entity.identifiers)
    texts = [*entity.notes, *(i.note for i in entity.identifiers)]
    if (
        has_imo
        and any(_VESSEL_WORDS_RE.search(t) for t in texts)
        and not any(COMPANY_NAME_RE.search(n) for n in strong)
    ):
        return "Vessel"
    return organisation_schema(strong)


def _add_name_alias(entity: Entity, alias: Any, is_person: bool) -> None:
    whole = _attr(alias, "wholeName")
    first, middle, last = _attr(alias, "firstName"), _attr(alias, "middleName"), _attr(alias, "lastName")
    full = whole or " ".join(p for p in (first, middle, last) if p)
    strong = _attr(alias, "strong").lower() != "false"
    kind = NameKind.ALIAS if strong else NameKind.WEAK_ALIAS
    notes = []
    for remark in alias.findall("{*}remark"):
        text = _clean(remark.text)
        lowered = text.lower()
        if "low quality" in lowered:
            kind = NameKind.WEAK_ALIAS
        elif re.search(r"formerly known|f\.k\.a\.|former name|previously known", lowered):
            kind = NameKind.FORMER
        if text:
            notes.append(text)
    if kind is NameKind.ALIAS and not any(n.kind is NameKind.PRIMARY for n in entity.names):
        kind = NameKind.PRIMARY  # the EU has no primary flag: the first strong name is it
    name = make_name(
        full,
        kind,
        given=" ".join(p for p in (first, middle) if p),
        family=last,
        lang=_attr(alias, "nameLanguage").lower(),
        note="; ".join(notes),
    )
    if name is not None and not _has_name(entity, name):
        entity.names.append(name)
    # function / title / gender are stated per name alias.
    function, title = _attr(alias, "function"), _attr(alias, "title")
    if function:
        _append_unique(entity.positions if is_person else entity.notes, function)
    if title:
        _append_unique(entity.titles, title)
    gender = _GENDERS.get(_attr(alias, "gender").upper(), "")
    if gender and is_person:
        entity.gender = gender


def _has_name(entity: Entity, name: Name) -> bool:
    # The EU repeats one spelling once per language (nameLanguage EN, FR, DE...): keep the first.
    return any(existing.full == name.full for existing in entity.names)


def _add_regulations(entity: Entity, elem: Any, regulations: list[Any]) -> None:
    """Programmes, the legal acts and the listing date.  `designationDate` is the
    listing date when given; otherwise the earliest date of the listed acts."""
    dates: list[str] = []
    for regulation in regulations:
        programme = _attr(regulation, "programme")
        if programme:
            _append_unique(entity.programs, programme)
        number_title = _attr(regulation, "numberTitle")
        if number_title:
            entity.add_property("regulation", number_title)
        url = _clean(regulation.findtext("{*}publicationUrl")) or _attr(regulation, "publicationUrl")
        if url:
            entity.add_property("sourceUrl", url)
        for key in ("entryIntoForceDate", "publicationDate"):
            day = parse_single(_attr(regulation, key)[:10])
            if day:
                dates.append(day)
                break
    designated = parse_single(_attr(elem, "designationDate")[:10])
    entity.listed_on = designated or (min(dates) if dates else "")


def _add_birth(entity: Entity, birth: Any) -> None:
    calendar = _attr(birth, "calendarType").upper()
    approximate = _attr(birth, "circa").lower() == "true"
    full = _attr(birth, "birthdate")
    year, month, day = _attr(birth, "year"), _attr(birth, "monthOfYear"), _attr(birth, "dayOfMonth")
    start, end = _attr(birth, "yearRangeFrom"), _attr(birth, "yearRangeTo")
    if calendar and calendar != "GREGORIAN":
        # Only Gregorian dates go into birth_dates; others are kept as written.
        written = (
            full or "-".join(p for p in (year, month, day) if p) or "-".join(p for p in (start, end) if p)
        )
        if written:
            entity.notes.append(f"Date of birth ({calendar.lower()} calendar): {written}")
    else:
        spec = birth_date(full, year, month, day, start, end, approximate)
        if spec:
            _append_unique(entity.birth_dates, spec)
    place_parts = [_attr(birth, "place"), _attr(birth, "city"), _attr(birth, "region"), _country_name(birth)]
    place = ", ".join(p for p in place_parts if p)
    if place:
        _append_unique(entity.birth_places, place)
    code = country_code(birth)
    if code and entity.schema == "Person":
        entity.add_property("birthCountry", code)


def birth_date(
    full: str, year: str, month: str, day: str, start: str, end: str, approximate: bool
) -> DateSpec | None:
    """A birthdate element's attributes to a DateSpec: the full date, else the
    year[-month[-day]] parts, else the year range (open ends allowed)."""
    iso = parse_single(full[:10]) if full else None
    if not iso and year:
        parts = [year]
        if month:
            parts.append(f"{int(month):02d}" if is_ascii_digits(month) else month)
            if day:
                parts.append(f"{int(day):02d}" if is_ascii_digits(day) else day)
        iso = parse_single("-".join(parts)) or parse_single(year)
    if iso:
        return DateSpec(iso, "", approximate)
    first, last = parse_single(start), parse_single(end)
    if first or last:
        text = "" if first and last else (f"{start} or later" if first else f"no later than {end}")
        low, high = first or last or "", last or first or ""
        return DateSpec(min(low, high), max(low, high), approximate or not (first and last), text)
    return None


def _add_identification(entity: Entity, node: Any) -> None:
    code = _attr(node, "identificationTypeCode")
    kind = _ID_TYPES.get(code.lower(), "other")
    notes = []
    description = _attr(node, "identificationTypeDescription")
    if description:
        notes.append(description)
    elif kind == "other" and code:
        notes.append(code)
    for attribute, label in _ID_FLAGS:
        if _attr(node, attribute).lower() == "true":
            notes.append(label)
    for label, attribute in (
        ("issued by", "issuedBy"),
        ("issued", "issueDate"),
        ("name on document:", "nameOnDocument"),
        ("region:", "region"),
    ):
        value = _attr(node, attribute)
        if value:
            notes.append(f"{label} {value}")
    for remark in node.findall("{*}remark"):
        text = _clean(remark.text)
        if text:
            notes.append(text)
    country = country_code(node)
    number, latin = _attr(node, "number"), _attr(node, "latinNumber")
    for value, extra in ((number, ""), (latin, "Latin transcription of the number")):
        if (
            value
            and value != "-"
            and not any(i.value == value and i.type == kind for i in entity.identifiers)
        ):
            entity.identifiers.append(
                Identifier(kind, value, country, "; ".join([*notes, extra] if extra else notes))
            )


def _add_address(entity: Entity, node: Any) -> None:
    street, po_box, city = _attr(node, "street"), _attr(node, "poBox"), _attr(node, "city")
    postal, region, place = _attr(node, "zipCode"), _attr(node, "region"), _attr(node, "place")
    country_name, code = _country_name(node), country_code(node)
    notes = [_clean(r.text) for r in node.findall("{*}remark") if _clean(r.text)]
    as_at = _attr(node, "asAtListingTime")
    if as_at.lower() == "true":
        notes.append("as at listing time")
    for contact in node.findall("{*}contactInfo"):
        key, value = _attr(contact, "key").upper(), _attr(contact, "value")
        if not value:
            continue
        if key in _CONTACT_TYPES:
            identifier = Identifier(_CONTACT_TYPES[key], value, note="fax" if key == "FAX" else "")
            _append_unique(entity.identifiers, identifier)
        else:
            notes.append(f"{key}: {value}")
    parts = [street, f"PO Box {po_box}" if po_box else "", place, city, region, postal, country_name]
    full = ", ".join(p for p in parts if p)
    if not full and not notes:
        return
    street_line = ", ".join(p for p in (street, f"PO Box {po_box}" if po_box else "") if p)
    address = Address(
        full=full or "; ".join(notes),
        street=street_line,
        city=city or place,
        region=region,
        postal_code=postal,
        country=code,
        note="; ".join(notes) if full else "",
    )
    _append_unique(entity.addresses, address)
    if code:
        _append_unique(entity.countries, code)


# --- small helpers ----------------------------------------------------------------------


def country_code(node: Any) -> str:
    """ISO alpha-2 (lower case) of a node's country; "" for "00"/UNKNOWN."""
    code = _attr(node, "countryIso2Code").lower()
    if re.fullmatch(r"[a-z]{2}", code):
        return code
    name = _country_name(node)
    return to_code(name) if name else ""


def _country_name(node: Any) -> str:
    name = _attr(node, "countryDescription")
    return "" if name.upper() == "UNKNOWN" else name


def _where(elem: Any) -> str:
    logical_id = (elem.get("logicalId") or "").strip()
    return f"line {elem.sourceline}, element sanctionEntity" + (f" {logical_id}" if logical_id else "")


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _attr(elem: Any, name: str) -> str:
    return _clean(elem.get(name))


def _append_unique(items: list[Any], item: Any) -> None:
    if item and item not in items:
        items.append(item)
