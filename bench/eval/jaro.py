"""The second peer: a plain Jaro–Winkler name scorer, as OFAC's Sanctions List
Search describes its fuzzy search (Jaro–Winkler over the whole name, no
knowledge of name parts, scripts or name order beyond a token-sorted second
reading).

Every name of every indexed entity is compared with the query (a full scan, so
its recall does not depend on our retrieval): both sides are folded to ASCII
(`normality.ascii_text`, the transliteration nomenklatura itself uses), upper
case, punctuation dropped, spaces collapsed; the score of an entity is the best
of Jaro–Winkler on the names as written and on their tokens sorted, over its
names.  It alerts at `THRESHOLD`.  Written for the benchmark only; nothing in
`corridor` uses it.
"""

from __future__ import annotations

import re
from typing import Any

from normality import ascii_text
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from corridor.model import Entity

THRESHOLD = 0.90  # OFAC's search tool is commonly run at 90 (its slider is 50–100)
_PUNCT = re.compile(r"[^A-Z0-9 ]+")
_SPACES = re.compile(r"\s+")


def fold(name: str) -> str:
    text = _PUNCT.sub(" ", (ascii_text(name) or "").upper())
    return _SPACES.sub(" ", text).strip()


class JaroWinklerScorer:
    """Full-scan Jaro–Winkler over every name of the given entities."""

    def __init__(self, entities: list[Entity]) -> None:
        self.choices: list[str] = []
        self.owner: list[str] = []
        for entity in entities:
            seen: set[str] = set()
            for name in entity.names:
                folded = fold(name.full)
                for text in (folded, " ".join(sorted(folded.split()))):
                    if text and text not in seen:
                        seen.add(text)
                        self.choices.append(text)
                        self.owner.append(entity.id)

    def rank(self, name: str, limit: int = 10, cutoff: float = 0.5) -> list[tuple[str, float]]:
        """The best `limit` entities for a query name, (id, score) best first."""
        folded = fold(name)
        if not folded:
            return []
        best: dict[str, float] = {}
        for query in {folded, " ".join(sorted(folded.split()))}:
            for _text, score, position in process.extract(
                query,
                self.choices,
                scorer=JaroWinkler.normalized_similarity,
                limit=limit * 4,
                score_cutoff=cutoff,
            ):
                owner = self.owner[position]
                if score > best.get(owner, 0.0):
                    best[owner] = float(score)
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return ranked[:limit]

    def describe(self) -> dict[str, Any]:
        from importlib.metadata import version

        return {
            "algorithm": "jaro-winkler (full scan)",
            "threshold": THRESHOLD,
            "rapidfuzz": version("rapidfuzz"),
        }
