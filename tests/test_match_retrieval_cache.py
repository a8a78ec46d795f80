"""Retrieval's caches change nothing: a query token's postings, kept once for every
schema (a trade check asks for one word as a party and as a vessel), give the hits a
fresh screener gives; the two-edit lookup finds exactly the listed spellings two
letters off."""

from __future__ import annotations

import pytest

from corridor.match import Query, Screener
from corridor.match.retrieval import TWO_EDITS_LENGTH
from corridor.model import Entity, make_name
from corridor.names.tokens import analyze


def entity(eid: str, schema: str, *names: str) -> Entity:
    return Entity(
        id=eid,
        source="un",
        schema=schema,
        names=[n for n in (make_name(full) for full in names) if n],
        list_ref=eid,
    )


ENTITIES = [
    entity("un:v1", "Vessel", "ZAWIYAH"),
    entity("un:v2", "Vessel", "DARYABAR"),
    entity("un:c1", "Company", "ZAWIYAH"),
    entity("un:c2", "Company", "DARYABAR"),
    entity("un:c3", "Company", "DARYABAR SHIPPING"),
    entity("un:c4", "Company", "KORYO MARITIME"),
]
SCHEMA = {e.id: e.schema for e in ENTITIES}


def hits(screener: Screener, name: str, schema: str) -> list[tuple[str, float]]:
    return [(h.entity_id, h.score) for h in screener.screen(Query(name=name, schema=schema), limit=100)]


@pytest.mark.parametrize(
    ("name", "vessel", "company"),
    [
        ("ZAWIYA", "un:v1", "un:c1"),  # one letter off a rare token (near spelling)
        ("DASRYAFAR", "un:v2", "un:c2"),  # found nowhere: two slips (typo search)
        ("ZAWIYAH", "un:v1", "un:c1"),  # found as written
    ],
)
@pytest.mark.parametrize("first", ["Vessel", "LegalEntity"])
def test_a_word_asked_for_two_schemata_gets_what_a_fresh_screener_gives(
    name: str, vessel: str, company: str, first: str
) -> None:
    warm = Screener.from_entities(ENTITIES)
    second = "LegalEntity" if first == "Vessel" else "Vessel"
    warm_first = hits(warm, name, first)
    warm_second = hits(warm, name, second)
    assert warm_first == hits(Screener.from_entities(ENTITIES), name, first)
    assert warm_second == hits(Screener.from_entities(ENTITIES), name, second)
    found = dict([*warm_first, *warm_second])
    assert vessel in found and company in found
    # each schema meets its own records only
    assert {SCHEMA[e] == "Vessel" for e, _ in warm_first} == {first == "Vessel"}
    assert {SCHEMA[e] == "Vessel" for e, _ in warm_second} == {second == "Vessel"}


def reference_two_edits(query: str, listed: set[str]) -> set[str]:
    """Listed words equal to the query less two letters, or one letter less than a
    listed word of 4+ letters equal to it (the definition, by brute force)."""

    def less(text: str, count: int) -> set[str]:
        out = {text}
        for _ in range(count):
            out = {t[:i] + t[i + 1 :] for t in out for i in range(len(t))}
        return out

    twice = less(query, 2)
    found = {word for word in listed if word in twice}
    found |= {word for word in listed if len(word) >= 4 and word.isalpha() and less(word, 1) & twice}
    return found - {query}


@pytest.mark.parametrize("query", ["dasryafar", "zzawiyahh", "koryyomaritime", "shippping"])
def test_two_edits_finds_the_listed_spellings_two_letters_off(query: str) -> None:
    screener = Screener.from_entities(ENTITIES)
    retriever = screener.retriever
    assert len(query) >= TWO_EDITS_LENGTH
    listed = {t for t in screener.index.listed_tokens if "t" + t in screener.index.postings}
    (tok,) = analyze(query, "vessel")
    expected = reference_two_edits(tok.text, listed)
    assert retriever._two_edits(tok) == expected
    assert expected or query == "koryyomaritime"  # the others are two slips from a listed word
