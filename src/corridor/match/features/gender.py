"""Gender: the same (+gender_match) or another (gender_mismatch); nothing where
either side gives none."""

from __future__ import annotations

from corridor.match.algorithm import DEFAULT, Algorithm
from corridor.match.model import Qualifier


def gender_qualifier(query: str | None, listed: str, algorithm: Algorithm = DEFAULT) -> Qualifier | None:
    if not query or not listed:
        return None
    if query == listed:
        return Qualifier("gender", algorithm.gender_match, f"gender {query} matches")
    return Qualifier("gender", algorithm.gender_mismatch, f"gender {query} contradicts listed {listed}")
