"""Organisation names translated word by word: Hangul and Cyrillic into English.

The lists write DPRK organisations in English (Korea Ryonbong General
Corporation); Korean documents write 조선련봉총회사 and Russian ones «Корейская
генеральная корпорация Рёнбон».  No spelling rule joins a translated word to
its English one, so a glossary does (`data/glossary.yaml`, checked against
`data/glossary.schema.json`, read once): the concepts such names are made of,
each with its English, Korean and Russian forms, and the abbreviations the
lists use.

* `variants(name, schema)`  the English readings of an organisation name (a
  query expansion: the screener screens each as another spelling of the query),
  each with the notes that explain it ("무역 → Trading").  Empty for
  personal names and for names without a glossary word, so the cost is only
  paid where a translation can help.
* `segment_hangul(word)`  a run-together Hangul word as glossary words and
  proper-name parts (조선광업개발무역회사 → 조선 광업 개발 무역 회사).
* `segment_cyrillic(words)`  Cyrillic words as glossary concepts (by stem, with
  their part of speech) and proper-name parts.

Proper-name parts are romanised as the DPRK lists do when in Hangul (련봉 →
Ryonpong, whose Korean key every romanisation of 련봉 shares) and stay as written
in Cyrillic (Рёнбон: the name analysis reads Cyrillic, Korean names in Cyrillic
included).  Word order: Korean compounds already run in
the English order (modifiers first); a Russian name puts the proper name and the
genitive modifiers after the head noun (корпорация по развитию горнодобывающей
промышленности), so they are moved before it.  A head written first in English
with "of" (Ministry of ...) gives a variant in each order.

Pure: the glossary is package data; not compiled (it runs once per query that
has a glossary word, not per candidate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from corridor.names import tables
from corridor.names.korean import has_hangul, romanize_dprk
from corridor.names.legal_forms import legal_form_class

# the most English readings screened per query (each is one more screening; on
# the evaluation sets 3 found what 6 did, docs/benchmarks.md)
MAX_VARIANTS = 4
# a Russian stem may be followed by an ending of at most this many letters
# (корпораци-ями); a longer rest is another word (банк-ротство)
MAX_ENDING = 4

_WORD_RE = re.compile(r"[\w'’-]+")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")


@dataclass(frozen=True, slots=True)
class Concept:
    key: str
    english: tuple[str, ...]
    optional: bool
    of_head: bool
    final: bool
    country: str
    names_country: bool


@dataclass(frozen=True, slots=True)
class Segment:
    """One part of a name: a glossary concept (with the text it was read from) or
    a proper-name part (`concept` None) kept as written."""

    text: str
    concept: Concept | None
    noun: bool = False  # Russian: the concept was read from a noun form


@dataclass(frozen=True, slots=True)
class Variant:
    """An English reading of a query name and why it was made."""

    name: str
    source: str  # "glossary" (a translation) or "abbreviation"
    notes: tuple[str, ...]  # "무역 → Trading", "FTB → Foreign Trade Bank"


@dataclass(frozen=True, slots=True)
class Abbreviation:
    short: str
    long: tuple[str, ...]
    case_sensitive: bool
    legal_form: str


@dataclass(frozen=True, slots=True)
class Glossary:
    concepts: dict[str, Concept]
    hangul: dict[str, Concept]  # Hangul form → concept
    longest_hangul: int
    russian: tuple[tuple[tuple[str, ...], Concept, bool], ...]  # (stems, concept, noun), longest first
    glue: frozenset[str]
    abbreviations: tuple[Abbreviation, ...]
    country_programs: dict[str, tuple[str, ...]]  # country → programme prefixes (lower case)


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    """`data/glossary.yaml`, checked against `data/glossary.schema.json`."""
    return tables.load("glossary")


def _fold_cyrillic(word: str) -> str:
    return word.lower().replace("ё", "е")


@lru_cache(maxsize=1)
def glossary() -> Glossary:
    raw = data()
    concepts: dict[str, Concept] = {}
    hangul: dict[str, Concept] = {}
    russian: list[tuple[tuple[str, ...], Concept, bool]] = []
    for key, entry in raw["concepts"].items():
        concept = Concept(
            key,
            tuple(entry["en"]),
            bool(entry.get("optional", False)),
            bool(entry.get("of_head", False)),
            bool(entry.get("final", False)),
            str(entry.get("country", "")),
            bool(entry.get("names_country", False)),
        )
        concepts[key] = concept
        for form in entry.get("ko", []):
            if form in hangul:
                raise ValueError(f"glossary: the Hangul form {form} is given twice")
            hangul[form] = concept
        for field, noun in (("ru_adj", False), ("ru_noun", True)):
            for form in entry.get(field, []):
                russian.append((tuple(_fold_cyrillic(form).split()), concept, noun))
    russian.sort(key=lambda item: (-len(item[0]), -sum(len(s) for s in item[0])))
    abbreviations = tuple(
        Abbreviation(
            str(item["short"]),
            tuple(item["long"]),
            bool(item.get("case_sensitive", False)),
            str(item.get("legal_form", "")),
        )
        for item in raw["abbreviations"]
    )
    return Glossary(
        concepts,
        hangul,
        max(len(form) for form in hangul),
        tuple(russian),
        frozenset(_fold_cyrillic(w) for w in raw["ru_glue"]),
        abbreviations,
        {code: tuple(p.lower() for p in names) for code, names in raw["country_programs"].items()},
    )


# --- Hangul ----------------------------------------------------------------------------


def segment_hangul(word: str) -> list[Segment]:
    """A Hangul word as glossary words and proper-name parts, the segmentation
    leaving the fewest syllables unread (a one-syllable proper part counts extra:
    names are rarely one syllable), then the fewest parts.  A `final` form (성,
    국) is read only at the end of the word; a legal form (주식회사) is left whole."""
    table = glossary()
    if legal_form_class(word) is not None:
        return [Segment(word, None)]
    size = len(word)
    # best[i] = (cost, parts, segments) for word[:i]
    best: list[tuple[int, int, list[Segment]] | None] = [None] * (size + 1)
    best[0] = (0, 0, [])
    for start in range(size):
        here = best[start]
        if here is None:
            continue
        cost, parts, segs = here
        for end in range(start + 1, min(size, start + table.longest_hangul) + 1):
            concept = table.hangul.get(word[start:end])
            if concept is None or (concept.final and end - start == 1 and end != size):
                continue
            _offer(best, end, (cost, parts + 1, [*segs, Segment(word[start:end], concept)]))
        # a proper-name part runs to the next glossary word (or the end)
        for end in range(start + 1, size + 1):
            unread = end - start
            penalty = unread + (2 if unread == 1 else 0)
            if segs and segs[-1].concept is None:
                continue  # two proper parts in a row are one
            _offer(best, end, (cost + penalty, parts + 1, [*segs, Segment(word[start:end], None)]))
    found = best[size]
    assert found is not None
    return found[2]


def _offer(
    best: list[tuple[int, int, list[Segment]] | None], at: int, offer: tuple[int, int, list[Segment]]
) -> None:
    current = best[at]
    if current is None or (offer[0], offer[1]) < (current[0], current[1]):
        best[at] = offer


# --- Cyrillic --------------------------------------------------------------------------


def _stem_matches(word: str, stem: str) -> bool:
    return word.startswith(stem) and len(word) - len(stem) <= MAX_ENDING


_START = 2  # letters of a first stem the phrases are looked up by (every stem has 4+)


@lru_cache(maxsize=1)
def _russian_by_start() -> dict[str, tuple[tuple[tuple[str, ...], Concept, bool], ...]]:
    """The glossary's Russian phrases by the first letters of their first stem, in
    the glossary's order (longest first): a word is tried only against the phrases
    it can start (a trade batch reads every party's name through here)."""
    found: dict[str, list[tuple[tuple[str, ...], Concept, bool]]] = {}
    for entry in glossary().russian:
        found.setdefault(entry[0][0][:_START], []).append(entry)
    return {start: tuple(entries) for start, entries in found.items()}


def segment_cyrillic(words: list[str]) -> list[Segment]:
    """Cyrillic words as glossary concepts (longest phrase first) and proper-name
    parts; glue words (по, и) between them are dropped."""
    table = glossary()
    by_start = _russian_by_start()
    folded = [_fold_cyrillic(w) for w in words]
    out: list[Segment] = []
    at = 0
    while at < len(words):
        for stems, concept, noun in by_start.get(folded[at][:_START], ()):
            end = at + len(stems)
            if end <= len(words) and all(_stem_matches(folded[at + k], s) for k, s in enumerate(stems)):
                out.append(Segment(" ".join(words[at:end]), concept, noun))
                at = end
                break
        else:
            if folded[at] not in table.glue:
                out.append(Segment(words[at], None))
            at += 1
    return out


def _english_order_russian(segments: list[Segment]) -> list[Segment]:
    """Russian order into English order: country words first, then the proper
    name, the modifiers after the head noun (reversed noun phrase by noun phrase:
    по развитию | горнодобывающей промышленности → mining development), the
    adjectives before it, the head last."""
    head = next(
        (i for i, s in enumerate(segments) if s.concept is not None and s.noun and not s.concept.country),
        None,
    )
    if head is None:
        return segments
    country = [s for s in segments if s.concept is not None and s.concept.country]
    proper = [s for s in segments if s.concept is None and legal_form_class(s.text) is None]
    forms = [s for s in segments if s.concept is None and legal_form_class(s.text) is not None]
    before = [s for s in segments[:head] if s.concept is not None and not s.concept.country]
    after = [s for s in segments[head + 1 :] if s.concept is not None and not s.concept.country]
    phrases: list[list[Segment]] = []
    current: list[Segment] = []
    for seg in after:
        current.append(seg)
        if seg.noun:
            phrases.append(current)
            current = []
    if current:
        phrases.append(current)
    modifiers = [seg for phrase in reversed(phrases) for seg in phrase]
    return [*forms, *country, *proper, *modifiers, *before, segments[head]]


# --- variants --------------------------------------------------------------------------


def _is_person(schema: str) -> bool:
    return schema == "Person"


def _segments(name: str) -> tuple[list[Segment], bool]:
    """The name's segments in English order, and whether any is a glossary word."""
    words = _WORD_RE.findall(name)
    segments: list[Segment] = []
    if has_hangul(name):
        for word in words:
            segments.extend(segment_hangul(word) if has_hangul(word) else [Segment(word, None)])
    elif _CYRILLIC_RE.search(name):
        segments = _english_order_russian(segment_cyrillic(words))
    concepts = [s for s in segments if s.concept is not None]
    # a one-syllable word alone (김영성: a personal name ending in 성) is no evidence
    found = any(not (s.concept.final and len(s.text) == 1) for s in concepts if s.concept is not None)
    return segments, found


def _proper(text: str) -> str:
    """A proper-name part as the variant writes it: Hangul romanised as the DPRK
    lists do (련봉 → Ryonpong: its Korean key is Ryonbong's), anything else as
    written (Рёнбон: the name analysis reads Cyrillic itself)."""
    return romanize_dprk(text).title() if has_hangul(text) else text


def _render(segments: list[Segment], choice: list[int]) -> str:
    parts: list[str] = []
    for seg, pick in zip(segments, choice, strict=True):
        if seg.concept is None:
            parts.append(_proper(seg.text))
        elif pick < len(seg.concept.english):
            parts.append(seg.concept.english[pick])
    return " ".join(parts)


def _of_head_order(segments: list[Segment]) -> list[Segment] | None:
    """English "Head of modifiers" (성 at the end → Ministry of ...), or None."""
    for i in range(len(segments) - 1, -1, -1):
        concept = segments[i].concept
        if concept is not None and concept.of_head and i > 0:
            lead = [s for s in segments[:i] if s.concept is not None and s.concept.country]
            rest = [s for s in segments[:i] if not (s.concept is not None and s.concept.country)]
            if not rest:
                return None
            of = Segment("of", None)
            return [*lead, segments[i], of, *rest, *segments[i + 1 :]]
    return None


def _notes(segments: list[Segment], choice: list[int]) -> tuple[str, ...]:
    notes: list[str] = []
    for seg, pick in zip(segments, choice, strict=True):
        if seg.concept is not None:
            english = seg.concept.english[pick] if pick < len(seg.concept.english) else "(left out)"
            notes.append(f"{seg.text} → {english}")
        elif has_hangul(seg.text):
            notes.append(f"{seg.text} → {_proper(seg.text)} (a name, romanised)")
    return tuple(notes)


def _translations(segments: list[Segment]) -> list[Variant]:
    orders = [segments]
    flipped = _of_head_order(segments)
    if flipped is not None:
        orders.append(flipped)
    out: list[Variant] = []
    seen: set[str] = set()

    def add(order: list[Segment], choice: list[int]) -> None:
        text = _render(order, choice)
        if text and text not in seen:
            seen.add(text)
            out.append(Variant(text, "glossary", _notes(order, choice)))

    for order in orders:
        base = [0] * len(order)
        add(order, base)
        # the optional words (Korea, DPRK) left out: the lists often omit them
        add(order, [len(s.concept.english) if s.concept and s.concept.optional else 0 for s in order])
    # one word read another way at a time: the words of the name itself before the
    # optional country words (Korean, Choson), the head (last: company /
    # corporation) first
    order = segments
    for optional in (False, True):
        for i in range(len(order) - 1, -1, -1):
            seg = order[i]
            if seg.concept is None or seg.concept.optional is not optional:
                continue
            for pick in range(1, len(seg.concept.english)):
                add(order, [pick if j == i else 0 for j in range(len(order))])
    return out


@lru_cache(maxsize=1)
def _abbreviation_patterns() -> tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], str, str], ...]]:
    """One pattern finding any short or long form (a query without one costs one
    search), and per form (pattern, replacement, note)."""
    forms: list[tuple[re.Pattern[str], str, str]] = []
    alternatives: list[str] = []
    for abbr in glossary().abbreviations:
        if abbr.legal_form:
            continue
        short = rf"(?<![\w'’-]){re.escape(abbr.short)}(?![\w'’-])"
        flags = 0 if abbr.case_sensitive else re.IGNORECASE
        alternatives.append(short if abbr.case_sensitive else f"(?i:{short})")
        for long in abbr.long:
            forms.append((re.compile(short, flags), long, f"{abbr.short} → {long}"))
        for long in abbr.long:
            written = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in long.split()) + r"(?!\w)"
            alternatives.append(f"(?i:{written})")
            forms.append((re.compile(written, re.IGNORECASE), abbr.short, f"{long} → {abbr.short}"))
    return re.compile("|".join(alternatives)), tuple(forms)


