"""Korean names for the evaluation sets: spelling variants, Hangul renderings,
romanization of Hangul, and a loose identity key.

Sanctions lists write North Korean names in a DPRK-flavoured McCune–Reischauer
without diacritics ("RI CHANG HO", "CH'OE SO'K MIN", "KIM JONG UN"); banks,
ships' papers and press use Revised Romanization ("Kim Jeong-eun"), popular
spellings ("Lee", "Park", "Choi"), real MR with breves ("Kim Chŏng-ŭn") or
Hangul (김정은).  The tables below map each romanized syllable to the other
spellings of the same sound and to its usual Hangul; a Latin name is read
syllable by syllable (splitting run-together tokens like "Yongchol").

These tables are written independently of `corridor.names` on purpose: the
evaluation must not grade the engine against its own tables.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bench.eval.text import fold, levenshtein

# (spellings, hangul): first spelling = the DPRK/MR-without-marks form lists use;
# first Hangul = the default rendering.  A spelling may sit in several classes
# (a romanized syllable is ambiguous); its Hangul candidates are then the union
# in this order, so order matters: "chang" -> 창 before 장, "jang" -> 장 only.
SYLLABLE_CLASSES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("kim", "gim"), ("김",)),
    (("ri", "lee", "yi", "rhee", "li", "i"), ("리", "이")),
    (("pak", "park", "bak"), ("박",)),
    (("choe", "choi", "chwe", "choy"), ("최",)),
    (("jong", "chong", "jeong", "chung", "jung", "cheong"), ("정", "종")),
    (("un", "eun"), ("은", "운")),
    (("chol", "cheol", "chul"), ("철",)),
    (("kwang", "gwang"), ("광",)),
    (("hyok", "hyeok", "hyuk"), ("혁",)),
    (("yong", "young", "yeong"), ("영", "용")),
    (("ryong", "ryeong", "lyong"), ("룡",)),
    (("song", "seong", "sung"), ("성", "송")),
    (("seung", "sung"), ("승",)),
    (("su", "soo"), ("수",)),
    (("ho",), ("호",)),
    (("ho", "heo"), ("허",)),
    (("chang",), ("창",)),
    (("jang", "chang"), ("장",)),
    (("myong", "myeong", "myung"), ("명",)),
    (("nam",), ("남",)),
    (("il",), ("일",)),
    (("chun", "choon"), ("춘",)),
    (("jun", "chun", "joon"), ("준",)),
    (("kyong", "kyeong", "gyeong", "kyung", "gyong"), ("경",)),
    (("mun", "moon"), ("문",)),
    (("tong", "dong"), ("동",)),
    (("jin", "chin"), ("진",)),
    (("sok", "seok", "suk"), ("석",)),
    (("suk", "sook"), ("숙",)),
    (("son", "sohn"), ("손",)),
    (("son", "seon", "sun"), ("선",)),
    (("sun", "soon"), ("순",)),
    (("min",), ("민",)),
    (("cho", "jo"), ("조",)),
    (("kang", "gang"), ("강",)),
    (("sik", "shik"), ("식",)),
    (("won", "weon"), ("원",)),
    (("man",), ("만",)),
    (("han",), ("한",)),
    (("pyong", "byong", "byeong", "byung"), ("병",)),
    (("pyong", "phyong", "pyeong"), ("평",)),
    (("hong",), ("홍",)),
    (("yun", "yoon"), ("윤",)),
    (("hyon", "hyeon", "hyun"), ("현",)),
    (("jon", "chon", "jeon", "jun"), ("전",)),
    (("chon", "cheon", "chun"), ("천",)),
    (("ko", "go", "koh"), ("고",)),
    (("hwan",), ("환",)),
    (("mu", "moo"), ("무",)),
    (("paek", "baek", "paik"), ("백",)),
    (("yu", "yoo"), ("유",)),
    (("ryu", "yu", "yoo", "ryoo"), ("류",)),
    (("sang",), ("상",)),
    (("kyu", "gyu"), ("규",)),
    (("sam",), ("삼",)),
    (("se",), ("세",)),
    (("so", "seo", "suh"), ("서", "소")),
    (("ha",), ("하",)),
    (("hwang",), ("황",)),
    (("kuk", "guk", "gook", "kook"), ("국",)),
    (("hak",), ("학",)),
    (("hun", "hoon"), ("훈",)),
    (("uk", "ook", "wook"), ("욱",)),
    (("pong", "bong"), ("봉",)),
    (("sop", "seop"), ("섭",)),
    (("o", "oh"), ("오",)),
    (("chae", "chai"), ("채",)),
    (("jae", "chae"), ("재",)),
    (("gon", "kon", "geon", "keon"), ("건",)),
    (("ku", "gu", "koo"), ("구",)),
    (("pae", "bae"), ("배",)),
    (("ra",), ("라",)),
    (("na", "ra"), ("나",)),
    (("sin", "shin"), ("신",)),
    (("hwa",), ("화",)),
    (("kil", "gil"), ("길",)),
    (("ok",), ("옥",)),
    (("hyong", "hyeong", "hyung"), ("형",)),
    (("bok", "pok"), ("복",)),
    (("ju", "joo", "chu"), ("주",)),
    (("chu", "choo"), ("추",)),
    (("ung", "eung"), ("응",)),
    (("to", "do"), ("도",)),
    (("san",), ("산",)),
    (("chan",), ("찬",)),
    (("hung", "heung"), ("흥",)),
    (("kum", "geum", "keum", "gum"), ("금",)),
    (("hwi",), ("휘",)),
    (("pom", "bom", "beom"), ("범",)),
    (("ji", "chi"), ("지",)),
    (("chi",), ("치",)),
    (("thae", "tae"), ("태",)),
    (("tae", "dae"), ("대",)),
    (("cha",), ("차",)),
    (("ja", "cha"), ("자",)),
    (("je", "che"), ("제",)),
    (("ryol", "yol", "yeol", "ryeol"), ("렬",)),
    (("hui", "hee", "heui"), ("희",)),
    (("ryom", "yom", "yeom"), ("렴",)),
    (("hae",), ("해",)),
    (("wang",), ("왕",)),
    (("rak", "nak"), ("락",)),
    (("kyom", "gyeom", "kyeom", "gyom"), ("겸",)),
    (("u", "woo"), ("우",)),
    (("ro", "roh"), ("로",)),
    (("no", "noh", "ro", "roh"), ("노",)),
    (("ki", "gi", "kee"), ("기",)),
    (("yang",), ("양",)),
    (("ryang", "yang"), ("량",)),
    (("pyon", "byeon", "byun", "byon"), ("변",)),
    (("sim", "shim"), ("심",)),
    (("gun", "kun", "geun", "keun"), ("근",)),
    (("in",), ("인",)),
    (("an", "ahn"), ("안",)),
    (("bu", "pu", "boo"), ("부",)),
    (("kak", "gak"), ("각",)),
    (("rin", "lin"), ("린",)),
    (("pil", "phil"), ("필",)),
    (("yo",), ("요",)),
    (("pang", "bang"), ("방",)),
    (("kwak", "gwak"), ("곽",)),
    (("thaek", "taek"), ("택",)),
    (("tok", "dok", "deok", "duk"), ("덕",)),
    (("kwon", "gwon"), ("권",)),
    (("im", "lim"), ("임",)),
    (("rim", "lim", "im"), ("림",)),
    (("chil",), ("칠",)),
    (("nyo", "nyeo", "yeo"), ("녀",)),
    (("yon", "yeon"), ("연",)),
    (("ryon", "ryeon"), ("련",)),
    (("sol", "seol"), ("설",)),
    (("hyang",), ("향",)),
    (("mi",), ("미",)),
    (("hye",), ("혜",)),
    (("tal", "dal"), ("달",)),
    (("pin", "bin"), ("빈",)),
    (("tu", "du"), ("두",)),
    (("kye", "gye"), ("계",)),
    (("yop", "yeop"), ("엽",)),
    (("chom", "jeom"), ("점",)),
    (("pyo", "phyo"), ("표",)),
    (("nyon", "nyeon"), ("년",)),
    (("sa",), ("사",)),
    (("ma",), ("마",)),
    (("mok",), ("목",)),
    (("ryo", "ryeo", "yeo"), ("려",)),
    (("tan", "dan"), ("단",)),
    (("thong", "tong"), ("통",)),
    (("po", "bo"), ("보",)),
    (("ryun",), ("륜",)),
    (("pon", "bon"), ("본",)),
    (("hyo",), ("효",)),
    (("kwan", "gwan"), ("관",)),
    (("kap", "gap"), ("갑",)),
    (("tak",), ("탁",)),
    (("maeng",), ("맹",)),
    (("mo",), ("모",)),
    (("ae",), ("애",)),
    (("chok", "cheok"), ("척",)),
    (("jik", "chik"), ("직",)),
    (("kyo", "gyo"), ("교",)),
    (("sul", "seul"), ("술",)),
    (("ryul", "yul"), ("률",)),
    (("hyop", "hyeop"), ("협",)),
)

# Canonical (first) spellings usable as family names: a Latin name counts as
# Korean only if its first or last syllable is one of these.
SURNAMES = frozenset(
    [
        "kim",
        "ri",
        "pak",
        "choe",
        "jong",
        "kang",
        "cho",
        "yun",
        "jang",
        "han",
        "o",
        "so",
        "sin",
        "kwon",
        "hwang",
        "an",
        "song",
        "ryu",
        "hong",
        "jon",
        "ko",
        "mun",
        "yang",
        "son",
        "pae",
        "paek",
        "ho",
        "yu",
        "nam",
        "sim",
        "no",
        "ro",
        "ha",
        "kwak",
        "cha",
        "ju",
        "u",
        "ku",
        "min",
        "ryom",
        "hyon",
        "pyon",
        "chae",
        "rim",
        "im",
        "kye",
        "kil",
        "chon",
        "pang",
        "ji",
        "ok",
        "tak",
        "sok",
        "pyo",
        "jin",
        "myong",
        "tae",
        "thae",
        "to",
        "sol",
        "ra",
        "maeng",
        "chu",
        "kyong",
        "ki",
        "mo",
        "wang",
        "chong",
        "kum",
        "ma",
        "yom",
        "im",
    ]
)

# Popular (passport-style) spellings of common family names, by Hangul.
POPULAR_SURNAMES: dict[str, str] = {
    "김": "Kim",
    "리": "Lee",
    "이": "Lee",
    "박": "Park",
    "최": "Choi",
    "정": "Jung",
    "조": "Cho",
    "강": "Kang",
    "윤": "Yoon",
    "장": "Jang",
    "임": "Lim",
    "림": "Rim",
    "한": "Han",
    "오": "Oh",
    "서": "Seo",
    "신": "Shin",
    "권": "Kwon",
    "황": "Hwang",
    "안": "Ahn",
    "송": "Song",
    "류": "Ryu",
    "유": "Yoo",
    "전": "Jeon",
    "홍": "Hong",
    "고": "Ko",
    "문": "Moon",
    "손": "Son",
    "양": "Yang",
    "배": "Bae",
    "백": "Baek",
    "허": "Heo",
    "노": "Noh",
    "로": "Roh",
    "남": "Nam",
    "심": "Shim",
    "곽": "Kwak",
    "성": "Sung",
    "차": "Cha",
    "주": "Joo",
    "우": "Woo",
    "구": "Koo",
    "민": "Min",
    "진": "Jin",
    "지": "Ji",
    "채": "Chae",
    "원": "Won",
    "천": "Cheon",
    "방": "Bang",
    "현": "Hyun",
    "변": "Byun",
    "렴": "Ryom",
    "추": "Choo",
    "도": "Do",
    "소": "So",
    "석": "Seok",
    "길": "Gil",
    "표": "Pyo",
    "명": "Myung",
    "기": "Ki",
    "왕": "Wang",
    "금": "Keum",
    "옥": "Ok",
    "탁": "Tak",
}


def _spelling_index() -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for number, (spellings, _hangul) in enumerate(SYLLABLE_CLASSES):
        for spelling in spellings:
            index.setdefault(spelling, []).append(number)
    return index


SPELLINGS: dict[str, list[int]] = _spelling_index()
_MAX_SPELLING = max(len(s) for s in SPELLINGS)


def alternatives(syllable: str, union: bool = True) -> list[str]:
    """Other spellings of a romanized syllable, in table order: of every reading
    (`union`), or only of its most likely reading ("yong" -> young, yeong; not the
    ryong of 룡) -- the first class that has any."""
    seen: list[str] = []
    for number in SPELLINGS.get(syllable, []):
        for spelling in SYLLABLE_CLASSES[number][0]:
            if spelling != syllable and spelling not in seen:
                seen.append(spelling)
        if seen and not union:
            break
    return seen


def hangul_candidates(syllable: str) -> list[str]:
    seen: list[str] = []
    for number in SPELLINGS.get(syllable, []):
        for char in SYLLABLE_CLASSES[number][1]:
            if char not in seen:
                seen.append(char)
    return seen


def canonical(syllable: str) -> str:
    """The DPRK-list spelling of the syllable's first class ("lee" -> "ri")."""
    numbers = SPELLINGS.get(syllable)
    return SYLLABLE_CLASSES[numbers[0]][0][0] if numbers else syllable


