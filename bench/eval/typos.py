"""Keyboard typos, as a data-entry clerk makes them, written independently of the engine.

One typo is one of: a neighbouring key struck instead of a letter (QWERTY for
Latin, ЙЦУКЕН for Cyrillic), a letter left out, two adjacent letters swapped, or
a neighbouring key struck as well (an extra letter).  Typos hit words of four or
more letters and never their first letter (clerks read the start of a word
back); two typos in one name hit two different words, or one word of eight or
more letters twice (TIFON -> TFO is a new name, not a slip).

For Korean names a "typo" that turns a syllable into another valid syllable
(Chol -> Chil) is not a typo but another name (the near misses test those):
`korean_syllable_check` rejects such results using the evaluation's own syllable
inventory (`bench.eval.korean.segment`), not the engine's.
"""

from __future__ import annotations

import random
from collections.abc import Callable

_QWERTY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_JCUKEN_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")


def _neighbours(rows: tuple[str, ...]) -> dict[str, str]:
    """Keys next to each key on the same row and on the rows above and below
    (a staggered keyboard: row r, column c touches columns c-1..c+1 of r±1)."""
    out: dict[str, str] = {}
    for r, row in enumerate(rows):
        for c, key in enumerate(row):
            near = []
            for rr in (r - 1, r, r + 1):
                if 0 <= rr < len(rows):
                    other = rows[rr]
                    for cc in (c - 1, c, c + 1) if rr != r else (c - 1, c + 1):
                        if 0 <= cc < len(other) and other[cc] != key:
                            near.append(other[cc])
            out[key] = "".join(near)
    return out


NEIGHBOURS: dict[str, str] = {**_neighbours(_QWERTY_ROWS), **_neighbours(_JCUKEN_ROWS)}
KINDS = ("adjacent", "deletion", "transposition", "insertion")


def _keep_case(new: str, like: str) -> str:
    return new.upper() if like.isupper() else new


LONG_WORD = 8  # a word this long may take two typos


def _positions(name: str, taken: set[int]) -> list[int]:
    """Letter positions a typo may hit: inside a word of 4+ letters, not its first
    letter, and not in a word shorter than LONG_WORD that a typo already hit."""
    out: list[int] = []
    start = None
    for i, char in enumerate([*name, " "]):
        if char.isalpha():
            if start is None:
                start = i
            continue
        if start is not None and i - start >= 4:
            word = range(start + 1, i)
            if i - start >= LONG_WORD or not any(k in taken for k in range(start - 1, i + 1)):
                out.extend(k for k in word if k not in taken)
        start = None
    return out


def one_typo(name: str, rng: random.Random, taken: set[int]) -> tuple[str, str, int] | None:
    """(new name, kind of typo, position) or None when no word is long enough.
    `taken` holds the positions earlier typos hit (they are not hit again)."""
    positions = _positions(name, taken)
    if not positions:
        return None
    kinds = list(KINDS)
    rng.shuffle(kinds)
    for _try in range(6):
        at = rng.choice(positions)
        char = name[at]
        near = NEIGHBOURS.get(char.lower(), "")
        for kind in kinds:
            if kind == "adjacent" and near:
                return name[:at] + _keep_case(rng.choice(near), char) + name[at + 1 :], kind, at
            if kind == "deletion":
                return name[:at] + name[at + 1 :], kind, at
            following = name[at + 1] if at + 1 < len(name) else ""
            if kind == "transposition" and following.isalpha() and following.lower() != char.lower():
                return name[:at] + name[at + 1] + char + name[at + 2 :], kind, at
            if kind == "insertion" and near:
                return name[:at] + char + _keep_case(rng.choice(near), char) + name[at + 1 :], kind, at
    return None


def with_typos(
    name: str, count: int, rng: random.Random, reject: Callable[[str], bool] | None = None, tries: int = 12
) -> tuple[str, str] | None:
    """`name` with `count` typos at different positions, and a note naming them;
    None when no such spelling passes `reject` (a result it returns True for is
    thrown away: e.g. another valid Korean syllable)."""
    for _try in range(tries):
        text, kinds, taken = name, [], set[int]()
        for _n in range(count):
            made = one_typo(text, rng, taken)
            if made is None:
                break
            text, kind, at = made
            kinds.append(kind)
            # positions after an inserted/deleted letter shift by one: keep a margin
            taken.update({at - 1, at, at + 1})
        if len(kinds) < count or text == name:
            continue
        if reject is not None and reject(text):
            continue
        return text, "+".join(kinds)
    return None
