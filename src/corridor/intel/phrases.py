"""Many phrases found at once in a text, with their character spans (Aho–Corasick).

The text is folded character by character the way `corridor.types.text.normalize`
folds names (NFKC, case folding, Latin accents off, apostrophes gone, every other
non-letter a space, runs of spaces one), and every folded character remembers the
original character it came from, so a match in the folded text maps back to an exact
span of the original.  Phrases are folded by `normalize` itself, so "Wŏnsan",
"WONSAN" and "Wonsan" meet, as do "Khasan-Tumangang" and "Khasan Tumangang".
A match counts only on word boundaries in any script, and where matches overlap the
longest wins (then the earliest).

Russian inflects inside a phrase ("пшеничная мука", "пшеничную муку"): a phrase with
Cyrillic words is also matched by its Snowball stems (snowballstemmer's Russian
stemmer) against the stems of the text's words, and the match covers the text's
whole words.  A stem shorter than three letters is not used (the word must match as
written).

Pure, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

import ahocorasick
import snowballstemmer

from corridor.types.text import APOSTROPHES, fold_accents, normalize

V = TypeVar("V")

_APOSTROPHE_SET = frozenset(APOSTROPHES)


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    if char in _APOSTROPHE_SET:
        return ""
    folded = fold_accents(unicodedata.normalize("NFKC", char).casefold())
    return "".join(c if (c.isalnum() and c != "_") else " " for c in folded if c not in _APOSTROPHE_SET)


def _hangul(char: str) -> bool:
    return "\uac00" <= char <= "\ud7a3"


def _cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def _inflection(text: str, end: int, key: str) -> bool:
    """A Korean particle or a Russian case ending glued to the phrase still ends it:
    블라디보스토크에서 holds 블라디보스토크, Владивостоке holds Владивосток (at most
    three Cyrillic letters more, and only after a phrase of five letters or more)."""
    if _hangul(key[-1]) and _hangul(text[end]):
        return True
    if _cyrillic(key[-1]) and len(key) >= 5:
        extra = 0
        while end + extra < len(text) and text[end + extra] != " ":
            if not _cyrillic(text[end + extra]):
                return False
            extra += 1
        return extra <= 3
    return False


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@lru_cache(maxsize=1)
def _russian_stemmer() -> Any:
    return snowballstemmer.stemmer("russian")


@lru_cache(maxsize=131072)
def stem_word(word: str) -> str:
    """A folded Russian word's Snowball stem (other words, and stems of fewer than three
    letters, as they are)."""
    if len(word) < 4 or not _CYRILLIC.search(word):
        return word
    stem: str = _russian_stemmer().stemWord(word)
    return stem if len(stem) >= 3 else word


def stem_phrase(key: str) -> str:
    return " ".join(stem_word(w) for w in key.split(" "))


@dataclass(frozen=True, slots=True)
class _Stemmed:
    """The folded text with every word replaced by its stem: for each stemmed
    character, the folded index it stands for and the folded end of its word."""

    text: str
    origin: list[int]
    word_end: list[int]


def _stem_text(folded: str) -> _Stemmed:
    out: list[str] = []
    origin: list[int] = []
    word_end: list[int] = []
    position = 0
    for word in folded.split(" "):
        if out:
            out.append(" ")
            origin.append(position - 1)
            word_end.append(position - 1)
        stem = stem_word(word) if word else word
        end = position + len(word)
        out.append(stem)
        for i in range(len(stem)):
            origin.append(position + min(i, len(word) - 1))
            word_end.append(end)
        position = end + 1
    return _Stemmed("".join(out), origin, word_end)


@dataclass(frozen=True, slots=True)
class Folded:
    """Folded text and, for each of its characters, the index of the original one."""

    text: str
    origin: list[int]
    length: int  # length of the original text

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of folded characters [start, end)."""
        return self.origin[start], (self.origin[end - 1] + 1 if end > start else self.origin[start])


# Punctuation replaced one for one before the ASCII fast path (the length stays the same).
_ASCII_PUNCTUATION = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "“": '"',
        "”": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
        "\u00a0": " ",
        "…": ".",
    }
)
_ASCII_WORD = re.compile(r"[a-z0-9]+(?:['`][a-z0-9]+)*")


def _fold_ascii(text: str, lower: str) -> Folded:
    out: list[str] = []
    origin: list[int] = []
    previous_end = 0
    for match in _ASCII_WORD.finditer(lower):
        start, word = match.start(), match.group(0)
        if out and out[-1] != " ":
            gap = previous_end
            while gap < start - 1 and lower[gap] in "'`":
                gap += 1  # apostrophes vanish; the separator is the first other character
            out.append(" ")
            origin.append(gap)
        previous_end = match.end()
        if "'" not in word and "`" not in word:
            out.append(word)
            origin.extend(range(start, match.end()))
            continue
        for offset, char in enumerate(word):
            index = start + offset
            if char in "'`":
                if (
                    word[offset + 1 : offset + 2] == "s"
                    and offset + 2 == len(word)
                    and out
                    and out[-1] != " "
                ):
                    out.append(" ")  # a possessive ends the word
                    origin.append(index)
                continue
            out.append(char)
            origin.append(index)
    return Folded("".join(out), origin, len(text))


