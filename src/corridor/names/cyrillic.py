"""Russian names: Cyrillic → the Latin spellings met in practice, and one
"Russian phonetic key" that Cyrillic and every Latin spelling map to.

Schemes (`transliterate(text, scheme)`): BGN/PCGN (Yevgeniy), ICAO 9303 as in
passports (Evgenii), ISO 9 (Evgenij with ž/č/š), GOST 7.79 B (Evgenij, shh, cz),
scholarly (Evgenij, ž/x), French (Evgueni, Iouri, Tchernov, Prigojine) and German
(Jewgeni, Juri, Tschernow, Prigoschin).

`russian_keys(token)` folds what the schemes disagree on into one spelling of
Russian sounds: ж/ш/щ/з/с and zh, sh, sch, shch, z, s → S; ч/ц and ch, tch, tsch, ts,
tz → C; х and kh, h → H; w → v; ph → f; ou/oo → u; x → ks; y/j/i (й, ы, и and the
glides of е, ё, ю, я) → i with runs of i collapsed and ie/io → e (so Yevgeniy,
Evgeniy, Evgenii, Jewgeni and Евгений all give "evgeni"); gu before e/i → g
(French Evgueni); a French final -ine → -in (Poutine, Prigojine).  Latin "ch" is
ч in English, х in German and ш in French, and "j" between vowels is ж in French:
for those the function returns up to three alternative keys (Cyrillic has one).

Patronymics (-ovich, -evich, -ovna, -evna, -ichna, -ich in any spelling) are
recognised on the key, and feminine surname forms (-ova/-ov, -eva/-ev, -ina/-in,
-skaya/-skiy) share a `surname_stem`.

Pure functions, no I/O.
"""

from __future__ import annotations

import re
from functools import lru_cache

CYRILLIC_RANGE = (0x0400, 0x052F)

_VOWELS_CYR = frozenset("аеёиоуыэюяіїє")
_IOTATING = frozenset("ъьй") | _VOWELS_CYR

# Per-letter tables; context rules (iotated е, endings) are applied in `transliterate`.
_BASE = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
    "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
}  # fmt: skip

SCHEMES: dict[str, dict[str, str]] = {
    "bgn": {**_BASE, "ё": "yo", "ъ": "", "ь": ""},
    "icao": {**_BASE, "й": "i", "ъ": "ie", "ю": "iu", "я": "ia", "ё": "e"},
    "iso9": {**_BASE, "ж": "ž", "й": "j", "х": "h", "ц": "c", "ч": "č", "ш": "š", "щ": "ŝ", "ю": "û", "я": "â", "ё": "ë", "э": "è"},
    "gost_b": {**_BASE, "й": "j", "х": "x", "ц": "cz", "щ": "shh", "ё": "yo", "ы": "y", "э": "e"},
    "scholarly": {**_BASE, "ж": "ž", "й": "j", "х": "x", "ц": "c", "ч": "č", "ш": "š", "щ": "šč", "ю": "ju", "я": "ja", "ё": "ë"},
    "french": {**_BASE, "ж": "j", "у": "ou", "х": "kh", "ч": "tch", "ш": "ch", "щ": "chtch", "ю": "iou", "я": "ia", "ё": "io", "й": "ï"},
    "german": {**_BASE, "в": "w", "ж": "sch", "з": "s", "й": "j", "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch", "щ": "schtsch", "ю": "ju", "я": "ja", "ё": "jo"},
}  # fmt: skip
# How each scheme writes е where it is iotated (word start, after a vowel or a sign).
_IOTATED_E = {
    "bgn": "ye",
    "icao": "e",
    "iso9": "e",
    "gost_b": "e",
    "scholarly": "e",
    "french": "e",
    "german": "je",
}
# Adjectival endings -ий/-ый as each scheme writes them.
_ENDINGS = {
    "bgn": {"ий": "iy", "ый": "yy"},
    "icao": {"ий": "ii", "ый": "yi"},
    "iso9": {"ий": "ij", "ый": "yj"},
    "gost_b": {"ий": "ij", "ый": "yj"},
    "scholarly": {"ий": "ij", "ый": "yj"},
    "french": {"ий": "i", "ый": "y"},
    "german": {"ий": "i", "ый": "y"},
}


def is_cyrillic(text: str) -> bool:
    return any(CYRILLIC_RANGE[0] <= ord(c) <= CYRILLIC_RANGE[1] for c in text)


def _word(word: str, scheme: str) -> str:
    table = SCHEMES[scheme]
    lower = word.lower()
    ending = ""
    for cyr, lat in _ENDINGS[scheme].items():
        if lower.endswith(cyr) and len(lower) > 3:
            lower, ending = lower[: -len(cyr)], lat
            break
    out: list[str] = []
    prev = ""
    for index, char in enumerate(lower):
        nxt = lower[index + 1] if index + 1 < len(lower) else ""
        if char == "е" and (not prev or prev in _IOTATING):
            piece = _IOTATED_E[scheme]
        elif scheme == "french" and char == "г" and nxt in "еиыэ":
            piece = "gu"
        elif scheme == "french" and char == "и" and prev in _VOWELS_CYR:
            piece = "ï"
        elif scheme in ("german", "french") and char == "с" and prev in _VOWELS_CYR and nxt in _VOWELS_CYR:
            piece = "ss"
        else:
            piece = table.get(char, char)
        out.append(piece)
        prev = char
    result = "".join(out) + ending
    if scheme == "french" and result.endswith("in"):
        result += "e"  # Poutine, Prigojine
    return result


