"""Retrieval when a query shares its words with many listed names: a word too
common to retrieve by (more than `max_postings` names) still ranks the names the
other words found, a Korean-readable listed word (Ali reads as a-li) is found by
its Russian key from another script, and a name found by a token's keys and by
its near spellings counts that token once."""

from __future__ import annotations

import dataclasses

import pytest

from corridor.match import Query, Screener
from corridor.match.algorithm import DEFAULT
from corridor.model import Entity, make_name

# Latin words whose Arabic consonant skeleton is hmd, as that of همود (Hamoud)
_HMD = ["Hamid", "Hamed", "Ahmed", "Hamad", "Hammad", "Hamdi", "Hamudi", "Hameed"]
_OTHER = ["Karimov", "Lindqvist", "Osterberg", "Pemberton", "Quispe", "Rasmussen", "Sandoval", "Tkachuk"]


def person(eid: str, name: str) -> Entity:
    found = make_name(name)
    assert found is not None
    return Entity(id=eid, source="un", schema="Person", names=[found], list_ref=eid)


def crowd() -> list[Entity]:
    """Names sharing Hamoud's Arabic skeleton, then many named Ali, then the one
    asked for, last (so no tie among the skeleton's names goes its way by position)."""
    out = [
        person(f"h{i}", f"{word} {other}")
        for i, (word, other) in enumerate((w, o) for w in _HMD for o in _OTHER)
    ]
    out += [person(f"a{i}", f"Ali {other}{i}") for i, other in enumerate(_OTHER * 4)]
    out.append(person("target", "Ali HAMOUD"))
    return out


@pytest.mark.slow
def test_arabic_ali_meets_the_korean_readable_latin_ali(
    un_ofac: tuple[Screener, dict[str, tuple[str, ...]]],
) -> None:
    # Ali is also read as Korean (a-li); its Russian key must still be a retrieval key,
    # or علي (aly) finds no Ali on the real lists and Hamoud's skeleton (hmd) ties
    # with every Hamid and Ahmed there
    hits = un_ofac[0].screen(Query("الي همود", schema="Person"))
    assert "ofac:20968" in [h.entity_id for h in hits[:3]], [(h.entity_id, round(h.score, 3)) for h in hits]


def test_a_word_too_common_to_retrieve_by_still_ranks_the_candidates() -> None:
    # Ali is in more names than max_postings: not used to retrieve, but of the names
    # Hamoud's skeleton finds (more than `candidates`, all tied), those with Ali come first
    algorithm = dataclasses.replace(DEFAULT, max_postings=20, candidates=8)
    screener = Screener.from_entities(crowd(), algorithm=algorithm)
    analysed = screener.retriever.analyse("الي همود", "Person")
    assert analysed.crowded, "Ali should be too common to retrieve by here"
    hits = screener.screen(Query("الي همود", schema="Person"))
    assert hits and hits[0].entity_id == "target", [(h.entity_id, round(h.score, 3)) for h in hits]


def test_a_name_found_by_a_token_and_its_near_spellings_counts_it_once() -> None:
    # Hamid is found by its own keys and Hamed, Hamad one letter apart: one set
    # holds them all, so a name with both words counts the token once
    screener = Screener.from_entities([*crowd(), person("both", "Hamid Hamed")])
    retriever = screener.retriever
    (tok,) = retriever.analyse("Hamid", "Person").tokens
    group = retriever._token_sets(tok, 1.0, "Person")
    assert len(group.sets) == 1
    (_, found) = group.sets[0]
    ids = {screener.index.entities[screener.index.names[nid].entity].id for nid in found}
    assert {"both", "h0", "h8"} <= ids  # Hamid Karimov, Hamed Karimov: own key and near spelling
