"""Which records on different lists are the same designation.

Links are made only on evidence that is reliable on its own:

* `un_ref`: a UK (or any) record citing a UN reference ("(UN Ref):KPe.018") is the
  UN record with that reference;
* `identifier`: two records of the same kind (person / organisation / vessel...)
  share an identifying number (IMO, passport, national id, tax id, registration,
  SWIFT) that no other record of either list carries;
* `name_dob`: two person records share a full name (same words in any order,
  spelling differences y/i, ks/x, kh/h... ignored) and a full date of birth, each
  unique within its list;
* `dprk_name`: a DPRK-program record on OFAC and one on the UN DPRK list share an
  exact name that is unique on both sides and their birth years do not disagree;
* `surname_dob`: two person records share a full date of birth and a surname
  (spelling differences ignored as above), no other record on either list
  shares that pair, and their first names and patronymics (where both give
  them) do not contradict each other.

Linked records form clusters (union-find); an example whose expected entity is in
a cluster accepts any member as a correct top-1 answer.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from bench.eval.text import fold, name_key, similarity, skeleton, skeleton_key
from corridor.model import Entity, NameKind

_UN_REF_RE = re.compile(r"\b([A-Z]{2}[a-zA-Z])\.(\d{3})\b")
_ID_TYPES = ("imo", "passport", "national_id", "tax_id", "registration", "swift")


def kind_of(entity: Entity) -> str:
    """Coarse kind for linking: persons, vessels, aircraft, everything else is an org."""
    if entity.schema in ("Person", "Vessel", "Aircraft"):
        return entity.schema
    return "Org"


def is_dprk(entity: Entity) -> bool:
    return any(p.upper().startswith("DPRK") or "KOREA" in p.upper() for p in entity.programs) or any(
        ref.upper().startswith("KP") for ref in entity.un_refs
    )


def un_refs_of(entity: Entity) -> list[str]:
    """UN references an entity cites, canonical case ("KPe.018")."""
    refs = []
    for raw in entity.un_refs:
        # only the leading reference: some cells run on into text citing other entries
        match = _UN_REF_RE.match(raw.strip())
        if match:
            prefix = match.group(1)
            refs.append(f"{prefix[:2].upper()}{prefix[2].lower()}.{match.group(2)}")
    return refs


def full_dobs(entity: Entity) -> set[str]:
    return {d.start for d in entity.birth_dates if len(d.start) == 10 and not d.end}


def birth_years(entity: Entity) -> set[int]:
    years: set[int] = set()
    for d in entity.birth_dates:
        try:
            start = int(d.start[:4])
            end = int(d.last[:4])
        except ValueError:
            continue
        years.update(range(start, end + 1))
    return years


def latin_names(entity: Entity, weak: bool = False) -> list[str]:
    out = []
    for name in entity.names:
        if name.script not in ("Latin", ""):
            continue
        if name.kind is NameKind.WEAK_ALIAS and not weak:
            continue
        out.append(name.full)
    return out


def surnames(entity: Entity) -> set[str]:
    found = {fold(n.family) for n in entity.names if n.family and n.script == "Latin"}
    if not found:
        for name in latin_names(entity):
            words = fold(name).split()
            if len(words) >= 2:
                found.update((words[0], words[-1]))
    return {s for s in found if s}


def _given_words(entity: Entity) -> tuple[str, str]:
    """(first name, patronymic) skeletons of the primary Latin name, "" when unknown."""
    for name in entity.names:
        if name.script == "Latin" and name.given:
            words = fold(name.given).split()
            first = skeleton(words[0]) if words else ""
            patronymic = next((skeleton(w) for w in words[1:] if re.search(r"(vich|vna|ich|ichna)$", w)), "")
            return first, patronymic
    return "", ""


def given_names_agree(a: Entity, b: Entity) -> bool:
    """No contradiction between first names or patronymics (when both lists give
    them): same surname and birth date but "Sergey Pavlovich" vs "Sergey
    Borisovich" is not linked."""
    first_a, patr_a = _given_words(a)
    first_b, patr_b = _given_words(b)
    return all(not x or not y or similarity(x, y) >= 0.7 for x, y in ((first_a, first_b), (patr_a, patr_b)))


def _normal_id(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value).upper()


