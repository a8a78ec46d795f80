"""Translated organisation names, abbreviations and the country evidence (issue 13,
item 3), written independently of the engine: the translation tables below are
this module's own, not `corridor/names/data/glossary.yaml`.

Kinds (positives):
  hangul_translation_org    a listed DPRK organisation's Latin name translated word
                            by word into Korean (the table below), its Korean proper
                            parts (Ryonbong, Tanchon) written in Hangul by
                            `bench.eval.korean`, run together as DPRK documents write
                            it (조선광업개발무역회사), sometimes spaced by word
  cyrillic_translation_org  the same name in Russian: adjectives agreeing with the
                            head noun, noun modifiers after it in the genitive,
                            the proper part after the head (Коммерческий банк
                            Танчхон), proper parts by `russian.latin_to_cyrillic`
  abbreviation_org          a listed organisation's name with a word abbreviated or an
                            abbreviation written out (International ↔ Intl, Shipping ↔
                            SHPG, Democratic People's Republic of Korea ↔ DPRK...)
Kinds (negatives):
  neg_org_glossary          innocent Korean and Russian company names made of the
                            same words around a proper part of no listed DPRK name
                            (조선 + 두 음절 + 무역회사; «Корейская торговая компания
                            Ромашка»)
Reported apart:
  country_mismatch          a listed DPRK company's name with another legal form and
                            country KR or CN (a South Korean or Chinese namesake); it
                            passes when it does not alert or its hit carries the
                            country mismatch
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from bench.eval import korean
from bench.eval.links import is_dprk
from bench.eval.russian import latin_to_cyrillic
from corridor.model import Entity, NameKind

if TYPE_CHECKING:
    from bench.eval.sets import Builder, Example

POSITIVE_KINDS = ("hangul_translation_org", "cyrillic_translation_org", "abbreviation_org")
NEGATIVE_KINDS = ("neg_org_glossary",)
SEPARATE_KINDS = ("country_mismatch",)

ORG_SCHEMATA = frozenset(("Organization", "Company", "LegalEntity"))

# English word (lower case) or phrase -> Korean, as DPRK names write it.
KOREAN: dict[str, str] = {
    "korea": "조선",
    "korean": "조선",
    "choson": "조선",
    "chosun": "조선",
    "general corporation": "총회사",
    "general bureau": "총국",
    "corporation": "회사",
    "company": "회사",
    "co": "회사",
    "bank": "은행",
    "banking": "은행",
    "commercial": "상업",
    "foreign trade": "무역",
    "trading": "무역",
    "trade": "무역",
    "mining": "광업",
    "development": "개발",
    "shipping": "해운",
    "ministry": "성",
    "committee": "위원회",
    "commission": "위원회",
    "industry": "공업",
    "atomic energy": "원자력",
    "international": "국제",
    "technology": "기술",
    "credit": "신용",
    "insurance": "보험",
    "joint venture": "합영",
    "machinery": "기계",
    "chemical": "화학",
    "equipment": "설비",
    "import": "수입",
    "export": "수출",
    "economic": "경제",
    "economics": "경제",
    "united": "련합",
    "associated": "련합",
    "complex": "종합",
    "national": "국가",
    "reconnaissance": "정찰",
    "space": "우주",
    "resources": "자원",
    "investment": "투자",
    "maritime": "해양",
    "management": "관리",
    "second": "제2",
}
# words English writes and Korean leaves out
KOREAN_SILENT = frozenset(("of", "the", "and", "for", "ltd", "limited"))
# heads English writes first with "of" and Korean last
OF_HEADS = frozenset(("ministry", "committee", "commission", "general bureau"))

# English -> Russian: adjectives (stem and masculine, feminine, neuter endings),
# head nouns (nominative, gender), noun modifiers written after the head (genitive)
RUSSIAN_ADJ: dict[str, tuple[str, str, str, str]] = {
    # english: (stem, masculine, feminine, neuter ending)
    "korea": ("корейск", "ий", "ая", "ое"),
    "korean": ("корейск", "ий", "ая", "ое"),
    "trading": ("торгов", "ый", "ая", "ое"),
    "trade": ("торгов", "ый", "ая", "ое"),
    "general": ("генеральн", "ый", "ая", "ое"),
    "commercial": ("коммерческ", "ий", "ая", "ое"),
    "foreign trade": ("внешнеторгов", "ый", "ая", "ое"),
    "shipping": ("судоходн", "ый", "ая", "ое"),
    "international": ("международн", "ый", "ая", "ое"),
    "united": ("объединённ", "ый", "ая", "ое"),
    "national": ("национальн", "ый", "ая", "ое"),
    "credit": ("кредитн", "ый", "ая", "ое"),
    "insurance": ("страхов", "ой", "ая", "ое"),
    "economic": ("экономическ", "ий", "ая", "ое"),
    "chemical": ("химическ", "ий", "ая", "ое"),
    "banking": ("банковск", "ий", "ая", "ое"),
    "maritime": ("морск", "ой", "ая", "ое"),
}
RUSSIAN_NOUN: dict[str, tuple[str, str]] = {
    "corporation": ("корпорация", "f"),
    "company": ("компания", "f"),
    "co": ("компания", "f"),
    "bank": ("банк", "m"),
    "committee": ("комитет", "m"),
    "ministry": ("министерство", "n"),
    "bureau": ("бюро", "n"),
}
RUSSIAN_GENITIVE: dict[str, str] = {
    "mining": "горнодобывающей промышленности",
    "development": "по развитию",
    "industry": "промышленности",
    "atomic energy": "атомной энергии",
    "technology": "технологий",
    "machinery": "машиностроения",
    "equipment": "оборудования",
    "import": "импорта",
    "export": "экспорта",
}
RUSSIAN_SILENT = frozenset(("of", "the", "and", "for", "ltd", "limited"))
_GENDER = {"m": 1, "f": 2, "n": 3}

# Abbreviations (this module's own list): long form (lower case) -> short.
ABBREVIATIONS: dict[str, str] = {
    "international": "Intl",
    "technology": "Tech",
    "shipping": "SHPG",
    "joint venture": "JV",
    "information technology": "IT",
    "democratic people's republic of korea": "DPRK",
    "foreign trade bank": "FTB",
    "corporation": "Corp",
    "company": "Co",
    "limited": "Ltd",
}

LEGAL_FORM_WORDS = frozenset(("corporation", "company", "limited"))

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


def _words(name: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(name)]


def _org_pool(builder: Builder, dprk: bool) -> list[Entity]:
    return [e for e in builder.entities if e.schema in ORG_SCHEMATA and (is_dprk(e) or not dprk)]


def _latin_names(entity: Entity) -> list[str]:
    return [
        n.full
        for n in entity.names
        if n.script == "Latin" and n.kind in (NameKind.PRIMARY, NameKind.ALIAS) and len(n.full) > 3
    ]


def _phrases(words: list[str], table: dict[str, object]) -> list[tuple[str, bool]]:
    """Words grouped into the table's phrases (longest first): (text, in table)."""
    out: list[tuple[str, bool]] = []
    at = 0
    while at < len(words):
        for size in (3, 2, 1):
            phrase = " ".join(words[at : at + size])
            if len(words) - at >= size and phrase in table:
                out.append((phrase, True))
                at += size
                break
        else:
            out.append((words[at], False))
            at += 1
    return out


