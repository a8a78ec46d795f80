"""Labelled screening examples built deterministically from the official lists.

Every example is one screening query and the listed entity it must find
(`expected`), or None when nothing should alert.  `accept` lists the other
records of the same designation (see `links`), `note` says how the query was
made.  Builders read only the entities given, never fixed ids, so the same code
builds sets from any snapshot (held-out data included).

Kinds (positives):
  cross_list            a name as one list writes it -> the same designation on another list
  korean_variant        Korean name re-spelled (Ri/Lee/Yi, RR, MR, popular), re-formatted
  hangul                Korean name rendered in Hangul by our own converter
  hangul_real           the real Hangul names of the UK list (held out of the index)
  cyrillic_real         real Cyrillic names from the lists (held out of the index)
  cyrillic_generated    Latin-only Russian names written in Cyrillic by our converter
  russian_translit      Russian names in another transliteration (BGN, ICAO, German, French)
  russian_no_patronymic Russian names without the patronymic, maybe family name first
  company_legal_form    legal form swapped (LLC/OOO/ООО, JSC/AO, Co., Ltd/Company Limited...)
  vessel_imo            a vessel's IMO number under a different name
  vessel_name           a vessel's former name / alias / "M/V" prefix / "NO. 2" numbering
  typo1_<group>         a listed name with one keyboard typo (`typos`), per schema and language:
  typo2_<group>         ... with two; groups: ko (Korean persons), ru (Russian persons, Latin),
                        ru_cyrillic (Russian persons, Cyrillic), en (other persons),
                        company (companies, organisations), vessel
Kinds (negatives, expected None):
  neg_person_ko / _ru / _en, neg_company   Faker names not on any list
  near_miss_korean      one given-name syllable changed ("Kim Yong Su" for "Kim Yong Chol")
  near_miss_russian     the first name of a listed Russian person changed
Reported separately:
  dob_mismatch          a listed person's name with a birth date 20-35 years off
Translated organisation names, abbreviations, their negatives and country_mismatch
(reported separately): `translations`.  Korean personal names in Cyrillic
(Kontsevich and the press's spellings) and their near misses: `kontsevich`.

Holdout: real non-Latin names used as queries (hangul_real, cyrillic_real) are
removed from their own record in the evaluation index (`EvalSet.holdout`), so the
query has to be matched against the record's Latin names, not to itself.
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from faker import Faker

from bench.eval import companies, kontsevich, korean, russian, translations, typos
from bench.eval import scripts as script_sets
from bench.eval.links import Clusters, birth_years, is_dprk, latin_names, link
from bench.eval.text import fold, levenshtein, skeleton, skeleton_key, tokens, word_overlap
from corridor.model import Entity, NameKind

POSITIVE_KINDS: tuple[str, ...] = (
    "cross_list",
    "korean_variant",
    "hangul",
    "hangul_real",
    "cyrillic_real",
    "cyrillic_generated",
    "russian_translit",
    "russian_no_patronymic",
    "company_legal_form",
    "vessel_imo",
    "vessel_name",
)
TYPO_GROUPS = ("ko", "ru", "ru_cyrillic", "en", "company", "vessel")
TYPO_KINDS = tuple(f"typo{count}_{group}" for count in (1, 2) for group in TYPO_GROUPS)
POSITIVE_KINDS = (
    POSITIVE_KINDS
    + TYPO_KINDS
    + script_sets.POSITIVE_KINDS
    + translations.POSITIVE_KINDS
    + kontsevich.POSITIVE_KINDS
)
NEGATIVE_KINDS = (
    "neg_person_ko",
    "neg_person_ru",
    "neg_person_en",
    "neg_company",
    "near_miss_korean",
    "near_miss_russian",
    *script_sets.NEGATIVE_KINDS,
    *kontsevich.NEGATIVE_KINDS,
    *translations.NEGATIVE_KINDS,
)
SEPARATE_KINDS = ("dob_mismatch", *translations.SEPARATE_KINDS)
ALL_KINDS = POSITIVE_KINDS + NEGATIVE_KINDS + SEPARATE_KINDS

DEFAULT_SEED = 20260508

# Words too common in company names to show two names are related.
_FORM_WORDS = frozenset(
    skeleton(w)
    for w in [
        "limited",
        "liability",
        "company",
        "joint",
        "stock",
        "public",
        "open",
        "closed",
        "the",
        "and",
        "of",
        "for",
        "ltd",
        "llc",
        "jsc",
        "ooo",
        "pjsc",
        "corporation",
        "corp",
        "inc",
        "group",
        "trading",
    ]
)


def _strip_forms(name: str) -> str:
    """The name without generic company words, for resemblance checks."""
    return " ".join(w for w in tokens(name) if skeleton(w) not in _FORM_WORDS) or name


def _resembles(query: str, entity: Entity) -> bool:
    """Is the (transliterated) query a spelling of one of the entity's Latin names?"""
    return word_overlap(_strip_forms(latinized(query)), latin_names(entity, weak=True)) >= 0.5


# A generated negative: (query name, schema, note, *names it was made from)
Made = tuple[str, ...]


