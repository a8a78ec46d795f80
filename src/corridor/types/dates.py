"""Dates as sanctions lists write them, to `DateSpec`.

Seen in the shared files: "1962", "04 Mar 1962", "1962-03-04", "04/03/1962"
(UK, day first), "03/04/1962" (OFAC XML, month first), "circa 1962",
"Approximately 1962", "1961 to 1963", "Between 1961 and 1963", "00/00/1962".
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DateSpec:
    """A date as lists give them: exact (1962-03-04), month (1962-03), year (1962),
    a range (start..end), possibly approximate ("circa 1962")."""

    start: str  # ISO prefix: YYYY, YYYY-MM or YYYY-MM-DD
    end: str = ""  # for ranges; "" means the same as start
    approximate: bool = False
    text: str = ""  # the list's own wording when it was not a plain date

    @property
    def last(self) -> str:
        return self.end or self.start


_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}

_APPROX_RE = re.compile(r"\b(circa|ca\.?|approximately|approx\.?|about|around|c\.)\s*", re.IGNORECASE)
_RANGE_RE = re.compile(
    r"^(?:between\s+)?(?P<a>.+?)\s*(?:\bto\b|\band\b|–|—|\s-\s)\s*(?P<b>.+)$", re.IGNORECASE
)


def _valid(year: int, month: int = 0, day: int = 0) -> bool:
    if not 1800 <= year <= 2100:
        return False
    if month and not 1 <= month <= 12:
        return False
    return not day or 1 <= day <= 31


def _iso(year: int, month: int = 0, day: int = 0) -> str:
    if month and day:
        return f"{year:04d}-{month:02d}-{day:02d}"
    if month:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}"


def parse_single(text: str, day_first: bool = True) -> str | None:
    """One date (no range) to an ISO prefix, or None when it is not a date."""
    text = text.strip().strip(".,;")
    if not text:
        return None
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:T.*)?", text):
        y, mo, d = (int(g) for g in m.groups())
        return _iso(y, mo, d) if _valid(y, mo, d) else None
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        y, mo = int(m.group(1)), int(m.group(2))
        return _iso(y, mo) if _valid(y, mo) else None
    if m := re.fullmatch(r"(\d{4})", text):
        y = int(m.group(1))
        return _iso(y) if _valid(y) else None
    if m := re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text):
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        day, month = (a, b) if day_first else (b, a)
        if month == 0:  # UK writes unknown parts as 00: "00/00/1962"
            return _iso(y) if _valid(y) else None
        if day == 0:
            return _iso(y, month) if _valid(y, month) else None
        return _iso(y, month, day) if _valid(y, month, day) else None
    if m := re.fullmatch(r"(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{4})", text):
        month = _MONTHS.get(m.group(2).lower(), 0)
        y, d = int(m.group(3)), int(m.group(1))
        return _iso(y, month, d) if month and _valid(y, month, d) else None
    if m := re.fullmatch(r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})", text):
        month = _MONTHS.get(m.group(1).lower(), 0)
        y, d = int(m.group(3)), int(m.group(2))
        return _iso(y, month, d) if month and _valid(y, month, d) else None
    if m := re.fullmatch(r"([A-Za-z]{3,9})\.?\s+(\d{4})", text):
        month = _MONTHS.get(m.group(1).lower(), 0)
        y = int(m.group(2))
        return _iso(y, month) if month and _valid(y, month) else None
    return None


def parse_date(text: str, day_first: bool = True) -> DateSpec | None:
    """A date, year, range or approximate date to a DateSpec (None if unreadable)."""
    raw = " ".join(text.split())
    if not raw:
        return None
    approximate = bool(_APPROX_RE.search(raw))
    body = _APPROX_RE.sub("", raw).strip()
    single = parse_single(body, day_first)
    if single:
        return DateSpec(single, "", approximate, raw if approximate else "")
    if m := _RANGE_RE.match(body):
        a = parse_single(m.group("a"), day_first)
        b = parse_single(m.group("b"), day_first)
        if a and b:
            return DateSpec(min(a, b), max(a, b), approximate, raw)
    return None
