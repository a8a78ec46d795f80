"""Text normalisation shared by the trade checks (names, ports, product descriptors).

`norm("Namp'o Port, D.P.R.K.")` -> "nampo port d p r k": accents and apostrophes
removed, case folded, anything not a letter or digit turned into one space.  Term
lists are compiled once into one whole-word regex (`TermMatcher`), so checking a
transaction never compiles a pattern.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_APOSTROPHES = str.maketrans("", "", "'’ʼ‘`´")
_NON_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """Case-folded, accent-free, punctuation-free text with single spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.casefold().translate(_APOSTROPHES)).strip()


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """`norm` plus runs of single letters joined: "L.L.C." -> "llc", "D.P.R.K." -> "dprk",
    so exact name matching ignores how initials are punctuated."""
    out: list[str] = []
    run = ""
    for token in norm(text).split():
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
    """Whole-word matching of many terms in normalised text; the longest term wins."""

    __slots__ = ("_lookup", "_regex", "terms")

    def __init__(self, terms: Iterable[str], values: Iterable[str] | None = None) -> None:
        normalised = [norm(t) for t in terms]
        vals = list(values) if values is not None else normalised
        self._lookup: dict[str, str] = {}
        for term, value in zip(normalised, vals, strict=True):
            if term:
                self._lookup.setdefault(term, value)
        self.terms = tuple(sorted(self._lookup, key=len, reverse=True))
        pattern = "|".join(re.escape(t) for t in self.terms) or r"(?!x)x"
        self._regex = re.compile(rf"(?<![0-9a-z])(?:{pattern})(?![0-9a-z])")

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
