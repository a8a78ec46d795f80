"""Identifiers and IMO numbers: evidence strong enough to outweigh the name.

  identifier  an identifier of the query (passport, SWIFT/BIC, registration
              number; upper case, letters and digits only) equals one of the
              entity's: the score is lifted to at least identifier_floor
  imo         the query's IMO number (check digit validated) is the listed
              vessel's: lifted to at least imo_floor whatever the name; another
              IMO number on a listed vessel costs imo_mismatch

Each returns (the new score, the qualifier) or None when it does not apply.
"""

from __future__ import annotations

from corridor.match.algorithm import DEFAULT, Algorithm
from corridor.match.model import Qualifier


def identifier_qualifier(
    score: float, query: tuple[str, ...], listed: tuple[str, ...], algorithm: Algorithm = DEFAULT
) -> tuple[float, Qualifier] | None:
    matched = [value for value in query if value in listed]
    if not matched:
        return None
    detail = f"identifier {matched[0]} matches"
    if score < algorithm.identifier_floor:
        return algorithm.identifier_floor, Qualifier("identifier", algorithm.identifier_floor - score, detail)
    return score, Qualifier("identifier", 0.0, detail)


def imo_qualifier(
    score: float, query: str | None, listed: tuple[str, ...], algorithm: Algorithm = DEFAULT
) -> tuple[float, Qualifier] | None:
    if not query or not listed:
        return None
    if query in listed:
        effect = max(0.0, algorithm.imo_floor - score)
        return max(score, algorithm.imo_floor), Qualifier(
            "imo", effect, f"IMO {query} matches the listed vessel"
        )
    detail = f"IMO {query} differs from listed {', '.join(listed)}"
    return score + algorithm.imo_mismatch, Qualifier("imo", algorithm.imo_mismatch, detail)
