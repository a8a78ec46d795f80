"""Korean names: Hangul → romanizations, and one "Korean key" all spellings share.

Lists and customers spell one Hangul name many ways: McCune–Reischauer with
breves and apostrophes (Ch'oe Ryong-hae, Kim Chŏng-ŭn), MR without them (Choe,
Chong Un), DPRK practice (Kim Jong Un, Ri Yong Ho), Revised Romanization (Choe
Ryong-hae, Kim Jeong-eun) and popular spellings (Choi, Lee, Park, Chul, Young).

Hangul syllables are decomposed arithmetically (U+AC00 + (initial × 21 + medial)
× 28 + final) and romanised syllable by syllable (names are romanised per
syllable, without the sound-change rules of running text) with MR and RR tables.

`korean_key` maps a romanised token to a canonical key by folding the letters
that schemes disagree on: ch/j/tch → j, k/g → k, t/d → t, p/b → p, l/r → r,
eo/ŏ → o, eu/ŭ → u, yeo → yo, ou → o (Young), oo → u, ee → i, oi → oe, and a
final h after a vowel is dropped (Oh), and the South Korean initial sound law is
applied at the start (Ri → i, Ryu → yu, Ryong → yong, Ro → no: North and South
spellings of one Hangul meet).  Whole-token
surname spellings (Lee/Rhee/Yi/I → ri, Park/Bak → pak, Choi → choe) go through
a table first.  Hangul is romanised (MR, ASCII) and then keyed the same way, so
김정은, Kim Jong Un, Kim Chŏng-ŭn, Gim Jeong-eun and Kimjongun all meet on
"kim" + "jongun" (token keys concatenate: run-together spellings match spaced ones).
`korean_loose_key` further merges o/u (Chol/Chul, Song/Sung, Jong/Jung), which
schemes and popular spellings do not keep apart.

Pure functions, no I/O.
"""

from __future__ import annotations

from functools import lru_cache

HANGUL_BASE = 0xAC00
HANGUL_LAST = 0xD7A3
N_MEDIALS = 21
N_FINALS = 28

