"""A name analysed into tagged tokens with every key the matcher compares.

`analyze(name, kind)` → a tuple of `Tok`, one per token of the name, each with:

* `orig`   the normalised token in its own script (for explanations),
* `text`   its Latin ASCII form: Cyrillic by BGN/PCGN, Hangul by DPRK-practice
           McCune–Reischauer (김 → kim, 정은 → jongun), other scripts by ICU
           "Any-Latin; Latin-ASCII",
* `kkey`   the Korean key (`korean.korean_key`) when the token is Hangul or can be
           read as romanised Korean syllables, else ""; `ksyllables` how many
           syllables (one-syllable tokens are judged by the Korean key alone:
           Jong and Yong are two names, though German would spell them alike);
           the words of a Korean personal name in Cyrillic (Ким Чен Ын) carry the
           coarse key of `korean_cyrillic` instead (Cyrillic cannot tell 정 from
           전: the matcher compares them coarsely, and only them),
* `rkeys`  the Russian phonetic keys (`cyrillic.russian_keys`), which also serve as
           the general phonetic key for Latin names; `rstem` the main key with a
           feminine surname ending made masculine (Ivanova → Ivanov),
* `tag`    given / family / patronymic / name / legal_form / stopword / number,
* `legal`  the legal-form class for legal_form tokens,
* `weight` a prior weight: 1 for an ordinary name word, less for very common
           name words (Kim, Ri, Pak, Ivanov, Mohammed...), 0.1 for legal forms and
           0.05 for stopwords.  The screening index lowers weights further by
           how many listed names share the token.

Name order is not a tag: matching aligns tokens order-insensitively.  Tags only
let a missing patronymic cost little and show what each part is.

`kind` is "person", "org" (organisations, companies, legal entities: legal forms
are tagged, including ambiguous short ones like SA, AO, Co) or "other" (vessels,
aircraft, anything: only unambiguous legal forms are tagged, and a leading ship
prefix MV, M/V, MT, M/T, SS... is a stopword).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from corridor.names import cyrillic, korean, korean_cyrillic, scripts
from corridor.names.legal_forms import find_legal_forms
from corridor.types.text import normalize, script_of

STOPWORDS = frozenset(
    # no single letters, An, To, So...: those are Korean surnames and syllables
    [
        "of",
        "the",
        "and",
        "for",
        "de",
        "del",
        "la",
        "le",
        "el",
        "les",
        "des",
        "du",
        "di",
        "da",
        "von",
        "van",
        "der",
        "den",
        "et",
        "und",
        "al",
        "el",
        "bin",
        "ibn",
        "bint",
        "abu",
    ]
)
# Arabic particles are name parts, but so frequent they identify nothing alone.
# The article as names write it in Latin (al-, el-) and as ICU reads ال is one
# word, whichever spelling (Ahmad EL KHANSA is احمد الخنسا: `match.align`).
ARABIC_ARTICLES = frozenset(["al", "el"])
_PARTICLES = ARABIC_ARTICLES | frozenset(["bin", "ibn", "bint", "abu"])

# Prior weights of very common name words (lower = identifies less).
# Korean surnames whose appearance first in a name marks surname-first order.
_KOREAN_SURNAMES = (
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
    "ko",
    "mun",
    "yang",
    "son",
    "pae",
    "paek",
    "ho",
    "nam",
    "sim",
    "no",
    "ha",
    "kwak",
    "cha",
    "ju",
    "ku",
    "min",
    "jin",
    "chon",
    "jon",
    "rim",
    "hyon",
)
# Other common romanisations of Korean surnames: frequent, so they weigh little, but
# too ambiguous (U, Yu, Na, Ra, Im...) to decide the name order on their own.
_KOREAN_SURNAME_SPELLINGS = (
    "lee",
    "park",
    "choi",
    "chong",
    "jeong",
    "jo",
    "chang",
    "oh",
    "shin",
    "yu",
    "u",
    "na",
    "ra",
    "jeon",
    "im",
)

COMMON_WEIGHTS: dict[str, float] = {
    **dict.fromkeys([*_KOREAN_SURNAMES, *_KOREAN_SURNAME_SPELLINGS], 0.4),
    **dict.fromkeys(
        [
            "yong",
            "chol",
            "il",
            "kwang",
            "myong",
            "hyok",
            "su",
            "chun",
            "hak",
            "sok",
            "kum",
            "ok",
            "hui",
            "sung",
            "kyong",
            "nam",
            "thae",
            "tae",
            "hun",
            "hyon",
            "ung",
        ],
        0.6,
    ),
    **dict.fromkeys(
        [
            "ivanov",
            "petrov",
            "smirnov",
            "kuznetsov",
            "popov",
            "sokolov",
            "volkov",
            "novikov",
            "morozov",
            "ivanova",
            "petrova",
            "sergey",
            "sergei",
            "aleksandr",
            "alexander",
            "vladimir",
            "dmitry",
            "dmitriy",
            "andrey",
            "andrei",
            "aleksey",
            "alexey",
            "mikhail",
            "nikolay",
            "igor",
            "yuriy",
            "oleg",
            "viktor",
            "ivan",
            "maksim",
        ],
        0.6,
    ),
    **dict.fromkeys(
        [
            "mohammed",
            "muhammad",
            "mohammad",
            "mohamed",
            "ahmed",
            "ahmad",
            "ali",
            "hassan",
            "hussein",
            "husain",
            "abdul",
            "abd",
            "abdel",
            "abdullah",
            "mahmoud",
            "omar",
        ],
        0.5,
    ),
    **dict.fromkeys(
        [
            "trading",
            "international",
            "group",
            "holding",
            "holdings",
            "industrial",
            "industry",
            "industries",
            "general",
            "bank",
            "shipping",
            "services",
            "service",
            "trade",
            "commercial",
            "development",
            "enterprise",
            "enterprises",
            "national",
            "korea",
            "korean",
            "russia",
            "russian",
            "global",
            "import",
            "export",
        ],
        0.5,
    ),
}

LEGAL_WEIGHT = 0.1
STOPWORD_WEIGHT = 0.05


class Tok(NamedTuple):
    orig: str
    text: str
    kkey: str
    kloose: str
    ksyllables: int  # Korean syllables read in the token (0: not Korean)
    rkeys: tuple[str, ...]
    rstem: str  # main Russian key with a feminine surname ending made masculine
    tag: str
    legal: str
    script: str
    weight: float


@lru_cache(maxsize=1)
def _icu() -> object | None:
    try:
        import icu  # PyICU

        return icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
    except Exception:  # PyICU missing or broken: other scripts stay as they are
        return None


def to_latin_other(text: str) -> str:
    """ICU fallback for scripts handled nowhere else (Arabic, Han, Greek...)."""
    trans = _icu()
    if trans is None:
        return text
    return str(trans.transliterate(text))  # type: ignore[attr-defined]


@lru_cache(maxsize=131072)
def token_forms(orig: str) -> tuple[str, str, str, int, tuple[str, ...], str]:
    """(text, kkey, kloose, ksyllables, rkeys, script) of one normalised token."""
    script = script_of(orig)
    if script == "Hangul":
        text = korean.romanize_dprk(orig)
        kkey = korean.korean_key(text)
        syllables = sum(1 for c in orig if korean.is_hangul_syllable(c))
        return text, kkey, kkey.replace("u", "o"), syllables, cyrillic.russian_keys(text), script
    if script == "Cyrillic":
        text = normalize(cyrillic.transliterate(orig, "bgn"))
        return text, "", "", 0, cyrillic.russian_keys(orig), script
    if script == "Other":
        fam = scripts.family(orig)
        if fam:
            return _script_forms(orig, fam)
    text = orig
    segments = korean.segment_latin(text) if text.isalpha() else None
    kkey = korean.korean_key(text) if segments else ""
    rkeys = cyrillic.russian_keys(text) if text.isalpha() else (text,)
    return text, kkey, kkey.replace("u", "o"), len(segments or ()), rkeys, script


def _script_forms(orig: str, fam: str) -> tuple[str, str, str, int, tuple[str, ...], str]:
    """Forms of a token in a script family of `names.scripts`: its ICU reading;
    a Han token all of whose characters are common name Hanja also gets the Korean
    key of its Korean reading (金正恩 → 김 정은 → kim jongun)."""
    text = scripts.to_latin(orig)
    rkeys = cyrillic.russian_keys(text) if text.isalpha() else (text,)
    reading = scripts.hanja_reading(orig) if fam == "Han" else ""
    if reading:
        kkey = korean.korean_key(korean.romanize_dprk(reading))
        return text, kkey, kkey.replace("u", "o"), len(reading), rkeys, fam
    return text, "", "", 0, rkeys, fam


def _split_hangul(tokens: list[str], kind: str) -> list[str]:
    """Unspaced Hangul names split into surname and given name (김정은 → 김 정은).
    Legal forms are never split (주식회사 is not 주 + 식회사), nor, in organisation
    names, words longer than a personal name (조선상사 is one word: Joson trading)
    or any word of a name that has a legal form ((유) 나루 is a company, not Na Ru)."""
    if kind == "org" and find_legal_forms(tokens, allow_ambiguous=True):
        return tokens
    out: list[str] = []
    for token in tokens:
        if (
            korean.has_hangul(token)
            and not (kind == "org" and len(token) > 3)
            and not find_legal_forms([token], allow_ambiguous=False)
        ):
            out.extend(korean.segment_hangul_name(token))
        else:
            out.append(token)
    return out


def _person_tags(tokens: list[str], comma_split: int | None, korean_cyrillic: bool = False) -> list[str]:
    tags = ["given"] * len(tokens)
    if not tokens:
        return tags
    for i, token in enumerate(tokens):
        if cyrillic.is_patronymic(token):
            tags[i] = "patronymic"
    if comma_split is not None and 0 < comma_split < len(tokens):
        for i in range(comma_split):
            if tags[i] == "given":
                tags[i] = "family"
        return tags
    first = tokens[0]
    first_text = token_forms(first)[0]
    looks_korean = (
        korean_cyrillic
        or korean.has_hangul(first)
        or (script_of(first) == "Other" and scripts.family(first) == "Han")
        or (first_text in korean.SURNAME_EQUIV or korean.korean_key(first_text) in _KOREAN_SURNAME_KEYS)
    )
    family_at = 0 if looks_korean else len(tokens) - 1
    if tags[family_at] == "given":
        tags[family_at] = "family"
    elif family_at == len(tokens) - 1 and len(tokens) > 1 and tags[-2] == "given":
        tags[-2] = "family"
    return tags


_KOREAN_SURNAME_KEYS = frozenset(korean.korean_key(s) for s in _KOREAN_SURNAMES)


@lru_cache(maxsize=1)
def _korean_surname_coarse() -> frozenset[str]:
    """The same surnames, their other spellings and the data's further ones, as a
    Cyrillic spelling's coarse key can meet them (Ким, Ли, Чхве, Цой); built when
    first needed, not when the module is imported (it reads the package data)."""
    return frozenset(
        korean_cyrillic.coarse_key(korean.korean_key(korean.SURNAME_EQUIV.get(s, s)))
        for s in (*_KOREAN_SURNAMES, *_KOREAN_SURNAME_SPELLINGS, *korean_cyrillic.data()["more_surnames"])
    )


@lru_cache(maxsize=200000)
def analyze(name: str, kind: str = "other") -> tuple[Tok, ...]:
    """The tokens of a name (see the module docstring); () when it has none."""
    normal = normalize(name)
    if not normal:
        return ()
    in_scripts = False
    if any(script_of(t) == "Other" for t in normal.split()):
        in_scripts = scripts.has_family_letters(name)
        if in_scripts:
            # kept in their own script (read per token by `_script_forms`)
            normal = " ".join(
                t if scripts.family(t) else normalize(t) for t in scripts.prepare(name).split()
            ).strip()
            normal = " ".join(normal.split())
        else:
            normal = normalize(to_latin_other(normal))
    comma_split: int | None = None
    if kind == "person" and "," in name:
        comma_split = len(normalize(name.split(",", 1)[0]).split())
    raw_tokens = normal.split()
    tokens = _split_hangul(raw_tokens, kind)
    if in_scripts:
        tokens = scripts.split_han(tokens, kind)
    if comma_split is not None and len(tokens) != len(raw_tokens):
        comma_split = None
    legal_at: dict[int, str] = {}
    if kind != "person":
        spans = find_legal_forms(tokens, allow_ambiguous=kind == "org")
        covered = sum(end - start for start, end, _ in spans)
        if covered < len(tokens):  # a name made only of legal-form words keeps them as names
            for start, end, form_class in spans:
                for i in range(start, end):
                    legal_at[i] = form_class
    # a Korean personal name in Cyrillic (Ким Чен Ын): its words also get the coarse
    # Korean key they share with the Latin and Hangul spellings
    # (`names.korean_cyrillic`), whatever the query's schema (a trade party is a
    # LegalEntity), but not in a name with a legal form
    korean_cyr = (
        not legal_at
        and all(script_of(t) == "Cyrillic" for t in tokens)
        and korean_cyrillic.reads_as_korean(tokens, _korean_surname_coarse())
    )
    tags = _person_tags(tokens, comma_split, korean_cyr) if kind == "person" else ["name"] * len(tokens)
    if kind == "other":
        prefix = _vessel_prefix(tokens)
        for i in range(prefix):
            tags[i] = "stopword"
    result: list[Tok] = []
    for i, orig in enumerate(tokens):
        text, kkey, kloose, ksyllables, rkeys, script = token_forms(orig)
        if korean_cyr:
            # read as Korean, not by BGN (Хочжин is hojin, not khochzhin)
            text = korean_cyrillic.read_cyrillic(orig)
            kkey = kloose = korean_cyrillic.cyrillic_key(orig)
            ksyllables = korean_cyrillic.syllables(orig)
        legal = legal_at.get(i, "")
        if legal:
            tag, weight = "legal_form", LEGAL_WEIGHT
        elif tag_is_stop(tags[i]) or (text in STOPWORDS and len(tokens) > 1 and not korean_cyr):
            tag = "stopword"
            weight = 0.3 if text in _PARTICLES else STOPWORD_WEIGHT
        elif text.isdigit():
            tag, weight = "number", 1.0
        else:
            tag = tags[i]
            # a Korean surname read from Cyrillic weighs as its usual spelling (Ли: Ri)
            weight = COMMON_WEIGHTS.get(korean.SURNAME_EQUIV.get(text, text) if korean_cyr else text, 1.0)
            if len(text) == 1 and not kkey:
                weight = min(weight, 0.5)  # an initial
        stem = cyrillic.surname_stem(rkeys[0]) if len(rkeys[0]) > 4 else rkeys[0]
        result.append(Tok(orig, text, kkey, kloose, ksyllables, rkeys, stem, tag, legal, script, weight))
    return tuple(result)


# Ship prefixes (motor vessel, motor tanker, steamship...): MV Chem is the vessel CHEM.
_VESSEL_PREFIXES = (
    ("m", "v"),
    ("m", "t"),
    ("mv",),
    ("mt",),
    ("ms",),
    ("ss",),
    ("fv",),
    ("mfv",),
    ("sy",),
    ("my",),
)


def _vessel_prefix(tokens: list[str]) -> int:
    """How many leading tokens are a ship prefix (0 when none, or nothing follows)."""
    for prefix in _VESSEL_PREFIXES:
        size = len(prefix)
        if len(tokens) > size and tuple(tokens[:size]) == prefix:
            return size
    return 0


def tag_is_stop(tag: str) -> bool:
    return tag == "stopword"


def schema_kind(schema: str) -> str:
    """The analysis kind for a FollowTheMoney schema name."""
    if schema == "Person":
        return "person"
    if schema in ("Organization", "Company", "LegalEntity", "PublicBody"):
        return "org"
    return "other"