def _hangul_proper(word: str, rng: random.Random) -> str | None:
    syllables = korean.segment(word)
    if not syllables or len(syllables) > 4:
        return None
    chars = []
    for syllable in syllables:
        candidates = korean.hangul_candidates(syllable)
        if not candidates:
            return None
        chars.append(candidates[0] if rng.random() < 0.8 else rng.choice(candidates[:2]))
    return "".join(chars)


def to_korean(name: str, rng: random.Random) -> str | None:
    """The name in Korean, or None when a word is neither in the table nor Korean."""
    parts = _phrases([w for w in _words(name) if w not in KOREAN_SILENT or w == "of"], dict.fromkeys(KOREAN))
    # "Ministry of X" → "X 성"
    words = [p for p, _ in parts]
    if "of" in words:
        at = words.index("of")
        if at == 1 and words[0] in OF_HEADS:
            parts = [*parts[2:], parts[0]]
        else:
            return None
    out: list[str] = []
    known = 0
    for text, in_table in parts:
        if in_table:
            out.append(KOREAN[text])
            known += 1
            continue
        proper = _hangul_proper(text, rng)
        if proper is None:
            return None
        out.append(proper)
    if known == 0 or (known == len(out) and len(out) < 2):
        return None
    if rng.random() < 0.7:
        return "".join(out)
    return " ".join(out)


