"""Names in Arabic, Chinese, Japanese, Greek, Hebrew and Thai script.

Every such token is read into Latin ASCII by the ICU transform of its script
family (`data/scripts.yaml`: Arabic-Latin, Han-Latin = Pinyin without tones,
Katakana/Hiragana-Latin, Greek-Latin/UNGEGN, Hebrew-Latin, Thai-Latin), so it
meets the Latin names of the lists by the ordinary keys, and keeps its own
script (`Tok.script` is the family), so explanations say which transliteration
matched ("Arabic → Latin (ICU)").

* `family(token)`      the script family of a token ("" for Latin, Hangul,
                       Cyrillic and anything else);
* `prepare(name)`      a name normalised without breaking these scripts apart
                       (`types.text.normalize` splits at combining marks: Thai
                       vowels, Arabic and Hebrew points); Arabic and Hebrew
                       vowel points are dropped, the Arabic article ال is a
                       token of its own (الرحمن → ال رحمن: al Rahman);
* `split_han(tokens, kind)`  an unspaced Chinese personal name split into
                       surname and given name (李向阳 → 李 向阳; compound surnames
                       from the data); in other names every character is a
                       token (the run-together alignment joins them again);
* `to_latin(token)`    the ICU reading (a Chinese given name joined: xiangyang);
* `hanja_reading(token)` the Korean reading of a Han token all of whose
                       characters are in the Hanja table, else "";
* `skeleton(text, family)`  the consonant skeleton of a Latin text under that
                       family's rules: abjads write no short vowels (محمد is
                       mhmd: Mohammed, Muhammad), Thai and kana spell sounds
                       their own way (ウラジーミル urajimiru: Vladimir);
                       `token_skeleton(orig, text, family)` that of a token of
                       the script itself (Arabic and Hebrew letter by letter);
* `pinyin_syllables(text)`  a Latin token read as Pinyin syllables (the
                       inventory of the data is what ICU's Han-Latin produces for
                       every CJK character), None when it is not Pinyin: the
                       Chinese near-miss guard of `match.align` uses it.

Pure: the tables are package data, read once.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any, NamedTuple

from corridor.names import tables

FAMILIES = ("Arabic", "Han", "Japanese", "Greek", "Hebrew", "Thai")
SKELETON_FAMILIES = frozenset(["Arabic", "Hebrew", "Thai", "Japanese", "Greek"])


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    """`data/scripts.yaml`, checked against `data/scripts.schema.json`."""
    return tables.load("scripts")


def _char_family(char: str) -> str:
    code = ord(char)
    if (
        0x0600 <= code <= 0x06FF
        or 0x0750 <= code <= 0x077F
        or 0xFB50 <= code <= 0xFDFF
        or 0xFE70 <= code <= 0xFEFF
    ):
        return "Arabic"
    if 0x0590 <= code <= 0x05FF or 0xFB1D <= code <= 0xFB4F:
        return "Hebrew"
    if 0x0370 <= code <= 0x03FF or 0x1F00 <= code <= 0x1FFF:
        return "Greek"
    if 0x0E00 <= code <= 0x0E7F:
        return "Thai"
    if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F:
        return "Japanese"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or code == 0x3005:
        return "Han"
    return ""


def family(token: str) -> str:
    """The script family of a token: the first family letter decides, except that
    kana anywhere makes a Han token Japanese."""
    found = ""
    for char in token:
        fam = _char_family(char)
        if fam == "Japanese":
            return fam
        if fam and not found:
            found = fam
    return found


def has_family_letters(text: str) -> bool:
    return any(_char_family(c) for c in text)


# Arabic harakat, Quranic marks and the tatweel; Hebrew points and cantillation.
def _is_point(char: str) -> bool:
    code = ord(char)
    return (
        0x064B <= code <= 0x065F
        or code in (0x0670, 0x0640)
        or 0x06D6 <= code <= 0x06ED
        or (0x0591 <= code <= 0x05C7 and code not in (0x05BE, 0x05C0, 0x05C3, 0x05C6))
    )


def prepare(name: str) -> str:
    """The name normalised (NFKC, case-folded) with tokens of these scripts kept
    whole: letters, combining marks (Thai vowels) and digits make tokens, anything
    else separates them; Arabic/Hebrew points dropped, ال split off."""
    text = unicodedata.normalize("NFKC", name).casefold()
    out: list[str] = []
    word: list[str] = []
    for char in [*text, " "]:
        if _is_point(char):
            continue
        category = unicodedata.category(char)
        if category[0] in "LMN":
            word.append(char)
            continue
        if word:
            out.append("".join(word))
            word = []
    tokens: list[str] = []
    for token in out:
        if len(token) > 3 and token.startswith("ال") and family(token) == "Arabic":
            tokens.extend(("ال", token[2:]))
        else:
            tokens.append(token)
    return " ".join(tokens)


def split_han(tokens: list[str], kind: str) -> list[str]:
    """Chinese personal names of 2-4 characters → surname + given name; Han
    tokens of other names → one token per character."""
    compound = frozenset(data()["chinese_compound_surnames"])
    out: list[str] = []
    for token in tokens:
        if family(token) != "Han" or len(token) < 2:
            out.append(token)
        elif kind == "person":
            if len(token) > 4:
                out.append(token)
            elif len(token) >= 3 and token[:2] in compound:
                out.extend((token[:2], token[2:]))
            else:
                out.extend((token[:1], token[1:]))
        else:
            out.extend(token)
    return out


@lru_cache(maxsize=8)
def _transliterator(fam: str) -> Any:
    try:
        import icu  # PyICU

        return icu.Transliterator.createInstance(data()["transforms"][fam] + "; Latin-ASCII")
    except Exception:  # PyICU missing or broken: the token stays as it is
        return None


@lru_cache(maxsize=65536)
def to_latin(token: str) -> str:
    """The Latin ASCII reading of one token of a script family (lower case, letters
    and digits only; the syllables ICU spaces apart are joined: one token stays one)."""
    fam = family(token)
    trans = _transliterator(fam) if fam else None
    if trans is None:
        return token
    word: str | None = data().get("words", {}).get(fam, {}).get(token)
    if word is not None:
        return word
    token = _apply("pre_rules", fam, token)
    latin = "".join(c for c in str(trans.transliterate(token)).lower() if c.isascii() and c.isalnum())
    return _apply("post_rules", fam, latin) or token


def _apply(kind: str, fam: str, text: str) -> str:
    """The data's replacements of `kind` for a family, in order: `str.replace`, or,
    for a rule ending in $, only at the end of the token, for one starting with ^
    only at its start."""
    for old, new in _rules(kind, fam):
        if old.startswith("^"):
            if text.startswith(old[1:]):
                text = new + text[len(old) - 1 :]
        elif not old.endswith("$"):
            text = text.replace(old, new)
        elif text.endswith(old[:-1]):
            text = text[: len(text) - len(old) + 1] + new
    return text


@lru_cache(maxsize=16)
def _rules(kind: str, fam: str) -> tuple[tuple[str, str], ...]:
    """The data's replacements of `kind` (pre_rules, post_rules) for a family."""
    return tuple((old, new) for old, new in data()[kind].get(fam, ()))