def transliterate(text: str, scheme: str = "bgn") -> str:
    """Cyrillic text in one Latin scheme (lower case; non-Cyrillic kept)."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; expected one of {', '.join(SCHEMES)}")
    return re.sub(
        r"[^\W\d_]+", lambda m: _word(m.group(0), scheme) if is_cyrillic(m.group(0)) else m.group(0), text
    )


def spellings(text: str) -> list[str]:
    """The same Cyrillic text in every scheme, de-duplicated, BGN first."""
    return list(dict.fromkeys(transliterate(text, scheme) for scheme in SCHEMES))


# --- the Russian phonetic key --------------------------------------------------------

_CYR_KEY = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "io", "ж": "S", "з": "S", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "S", "т": "t",
    "у": "u", "ф": "f", "х": "H", "ц": "C", "ч": "C", "ш": "S", "щ": "S", "ъ": "", "ы": "i", "ь": "",
    "э": "e", "ю": "iu", "я": "ia", "і": "i", "ї": "i", "є": "ie", "ґ": "g",
}  # fmt: skip

# Latin sequences, longest first (applied left to right in one pass).
_LATIN_SEQ: tuple[tuple[str, str], ...] = (
    ("schtsch", "S"),
    ("shtch", "S"),
    ("chtch", "S"),
    ("shch", "S"),
    ("tsch", "C"),
    ("sch", "S"),
    ("tch", "C"),
    ("zh", "S"),
    ("sh", "S"),
    ("kh", "H"),
    ("ts", "C"),
    ("tz", "C"),
    ("cz", "C"),
    ("ph", "f"),
    ("ck", "k"),
    ("ou", "u"),
    ("oo", "u"),
    ("ch", "?"),  # ч (English), х (German) or ш (French): alternatives below
    ("x", "ks"),
    ("w", "v"),
    ("z", "S"),
    ("s", "S"),
    ("y", "i"),
    ("q", "k"),
    ("h", "H"),
)
_CH_CHOICES = ("C", "H", "S")
_VOWEL_KEY = frozenset("aeiou")


_SEQ_MAP = dict(_LATIN_SEQ)
# One alternation, longest sequences first; the single letters with context
# rules (c, French gu, j) are their own alternatives.
_SEQ_RE = re.compile(
    "|".join(re.escape(seq) for seq, _ in sorted(_LATIN_SEQ, key=lambda p: -len(p[0])))
    + r"|c(?=[eiy])|c|gu(?=[ei])|(?<=[aeiou])j(?=[aeiou])|j"
)


def _seq_rep(match: re.Match[str]) -> str:
    found = match.group(0)
    rep = _SEQ_MAP.get(found)
    if rep is not None:
        return rep
    if found == "c":
        # c before e/i/y is ц (ISO, Polish-style spellings); elsewhere a k (Victor)
        nxt = match.string[match.end() : match.end() + 1]
        return "C" if nxt in ("e", "i", "y") else "k"
    if found == "gu":
        return "g"  # French gu before e/i is a hard g
    # j between vowels is French ж; elsewhere a glide (й, я, ю, е)
    start = match.start()
    text = match.string
    if 0 < start < len(text) - 1 and text[start - 1] in _VOWEL_KEY and text[start + 1] in _VOWEL_KEY:
        return "J"
    return "i"


def _latin_key_raw(token: str) -> str:
    return _SEQ_RE.sub(_seq_rep, token)


_I_RUN_RE = re.compile(r"i{2,}")


def _finish(key: str) -> str:
    key = _I_RUN_RE.sub("i", key)
    key = key.replace("ie", "e").replace("io", "e")
    if key.endswith("ine") and len(key) > 4:
        key = key[:-1]  # French -ine (Poutine, Prigojine)
    out: list[str] = []
    for char in key:
        if not out or out[-1] != char:
            out.append(char)
    return "".join(out)


@lru_cache(maxsize=65536)
def russian_keys(token: str) -> tuple[str, ...]:
    """Phonetic keys of one token (lower case; Cyrillic or Latin ASCII).  The first
    key is the main one; Latin ch and intervocalic j add alternatives (≤ 3)."""
    if is_cyrillic(token):
        return (_finish("".join(_CYR_KEY.get(c, c) for c in token.lower())),)
    raw = _latin_key_raw(token)
    variants = [raw]
    if "?" in raw:
        variants = [raw.replace("?", choice) for choice in _CH_CHOICES]
    if "J" in raw:
        variants = [v.replace("J", "i") for v in variants] + [v.replace("J", "S") for v in variants[:1]]
    return tuple(dict.fromkeys(_finish(v) for v in variants))


def russian_key(token: str) -> str:
    """The main phonetic key of one token."""
    return russian_keys(token)[0]


_PATRONYMIC_KEY_RE = re.compile(r"(?:[oe]viC|[oe]vna|iCna)$")
_PATRONYMIC_CYR_RE = re.compile(r"(?:ович|евич|овна|евна|ична|инична|ич)$")


def is_patronymic(token: str) -> bool:
    """-ovich/-evich/-ovna/-evna/-ichna (any spelling, or Cyrillic) on a token of 6+ letters."""
    if len(token) < 6:
        return False
    if is_cyrillic(token):
        return bool(_PATRONYMIC_CYR_RE.search(token.lower()))
    return any(_PATRONYMIC_KEY_RE.search(key) for key in russian_keys(token))


_FEMININE = (("Skaia", "Ski"), ("ova", "ov"), ("eva", "ev"), ("ina", "in"))


def surname_stem(key: str) -> str:
    """A Russian key with a feminine surname ending taken back to the masculine
    (Ivanova → Ivanov, Petrovskaya → Petrovskiy): gender forms share a stem."""
    for feminine, masculine in _FEMININE:
        if key.endswith(feminine) and len(key) > len(feminine) + 2:
            return key[: -len(feminine)] + masculine
    return key