def to_russian(name: str, rng: random.Random) -> str | None:
    """The name in Russian (see the module docstring), or None."""
    table = dict.fromkeys([*RUSSIAN_ADJ, *RUSSIAN_NOUN, *RUSSIAN_GENITIVE])
    parts = _phrases([w for w in _words(name) if w not in RUSSIAN_SILENT], table)
    heads = [i for i, (text, known) in enumerate(parts) if known and text in RUSSIAN_NOUN]
    if not heads:
        return None
    head_at = heads[-1]
    noun, gender = RUSSIAN_NOUN[parts[head_at][0]]
    adjectives: list[str] = []
    genitives: list[str] = []
    proper: list[str] = []
    for i, (text, known) in enumerate(parts):
        if i == head_at:
            continue
        if known and text in RUSSIAN_ADJ:
            stem, *endings = RUSSIAN_ADJ[text]
            adjectives.append(stem + endings[_GENDER[gender] - 1])
        elif known and text in RUSSIAN_GENITIVE:
            genitives.append(RUSSIAN_GENITIVE[text])
        elif known:
            return None  # a second head noun
        elif korean.segment(text):
            proper.append(latin_to_cyrillic(text.title()))
        else:
            return None
    if not adjectives and not genitives:
        return None
    # English "Mining Development": Russian "по развитию горнодобывающей промышленности"
    words = [*adjectives, noun, *reversed(genitives)]
    words[0] = words[0][:1].upper() + words[0][1:]
    if proper:
        shown = " ".join(proper)
        words.append(f"«{shown}»" if rng.random() < 0.4 else shown)
    return " ".join(words)


def _translation(
    builder: Builder, kind: str, write: Callable[[str, random.Random], str | None]
) -> Iterator[Example]:
    from bench.eval.sets import Example

    rng = builder.rng(kind)
    for entity in builder.representatives(_org_pool(builder, dprk=True), rng):
        for latin in _latin_names(entity):
            written = write(latin, rng)
            if written is None:
                continue
            yield Example(
                id="",
                kind="",
                query={"name": written, "schema": "Organization" if rng.random() < 0.5 else "Thing"},
                expected=entity.id,
                accept=builder.accept(entity.id),
                note=f"{latin!r} translated by bench.eval.translations",
            )
            break


def abbreviation_org(builder: Builder) -> Iterator[Example]:
    from bench.eval.sets import Example

    rng = builder.rng("abbreviation_org")
    for entity in builder.representatives(_org_pool(builder, dprk=False), rng):
        for latin in _latin_names(entity):
            text, how = latin, ""
            # in random order: every abbreviation gets its share of the examples; a
            # legal form alone (Co, Ltd) is the company_legal_form kind's
            for long, short in rng.sample(sorted(ABBREVIATIONS.items()), len(ABBREVIATIONS)):
                if long in LEGAL_FORM_WORDS:
                    continue
                pattern = re.compile(rf"(?<!\w){re.escape(long)}(?!\w)", re.I)
                if pattern.search(text):
                    text, how = pattern.sub(short, text, count=1), f"{long} → {short}"
                    break
                written = re.compile(rf"(?<!\w){re.escape(short)}(?!\w)")
                if written.search(text):
                    text, how = written.sub(long.title(), text, count=1), f"{short} → {long}"
                    break
            if not how:
                continue
            yield Example(
                id="",
                kind="",
                query={"name": text, "schema": "Organization"},
                expected=entity.id,
                accept=builder.accept(entity.id),
                note=f"{latin!r}: {how}",
            )
            break


def _listed_proper_keys(builder: Builder) -> set[tuple[str, ...]]:
    """Korean syllable keys of every word of a listed DPRK organisation name."""
    keys: set[tuple[str, ...]] = set()
    for entity in _org_pool(builder, dprk=True):
        for name in _latin_names(entity):
            for word in _words(name):
                syllables = korean.segment(word)
                if syllables:
                    keys.add(tuple(korean.canonical(s) for s in syllables))
    return keys