@lru_cache(maxsize=65536)
def segment(token: str) -> tuple[str, ...] | None:
    """Split a folded token into known syllables ("yongchol" -> ("yong", "chol")),
    fewest pieces first, longer leading pieces on ties; None when impossible."""
    if not token:
        return ()
    best: tuple[str, ...] | None = None
    for size in range(min(_MAX_SPELLING, len(token)), 0, -1):
        head = token[:size]
        if head not in SPELLINGS:
            continue
        rest = segment(token[size:])
        if rest is None:
            continue
        candidate = (head, *rest)
        if best is None or len(candidate) < len(best):
            best = candidate
    return best


@dataclass(frozen=True, slots=True)
class KoreanName:
    """A Latin Korean name read as syllables: `family` is one syllable, `given`
    the given-name syllables in order; `family_first` records the listed order."""

    family: str
    given: tuple[str, ...]
    family_first: bool = True

    @property
    def syllables(self) -> tuple[str, ...]:
        return (self.family, *self.given)


def parse_korean(name: str) -> KoreanName | None:
    """Read a Latin name as a Korean name, or None when it is not one.

    Accepted: 2–4 syllables, every word splits into known syllables, and a
    one-syllable family name can be told: the comma ("KIM, Jong Un"), the one
    all-capitals word in a mixed-case name ("Kyong Il KIM"), the one-syllable word
    beside a hyphenated or joined given name ("Song-hyok RI"), else the first word
    when it is a surname ("Ri Chang Ho"), else the last ("Yong Chol Kim")."""
    # words as written: a hyphenated given name is one word
    raw_words = [w for w in re.split(r"[\s,]+", name) if re.search(r"\w", w)]
    pieces: list[tuple[str, ...]] = []
    for word in raw_words:
        syllables: list[str] = []
        for part in fold(word).split():
            seg = segment(part)
            if seg is None:
                return None
            syllables.extend(seg)
        if syllables:
            pieces.append(tuple(syllables))
    flat = [s for piece in pieces for s in piece]
    if not 2 <= len(flat) <= 4:
        return None
    if len(pieces) == 1:  # run together: "Kimjongun"
        if len(raw_words) == 1 and "-" not in name and canonical(flat[0]) in SURNAMES:
            return KoreanName(flat[0], tuple(flat[1:]), True)
        return None
    if "," in name:  # "KIM, Jong Un": family first by the comma
        if len(pieces[0]) == 1 and canonical(pieces[0][0]) in SURNAMES:
            return _with_family_at(pieces, 0)
        return None
    upper = [i for i, w in enumerate(raw_words) if w.isupper() and len(w) > 1]
    if not name.isupper() and not name.islower() and len(upper) == 1 and len(pieces[upper[0]]) == 1:
        return _with_family_at(pieces, upper[0])
    single = [i for i, piece in enumerate(pieces) if len(piece) == 1]
    if len(single) == 1 and len(pieces) == 2 and canonical(pieces[single[0]][0]) in SURNAMES:
        return _with_family_at(pieces, single[0])
    if len(pieces[0]) == 1 and canonical(pieces[0][0]) in SURNAMES:
        return _with_family_at(pieces, 0)
    if len(pieces[-1]) == 1 and canonical(pieces[-1][0]) in SURNAMES:
        return _with_family_at(pieces, len(pieces) - 1)
    return None


