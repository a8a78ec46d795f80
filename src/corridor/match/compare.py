"""`compare(name1, name2, schema)`: one name against another, without an index.

The same alignment and score as screening (`match.align`); token weights are the
prior weights of `names.tokens` (common names such as Kim, Ri, Ivanov, Mohammed
weigh less) because there is no list to count frequencies in.
"""

from __future__ import annotations

from corridor.match import qualifiers as qual
from corridor.match.align import align
from corridor.match.model import MAX_NAME_LENGTH, Comparison, Explanation, QueryError
from corridor.match.screener import build_evidence, summarize
from corridor.names.tokens import analyze, schema_kind
from corridor.types.text import normalize, strip_controls


def _checked(name: str, field: str) -> str:
    if not isinstance(name, str):
        raise QueryError(field, "must be a string")
    text = " ".join(strip_controls(name).split())
    if not text:
        raise QueryError(field, "is empty")
    if len(text) > MAX_NAME_LENGTH:
        raise QueryError(field, f"is {len(text)} characters long; the maximum is {MAX_NAME_LENGTH}")
    if not normalize(text):
        raise QueryError(field, "has no letters or digits")
    return text


def compare(name1: str, name2: str, schema: str = "Person") -> Comparison:
    """How well `name1` (the query side) matches `name2` (the listed side), in [0, 1]."""
    first = _checked(name1, "name1")
    second = _checked(name2, "name2")
    kind = schema_kind(qual.validate_schema(schema))
    qtoks = analyze(first, kind)
    ltoks = analyze(second, kind)
    qweights = [t.weight for t in qtoks]
    lweights = [t.weight for t in ltoks]
    score, pairs = align(qtoks, qweights, ltoks, lweights)

    def explain() -> Explanation:
        evidence = build_evidence(first, second, "primary", score, qtoks, ltoks, pairs)
        return Explanation(evidence, [], summarize(score, evidence, []))

    return Comparison(score, explain)
