"""Cross-script queries (Arabic, Chinese, Japanese, Greek, Hebrew, Thai) and Chinese
negatives, written independently of the engine (issue 13, items 2, 4 and 6).

Kinds (positives): cross_<ar|zh|ja|el|he|th> — a listed person known only by Latin
names, the query written in that script.  The original-script spelling is made
here, never by ICU (which the engine reads them with):

  zh  Latin Pinyin names (every part splits into Pinyin syllables of the pypinyin
      inventory, the surname a Faker zh_CN surname) written with characters of
      Faker zh_CN's names whose one and only pypinyin reading is that syllable;
  ar, he  hand-written consonant tables, long-vowel letters for i/e and o/u,
      the short a left out (as Arabic and Hebrew write foreign names);
  ja  a hand-written katakana table for foreign names (CV units, a consonant
      without a vowel takes u, or o after t/d; l as r; final n ン);
  el  a hand-written Greek table (b μπ, d ντ, g γκ, j τζ, u ου, h left out);
  th  a hand-written Thai table (consonants; a า, i ิ, u ุ after, e เ, o โ before).

The pools: ar — persons with an Arabic name word or an Arab nationality; zh — the
Pinyin persons above; ja, el, he, th — any listed person with a two- or
three-word Latin name (a foreign registry writes every name its own way).

Kinds (negatives): neg_person_zh — Faker zh_CN names (Hanzi, or Pinyin written by
pypinyin); neg_person_ar, neg_person_he — Faker ar_AA and he_IL names in their
own script, left out when the consonants of their first and last words (a loose
class table of this module, vowel letters and the article dropped) are those of
two words of one listed person's name; near_miss_chinese — a listed Pinyin person with one given-name syllable
replaced by another of the inventory (Li Fangwei → Li Fanghui), in Latin or Hanzi.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from corridor.model import Entity, NameKind

if TYPE_CHECKING:
    from bench.eval.sets import Builder, Example

SCRIPT_CODES = ("ar", "zh", "ja", "el", "he", "th")
POSITIVE_KINDS = tuple(f"cross_{code}" for code in SCRIPT_CODES)
NEGATIVE_KINDS = ("neg_person_zh", "neg_person_ar", "neg_person_he", "near_miss_chinese")

# --- Chinese (pypinyin + Faker zh_CN) -------------------------------------------------


@lru_cache(maxsize=1)
def _chinese_tables() -> tuple[dict[str, list[str]], dict[str, list[str]], frozenset[str]]:
    """(surname syllable → characters, given-name syllable → characters, syllables)."""
    from faker.providers.person.zh_CN import Provider
    from pypinyin import Style, pinyin

    surnames = {s for s in Provider.last_names if len(s) == 1}
    given_chars = {c for name in Provider.first_names for c in name}

    def table(chars: set[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for char in sorted(chars):
            readings = {r for r in pinyin(char, style=Style.NORMAL, heteronym=True)[0]}
            if len(readings) == 1:
                out.setdefault(readings.pop().replace("v", "u"), []).append(char)
        return out

    family, given = table(surnames), table(given_chars)
    return family, given, frozenset(family) | frozenset(given)


def pinyin_split(word: str) -> list[str] | None:
    """A Latin word as syllables of the pypinyin inventory (longest first), or None."""
    syllables = _chinese_tables()[2]
    word = word.lower()

    def parse(start: int) -> list[str] | None:
        if start == len(word):
            return []
        for end in range(min(len(word), start + 6), start, -1):
            if word[start:end] in syllables:
                rest = parse(end)
                if rest is not None:
                    return [word[start:end], *rest]
        return None

    return parse(0) if word.isalpha() else None


def chinese_parts(entity: Entity) -> tuple[str, list[str], str] | None:
    """(surname, given-name syllables, the Latin name) of a listed person whose
    Latin primary name reads as a Chinese name, else None."""
    family_table, given_table, _ = _chinese_tables()
    for name in entity.names:
        if name.script != "Latin" or name.kind is not NameKind.PRIMARY or not name.family or not name.given:
            continue
        family = name.family.lower()
        given = re.sub(r"[\s\-']", "", name.given.lower())
        syllables = pinyin_split(given)
        if family not in family_table or not syllables or len(syllables) > 2:
            continue
        if all(s in given_table for s in syllables):
            return family, syllables, name.full
    return None


def write_chinese(family: str, given: list[str], rng: random.Random) -> str:
    family_table, given_table, _ = _chinese_tables()
    return rng.choice(family_table[family]) + "".join(rng.choice(given_table[s]) for s in given)


# --- hand-written tables: Latin → Arabic, Hebrew, katakana, Greek, Thai --------------

_ARABIC = {
    "kh": "خ", "sh": "ش", "th": "ث", "dh": "ذ", "gh": "غ",
    "b": "ب", "t": "ت", "j": "ج", "h": "ه", "d": "د", "r": "ر", "z": "ز", "s": "س", "f": "ف",
    "q": "ق", "k": "ك", "l": "ل", "m": "م", "n": "ن", "w": "و", "y": "ي", "p": "ب", "v": "ف",
    "g": "ج", "c": "ك", "x": "كس",
}  # fmt: skip
_HEBREW = {
    "sh": "ש", "ch": "ח", "kh": "כ", "ts": "צ", "tz": "צ", "th": "ת", "ph": "פ",
    "b": "ב", "g": "ג", "d": "ד", "h": "ה", "v": "ב", "w": "ו", "z": "ז", "t": "ט", "y": "י",
    "k": "ק", "l": "ל", "m": "מ", "n": "נ", "s": "ס", "p": "פ", "f": "פ", "r": "ר", "q": "ק",
    "c": "ק", "j": "ג", "x": "קס",
}  # fmt: skip
_HEBREW_FINAL = {"כ": "ך", "מ": "ם", "נ": "ן", "פ": "ף", "צ": "ץ"}
_VOWELS = "aeiouy"


def _units(word: str, digraphs: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(word):
        if word[i : i + 2] in digraphs:
            out.append(word[i : i + 2])
            i += 2
        else:
            out.append(word[i])
            i += 1
    return out


def _abjad(word: str, table: dict[str, str], alef: str, final_a: str) -> str:
    units = _units(word, tuple(k for k in table if len(k) == 2))
    out: list[str] = []
    for i, unit in enumerate(units):
        if unit in _VOWELS and unit != "y":
            if i == 0:
                out.append(alef + ("ي" if alef == "ا" and unit in "ie" else ""))
            elif unit in "ie" and out and out[-1] != table["y"]:
                out.append(table["y"])
            elif unit in "ou" and out and out[-1] != table["w"]:
                out.append(table["w"])
            elif unit == "a" and i == len(units) - 1:
                out.append(final_a)
            continue
        if i and units[i - 1] == unit:
            continue  # a doubled consonant is written once
        out.append(table.get(unit, ""))
    return "".join(out)


def to_arabic(name: str) -> str:
    words = [w for w in re.split(r"[\s\-']+", name.lower()) if w.isalpha()]
    out: list[str] = []
    for i, word in enumerate(words):
        if word in ("al", "el") and i + 1 < len(words):
            out.append("ال")
            continue
        text = _abjad(word, _ARABIC, "ا", "ا")
        if out and out[-1] == "ال":
            out[-1] += text
        else:
            out.append(text)
    return " ".join(out)


def to_hebrew(name: str) -> str:
    out = []
    for word in re.split(r"[\s\-']+", name.lower()):
        if not word.isalpha():
            continue
        text = _abjad(word, _HEBREW, "א", "ה")
        if text and text[-1] in _HEBREW_FINAL:
            text = text[:-1] + _HEBREW_FINAL[text[-1]]
        out.append(text)
    return " ".join(out)


_KANA_ROWS = {
    "": "アイウエオ", "k": "カキクケコ", "g": "ガギグゲゴ", "s": "サシスセソ", "z": "ザジズゼゾ",
    "t": "タティトゥテト", "d": "ダディドゥデド", "n": "ナニヌネノ", "h": "ハヒフヘホ", "b": "バビブベボ",
    "p": "パピプペポ", "m": "マミムメモ", "y": "ヤイユイェヨ", "r": "ラリルレロ", "w": "ワウィウウェヲ",
    "f": "ファフィフフェフォ", "v": "ヴァヴィヴヴェヴォ", "j": "ジャジジュジェジョ", "sh": "シャシシュシェショ",
    "ch": "チャチチュチェチョ", "ts": "ツァツィツツェツォ", "kh": "ハヒフヘホ", "zh": "ジャジジュジェジョ",
}  # fmt: skip


def _kana_row(consonant: str) -> list[str]:
    """The five kana (a i u e o) of a consonant row; rows of digraph kana keep them whole."""
    row = _KANA_ROWS[consonant]
    out: list[str] = []
    for char in row:
        if char in "ャュョァィゥェォ" and out:
            out[-1] += char
        else:
            out.append(char)
    return out


_KANA_CONSONANT = {"c": "k", "q": "k", "l": "r"}


def _kana_tail(consonant: str) -> str:
    """A consonant without a vowel: ン for n, else its u kana (o after t and d)."""
    if consonant == "n":
        return "ン"
    row = consonant if consonant in _KANA_ROWS else "k"
    return _kana_row(row)[4 if row in ("t", "d") else 2]


def to_katakana(name: str) -> str:
    out = []
    for word in re.split(r"[\s\-']+", name.lower().replace("x", "ks")):
        if not word.isalpha():
            continue
        kana = ""
        pending = ""
        for unit in _units(word, ("sh", "ch", "ts", "kh", "zh")):
            unit = _KANA_CONSONANT.get(unit, unit)
            if unit in "aeiou" or (unit == "y" and pending):
                vowel = "aiueo".index("i" if unit == "y" else unit)
                kana += _kana_row(pending if pending in _KANA_ROWS else "")[vowel]
                pending = ""
                continue
            if pending:
                kana += _kana_tail(pending)
            pending = unit
        if pending:
            kana += _kana_tail(pending)
        out.append(kana)
    return "・".join(out)


_GREEK = {
    "th": "θ", "ch": "χ", "kh": "χ", "ph": "φ", "ps": "ψ", "ks": "ξ", "sh": "σ", "ou": "ου",
    "a": "α", "b": "μπ", "c": "κ", "d": "ντ", "e": "ε", "f": "φ", "g": "γκ", "h": "", "i": "ι",
    "j": "τζ", "k": "κ", "l": "λ", "m": "μ", "n": "ν", "o": "ο", "p": "π", "q": "κ", "r": "ρ",
    "s": "σ", "t": "τ", "u": "ου", "v": "β", "w": "ου", "x": "ξ", "y": "ι", "z": "ζ",
}  # fmt: skip


def to_greek(name: str) -> str:
    out = []
    for word in re.split(r"[\s\-']+", name.lower()):
        if not word.isalpha():
            continue
        units = _units(word, tuple(k for k in _GREEK if len(k) == 2))
        text = "".join(_GREEK.get(u, "") for u in units)
        if text.endswith("σ"):
            text = text[:-1] + "ς"
        out.append(text)
    return " ".join(out)


_THAI_CONSONANT = {
    "kh": "ข", "ch": "ช", "th": "ท", "ph": "พ", "sh": "ช", "ng": "ง",
    "k": "ก", "g": "ก", "c": "ก", "q": "ก", "j": "จ", "d": "ด", "t": "ต", "n": "น", "b": "บ",
    "p": "ป", "f": "ฟ", "v": "ว", "w": "ว", "m": "ม", "y": "ย", "r": "ร", "l": "ล", "s": "ส",
    "z": "ซ", "h": "ห", "x": "กส",
}  # fmt: skip


def to_thai(name: str) -> str:
    out = []
    for word in re.split(r"[\s\-']+", name.lower()):
        if not word.isalpha():
            continue
        units = _units(word, ("kh", "ch", "th", "ph", "sh", "ng"))
        text = ""
        last_consonant_at = -1
        for unit in units:
            if unit in ("e", "o"):
                mark = "เ" if unit == "e" else "โ"
                if last_consonant_at >= 0 and last_consonant_at == len(text) - 1:
                    text = text[:last_consonant_at] + mark + text[last_consonant_at:]
                else:  # a vowel after a vowel: written on the silent consonant อ
                    text += mark + "อ"
                last_consonant_at = len(text) - 1
                continue
            if unit in ("a", "i", "u", "y"):
                if not text or last_consonant_at != len(text) - 1:
                    text += "อ"
                text += {"a": "า", "i": "ิ", "u": "ุ", "y": "ิ"}[unit]
                continue
            text += _THAI_CONSONANT.get(unit, "")
            last_consonant_at = len(text) - 1
        out.append(text)
    return " ".join(out)


WRITERS: dict[str, Callable[[str], str]] = {
    "ar": to_arabic,
    "he": to_hebrew,
    "ja": to_katakana,
    "el": to_greek,
    "th": to_thai,
}

# --- pools and builders ----------------------------------------------------------------

_ARAB_COUNTRIES = frozenset(
    [
        "ae",
        "bh",
        "dz",
        "eg",
        "iq",
        "jo",
        "kw",
        "lb",
        "ly",
        "ma",
        "mr",
        "om",
        "ps",
        "qa",
        "sa",
        "sd",
        "so",
        "sy",
        "tn",
        "ye",
    ]  # Arab League members
)
_ARABIC_WORDS = frozenset(
    [
        "al",
        "abd",
        "abdul",
        "abu",
        "bin",
        "ibn",
        "muhammad",
        "mohammed",
        "mohammad",
        "ahmad",
        "ahmed",
        "ali",
        "hassan",
        "husayn",
        "hussein",
    ]
)


def _latin_primary(entity: Entity) -> str | None:
    for name in entity.names:
        if name.script == "Latin" and name.kind is NameKind.PRIMARY:
            words = [w for w in re.split(r"[\s\-']+", name.full) if w]
            if 2 <= len(words) <= 3 and all(w.isalpha() and w.isascii() for w in words):
                return name.full
    return None


def _looks_arabic(entity: Entity, name: str) -> bool:
    words = {w.lower() for w in re.split(r"[\s\-']+", name)}
    return bool(words & _ARABIC_WORDS) or bool(set(entity.nationalities) & _ARAB_COUNTRIES)


def _latin_only(builder: Builder, entity: Entity) -> bool:
    return builder.index_scripts(entity) <= {"Latin", ""}


def cross_script(builder: Builder, code: str) -> Iterator[Example]:
    from bench.eval.sets import Example

    rng = builder.rng(f"cross_{code}")
    pool = [e for e in builder.entities if e.schema == "Person" and _latin_only(builder, e)]
    for entity in builder.representatives(pool, rng):
        if code == "zh":
            parts = chinese_parts(entity)
            if parts is None:
                continue
            family, given, latin = parts
            query = write_chinese(family, given, rng)
        else:
            found = _latin_primary(entity)
            if found is None or (code == "ar") != _looks_arabic(entity, found):
                continue
            latin = found
            query = WRITERS[code](latin)
        if not query.strip():
            continue
        yield Example(
            id="",
            kind="",
            query={"name": query, "schema": "Person"},
            expected=entity.id,
            accept=builder.accept(entity.id),
            note=f"{latin!r} written in {code} by bench.eval.scripts",
        )


def neg_person_zh(builder: Builder) -> Iterator[Example]:
    from pypinyin import Style, lazy_pinyin

    fake = builder._faker("zh_CN", "neg_person_zh")

    def make(rng: random.Random) -> tuple[str, ...] | None:
        family, given = fake.last_name(), fake.first_name()
        if rng.random() < 0.5:
            return family + given, "Person", "Faker zh_CN, Hanzi"
        latin_family = "".join(lazy_pinyin(family, style=Style.NORMAL)).replace("v", "u").title()
        latin_given = "".join(lazy_pinyin(given, style=Style.NORMAL)).replace("v", "u").title()
        order = (latin_family, latin_given) if rng.random() < 0.5 else (latin_given, latin_family.upper())
        return " ".join(order), "Person", f"Faker zh_CN {family}{given}, pypinyin"

    yield from builder._negatives("neg_person_zh", make, person=True)


# Loose consonant classes for rejecting negatives that may be listed names: wider
# than any reading (b p f v one class, t d one, s z sh ch one), so a name that
# might be listed is left out rather than counted as innocent.
_LATIN_DIGRAPHS = (("kh", "k"), ("gh", "k"), ("sh", "s"), ("ch", "s"), ("th", "t"), ("dh", "t"), ("ph", "b"))
_LATIN_CLASSES = dict(zip("bpfvtdszcxjgkqhlmnr", "BBBBTTSSSSJJKKHLMNR", strict=True))
_ABJAD_CLASSES = {
    **dict.fromkeys("بپفڤ", "B"), **dict.fromkeys("تطدضثذ", "T"), **dict.fromkeys("سصزظشچژ", "S"),
    **dict.fromkeys("جگ", "J"), **dict.fromkeys("كکقخغ", "K"), **dict.fromkeys("حه", "H"),
    "ل": "L", "م": "M", "ن": "N", "ر": "R",
    **dict.fromkeys("בפף", "B"), **dict.fromkeys("תטד", "T"), **dict.fromkeys("סשזצץ", "S"),
    "ג": "J", **dict.fromkeys("כךק", "K"), **dict.fromkeys("חה", "H"),
    "ל": "L", **dict.fromkeys("מם", "M"), **dict.fromkeys("נן", "N"), "ר": "R",
}  # fmt: skip


def _squeezed(classes: str) -> str:
    out = re.sub(r"(.)\1+", r"\1", classes)
    return out[:-1] if len(out) > 2 and out.endswith("H") else out


def latin_consonants(word: str) -> str:
    word = word.lower()
    for pair, repl in _LATIN_DIGRAPHS:
        word = word.replace(pair, repl)
    return _squeezed("".join(_LATIN_CLASSES.get(c, "") for c in word))


def abjad_consonants(word: str) -> str:
    if word.startswith("ال") and len(word) > 3:
        word = word[2:]
    return _squeezed("".join(_ABJAD_CLASSES.get(c, "") for c in word))


@lru_cache(maxsize=4)
def _listed_consonant_pairs(builder: Builder) -> frozenset[frozenset[str]]:
    from bench.eval.text import tokens

    pairs: set[frozenset[str]] = set()
    for entity in builder.entities:
        if entity.schema != "Person":
            continue
        for name in entity.names:
            words = {
                latin_consonants(w) for w in tokens(name.full) if w not in ("al", "el", "bin", "ibn", "abu")
            }
            words.discard("")
            pairs.update(frozenset((a, b)) for a in words for b in words)
    return frozenset(pairs)


def neg_person_abjad(builder: Builder, code: str) -> Iterator[Example]:
    """Faker names in Arabic (ar_AA) or Hebrew (he_IL) script, not possibly listed."""
    kind = f"neg_person_{code}"
    fake = builder._faker("ar_AA" if code == "ar" else "he_IL", kind)
    listed = _listed_consonant_pairs(builder)

    def make(_rng: random.Random) -> tuple[str, ...] | None:
        first, last = fake.first_name(), fake.last_name()
        pair = frozenset((abjad_consonants(first.split()[0]), abjad_consonants(last.split()[-1])))
        if pair in listed or "" in pair:
            return None
        return f"{first} {last}", "Person", f"Faker {'ar_AA' if code == 'ar' else 'he_IL'}"

    yield from builder._negatives(kind, make, person=True)


def near_miss_chinese(builder: Builder) -> Iterator[Example]:
    from bench.eval.sets import negative

    rng = builder.rng("near_miss_chinese")
    _family_table, given_table, _ = _chinese_tables()
    syllables = sorted(given_table)
    pool = [e for e in builder.entities if e.schema == "Person" and chinese_parts(e)]
    for _round in range(3):
        for entity in builder.representatives(pool, rng):
            parts = chinese_parts(entity)
            if parts is None:
                continue
            family, given, latin = parts
            at = rng.randrange(len(given))
            new = rng.choice([s for s in syllables if s != given[at] and s[:1] != given[at][:1]])
            changed = [*given[:at], new, *given[at + 1 :]]
            if rng.random() < 0.3:
                text = write_chinese(family, changed, rng)
            else:
                text = f"{family.title()} {''.join(changed).title()}"
                if builder.is_listed(text, person=True):
                    continue
            yield negative(text, f"one given-name syllable changed from {latin!r} ({entity.id})")


def builders(builder: Builder) -> list[tuple[str, Callable[[], Iterator[Example]]]]:
    """The builders of this module's kinds, for `sets.Builder.build`."""
    out: list[tuple[str, Callable[[], Iterator[Example]]]] = [
        (f"cross_{code}", lambda code=code: cross_script(builder, code))  # type: ignore[misc]
        for code in SCRIPT_CODES
    ]
    out.append(("neg_person_zh", lambda: neg_person_zh(builder)))
    out.append(("neg_person_ar", lambda: neg_person_abjad(builder, "ar")))
    out.append(("neg_person_he", lambda: neg_person_abjad(builder, "he")))
    out.append(("near_miss_chinese", lambda: near_miss_chinese(builder)))
    return out