def _with_family_at(pieces: list[tuple[str, ...]], at: int) -> KoreanName:
    given = tuple(s for i, piece in enumerate(pieces) if i != at for s in piece)
    return KoreanName(pieces[at][0], given, at == 0)


# --- Hangul ---------------------------------------------------------------------

_HANGUL_BASE = 0xAC00
_INITIAL_RR = (
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
)
_INITIAL_MR = (
    "k",
    "kk",
    "n",
    "t",
    "tt",
    "r",
    "m",
    "p",
    "pp",
    "s",
    "ss",
    "",
    "ch",
    "tch",
    "ch'",
    "k'",
    "t'",
    "p'",
    "h",
)
_MEDIAL_RR = (
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i",
)  # fmt: skip
_MEDIAL_MR = (
    "a", "ae", "ya", "yae", "ŏ", "e", "yŏ", "ye", "o", "wa", "wae", "oe", "yo", "u", "wŏ", "we", "wi", "yu", "ŭ", "ŭi", "i",
)  # fmt: skip
_FINAL = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t")  # fmt: skip
_FINAL_RR = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t")  # fmt: skip
# Vowels that make an initial ㄹ/ㄴ fall away in South Korean usage (리 -> 이, 녀 -> 여).
_I_VOWELS = frozenset((2, 3, 6, 7, 12, 17, 20))