def fold(text: str) -> Folded:
    """`text` folded as `normalize` folds names, with the original index of every
    folded character."""
    ascii_text = text.translate(_ASCII_PUNCTUATION)
    if ascii_text.isascii():
        return _fold_ascii(text, ascii_text.lower())
    out: list[str] = []
    origin: list[int] = []
    space = True  # collapse runs of spaces; no leading space
    length = len(text)
    for index, char in enumerate(text):
        if (
            char in _APOSTROPHE_SET
            and index + 1 < length
            and text[index + 1] in "sS"
            and (index + 2 >= length or not text[index + 2].isalnum())
        ):
            piece = " "  # a possessive ("Vladivostok's") ends the word; Ch'oe keeps its letters together
        elif char.isascii():
            if char == "'" or char == "`":
                continue
            piece = char.lower() if char.isalnum() else " "
        else:
            piece = _fold_char(char)
        for c in piece:
            if c == " ":
                if space:
                    continue
                space = True
            else:
                space = False
            out.append(c)
            origin.append(index)
    return Folded("".join(out), origin, len(text))


@dataclass(frozen=True, slots=True)
class PhraseMatch(Generic[V]):
    start: int  # in the original text
    end: int
    phrase: str  # the phrase as folded
    value: V


class PhraseMatcher(Generic[V]):
    """Whole-word matching of many phrases, each with a value; built once."""

    def __init__(self, phrases: Iterable[tuple[str, V]], stem_cyrillic: bool = True) -> None:
        self._automaton = ahocorasick.Automaton()
        self._stems = ahocorasick.Automaton()
        count = 0
        stems = 0
        for phrase, value in phrases:
            key = normalize(phrase)
            if not key:
                continue
            if key in self._automaton:
                existing: tuple[str, list[V]] = self._automaton.get(key)
                existing[1].append(value)
                continue
            entry: tuple[str, list[V]] = (key, [value])
            self._automaton.add_word(key, entry)
            count += 1
            if stem_cyrillic and _CYRILLIC.search(key):
                stemmed = stem_phrase(key)
                if stemmed not in self._stems:
                    self._stems.add_word(stemmed, (stemmed, entry))
                    stems += 1
        self.size = count
        self.stem_size = stems
        if count:
            self._automaton.make_automaton()
        if stems:
            self._stems.make_automaton()

    def __len__(self) -> int:
        return self.size

    def find_folded(self, folded: Folded) -> list[PhraseMatch[list[V]]]:
        """Non-overlapping whole-word matches, longest first; values of equal phrases together."""
        if not self.size:
            return []
        text = folded.text
        candidates: list[tuple[int, int, str, list[V]]] = []
        for end_index, (key, values) in self._automaton.iter(text):
            start = end_index - len(key) + 1
            end = end_index + 1
            if start > 0 and text[start - 1] != " ":
                continue
            if end < len(text) and text[end] != " " and not _inflection(text, end, key):
                continue
            candidates.append((start, end, key, values))
        if self.stem_size and _CYRILLIC.search(text):
            candidates.extend(self._stem_candidates(text))
        candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        taken = bytearray(len(text))  # characters already part of a longer match
        chosen: list[PhraseMatch[list[V]]] = []
        for start, end, key, values in candidates:
            if taken.find(1, start, end) != -1:
                continue
            taken[start:end] = b"\x01" * (end - start)
            o_start, o_end = folded.span(start, end)
            chosen.append(PhraseMatch(o_start, o_end, key, values))
        chosen.sort(key=lambda m: m.start)
        return chosen

    def _stem_candidates(self, text: str) -> list[tuple[int, int, str, list[V]]]:
        """Matches of stemmed phrases on the stemmed words, as spans of whole folded words."""
        stemmed = _stem_text(text)
        s_text = stemmed.text
        out: list[tuple[int, int, str, list[V]]] = []
        for end_index, (stem, entry) in self._stems.iter(s_text):
            start = end_index - len(stem) + 1
            end = end_index + 1
            if (start > 0 and s_text[start - 1] != " ") or (end < len(s_text) and s_text[end] != " "):
                continue
            out.append((stemmed.origin[start], stemmed.word_end[end_index], entry[0], entry[1]))
        return out

    def find(self, text: str) -> list[PhraseMatch[list[V]]]:
        return self.find_folded(fold(text))
