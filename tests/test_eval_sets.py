"""The evaluation-set generators (bench/eval) do what docs/evaluation.md says.

These test the generators, not the screening engine: Korean re-spelling and
Hangul rendering, Cyrillic schemes, legal forms, cross-list links, and that
negatives are never listed names.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the bench package lives beside src/

from bench.eval import companies, korean, russian, translations, typos
from bench.eval.links import link
from bench.eval.sets import SEPARATE_KINDS, Builder, apply_holdout
from bench.eval.text import fold, levenshtein, skeleton_key

from corridor.model import DateSpec, Entity, Name, NameKind, make_name


def nm(full: str, kind: NameKind = NameKind.PRIMARY, given: str = "", family: str = "") -> Name:
    name = make_name(full, kind, given=given, family=family)
    assert name is not None
    return name


def person(
    entity_id: str, *names: str, dob: str = "", programs: tuple[str, ...] = (), **extra: object
) -> Entity:
    made = [nm(n, NameKind.PRIMARY if i == 0 else NameKind.ALIAS) for i, n in enumerate(names)]
    entity = Entity(id=entity_id, source=entity_id.split(":")[0], schema="Person", names=made)
    if dob:
        entity.birth_dates = [DateSpec(dob)]
    entity.programs = list(programs)
    for key, value in extra.items():
        setattr(entity, key, value)
    return entity


# --- Korean -------------------------------------------------------------------------


def test_respelling_ri_gives_lee_yi_forms() -> None:
    rng = random.Random(1)
    family_forms = {korean.respell(["ri", "chang", "ho"], rng, rate=0.0)[0] for _ in range(200)}
    assert {"lee", "yi", "rhee"} <= family_forms | {"ri"}
    assert family_forms <= {"ri", "lee", "yi", "rhee", "li", "i"}


def test_respelling_changes_at_least_one_syllable_and_keeps_the_sound() -> None:
    rng = random.Random(7)
    for _ in range(100):
        out = korean.respell(["kim", "yong", "chol"], rng)
        assert out != ["kim", "yong", "chol"]
        assert out[0] in ("kim", "gim")
        assert out[2] in ("chol", "cheol", "chul")


@pytest.mark.parametrize(
    ("name", "family", "given", "family_first"),
    [
        ("KIM JONG UN", "kim", ("jong", "un"), True),
        ("KIM, Jong Un", "kim", ("jong", "un"), True),
        ("Yong Chol Kim", "kim", ("yong", "chol"), False),
        ("Kyong Il KIM", "kim", ("kyong", "il"), False),
        ("Song-hyok RI", "ri", ("song", "hyok"), False),
        ("CH'OE SO’K MIN", "choe", ("sok", "min"), True),
        ("Kimjongun", "kim", ("jong", "un"), True),
    ],
)
def test_parse_korean_finds_the_family_name(
    name: str, family: str, given: tuple[str, ...], family_first: bool
) -> None:
    assert korean.parse_korean(name) == korean.KoreanName(family, given, family_first)


@pytest.mark.parametrize("name", ["LI Hezheng", "John Smith", "Sergey KOZLOV", "KIM"])
def test_parse_korean_rejects_other_names(name: str) -> None:
    assert korean.parse_korean(name) is None


def test_hangul_of_kim_jong_un() -> None:
    renderings = korean.to_hangul("Kim Jong Un")
    assert renderings[0] == "김정은"
    assert {"김종운", "김정운", "김종은"} <= set(renderings)


# The five Hangul names of the UK ConList 2025-04-14 with their Latin primary
# names (Group IDs 16815-16820, listed in the shared data's SOURCES.md).
UK_HANGUL = [
    ("KIM YONG BOK", "김영복"),
    ("NO KWANG CHOL", "노광철"),
    ("RI CHANG HO", "리창호"),
    ("RI SONG JIN", "리송진"),
    ("SIN KUM CHOL", "신금철"),
]


@pytest.mark.parametrize(("latin", "hangul"), UK_HANGUL)
def test_hangul_converter_reaches_the_real_uk_hangul_names(latin: str, hangul: str) -> None:
    assert hangul in korean.to_hangul(latin, limit=4)


def test_romanize_hangul_schemes() -> None:
    assert korean.romanize_hangul("김정은", "rr") == "Gim Jeong-eun"
    assert korean.romanize_hangul("김정은", "mr") == "Kim Chŏng-ŭn"
    assert korean.romanize_hangul("리창호", "popular") == "Lee Chang-ho"
    assert korean.romanize_hangul("김정은", "rr", "family_last") == "Jeong-eun Gim"


def test_hangul_keys_merge_north_and_south_forms() -> None:
    assert korean.hangul_keys("RI CHANG HO") & korean.hangul_keys("이창호")
    assert korean.hangul_keys("Lee Chang-ho") & korean.hangul_keys("리창호")
    assert not korean.hangul_keys("KIM JONG UN") & korean.hangul_keys("김정남")


def test_near_miss_changes_one_given_syllable_to_a_different_sound() -> None:
    original = korean.KoreanName("kim", ("yong", "chol"))
    pool = korean.given_syllable_pool()
    rng = random.Random(3)
    for _ in range(100):
        changed = korean.near_miss(original, rng, pool)
        assert changed is not None
        assert changed.family == "kim"
        differing = [(a, b) for a, b in zip(original.given, changed.given, strict=True) if a != b]
        assert len(differing) == 1
        old, new = differing[0]
        assert new not in {old, *korean.alternatives(old)}
    assert korean.near_miss(korean.KoreanName("kim", ("chol",)), rng, pool) is None


def test_variants_are_formatted_as_announced() -> None:
    assert korean.format_name("kim", ["yong", "chol"], "hyphen") == "Kim Yong-chol"
    assert korean.format_name("kim", ["yong", "chol"], "joined") == "Kim Yongchol"
    assert korean.format_name("kim", ["yong", "chol"], "family_last") == "Yong Chol Kim"
    assert korean.format_name("kim", ["yong", "chol"], "comma") == "KIM, Yong Chol"
    assert korean.format_name("kim", ["jong", "un"], "run_together") == "Kimjongun"


# --- Russian ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        ("bgn", "Yuriy Shcherbakov"),
        ("icao", "Iurii Shcherbakov"),
        ("german", "Juri Schtscherbakow"),
        ("french", "Iouri Chtcherbakov"),
    ],
)
def test_cyrillic_schemes(scheme: str, expected: str) -> None:
    assert russian.cyrillic_to_latin("Юрий Щербаков", scheme) == expected


def test_cyrillic_keeps_case_and_reads_ukrainian_letters() -> None:
    assert russian.cyrillic_to_latin("ЗАДАЧИН Андрей", "bgn") == "ZADACHIN Andrey"
    assert russian.cyrillic_to_latin("Євген Сергій", "icao") == "Yevgen Sergii"


def test_latin_to_cyrillic() -> None:
    assert russian.latin_to_cyrillic("Sergey Mikhaylovich KOZLOV") == "Сергей Михайлович КОЗЛОВ"
    assert russian.latin_to_cyrillic("Dmitriy Yuryevich") == "Дмитрий Юрьевич"
    assert russian.latin_to_cyrillic("Darya Nikolay Ryzhkov") == "Дарья Николай Рыжков"


def test_drop_patronymic() -> None:
    assert russian.drop_patronymic("Andrey Andreevich ZADACHIN") == "Andrey ZADACHIN"
    assert russian.drop_patronymic("Yelena Borisovna MIZULINA") == "Yelena MIZULINA"
    assert russian.drop_patronymic("Nikolay RYZHKOV") is None


# --- companies ------------------------------------------------------------------------


def test_legal_form_found_and_swapped_within_its_group() -> None:
    found = companies.find_form("LIMITED LIABILITY COMPANY VERUS")
    assert found == companies.FormMatch("llc", "LIMITED LIABILITY COMPANY", "VERUS", True)
    llc_forms = {fold(s) for s in companies.LEGAL_FORMS["llc"][0]} | {"ооо"}
    rng = random.Random(2)
    for _ in range(50):
        made = companies.form_variant("LIMITED LIABILITY COMPANY VERUS", rng)
        assert made is not None
        text, label = made
        assert label.startswith("llc/")
        core_removed = fold(text.replace('"', "")).replace("verus", "").replace("верус", "").strip()
        assert core_removed in llc_forms - {"limited liability company"}
    assert companies.find_form("FAR EASTERN BANK") is None
    assert companies.find_form("SHANGHAI XYZ CO., LTD.") == companies.FormMatch(
        "co_ltd", "CO., LTD.", "SHANGHAI XYZ", False
    )


# --- links and sets ---------------------------------------------------------------------


def _corpus() -> list[Entity]:
    un = person(
        "un:KPi.033",
        "RI WON HO",
        dob="1964-07-17",
        programs=("DPRK",),
        un_refs=["KPi.033"],
        nationalities=["kp"],
    )
    uk = person(
        "uk:13320",
        "RI WON HO",
        "Won Ho RI",
        dob="1964-07-17",
        programs=("Democratic People's Republic of Korea",),
    )
    uk.un_refs = ["KPi.033"]
    ofac_ru = person(
        "ofac:35000", "Sergey Mikhaylovich KOZLOV", dob="1970-01-02", programs=("RUSSIA-EO14024",)
    )
    uk_ru = person(
        "uk:15000",
        "Sergei Mikhailovich KOZLOV",
        "Сергей Михайлович Козлов",
        dob="1970-01-02",
        programs=("Russia",),
    )
    kim = person("ofac:20000", "KIM YONG CHOL", dob="1961-05-05", programs=("DPRK3",), nationalities=["kp"])
    company = Entity(id="ofac:47681", source="ofac-sdn", schema="Company", names=[nm("JSC SUEK")])
    vessel = Entity(id="ofac:17069", source="ofac-sdn", schema="Vessel", names=[nm("CHONG CHON GANG")])
    vessel.identifiers = []
    return [un, uk, ofac_ru, uk_ru, kim, company, vessel]


def test_links_by_un_reference_and_by_surname_and_birth_date() -> None:
    clusters = link(_corpus()).cluster_of()
    assert set(clusters["uk:13320"]) == {"uk:13320", "un:KPi.033"}
    assert set(clusters["uk:15000"]) == {"uk:15000", "ofac:35000"}
    assert "ofac:20000" not in clusters


def test_is_listed_catches_spellings_scripts_and_bare_company_names() -> None:
    builder = Builder(_corpus(), cap=5)
    assert builder.is_listed("김영철")  # Hangul of KIM YONG CHOL
    assert builder.is_listed("Kim Yeong-cheol")
    assert builder.is_listed("СУЭК")  # JSC SUEK without its legal form
    assert builder.is_listed("Sergei KOZLOV", person=True)  # first + family name of a listed person
    assert not builder.is_listed("Ivan Petrov", person=True)
    assert not builder.is_listed("김영희")


def test_sets_are_deterministic_labelled_and_negatives_are_not_listed() -> None:
    corpus = _corpus()
    first = Builder(corpus, seed=11, cap=5).build()
    second = Builder(corpus, seed=11, cap=5).build()
    assert [e.to_json() for e in first.examples] == [e.to_json() for e in second.examples]
    ids = {e.id for e in corpus}
    listed_folded = {fold(n.full) for e in corpus for n in e.names}
    listed_keys = {skeleton_key(n.full) for e in corpus for n in e.names}
    kinds = {e.kind for e in first.examples}
    assert {
        "cross_list",
        "korean_variant",
        "hangul",
        "cyrillic_real",
        "neg_person_ko",
        "neg_person_ru",
    } <= kinds
    for example in first.examples:
        if example.kind.startswith(("neg_", "near_miss")):
            assert example.expected is None
            assert fold(example.query["name"]) not in listed_folded
            assert skeleton_key(example.query["name"]) not in listed_keys
            assert not korean.hangul_keys(example.query["name"]) & korean.hangul_keys("KIM YONG CHOL")
        elif example.kind in SEPARATE_KINDS:
            assert example.expected is None and example.against in ids
        else:
            assert example.expected in ids
    hangul = [e for e in first.examples if e.kind == "hangul"]
    assert hangul and all(e.expected == "ofac:20000" or e.expected in ids for e in hangul)
    assert any(e.query["name"].replace(" ", "") in korean.to_hangul("KIM YONG CHOL") for e in hangul)


def test_real_cyrillic_names_are_held_out_of_the_index() -> None:
    evalset = Builder(_corpus(), cap=5).build()
    cyrillic = [e for e in evalset.examples if e.kind == "cyrillic_real"]
    assert [e.query["name"] for e in cyrillic][:1] == ["Сергей Михайлович Козлов"]
    assert {e.expected for e in cyrillic} == {"uk:15000", "ofac:35000"}
    assert evalset.holdout == {"uk:15000": ["Cyrillic"]}
    indexed = {e.id: e for e in apply_holdout(_corpus(), evalset.holdout)}
    assert [n.full for n in indexed["uk:15000"].names] == ["Sergei Mikhailovich KOZLOV"]


def test_dob_mismatch_moves_the_birth_date_20_to_35_years() -> None:
    evalset = Builder(_corpus(), cap=10).build()
    mismatches = [e for e in evalset.examples if e.kind == "dob_mismatch"]
    assert mismatches
    by_id = {e.id: e for e in _corpus()}
    for example in mismatches:
        listed_year = int(by_id[example.against].birth_dates[0].start[:4])
        assert 20 <= abs(int(example.query["birth_date"][:4]) - listed_year) <= 35
        assert example.expected is None


def test_surname_and_birth_date_do_not_link_contradicting_patronymics() -> None:
    uk = person("uk:14964", "Sergey Pavlovich IVANOV", dob="1952-04-19")
    uk.names[0] = nm("Sergey Pavlovich IVANOV", given="Sergey Pavlovich", family="IVANOV")
    ofac = person("ofac:36799", "Sergey Borisovich IVANOV", dob="1952-04-19")
    ofac.names[0] = nm("Sergey Borisovich IVANOV", given="Sergey Borisovich", family="IVANOV")
    assert link([uk, ofac]).cluster_of() == {}
    ofac.names[0] = nm("Sergei Pavlovich IVANOV", given="Sergei Pavlovich", family="IVANOV")
    assert set(link([uk, ofac]).cluster_of()["uk:14964"]) == {"uk:14964", "ofac:36799"}


# --- typos --------------------------------------------------------------------------


def test_keyboard_neighbours_are_the_keys_around() -> None:
    assert set("wsa") <= set(typos.NEIGHBOURS["q"]) and "p" not in typos.NEIGHBOURS["q"]
    assert set("hkunm") <= set(typos.NEIGHBOURS["j"]) and "g" not in typos.NEIGHBOURS["j"]
    assert "ц" in typos.NEIGHBOURS["й"] and "ы" in typos.NEIGHBOURS["й"]


@pytest.mark.parametrize("count", [1, 2])
def test_typos_are_one_or_two_edits_off_the_first_letters(count: int) -> None:
    rng = random.Random(5)
    name = "Yevgeniy Viktorovich PRIGOZHIN"
    kinds: set[str] = set()
    for _ in range(200):
        made = typos.with_typos(name, count, rng)
        assert made is not None
        text, note = made
        assert text != name
        # every word keeps its first letter; the edit distance is at most `count`
        # (a transposition is two plain edits)
        assert [w[0] for w in text.split()] == [w[0] for w in name.split()]
        assert levenshtein(text, name) <= 2 * count
        assert len(note.split("+")) == count
        kinds.update(note.split("+"))
    assert kinds == set(typos.KINDS)


def test_typos_skip_short_words_and_honour_reject() -> None:
    rng = random.Random(1)
    assert typos.with_typos("KIM IL", 1, rng) is None
    for _ in range(50):
        made = typos.with_typos("Kim Yong-Chol", 1, rng)
        assert made is not None and made[0].startswith("Kim ")
    assert typos.with_typos("Kim Yong-Chol", 1, rng, reject=lambda text: True) is None


def test_korean_typo_examples_never_make_another_valid_syllable() -> None:
    corpus = _corpus()
    built = Builder(corpus, seed=3, cap=20).build()
    typo_examples = [e for e in built.examples if e.kind.startswith("typo")]
    assert typo_examples
    for example in typo_examples:
        assert example.expected is not None
        entity = next(e for e in corpus if e.id == example.expected)
        listed = {fold(n.full) for n in entity.names}
        assert fold(example.query["name"]) not in listed
        if example.kind.endswith("_ko"):
            changed = [
                w for w in fold(example.query["name"]).split() if all(w not in n.split() for n in listed)
            ]
            assert changed and all(korean.segment(w) is None for w in changed)


def test_two_typos_hit_two_words_unless_a_word_is_long() -> None:
    rng = random.Random(9)
    assert typos.with_typos("TIFON", 2, rng) is None  # one short word: no room for two slips
    assert typos.with_typos("SIN KUM CHOL", 2, rng) is None  # only CHOL has 4+ letters
    for _ in range(100):
        made = typos.with_typos("Kim Yong-Chol", 2, rng)
        assert made is not None
        given, family = made[0].split("-")
        assert given != "Kim Yong" and family != "Chol"
    assert typos.with_typos("PRIGOZHIN", 2, rng) is not None  # a long word takes two


# --- translated organisation names (translations.py) ---------------------------------


def test_korean_translation_of_a_dprk_organisation_name() -> None:
    rng = random.Random(3)
    written = {translations.to_korean("KOREA MINING DEVELOPMENT TRADING CORPORATION", rng) for _ in range(20)}
    assert {w.replace(" ", "") for w in written if w} == {"조선광업개발무역회사"}
    # Ministry of X: the head goes last in Korean
    assert (translations.to_korean("Ministry of Atomic Energy Industry", rng) or "").replace(
        " ", ""
    ) == "원자력공업성"
    # a word neither in the table nor Korean: no translation
    assert translations.to_korean("Bank of East Land", rng) is None


def test_russian_translation_agrees_and_puts_the_name_last() -> None:
    rng = random.Random(5)
    written = translations.to_russian("TANCHON COMMERCIAL BANK", rng) or ""
    assert written.startswith("Коммерческий банк ")
    assert (translations.to_russian("Korea Mining Development Trading Corporation", rng) or "") == (
        "Корейская торговая корпорация по развитию горнодобывающей промышленности"
    )
    assert translations.to_russian("Second Economic Committee", rng) is None  # "second": not in the table
