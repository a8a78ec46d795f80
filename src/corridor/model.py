"""The common entity model every list parser produces.

One `Entity` is one designation on one list: a person, organisation, company,
vessel or aircraft with everything the list says about it.  Schema names are
FollowTheMoney's so an entity can be exported as FtM JSON unchanged in meaning.

The model is plain dataclasses over plain values (str, int, tuples) so it can be
hashed, diffed, stored as JSON and rebuilt without any parser or database.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from corridor.types.dates import DateSpec

__all__ = ["SCHEMATA", "Address", "DateSpec", "Entity", "Identifier", "Name", "NameKind"]

SCHEMATA = ("Person", "Organization", "Company", "LegalEntity", "Vessel", "Aircraft")


class NameKind(StrEnum):
    """How a list qualifies a name.  Strong aliases count like primary names in
    screening; weak aliases (OFAC "weak", UN "Low" quality) only support."""

    PRIMARY = "primary"
    ALIAS = "alias"
    WEAK_ALIAS = "weak_alias"
    FORMER = "former"


@dataclass(frozen=True, slots=True)
class Name:
    """A name as listed.  `full` is the whole name as one string in natural order
    where the list gives parts; parts are kept when the list distinguishes them."""

    full: str
    kind: NameKind = NameKind.PRIMARY
    script: str = ""  # Unicode script of the letters: Latin, Hangul, Cyrillic, Arabic, Han...
    lang: str = ""  # ISO 639 code when the list says
    given: str = ""  # first (and middle) names
    family: str = ""  # surname / last name
    patronymic: str = ""  # Russian otchestvo, Arabic nasab etc.
    note: str = ""  # e.g. "good quality", "low quality"


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifying document or number: passport, national id, IMO, SWIFT/BIC,
    registration, tax id...  `type` uses the vocabulary in `ID_TYPES`."""

    type: str
    value: str
    country: str = ""  # ISO 3166-1 alpha-2, lower case as in FtM
    note: str = ""


ID_TYPES = (
    "passport",
    "national_id",
    "imo",
    "mmsi",
    "swift",
    "registration",
    "tax_id",
    "call_sign",
    "aircraft_serial",
    "aircraft_registration",
    "email",
    "website",
    "phone",
    "other",
)


@dataclass(frozen=True, slots=True)
class Address:
    full: str = ""
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""  # ISO alpha-2, lower case
    note: str = ""


