"""Scores never depend on the threshold, and the hit limit never drops one list's
copy of a designation in favour of another's (issue 13, point 5)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from corridor.match import DEFAULT_THRESHOLD, Query, Screener
from corridor.model import Entity, NameKind, make_name

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the bench package lives beside src/


def _entity(ident: str, schema: str, *names: str, source: str = "", **fields: Any) -> Entity:
    src, ref = ident.split(":", 1)
    built = [make_name(n, NameKind.PRIMARY if i == 0 else NameKind.ALIAS) for i, n in enumerate(names)]
    return Entity(
        id=ident, source=source or src, schema=schema, names=[n for n in built if n], list_ref=ref, **fields
    )


def _consistent(
    screener: Screener, query: Query
) -> tuple[list[tuple[str, str, float]], list[tuple[str, str, float]]]:
    official = [(h.entity_id, h.list, h.score) for h in screener.screen(query)]
    everything = [(h.entity_id, h.list, h.score) for h in screener.screen(query, threshold=0.0, limit=1000)]
    cut = [hit for hit in everything if hit[2] >= DEFAULT_THRESHOLD]
    return official, cut[: max(len(official), 10)]


def test_equal_scores_are_never_cut_by_the_limit() -> None:
    # one designation on three lists (same name, same score) and seven other
    # parties ahead of it in id order: a limit of 8 must keep all three copies
    entities = [_entity(f"aa:{i}", "Person", f"KIM Yong Chol {chr(97 + i)}") for i in range(7)]
    entities += [
        _entity("ofac:1", "Person", "RI Su Yong"),
        _entity("uk:1", "Person", "RI SU YONG"),
        _entity("un:KPi.052", "Person", "RI SU YONG"),
    ]
    screener = Screener.from_entities(entities)
    hits = screener.screen(Query("Ri Su Yong", schema="Person"), threshold=0.0, limit=2)
    ids = [h.entity_id for h in hits]
    assert ids[:3] == ["ofac:1", "uk:1", "un:KPi.052"]
    assert len({h.score for h in hits[:3]}) == 1
    # a lower score after the tie is cut as asked
    assert all(h.score == hits[0].score for h in hits)


def test_the_limit_still_cuts_between_different_scores() -> None:
    entities = [
        _entity("ofac:1", "Person", "Yevgeniy Viktorovich PRIGOZHIN"),
        _entity("uk:2", "Person", "Yevgeniy PRIGOZHIN"),
        _entity("un:3", "Person", "Yevgeni Viktorovich PRIGOZHINA"),
    ]
    screener = Screener.from_entities(entities)
    hits = screener.screen(Query("Yevgeniy Viktorovich Prigozhin", schema="Person"), threshold=0.0, limit=1)
    assert [h.entity_id for h in hits] == ["ofac:1"]


def test_sdn_and_non_sdn_records_of_one_id_stay_two_hits() -> None:
    entities = [
        _entity("ofac:9647", "Company", "KOREA RYONBONG GENERAL CORPORATION", source="ofac-sdn"),
        _entity("ofac:9647", "Company", "KOREA RYONBONG GENERAL CORPORATION", source="ofac-cons"),
    ]
    screener = Screener.from_entities(entities)
    hits = screener.screen(Query("Korea Ryonbong General Corporation", schema="Company"))
    assert sorted(h.list for h in hits) == ["ofac-cons", "ofac-sdn"]


def test_thresholded_hits_equal_the_threshold_zero_hits_cut_hand_made() -> None:
    entities = [
        _entity("ofac:21444", "Person", "KIM, Yo Jong"),
        _entity("ofac:12211", "Person", "KIM, Yong Chol"),
        _entity("ofac:35460", "Person", "Aleksandr Aleksandrovich REMEZKOV"),
        _entity("uk:14573", "Person", "Alexander Alexandrovich REMEZKOV"),
    ] + [
        _entity(f"x:{i}", "Person", f"Aleksandr Aleksandrovich {n}")
        for i, n in enumerate(["IVANOV", "PETROV", "SIDOROV"])
    ]
    screener = Screener.from_entities(entities)
    for name in ("김요종", "Ремезков Александр Александрович", "Kim Yo Jong", "Alexander Remezkov"):
        official, cut = _consistent(screener, Query(name, schema="Person"))
        assert official == cut, name
    # 김요종 is Kim Yo Jong, not Kim Yong Chol (the Russian key of 요종 is not Yong's)
    assert [h.entity_id for h in screener.screen(Query("김요종", schema="Person"))] == ["ofac:21444"]


@pytest.mark.slow
def test_thresholded_hits_equal_the_threshold_zero_hits_cut_on_the_evaluation_sets(shared_data: Path) -> None:
    """For every query of the evaluation sets, `screen(q)` is `screen(q, threshold=0)`
    cut at the default threshold (ids, lists and scores)."""
    from bench.eval import data
    from bench.eval.sets import apply_holdout, build_sets

    snapshots = data.select_snapshots(shared_data, list(data.DEFAULT_LISTS))
    if not snapshots:
        pytest.skip("no list snapshots in the shared data folder")
    corpus = data.load_corpus(snapshots, None)
    evalset = build_sets(corpus.entities)
    screener = Screener.from_entities(apply_holdout(corpus.entities, evalset.holdout))
    differ: list[str] = []
    for example in evalset.examples:
        q = example.query
        query = Query(
            q["name"], schema=q.get("schema", "Thing"), birth_date=q.get("birth_date"),
            country=q.get("country"), imo=q.get("imo"),
        )  # fmt: skip
        try:
            official, cut = _consistent(screener, query)
        except ValueError:
            continue
        if official != cut:
            differ.append(f"{example.id} {q['name']!r}: {official} vs {cut}")
    assert not differ, "\n".join(differ[:20])
