"""The Harmonized System nomenclature (HS 2022): validation, lookup and search.

Data: `harmonized-system.csv` (columns section,hscode,description,parent,level;
97 chapters, 1,229 headings, 5,613 subheadings and one TOTAL row; chapter 99 with
its heading 9999 and subheading 999999 is Comtrade's "not specified according to
kind", filed under section TOTAL, and is left out: 96 chapters remain) and
`sections.csv` (section,name; starts with a UTF-8 BOM) from a directory the caller
passes (the application layer passes `corridor.settings.shared_data() / "hs"`).

Codes are accepted as 2, 4 or 6 digits, or as longer national codes (7-12 digits:
CN 8, HTS 10...) of which the first 6 are validated.  Dots and spaces are
allowed ("2710.12", "2710 12 41").  A bad code raises `HSCodeError` naming the
field it came from.

`search("diesel")` ranks matches from the nomenclature text, from a small
synonym table (`SYNONYMS`) for trade words the nomenclature does not use, and from
the product vocabulary (`products.yaml`), so «дизельное топливо» or 경유 finds 2710.19.
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from corridor.errors import InputError
from corridor.types.text import is_ascii_digits, normalize

# Trade words missing from the HS text -> the subheadings they usually mean, with why.
# Kept small and documented (docs/trade.md); each entry is a pointer, not a ruling.
SYNONYMS: dict[str, tuple[tuple[str, str], ...]] = {
    "diesel": (
        ("271019", "diesel / gas oil: a medium oil, 'not light oils' (2710.19)"),
        ("271020", "diesel blended with biodiesel (2710.20)"),
    ),
    "gas oil": (("271019", "gas oil / diesel (2710.19)"),),
    "gasoil": (("271019", "gas oil / diesel (2710.19)"),),
    "gasoline": (("271012", "motor gasoline: a light oil (2710.12)"),),
    "petrol": (("271012", "petrol = motor gasoline, a light oil (2710.12)"),),
    "motor spirit": (("271012", "motor spirit = gasoline (2710.12)"),),
    "avgas": (("271012", "aviation gasoline: a light oil (2710.12); banned to the DPRK (2270 para 31)"),),
    "aviation gasoline": (("271012", "aviation gasoline: a light oil (2710.12)"),),
    "naphtha": (("271012", "naphtha: a light oil (2710.12)"),),
    "kerosene": (("271019", "kerosene (lamp or jet): a medium oil (2710.19)"),),
    "jet fuel": (
        ("271019", "kerosene-type jet fuel: a medium oil (2710.19); banned to the DPRK"),
        ("271012", "naphtha-type jet fuel: a light oil (2710.12)"),
    ),
    "fuel oil": (("271019", "residual fuel oil / mazut: a heavy oil (2710.19)"),),
    "mazut": (("271019", "mazut = residual fuel oil (2710.19)"),),
    "lpg": (
        ("271112", "liquefied propane (2711.12)"),
        ("271113", "liquefied butanes (2711.13)"),
        ("271119", "other liquefied petroleum gases (2711.19)"),
    ),
    "liquefied petroleum gas": (
        ("271112", "propane (2711.12)"),
        ("271113", "butanes (2711.13)"),
        ("271119", "other liquefied gases (2711.19)"),
    ),
    "autogas": (("271112", "propane (2711.12)"), ("271113", "butanes (2711.13)")),
    "lng": (("271111", "liquefied natural gas (2711.11)"),),
    "condensate": (("270900", "gas condensate is classified with crude (2709.00)"),),
    "crude": (("270900", "crude petroleum oil (2709.00)"),),
    "wheat flour": (("110100", "wheat or meslin flour (1101.00)"),),
    "flour": (("110100", "wheat or meslin flour (1101.00)"), ("1102", "other cereal flours (11.02)")),
    "cooking oil": (("1512", "sunflower-seed oil (15.12)"), ("1507", "soya-bean oil (15.07)")),
    "sunflower oil": (("1512", "sunflower-seed oil (15.12)"),),
    "truck": (("8704", "motor vehicles for the transport of goods (87.04)"),),
    "lorry": (("8704", "motor vehicles for the transport of goods (87.04)"),),
    "car": (("8703", "motor cars (87.03)"),),
    "tank": (("871000", "tanks and armoured fighting vehicles (87.10)"),),
    "coal": (("2701", "coal (27.01)"),),
    "steel": (("72", "iron and steel (chapter 72)"),),
    "microchip": (("8542", "electronic integrated circuits (85.42)"),),
    "chip": (("8542", "electronic integrated circuits (85.42)"),),
}

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "or",
        "of",
        "the",
        "for",
        "in",
        "on",
        "to",
        "with",
        "other",
        "than",
        "not",
        "nec",
        "n",
        "e",
        "c",
        "its",
        "their",
        "or",
        "thereof",
        "whether",
        "including",
        "excluding",
        "being",
        "kind",
        "used",
    ]
)
_WORD_RE = re.compile(r"[a-z0-9]+")


class HSCodeError(InputError):
    """A malformed or unknown HS code; `field` names where it came from."""

    def __init__(self, field: str, value: object, message: str) -> None:
        self.value = value
        super().__init__(field, message)


@dataclass(frozen=True, slots=True)
class HSEntry:
    code: str  # 2, 4 or 6 digits
    description: str
    parent: str  # "" for chapters
    level: int  # 2, 4 or 6
    section: str  # roman numeral


@dataclass(frozen=True, slots=True)
class HSCode:
    """A validated code: `hs6` is what the nomenclature knows (2, 4 or 6 digits),
    `national` the digits beyond 6 (CN/HTS), not validated."""

    raw: str
    digits: str
    hs6: str
    national: str

    @property
    def chapter(self) -> str:
        return self.hs6[:2]

    def dotted(self) -> str:
        """ "2710.19" style (heading.subheading), national digits appended."""
        if len(self.hs6) <= 4:
            return self.hs6
        return f"{self.hs6[:4]}.{self.hs6[4:]}{self.national}"


@dataclass(frozen=True, slots=True)
class HSPath:
    """Where a code sits: section, chapter, heading, subheading (the ones that apply)."""

    code: HSCode
    section: tuple[str, str]  # (numeral, name)
    chapter: HSEntry
    heading: HSEntry | None
    subheading: HSEntry | None

    @property
    def entry(self) -> HSEntry:
        return self.subheading or self.heading or self.chapter

    def lines(self) -> list[str]:
        out = [
            f"Section {self.section[0]}: {self.section[1]}",
            f"Chapter {self.chapter.code}: {self.chapter.description}",
        ]
        if self.heading:
            out.append(f"Heading {self.heading.code}: {self.heading.description}")
        if self.subheading:
            out.append(f"Subheading {self.subheading.code}: {self.subheading.description}")
        return out


@dataclass(frozen=True, slots=True)
class HSMatch:
    code: str
    description: str
    level: int
    score: float
    via: str  # "synonym: ..." or "text"


def normalise_code(value: object, field: str = "hs_code") -> str:
    """The digits of a code written with optional dots/spaces; HSCodeError if malformed."""
    if value is None:
        raise HSCodeError(field, value, "missing HS code")
    if isinstance(value, float):
        raise HSCodeError(field, value, f'HS code {value!r} was read as a number: quote it ("2710.12")')
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise HSCodeError(field, value, f"HS code must be text, got {type(value).__name__}")
    if isinstance(value, int) and len(str(value)) < 4:
        # A number loses leading zeros (YAML even reads 0101 as octal): only long codes are safe.
        raise HSCodeError(field, value, f'HS code {value!r} was read as a number: quote it ("0101")')
    text = str(value).strip()
    if not text:
        raise HSCodeError(field, value, "missing HS code")
    if not re.fullmatch(r"[0-9][0-9 .]*", text):
        raise HSCodeError(
            field, value, f"malformed HS code {text!r}: only digits, dots and spaces are allowed"
        )
    digits = re.sub(r"[ .]", "", text)
    if len(digits) not in (2, 4, 6) and not 7 <= len(digits) <= 12:
        raise HSCodeError(
            field,
            value,
            f"malformed HS code {text!r}: {len(digits)} digits (use 2, 4 or 6, or a 7-12 digit national code)",
        )
    return digits


class Nomenclature:
    """HS 2022, loaded once.  Lookups are dict hits; search uses an inverted index."""

    def __init__(
        self, entries: dict[str, HSEntry], sections: dict[str, str], source: Path | None = None
    ) -> None:
        self.entries = entries
        self.sections = sections
        self.source = source
        self._index: dict[str, set[str]] = defaultdict(set)
        for code, entry in entries.items():
            for word in _words(entry.description):
                self._index[word].add(code)
        total = max(len(entries), 1)
        self._idf = {word: math.log(1 + total / len(codes)) for word, codes in self._index.items()}
        self._synonyms = {" ".join(_words(key, keep_stop=True)): value for key, value in SYNONYMS.items()}

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, code: str) -> bool:
        return code in self.entries

    def validate(self, value: object, field: str = "hs_code") -> HSCode:
        """Parse and check a code against the nomenclature (first 6 digits of longer codes)."""
        digits = normalise_code(value, field)
        hs6, national = digits[:6], digits[6:]
        if hs6 not in self.entries:
            known = next((hs6[:n] for n in (4, 2) if hs6[:n] in self.entries), None)
            hint = f" (heading/chapter {known} exists)" if known and known != hs6 else ""
            raise HSCodeError(
                field, value, f"unknown HS code {str(value).strip()!r}: {hs6} is not in HS 2022{hint}"
            )
        return HSCode(raw=str(value).strip(), digits=digits, hs6=hs6, national=national)

    def path(self, value: object, field: str = "hs_code") -> HSPath:
        code = value if isinstance(value, HSCode) else self.validate(value, field)
        chapter = self.entries[code.hs6[:2]]
        heading = self.entries.get(code.hs6[:4]) if len(code.hs6) >= 4 else None
        sub = self.entries.get(code.hs6) if len(code.hs6) == 6 else None
        numeral = chapter.section
        return HSPath(code, (numeral, self.sections.get(numeral, "")), chapter, heading, sub)

    def describe(self, value: object) -> str:
        return self.path(value).entry.description

    def children(self, code: str) -> list[HSEntry]:
        return sorted((e for e in self.entries.values() if e.parent == code), key=lambda e: e.code)

    def search(self, query: str, limit: int = 10) -> list[HSMatch]:
        """Ranked matches: code prefixes, synonym hits, then IDF-weighted word overlap."""
        query = query.strip()
        results: dict[str, HSMatch] = {}
        digits = re.sub(r"[ .]", "", query)
        if is_ascii_digits(digits):
            for code, entry in self.entries.items():
                if code.startswith(digits[:6]):
                    results[code] = HSMatch(
                        code, entry.description, entry.level, 2.0 - len(code) / 100, "code"
                    )
            return sorted(results.values(), key=lambda m: (-m.score, m.code))[:limit]
        words = _words(query, keep_stop=True)
        phrase = " ".join(words)
        # Synonyms: the whole phrase, then each bigram and word.
        keys = [phrase] + [" ".join(words[i : i + 2]) for i in range(len(words) - 1)] + words
        for rank, key in enumerate(dict.fromkeys(keys)):
            for code, note in self._synonyms.get(key, ()):
                synonym_entry = self.entries.get(code)
                if synonym_entry and code not in results:
                    score = 1.5 - rank * 0.01
                    results[code] = HSMatch(
                        code, synonym_entry.description, synonym_entry.level, score, f"synonym: {note}"
                    )
        # The product vocabulary: the same goods named in Russian or Korean (products.yaml).
        from corridor.trade.products import vocabulary  # products -> rules -> hs: import here

        vocab = vocabulary()
        for rank, found in enumerate(vocab.find(normalize(query))):
            product = vocab.products[found.product]
            for code in product.hs:
                product_entry = self.entries.get(code)
                if product_entry and code not in results:
                    results[code] = HSMatch(
                        code,
                        product_entry.description,
                        product_entry.level,
                        1.45 - rank * 0.01,
                        f"product: {product.label} («{found.text}»)",
                    )
        content = [w for w in words if w not in _STOPWORDS]
        if content:
            total = sum(self._idf.get(w, 1.0) for w in content)
            scores: dict[str, float] = defaultdict(float)
            for word in content:
                for code in self._index.get(word, ()):
                    scores[code] += self._idf[word]
            query_words = set(content)
            for code, raw in scores.items():
                if code in results:
                    continue
                entry = self.entries[code]
                # Coverage of the query first; then how much of the description the query
                # explains, and general codes (chapter, heading) before specific ones.
                described = set(_words(entry.description))
                density = len(query_words & described) / max(len(described), 1)
                score = raw / total + 0.03 * density + (6 - entry.level) * 0.005
                results[code] = HSMatch(code, entry.description, entry.level, round(score, 6), "text")
        return sorted(results.values(), key=lambda m: (-m.score, m.code))[:limit]


def _words(text: str, keep_stop: bool = False) -> list[str]:
    out = []
    for word in _WORD_RE.findall(text.casefold().replace("'", "")):
        if len(word) > 3 and word.endswith("es") and not word.endswith("ses"):
            word = word[:-2] if word[-3] in "hsx" else word[:-1]
        elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        if keep_stop or word not in _STOPWORDS:
            out.append(word)
    return out


@lru_cache(maxsize=4)
def load(directory: Path) -> Nomenclature:
    """Read harmonized-system.csv and sections.csv from `directory` (once per directory)."""
    from corridor.errors import ParseError

    hs_path = directory / "harmonized-system.csv"
    sections_path = directory / "sections.csv"
    entries: dict[str, HSEntry] = {}
    try:
        with open(hs_path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            expected = {"section", "hscode", "description", "parent", "level"}
            if not reader.fieldnames or not expected <= set(reader.fieldnames):
                raise ParseError(
                    hs_path, "line 1", f"expected columns {sorted(expected)}, got {reader.fieldnames}"
                )
            for line_no, row in enumerate(reader, start=2):
                code = (row["hscode"] or "").strip()
                if code == "TOTAL" or (row["section"] or "").strip() == "TOTAL":
                    # The TOTAL row and Comtrade's chapter 99 ("commodities not specified
                    # according to kind", section TOTAL) are statistics codes, not HS.
                    continue
                if (
                    not is_ascii_digits(code)
                    or len(code) not in (2, 4, 6)
                    or str(len(code)) != (row["level"] or "").strip()
                ):
                    raise ParseError(
                        hs_path, f"line {line_no}", f"bad hscode/level {code!r}/{row['level']!r}"
                    )
                entries[code] = HSEntry(
                    code=code,
                    description=(row["description"] or "").strip(),
                    parent="" if len(code) == 2 else (row["parent"] or "").strip(),
                    level=len(code),
                    section=(row["section"] or "").strip(),
                )
        sections: dict[str, str] = {}
        with open(sections_path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                sections[(row["section"] or "").strip()] = (row["name"] or "").strip()
    except OSError as exc:
        raise ParseError(directory, "", f"cannot read the HS nomenclature: {exc}") from exc
    return Nomenclature(entries, sections, source=directory)
