"""Korean personal names in Cyrillic (Kontsevich and the press's spellings): the
coarse key, the reading of a name as Korean, and screening against Latin lists."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from importlib import resources
from typing import Any

import jsonschema
import pytest

from corridor.match import DEFAULT_THRESHOLD, Query, Screener
from corridor.model import Entity, NameKind, make_name
from corridor.names import korean, korean_cyrillic
from corridor.names.tokens import analyze

# (Cyrillic, DPRK/MR Latin) of one syllable or word, as Russian sources write
# well-known names (Ким Чен Ын, Ким Ир Сен, Чхве Рён Хэ, Пак Пон Джу, Цой).
SAME = [
    ("ким", "Kim"),
    ("чен", "Jong"),
    ("чжон", "Jong"),
    ("ын", "Un"),
    ("ын", "Eun"),
    ("ир", "Il"),
    ("сен", "Song"),
    ("чхве", "Choe"),
    ("цой", "Choi"),
    ("рён", "Ryong"),
    ("хэ", "Hae"),
    ("ли", "Ri"),
    ("ли", "Lee"),
    ("пак", "Pak"),
    ("пон", "Bong"),
    ("джу", "Ju"),
    ("гвон", "Gwon"),
    ("квон", "Kwon"),
    ("кван", "Kwang"),
    ("тхэ", "Thae"),
    ("ён", "Yong"),
    ("ен", "Yong"),
    ("мён", "Myong"),
    ("хёк", "Hyok"),
    ("хи", "Hui"),
    ("чхоль", "Chol"),
    ("чжонъын", "Jongun"),
    ("пхёнгук", "Phyongguk"),
    ("хочжин", "Hojin"),
]
# Different Korean syllables that Cyrillic writes apart: they must stay apart.
APART = [("ын", "Won"), ("чо", "Choe"), ("хун", "Hong"), ("суын", "Song"), ("ким", "Kum"), ("ён", "Yang")]


def _latin_coarse(latin: str) -> str:
    return korean_cyrillic.coarse_key(korean.korean_key(latin.lower()))


@pytest.mark.parametrize(("cyrillic", "latin"), SAME)
def test_cyrillic_and_latin_spellings_share_the_coarse_key(cyrillic: str, latin: str) -> None:
    assert korean_cyrillic.cyrillic_key(cyrillic) == _latin_coarse(latin)


@pytest.mark.parametrize(("cyrillic", "latin"), APART)
def test_other_syllables_keep_other_keys(cyrillic: str, latin: str) -> None:
    assert korean_cyrillic.cyrillic_key(cyrillic) != _latin_coarse(latin)


@pytest.mark.parametrize("latin", sorted({latin for _c, latin in SAME + APART}))
def test_the_coarse_key_is_idempotent(latin: str) -> None:
    key = _latin_coarse(latin)
    assert korean_cyrillic.coarse_key(key) == key


def test_syllables_split_korean_words_and_refuse_russian_ones() -> None:
    assert korean_cyrillic.syllables("ким") == 1
    assert korean_cyrillic.syllables("чжонъын") == 2
    assert korean_cyrillic.syllables("пхёнгук") == 2
    assert korean_cyrillic.syllables("александр") == 0  # кс, др: no Korean syllable
    assert korean_cyrillic.syllables("иванович") == 0
    assert korean_cyrillic.syllables("") == 0


def test_a_name_is_read_as_korean_only_when_it_is_written_as_one() -> None:
    surnames = frozenset({"kim", "jwo", "pak", "i"})
    assert korean_cyrillic.reads_as_korean(["ким", "чен", "ын"], surnames)
    assert korean_cyrillic.reads_as_korean(["чхве", "рён", "хэ"], surnames)
    assert not korean_cyrillic.reads_as_korean(["ким", "александр", "иванович"], surnames)
    assert not korean_cyrillic.reads_as_korean(["иван", "петров"], surnames)  # not a Korean surname first
    assert not korean_cyrillic.reads_as_korean(["ким", "чен", "ын", "хо", "су"], surnames)  # too long


def test_tokens_of_a_korean_name_in_cyrillic_carry_the_coarse_key() -> None:
    toks = analyze("Ким Чен Ын", "person")
    assert [t.kkey for t in toks] == ["kim", "jon", "un"]
    assert [t.tag for t in toks] == ["family", "given", "given"]
    assert all(t.script == "Cyrillic" for t in toks)
    # a Russian name with a Korean surname stays Russian (no Korean keys)
    assert not any(t.kkey for t in analyze("Ким Александр Иванович", "person"))
    # Вон (원) is a name here, not the German particle "von"
    assert [t.tag for t in analyze("Чо Ён Вон", "person")] == ["family", "given", "given"]


def test_the_table_is_checked_against_its_schema() -> None:
    base = resources.files("corridor.names").joinpath("data")
    schema = json.loads(base.joinpath("korean_cyrillic.schema.json").read_text("utf-8"))
    good = korean_cyrillic.data()
    jsonschema.validate(good, schema)
    bad = copy.deepcopy(good)
    bad["letters"]["q"] = "k"  # a Latin key: not a Cyrillic sequence
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def _person(ident: str, *names: str, **fields: Any) -> Entity:
    src, ref = ident.split(":", 1)
    built = [make_name(n, NameKind.PRIMARY if i == 0 else NameKind.ALIAS) for i, n in enumerate(names)]
    return Entity(
        id=ident, source=src, schema="Person", names=[n for n in built if n], list_ref=ref, **fields
    )


@pytest.fixture(scope="module")
def screener() -> Screener:
    entities = [
        _person("ofac:1", "KIM Jong Un"),
        _person("un:2", "CHOE RYONG HAE"),
        _person("un:3", "JO YONG-WON"),
        _person("ofac:4", "KIM Won Hong"),
        _person("ofac:5", "KANG Phyong Guk"),
        _person("un:6", "CHOE SONG IL"),
        _person("uk:7", "KIM Yong Chol"),
        _person("uk:8", "PAK Pong Ju"),
    ] + [_person(f"x:{i}", name) for i, name in enumerate(["Ivan Petrov", "Sergei Kim", "Anna Lee"])]
    return Screener.from_entities(entities)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Ким Чен Ын", "ofac:1"),
        ("Ким Чжонъын", "ofac:1"),
        ("Чхве Рён Хэ", "un:2"),
        ("Цой Рён Хэ", "un:2"),
        ("Чо Ён Вон", "un:3"),
        ("Кан Пхёнгук", "ofac:5"),
        ("Ким Ен Чоль", "uk:7"),
        ("Пак Пон Джу", "uk:8"),
    ],
)
def test_a_korean_name_in_cyrillic_finds_the_latin_listing(
    screener: Screener, query: str, expected: str
) -> None:
    hits = screener.screen(Query(query, schema="Person"))
    assert hits and hits[0].entity_id == expected, [(h.entity_id, h.score) for h in hits]
    assert "korean-cyrillic" in hits[0].explanation.summary


@pytest.mark.parametrize("query", ["Ким Хун Ын", "Ким Су Ын", "Чо Ён Чхоль", "Пак Пон Су"])
def test_another_syllable_in_cyrillic_is_another_person(screener: Screener, query: str) -> None:
    hits = screener.screen(Query(query, schema="Person"))
    assert not hits, [(h.entity_id, h.score, h.explanation.summary) for h in hits]


@pytest.mark.parametrize("query", ["Ким Чен Ын", "Чхве Рён Хэ", "Ким Хун Ын", "Кан Пхёнгук", "Ким Ен Чоль"])
def test_cyrillic_korean_results_do_not_depend_on_the_threshold(screener: Screener, query: str) -> None:
    q = Query(query, schema="Person")
    official = [(h.entity_id, h.score) for h in screener.screen(q)]
    everything = [(h.entity_id, h.score) for h in screener.screen(q, threshold=0.0)]
    assert official == [hit for hit in everything if hit[1] >= DEFAULT_THRESHOLD]


def test_a_latin_query_finds_a_name_listed_only_in_cyrillic() -> None:
    entities = [_person("x:1", "Ким Чен Ын"), _person("x:2", "Иван Петров")]
    found = Screener.from_entities(entities).screen(Query("Kim Jong Un", schema="Person"))
    assert [h.entity_id for h in found] == ["x:1"]


@pytest.mark.parametrize("schema", ["LegalEntity", "Thing"])
def test_a_korean_name_in_cyrillic_is_read_whatever_the_schema_asked(screener: Screener, schema: str) -> None:
    # a trade party is screened as a LegalEntity, an API query may give no schema
    hits = screener.screen(Query("Ким Чен Ын", schema=schema))
    assert hits and hits[0].entity_id == "ofac:1", [(h.entity_id, h.score) for h in hits]


def test_a_company_name_with_a_korean_surname_is_not_read_as_korean() -> None:
    # every word reads as Korean syllables (ООО too): the legal form says it is a company
    assert not any(t.kkey for t in analyze("Ким Пак ООО", "org"))


# --- the real lists ---------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("party", ["Чхве Сон Иль", "Чо Ён Вон", "Ким Ен Чхоль"])
def test_a_trade_check_with_a_listed_korean_party_in_cyrillic_cites_the_un(
    check_with_party: Callable[[str, str], Any], party: str
) -> None:
    """A UN-listed person written as a Russian customs declaration writes him
    (CHOE SONG IL, JO YONG WON, KIM YONG CHOL) must not pass. RULES.md:
    "| UN-1718-8d | 8(d) | Asset freeze on designated persons/entities (later
    extended, e.g. 2270 para 32) | SVC | — | prohibited | **V** | [S13] |"."""
    from corridor.trade.rules import Outcome

    verdict = check_with_party(party, "consignee")
    assert verdict.outcome is not Outcome.CLEAR
    screened = next(s for s in verdict.screening if s.name == party)
    assert any(h.entity_id.startswith("un:") for h in screened.hits), [h.entity_id for h in screened.hits]
