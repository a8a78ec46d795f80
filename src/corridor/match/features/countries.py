"""Country: the query's country (an ISO code) among the entity's nationalities,
countries and address countries (+country_match) or not (country_mismatch);
nothing where the list gives no country."""

from __future__ import annotations

from corridor.match.algorithm import DEFAULT, Algorithm
from corridor.match.model import Qualifier


def country_qualifier(
    query: str | None, listed: tuple[str, ...], algorithm: Algorithm = DEFAULT
) -> Qualifier | None:
    if not query or not listed:
        return None
    shown = ", ".join(listed)
    if query in listed:
        return Qualifier("country", algorithm.country_match, f"country {query} matches listed {shown}")
    return Qualifier("country", algorithm.country_mismatch, f"country {query} not among listed {shown}")
