"""Russian names: transliteration schemes, the Russian phonetic key, patronymics."""

from __future__ import annotations

import pytest

from corridor.names import cyrillic


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        ("bgn", "yevgeniy viktorovich prigozhin"),
        ("icao", "evgenii viktorovich prigozhin"),
        ("iso9", "evgenij viktorovič prigožin"),
        ("gost_b", "evgenij viktorovich prigozhin"),
        ("french", "evgueni viktorovitch prigojine"),
        ("german", "jewgeni wiktorowitsch prigoschin"),
    ],
)
def test_schemes(scheme: str, expected: str) -> None:
    assert cyrillic.transliterate("Евгений Викторович Пригожин", scheme) == expected


def test_scheme_details() -> None:
    assert cyrillic.transliterate("Юрий", "french") == "iouri"
    assert cyrillic.transliterate("Чернов", "french") == "tchernov"
    assert cyrillic.transliterate("Чернов", "german") == "tschernow"
    assert cyrillic.transliterate("Щукин", "bgn") == "shchukin"
    assert cyrillic.transliterate("Хрущёв", "bgn") == "khrushchyov"
    assert cyrillic.transliterate("Наталья", "icao") == "natalia"
    assert cyrillic.transliterate("Kim", "bgn") == "Kim"  # non-Cyrillic kept
    with pytest.raises(ValueError):
        cyrillic.transliterate("Иван", "klingon")


@pytest.mark.parametrize(
    "spellings",
    [
        ("Евгений", "yevgeniy", "evgeniy", "evgenii", "evgenij", "evgeny", "jewgeni", "evgueni"),
        ("Пригожин", "prigozhin", "prigoschin", "prigojine"),
        ("Юрий", "yuriy", "yuri", "iouri", "juri", "jurij", "yurii"),
        ("Сергей", "sergey", "sergei", "sergej"),
        ("Соловьёв", "solovyov", "solovyev", "soloviev", "solovjev", "solowjow"),
        ("Наталья", "natalya", "natalia", "natalja", "nataliya"),
        ("Чернов", "chernov", "tchernov", "tschernow"),
        ("Михаил", "mikhail", "michail"),
    ],
)
def test_spellings_share_a_russian_key(spellings: tuple[str, ...]) -> None:
    cyrillic_key = cyrillic.russian_keys(spellings[0].lower())
    assert len(cyrillic_key) == 1
    for latin in spellings[1:]:
        assert cyrillic_key[0] in cyrillic.russian_keys(latin), latin


def test_different_names_keep_different_keys() -> None:
    assert cyrillic.russian_key("ivanov") != cyrillic.russian_key("ivanenko")
    assert cyrillic.russian_key("petrov") != cyrillic.russian_key("sidorov")


def test_patronymics() -> None:
    for token in (
        "viktorovich",
        "викторович",
        "viktorovitch",
        "viktorowitsch",
        "ivanovna",
        "ильинична",
        "nikolayevich",
    ):
        assert cyrillic.is_patronymic(token), token
    for token in ("ivanov", "prigozhin", "viktor", "ivanova"):
        assert not cyrillic.is_patronymic(token), token


def test_feminine_surnames_share_a_stem() -> None:
    key = cyrillic.russian_key
    assert cyrillic.surname_stem(key("ivanova")) == cyrillic.surname_stem(key("ivanov"))
    assert cyrillic.surname_stem(key("petrovskaya")) == cyrillic.surname_stem(key("petrovskiy"))
    assert cyrillic.surname_stem(key("петровская")) == cyrillic.surname_stem(key("petrovsky"))
    assert cyrillic.surname_stem(key("fomina")) == cyrillic.surname_stem(key("fomin"))
    assert cyrillic.surname_stem(key("ivanova")) != cyrillic.surname_stem(key("petrov"))
