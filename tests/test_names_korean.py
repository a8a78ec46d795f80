"""Korean romanization: Hangul decomposition, MR/RR/DPRK spellings, the Korean key."""

from __future__ import annotations

import pytest

from corridor.names import korean


def test_decompose_is_the_unicode_arithmetic() -> None:
    # 김 = U+AE40: (0xAE40 - 0xAC00) = 576 = 0 * 588 + 20 * 28 + 16 → ㄱ, ㅣ, ㅁ
    assert korean.decompose("김") == (0, 20, 16)
    assert korean.decompose("가") == (0, 0, 0)
    assert korean.decompose("힣") == (18, 20, 27)
    with pytest.raises(ValueError):
        korean.decompose("A")


def test_romanization_schemes() -> None:
    assert korean.romanize_mr("최룡해") == "ch'oeryonghae"
    assert korean.romanize_mr("정은") == "chŏngŭn"
    assert korean.romanize_mr("정은", ascii_only=True) == "chongun"
    assert korean.romanize_rr("최룡해") == "choeryonghae"
    assert korean.romanize_rr("정은") == "jeongeun"
    assert korean.romanize_dprk("김정은") == "kimjongun"
    assert korean.romanize_mr("시") == "shi"


def test_romanizations_of_a_full_name() -> None:
    spellings = korean.romanizations("최룡해")
    assert "Ch'oe Ryong-hae" in spellings
    assert "Choe Ryong Hae" in spellings
    kim = korean.romanizations("김정은")
    assert "Kim Jong Un" in kim and "Kim Chŏng-ŭn" in kim and "Gim Jeong-eun" in kim


def test_surname_segmentation() -> None:
    assert korean.segment_hangul_name("김정은") == ["김", "정은"]
    assert korean.segment_hangul_name("최룡해") == ["최", "룡해"]
    assert korean.segment_hangul_name("남궁민") == ["남궁", "민"]
    assert korean.segment_hangul_name("황보영철") == ["황보", "영철"]
    assert korean.segment_hangul_name("김") == ["김"]  # a lone syllable is not split


@pytest.mark.parametrize(
    "spellings",
    [
        ("ri", "rhee", "lee", "yi", "i", "li"),
        ("pak", "park", "bak"),
        ("kim", "gim"),
        ("chol", "cheol"),
        ("jong", "chong", "jeong", "cheong"),
        ("un", "eun"),
        ("o", "oh"),
        ("kwang", "gwang"),
        ("hyok", "hyeok"),
        ("song", "seong"),
        ("yong", "young", "yeong"),
        ("chang", "jang"),
        ("kum", "geum", "keum"),
        ("choe", "choi"),
    ],
)
def test_spellings_of_one_syllable_share_a_key(spellings: tuple[str, ...]) -> None:
    assert len({korean.korean_key(s) for s in spellings}) == 1


def test_loose_key_merges_o_and_u() -> None:
    assert korean.korean_key("chul") != korean.korean_key("chol")
    assert korean.korean_loose_key("chul") == korean.korean_loose_key("chol")
    assert korean.korean_loose_key("hyuk") == korean.korean_loose_key("hyok")
    assert korean.korean_loose_key("sung") == korean.korean_loose_key("song")


def test_different_syllables_keep_different_keys() -> None:
    assert korean.korean_key("jong") != korean.korean_key("yong")
    assert korean.korean_key("nam") != korean.korean_key("un")
    assert korean.korean_key("nam") != korean.korean_key("nan")
    assert korean.korean_loose_key("jang") != korean.korean_loose_key("jong")


def test_hangul_meets_its_romanizations_on_the_key() -> None:
    assert korean.hangul_key("김정은") == korean.korean_key("kimjongun")
    assert korean.hangul_key("정은") == korean.korean_key("jeongeun")
    assert korean.hangul_key("룡해") == korean.korean_key("ryonghae")


def test_run_together_latin_is_segmented() -> None:
    assert korean.segment_latin("kimjongun") == ("kim", "jong", "un")
    assert korean.segment_latin("rijongho") == ("ri", "jong", "ho")
    assert korean.segment_latin("yongchol") == ("yong", "chol")
    assert korean.segment_latin("prigozhin") is None
    assert not korean.is_korean_like("smith")
    assert korean.is_korean_like("ryonghae")


def test_dprk_aspirates_and_the_initial_sound_law() -> None:
    # DPRK 1992 system as on the lists: kh/th/ph for ㅋ/ㅌ/ㅍ (Kyong Thaek, Phyong Guk)
    assert korean.romanize_dprk("정경택") == "jongkyongthaek"
    assert korean.korean_key("thaek") == korean.korean_key("taek")
    assert korean.korean_key("phyong") == korean.korean_key("pyeong")
    # North Korean Ri/Ryu/Ryong/Rim/Ro are South Korean I/Yu/Yong/Im/No
    for north, south in (
        ("ri", "lee"),
        ("ryu", "yoo"),
        ("ryong", "yong"),
        ("rim", "lim"),
        ("ro", "no"),
        ("ryun", "yun"),
    ):
        assert korean.korean_key(north) == korean.korean_key(south), (north, south)
    assert korean.korean_key("nam") != korean.korean_key("am")  # only ㄹ before a/o/u/e becomes ㄴ