def is_hangul_syllable(char: str) -> bool:
    return 0xAC00 <= ord(char) <= 0xD7A3


def decompose(char: str) -> tuple[int, int, int]:
    code = ord(char) - _HANGUL_BASE
    return code // 588, (code % 588) // 28, code % 28


def compose(initial: int, medial: int, final: int) -> str:
    return chr(_HANGUL_BASE + initial * 588 + medial * 28 + final)


def romanize_syllable(char: str, scheme: str = "rr") -> str:
    """One Hangul syllable in Revised Romanization ("rr") or McCune–Reischauer ("mr",
    with breves and aspiration apostrophes); other characters pass through."""
    if not is_hangul_syllable(char):
        return char
    initial, medial, final = decompose(char)
    if scheme == "rr":
        return _INITIAL_RR[initial] + _MEDIAL_RR[medial] + _FINAL_RR[final]
    onset = _INITIAL_MR[initial]
    if initial == 9 and medial in (20, 2, 6, 12, 17):  # ㅅ before i/y is "sh" in MR
        onset = "sh"
    return onset + _MEDIAL_MR[medial] + _FINAL[final]


def south_form(char: str) -> str:
    """The South Korean form of a syllable under the initial-sound law (리 -> 이, 로 -> 노)."""
    if not is_hangul_syllable(char):
        return char
    initial, medial, final = decompose(char)
    if initial == 5:  # ㄹ
        initial = 11 if medial in _I_VOWELS else 2
    elif initial == 2 and medial in _I_VOWELS:  # ㄴ before i/y
        initial = 11
    return compose(initial, medial, final)


