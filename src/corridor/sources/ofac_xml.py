"""OFAC `sdnList` XML: sdn.xml (SDN list) and consolidated.xml (Non-SDN list).

    <sdnList xmlns="...">
      <publshInformation><Publish_Date>01/08/2026</Publish_Date><Record_Count>442</Record_Count>
      <sdnEntry>
        <uid/> <firstName/> <lastName/> <title/> <sdnType/> <remarks/>
        <programList><program/></programList>
        <idList><id><uid/><idType/><idNumber/><idCountry/><issueDate/><expirationDate/></id></idList>
        <akaList><aka><uid/><type>a.k.a.|f.k.a.|n.k.a.</type><category>strong|weak</category>
                      <lastName/><firstName/></aka></akaList>
        <addressList><address><address1/><address2/><address3/><city/><stateOrProvince/>
                              <postalCode/><country/></address></addressList>
        <nationalityList>/<citizenshipList> <nationality|citizenship><country/><mainEntry/>
        <dateOfBirthList><dateOfBirthItem><dateOfBirth/><mainEntry/>
        <placeOfBirthList><placeOfBirthItem><placeOfBirth/><mainEntry/>
        <vesselInfo><callSign/><vesselType/><vesselFlag/><vesselOwner/><tonnage/>
                    <grossRegisteredTonnage/></vesselInfo>

Two namespaces are in use: the current Sanctions List Service export
(https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML)
and the older http://tempuri.org/sdnList.xsd; elements are matched on local names.
Dates inside are "04 Mar 1962", "1962", "circa 1962", "1961 to 1963"; numeric
dates (Publish_Date) are month first.  `idList` also carries non-identifier facts
("Gender", "Secondary sanctions risk:", "Organization Established Date"...): they
go through the label table shared with the CSV remarks (ofac_remarks).

Which list: the file does not say.  The source is decided, in order, by the file
name ("cons*"/"*consolidated*" -> ofac-cons, "sdn*" -> ofac-sdn), else by size:
the Non-SDN list has never held more than about 1,000 entries and the SDN list
never fewer than 5,000, so Record_Count < 3000 -> ofac-cons.  `meta.extra`
records which rule decided.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from corridor.model import Address, DateSpec, Entity, Identifier, Name, NameKind, make_name
from corridor.sources.base import (
    ListMeta,
    ParsedList,
    ParseError,
    iter_xml,
    local,
    read_head,
    release,
    text_of,
)
from corridor.sources.ofac_csv import entity_schema
from corridor.sources.ofac_remarks import RemarkFacts, apply_facts, country_code, parse_remarks, person_name
from corridor.types.dates import parse_date
from corridor.types.text import is_ascii_digits

FORMAT = "ofac-xml"

NAMESPACES = (
    "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML",
    "http://tempuri.org/sdnList.xsd",
)
CONS_MAX_RECORDS = 3000  # see the module docstring

_SCHEMA = {"individual": "Person", "entity": "Organization", "vessel": "Vessel", "aircraft": "Aircraft"}
_ROOT_RE = re.compile(rb"<(?:[\w.-]+:)?sdnList[\s>]")
_PUBLISH_RE = re.compile(rb"<(?:[\w.-]+:)?Publish_Date>\s*([^<]*?)\s*<")
_COUNT_RE = re.compile(rb"<(?:[\w.-]+:)?Record_Count>\s*([^<]*?)\s*<")
_NUMERIC_DATE_RE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


# --- element helpers ---------------------------------------------------------------


def _children(elem: Any, name: str) -> list[Any]:
    return [child for child in elem if isinstance(child.tag, str) and local(child.tag) == name]


def _child(elem: Any, name: str) -> Any:
    found = _children(elem, name)
    return found[0] if found else None


def _text(elem: Any, name: str) -> str:
    return text_of(_child(elem, name))


def _items(elem: Any, list_name: str, item_name: str) -> list[Any]:
    holder = _child(elem, list_name)
    return _children(holder, item_name) if holder is not None else []


def ofac_date(text: str) -> DateSpec | None:
    """An OFAC XML date: word dates as written, numeric ones month first."""
    text = " ".join(text.split())
    text = re.sub(r"\b(\d{4})\s*-\s*(\d{4})\b", r"\1 to \2", text)
    return parse_date(text, day_first=not _NUMERIC_DATE_RE.match(text))


def iso_publish_date(text: str) -> str:
    """ "01/08/2026" -> "2026-01-08" ("" when unreadable)."""
    spec = parse_date(text, day_first=False) if text else None
    return spec.start if spec else ""


# --- pure record logic ------------------------------------------------------------------


def _name(first: str, last: str, kind: NameKind, person: bool, note: str = "") -> Name | None:
    """firstName + lastName in natural order; a person's weak alias comes whole in
    lastName ("ZAHAR, Mahmoud"), as in the CSV remarks, and is split the same way."""
    if person and first and last:
        return make_name(f"{first} {last}", kind, given=first, family=last, note=note)
    if person and not first and last.count(",") == 1:
        return person_name(last, kind, note)
    return make_name(" ".join(p for p in (first, last) if p), kind, note=note)


def _aka_kind(aka_type: str, category: str) -> tuple[NameKind, str]:
    aka_type = aka_type.casefold().replace(".", "").strip()
    weak = category.casefold() == "weak"
    if aka_type == "fka":
        return NameKind.FORMER, "weak" if weak else ""
    note = "n.k.a." if aka_type == "nka" else ""
    return (NameKind.WEAK_ALIAS if weak else NameKind.ALIAS), note


def _address(elem: Any) -> Address | None:
    street = ", ".join(p for p in (_text(elem, f"address{i}") for i in (1, 2, 3)) if p)
    city, region = _text(elem, "city"), _text(elem, "stateOrProvince")
    postal, country_text = _text(elem, "postalCode"), _text(elem, "country")
    if not (street or city or region or postal or country_text):
        return None
    code = country_code(country_text) if country_text else None
    full = ", ".join(p for p in (street, city, region, postal, country_text) if p)
    note = f"country: {country_text}" if country_text and not code else ""
    return Address(full, street, city, region, postal, code or "", note)


def build_entity(elem: Any, source: str, path: Path) -> Entity:
    """One sdnEntry element to an Entity (the element is not modified)."""
    uid = _text(elem, "uid")
    if not is_ascii_digits(uid):
        line = getattr(elem, "sourceline", None) or "?"
        raise ParseError(path, f"line {line}", f"sdnEntry uid {uid!r} is not a number")
    sdn_type = _text(elem, "sdnType")
    schema = _SCHEMA.get(sdn_type.casefold())
    if schema is None:
        line = getattr(elem, "sourceline", None) or "?"
        raise ParseError(path, f"line {line}", f"sdnEntry {uid}: unknown sdnType {sdn_type!r}")
    person = schema == "Person"
    first, last = _text(elem, "firstName"), _text(elem, "lastName")
    if schema == "Organization":  # same legal-form rule as the CSV
        schema = entity_schema("", " ".join(p for p in (first, last) if p))
    entity = Entity(id=f"ofac:{uid}", source=source, schema=schema, list_ref=uid)
    primary = _name(first, last, NameKind.PRIMARY, person)
    if primary:
        entity.names.append(primary)
    title = _text(elem, "title")
    if title:
        entity.titles.append(title)
    for program in _items(elem, "programList", "program"):
        value = text_of(program)
        if value and value not in entity.programs:
            entity.programs.append(value)

    for aka in _items(elem, "akaList", "aka"):
        kind, note = _aka_kind(_text(aka, "type"), _text(aka, "category"))
        alias = _name(_text(aka, "firstName"), _text(aka, "lastName"), kind, person, note)
        if alias and alias not in entity.names and not (primary and alias.full == primary.full):
            entity.names.append(alias)

    facts = RemarkFacts()
    for ident in _items(elem, "idList", "id"):
        facts.add_labelled(
            _text(ident, "idType"),
            _text(ident, "idNumber"),
            _text(ident, "idCountry"),
            _text(ident, "issueDate"),
            _text(ident, "expirationDate"),
        )
    for item in _items(elem, "nationalityList", "nationality"):
        facts.add_labelled("nationality", _text(item, "country"))
    for item in _items(elem, "citizenshipList", "citizenship"):
        facts.add_labelled("citizen", _text(item, "country"))
    for item in _items(elem, "dateOfBirthList", "dateOfBirthItem"):
        raw = _text(item, "dateOfBirth")
        date = ofac_date(raw) if raw else None
        if date and date not in facts.birth_dates:
            facts.birth_dates.append(date)
        elif raw and not date:
            facts.notes.append(f"DOB {raw}")
    for item in _items(elem, "placeOfBirthList", "placeOfBirthItem"):
        facts.add_labelled("POB", _text(item, "placeOfBirth"))
    apply_facts(entity, facts)

    vessel = _child(elem, "vesselInfo")
    if vessel is not None:
        call_sign = _text(vessel, "callSign")
        if call_sign:
            entity.add_property("callSign", call_sign)
            entity.identifiers.append(Identifier("call_sign", call_sign))
        entity.add_property("type", _text(vessel, "vesselType"))
        flag = _text(vessel, "vesselFlag")
        if flag:
            code = country_code(flag)
            if code:
                entity.add_property("flag", code)
            else:
                entity.notes.append(f"Vessel flag: {flag}")
        entity.add_property("owner", _text(vessel, "vesselOwner"))
        entity.add_property("tonnage", _text(vessel, "tonnage"))
        entity.add_property("grossRegisteredTonnage", _text(vessel, "grossRegisteredTonnage"))

    for item in _items(elem, "addressList", "address"):
        address = _address(item)
        if address and address not in entity.addresses:
            entity.addresses.append(address)
            if address.country and address.country not in entity.countries:
                entity.countries.append(address.country)

    remarks = _text(elem, "remarks")
    if remarks:
        entity.add_property("remarks", remarks)
        apply_facts(entity, parse_remarks(remarks))
    return entity


# --- parser entry points -----------------------------------------------------------------


def sniff(path: Path, head: bytes) -> bool:
    """An sdnList document: the root element and its publshInformation/sdnEntry."""
    if not path.is_file() or not _ROOT_RE.search(head):
        return False
    return b"publshInformation" in head or b"sdnEntry" in head


def decide_source(path: Path, declared_count: int | None) -> tuple[str, str]:
    """(source key, the rule that decided it) — see the module docstring."""
    name = path.name.casefold()
    if name.startswith("cons") or "consolidated" in name:
        return "ofac-cons", "file name"
    if name.startswith("sdn"):
        return "ofac-sdn", "file name"
    if declared_count is not None:
        if declared_count < CONS_MAX_RECORDS:
            return "ofac-cons", f"Record_Count {declared_count} < {CONS_MAX_RECORDS}"
        return "ofac-sdn", f"Record_Count {declared_count} >= {CONS_MAX_RECORDS}"
    return "ofac-sdn", "default (no file name or count to go by)"


def _count(path: Path, text: str) -> int | None:
    if not text:
        return None
    if not is_ascii_digits(text):
        raise ParseError(path, "publshInformation/Record_Count", f"not a number: {text!r}")
    return int(text)


def _entities(path: Path, meta: ListMeta) -> Iterator[Entity]:
    count = 0
    namespaces: set[str] = set()
    for _event, elem in iter_xml(path, tags=("{*}publshInformation", "{*}sdnEntry")):
        tag = str(elem.tag)
        if tag.startswith("{"):
            namespaces.add(tag[1:].split("}", 1)[0])
        if local(tag) == "publshInformation":
            published = _text(elem, "Publish_Date")
            meta.published = iso_publish_date(published) or meta.published
            meta.declared_count = _count(path, _text(elem, "Record_Count"))
            release(elem)
            continue
        entity = build_entity(elem, meta.source, path)
        release(elem)
        count += 1
        yield entity
    meta.extra["entry_count"] = count
    meta.extra["namespaces"] = sorted(namespaces)


def parse(path: Path) -> ParsedList:
    if path.is_dir():  # the registry hands over a directory holding a single list file
        xml_files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.casefold() == ".xml")
        if len(xml_files) != 1:
            raise ParseError(path, "", "a directory: name the sdnList XML file")
        path = xml_files[0]
    head = read_head(path, 65536)
    publish = _PUBLISH_RE.search(head)
    count_match = _COUNT_RE.search(head)
    declared = _count(path, count_match.group(1).decode("ascii", "replace")) if count_match else None
    source, rule = decide_source(path, declared)
    titles = {
        "ofac-sdn": "OFAC SDN list (sdnList XML)",
        "ofac-cons": "OFAC Non-SDN Consolidated list (sdnList XML)",
    }
    meta = ListMeta(
        source=source,
        format=FORMAT,
        published=iso_publish_date(publish.group(1).decode("ascii", "replace")) if publish else "",
        declared_count=declared,
        title=titles[source],
        files=[str(path)],
        extra={"source_rule": rule},
    )
    return ParsedList(meta=meta, entities=_entities(path, meta))
