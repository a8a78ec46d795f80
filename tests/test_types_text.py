"""Normalisation, legal forms and token analysis."""

from __future__ import annotations

from corridor.names.legal_forms import find_legal_forms, legal_form_class
from corridor.names.tokens import analyze, schema_kind
from corridor.types.text import normalize, strip_controls


def test_normalize_apostrophes_breves_hyphens() -> None:
    assert normalize("Ch'oe Ryong-hae") == "choe ryong hae"
    assert normalize("Ch’oe Ryong‐hae") == "choe ryong hae"
    assert normalize("KIM Chŏng-ŭn") == "kim chong un"
    assert normalize("Kim Chŏng-ŭn") == normalize("Kim Chong-un")
    assert normalize("  KIM,  Yong   Chol ") == "kim yong chol"
    assert normalize("ＫＩＭ") == "kim"  # full width (NFKC)
    assert normalize("Müller Straße") == "muller strasse"


def test_normalize_keeps_hangul_and_cyrillic() -> None:
    assert normalize("김정은") == "김정은"
    assert normalize("Пригожин Евгений") == "пригожин евгений"
    assert normalize("Алексей Йошкин") == "алексей йошкин"  # й not decomposed into и + breve
    assert normalize("!!! ---") == ""


def test_strip_controls() -> None:
    assert strip_controls("KIM\x00Jong\tUn") == "KIM Jong Un"
    assert strip_controls("plain") == "plain"


def test_legal_form_classes() -> None:
    for phrase in (
        "LLC",
        "Limited Liability Company",
        "OOO",
        "ООО",
        "Obshchestvo s Ogranichennoy Otvetstvennostyu",
    ):
        assert legal_form_class(phrase) == "llc", phrase
    assert legal_form_class("Общество с ограниченной ответственностью") == "llc"
    for phrase in (
        "JSC",
        "AO",
        "АО",
        "OAO",
        "ZAO",
        "PAO",
        "ПАО",
        "Public Joint Stock Company",
        "Joint Stock Company",
    ):
        assert legal_form_class(phrase) == "jsc", phrase
    for phrase in ("Co Ltd", "Company Limited", "Ltd", "Limited", "유한회사"):
        assert legal_form_class(phrase) == "ltd", phrase
    assert legal_form_class("주식회사") == "jsc"
    assert legal_form_class("Corporation") == "corp"
    assert legal_form_class("GmbH") == "gmbh"
    assert legal_form_class("Trading") is None  # a word of the name, not a legal form


def test_legal_forms_found_in_names() -> None:
    assert find_legal_forms(["limited", "liability", "company", "alis"], False) == [(0, 3, "llc")]
    assert find_legal_forms(["korea", "mining", "development", "trading", "corporation"], False) == [
        (4, 5, "corp")
    ]
    # ambiguous short forms only where the name is known to be an organisation
    assert find_legal_forms(["kim", "sa"], False) == []
    assert find_legal_forms(["envigh", "s", "de", "r", "l", "de", "c", "v"], False) == [(1, 8, "sa")]


def test_analyze_tags_and_forms() -> None:
    toks = analyze("Yevgeniy Viktorovich PRIGOZHIN", "person")
    assert [t.tag for t in toks] == ["given", "patronymic", "family"]
    toks = analyze("PRIGOZHIN, Yevgeniy", "person")
    assert [t.tag for t in toks] == ["family", "given"]
    toks = analyze("KIM Jong Un", "person")
    assert toks[0].tag == "family" and toks[0].weight < 1.0  # a common surname weighs little
    toks = analyze("김정은", "person")
    assert [t.text for t in toks] == ["kim", "jongun"]
    assert toks[1].ksyllables == 2 and toks[1].script == "Hangul"
    toks = analyze("ООО Алис", "org")
    assert [(t.text, t.tag, t.legal) for t in toks] == [("ooo", "legal_form", "llc"), ("alis", "name", "")]
    assert analyze("Limited", "org")[0].tag == "name"  # a name made only of a legal form keeps it
    assert analyze("", "person") == ()
    assert (
        schema_kind("Person") == "person"
        and schema_kind("Company") == "org"
        and schema_kind("Vessel") == "other"
    )


def test_other_scripts_use_icu() -> None:
    # a Chinese-script personal name: surname and given name (names.scripts.split_han),
    # read as Pinyin by ICU, its script kept for the explanation
    toks = analyze("金正恩", "person")
    assert [t.text for t in toks] == ["jin", "zhengen"]
    assert {t.script for t in toks} == {"Han"}


def test_hangul_legal_forms_are_not_split_as_surnames() -> None:
    # 주식회사 (stock company) starts with the syllable of the surname 주 (Ju)
    stock = analyze("주식회사 조선상사", "org")
    assert [(t.text, t.legal) for t in stock] == [("jusikhoesa", "jsc"), ("josonsangsa", "")]
    # (유) abbreviates 유한회사: a company, so 나루 is not the person Na Ru
    limited = analyze("(유) 나루", "org")
    assert [(t.text, t.legal) for t in limited] == [("yu", "ltd"), ("naru", "")]
    # without a legal form a short Hangul word may be a person (trade parties are
    # screened as LegalEntity): 김정은 still splits into surname and given name
    assert [t.text for t in analyze("김정은", "org")] == ["kim", "jongun"]
    assert [t.text for t in analyze("김정은", "person")] == ["kim", "jongun"]
    # 유 alone is the surname Yu outside organisation names
    assert [(t.text, t.legal) for t in analyze("유 나루", "person")] == [("yu", ""), ("na", ""), ("ru", "")]


def test_clear_caches_forgets_analysed_names() -> None:
    from corridor import names

    analyze("Trading Company Clear Caches", "org")
    assert analyze.cache_info().currsize > 0
    names.clear_caches()
    assert analyze.cache_info().currsize == 0
