"""Korean names written in Cyrillic, and the key they share with Latin and Hangul.

Russian documents write Korean names by the Kontsevich system (Ким Чжон Ын, Чхве
Рён Хэ, Ли Сон Гвон) or its common variants (Ким Чен Ын, Ким Ир Сен, Пак Пон
Джу, Цой).  Cyrillic cannot say what the Latin schemes keep apart: final ㅇ and
ㄴ are both н (Чон is 정 or 전), ㅓ and ㅗ are both о and the press writes ㅓ as е
(Чен, Сен), ㅐ is э.  So a name read from Cyrillic meets the others on a coarser
key, `coarse_key`, defined on the Korean key (`names.korean.korean_key`) of any
spelling: doubled consonants single, then ng → n (nk in the Korean key:
Cyrillic writes 정은 Чен Ын and Чжонъын), e → o (ㅓ is о, and е in the press's
Чен, Сен; ae stays apart as ao: Хэ = Hae), oe → we (Чхве = Choe), ui → i (Хи =
Hui), y after j and s dropped (Cyrillic е is ye, and ㅈ ㅅ take no glide that
names keep apart: Чен = Jong, Ен = Yong).  u stays apart from o: Cyrillic
writes у and ы (Un, Eun = Ын) apart from о, as the DPRK spellings do.  It is used only
where one side is Cyrillic: between Latin and Hangul spellings the finer Korean
keys still decide (Jong ≠ Jon).

* `read_cyrillic(word)`  the Latin letters of a Cyrillic word as the data's
  table reads them (чж → j, чх → ch, ё → yo, ы → eu, э → ae, ль → l, нъ → ng),
  before the Korean key folds them;
* `cyrillic_key(word)`   the coarse key of a Cyrillic word read as Korean;
* `loose_key(key)`       a coarse key with u and o merged (retrieval, and 0.85);
* `syllables(word)`      how many Korean syllables the word splits into (0: not
  Korean-shaped: some letter or cluster no syllable has);
* `reads_as_korean(words, surname_keys)`  a personal name whose first word is a
  Korean family name in Cyrillic and whose every word splits into at most
  `max_syllables` Korean syllables (Ким Чен Ын, Чхве Рён Хэ; not Ким Александр
  Иванович).

The tables are data (`data/korean_cyrillic.yaml`), read once.  Pure, no I/O.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from corridor.names import korean, tables


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    """`data/korean_cyrillic.yaml`, checked against its schema."""
    return tables.load("korean_cyrillic")


@lru_cache(maxsize=1)
def _letters_re() -> tuple[re.Pattern[str], dict[str, str]]:
    letters: dict[str, str] = data()["letters"]
    ordered = sorted(letters, key=len, reverse=True)
    return re.compile("|".join(re.escape(s) for s in ordered)), letters


@lru_cache(maxsize=1)
def _syllable_re() -> re.Pattern[str]:
    shape = data()["syllable"]

    def alternatives(items: list[str]) -> str:
        return "|".join(re.escape(s) for s in sorted(items, key=len, reverse=True))

    return re.compile(
        f"(?:{alternatives(shape['initials'])})?(?:{alternatives(shape['vowels'])})(?:{alternatives(shape['finals'])})?"
    )


@lru_cache(maxsize=16384)
def read_cyrillic(word: str) -> str:
    """The Latin letters of a (lower-case) Cyrillic word as the table reads them;
    letters the table lacks are kept, so the word does not read as Korean."""
    pattern, letters = _letters_re()
    return pattern.sub(lambda m: letters[m.group(0)], word)


_DOUBLED_RE = re.compile(r"([^aeiouy])\1+")  # doubled consonants (kk, ss, ngg → nkk)
_Y_RE = re.compile(r"(?<=[js])y")


@lru_cache(maxsize=65536)
def coarse_key(kkey: str) -> str:
    """The key a Korean key shares with the Cyrillic spellings (see the module
    docstring); idempotent, so a key already coarse stays as it is."""
    key = _DOUBLED_RE.sub(r"\1", kkey)
    key = key.replace("ng", "n").replace("nk", "n").replace("ui", "i").replace("oe", "we")
    key = _Y_RE.sub("", key).replace("e", "o")
    return _DOUBLED_RE.sub(r"\1", key)


def loose_key(key: str) -> str:
    """A coarse key with u and o merged, as the popular Latin spellings merge them
    (Sung, Jung, Chun for 성 정 전: Сон, Чон): the retrieval key, and a weaker
    likeness than the coarse key itself."""
    return key.replace("u", "o")


@lru_cache(maxsize=16384)
def cyrillic_key(word: str) -> str:
    """The coarse Korean key of a Cyrillic word (Чен, Чжон → jon; Ын → on)."""
    return coarse_key(korean.korean_key(read_cyrillic(word)))


@lru_cache(maxsize=16384)
def syllables(word: str) -> int:
    """How many Korean syllables a lower-case Cyrillic word splits into, the
    fewest that cover it; 0 when it does not split (a Russian word, mostly)."""
    pattern = _syllable_re()
    size = len(word)
    if not size or size > 18:
        return 0
    best: list[int] = [0] + [-1] * size  # best[i]: fewest syllables covering word[:i]
    for start in range(size):
        if best[start] < 0:
            continue
        for end in range(start + 1, min(size, start + 5) + 1):
            if pattern.fullmatch(word, start, end):
                count = best[start] + 1
                if best[end] < 0 or count < best[end]:
                    best[end] = count
    return max(best[size], 0)


def reads_as_korean(words: list[str], surname_keys: frozenset[str]) -> bool:
    """A Cyrillic personal name written as Korean names are: its first word one
    syllable whose coarse key is a Korean family name's (`surname_keys`, coarse
    keys of the romanised surnames `names.tokens` knows: Ким, Ли, Пак, Чхве,
    Цой…) and every word at most `max_syllables` Korean syllables (Ким Чен Ын;
    not Ким Александр Иванович)."""
    if not words or len(words) > 4 or syllables(words[0]) != 1 or cyrillic_key(words[0]) not in surname_keys:
        return False
    limit = int(data()["max_syllables"])
    return all(0 < syllables(w) <= limit for w in words)
