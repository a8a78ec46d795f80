"""`compare(name1, name2, schema)`: one name against another, without an index.

The same alignment and score as screening (`match.align`); token weights are the
prior weights of `names.tokens` (common names such as Kim, Ri, Ivanov, Mohammed
weigh less) because there is no list to count frequencies in.
"""

from __future__ import annotations

from corridor.match.align import align
from corridor.match.explain import build_evidence, summarize
from corridor.match.model import Comparison, Explanation
from corridor.match.query import check_name, validate_schema
from corridor.names.tokens import analyze, schema_kind


def compare(name1: str, name2: str, schema: str = "Person") -> Comparison:
    """How well `name1` (the query side) matches `name2` (the listed side), in [0, 1]."""
    first = check_name(name1, "name1")
    second = check_name(name2, "name2")
    kind = schema_kind(validate_schema(schema))
    qtoks = analyze(first, kind)
    ltoks = analyze(second, kind)
    qweights = [t.weight for t in qtoks]
    lweights = [t.weight for t in ltoks]
    score, pairs = align(qtoks, qweights, ltoks, lweights)

    def explain() -> Explanation:
        evidence = build_evidence(first, second, "primary", score, qtoks, ltoks, pairs)
        return Explanation(evidence, [], summarize(score, evidence, []))

    return Comparison(score, explain)
