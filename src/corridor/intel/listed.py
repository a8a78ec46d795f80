"""The gazetteer of listed names: every name of every active list entity, in every
script, found in a report at once (Aho–Corasick over the folded text).

A name is a pattern when it can identify something in running text: at least two
words, or one word of eight letters or more for an organisation or vessel (a lone
given name or a short word is everywhere).  Each pattern keeps the entities that
bear it.  A found name is only a candidate: the screening engine confirms it
(`corridor.intel.analyse`), and its explanation says how well it matched.

Pure, no I/O: the caller passes (entity id, schema, name) triples from the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from corridor.intel.phrases import Folded, PhraseMatcher
from corridor.types.text import normalize

MIN_SINGLE_WORD = 8


@dataclass(frozen=True, slots=True)
class ListedName:
    entity_id: str
    schema: str
    name: str


@dataclass(frozen=True, slots=True)
class ListedMatch:
    start: int
    end: int
    text: str
    candidates: tuple[ListedName, ...]


def usable(name: str, schema: str) -> bool:
    words = normalize(name).split()
    if not words:
        return False
    if len(words) >= 2:
        return sum(len(w) for w in words) >= 5
    return (
        schema in ("Organization", "Company", "LegalEntity", "Vessel", "PublicBody")
        and len(words[0]) >= MIN_SINGLE_WORD
    )


class ListedNames:
    """Names of listed entities, matched whole-word in any script."""

    def __init__(self, names: Iterable[ListedName]) -> None:
        self._matcher: PhraseMatcher[ListedName] = PhraseMatcher(
            (n.name, n) for n in names if usable(n.name, n.schema)
        )

    def __len__(self) -> int:
        return len(self._matcher)

    def find(self, folded: Folded, text: str) -> list[ListedMatch]:
        out = []
        for match in self._matcher.find_folded(folded):
            seen: dict[str, ListedName] = {}
            for candidate in match.value:
                seen.setdefault(candidate.entity_id, candidate)
            out.append(
                ListedMatch(match.start, match.end, text[match.start : match.end], tuple(seen.values()))
            )
        return out