def romanize_hangul(name: str, scheme: str = "rr", style: str = "family_first") -> str:
    """A Hangul name ("김정은") in Latin: family syllable, then the given name as one
    hyphenated word ("Kim Jeong-eun" / "Kim Chŏng-ŭn").  `scheme` "popular" uses
    customary family-name spellings (Lee, Park, Choi) and RR for the given name."""
    chars = [c for c in name if not c.isspace()]
    if not chars:
        return ""
    family, given = chars[0], chars[1:]
    if scheme == "popular":
        family_latin = POPULAR_SURNAMES.get(family) or romanize_syllable(family, "rr")
        given_parts = [romanize_syllable(c, "rr") for c in given]
    else:
        family_latin = romanize_syllable(family, scheme)
        given_parts = [romanize_syllable(c, scheme) for c in given]
    family_latin = family_latin[:1].upper() + family_latin[1:]
    given_latin = "-".join(given_parts)
    given_latin = given_latin[:1].upper() + given_latin[1:]
    if not given_latin:
        return family_latin
    if style == "family_last":
        return f"{given_latin} {family_latin}"
    return f"{family_latin} {given_latin}"


def to_hangul(name: str | KoreanName, limit: int = 4) -> list[str]:
    """Hangul renderings of a Latin Korean name, most likely first ("Kim Jong Un" ->
    ["김정은", "김종은", "김정운", ...]); [] when the name is not Korean.

    Renderings are written family name first without spaces, as in Korea."""
    parsed = parse_korean(name) if isinstance(name, str) else name
    if parsed is None:
        return []
    choices = [hangul_candidates(s) for s in parsed.syllables]
    if any(not c for c in choices):
        return []
    ranked = sorted(
        itertools.product(*[list(enumerate(c)) for c in choices]),
        key=lambda combo: (sum(rank for rank, _ in combo), [rank for rank, _ in combo]),
    )
    out: list[str] = []
    for combo in ranked:
        rendering = "".join(char for _, char in combo)
        if rendering not in out:
            out.append(rendering)
        if len(out) >= limit:
            break
    return out