@dataclass(slots=True)
class Clusters:
    parent: dict[str, str] = field(default_factory=dict)
    rules: Counter[str] = field(default_factory=Counter)

    def find(self, key: str) -> str:
        root = key
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while self.parent.get(key, key) != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str, rule: str) -> None:
        self.parent.setdefault(a, a)
        self.parent.setdefault(b, b)
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
            self.rules[rule] += 1

    def members(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = defaultdict(list)
        for key in list(self.parent):
            groups[self.find(key)].append(key)
        return {root: sorted(ids) for root, ids in groups.items() if len(ids) > 1}

    def cluster_of(self) -> dict[str, list[str]]:
        """entity id -> all ids of its cluster (only for linked entities)."""
        out: dict[str, list[str]] = {}
        for ids in self.members().values():
            for entity_id in ids:
                out[entity_id] = ids
        return out


def _unique_pairs(
    index_a: dict[str, list[Entity]], index_b: dict[str, list[Entity]]
) -> Iterable[tuple[Entity, Entity]]:
    for key, left in index_a.items():
        right = index_b.get(key)
        if right and len(left) == 1 and len(right) == 1 and left[0].id != right[0].id:
            yield left[0], right[0]


def link(entities: list[Entity]) -> Clusters:
    clusters = Clusters()
    by_source: dict[str, list[Entity]] = defaultdict(list)
    for entity in entities:
        by_source[entity.source].append(entity)

    # 1. UN references
    un_by_ref = {ref: e.id for e in by_source.get("un", []) for ref in un_refs_of(e)}
    for entity in entities:
        if entity.source == "un":
            continue
        for ref in un_refs_of(entity):
            target = un_by_ref.get(ref)
            if target:
                clusters.union(entity.id, target, "un_ref")

    sources = sorted(by_source)
    for i, source_a in enumerate(sources):
        for source_b in sources[i + 1 :]:
            _link_pair(clusters, by_source[source_a], by_source[source_b])
    return clusters


def _link_pair(clusters: Clusters, list_a: list[Entity], list_b: list[Entity]) -> None:
    # 2. shared identifiers, unique on each list
    def id_index(items: list[Entity]) -> dict[str, list[Entity]]:
        index: dict[str, list[Entity]] = defaultdict(list)
        for entity in items:
            seen = set()
            for ident in entity.identifiers:
                value = _normal_id(ident.value)
                if ident.type in _ID_TYPES and len(value) >= 6 and value not in seen:
                    seen.add(value)
                    index[f"{kind_of(entity)}:{value}"].append(entity)
        return index

    for a, b in _unique_pairs(id_index(list_a), id_index(list_b)):
        years_a, years_b = birth_years(a), birth_years(b)
        if years_a and years_b and not years_a & years_b:
            continue
        clusters.union(a.id, b.id, "identifier")

    # 3. person: full name (any order) + full DOB
    def name_dob_index(items: list[Entity]) -> dict[str, list[Entity]]:
        index: dict[str, list[Entity]] = defaultdict(list)
        for entity in items:
            if entity.schema != "Person":
                continue
            keys = {f"{skeleton_key(n)}|{d}" for n in latin_names(entity) for d in full_dobs(entity)}
            for key in keys:
                index[key].append(entity)
        return index

    for a, b in _unique_pairs(name_dob_index(list_a), name_dob_index(list_b)):
        clusters.union(a.id, b.id, "name_dob")

    # 4. person: surname + full DOB, unique pair on both lists
    def surname_dob_index(items: list[Entity]) -> dict[str, list[Entity]]:
        index: dict[str, list[Entity]] = defaultdict(list)
        for entity in items:
            if entity.schema != "Person":
                continue
            for key in {f"{skeleton(s)}|{d}" for s in surnames(entity) for d in full_dobs(entity)}:
                index[key].append(entity)
        return index

    for a, b in _unique_pairs(surname_dob_index(list_a), surname_dob_index(list_b)):
        if given_names_agree(a, b):
            clusters.union(a.id, b.id, "surname_dob")

    # 5. DPRK programs: exact unique name, same kind, birth years not disagreeing
    def dprk_name_index(items: list[Entity]) -> dict[str, list[Entity]]:
        index: dict[str, list[Entity]] = defaultdict(list)
        for entity in items:
            if not is_dprk(entity):
                continue
            for key in {f"{kind_of(entity)}:{name_key(n)}" for n in latin_names(entity)}:
                if len(key.split(":", 1)[1]) >= 5:
                    index[key].append(entity)
        return index

    for a, b in _unique_pairs(dprk_name_index(list_a), dprk_name_index(list_b)):
        years_a, years_b = birth_years(a), birth_years(b)
        if years_a and years_b and not years_a & years_b:
            continue
        clusters.union(a.id, b.id, "dprk_name")