NEG_KOREAN_TAILS = (
    "무역회사",
    "상업은행",
    "해운회사",
    "무역총회사",
    "기계회사",
    "국제무역회사",
    "개발은행",
    "광업회사",
)
NEG_RUSSIAN = (
    "Корейская торговая компания",
    "Корейская судоходная компания",
    "Коммерческий банк",
    "Корейская генеральная корпорация",
    "ООО Корейская торговая компания",
    "Международная торговая компания",
)


def neg_org_glossary(builder: Builder) -> Iterator[Example]:
    from bench.eval.sets import negative

    rng = builder.rng("neg_org_glossary")
    listed = _listed_proper_keys(builder)
    pool = korean.given_syllable_pool()
    fake = builder._faker("ru_RU", "neg_org_glossary")
    produced = 0
    for _attempt in range(builder.cap * 20):
        if produced >= builder.cap:
            return
        syllables = (rng.choice(pool), rng.choice(pool))
        if tuple(korean.canonical(s) for s in syllables) in listed:
            continue
        if rng.random() < 0.5:
            proper = "".join(korean.hangul_candidates(s)[0] for s in syllables if korean.hangul_candidates(s))
            if len(proper) != 2:
                continue
            name = ("조선" if rng.random() < 0.6 else "") + proper + rng.choice(NEG_KOREAN_TAILS)
            english = " ".join(s.title() for s in syllables)
        else:
            word = fake.last_name() if rng.random() < 0.5 else latin_to_cyrillic("".join(syllables).title())
            english = word
            name = (
                f"{rng.choice(NEG_RUSSIAN)} «{word}»"
                if rng.random() < 0.5
                else f"{rng.choice(NEG_RUSSIAN)} {word}"
            )
        if builder.is_listed(name) or builder.is_listed(english):
            continue
        produced += 1
        yield negative(name, "glossary words around an unlisted proper part", "Company")


KR_FORMS = ("Co., Ltd.", "Co., Ltd", "Company Limited", "Inc.")
CN_FORMS = ("Co., Ltd.", "Limited", "Trading Co., Ltd.")
_LEGAL_TAIL = re.compile(
    r"\s*(?:,?\s*(?:corporation|corp\.?|company|co\.?|ltd\.?|limited|llc|inc\.?))+\s*$", re.I
)


def country_mismatch(builder: Builder) -> Iterator[Example]:
    from bench.eval.sets import Example

    rng = builder.rng("country_mismatch")
    # the DPRK's own organisations: a DPRK country, or "Korea ..." under a DPRK programme
    pool = [
        e
        for e in _org_pool(builder, dprk=True)
        if "kp" in {*e.countries, *e.nationalities, *(a.country for a in e.addresses)}
        or e.caption.upper().startswith("KOREA")
    ]
    for entity in builder.representatives(pool, rng):
        names = [n.full for n in entity.names if n.script == "Latin" and n.kind is NameKind.PRIMARY]
        if not names:
            continue
        core = _LEGAL_TAIL.sub("", re.sub(r"\s*\([^)]*\)", "", names[0])).strip()
        if len(core.split()) < 2:
            continue
        country = "KR" if rng.random() < 0.6 else "CN"
        form = rng.choice(KR_FORMS if country == "KR" else CN_FORMS)
        yield Example(
            id="",
            kind="",
            query={"name": f"{core.title()} {form}", "schema": "Company", "country": country},
            expected=None,
            accept=builder.accept(entity.id),
            against=entity.id,
            note=f"{names[0]!r} with another legal form, country {country}",
        )


def builders(builder: Builder) -> list[tuple[str, Callable[[], Iterator[Example]]]]:
    """The builders of this module's kinds, for `sets.Builder.build`."""
    return [
        ("hangul_translation_org", lambda: _translation(builder, "hangul_translation_org", to_korean)),
        ("cyrillic_translation_org", lambda: _translation(builder, "cyrillic_translation_org", to_russian)),
        ("abbreviation_org", lambda: abbreviation_org(builder)),
        ("neg_org_glossary", lambda: neg_org_glossary(builder)),
        ("country_mismatch", lambda: country_mismatch(builder)),
    ]