@dataclass(slots=True)
class Example:
    id: str
    kind: str
    query: dict[str, str]
    expected: str | None
    accept: list[str] = field(default_factory=list)
    note: str = ""
    against: str = ""  # dob_mismatch: the listed person whose name is used

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "query": self.query,
            "expected": self.expected,
        }
        if self.accept:
            out["accept"] = self.accept
        if self.note:
            out["note"] = self.note
        if self.against:
            out["against"] = self.against
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Example:
        return cls(
            id=data["id"],
            kind=data["kind"],
            query=dict(data["query"]),
            expected=data.get("expected"),
            accept=list(data.get("accept", [])),
            note=data.get("note", ""),
            against=data.get("against", ""),
        )


def negative(name: str, note: str, schema: str = "Person") -> Example:
    """An example that should not alert: `name` screened as a `schema`."""
    return Example(id="", kind="", query={"name": name, "schema": schema}, expected=None, note=note)


@dataclass(slots=True)
class EvalSet:
    examples: list[Example]
    holdout: dict[str, list[str]]  # entity id -> scripts whose names are removed from the index
    info: dict[str, Any] = field(default_factory=dict)

    def by_kind(self) -> dict[str, list[Example]]:
        out: dict[str, list[Example]] = defaultdict(list)
        for example in self.examples:
            out[example.kind].append(example)
        return out

    def write(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        with (directory / "examples.jsonl").open("w", encoding="utf-8") as handle:
            for example in self.examples:
                handle.write(json.dumps(example.to_json(), ensure_ascii=False) + "\n")
        manifest = {**self.info, "holdout": self.holdout}
        (directory / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )

    @classmethod
    def read(cls, directory: Path) -> EvalSet:
        with (directory / "examples.jsonl").open(encoding="utf-8") as handle:
            examples = [Example.from_json(json.loads(line)) for line in handle if line.strip()]
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        holdout = manifest.pop("holdout", {})
        return cls(examples=examples, holdout=holdout, info=manifest)


def apply_holdout(entities: Iterable[Entity], holdout: dict[str, list[str]]) -> list[Entity]:
    """The entities as the evaluation index sees them: held-out scripts removed."""
    out = []
    for entity in entities:
        scripts = holdout.get(entity.id)
        if scripts:
            entity = replace(entity, names=[n for n in entity.names if n.script not in scripts])
        out.append(entity)
    return out


# --- helpers ----------------------------------------------------------------------


def is_russian(entity: Entity) -> bool:
    programs = " ".join(entity.programs).upper()
    return (
        "RUSSIA" in programs
        or "UKRAINE-EO" in programs
        or "ru" in entity.nationalities
        or (entity.schema != "Person" and "ru" in entity.countries)
    )


def strong_names(entity: Entity, script: str = "Latin") -> list[str]:
    """Primary names first, then aliases (no weak aliases), of one script."""
    primary = [n.full for n in entity.names if n.script == script and n.kind is NameKind.PRIMARY]
    alias = [n.full for n in entity.names if n.script == script and n.kind is NameKind.ALIAS]
    return primary + alias


def latinized(name: str) -> str:
    letters = [c for c in name if c.isalpha()]
    if letters and all(korean.is_hangul_syllable(c) for c in letters):
        return korean.romanize_hangul(name, "rr")
    if re.search(r"[А-Яа-яЁё]", name):
        return russian.cyrillic_to_latin(name, "bgn")
    return name


def _first_dob(entity: Entity) -> str:
    for date in entity.birth_dates:
        if date.start:
            return date.start
    return ""


_SHIP_WORDS_A = (
    "OCEAN", "SEA", "BLUE", "GOLDEN", "SILVER", "NORTHERN", "EASTERN", "PACIFIC", "GRAND", "LUCKY", "ROYAL",
    "BRIGHT", "CRYSTAL", "ORIENT", "POLAR", "CORAL", "STAR", "UNITY", "HARMONY", "NOBLE",
)  # fmt: skip
_SHIP_WORDS_B = (
    "GLORY", "PIONEER", "SPIRIT", "WIND", "HORIZON", "VOYAGER", "TRADER", "FORTUNE", "PEARL", "DAWN",
    "BRIDGE", "EXPRESS", "CARRIER", "PRIDE", "VENTURE", "DRAGON", "PHOENIX", "LIGHT", "WAVE", "HOPE",
)  # fmt: skip


class Builder:
    """Builds an `EvalSet` from the entities of the newest snapshots."""

    def __init__(self, entities: list[Entity], seed: int = DEFAULT_SEED, cap: int = 300) -> None:
        self.entities = sorted(entities, key=lambda e: e.id)
        self.by_id = {e.id: e for e in self.entities}
        if len(self.by_id) != len(self.entities):
            raise ValueError("entity ids are not unique across the loaded lists")
        self.seed = seed
        self.cap = cap
        self.clusters: Clusters = link(self.entities)
        self.cluster_of = self.clusters.cluster_of()
        self.holdout: dict[str, list[str]] = {}
        self._korean_pool: list[tuple[Entity, str, korean.KoreanName]] | None = None
        self._build_indexes()

    # -- indexes for labels and exclusions --------------------------------------

    def _build_indexes(self) -> None:
        self.skeletons: set[str] = set()
        self.korean_keys: set[tuple[str, ...]] = set()
        self.first_last: set[tuple[str, str]] = set()
        self.vessel_skeletons: set[str] = set()
        self.skeleton_entities: dict[str, list[Entity]] = defaultdict(list)
        self.imo_entities: dict[str, list[str]] = defaultdict(list)
        self.korean_key_entities: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for entity in self.entities:
            for name in entity.names:
                key = skeleton_key(latinized(name.full))
                self.skeletons.add(key)
                self.skeleton_entities[key].append(entity)
                for hangul_key in korean.hangul_keys(name.full):
                    self.korean_keys.add(hangul_key)
                    self.korean_key_entities[hangul_key].add(entity.id)
                found = companies.find_form(latinized(name.full))
                if found:  # "JSC SUEK" is listed, so is "SUEK"
                    self.skeletons.add(skeleton_key(found.core))
                if entity.schema == "Vessel":
                    self.vessel_skeletons.add(key)
                if entity.schema == "Person":
                    words = tokens(latinized(name.full))
                    if len(words) >= 2:
                        self.first_last.add((skeleton(words[0]), skeleton(words[-1])))
                        self.first_last.add((skeleton(words[-1]), skeleton(words[0])))
                    if name.given and name.family:
                        given = tokens(latinized(name.given))
                        family = tokens(latinized(name.family))
                        if given and family:
                            self.first_last.add((skeleton(given[0]), skeleton(family[-1])))
            for ident in entity.identifiers:
                if ident.type == "imo":
                    self.imo_entities[re.sub(r"\D", "", ident.value)].append(entity.id)

    def is_listed(self, name: str, person: bool = False) -> bool:
        """Might `name` be a listed name?  Loose on purpose (only used to reject negatives)."""
        latin = latinized(name)
        if skeleton_key(latin) in self.skeletons:
            return True
        if korean.hangul_keys(name) & self.korean_keys:
            return True
        if person:
            words = tokens(latin)
            if len(words) >= 2 and (skeleton(words[0]), skeleton(words[-1])) in self.first_last:
                return True
        core = companies.find_form(latin)
        return bool(core and skeleton_key(core.core) in self.skeletons)

    def korean_ambiguous(self, query: str, entity_id: str) -> bool:
        """Could this Korean query be another listed person's name?  ("Jin Ryu" is a
        variant of "Jin YU" and the name of "RYU JIN": not a fair positive.)"""
        own = set(self.cluster_of.get(entity_id, [entity_id]))
        return any(self.korean_key_entities.get(key, set()) - own for key in korean.hangul_keys(query))

    def accept(self, entity_id: str) -> list[str]:
        return [i for i in self.cluster_of.get(entity_id, [entity_id]) if i != entity_id]

    def cluster_names(self, entity_id: str) -> set[str]:
        ids = self.cluster_of.get(entity_id, [entity_id])
        return {fold(n.full) for i in ids for n in self.by_id[i].names}

    def rng(self, kind: str) -> random.Random:
        return random.Random(f"{self.seed}/{kind}")

    def representatives(self, pool: Iterable[Entity], rng: random.Random) -> list[Entity]:
        """One entity per designation (cluster), shuffled."""
        chosen: dict[str, Entity] = {}
        shuffled = list(pool)
        rng.shuffle(shuffled)
        for entity in shuffled:
            key = min(self.cluster_of.get(entity.id, [entity.id]))
            chosen.setdefault(key, entity)
        out = list(chosen.values())
        rng.shuffle(out)
        return out

    def index_scripts(self, entity: Entity) -> set[str]:
        held = set(self.holdout.get(entity.id, []))
        return {n.script for n in entity.names if n.script not in held}

    def query(
        self,
        name: str,
        schema: str,
        entity: Entity | None = None,
        rng: random.Random | None = None,
        dob_rate: float = 0.0,
        country_rate: float = 0.0,
    ) -> dict[str, str]:
        query = {"name": name, "schema": schema}
        if entity is not None and rng is not None:
            if entity.schema == "Person" and rng.random() < dob_rate:
                dob = _first_dob(entity)
                if dob:
                    query["birth_date"] = dob
            if rng.random() < country_rate:
                countries = entity.nationalities or entity.countries
                if countries:
                    query["country"] = countries[0]
        return query

    # -- the set -------------------------------------------------------------------

    def build(self) -> EvalSet:
        builders: list[tuple[str, Callable[[], Iterator[Example]]]] = [
            # holdout-deciding builders first: later ones see which scripts are indexed
            ("hangul_real", self.hangul_real),
            ("cyrillic_real", self.cyrillic_real),
            ("cross_list", self.cross_list),
            ("korean_variant", self.korean_variant),
            ("hangul", self.hangul),
            ("cyrillic_generated", self.cyrillic_generated),
            ("russian_translit", self.russian_translit),
            ("russian_no_patronymic", self.russian_no_patronymic),
            ("company_legal_form", self.company_legal_form),
            ("vessel_imo", self.vessel_imo),
            ("vessel_name", self.vessel_name),
            ("neg_person_ko", self.neg_person_ko),
            ("neg_person_ru", self.neg_person_ru),
            ("neg_person_en", self.neg_person_en),
            ("neg_company", self.neg_company),
            ("near_miss_korean", self.near_miss_korean),
            ("near_miss_russian", self.near_miss_russian),
            ("dob_mismatch", self.dob_mismatch),
            *[(kind, self._typo_builder(kind)) for kind in TYPO_KINDS],
            *script_sets.builders(self),
            *translations.builders(self),
            *kontsevich.builders(self),
        ]
        examples: list[Example] = []
        for kind, build in builders:
            seen: set[str] = set()
            number = 0
            for example in build():
                signature = json.dumps([example.query, example.expected], sort_keys=True)
                if signature in seen:
                    continue
                seen.add(signature)
                number += 1
                example.id = f"{kind}-{number:04d}"
                example.kind = kind
                examples.append(example)
                if number >= self.cap:
                    break
        counts: dict[str, int] = defaultdict(int)
        for example in examples:
            counts[example.kind] += 1
        info = {
            "seed": self.seed,
            "cap": self.cap,
            "entities": len(self.entities),
            "links": dict(self.clusters.rules),
            "clusters": len(self.clusters.members()),
            "counts": dict(counts),
        }
        return EvalSet(examples=examples, holdout=dict(self.holdout), info=info)

    # -- positives -------------------------------------------------------------------

    def cross_list(self) -> Iterator[Example]:
        """Each designation's Latin names as one list writes them, expected on another
        list's record; only names the target record does not carry verbatim."""
        rng = self.rng("cross_list")
        by_direction: dict[str, list[Example]] = defaultdict(list)
        for ids in sorted(self.clusters.members().values()):
            for src_id in ids:
                src = self.by_id[src_id]
                for dst_id in ids:
                    dst = self.by_id[dst_id]
                    if dst.source == src.source:
                        continue
                    dst_names = {fold(n.full) for n in dst.names}
                    # a different name (not verbatim) that still resembles one of the
                    # target's: a renamed company ("YANDEX.MONEY" -> "YOOMONEY") or an
                    # alias unrelated to every listed name is not findable by name
                    names = [
                        n
                        for n in latin_names(src)
                        if fold(n) not in dst_names and word_overlap(_strip_forms(n), dst_names) >= 0.5
                    ]
                    if not names:
                        continue
                    name = rng.choice(names)
                    by_direction[f"{src.source}>{dst.source}"].append(
                        Example(
                            id="",
                            kind="",
                            query=self.query(name, src.schema, src, rng, dob_rate=0.5, country_rate=0.3),
                            expected=dst.id,
                            accept=self.accept(dst.id),
                            note=f"{src.id} name as listed",
                        )
                    )
        yield from _round_robin(by_direction, rng)

    def korean_pool(self) -> list[tuple[Entity, str, korean.KoreanName]]:
        """One listed DPRK person per designation with the first strong name read as a
        Korean name: (entity, that name, its reading); the same list every call."""
        if self._korean_pool is None:
            self._korean_pool = self._read_korean_pool()
        return self._korean_pool

    def _read_korean_pool(self) -> list[tuple[Entity, str, korean.KoreanName]]:
        rng = self.rng("korean_pool")
        pool = []
        candidates = [
            e for e in self.entities if e.schema == "Person" and (is_dprk(e) or "kp" in e.nationalities)
        ]
        for entity in self.representatives(candidates, rng):
            for name in strong_names(entity):
                parsed = korean.parse_korean(name)
                if parsed is not None:
                    pool.append((entity, name, parsed))
                    break
        return pool

    def korean_variant(self) -> Iterator[Example]:
        rng = self.rng("korean_variant")
        pool = self.korean_pool()
        for _round in range(3):
            for entity, name, parsed in pool:
                listed = self.cluster_names(entity.id)
                for _try in range(6):
                    text, how = korean.variant(parsed, rng)
                    if fold(text) not in listed and not self.korean_ambiguous(text, entity.id):
                        break
                else:
                    continue
                yield self.korean_person(entity, text, rng, f"{how} of {name!r}")

    def hangul(self) -> Iterator[Example]:
        rng = self.rng("hangul")
        for _round in range(2):
            for entity, name, parsed in self.korean_pool():
                renderings = korean.to_hangul(parsed, limit=2)
                if not renderings:
                    continue
                text = renderings[0] if rng.random() < 0.7 or len(renderings) == 1 else renderings[1]
                if self.korean_ambiguous(text, entity.id):
                    continue
                if rng.random() < 0.2:
                    text = f"{text[0]} {text[1:]}"
                yield self.korean_person(entity, text, rng, f"hangul of {name!r}")

    def hangul_real(self) -> Iterator[Example]:
        for entity in self.entities:
            hangul_names = strong_names(entity, "Hangul")
            if not hangul_names:
                continue
            self.holdout[entity.id] = sorted({*self.holdout.get(entity.id, []), "Hangul"})
            for target in [entity.id, *self.accept(entity.id)]:
                yield Example(
                    id="",
                    kind="",
                    query={"name": hangul_names[0], "schema": entity.schema},
                    expected=target,
                    accept=[i for i in self.cluster_of.get(target, [target]) if i != target],
                    note=f"real Hangul name of {entity.id} (held out)",
                )

    def cyrillic_real(self) -> Iterator[Example]:
        rng = self.rng("cyrillic_real")
        pool = [e for e in self.entities if strong_names(e, "Cyrillic") and strong_names(e, "Latin")]
        for entity in self.representatives(pool, rng):
            # the first Cyrillic name that is a spelling (not a translation) of a Latin one
            name = next((n for n in strong_names(entity, "Cyrillic") if _resembles(n, entity)), None)
            if name is None:
                continue
            self.holdout[entity.id] = sorted({*self.holdout.get(entity.id, []), "Cyrillic"})
            targets = [entity.id]
            for other in self.accept(entity.id):
                if not strong_names(self.by_id[other], "Cyrillic") and _resembles(name, self.by_id[other]):
                    targets.append(other)
            for target in targets[:2]:
                yield Example(
                    id="",
                    kind="",
                    query=self.query(name, entity.schema, entity, rng, dob_rate=0.4),
                    expected=target,
                    accept=[i for i in self.cluster_of.get(target, [target]) if i != target],
                    note=f"real Cyrillic name of {entity.id} (held out)",
                )

    def _russian_latin_only(self, schemas: tuple[str, ...]) -> list[Entity]:
        return [
            e
            for e in self.entities
            if e.schema in schemas
            and is_russian(e)
            and "Cyrillic" not in self.index_scripts(e)
            and strong_names(e)
        ]

    def cyrillic_generated(self) -> Iterator[Example]:
        rng = self.rng("cyrillic_generated")
        persons = self.representatives(self._russian_latin_only(("Person",)), rng)
        orgs = self.representatives(self._russian_latin_only(("Company", "Organization", "LegalEntity")), rng)
        for entity in _interleave(persons, orgs, 3):
            name = strong_names(entity)[0]
            if not re.fullmatch(r"[A-Za-z' .,\-\"]+", name):
                continue
            if entity.schema == "Person" and not russian.looks_russian(name):
                continue
            if entity.schema == "Person":
                primary = next((n for n in entity.names if n.full == name), None)
                if primary and primary.family and primary.given and rng.random() < 0.5:
                    source = f"{primary.family} {primary.given}"
                    how = "family first"
                else:
                    source, how = name, "as listed"
                text = russian.latin_to_cyrillic(source)
                if rng.random() < 0.5:
                    text = " ".join(w[:1].upper() + w[1:].lower() for w in text.split())
            else:
                found = companies.find_form(name)
                words = set((found.core if found else name).upper().split())
                if words & companies._ENGLISH_WORDS:
                    continue
                if found and companies.LEGAL_FORMS[found.group][1]:
                    text = (
                        f"{companies.LEGAL_FORMS[found.group][1]} «{russian.latin_to_cyrillic(found.core)}»"
                    )
                    how = "legal form + core"
                else:
                    text, how = russian.latin_to_cyrillic(name), "whole name"
            yield Example(
                id="",
                kind="",
                query=self.query(text, entity.schema, entity, rng, dob_rate=0.4),
                expected=entity.id,
                accept=self.accept(entity.id),
                note=f"our Cyrillic ({how}) of {name!r}",
            )

    def russian_translit(self) -> Iterator[Example]:
        rng = self.rng("russian_translit")
        real = [
            e for e in self.entities if e.schema == "Person" and strong_names(e, "Cyrillic") and is_russian(e)
        ]
        generated = self._russian_latin_only(("Person",))
        for entity in _interleave(self.representatives(real, rng), self.representatives(generated, rng), 2):
            cyrillic_names = [n for n in strong_names(entity, "Cyrillic") if _resembles(n, entity)]
            if strong_names(entity, "Cyrillic"):
                if not cyrillic_names:
                    continue
                source, origin = cyrillic_names[0], "real Cyrillic"
            else:
                latin = strong_names(entity)[0]
                if not re.fullmatch(r"[A-Za-z' .\-]+", latin) or not russian.looks_russian(latin):
                    continue
                source, origin = russian.latin_to_cyrillic(latin), f"our Cyrillic of {latin!r}"
            listed = self.cluster_names(entity.id)
            schemes = list(russian.SCHEMES)
            rng.shuffle(schemes)
            for scheme in schemes:
                text = russian.cyrillic_to_latin(source, scheme)
                if fold(text) not in listed:
                    break
            else:
                continue
            yield Example(
                id="",
                kind="",
                query=self.query(text, "Person", entity, rng, dob_rate=0.4),
                expected=entity.id,
                accept=self.accept(entity.id),
                note=f"{scheme} of {origin} {source!r}",
            )

    def russian_no_patronymic(self) -> Iterator[Example]:
        rng = self.rng("russian_no_patronymic")
        pool = [e for e in self.entities if e.schema == "Person" and is_russian(e)]
        for entity in self.representatives(pool, rng):
            for name in strong_names(entity):
                short = russian.drop_patronymic(name)
                if short is None:
                    continue
                words = short.split()
                style = rng.choice(("given_family", "family_given", "family_comma"))
                primary = next((n for n in entity.names if n.full == name), None)
                family = primary.family if primary and primary.family else words[-1]
                given = " ".join(w for w in words if w != family) or words[0]
                if style == "family_given":
                    short = f"{family} {given}"
                elif style == "family_comma":
                    short = f"{family}, {given}"
                if fold(short) in self.cluster_names(entity.id):
                    continue
                yield Example(
                    id="",
                    kind="",
                    query=self.query(short, "Person", entity, rng, dob_rate=0.4),
                    expected=entity.id,
                    accept=self.accept(entity.id),
                    note=f"{style} without patronymic of {name!r}",
                )
                break

    def company_legal_form(self) -> Iterator[Example]:
        rng = self.rng("company_legal_form")
        pool = [
            e
            for e in self.entities
            if e.schema in ("Company", "Organization", "LegalEntity")
            and any(companies.find_form(n) for n in strong_names(e))
        ]
        reps = self.representatives(pool, rng)
        russian_first = [e for e in reps if is_russian(e)]
        others = [e for e in reps if not is_russian(e)]
        for entity in _interleave(russian_first, others, 1):
            names = [n for n in strong_names(entity) if companies.find_form(n)]
            name = rng.choice(names)
            listed = self.cluster_names(entity.id)
            for _try in range(4):
                made = companies.form_variant(name, rng, allow_cyrillic=is_russian(entity))
                if made and fold(made[0]) not in listed:
                    break
            else:
                continue
            yield Example(
                id="",
                kind="",
                query=self.query(made[0], entity.schema, entity, rng, country_rate=0.3),
                expected=entity.id,
                accept=self.accept(entity.id),
                note=f"{made[1]} of {name!r}",
            )

    def vessel_imo(self) -> Iterator[Example]:
        rng = self.rng("vessel_imo")
        pool = [
            e for e in self.entities if e.schema == "Vessel" and any(i.type == "imo" for i in e.identifiers)
        ]
        for entity in self.representatives(pool, rng):
            imo = next(re.sub(r"\D", "", i.value) for i in entity.identifiers if i.type == "imo")
            if len(imo) != 7:
                continue
            for _try in range(10):
                name = f"{rng.choice(_SHIP_WORDS_A)} {rng.choice(_SHIP_WORDS_B)}"
                if rng.random() < 0.3:
                    name += f" {rng.randint(1, 9)}"
                if skeleton_key(name) not in self.vessel_skeletons:
                    break
            imo_text = rng.choice((f"IMO {imo}", imo, f"IMO{imo}"))
            same_imo = set(self.imo_entities.get(imo, [])) | set(self.accept(entity.id))
            yield Example(
                id="",
                kind="",
                query={"name": name, "schema": "Vessel", "imo": imo_text},
                expected=entity.id,
                accept=sorted(same_imo - {entity.id}),
                note=f"IMO of {entity.caption!r} under an unrelated name",
            )

    def vessel_name(self) -> Iterator[Example]:
        rng = self.rng("vessel_name")
        pool = [e for e in self.entities if e.schema == "Vessel"]
        for entity in self.representatives(pool, rng):
            own = set(self.cluster_of.get(entity.id, [entity.id]))
            for ident in entity.identifiers:
                if ident.type == "imo":
                    own.update(self.imo_entities.get(re.sub(r"\D", "", ident.value), []))
            others = [n for n in entity.names if n.kind is not NameKind.PRIMARY and n.script == "Latin"]
            if others:
                picked = rng.choice(others)
                name, how = picked.full, f"{picked.kind.value} name"
            else:
                primary = entity.caption
                match = re.fullmatch(r"(.*\D)\s+(\d+)", primary)
                if match:
                    name = f"{match.group(1)} NO. {match.group(2)}"
                    how = "numbered 'NO. n'"
                else:
                    name = f"M/V {primary}" if rng.random() < 0.5 else f"MV {primary.title()}"
                    how = "M/V prefix"
            # skip names another vessel (not this one) also carries: the label would be ambiguous
            holders = {
                e.id for e in self.skeleton_entities.get(skeleton_key(name), []) if e.schema == "Vessel"
            }
            if holders - own:
                continue
            yield Example(
                id="",
                kind="",
                query={"name": name, "schema": "Vessel"},
                expected=entity.id,
                accept=sorted(own - {entity.id}),
                note=f"{how} of {entity.caption!r}",
            )

    # -- typos ---------------------------------------------------------------------

    def _typo_pool(self, group: str, rng: random.Random) -> list[tuple[Entity, str, str]]:
        """(entity, listed name, query schema) of one typo group, one per designation."""
        if group == "ko":
            return [(entity, name, "Person") for entity, name, _parsed in self.korean_pool()]
        korean_ids = {entity.id for entity, _name, _parsed in self.korean_pool()}
        pool: list[tuple[Entity, str, str]] = []
        for entity in self.representatives(self.entities, rng):
            person = entity.schema == "Person"
            if group in ("ru", "ru_cyrillic", "en") and not person:
                continue
            if group == "company" and entity.schema not in ("Company", "Organization", "LegalEntity"):
                continue
            if group == "vessel" and entity.schema != "Vessel":
                continue
            if group in ("ru", "ru_cyrillic") and not is_russian(entity):
                continue
            if group == "en" and (is_russian(entity) or entity.id in korean_ids):
                continue
            names = strong_names(entity, "Cyrillic" if group == "ru_cyrillic" else "Latin")
            if group == "ru_cyrillic":
                names = [n for n in names if _resembles(n, entity)]
            if names:
                pool.append((entity, names[0], "Person" if person else entity.schema))
        return pool

    def _typo_rejected(self, original: set[str], schema: str, group: str, entity_id: str, text: str) -> bool:
        """A typo'd spelling that is not a fair typo example: another listed name, or
        (Korean) a word that is another valid syllable or a name listed for another person."""
        if self.is_listed(text, person=schema == "Person"):
            return True
        if group != "ko":
            return False
        changed = [t for t in tokens(text) if t not in original]
        return any(korean.segment(t) is not None for t in changed) or self.korean_ambiguous(text, entity_id)

    def _typo_builder(self, kind: str) -> Callable[[], Iterator[Example]]:
        count, group = int(kind[4]), kind[6:]

        def build() -> Iterator[Example]:
            rng = self.rng(kind)
            for entity, name, schema in self._typo_pool(group, random.Random(f"{self.seed}/typo-{group}")):
                reject = partial(self._typo_rejected, set(tokens(name)), schema, group, entity.id)
                made = typos.with_typos(name, count, rng, reject)
                if made is None or fold(made[0]) in self.cluster_names(entity.id):
                    continue
                yield Example(
                    id="",
                    kind="",
                    query={"name": made[0], "schema": schema},
                    expected=entity.id,
                    accept=self.accept(entity.id),
                    note=f"{made[1]} in {name!r}",
                )

        return build

    # -- negatives -------------------------------------------------------------------

    def _faker(self, locale: str, kind: str) -> Faker:
        fake = Faker(locale)
        fake.seed_instance(f"{self.seed}/{kind}")
        return fake

    def _negatives(
        self, kind: str, make: Callable[[random.Random], Made | None], person: bool
    ) -> Iterator[Example]:
        rng = self.rng(kind)
        produced = 0
        for _attempt in range(self.cap * 20):
            made = make(rng)
            if made is None:
                continue
            name, schema, note, *sources = made
            # check the query and the name it was made from (the Faker Hangul or Cyrillic)
            if any(self.is_listed(text, person=person) for text in (name, *sources)):
                continue
            produced += 1
            yield negative(name, note, schema)
            if produced >= self.cap:
                return

    def neg_person_ko(self) -> Iterator[Example]:
        fake = self._faker("ko_KR", "neg_person_ko")

        def make(rng: random.Random) -> Made | None:
            hangul = fake.last_name() + fake.first_name()
            if rng.random() < 0.4:
                return hangul, "Person", "Faker ko_KR, Hangul"
            scheme = rng.choice(("rr", "popular", "mr"))
            style = rng.choice(("family_first", "family_last"))
            latin = korean.romanize_hangul(hangul, scheme, style)
            if rng.random() < 0.5:
                latin = latin.upper()
            return latin, "Person", f"Faker ko_KR {hangul}, {scheme}", hangul

        # Korean names are checked by their Hangul keys; the first/last-word rule
        # would reject every common surname + syllable pair.
        yield from self._negatives("neg_person_ko", make, person=False)

    def neg_person_ru(self) -> Iterator[Example]:
        fake = self._faker("ru_RU", "neg_person_ru")

        def make(rng: random.Random) -> Made | None:
            if rng.random() < 0.5:
                parts = (fake.last_name_male(), fake.first_name_male(), fake.middle_name_male())
            else:
                parts = (fake.last_name_female(), fake.first_name_female(), fake.middle_name_female())
            family, first, middle = parts
            cyrillic = f"{family} {first} {middle}" if rng.random() < 0.5 else f"{first} {middle} {family}"
            if rng.random() < 0.5:
                return cyrillic, "Person", "Faker ru_RU, Cyrillic"
            scheme = rng.choice(("bgn", "icao"))
            return (
                russian.cyrillic_to_latin(cyrillic, scheme),
                "Person",
                f"Faker ru_RU {cyrillic}, {scheme}",
                cyrillic,
            )

        yield from self._negatives("neg_person_ru", make, person=True)

    def neg_person_en(self) -> Iterator[Example]:
        fake = self._faker("en_US", "neg_person_en")

        def make(rng: random.Random) -> Made | None:
            if rng.random() < 0.2:
                return (
                    f"{fake.first_name()} {fake.random_uppercase_letter()}. {fake.last_name()}",
                    "Person",
                    "Faker en_US",
                )
            return f"{fake.first_name()} {fake.last_name()}", "Person", "Faker en_US"

        yield from self._negatives("neg_person_en", make, person=True)

    def neg_company(self) -> Iterator[Example]:
        fakers = {loc: self._faker(loc, "neg_company") for loc in ("en_US", "ru_RU", "ko_KR")}

        def make(rng: random.Random) -> Made | None:
            locale = rng.choices(("en_US", "ru_RU", "ko_KR"), weights=(5, 3, 2))[0]
            fake = fakers[locale]
            name = fake.company()
            if locale == "en_US" and rng.random() < 0.5:
                name = f"{name} {fake.company_suffix()}"
            return name, "Company", f"Faker {locale} company"

        yield from self._negatives("neg_company", make, person=False)

    def near_miss_korean(self) -> Iterator[Example]:
        rng = self.rng("near_miss_korean")
        for entity, name, changed in self.korean_near_misses(rng):
            style = "spaced" if changed.family_first else "family_last"
            text = korean.format_name(
                changed.family, changed.given, style, "upper" if name.isupper() else "title"
            )
            if self.is_listed(text, person=True):
                continue
            yield negative(text, f"one syllable changed from {name!r} ({entity.id})")

    def korean_person(self, entity: Entity, text: str, rng: random.Random, note: str) -> Example:
        """A listed Korean person written another way (`text`), as the Korean kinds
        ask: a birth date in 40 % of the queries, a country in 30 %."""
        return Example(
            id="",
            kind="",
            query=self.query(text, "Person", entity, rng, dob_rate=0.4, country_rate=0.3),
            expected=entity.id,
            accept=self.accept(entity.id),
            note=note,
        )

    def korean_near_misses(
        self, rng: random.Random, rounds: int = 3
    ) -> Iterator[tuple[Entity, str, korean.KoreanName]]:
        """(entity, listed name, that name with one given-name syllable changed) over
        the Korean pool, `rounds` times; the caller drops the changed names it must."""
        syllable_pool = korean.given_syllable_pool()
        for _round in range(rounds):
            for entity, name, parsed in self.korean_pool():
                changed = korean.near_miss(parsed, rng, syllable_pool)
                if changed is not None:
                    yield entity, name, changed

    def near_miss_russian(self) -> Iterator[Example]:
        rng = self.rng("near_miss_russian")
        pool = [e for e in self.entities if e.schema == "Person" and is_russian(e)]
        for entity in self.representatives(pool, rng):
            primary = next(
                (n for n in entity.names if n.kind is NameKind.PRIMARY and n.script == "Latin"), None
            )
            if primary is None or not primary.given or not primary.family:
                continue
            given = primary.given.split()
            first = given[0]
            if not first.isalpha():
                continue
            female = entity.gender == "female" or (
                entity.gender != "male" and russian.looks_female(primary.full)
            )
            names: tuple[str, ...] = russian.FIRST_NAMES_FEMALE if female else russian.FIRST_NAMES_MALE
            options = tuple(
                o
                for o in names
                if levenshtein(skeleton(fold(o)), skeleton(fold(first))) >= 2 and o[:3] != first[:3]
            )
            new_first = rng.choice(options)
            if first.isupper():
                new_first = new_first.upper()
            text = " ".join([new_first, *given[1:], primary.family])
            if self.is_listed(text, person=True):
                continue
            yield negative(text, f"first name changed from {primary.full!r} ({entity.id})")

    def dob_mismatch(self) -> Iterator[Example]:
        """A listed person's primary name with a birth date 20-35 years off; only when
        every listed person sharing that name has a known, far-away birth year."""
        rng = self.rng("dob_mismatch")
        pool = [e for e in self.entities if e.schema == "Person" and birth_years(e)]
        for entity in self.representatives(pool, rng):
            names = [n.full for n in entity.names if n.kind is NameKind.PRIMARY and n.script == "Latin"]
            if not names or len(tokens(names[0])) < 2:
                continue
            name = names[0]
            dob = _first_dob(entity)
            year = int(dob[:4])
            shift = rng.randint(20, 35) * (1 if year < 1975 else -1)
            new_year = year + shift
            query_dob = f"{new_year:04d}{dob[4:]}"
            if query_dob[4:] == "-02-29":
                query_dob = f"{new_year:04d}-02-28"
            namesakes = [
                e for e in self.skeleton_entities.get(skeleton_key(name), []) if e.schema == "Person"
            ]
            if any(
                not birth_years(e) or min(abs(y - new_year) for y in birth_years(e)) < 10 for e in namesakes
            ):
                continue
            yield Example(
                id="",
                kind="",
                query={"name": name, "schema": "Person", "birth_date": query_dob},
                expected=None,
                accept=self.accept(entity.id),
                note=f"listed DOB {dob}",
                against=entity.id,
            )


def _round_robin(groups: dict[str, list[Example]], rng: random.Random) -> Iterator[Example]:
    lists = []
    for key in sorted(groups):
        items = list(groups[key])
        rng.shuffle(items)
        lists.append(items)
    while any(lists):
        for items in lists:
            if items:
                yield items.pop()


def _interleave(first: list[Entity], second: list[Entity], ratio: int) -> Iterator[Entity]:
    """`ratio` items of `first` for each of `second`, then whatever is left."""
    a, b = iter(first), iter(second)
    while True:
        took = False
        for _ in range(ratio):
            item = next(a, None)
            if item is not None:
                took = True
                yield item
        item = next(b, None)
        if item is not None:
            took = True
            yield item
        if not took:
            return


def build_sets(entities: list[Entity], seed: int = DEFAULT_SEED, cap: int = 300) -> EvalSet:
    return Builder(entities, seed=seed, cap=cap).build()
