"""Screening: names and qualifiers against the sanctions lists.

Public API (used by the CLI and the bench harness; keep it stable):

    Query, Hit, Explanation, NameEvidence, PartMatch, Qualifier, Comparison,
    Screener (from_entities / save / load / screen / screen_many),
    compare(name1, name2, schema), DEFAULT_THRESHOLD, QueryError

The algorithm is documented in docs/screening.md.
"""

from corridor.match.compare import compare
from corridor.match.model import (
    DEFAULT_THRESHOLD,
    MAX_NAME_LENGTH,
    Comparison,
    Explanation,
    Hit,
    NameEvidence,
    PartMatch,
    Qualifier,
    Query,
    QueryError,
)
from corridor.match.screener import Screener

__all__ = [
    "DEFAULT_THRESHOLD",
    "MAX_NAME_LENGTH",
    "Comparison",
    "Explanation",
    "Hit",
    "NameEvidence",
    "PartMatch",
    "Qualifier",
    "Query",
    "QueryError",
    "Screener",
    "compare",
]
