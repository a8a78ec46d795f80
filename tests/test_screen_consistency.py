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
    # the same limit on both sides: it counts designations, and those above the
    # threshold come first
    official = [(h.entity_id, h.list, h.score) for h in screener.screen(query, limit=10)]
    everything = [(h.entity_id, h.list, h.score) for h in screener.screen(query, threshold=0.0, limit=10)]
    return official, [hit for hit in everything if hit[2] >= DEFAULT_THRESHOLD]


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
    # equal scores: the UN record first, then by id
    assert ids[:3] == ["un:KPi.052", "ofac:1", "uk:1"]
    assert len({h.score for h in hits[:3]}) == 1
    # a lower score after the tie is cut as asked
    assert all(h.score == hits[0].score for h in hits)


def test_every_record_of_a_designation_stays_within_the_limit() -> None:
    # the UN designation scores below its UK copy (a shorter name); three other
    # parties score in between: a limit of 2 keeps the designation's two records
    # and one other party, not the three others
    entities = [
        _entity("uk:16000", "Person", "RI SU YONG", un_refs=["KPi.052"]),
        _entity("un:KPi.052", "Person", "RI SU YONG CHOL"),
    ]
    entities += [_entity(f"ofac:{i}", "Person", f"RI SU YONG {s}") for i, s in enumerate(["A", "B", "C"])]
    screener = Screener.from_entities(entities)
    everything = screener.screen(Query("Ri Su Yong", schema="Person"), threshold=0.0, limit=100)
    order = [h.entity_id for h in everything]
    assert order[0] == "uk:16000" and order.index("un:KPi.052") > 1  # the UN copy scores lower
    hits = screener.screen(Query("Ri Su Yong", schema="Person"), threshold=0.0, limit=2)
    ids = [h.entity_id for h in hits]
    assert "uk:16000" in ids and "un:KPi.052" in ids
    others = [i for i in ids if i.startswith("ofac:")]
    assert others == [i for i in order if i.startswith("ofac:")][: len(others)]
    assert order[-1] not in ids  # the lowest other party is cut
    # a limit of 1 keeps the one designation with both its records
    assert sorted(h.entity_id for h in screener.screen(Query("Ri Su Yong", schema="Person"), 0.0, 1)) == [
        "uk:16000",
        "un:KPi.052",
    ]


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


def test_an_ofac_id_on_the_sdn_and_the_non_sdn_list_shows_both_lists(shared_data: Path) -> None:
    """On the real snapshots: the ids both OFAC files carry are one record in the
    service's index, with the names of both and both lists on the hit."""
    from bench.eval import data

    from corridor.services.screening import unique_entities

    snapshots = data.select_snapshots(shared_data, ["ofac-sdn", "ofac-cons"])
    if {s.list_key for s in snapshots} != {"ofac-sdn", "ofac-cons"}:
        pytest.skip("no OFAC SDN and Non-SDN snapshots in the shared data folder")
    entities = [e for s in snapshots for e in data.load_snapshot(s, None)]
    by_id: dict[str, list[Entity]] = {}
    for entity in entities:
        by_id.setdefault(entity.id, []).append(entity)
    both = {
        i: records for i, records in by_id.items() if {r.source for r in records} == {"ofac-sdn", "ofac-cons"}
    }
    assert both, "no OFAC id on both lists in these snapshots"
    unique = {e.id: e for e in unique_entities(entities)}
    screener = Screener.from_entities(unique.values())
    for ident in sorted(both)[:5]:
        merged = unique[ident]
        assert {merged.source, *merged.also_on} == {"ofac-sdn", "ofac-cons"}
        names = {n.full for r in both[ident] for n in r.names}
        assert {n.full for n in merged.names} == names
        caption = both[ident][0].caption
        query = Query(caption, schema=merged.schema if merged.schema in ("Person", "Vessel") else "Thing")
        hit = next(h for h in screener.screen(query) if h.entity_id == ident)
        assert hit.list == merged.source and sorted(hit.lists) == ["ofac-cons", "ofac-sdn"]
        assert sorted(hit.to_dict()["lists"]) == ["ofac-cons", "ofac-sdn"]
    # the CLI's table names both lists
    from rich.console import Console

    from corridor.render.screening import hits_table

    console = Console(width=300, record=True)
    console.print(hits_table([hit]))
    assert " + ".join(hit.lists) in console.export_text()


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