def hangul_keys(name: str) -> set[tuple[str, ...]]:
    """Loose identity keys of a Korean name in any script: the syllables as South
    Korean Hangul, family name first.  Two names sharing a key may be the same name."""
    letters = [c for c in name if not c.isspace()]
    if letters and all(is_hangul_syllable(c) for c in letters):
        return {tuple(south_form(c) for c in letters)}
    parsed = parse_korean(name)
    if parsed is None:
        return set()
    choices = [[south_form(c) for c in hangul_candidates(s)] for s in parsed.syllables]
    keys: set[tuple[str, ...]] = set()
    for combo in itertools.islice(itertools.product(*choices), 256):
        keys.add(tuple(combo))
    return keys


# --- Latin variants ------------------------------------------------------------

FORMATS = ("spaced", "hyphen", "joined", "family_last", "comma", "run_together")
FORMAT_WEIGHTS = (3, 3, 2, 2, 2, 1)  # run-together names are rarer in real records


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def format_name(family: str, given: Sequence[str], style: str, case: str = "title") -> str:
    """Write a Korean name in one of `FORMATS` ("Kim Yong Chol", "Kim Yong-chol",
    "Kim Yongchol", "Yong Chol Kim", "KIM, Yong Chol", "Kimyongchol")."""
    fam = _cap(family)
    given_caps = [_cap(g) for g in given]
    if style == "spaced":
        out = " ".join([fam, *given_caps])
    elif style == "hyphen":
        out = f"{fam} {'-'.join([given_caps[0], *given[1:]])}" if given else fam
    elif style == "joined":
        out = f"{fam} {_cap(''.join(given))}" if given else fam
    elif style == "family_last":
        out = " ".join([*given_caps, fam])
    elif style == "comma":
        out = f"{fam.upper()}, {' '.join(given_caps)}"
    elif style == "run_together":
        out = _cap(family + "".join(given))
    else:
        raise ValueError(f"unknown format {style!r}")
    if case == "upper":
        return out.upper()
    if case == "lower":
        return out.lower()
    return out