@dataclass(slots=True)
class Entity:
    """One designation on one list, as parsed from one list version."""

    id: str  # stable across versions: "un:KPi.064", "ofac:9345", "uk:16815"
    source: str  # list key: un, ofac-sdn, ofac-cons, uk, uk-fcdo, eu, ftm:<dataset>
    schema: str  # FollowTheMoney schema name, one of SCHEMATA
    names: list[Name] = field(default_factory=list)
    list_ref: str = ""  # the list's own reference: KPi.064, 9345, DPR0189...
    identifiers: list[Identifier] = field(default_factory=list)
    birth_dates: list[DateSpec] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)  # ISO alpha-2, lower
    countries: list[str] = field(default_factory=list)  # other country links, ISO alpha-2
    addresses: list[Address] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)  # DPRK3, RUSSIA-EO14024, "Russia"...
    un_refs: list[str] = field(default_factory=list)  # UN refs this record is or cites
    also_on: list[str] = field(default_factory=list)  # other lists publishing this record under its id
    listed_on: str = ""  # ISO date of designation
    gender: str = ""  # "male" / "female" (FtM vocabulary)
    titles: list[str] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)
    linked_to: list[str] = field(default_factory=list)  # names or ids of linked parties
    notes: list[str] = field(default_factory=list)  # remarks, comments, other information
    # Facts with no dedicated field: vessel flag/tonnage/type, aircraft model,
    # secondary-sanctions flags, sanctions imposed...  Keys are FtM property names
    # where one exists (flag, grossRegisteredTonnage, type, buildDate...).
    properties: dict[str, list[str]] = field(default_factory=dict)

    @property
    def caption(self) -> str:
        for name in self.names:
            if name.kind is NameKind.PRIMARY:
                return name.full
        return self.names[0].full if self.names else self.id

    def add_property(self, key: str, value: str) -> None:
        value = value.strip()
        if value:
            values = self.properties.setdefault(key, [])
            if value not in values:
                values.append(value)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with empty fields left out (stable key order)."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if value in ("", [], {}, None):
                continue
            if isinstance(value, list) and value and isinstance(value[0], dict):
                value = [{k: v for k, v in item.items() if v not in ("", False)} for item in value]
            out[key] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        return cls(
            id=data["id"],
            source=data["source"],
            schema=data["schema"],
            names=[Name(**{**n, "kind": NameKind(n.get("kind", "primary"))}) for n in data.get("names", [])],
            list_ref=data.get("list_ref", ""),
            identifiers=[Identifier(**i) for i in data.get("identifiers", [])],
            birth_dates=[DateSpec(**d) for d in data.get("birth_dates", [])],
            birth_places=list(data.get("birth_places", [])),
            nationalities=list(data.get("nationalities", [])),
            countries=list(data.get("countries", [])),
            addresses=[Address(**a) for a in data.get("addresses", [])],
            programs=list(data.get("programs", [])),
            un_refs=list(data.get("un_refs", [])),
            listed_on=data.get("listed_on", ""),
            gender=data.get("gender", ""),
            titles=list(data.get("titles", [])),
            positions=list(data.get("positions", [])),
            linked_to=list(data.get("linked_to", [])),
            notes=list(data.get("notes", [])),
            properties={k: list(v) for k, v in data.get("properties", {}).items()},
        )

    def canonical_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def digest(self) -> str:
        """Content hash: two versions of an entity differ iff their digests do."""
        return hashlib.sha1(self.canonical_json().encode("utf-8")).hexdigest()


# --- helpers shared by parsers -------------------------------------------------

_SCRIPT_PREFIXES = (
    ("HANGUL", "Hangul"),
    ("CYRILLIC", "Cyrillic"),
    ("ARABIC", "Arabic"),
    ("CJK", "Han"),
    ("HIRAGANA", "Japanese"),
    ("KATAKANA", "Japanese"),
    ("GREEK", "Greek"),
    ("HEBREW", "Hebrew"),
    ("GEORGIAN", "Georgian"),
    ("ARMENIAN", "Armenian"),
    ("THAI", "Thai"),
    ("DEVANAGARI", "Devanagari"),
    ("LATIN", "Latin"),
)


def detect_script(text: str) -> str:
    """The dominant script of the letters in `text` ("" when it has no letters)."""
    counts: dict[str, int] = {}
    for char in text:
        if not char.isalpha():
            continue
        uname = unicodedata.name(char, "")
        script = "Other"
        for prefix, label in _SCRIPT_PREFIXES:
            if uname.startswith(prefix):
                script = label
                break
        counts[script] = counts.get(script, 0) + 1
    if not counts:
        return ""
    return max(counts.items(), key=lambda item: item[1])[0]


def primary_first(names: list[Name]) -> list[Name]:
    """Names with a primary one first.  Some lists give only variations or aliases
    for a record; the first of them then stands as its primary name."""
    if names and not any(n.kind is NameKind.PRIMARY for n in names):
        # replace, not a rebuild by position: every other field (patronymic, note...) is kept
        names[0] = replace(names[0], kind=NameKind.PRIMARY)
    return sorted(names, key=lambda n: n.kind is not NameKind.PRIMARY)


def make_name(
    full: str,
    kind: NameKind = NameKind.PRIMARY,
    *,
    given: str = "",
    family: str = "",
    patronymic: str = "",
    lang: str = "",
    note: str = "",
) -> Name | None:
    """Build a Name with its script detected; None for an empty name."""
    full = " ".join(full.split())
    if not full:
        return None
    return Name(
        full=full,
        kind=kind,
        script=detect_script(full),
        lang=lang,
        given=" ".join(given.split()),
        family=" ".join(family.split()),
        patronymic=" ".join(patronymic.split()),
        note=note,
    )
