"""match.reach: the one candidate selection of both delta runs.  The stored
inverted form (PartyKeys) selects exactly the queries the row-by-row form (Reach)
selects; every query whose hits the UN 2026-02 -> 2026-05 update changes is
selected; identifiers reach whatever the name; the stored bytes round-trip and
a damaged copy is refused."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from corridor.errors import IntegrityError
from corridor.match import Screener
from corridor.match.model import Query
from corridor.match.reach import FORMAT, PartyKeys, Reach, query_terms, screening_view
from corridor.model import Entity, Identifier
from corridor.services.delta import list_delta
from corridor.sources import parse

OLD = "un/2026-02-27/consolidated.xml"
NEW = "un/2026-05-08/consolidated.xml"


@pytest.fixture(scope="module")
def un(shared_data: Path) -> tuple[list[Entity], list[Entity]]:
    return list(parse(shared_data / OLD).entities), list(parse(shared_data / NEW).entities)


@pytest.fixture(scope="module")
def queries(un: tuple[list[Entity], list[Entity]]) -> list[Query]:
    """Synthetic parties (0.5 % listed names with variations, the rest Faker names in
    four locales), plus the names of the entities the update touches, and near misses
    of them (a letter dropped, the parts turned round)."""
    from bench.synthetic import parties

    old, new = un
    change = list_delta(old, new)
    by_id = {e.id: e for e in [*old, *new]}
    found = [Query(name=r["name"], schema=r["schema"], id=r["id"]) for r in parties(new, 1500, seed=3)]
    moved = sorted(change.added | change.removed | (change.changed - change.same_view))
    for i, entity_id in enumerate(moved[:40]):
        name = by_id[entity_id].names[0].full
        words = name.split()
        found.append(Query(name=name, id=f"m{i}"))
        found.append(Query(name=" ".join(words[::-1]), id=f"r{i}"))
        if len(words[0]) > 5:
            found.append(Query(name=" ".join([words[0][:2] + words[0][3:], *words[1:]]), id=f"t{i}"))
    return found


def test_every_query_the_update_changes_is_selected(
    un: tuple[list[Entity], list[Entity]], queries: list[Query]
) -> None:
    old, new = un
    change = list_delta(old, new)
    assert change.added and change.removed and change.changed
    before, after = Screener.from_entities(old), Screener.from_entities(new)
    reach = Reach.of(change.touched)
    moved = change.added | change.changed | change.removed
    selected = changed_results = 0
    for query in queries:
        old_hits = {h.entity_id: h.score for h in before.screen(query, limit=50)}
        new_hits = {h.entity_id: h.score for h in after.screen(query, limit=50)}
        touched = reach.touches(query_terms(after, query))
        selected += touched
        # a hit gained or lost, on any entity, or a hit on an entity whose record moved
        # (unless screening reads the old and new records alike)
        differs = set(old_hits) != set(new_hits) or any(
            e in moved - change.same_view for e in [*old_hits, *new_hits]
        )
        if differs:
            changed_results += 1
            assert touched, (query.name, sorted(set(old_hits) ^ set(new_hits)))
    assert changed_results >= 20  # the update did change results
    assert selected < len(queries) / 5  # and far from every query is selected


def test_stored_keys_select_what_the_row_by_row_form_selects(
    un: tuple[list[Entity], list[Entity]], queries: list[Query]
) -> None:
    old, new = un
    change = list_delta(old, new)
    screener = Screener.from_entities(old)
    keys = PartyKeys()
    terms = {}
    for query in queries:
        assert query.id is not None
        terms[query.id] = query_terms(screener, query)
        keys.put(query.id, terms[query.id])
    stored = PartyKeys.from_bytes(keys.to_bytes())
    reach = Reach.of(change.touched)
    expected = {i for i, t in terms.items() if reach.touches(t)}
    assert expected and stored.reached(reach) == expected == keys.reached(reach)
    # a party dropped (removed from the portfolio) is never selected; one put again is
    gone = sorted(expected)[0]
    stored.drop(gone)
    assert stored.reached(reach) == expected - {gone}
    stored.put(gone, terms[gone])
    again = PartyKeys.from_bytes(stored.to_bytes())
    assert again.reached(reach) == expected and len(again) == len(queries)
    # nothing touched: nobody selected
    assert stored.reached(Reach.of([])) == set()


def test_an_identifier_reaches_whatever_the_name(un: tuple[list[Entity], list[Entity]]) -> None:
    _, new = un
    listed = next(e for e in new if e.identifiers)
    screener = Screener.from_entities(new)
    number = listed.identifiers[0].value
    keys = PartyKeys()
    keys.put("same-number", query_terms(screener, Query(name="Zzyzx Qwvbn", identifiers=[number])))
    keys.put("no-number", query_terms(screener, Query(name="Zzyzx Qwvbn")))
    reach = Reach.of([listed])
    assert keys.reached(reach) == {"same-number"}


def test_screening_view_ignores_what_screening_does_not_read(un: tuple[list[Entity], list[Entity]]) -> None:
    _, new = un
    entity = next(e for e in new if e.identifiers)
    assert screening_view(dataclasses.replace(entity, programs=[*entity.programs, "XX"])) == screening_view(
        entity
    )
    renamed = dataclasses.replace(entity, names=entity.names[1:] or entity.names)
    more_ids = dataclasses.replace(
        entity, identifiers=[*entity.identifiers, Identifier("passport", "Q12345678")]
    )
    assert screening_view(more_ids) != screening_view(entity)
    if len(entity.names) > 1:
        assert screening_view(renamed) != screening_view(entity)


def test_damaged_stored_keys_are_refused(un: tuple[list[Entity], list[Entity]]) -> None:
    _, new = un
    screener = Screener.from_entities(new[:50])
    keys = PartyKeys()
    keys.put("a", query_terms(screener, Query(name="Ri Chol Ho")))
    data = keys.to_bytes()
    for bad in (
        b"",
        data[:-8],
        data + b"x",
        b"\x05" + data[1:],
        data.replace(b'"format":%d' % FORMAT, b'"format":99'),
    ):
        with pytest.raises(IntegrityError, match="party keys"):
            PartyKeys.from_bytes(bad, where="monitor_keys")