@lru_cache(maxsize=65536)
def hanja_reading(token: str) -> str:
    """The Hangul reading of a Han token whose every character is in the Hanja
    table, else ""."""
    table: dict[str, str] = data()["hanja_readings"]
    if not token or family(token) != "Han":
        return ""
    if not all(c in table for c in token):
        return ""
    return "".join(table[c] for c in token)


class SkeletonRules(NamedTuple):
    """A family's skeleton rules of the data, read once."""

    digraphs: tuple[tuple[str, str], ...]
    letters: dict[str, str]
    drop: frozenset[str]
    either: dict[str, list[str]]  # a Latin letter the script writes two ways: its other readings
    source: dict[str, str]  # the script's own letters → classes (empty: read the Latin)


@lru_cache(maxsize=8)
def _skeleton_rules(fam: str) -> SkeletonRules:
    rules = data()["skeleton"][fam]
    return SkeletonRules(
        tuple(sorted(rules["digraphs"].items())),
        dict(rules["letters"]),
        frozenset(rules["drop"]),
        dict(rules.get("either", {})),
        dict(rules.get("source", {})),
    )


def _finish(classes: list[str]) -> str:
    """Consonant classes → the skeleton: a letter doubled written once, a final h
    dropped (ة, ה; Abdallah, Fatimah)."""
    out: list[str] = []
    for char in "".join(classes):
        if not out or out[-1] != char:
            out.append(char)
    if len(out) > 2 and out[-1] == "h":
        out.pop()
    return "".join(out)


