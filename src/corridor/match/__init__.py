"""Screening: names and features against the sanctions lists.

Public API (used by the services, the CLI and the bench harness; keep it stable):

    Query, Hit, Explanation, NameEvidence, PartMatch, Qualifier, Comparison,
    Screener (from_entities / save / load / screen / screen_many),
    compare(name1, name2, schema), DEFAULT_THRESHOLD, QueryError,
    Algorithm, DEFAULT_ALGORITHM (the threshold and weights, one named configuration)

The modules (docs/screening.md):

    algorithm   the threshold and every weight, one named configuration
    query       query validation (Query → CheckedQuery, QueryError)
    terms       retrieval keys and weights of a token
    records     the index's named records (EntityRecord, NameRecord, ListedDate)
    index       build, save and load the index (authenticated, cannot run code)
    retrieval   candidate names for a query
    align       part-by-part name alignment and the name score
    features/   schema, dates, countries, gender, identifiers: each explains itself
    explain     name evidence and the one-line summary of a hit
    screener    Screener: all of the above for one query
    compare     one name against another, without an index
    batch       JSON Lines batches
"""

from corridor.match.algorithm import DEFAULT as DEFAULT_ALGORITHM
from corridor.match.algorithm import Algorithm
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
    "DEFAULT_ALGORITHM",
    "DEFAULT_THRESHOLD",
    "MAX_NAME_LENGTH",
    "Algorithm",
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
