"""Text: the one normaliser for every key and comparison, in any script.

Every name, listed or queried, every trade party, port, bank or product
descriptor goes through `normalize` (then `tokenize`, `name_key` or a
`TermMatcher`), so a Cyrillic or Hangul party has a key as a Latin one has:

* Unicode NFKC (full-width letters, ligatures, compatibility forms),
* case folding,
* accent folding for Latin letters only (ŏ → o, ŭ → u, é → e, ß → ss, ø → o):
  Hangul and Cyrillic are kept as they are, because NFD would split Hangul
  syllables into jamo and й/ё into и/е plus a mark before we transliterate them,
* apostrophes and breves vanish (Ch'oe, Ch’oe, Chʼoe → choe) because the
  McCune–Reischauer aspiration mark is dropped by most lists,
* every other non-letter, non-digit (hyphens, dots, commas, slashes, control
  characters) separates tokens: Yong-chol → yong chol.

`inert` is the other direction: how list data and user input are shown, with
control characters (terminal escapes, bidi overrides) made visible and harmless.

Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Marks that are part of a romanised name rather than separators: MR aspiration
# apostrophes and the Cyrillic soft/hard sign as lists write them in Latin.
APOSTROPHES = "'’‘ʼʻ`´′ʹʽʿʾ"
_APOSTROPHE_RE = re.compile(f"[{APOSTROPHES}]")
_TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)

# Latin letters NFD cannot take apart.
_LATIN_SPECIAL = {
    "ø": "o",
    "æ": "ae",
    "œ": "oe",
    "đ": "d",
    "ð": "d",
    "ł": "l",
    "ı": "i",
    "þ": "th",
    "ŀ": "l",
    "ħ": "h",
    "ŧ": "t",
    "ĸ": "k",
    "ŋ": "ng",
}


def _is_foldable(char: str) -> bool:
    """Latin letters (and marks on them) are accent-folded; other scripts are not."""
    code = ord(char)
    return code < 0x0370 or 0x1E00 <= code <= 0x1EFF


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _LATIN_SPECIAL:
        return _LATIN_SPECIAL[char]
    decomposed = unicodedata.normalize("NFD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_accents(text: str) -> str:
    """Drop diacritics from Latin letters; leave every other script untouched."""
    if text.isascii():
        return text
    out = []
    for char in text:
        if char.isascii():
            out.append(char)
        elif _is_foldable(char):
            out.append(_fold_char(char))
        elif unicodedata.category(char) == "Mn" and out and out[-1].isascii():
            # a combining mark left over after a Latin letter (e.g. u + U+0306 breve)
            continue
        else:
            out.append(char)
    return "".join(out)


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """The comparable form of a name: NFKC, case-folded, Latin accents folded,
    apostrophes removed, every other separator a single space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = fold_accents(text)
    text = _APOSTROPHE_RE.sub("", text)
    return " ".join(_TOKEN_RE.findall(text))


def tokenize(text: str) -> list[str]:
    """Tokens of an already normalised name."""
    return text.split()


def strip_controls(text: str) -> str:
    """Control and format characters replaced by spaces (they never carry a name)."""
    if text.isprintable():
        return text
    return "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") else c for c in text)


def is_ascii_digits(text: str) -> bool:
    """Only the digits 0-9, at least one.  `str.isdigit` also accepts superscripts
    and other scripts' digits ("²6", "٣"), which `int()` refuses or reads as
    numbers no list means: a number field is checked with this before `int()`."""
    return text.isascii() and text.isdigit()


def has_letters_or_digits(text: str) -> bool:
    return any(c.isalnum() for c in text)


def script_of(token: str) -> str:
    """Hangul, Cyrillic, Latin or Other for one token (by its first letter)."""
    for char in token:
        code = ord(char)
        if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
            if char.isalpha():
                return "Latin"
            continue
        if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            return "Hangul"
        if 0x0400 <= code <= 0x052F:
            return "Cyrillic"
        if char.isalpha():
            return "Other"
    return "Latin"


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """`normalize` plus runs of single letters joined: "L.L.C." -> "llc",
    "D.P.R.K." -> "dprk", so exact name matching ignores how initials are punctuated."""
    out: list[str] = []
    run = ""
    for token in normalize(text).split():
        if len(token) == 1:
            run += token
            continue
        if run:
            out.append(run)
            run = ""
        out.append(token)
    if run:
        out.append(run)
    return " ".join(out)


class TermMatcher:
    """Whole-word matching of many terms in normalised text (any script); the
    longest term wins.  Terms are compiled once into one regex."""

    __slots__ = ("_lookup", "_regex", "terms")

    def __init__(self, terms: Iterable[str], values: Iterable[str] | None = None) -> None:
        normalised = [normalize(t) for t in terms]
        vals = list(values) if values is not None else normalised
        self._lookup: dict[str, str] = {}
        for term, value in zip(normalised, vals, strict=True):
            if term:
                self._lookup.setdefault(term, value)
        self.terms = tuple(sorted(self._lookup, key=len, reverse=True))
        pattern = "|".join(re.escape(t) for t in self.terms) or r"(?!x)x"
        # word boundaries in any script: a term never matches inside a longer word
        self._regex = re.compile(rf"(?<![^\W_])(?:{pattern})(?![^\W_])")

    def __bool__(self) -> bool:
        return bool(self.terms)

    def search(self, normalised_text: str) -> str | None:
        """The value of the longest term found in `normalised_text`, or None."""
        if not normalised_text:
            return None
        best: str | None = None
        for match in self._regex.finditer(normalised_text):
            term = match.group(0)
            if best is None or len(term) > len(best):
                best = term
        return self._lookup[best] if best is not None else None

    def found(self, normalised_text: str) -> str | None:
        """The first term found (as written normalised), or None."""
        match = self._regex.search(normalised_text) if normalised_text else None
        return match.group(0) if match else None


_CONTROL_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))


def inert(text: object) -> str:
    """`text` safe to show on a terminal or in a log: every control or format
    character (ESC, BEL, C1 controls, bidi overrides, line separators) becomes a
    visible escape such as `\\x1b`, so list data and user input can never move the
    cursor, retitle the window, hide text or fake a hyperlink.  Tabs and newlines
    are escaped too: one value is one line."""
    value = str(text)
    if value.isprintable():
        return value
    out: list[str] = []
    for char in value:
        if char == " " or unicodedata.category(char) not in _CONTROL_CATEGORIES:
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return "".join(out)
