"""Company legal forms for the evaluation sets: find the form in a listed name and
write the name with an equivalent form, elsewhere, quoted, or in Cyrillic.

"LIMITED LIABILITY COMPANY VERUS" reaches a screener as "Verus LLC",
'OOO "VERUS"', "ООО «ВЕРУС»"; "X CO., LTD." as "X Company Limited".
Written independently of `corridor.names` (see the package docstring).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from bench.eval.russian import latin_to_cyrillic

# group -> (Latin spellings, Cyrillic abbreviation or "").  The first spelling is
# the usual English abbreviation.
LEGAL_FORMS: dict[str, tuple[tuple[str, ...], str]] = {
    "llc": (
        ("LLC", "L.L.C.", "LIMITED LIABILITY COMPANY", "OOO", "OBSHCHESTVO S OGRANICHENNOY OTVETSTVENNOSTYU"),
        "ООО",
    ),
    "pjsc": (("PJSC", "PUBLIC JOINT STOCK COMPANY", "PAO"), "ПАО"),
    "ojsc": (("OJSC", "OPEN JOINT STOCK COMPANY", "OAO"), "ОАО"),
    "cjsc": (("CJSC", "CLOSED JOINT STOCK COMPANY", "ZAO"), "ЗАО"),
    "jsc": (("JSC", "JOINT STOCK COMPANY", "JOINT-STOCK COMPANY", "AO", "AKTSIONERNOYE OBSHCHESTVO"), "АО"),
    "fsue": (("FSUE", "FEDERAL STATE UNITARY ENTERPRISE", "FGUP"), "ФГУП"),
    "co_ltd": (("CO., LTD.", "CO LTD", "COMPANY LIMITED", "CO., LIMITED", "COMPANY LTD"), ""),
    "pte_ltd": (("PTE. LTD.", "PTE LTD", "PRIVATE LIMITED"), ""),
    "ltd": (("LTD", "LIMITED", "LTD."), ""),
    "corp": (("CORPORATION", "CORP.", "CORP"), ""),
    "inc": (("INC.", "INC", "INCORPORATED"), ""),
    "gmbh": (("GMBH", "GESELLSCHAFT MIT BESCHRAENKTER HAFTUNG"), ""),
    "fze": (("FZE", "FREE ZONE ESTABLISHMENT"), ""),
    "fzco": (("FZCO", "FREE ZONE COMPANY"), ""),
    "llp": (("LLP", "LIMITED LIABILITY PARTNERSHIP"), ""),
}
# Groups written before the name in Russian usage (ООО «Ромашка»).
_PREFIX_GROUPS = frozenset(("llc", "pjsc", "ojsc", "cjsc", "jsc", "fsue"))
_QUOTES = "\"'«»“”„"
# A core with these words is English-language: writing it in Cyrillic would be nonsense.
_ENGLISH_WORDS = frozenset(
    [
        "OF",
        "THE",
        "AND",
        "FOR",
        "BANK",
        "TRADING",
        "INTERNATIONAL",
        "GROUP",
        "COMPANY",
        "SHIPPING",
        "MARINE",
        "INDUSTRIAL",
        "HOLDING",
        "HOLDINGS",
        "SERVICES",
        "SERVICE",
        "TECHNOLOGIES",
        "TECHNOLOGY",
        "ENGINEERING",
        "ENERGY",
        "INVESTMENT",
        "INVESTMENTS",
        "MANAGEMENT",
        "LOGISTICS",
        "SYSTEMS",
        "GLOBAL",
        "EXPORT",
        "IMPORT",
        "DEVELOPMENT",
        "CORPORATION",
        "RESEARCH",
        "INSTITUTE",
        "PLANT",
        "FACTORY",
    ]
)


def _pattern(spelling: str) -> str:
    words = re.findall(r"[A-Z]+", spelling.upper())
    parts = []
    for word in words:
        if word in ("OGRANICHENNOY",):
            parts.append("OGRANICHENNO[IY]")
        elif word == "AKTSIONERNOYE":
            parts.append("AKTSIONERNOE|AKTSIONERNOYE")
        else:
            parts.append(re.escape(word))
    return r"[\s.,\-]*".join(f"(?:{p})" for p in parts) + r"\.?"


@dataclass(frozen=True, slots=True)
class FormMatch:
    group: str
    spelling: str  # as found in the name
    core: str  # the name without the form and quotes
    prefix: bool  # form written before the core


def _spellings_by_length() -> list[tuple[str, str]]:
    items = [(group, spelling) for group, (spellings, _cyr) in LEGAL_FORMS.items() for spelling in spellings]
    return sorted(items, key=lambda item: -len(item[1]))


_ORDERED = _spellings_by_length()
_COMPILED = [
    (
        group,
        spelling,
        re.compile(rf"^\s*({_pattern(spelling)})[\s,]+(.+)$", re.I),
        re.compile(rf"^(.+?)[\s,]+({_pattern(spelling)})\s*$", re.I),
    )
    for group, spelling in _ORDERED
]


def find_form(name: str) -> FormMatch | None:
    """The legal form at the start or end of a company name, longest first."""
    for group, _spelling, prefix_re, suffix_re in _COMPILED:
        match = prefix_re.match(name)
        if match:
            core = match.group(2).strip().strip(_QUOTES).strip()
            if core and re.search(r"\w", core):
                return FormMatch(group, match.group(1), core, True)
        match = suffix_re.match(name)
        if match:
            core = match.group(1).strip().rstrip(",").strip().strip(_QUOTES).strip()
            if core and re.search(r"\w", core):
                return FormMatch(group, match.group(2), core, False)
    return None


def form_variant(name: str, rng: random.Random, allow_cyrillic: bool = True) -> tuple[str, str] | None:
    """The company name with an equivalent legal form (another spelling of the same
    form, moved before/after the name, maybe quoted or in Cyrillic), and a label;
    None when the name carries no known form."""
    found = find_form(name)
    if found is None:
        return None
    spellings, cyrillic = LEGAL_FORMS[found.group]
    current = re.sub(r"[^A-Z]", "", found.spelling.upper())
    others = [s for s in spellings if re.sub(r"[^A-Z]", "", s) != current]
    if (
        allow_cyrillic
        and cyrillic
        and not _ENGLISH_WORDS & set(found.core.upper().split())
        and rng.random() < 0.3
    ):
        core = latin_to_cyrillic(found.core)
        return f"{cyrillic} «{core}»", f"{found.group}/cyrillic"
    if not others:
        return None
    form = rng.choice(others)
    prefix = found.prefix
    if found.group in _PREFIX_GROUPS and rng.random() < 0.5:
        prefix = not prefix
    core = found.core
    label = f"{found.group}/{'prefix' if prefix else 'suffix'}"
    if prefix and found.group in _PREFIX_GROUPS and rng.random() < 0.4:
        core = f'"{core}"'
        label += "/quoted"
    text = f"{form} {core}" if prefix else f"{core} {form}"
    if rng.random() < 0.3:
        text = text.title()
    return text, label
