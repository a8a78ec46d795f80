"""The extractor's data: the corridor gazetteer, goods → HS, activities and the lexicon.

Each is a YAML file in `corridor/intel/data/` validated by its JSON Schema
(Draft 2020-12) when loaded; a file that fails raises `ParseError(file, where,
message)`.  Goods headings are checked against the HS nomenclature given to
`Vocabulary.load` (an unknown heading is an error, not a silent miss).

Reading the package's own data files is the only file access here; documents are
never read by this package.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema
import yaml

from corridor.errors import ParseError
from corridor.intel.phrases import PhraseMatcher

DATA_FILES = ("places", "goods", "activities", "lexicon", "aircraft")


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    name: str
    country: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GoodsTerm:
    id: str
    label: str
    heading: str
    code: str
    product: str
    description: str  # the heading's HS description ("" without a nomenclature)


@dataclass(frozen=True, slots=True)
class Activity:
    id: str
    label: str
    check: str
    service_kind: str


@dataclass(frozen=True, slots=True)
class AircraftType:
    id: str
    label: str
    manufacturer: str


@dataclass(frozen=True, slots=True)
class Operator:
    name: str
    country: str


@dataclass(frozen=True, slots=True)
class Unit:
    unit: str
    dimension: str


def _read(name: str) -> Any:
    """One data file, validated against its schema."""
    folder = resources.files("corridor.intel") / "data"
    path = f"corridor/intel/data/{name}.yaml"
    try:
        data = yaml.safe_load((folder / f"{name}.yaml").read_text(encoding="utf-8"))
        schema = yaml.safe_load((folder / f"{name}.schema.json").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ParseError(path, "", f"cannot read: {exc}") from exc
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top)"
        raise ParseError(path, where, first.message)
    return data


class Vocabulary:
    """Compiled matchers over the data files (built once per HS nomenclature)."""

    def __init__(self, data: Mapping[str, Any], describe: Callable[[str], str] | None = None) -> None:
        places = data["places"]["places"]
        self.places: dict[str, Place] = {}
        place_phrases: list[tuple[str, str]] = []
        for entry in places:
            place = Place(entry["id"], entry["name"], entry["country"], tuple(entry["roles"]))
            if place.id in self.places:
                raise ParseError("corridor/intel/data/places.yaml", place.id, "duplicate place id")
            self.places[place.id] = place
            for alias in (entry["name"], *entry.get("aliases", ())):
                place_phrases.append((alias, place.id))
        self.place_matcher: PhraseMatcher[str] = PhraseMatcher(place_phrases)

        self.goods: dict[str, GoodsTerm] = {}
        self.goods_words: dict[str, set[str]] = {}  # one-word Russian terms per goods id
        goods_phrases: list[tuple[str, str]] = []
        for i, entry in enumerate(data["goods"]["goods"]):
            description = ""
            if describe is not None:
                try:
                    description = describe(entry["heading"])
                    describe(entry["code"])
                except ValueError as exc:
                    raise ParseError(
                        "corridor/intel/data/goods.yaml", f"goods/{i} ({entry['id']})", str(exc)
                    ) from None
            term = GoodsTerm(
                entry["id"],
                entry["label"],
                entry["heading"],
                entry["code"],
                entry.get("product", ""),
                description,
            )
            self.goods[term.id] = term
            goods_phrases.extend((t, term.id) for t in entry["terms"])
            self.goods_words.setdefault(term.id, set()).update(
                t.casefold() for t in entry["terms"] if " " not in t.strip() and re.search("[а-яё]", t, re.I)
            )
        self.goods_matcher: PhraseMatcher[str] = PhraseMatcher(goods_phrases)
        self.not_goods: PhraseMatcher[str] = PhraseMatcher((p, p) for p in data["goods"].get("not_goods", ()))
        self.compound_heads = frozenset(w.casefold() for w in data["goods"].get("compound_heads", ()))

        self.activities: dict[str, Activity] = {}
        cue_phrases: list[tuple[str, str]] = []
        self.activity_patterns: list[tuple[re.Pattern[str], str]] = []
        for i, entry in enumerate(data["activities"]["activities"]):
            activity = Activity(entry["id"], entry["label"], entry["check"], entry.get("service_kind", ""))
            self.activities[activity.id] = activity
            cue_phrases.extend((c, activity.id) for c in entry["cues"])
            for pattern in entry.get("patterns", ()):
                try:
                    self.activity_patterns.append((re.compile(pattern, re.IGNORECASE), activity.id))
                except re.error as exc:
                    raise ParseError(
                        "corridor/intel/data/activities.yaml", f"activities/{i}/patterns", str(exc)
                    ) from None
        self.activity_matcher: PhraseMatcher[str] = PhraseMatcher(cue_phrases)

        lex = data["lexicon"]
        self.state_words = frozenset(w.casefold() for w in lex["organisation_words"]["state"])
        self.company_words = frozenset(w.casefold() for w in lex["organisation_words"]["company"])
        self.known_organisations: PhraseMatcher[str] = PhraseMatcher(
            (alias, org["name"])
            for org in lex["known_organisations"]
            for alias in (org["name"], *org.get("aliases", ()))
        )
        self.person_titles = frozenset(w.casefold().rstrip(".") for w in lex["person_titles"])
        self.speech_verbs = frozenset(w.casefold() for w in lex["speech_verbs"])
        self.korean_surnames = frozenset(w.casefold() for w in lex["korean_surnames"])
        self.russian_endings = tuple(
            sorted((w.casefold() for w in lex["russian_surname_endings"]), key=len, reverse=True)
        )
        self.not_names = frozenset(w.casefold().rstrip(".") for w in lex["not_names"])
        self.place_nouns = tuple(sorted((w.casefold() for w in lex["place_nouns"]), key=len, reverse=True))
        self.facility_nouns = tuple(
            sorted((w.casefold() for w in lex.get("facility_nouns", ())), key=len, reverse=True)
        )
        self.place_heads = frozenset(w.casefold() for w in lex["place_heads"])
        self.boilerplate_line = re.compile(
            "|".join(f"(?:{p})" for p in lex["boilerplate_lines"]), re.IGNORECASE
        )
        self.cutoff_lines = frozenset(w.casefold() for w in lex["boilerplate_cutoff_lines"])
        self.units = {k.casefold(): Unit(v[0], v[1]) for k, v in lex["units"].items()}
        self.currencies = {k.casefold(): v for k, v in lex["currencies"].items()}
        self.scales = {k.casefold(): int(v) for k, v in lex["scales"].items()}
        self.side_matcher: PhraseMatcher[str] = PhraseMatcher(
            (word, side) for side, words in lex["sides"].items() for word in words
        )
        self.export_verbs = frozenset(w.casefold() for w in lex["export_verbs"])
        air = data["aircraft"]
        self.registrations: list[tuple[re.Pattern[str], str]] = []
        for i, entry in enumerate(air["registrations"]):
            try:
                self.registrations.append(
                    (re.compile(rf"(?<![\w-])(?:{entry['pattern']})(?![\w-])"), entry["country"])
                )
            except re.error as exc:
                raise ParseError(
                    "corridor/intel/data/aircraft.yaml", f"registrations/{i}/pattern", str(exc)
                ) from None
        self.aircraft_types = {
            t["id"]: AircraftType(t["id"], t["label"], t["manufacturer"]) for t in air["types"]
        }
        self.aircraft_type_matcher: PhraseMatcher[str] = PhraseMatcher(
            (alias, t["id"]) for t in air["types"] for alias in (t["label"], *t["aliases"])
        )
        self.operators = {o["name"]: Operator(o["name"], o["country"]) for o in air["operators"]}
        self.operator_matcher: PhraseMatcher[str] = PhraseMatcher(
            (alias, o["name"]) for o in air["operators"] for alias in (o["name"], *o["aliases"])
        )
        self.aircraft_words: PhraseMatcher[str] = PhraseMatcher((w, w) for w in air["words"])
        self.import_verbs = frozenset(w.casefold() for w in lex["import_verbs"])


def load_data() -> dict[str, Any]:
    return {name: _read(name) for name in DATA_FILES}


@lru_cache(maxsize=4)
def vocabulary(describe: Callable[[str], str] | None = None) -> Vocabulary:
    """The vocabulary, its goods headings checked with `describe` (HS code -> description,
    ValueError when unknown; e.g. `Nomenclature.describe`)."""
    return Vocabulary(load_data(), describe)