def skeleton(text: str, fam: str) -> str:
    """The consonant skeleton of a Latin ASCII text under a family's rules: digraphs
    folded, letters folded, vowels (and what the family drops) left out, then a
    doubled letter written once and a final h dropped."""
    return skeletons(text, fam)[0]


@lru_cache(maxsize=131072)
def skeletons(text: str, fam: str) -> tuple[str, ...]:
    """`skeleton`, then the skeletons with a letter the family writes two ways
    (`either`: Hebrew writes v as ב or ו, so David is דוד and Ivan איבן) read the
    other way, where they differ."""
    rules = _skeleton_rules(fam)
    work = "".join(c for c in text.lower() if c.isascii() and c.isalpha())
    for pair, repl in rules.digraphs:
        work = work.replace(pair, repl.upper())  # upper: not folded again
    found = [_classes(work, rules.letters, rules.drop)]
    for char, others in rules.either.items():
        if char in work:
            for other in others:
                found.append(_classes(work, {**rules.letters, char: other}, rules.drop))
    return tuple(dict.fromkeys(found))


def _classes(work: str, letters: dict[str, str], drop: frozenset[str]) -> str:
    classes: list[str] = []
    for char in work:
        if char.isupper():
            classes.append(char.lower())
        elif char not in drop:
            classes.append(letters.get(char, char))
    return _finish(classes)


@lru_cache(maxsize=131072)
def token_skeleton(orig: str, text: str, fam: str) -> str:
    """The consonant skeleton of a token of the family's script: read letter by
    letter from its own letters where the family has a `source` table (Arabic,
    Hebrew: ICU's Latin is ambiguous there, ث th against ته t-h), else from its
    Latin reading `text`.  A letter outside the table (a point, a mark) is left
    out; a token with a Latin letter in it is read from `text`."""
    source = _skeleton_rules(fam).source
    if not source:
        return skeleton(text, fam)
    classes: list[str] = []
    for char in orig:
        found = source.get(char)
        if found is not None:
            classes.append(found)
        elif char.isascii() and char.isalpha():
            return skeleton(text, fam)
    return _finish(classes)


def label(fam: str) -> str:
    """How an explanation names a family's transliteration."""
    labels: dict[str, str] = data()["labels"]
    return labels.get(fam, fam + " → Latin (ICU)")


@lru_cache(maxsize=1)
def _pinyin_inventory() -> frozenset[str]:
    """The Pinyin syllables of the data (`pinyin_syllables`)."""
    return frozenset(data()["pinyin_syllables"])


def icu_pinyin_inventory() -> frozenset[str]:
    """Every syllable ICU's Han-Latin gives a CJK Unified Ideograph (tones dropped):
    how the data's list was made (0.4 s, so the data keeps it)."""
    trans = _transliterator("Han")
    if trans is None:
        return frozenset()
    chars = "".join(chr(c) for c in range(0x4E00, 0x9FFF + 1))
    latin = str(trans.transliterate(" ".join(chars))).lower()
    return frozenset(
        s
        for s in latin.split()
        if s.isascii() and s.isalpha() and len(s) <= 6 and any(v in s for v in "aeiou")
    )


@lru_cache(maxsize=65536)
def pinyin_syllables(text: str) -> tuple[str, ...] | None:
    """A Latin token read as a run of Pinyin syllables (longest first, with
    backtracking), or None."""
    inventory = _pinyin_inventory()
    if not text or not text.isalpha() or not text.isascii() or not inventory:
        return None

    def parse(start: int) -> tuple[str, ...] | None:
        if start == len(text):
            return ()
        for end in range(min(len(text), start + 6), start, -1):
            piece = text[start:end]
            if piece in inventory:
                rest = parse(end)
                if rest is not None:
                    return (piece, *rest)
        return None

    return parse(0)
