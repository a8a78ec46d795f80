"""align(): the per-listed-token pair scores (`row_hits`) and their memo across candidates."""

from __future__ import annotations

from corridor.match.align import RowHits, align, pair_score, row_hits
from corridor.names.tokens import analyze


def test_row_lists_only_the_query_tokens_that_score_in_query_order() -> None:
    query = analyze("Kim Jong Nam", "person")
    listed = analyze("Jong Un KIM", "person")
    kim = listed[2]
    hits = row_hits(query, kim)
    assert [i for i, _sim, _method in hits] == [0]
    assert hits[0][1:] == pair_score(query[0], kim) == (1.0, "exact")
    # a token nothing in the query starts like gives no pairs at all
    assert row_hits(query, analyze("Prigozhin", "person")[0]) == ()


def test_memo_shared_across_candidates_gives_the_same_alignment() -> None:
    query = analyze("Kim Jong Un", "person")
    weights = tuple(t.weight for t in query)
    memo: dict[int, RowHits] = {}  # keyed by id(): the listed tokens must stay alive
    names = ("KIM Jong-Un", "Kimjongun", "Kim Jong Nam", "Jong Un KIM", "Kim Yong Chol")
    kept = [analyze(name, "person") for name in names]
    for listed in kept:
        lweights = tuple(t.weight for t in listed)
        assert align(query, weights, listed, lweights, memo) == align(query, weights, listed, lweights)
    assert memo  # the memo was filled