# Initial consonants (19), in Unicode order.
_MR_INITIALS = (
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
_RR_INITIALS = (
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
# DPRK practice (the 1992 DPRK system, as on the UN and OFAC lists): MR without
# marks, j for ㅈ (Kim Jong Un) and kh/th/ph for the aspirates ㅋ/ㅌ/ㅍ (Kyong Thaek,
# Phyong Guk).
_DPRK_INITIALS = ("k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "j", "jj", "ch", "kh", "th", "ph", "h")  # fmt: skip
# Medial vowels (21).
_MR_MEDIALS = (
    "a", "ae", "ya", "yae", "ŏ", "e", "yŏ", "ye", "o", "wa", "wae", "oe", "yo", "u", "wŏ", "we", "wi", "yu", "ŭ", "ŭi", "i"
)  # fmt: skip
_RR_MEDIALS = (
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"
)  # fmt: skip
# Final consonants (28, index 0 = none).
_MR_FINALS = (
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"
)  # fmt: skip
_RR_FINALS = (
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"
)  # fmt: skip

# Hangul surnames: the common one-syllable ones and every two-syllable one in use.
SURNAMES_1 = frozenset(
    [
        "김",
        "이",
        "리",
        "박",
        "최",
        "정",
        "강",
        "조",
        "윤",
        "장",
        "임",
        "림",
        "한",
        "오",
        "서",
        "신",
        "권",
        "황",
        "안",
        "송",
        "류",
        "유",
        "전",
        "홍",
        "고",
        "문",
        "양",
        "량",
        "손",
        "배",
        "백",
        "허",
        "남",
        "심",
        "노",
        "로",
        "하",
        "곽",
        "성",
        "차",
        "주",
        "우",
        "구",
        "민",
        "진",
        "나",
        "라",
        "지",
        "엄",
        "채",
        "원",
        "천",
        "방",
        "공",
        "현",
        "함",
        "변",
        "염",
        "여",
        "추",
        "도",
        "소",
        "석",
        "선",
        "설",
        "마",
        "길",
        "연",
        "위",
        "표",
        "명",
        "기",
        "반",
        "왕",
        "금",
        "옥",
        "육",
        "인",
        "맹",
        "제",
        "모",
        "탁",
        "국",
        "은",
        "편",
        "용",
        "예",
        "경",
        "봉",
        "사",
        "부",
        "황",
        "피",
        "태",
        "계",
        "두",
        "형",
        "감",
        "음",
        "빈",
        "동",
        "온",
        "호",
        "범",
        "좌",
        "팽",
        "승",
        "간",
        "상",
        "갈",
        "단",
        "견",
        "당",
        "화",
        "창",
        "옹",
        "순",
        "빙",
        "어",
        "팽",
        "방",
        "위",
    ]
)
SURNAMES_2 = frozenset(
    ["남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방", "망절", "어금", "강전", "소봉", "장곡"]
)

# Popular spellings per Hangul syllable beyond what MR and RR give.
SYLLABLE_VARIANTS: dict[str, tuple[str, ...]] = {
    "이": ("lee", "yi", "rhee", "ri", "li", "i", "rhie", "yee"),
    "리": ("ri", "lee", "li", "rhee", "yi"),
    "박": ("park", "pak", "bak", "bahk"),
    "최": ("choi", "choe", "chwe", "choy"),
    "김": ("kim", "gim"),
    "정": ("jong", "jeong", "chong", "chung", "jung", "cheong"),
    "철": ("chol", "cheol", "chul"),
    "은": ("un", "eun"),
    "오": ("o", "oh"),
    "광": ("kwang", "gwang"),
    "혁": ("hyok", "hyeok", "hyuk"),
    "성": ("song", "seong", "sung"),
    "영": ("yong", "young", "yeong"),
    "용": ("yong", "yung"),
    "장": ("chang", "jang"),
    "금": ("kum", "geum", "keum"),
    "윤": ("yun", "yoon"),
    "문": ("mun", "moon"),
    "신": ("sin", "shin"),
    "송": ("song", "soung"),
    "노": ("no", "noh", "roh"),
    "로": ("ro", "roh"),
    "류": ("ryu", "yoo", "yu", "ryoo"),
    "유": ("yu", "yoo"),
    "임": ("im", "lim", "rim"),
    "림": ("rim", "lim"),
    "강": ("kang", "gang"),
    "조": ("cho", "jo"),
    "한": ("han",),
    "구": ("ku", "koo", "gu"),
    "희": ("hui", "hee", "hi"),
    "호": ("ho",),
    "현": ("hyon", "hyun", "hyeon"),
    "순": ("sun", "soon"),
    "수": ("su", "soo"),
    "주": ("ju", "joo", "chu"),
    "우": ("u", "woo", "wu"),
    "석": ("sok", "seok", "suk"),
    "명": ("myong", "myung", "myeong"),
    "경": ("kyong", "kyung", "gyeong"),
    "준": ("jun", "joon", "chun"),
}

# Whole-token spellings of one surname, folded before the letter rules.
SURNAME_EQUIV: dict[str, str] = {
    "lee": "ri",
    "rhee": "ri",
    "rhie": "ri",
    "yi": "ri",
    "yee": "ri",
    "li": "ri",
    "i": "ri",
    "ree": "ri",
    "park": "pak",
    "bahk": "pak",
    "choi": "choe",
    "chwe": "choe",
    "choy": "choe",
    "roh": "no",
    "noh": "no",
    "lim": "rim",
    "im": "rim",
    "ryoo": "ryu",
    "yoo": "ryu",
}


def is_hangul_syllable(char: str) -> bool:
    return HANGUL_BASE <= ord(char) <= HANGUL_LAST


def has_hangul(text: str) -> bool:
    return any(HANGUL_BASE <= ord(c) <= HANGUL_LAST for c in text)


def decompose(syllable: str) -> tuple[int, int, int]:
    """(initial, medial, final) jamo indexes of one Hangul syllable."""
    index = ord(syllable) - HANGUL_BASE
    if not 0 <= index <= HANGUL_LAST - HANGUL_BASE:
        raise ValueError(f"not a Hangul syllable: {syllable!r}")
    return index // (N_MEDIALS * N_FINALS), (index % (N_MEDIALS * N_FINALS)) // N_FINALS, index % N_FINALS


def _syllable(
    syllable: str,
    initials: tuple[str, ...],
    medials: tuple[str, ...],
    finals: tuple[str, ...],
    mr: bool = False,
) -> str:
    initial, medial, final = decompose(syllable)
    vowel = medials[medial]
    onset = initials[initial]
    if mr and onset == "s" and vowel.startswith("i"):
        onset = "sh"  # MR writes 시 as shi
    return onset + vowel + finals[final]


def romanize_mr(text: str, ascii_only: bool = False) -> str:
    """McCune–Reischauer, syllable by syllable (non-Hangul characters kept)."""
    out = "".join(
        _syllable(c, _MR_INITIALS, _MR_MEDIALS, _MR_FINALS, mr=True) if is_hangul_syllable(c) else c
        for c in text
    )
    if ascii_only:
        out = out.replace("ŏ", "o").replace("ŭ", "u").replace("'", "")
    return out


def romanize_rr(text: str) -> str:
    """Revised Romanization, syllable by syllable."""
    return "".join(
        _syllable(c, _RR_INITIALS, _RR_MEDIALS, _RR_FINALS) if is_hangul_syllable(c) else c for c in text
    )


def romanize_dprk(text: str) -> str:
    """DPRK practice as on the UN and OFAC lists: MR without marks, j for ㅈ (Kim Jong Un)."""
    return "".join(
        _syllable(c, _DPRK_INITIALS, _MR_MEDIALS, _MR_FINALS) if is_hangul_syllable(c) else c for c in text
    ).translate(str.maketrans("ŏŭ", "ou"))


def syllable_spellings(syllable: str) -> tuple[str, ...]:
    """Every spelling in use for one Hangul syllable (ASCII, lower case)."""
    found = [
        romanize_dprk(syllable),
        romanize_mr(syllable, ascii_only=True),
        romanize_rr(syllable),
        *SYLLABLE_VARIANTS.get(syllable, ()),
    ]
    return tuple(dict.fromkeys(found))


def segment_hangul_name(text: str) -> list[str]:
    """An unspaced Hangul name split into surname and given name: 김정은 → [김, 정은],
    남궁민 → [남궁, 민]; a string that does not look like surname + given name is
    returned whole."""
    if not 2 <= len(text) <= 5 or not all(is_hangul_syllable(c) for c in text):
        return [text]
    if len(text) >= 3 and text[:2] in SURNAMES_2:
        return [text[:2], text[2:]]
    if text[0] in SURNAMES_1:
        return [text[0], text[1:]]
    return [text]


def romanizations(hangul_name: str) -> list[str]:
    """The usual Latin spellings of a Hangul name (surname first, given name joined
    with a hyphen and spaced): e.g. 최룡해 → Ch'oe Ryong-hae, Choe Ryong Hae, ..."""
    parts = []
    for word in hangul_name.split():
        parts.extend(segment_hangul_name(word))
    results: list[str] = []
    for style in ("mr", "mr_ascii", "dprk", "rr"):
        words = []
        for part in parts:
            syllables = [c for c in part if is_hangul_syllable(c)]
            if not syllables:
                words.append(part)
                continue
            if style == "mr":
                spelled = [romanize_mr(s) for s in syllables]
            elif style == "mr_ascii":
                spelled = [romanize_mr(s, ascii_only=True) for s in syllables]
            elif style == "dprk":
                spelled = [romanize_dprk(s) for s in syllables]
            else:
                spelled = [romanize_rr(s) for s in syllables]
            words.append("-".join(spelled).capitalize())
        spaced = " ".join(words)
        results.append(spaced)
        results.append(" ".join(w.replace("-", " ").title() for w in words))
    return list(dict.fromkeys(results))


# --- the canonical key -------------------------------------------------------------

_KEY_RULES: tuple[tuple[str, str], ...] = (
    ("shi", "si"),
    ("sh", "s"),
    ("tch", "j"),
    ("jj", "j"),
    ("ch", "j"),
    ("c", "j"),
    ("kh", "k"),
    ("kk", "k"),
    ("g", "k"),
    ("q", "k"),
    ("th", "t"),
    ("tt", "t"),
    ("d", "t"),
    ("ph", "p"),
    ("pp", "p"),
    ("b", "p"),
    ("f", "p"),
    ("ss", "s"),
    ("l", "r"),
    ("yeo", "yo"),
    ("eo", "o"),
    ("eu", "u"),
    ("ou", "o"),
    ("oo", "u"),
    ("ee", "i"),
    ("ui", "i"),
    ("oi", "oe"),
    ("ai", "ae"),
    ("weo", "wo"),
)

_VOWELS = frozenset("aeiouy")


@lru_cache(maxsize=65536)
def korean_key(token: str) -> str:
    """Canonical key of one romanised Korean token (lower case ASCII expected)."""
    token = SURNAME_EQUIV.get(token, token)
    for old, new in _KEY_RULES:
        if old in token:
            token = token.replace(old, new)
    if len(token) > 1 and token.endswith("h") and token[-2] in _VOWELS:
        token = token[:-1]
    # South Korean initial sound law: a word-initial ㄹ/ㄴ before i/y is dropped and
    # ㄹ before other vowels is read ㄴ (DPRK Ri/Ryu/Ryong/Ro = ROK I/Yu/Yong/No)
    if len(token) > 1 and token[0] in "rn":
        if token[1] in "iy":
            token = token[1:]
        elif token[0] == "r" and token[1] in "aoue":
            token = "n" + token[1:]
    return token


@lru_cache(maxsize=65536)
def korean_loose_key(token: str) -> str:
    """`korean_key` with o/u merged: Chol = Chul, Song = Sung, Jong = Jung."""
    return korean_key(token).replace("u", "o")


@lru_cache(maxsize=16384)
def hangul_key(hangul: str) -> str:
    """The Korean key of a Hangul word (via MR without marks)."""
    return korean_key(romanize_dprk(hangul))


# --- segmentation of run-together Latin spellings -------------------------------------


@lru_cache(maxsize=1)
def syllable_inventory() -> frozenset[str]:
    """Every ASCII spelling of every Hangul syllable (MR, DPRK, RR, popular)."""
    found: set[str] = set()
    for code in range(HANGUL_BASE, HANGUL_LAST + 1):
        syllable = chr(code)
        found.add(romanize_dprk(syllable))
        found.add(romanize_mr(syllable, ascii_only=True))
        found.add(romanize_rr(syllable))
    for spellings in SYLLABLE_VARIANTS.values():
        found.update(spellings)
    found.discard("")
    return frozenset(found)


_MAX_SYLLABLE = 7
# Letters no romanization of Hangul uses: a token with one is not Korean.
_NOT_KOREAN = frozenset("fvxqz")


@lru_cache(maxsize=65536)
def segment_latin(token: str) -> tuple[str, ...] | None:
    """Split a run-together romanised Korean token into syllables (Kimjongun →
    kim, jong, un; Rijongho → ri, jong, ho), or None when it is not Korean.

    A DP over the syllable inventory; of the segmentations it keeps the one with
    the fewest syllables, preferring longer syllables first (jong+un, not jon+gun)."""
    if not token.isascii() or not token.isalpha() or len(token) > 24 or not _NOT_KOREAN.isdisjoint(token):
        return None
    inventory = syllable_inventory()
    size = len(token)
    best: list[tuple[str, ...] | None] = [None] * (size + 1)
    best[size] = ()
    for start in range(size - 1, -1, -1):
        choice: tuple[str, ...] | None = None
        for end in range(min(size, start + _MAX_SYLLABLE), start, -1):
            piece = token[start:end]
            rest = best[end]
            if rest is None or piece not in inventory:
                continue
            candidate = (piece, *rest)
            if choice is None or len(candidate) < len(choice):
                choice = candidate
        best[start] = choice
    return best[0]


def is_korean_like(token: str) -> bool:
    """True when a Latin token can be read as romanised Korean syllables."""
    return segment_latin(token) is not None
