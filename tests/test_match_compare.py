"""compare(): the name score and its part-by-part explanation."""

from __future__ import annotations

import pytest

from corridor.match import DEFAULT_THRESHOLD, QueryError, compare


def _methods(name1: str, name2: str, schema: str = "Person") -> dict[str, str]:
    result = compare(name1, name2, schema)
    return {p.query_part: p.method for p in result.explanation.name.parts if p.query_part}


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("김정은", "Kim Jong Un"),
        ("Kim Chong-un", "KIM Jong Un"),
        ("Kimjongun", "Kim Jong Un"),
        ("KIM Jong-Un", "Jong Un KIM"),
        ("Ch'oe Ryong-hae", "Choe Ryong Hae"),
        ("최룡해", "Ch'oe Ryong-hae"),
        ("최룡해", "Choe Ryong Hae"),
        ("Ri Yong Ho", "Lee Young Ho"),
        ("Pak Chol", "Park Cheol"),
        ("Yong-chol Kim", "KIM Yongchol"),
        ("Evgeniy Prigozhin", "Yevgeniy Viktorovich PRIGOZHIN"),
        ("Yevgeny Prigozhin", "Yevgeniy Viktorovich PRIGOZHIN"),
        ("Евгений Пригожин", "Yevgeniy Viktorovich PRIGOZHIN"),
        ("Jewgeni Prigoschin", "Yevgeniy Viktorovich PRIGOZHIN"),
        ("Evgueni Prigojine", "Yevgeniy Viktorovich PRIGOZHIN"),
        ("PRIGOZHIN, Yevgeniy Viktorovich", "Yevgeniy Viktorovich PRIGOZHIN"),
        ("Vladimir Poutine", "PUTIN, Vladimir Vladimirovich"),
        ("Prigozhinn Yevgeniy", "Yevgeniy Viktorovich PRIGOZHIN"),  # typo
        ("정경택", "Kyong Thaek JONG"),
        ("강 평국", "Phyong Guk KANG"),
        ("Cheol Ryun", "Yun CHOL"),
        ("김일수", "Il-Su KIM"),
        ("Osama Zawiya", "Osama ZAWIYAH"),
        ("Iavn Mikhaylovich MUSATOV", "Ivan Mikhaylovich MUSATOV"),
        ("Irin aKOZHENKOVA", "Irina KOZHENKOVA"),
    ],
)
def test_same_person_scores_above_threshold(query: str, listed: str) -> None:
    assert compare(query, listed).score >= DEFAULT_THRESHOLD + 0.05


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Kim Jong Nam", "Kim Jong Un"),
        ("Kim Yong Su", "Kim Yong Chol"),
        ("George Habbash", "George Bush"),
        ("Kim Jong Un", "Kim Yong Un"),
        ("Kim Jong Nam", "Kim Jong Nan"),
        ("Kim Jong Un", "Choe Un Jong"),
        ("Ivanov Sergey", "Ivanov Andrey"),
        ("Kim", "Kim Jong Un"),
        ("김철남", "Chol Sam KIM"),  # 철남 is not Chol Sam, however close the letters
        ("조경철", "JO YONG CHOL"),
        ("리송진", "Dongjin LEE"),
    ],
)
def test_different_people_score_below_threshold(query: str, listed: str) -> None:
    assert compare(query, listed).score < DEFAULT_THRESHOLD - 0.1


def test_kim_jong_nam_is_clearly_not_kim_jong_un() -> None:
    result = compare("Kim Jong Nam", "Kim Jong Un")
    assert result.score < 0.6
    missing = {(p.query_part, p.listed_part) for p in result.explanation.name.parts if p.method == "missing"}
    assert missing == {("nam", ""), ("", "un")}


