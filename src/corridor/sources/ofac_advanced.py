"""OFAC "advanced" XML (`sdn_advanced.xml`, `cons_advanced.xml`, schema `sdn_advanced.xsd`).

The file is a relational dump in XML.  Root `Sanctions` holds, in this order:
`DateOfIssue`; `ReferenceValueSets` (lookup tables: AliasType, PartySubType,
FeatureType, IDRegDocType, Country, Script, SanctionsType...: ID -> text);
`Locations` (addresses and countries, referenced by features); `IDRegDocuments`
(passports, registration and tax numbers, keyed by the owning Identity);
`DistinctParties` (one `DistinctParty/Profile` per listed party: identities with
aliases and name parts, features such as birth date, place of birth,
nationality, address, gender, vessel flag); `ProfileRelationships` and
`SanctionsEntries` (programmes and listing dates per profile).

Because the sanctions entries come *after* the parties, the file is read twice
with a streaming parser: pass 1 keeps only the small lookup sections (reference
values, locations, documents, sanctions entries, relationships) and throws each
party away; pass 2 streams the parties and builds one `Entity` each.  Neither
pass holds the parties as a tree.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridor.model import Address, DateSpec, Entity, Identifier, Name, NameKind, detect_script
from corridor.sources.base import ListMeta, ParsedList, ParseError, iter_xml, local, release, text_of
from corridor.sources.un_xml import COMPANY_NAME_RE
from corridor.types.countries import to_code
from corridor.types.text import is_ascii_digits

FORMAT = "ofac-advanced"

_ROOT_RE = re.compile(rb"<Sanctions[\s>]")
_NS_RE = re.compile(rb"<Sanctions\s[^>]*?\bxmlns=\"([^\"]*)\"")

# Name part types (NamePartType values) to the Name field they fill.
_GIVEN_PARTS = ("First Name", "Middle Name")
_FAMILY_PARTS = ("Last Name", "Maiden Name")
_PATRONYMIC_PARTS = ("Patronymic",)

# Script values (text or ScriptCode) to the script labels of `model.detect_script`.
_SCRIPTS = {
    "latin": "Latin",
    "latn": "Latin",
    "cyrillic": "Cyrillic",
    "cyrl": "Cyrillic",
    "arabic": "Arabic",
    "arab": "Arabic",
    "chinese": "Han",
    "chinese simplified": "Han",
    "chinese traditional": "Han",
    "hans": "Han",
    "hant": "Han",
    "hani": "Han",
    "korean": "Hangul",
    "hangul": "Hangul",
    "hang": "Hangul",
    "kore": "Hangul",
    "greek": "Greek",
    "hebrew": "Hebrew",
    "georgian": "Georgian",
    "armenian": "Armenian",
}

# Legal-form words that make an OFAC "Entity" a Company rather than an Organization.
_LEGAL_FORM_RE = re.compile(
    r"(?<![A-Za-z0-9])(LLC|L\.L\.C\.|LTD|LIMITED|INC|CORP|CORPORATION|COMPANY|CO|JSC|OJSC|CJSC|PJSC|OAO|ZAO|OOO|"
    r"PAO|AO|GMBH|AG|SA|S\.A\.|SARL|SAS|A\.S\.|SRL|S\.R\.L\.|BV|B\.V\.|NV|N\.V\.|PLC|LLP|BHD|PTE|FZE|FZCO|"
    r"BANK|BANKA|TOO|TOV|SPA|S\.P\.A\.|KG|EOOD|OOD|D\.O\.O\.|OBSHCHESTVO|AKTSIONERNOE|AKTSIONERNAYA|"
    r"TOVARISHCHESTVO|KOMPANIYA|PREDPRIYATIE)(?![A-Za-z0-9])",
    re.IGNORECASE,
)

# Feature types whose value is an identifier rather than a fact.
_FEATURE_IDS = {
    "swift/bic": "swift",
    "website": "website",
    "email address": "email",
    "phone number": "phone",
    "vessel call sign": "call_sign",
    "mmsi": "mmsi",
    "aircraft manufacturer's serial number (msn)": "aircraft_serial",
    "aircraft construction number (also called l/n or s/n or f/n)": "aircraft_serial",
    "aircraft tail number": "aircraft_registration",
}

# Feature types kept as FtM properties of the entity.
_FEATURE_PROPS = {
    "vessel flag": "flag",
    "other vessel flag": "pastFlags",
    "former vessel flag": "pastFlags",
    "vessel type": "type",
    "vessel tonnage": "tonnage",
    "vessel gross registered tonnage": "grossRegisteredTonnage",
    "vessel year of build": "buildDate",
    "aircraft model": "model",
    "aircraft manufacture date": "buildDate",
    "organization established date": "incorporationDate",
    "organization type:": "legalForm",
}


@dataclass(slots=True)
class _SanctionsFacts:
    """What the SanctionsEntries say about one profile."""

    programs: list[str] = field(default_factory=list)
    provisions: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    legal_bases: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Lookups:
    """Everything pass 1 collects: the small, ID-referenced sections."""

    published: str = ""
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # set -> ID -> text
    attrs: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # set -> ID -> attributes
    locations: dict[str, Address] = field(default_factory=dict)
    documents: dict[str, list[Identifier]] = field(default_factory=dict)  # IdentityID -> documents
    sanctions: dict[str, _SanctionsFacts] = field(default_factory=dict)  # ProfileID -> facts
    relations: dict[str, list[str]] = field(default_factory=dict)  # ProfileID -> linked ProfileIDs
    parties: int = 0
    entries: int = 0

    def text(self, value_set: str, ref_id: str | None) -> str:
        if not ref_id:
            return ""
        return self.values.get(value_set, {}).get(ref_id, "")

    def attr(self, value_set: str, ref_id: str | None, name: str) -> str:
        if not ref_id:
            return ""
        return self.attrs.get(value_set, {}).get(ref_id, {}).get(name, "")

    def country(self, country_id: str | None) -> str:
        """ISO alpha-2 (lower) of a CountryValues ID, "" when unknown."""
        iso = self.attr("Country", country_id, "ISO2")
        if iso:
            return iso.lower()
        return to_code(self.text("Country", country_id)) or ""


def sniff(path: Path, head: bytes) -> bool:
    return bool(_ROOT_RE.search(head)) and (b"ReferenceValueSets" in head or b"sdn_advanced" in head)


def parse(path: Path) -> ParsedList:
    """Read the lookup sections now (pass 1), stream the parties lazily (pass 2)."""
    namespace = _namespace(path)
    lookups = _collect_lookups(path, namespace)
    meta = ListMeta(
        source=_source(path, lookups),
        format=FORMAT,
        published=lookups.published,
        title="OFAC sanctions list (advanced XML)",
        files=[str(path)],
        extra={"distinct_parties": lookups.parties, "sanctions_entries": lookups.entries},
    )
    return ParsedList(meta=meta, entities=_entities(path, namespace, lookups, meta))


def _namespace(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(4096)
    match = _NS_RE.search(head)
    if not _ROOT_RE.search(head):
        raise ParseError(path, "line 1", "not an OFAC advanced XML file: no <Sanctions> root element")
    if not match:
        return ""
    try:
        namespace = match.group(1).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(path, "line 1", f"namespace is not valid UTF-8: {exc}") from exc
    if any(ord(char) < 0x20 for char in namespace):
        raise ParseError(path, "line 1", "namespace holds control characters")
    return namespace


def _tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}" if namespace else name


def _source(path: Path, lookups: _Lookups) -> str:
    """ "ofac-sdn" for the SDN list, "ofac-cons" for the non-SDN consolidated list:
    by file name when it says, else by the lists the sanctions entries cite."""
    name = path.name.lower()
    if "cons" in name:
        return "ofac-cons"
    if "sdn" in name:
        return "ofac-sdn"
    cited = {entry_list for facts in lookups.sanctions.values() for entry_list in facts.lists}
    return "ofac-sdn" if cited and cited <= {"SDN List"} else "ofac-cons"


# --- pass 1 -------------------------------------------------------------------------


def _collect_lookups(path: Path, ns: str) -> _Lookups:
    lookups = _Lookups()
    names = ("DateOfIssue", "ReferenceValueSets", "Location", "IDRegDocument", "DistinctParty")
    tags = (*(_tag(ns, n) for n in names), _tag(ns, "ProfileRelationship"), _tag(ns, "SanctionsEntry"))
    for _event, elem in iter_xml(path, tags):
        name = local(elem.tag)
        parent = elem.getparent()
        parent_name = local(parent.tag) if parent is not None else ""
        if name == "DateOfIssue" and parent_name == "Sanctions":
            lookups.published = _ymd(elem, ns)
        elif name == "ReferenceValueSets":
            _read_reference_values(elem, lookups)
        elif name == "Location" and parent_name == "Locations":
            lookups.locations[elem.get("ID", "")] = _location(elem, ns, lookups)
        elif name == "IDRegDocument" and parent_name == "IDRegDocuments":
            identifier = _document(path, elem, ns, lookups)
            if identifier is not None:
                lookups.documents.setdefault(elem.get("IdentityID", ""), []).append(identifier)
        elif name == "DistinctParty":
            lookups.parties += 1
        elif name == "ProfileRelationship":
            source, target = elem.get("From-ProfileID", ""), elem.get("To-ProfileID", "")
            if source and target:
                lookups.relations.setdefault(source, []).append(target)
                lookups.relations.setdefault(target, []).append(source)
        elif name == "SanctionsEntry":
            lookups.entries += 1
            _read_sanctions_entry(path, elem, ns, lookups)
        else:
            continue  # a nested element that happens to share a tag name: leave it to its parent
        release(elem)
    if not lookups.values:
        raise ParseError(path, "ReferenceValueSets", "missing: not an OFAC advanced XML file")
    if not lookups.parties:
        raise ParseError(path, "DistinctParties", "no DistinctParty: the file lists no one")
    return lookups


def _read_reference_values(elem: Any, lookups: _Lookups) -> None:
    for value_set in elem:
        for value in value_set:
            set_name = local(value.tag)
            ref_id = value.get("ID", "")
            lookups.values.setdefault(set_name, {})[ref_id] = text_of(value)
            lookups.attrs.setdefault(set_name, {})[ref_id] = dict(value.attrib)


def _location(elem: Any, ns: str, lookups: _Lookups) -> Address:
    parts: dict[str, list[str]] = {}
    for part in elem.iter(_tag(ns, "LocationPart")):
        part_type = lookups.text("LocPartType", part.get("LocPartTypeID")).upper()
        for value in part.iter(_tag(ns, "Value")):
            text = text_of(value)
            if text:
                parts.setdefault(part_type, []).append(text)
    country = ""
    for located in elem.iter(_tag(ns, "LocationCountry")):
        country = lookups.country(located.get("CountryID"))
    if not country:
        for area in elem.iter(_tag(ns, "LocationAreaCode")):
            country = lookups.country(lookups.attr("AreaCode", area.get("AreaCodeID"), "CountryID"))

    def joined(*types: str) -> str:
        return ", ".join(v for t in types for v in parts.get(t, []))

    street = joined("ADDRESS1", "ADDRESS2", "ADDRESS3")
    city = joined("CITY")
    region = joined("STATE/PROVINCE", "REGION")
    postal = joined("POSTAL CODE")
    country_name = ""
    for located in elem.iter(_tag(ns, "LocationCountry")):
        country_name = lookups.text("Country", located.get("CountryID"))
    full = ", ".join(v for v in (street, city, region, postal, country_name, joined("UNKNOWN")) if v)
    return Address(full=full, street=street, city=city, region=region, postal_code=postal, country=country)


_DOC_TYPES = (
    ("vessel registration", "imo"),
    ("imo", "imo"),
    ("mmsi", "mmsi"),
    ("swift", "swift"),
    ("passport", "passport"),
    ("tax", "tax_id"),
    ("v.a.t", "tax_id"),
    ("vat", "tax_id"),
    ("ruc", "tax_id"),
    ("cuit", "tax_id"),
    ("nit", "tax_id"),
    ("rfc", "tax_id"),
    ("aircraft serial", "aircraft_serial"),
    ("aircraft", "aircraft_registration"),
    ("registration", "registration"),
    ("registry", "registration"),
    ("gazette", "registration"),
    ("incorporation", "registration"),
    ("company number", "registration"),
    ("business number", "registration"),
    ("credit code", "registration"),
    ("enterprise number", "registration"),
    ("c.r. no", "registration"),
    ("national id", "national_id"),
    ("identification", "national_id"),
    ("id card", "national_id"),
    ("id no", "national_id"),
    ("cedula", "national_id"),
    ("d.n.i", "national_id"),
    ("c.u.r.p", "national_id"),
    ("residency", "national_id"),
)


def id_type(doc_type: str) -> str:
    """Our identifier type for an OFAC IDRegDocType text ("other" when unclear)."""
    lowered = doc_type.lower()
    for word, kind in _DOC_TYPES:
        if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", lowered):
            return kind
    return "other"


def _document(path: Path, elem: Any, ns: str, lookups: _Lookups) -> Identifier | None:
    number = text_of(elem.find(_tag(ns, "IDRegistrationNo")))
    if not number:
        return None
    doc_type = lookups.text("IDRegDocType", elem.get("IDRegDocTypeID"))
    if not doc_type:
        raise ParseError(
            path,
            f"line {elem.sourceline}: IDRegDocument {elem.get('ID')}",
            f"unknown IDRegDocTypeID {elem.get('IDRegDocTypeID')!r}",
        )
    kind = id_type(doc_type)
    if kind == "imo":
        number = re.sub(r"^IMO\s*", "", number, flags=re.IGNORECASE)
    notes = [doc_type]
    authority = text_of(elem.find(_tag(ns, "IssuingAuthority")))
    if authority:
        notes.append(f"issued by {authority}")
    for date_elem in elem.iter(_tag(ns, "IDRegDocDateOfIssuance")):
        date_type = lookups.text("IDRegDocDateType", date_elem.get("IDRegDocDateTypeID"))
        period = date_elem.find(_tag(ns, "DatePeriod"))
        spec = _date_period(period, ns) if period is not None else None
        if spec is not None:
            notes.append(f"{date_type or 'date'} {spec.start}")
    validity = lookups.text("Validity", elem.get("ValidityID"))
    if validity and validity != "Valid":
        notes.append(validity)
    country = lookups.country(elem.get("IssuedBy-CountryID"))
    return Identifier(type=kind, value=number, country=country, note="; ".join(notes))


def _read_sanctions_entry(path: Path, elem: Any, ns: str, lookups: _Lookups) -> None:
    profile_id = elem.get("ProfileID")
    if not profile_id:
        raise ParseError(path, f"line {elem.sourceline}: SanctionsEntry {elem.get('ID')}", "no ProfileID")
    facts = lookups.sanctions.setdefault(profile_id, _SanctionsFacts())
    _add(facts.lists, lookups.text("List", elem.get("ListID")))
    for event in elem.iter(_tag(ns, "EntryEvent")):
        date = event.find(_tag(ns, "Date"))
        if date is not None:
            _add(facts.dates, _ymd(date, ns))
        _add(facts.legal_bases, lookups.text("LegalBasis", event.get("LegalBasisID")))
    for measure in elem.iter(_tag(ns, "SanctionsMeasure")):
        measure_type = lookups.text("SanctionsType", measure.get("SanctionsTypeID"))
        comment = text_of(measure.find(_tag(ns, "Comment")))
        if measure_type == "Program":
            _add(facts.programs, comment)
        else:
            _add(facts.provisions, measure_type)


# --- pass 2 -------------------------------------------------------------------------


def _entities(path: Path, ns: str, lookups: _Lookups, meta: ListMeta) -> Iterator[Entity]:
    for _event, elem in iter_xml(path, (_tag(ns, "DistinctParty"),)):
        entity = _party(path, elem, ns, lookups, meta.source)
        release(elem)
        yield entity


def _party(path: Path, elem: Any, ns: str, lookups: _Lookups, source: str) -> Entity:
    fixed_ref = elem.get("FixedRef", "")
    where = f"line {elem.sourceline}: DistinctParty {fixed_ref}"
    profile = elem.find(_tag(ns, "Profile"))
    if not fixed_ref or profile is None:
        raise ParseError(path, where, "DistinctParty without FixedRef or Profile")
    profile_id = profile.get("ID", fixed_ref)
    entity = Entity(id=f"ofac:{fixed_ref}", source=source, schema="LegalEntity", list_ref=fixed_ref)

    for identity in profile.iter(_tag(ns, "Identity")):
        groups = {
            group.get("ID", ""): lookups.text("NamePartType", group.get("NamePartTypeID"))
            for group in identity.iter(_tag(ns, "NamePartGroup"))
        }
        for alias in identity.iter(_tag(ns, "Alias")):
            kind = _name_kind(alias, lookups)
            for documented in alias.iter(_tag(ns, "DocumentedName")):
                name = _documented_name(documented, ns, groups, kind, lookups)
                if name is not None and name not in entity.names:
                    entity.names.append(name)
        for identifier in lookups.documents.get(identity.get("ID", ""), []):
            if identifier not in entity.identifiers:
                entity.identifiers.append(identifier)
    if not entity.names:
        raise ParseError(path, where, "party has no name")
    entity.names.sort(key=lambda n: n.kind is not NameKind.PRIMARY)  # primary first, order kept otherwise

    entity.schema = _schema(profile, lookups, entity.names)
    for feature in profile.iter(_tag(ns, "Feature")):
        _apply_feature(feature, ns, lookups, entity)

    facts = lookups.sanctions.get(profile_id)
    if facts is not None:
        entity.programs.extend(facts.programs)
        if facts.dates:
            entity.listed_on = min(facts.dates)
        for provision in facts.provisions:
            entity.add_property("provisions", provision)
        for entry_list in facts.lists:
            entity.add_property("sanctionsList", entry_list)
        for basis in facts.legal_bases:
            if basis != "Unknown":
                entity.add_property("legalBasis", basis)
    for other in lookups.relations.get(profile_id, []):
        _add(entity.linked_to, f"ofac:{other}")
    comment = text_of(elem.find(_tag(ns, "Comment")))
    if comment:
        entity.notes.append(comment)
    return entity


def _name_kind(alias: Any, lookups: _Lookups) -> NameKind:
    if alias.get("Primary") == "true":
        return NameKind.PRIMARY
    if alias.get("LowQuality") == "true":
        return NameKind.WEAK_ALIAS
    alias_type = lookups.text("AliasType", alias.get("AliasTypeID")).upper()
    if alias_type == "F.K.A.":
        return NameKind.FORMER
    return NameKind.ALIAS  # A.K.A., N.K.A. ("now known as": a current name)


def _documented_name(
    documented: Any, ns: str, groups: dict[str, str], kind: NameKind, lookups: _Lookups
) -> Name | None:
    given: list[str] = []
    family: list[str] = []
    patronymic: list[str] = []
    other: list[str] = []
    declared_script = ""
    for value in documented.iter(_tag(ns, "NamePartValue")):
        text = text_of(value)
        if not text:
            continue
        part_type = groups.get(value.get("NamePartGroupID", ""), "")
        if part_type in _GIVEN_PARTS:
            given.append(text)
        elif part_type in _FAMILY_PARTS:
            family.append(text)
        elif part_type in _PATRONYMIC_PARTS:
            patronymic.append(text)
        else:  # Entity Name, Vessel Name, Aircraft Name, Nickname...
            other.append(text)
        script_id = value.get("ScriptID")
        script_text = lookups.text("Script", script_id) or lookups.attr("Script", script_id, "ScriptCode")
        declared_script = declared_script or _SCRIPTS.get(script_text.lower(), script_text)
    # Natural order (given, patronymic, family), as the name would be written out.
    full = " ".join([*given, *patronymic, *family, *other])
    full = " ".join(full.split())
    if not full:
        return None
    detected = detect_script(full)
    script = detected if detected and detected != "Other" else declared_script
    return Name(
        full=full,
        kind=kind,
        script=script,
        given=" ".join(given),
        family=" ".join(family),
        patronymic=" ".join(patronymic),
        note="low quality" if kind is NameKind.WEAK_ALIAS else "",
    )


def _schema(profile: Any, lookups: _Lookups, names: list[Name]) -> str:
    sub_type_id = profile.get("PartySubTypeID")
    sub_type = lookups.text("PartySubType", sub_type_id)
    party_type = lookups.text("PartyType", lookups.attr("PartySubType", sub_type_id, "PartyTypeID"))
    if sub_type == "Vessel":
        return "Vessel"
    if sub_type == "Aircraft":
        return "Aircraft"
    if party_type == "Individual" or sub_type == "Individual":
        return "Person"
    if party_type == "Entity" or sub_type == "Entity":
        return organisation_schema(name.full for name in names)
    return "LegalEntity"


def organisation_schema(texts: Iterable[str]) -> str:
    """ "Company" when a name or legal-form text shows a commercial legal form
    (LLC, JSC, OOO, Ltd, SARL, Bank...), else "Organization".  The UN parser's
    company words count too, so every list classifies an organisation alike.
    Shared by the UK parsers."""
    for text in texts:
        if text and (_LEGAL_FORM_RE.search(text) or COMPANY_NAME_RE.search(text)):
            return "Company"
    return "Organization"


def _apply_feature(feature: Any, ns: str, lookups: _Lookups, entity: Entity) -> None:
    feature_type = lookups.text("FeatureType", feature.get("FeatureTypeID"))
    key = feature_type.strip().lower()
    for version in feature.iter(_tag(ns, "FeatureVersion")):
        texts: list[str] = []
        for detail in version.iter(_tag(ns, "VersionDetail")):
            text = text_of(detail) or lookups.text("DetailReference", detail.get("DetailReferenceID"))
            if text:
                texts.append(text)
        addresses = [
            lookups.locations[loc.get("LocationID", "")]
            for loc in version.iter(_tag(ns, "VersionLocation"))
            if loc.get("LocationID", "") in lookups.locations
        ]
        dates = [
            spec
            for period in version.iter(_tag(ns, "DatePeriod"))
            if (spec := _date_period(period, ns)) is not None
        ]
        _apply_values(key, feature_type, texts, addresses, dates, entity)


def _apply_values(
    key: str,
    feature_type: str,
    texts: list[str],
    addresses: list[Address],
    dates: list[DateSpec],
    entity: Entity,
) -> None:
    countries = [a.country for a in addresses if a.country]
    if key == "birthdate":
        for spec in dates:
            if spec not in entity.birth_dates:
                entity.birth_dates.append(spec)
    elif key == "place of birth":
        for place in [*texts, *(a.full for a in addresses if a.full)]:
            _add(entity.birth_places, place)
    elif key in ("nationality country", "citizenship country"):
        for code in [*countries, *(c for t in texts if (c := to_code(t)))]:
            _add(entity.nationalities, code)
    elif key in ("location", "address"):
        for address in addresses:
            if (address.full or address.country) and address not in entity.addresses:
                entity.addresses.append(address)
            if address.country:
                _add(entity.countries, address.country)
    elif key == "gender":
        for text in texts:
            entity.gender = text.lower() if text.lower() in ("male", "female") else entity.gender
    elif key == "title":
        for text in texts:
            _add(entity.titles, text)
    elif key in _FEATURE_IDS:
        for text in texts:
            identifier = Identifier(type=_FEATURE_IDS[key], value=text, note=feature_type)
            if identifier not in entity.identifiers:
                entity.identifiers.append(identifier)
    elif key in _FEATURE_PROPS:
        prop = _FEATURE_PROPS[key]
        if prop in ("flag", "pastFlags"):  # a country: by location or by name ("Korea, North")
            countries = [*countries, *(to_code(t) or t for t in texts)]
            texts = []
        for value in [*texts, *countries, *(d.start for d in dates)]:
            entity.add_property(prop, value)
        if prop == "flag":
            for code in countries:
                if len(code) == 2:
                    _add(entity.countries, code)
    elif key.startswith("nationality of registration") or key == "jurisdiction":
        for code in countries:
            _add(entity.countries, code)
            entity.add_property("jurisdiction", code)
    else:
        # Anything else (directive determinations, BIK, secondary sanctions risk...)
        # is kept as a remark in the list's own words.
        values = [*texts, *(a.full for a in addresses if a.full), *(d.text or d.start for d in dates)]
        for value in values:
            _add(entity.notes, f"{feature_type.rstrip(' -:')}: {value}")


# --- dates --------------------------------------------------------------------------


def _ymd(elem: Any, ns: str) -> str:
    """ISO date of an element with Year/Month/Day children."""
    year = text_of(elem.find(_tag(ns, "Year")))
    month = text_of(elem.find(_tag(ns, "Month")))
    day = text_of(elem.find(_tag(ns, "Day")))
    if not is_ascii_digits(year):
        return ""
    if is_ascii_digits(month) and is_ascii_digits(day):
        return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    if is_ascii_digits(month):
        return f"{int(year):04d}-{int(month):02d}"
    return f"{int(year):04d}"


def _bound(elem: Any, ns: str, which: str) -> str:
    found = elem.find(_tag(ns, which)) if elem is not None else None
    return _ymd(found, ns) if found is not None else ""


def _date_period(period: Any, ns: str) -> DateSpec | None:
    """A DatePeriod (Start From/To, End From/To) as the narrowest DateSpec:
    1962-01-01..1962-12-31 is the year 1962, a whole month is that month."""
    start = period.find(_tag(ns, "Start"))
    end = period.find(_tag(ns, "End"))
    first = _bound(start, ns, "From") or _bound(end, ns, "From")
    last = _bound(end, ns, "To") or _bound(start, ns, "To") or first
    if not first:
        return None
    approximate = any(e is not None and e.get("Approximate") == "true" for e in (start, end))
    lo, hi = _reduce(first, last)
    return DateSpec(lo, "" if hi == lo else hi, approximate)


def _reduce(first: str, last: str) -> tuple[str, str]:
    if first == last or len(first) != 10 or len(last) != 10:
        return first, last
    y1, m1, d1 = (int(x) for x in first.split("-"))
    y2, m2, d2 = (int(x) for x in last.split("-"))
    if (m1, d1) == (1, 1) and (m2, d2) == (12, 31):
        return f"{y1:04d}", f"{y2:04d}"
    if d1 == 1 and d2 == calendar.monthrange(y2, m2)[1]:
        return f"{y1:04d}-{m1:02d}", f"{y2:04d}-{m2:02d}"
    return first, last


def _add(values: list[str], value: str) -> None:
    if value and value not in values:
        values.append(value)