def _abbreviations(name: str) -> list[Variant]:
    """The name with each abbreviation written out, and each long form abbreviated
    (legal forms are left to `corridor.names.legal_forms`)."""
    anything, forms = _abbreviation_patterns()
    if anything.search(name) is None:
        return []
    return [
        Variant(pattern.sub(replacement, name), "abbreviation", (note,))
        for pattern, replacement, note in forms
        if pattern.search(name)
    ]


def variants(name: str, schema: str = "Thing", limit: int = MAX_VARIANTS) -> tuple[Variant, ...]:
    """English readings of an organisation name (see the module docstring), at
    most `limit`; none for a personal name or a name without glossary words."""
    if _is_person(schema):
        return ()
    out: list[Variant] = []
    if has_hangul(name) or _CYRILLIC_RE.search(name):
        segments, found = _segments(name)
        if found:
            out.extend(_translations(segments))
    else:
        out.extend(_abbreviations(name))
    seen = {name}
    unique: list[Variant] = []
    for variant in out:
        if variant.name not in seen:
            seen.add(variant.name)
            unique.append(variant)
    return tuple(unique[:limit])


# --- country evidence ------------------------------------------------------------------


def _english_words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Za-z]+", text.replace("'", "").replace("’", ""))]


def countries_named(names: list[str], programs: list[str]) -> tuple[str, ...]:
    """The countries a listed organisation's own names say it is of, for a record
    the list gives no country: a name containing a word that alone names the
    country (DPRK, North Korea), or, under that country's sanctions programme, a
    name beginning with its word (Korea, Choson: KOREA MINING DEVELOPMENT TRADING
    CORPORATION on OFAC's DPRK programmes).  Nothing from "Korea" alone: South
    Korean firms are called Korea ... too."""
    table = glossary()
    folded_programs = [p.lower() for p in programs]
    found: list[str] = []
    for concept in table.concepts.values():
        if not concept.country or concept.country in found:
            continue
        forms = [_english_words(form) for form in concept.english]
        under_programme = any(
            p.startswith(prefix)
            for p in folded_programs
            for prefix in table.country_programs.get(concept.country, ())
        )
        for name in names:
            words = _english_words(name)
            if concept.names_country and any(_contains(words, form) for form in forms):
                found.append(concept.country)
                break
            if under_programme and any(form and words[: len(form)] == form for form in forms):
                found.append(concept.country)
                break
    return tuple(found)


def _contains(words: list[str], phrase: list[str]) -> bool:
    size = len(phrase)
    return size > 0 and any(words[i : i + size] == phrase for i in range(len(words) - size + 1))
