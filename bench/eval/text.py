"""Plain-text helpers for building and de-duplicating evaluation examples.

`fold` and `tokens` give a case-, accent- and punctuation-blind view of a Latin
name.  `skeleton` goes further and merges spellings that transliteration
schemes disagree on (y/i/j, kh/h, ts/tz/z...): it is deliberately loose,
because it is only used to *exclude* candidate negatives that might really be a
listed name, never to decide a positive.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_APOSTROPHES = "'’‘`´ʼʻ\u02bf\u02be"
_SPLIT_RE = re.compile(r"[^\w]+|_")

# Ordered: longer sequences first so "shch" is not read as "sh" + "ch".
_SKELETON_RULES: tuple[tuple[str, str], ...] = (
    ("shch", "sh"),
    ("schtsch", "sh"),
    ("chtch", "sh"),
    ("tsch", "ch"),
    ("tch", "ch"),
    ("sch", "sh"),
    ("kh", "h"),
    ("gh", "g"),
    ("ph", "f"),
    ("th", "t"),
    ("zh", "j"),
    ("dj", "j"),
    ("dzh", "j"),
    ("tz", "c"),
    ("ts", "c"),
    ("ck", "k"),
    ("ks", "x"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("ie", "e"),
    ("ye", "e"),
    ("yo", "o"),
    ("yu", "u"),
    ("iu", "u"),
    ("ya", "a"),
    ("ia", "a"),
    ("w", "v"),
    ("y", "i"),
    ("j", "i"),
    ("q", "k"),
)


def strip_marks(text: str) -> str:
    """Remove diacritics: "Chŏl" -> "Chol", "Ёлкин" -> "Елкин"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def fold(text: str) -> str:
    """Lower case, no accents, no apostrophes, punctuation as single spaces."""
    text = strip_marks(text).casefold()
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    return " ".join(t for t in _SPLIT_RE.split(text) if t)


def tokens(text: str) -> list[str]:
    return fold(text).split()


def skeleton(token: str) -> str:
    """A loose spelling key for one folded Latin token (see module docstring)."""
    out = token
    for old, new in _SKELETON_RULES:
        out = out.replace(old, new)
    # doubled letters: "Gennadiy"/"Genadi", "Rossiya"/"Rosia"
    out = re.sub(r"(.)\1+", r"\1", out)
    # endings transliterated three ways: -iy/-ii/-i/-y, -ey/-ei/-ej
    out = re.sub(r"i+$", "i", out)
    return out


def name_key(text: str) -> str:
    """Order-free token key of a Latin name: "KIM, Jong-Un" == "Jong Un Kim"."""
    return " ".join(sorted(tokens(text)))


def skeleton_key(text: str) -> str:
    return " ".join(sorted(skeleton(t) for t in tokens(text)))


def joined_key(text: str) -> str:
    """All letters run together, skeletonised: catches "Kimjongun" == "Kim Jong Un"
    only when the order also agrees, so it is used together with `skeleton_key`."""
    return skeleton("".join(tokens(text)))


def levenshtein(a: str, b: str) -> int:
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def script_of(text: str) -> str:
    """The dominant script of the letters: Latin, Hangul, Cyrillic, Han, Arabic... or ""."""
    counts: dict[str, int] = {}
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        script = name.split(" ", 1)[0] if name else "Other"
        if script == "CJK":
            script = "Han"
        counts[script] = counts.get(script, 0) + 1
    if not counts:
        return ""
    return max(counts.items(), key=lambda item: item[1])[0].title()


def similarity(a: str, b: str) -> float:
    """1 - normalised edit distance of two skeletons."""
    a, b = skeleton(a), skeleton(b)
    if not a or not b:
        return 0.0
    return 1.0 - levenshtein(a, b) / max(len(a), len(b))


def word_overlap(query: str, names: Iterable[str], min_similarity: float = 0.7) -> float:
    """Share of the query's words (3+ letters) that resemble a word of the best of
    `names` (Latin text).  Used to keep only positives a name matcher can be asked
    to find: "Фонд стратегической культуры" is a translation of "STRATEGIC CULTURE
    FOUNDATION", not a spelling of it, and scores 0."""
    words = [w for w in tokens(query) if len(w) >= 3] or tokens(query)
    if not words:
        return 0.0
    best = 0.0
    for name in names:
        other = tokens(name)
        if not other:
            continue
        found = sum(1 for w in words if max(similarity(w, o) for o in other) >= min_similarity)
        best = max(best, found / len(words))
    return best