def test_methods_in_the_explanation() -> None:
    assert _methods("김정은", "Kim Jong Un") == {"김": "korean-romanization", "정은": "korean-romanization"}
    assert _methods("Kim Chong-un", "Kim Jong Un")["chong"] == "korean-romanization"
    assert _methods("Евгений Пригожин", "Yevgeniy PRIGOZHIN") == {
        "евгений": "cyrillic-translit",
        "пригожин": "cyrillic-translit",
    }
    assert _methods("Jewgeni Prigoschin", "Yevgeniy PRIGOZHIN")["prigoschin"] == "cyrillic-translit"
    assert _methods("Kimjongun", "Kim Jong Un")["kimjongun"] == "run-together"
    assert _methods("Prigozhinn", "Prigozhyn")["prigozhinn"] in ("fuzzy", "cyrillic-translit")
    assert _methods("J Smith", "John Smith")["j"] == "initial"
    assert _methods("Alis LLC", "LIMITED LIABILITY COMPANY ALIS", "Company") == {
        "alis": "exact",
        "llc": "legal-form",
    }


def test_patronymic_is_optional_but_gender_forms_cost_a_little() -> None:
    full = compare("Yevgeniy Viktorovich Prigozhin", "Yevgeniy Viktorovich PRIGOZHIN").score
    without = compare("Yevgeniy Prigozhin", "Yevgeniy Viktorovich PRIGOZHIN").score
    assert full == 1.0 and 0.9 <= without < full
    male = compare("Anna Ivanov", "Anna Ivanova")
    assert DEFAULT_THRESHOLD < male.score < 1.0
    assert "gender-form" in {p.method for p in male.explanation.name.parts}


def test_order_insensitive_up_to_rotation() -> None:
    assert compare("Kim Yong Su", "Yong Su Kim").score == 1.0
    swapped = compare("Kim Yong Su", "Kim Su Yong").score  # another given name, same syllables
    assert swapped < 1.0


def test_company_legal_forms() -> None:
    assert compare("ООО Алис", "LIMITED LIABILITY COMPANY ALIS", "Company").score == 1.0
    assert compare("Alis LLC", "LIMITED LIABILITY COMPANY ALIS", "Company").score == 1.0
    other_class = compare("Alis JSC", "LIMITED LIABILITY COMPANY ALIS", "Company").score
    assert DEFAULT_THRESHOLD < other_class < 1.0  # the legal form class differs: noted, costs little
    assert compare("Alis Trading LLC", "Boris Trading LLC", "Company").score < DEFAULT_THRESHOLD
    assert compare("Gamma FGUP", "Federal State Unitary Enterprise Gamma", "Organization").score == 1.0
    assert (
        compare(
            "Tara Steel Trading Gesellschaft mit beschraenkter Haftung", "TARA STEEL TRADING GMBH", "Company"
        ).score
        == 1.0
    )


def test_score_range_and_summary() -> None:
    result = compare("Kim Jong Un", "KIM Jong Un")
    assert result.score == 1.0
    assert "KIM Jong Un" in result.explanation.summary
    assert 0.0 <= compare("Zzyzx", "Kim Jong Un").score <= 0.01
    data = result.explanation.to_dict()
    assert data["name"]["matched_name"] == "KIM Jong Un" and len(data["name"]["parts"]) == 3


@pytest.mark.parametrize(
    ("name1", "name2", "schema", "field"),
    [
        ("", "Kim", "Person", "name1"),
        ("Kim", "   ", "Person", "name2"),
        ("\x00\x01\x02", "Kim", "Person", "name1"),
        ("Kim", "x" * 10_000, "Person", "name2"),
        ("Kim", "Kim", "Spaceship", "schema"),
    ],
)
def test_bad_input(name1: str, name2: str, schema: str, field: str) -> None:
    with pytest.raises(QueryError) as info:
        compare(name1, name2, schema)
    assert info.value.field == field
    assert str(info.value).startswith(field)


@pytest.mark.parametrize(
    ("spelled_out", "listed"),
    [
        ("Newton Trading Free Zone Establishment", "NEWTON TRADING FZE"),
        ("PHOTON PRO LIMITED LIABILITY PARTNERSHIP", "PHOTON PRO LLP"),
        ("Фотон Инк", "PHOTON INC"),
    ],
)
def test_spelled_out_legal_forms_match_their_abbreviations(spelled_out: str, listed: str) -> None:
    assert compare(spelled_out, listed, "Company").score >= DEFAULT_THRESHOLD