def respell(syllables: Iterable[str], rng: random.Random, rate: float = 0.6) -> list[str]:
    """Replace syllables by other spellings of the same sound; at least one changes
    when any syllable has an alternative."""
    original = list(syllables)
    out = list(original)
    changeable = [i for i, s in enumerate(original) if alternatives(s, union=False)]
    if not changeable:
        return out
    forced = rng.choice(changeable)
    for i in changeable:
        if i == forced or rng.random() < rate:
            out[i] = rng.choice(alternatives(original[i], union=False))
    return out


def variant(name: KoreanName, rng: random.Random) -> tuple[str, str]:
    """One spelling variant of a Korean name and a label of what was done.

    Kinds: "respell" (syllables swapped for other spellings of the same sound:
    Ri/Lee/Yi, Chol/Cheol/Chul...), "rr"/"mr"/"popular" (the whole name re-romanized
    from its Hangul reading), each written in a random format (hyphenated or joined
    given name, family name last, "FAMILY, Given", run together)."""
    kind = rng.choice(("respell", "respell", "rr", "mr", "popular"))
    style = rng.choices(FORMATS, weights=FORMAT_WEIGHTS)[0]
    case = rng.choice(("title", "title", "upper", "lower"))
    if kind == "respell":
        syllables = respell(name.syllables, rng)
        return format_name(syllables[0], syllables[1:], style, case), f"respell/{style}"
    renderings = to_hangul(name, limit=2)
    hangul = renderings[rng.randrange(len(renderings))] if renderings else ""
    scheme = "rr" if kind in ("rr", "popular") else "mr"
    family = POPULAR_SURNAMES.get(hangul[0], "") if kind == "popular" and hangul else ""
    syllables = [romanize_syllable(c, scheme) for c in hangul]
    if family:
        syllables[0] = family.lower()
    if kind == "mr" and rng.random() < 0.4:
        # MR as typed without special characters: breves and apostrophes dropped
        syllables = [fold(s).replace(" ", "") for s in syllables]
        kind = "mr_plain"
    return format_name(syllables[0], syllables[1:], style, case), f"{kind}/{style}"


def near_miss(name: KoreanName, rng: random.Random, pool: Sequence[str]) -> KoreanName | None:
    """The name with one given-name syllable replaced by a clearly different one
    (not a spelling of the same sound, at least two letters apart): "Kim Yong Su"
    for "Kim Yong Chol".  `pool` lists canonical syllables to draw from."""
    if len(name.given) < 2:  # keep the family name and one given syllable as they were
        return None
    position = rng.randrange(len(name.given))
    old = name.given[position]
    same = {old, *alternatives(old)}
    # at least two letters from every spelling of the old syllable ("chun" is not a
    # near miss of "jin", whose MR spelling is "chin")
    options = [s for s in pool if all(levenshtein(a, b) >= 2 for a in {s, *alternatives(s)} for b in same)]
    if not options:
        return None
    new = rng.choice(options)
    given = list(name.given)
    given[position] = new
    return KoreanName(name.family, tuple(given), name.family_first)


def given_syllable_pool() -> list[str]:
    """Canonical spellings of syllables common in given names (for near misses)."""
    common = [
        "chol",
        "song",
        "il",
        "su",
        "ho",
        "chang",
        "myong",
        "nam",
        "kyong",
        "hyok",
        "jin",
        "kwang",
        "sok",
        "min",
        "sik",
        "won",
        "man",
        "yong",
        "jong",
        "un",
        "hak",
        "hun",
        "bok",
        "kum",
        "hui",
        "chun",
        "ryong",
        "mun",
        "tong",
        "sun",
        "ok",
        "nam",
        "hwa",
        "gil",
        "pil",
        "kuk",
        "jun",
        "sam",
        "sang",
        "chan",
        "dok",
    ]
    return [s for s in common if s in SPELLINGS]