def _threshold_dependent(shared_data: Path, cap: int | None) -> list[str]:
    """The examples of the evaluation sets (≤ `cap` per kind; None: the sets as
    the full bench builds them) whose `screen(q)` is not `screen(q, threshold=0)`
    cut at the default threshold (ids, lists and scores)."""
    from bench.eval import data
    from bench.eval.sets import apply_holdout, build_sets

    snapshots = data.select_snapshots(shared_data, list(data.DEFAULT_LISTS))
    if not snapshots:
        pytest.skip("no list snapshots in the shared data folder")
    corpus = data.load_corpus(snapshots, None)
    evalset = build_sets(corpus.entities) if cap is None else build_sets(corpus.entities, cap=cap)
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
    assert len(evalset.examples) > 500
    return differ


def test_thresholded_hits_equal_the_threshold_zero_hits_cut_on_a_sample_of_the_sets(
    shared_data: Path,
) -> None:
    """Every query of the evaluation sets built with 20 examples per kind (the full
    sets: the slow test below and `threshold-dependent results` in the bench)."""
    differ = _threshold_dependent(shared_data, 20)
    assert not differ, "\n".join(differ[:20])


@pytest.mark.slow
def test_thresholded_hits_equal_the_threshold_zero_hits_cut_on_the_evaluation_sets(shared_data: Path) -> None:
    """For every query of the evaluation sets, `screen(q)` is `screen(q, threshold=0)`
    cut at the default threshold (ids, lists and scores)."""
    differ = _threshold_dependent(shared_data, None)
    assert not differ, "\n".join(differ[:20])


def test_a_listed_word_two_wrong_keys_from_another_is_reached_at_every_threshold() -> None:
    """CHONGBONG and CHONMYONG are both listed, two wrong keys apart: the alignment
    credits two slips in a 9-letter word, so retrieval at the default threshold must
    reach the other company as threshold 0 does (it once came only at threshold 0)."""
    entities = [
        _entity("ofac:19569", "Organization", "CHONGBONG SHIPPING CO LTD"),
        _entity("un:KPe.056", "Organization", "CHONMYONG SHIPPING CO"),
    ] + [
        _entity(f"x:{i}", "Organization", f"{w} SHIPPING CO") for i, w in enumerate(["AZIA", "HADI", "SINA"])
    ]
    screener = Screener.from_entities(entities)
    query = Query("CHONGBONG SHIPPING COMPANY", schema="Organization")
    official, cut = _consistent(screener, query)
    assert official == cut
    assert {"ofac:19569", "un:KPe.056"} <= {hit[0] for hit in official}


@pytest.mark.parametrize("word", ["CHONGBONG", "DARYABAR", "SAMJIYON", "KORYOLINK"])
def test_the_two_slips_lookup_is_every_listed_word_two_edits_away(word: str) -> None:
    """`Retriever._two_slips_of` against brute force over the vocabulary (optimal
    string alignment distance <= 2, same first letter, length within two)."""
    from rapidfuzz.distance import OSA

    from corridor.names.tokens import analyze

    listed = ["CHONMYONG", "CHONGBONG", "CHONGCHON", "DARYABAR", "DASRYAFAR", "DORYABAR", "SAMJIYON",
              "SAMJIYONG", "SAMCHIYON", "KORYOLINK", "KORYOLIN", "KOREALINK", "KARYOLINK"]  # fmt: skip
    entities = [_entity(f"x:{i}", "Organization", f"{w} TRADING") for i, w in enumerate(listed)]
    screener = Screener.from_entities(entities)
    (tok,) = analyze(word, "organization")
    vocabulary = [t for t in screener.index.listed_tokens if t.isalpha()]
    expected = {
        t for t in vocabulary
        if t != tok.text and t[0] == tok.text[0] and abs(len(t) - len(tok.text)) <= 2
        and OSA.distance(t, tok.text) <= 2
    }  # fmt: skip
    assert screener.retriever._two_slips_of(tok) == expected
    assert expected  # every word here has a listed neighbour two slips away
