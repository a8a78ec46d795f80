"""Dates in report text, resolved against the report's date.

Relative expressions are computed here, exactly: "last Friday" (the Friday before the
report's date), "next month", "earlier this month", "last year", "yesterday".  Written
dates ("October 12", "12 October 2024", "March 7 2024", "24/4/2015", "12 октября") are
resolved with dateparser, relative to the report's date and preferring the past (a
report tells what happened); a month without a year ("in October") is the latest such
month not after the report's month.  Each keeps its precision: day, month or year.

Pure, no I/O.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from corridor.intel.model import DateRef
from corridor.types.text import is_ascii_digits

_MONTH_NAMES = {name.casefold(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES.update({name.casefold(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH_NAMES["sept"] = 9
_WEEKDAYS = {name.casefold(): i for i, name in enumerate(calendar.day_name)}
_RU_MONTHS = "январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр"
_RU_MONTH_INDEX = {stem: i + 1 for i, stem in enumerate(_RU_MONTHS.split("|"))}
_RU_MONTH_WORD = r"(?:январ[ья]|январе|феврал[ья]|феврале|марта?|марте|апрел[ья]|апреле|ма[йяе]|июн[ья]|июне|июл[ья]|июле|августа?|августе|сентябр[ья]|сентябре|октябр[ья]|октябре|ноябр[ья]|ноябре|декабр[ья]|декабре)"
_RU_WEEKDAYS = {
    "понедельник": 0,
    "вторник": 1,
    "сред": 2,
    "четверг": 3,
    "пятниц": 4,
    "суббот": 5,
    "воскресень": 6,
}
_RU_WEEKDAY = r"(?:понедельник|вторник|сред[ау]|четверг|пятниц[ау]|суббот[ау]|воскресенье)"

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"

_PATTERNS: list[tuple[str, str]] = [
    ("relative_weekday", rf"\b(?P<rel>last|this|next|on|past)\s+(?P<wd>{_WEEKDAY})\b"),
    (
        "relative_unit",
        r"\b(?P<rel>last|this|next|past|earlier this|later this|early this|late this|earlier in the|end of this|end of last)\s+(?P<unit>week|month|year)\b",
    ),
    ("day_word", r"\b(?P<word>yesterday|today|tomorrow)\b"),
    (
        "ago",
        r"\b(?P<n>\d{1,2}|one|two|three|four|five|six|several|a few)\s+(?P<unit>days|weeks|months|years)\s+ago\b",
    ),
    ("iso", rf"\b(?P<y>{_YEAR})-(?P<m>0[1-9]|1[0-2])-(?P<d>[0-2]\d|3[01])\b"),
    ("numeric", rf"\b(?P<d>[0-3]?\d)[/.](?P<m>[01]?\d)[/.](?P<y>{_YEAR})\b"),
    ("month_day_year", rf"\b{_MONTH}\s+[0-3]?\d(?:st|nd|rd|th)?,?\s+{_YEAR}\b"),
    ("day_month_year", rf"\b[0-3]?\d(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b"),
    ("month_day", rf"\b{_MONTH}\s+[0-3]?\d(?:st|nd|rd|th)?\b(?!\s*,?\s*\d)"),
    ("day_month", rf"\b[0-3]?\d(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b"),
    ("month_year", rf"\b(?P<mname>{_MONTH})\s+(?:of\s+)?(?P<y>{_YEAR})\b"),
    (
        "month",
        rf"\b(?:in|since|by|until|from|last|this|during|early|late|mid-?|between|of|and|to|through|till)\s+(?P<mname>{_MONTH})\b(?!\s*,?\s*(?:[0-3]?\d\b|{_YEAR}))",
    ),
    ("ru_date", rf"\b[0-3]?\d\s+(?:{_RU_MONTHS})[а-я]*(?:\s+{_YEAR})?(?:\s+года?)?"),
    (
        "ru_relative_weekday",
        rf"\b(?P<rel>(?:в|во)\s+(?:прошл(?:ый|ую|ое)|минувш(?:ий|ую|ее)|эт(?:от|у|о)|следующ(?:ий|ую|ее)|ближайш(?:ий|ую|ее))|в|во)\s+(?P<wd>{_RU_WEEKDAY})\b",
    ),
    (
        "ru_relative_unit",
        r"\b(?P<rel>(?:в|на)\s+(?:прошл(?:ом|ой)|минувш(?:ем|ей)|эт(?:ом|ой)|текущ(?:ем|ей)|следующ(?:ем|ей)|будущ(?:ем|ей)))\s+(?P<unit>месяце|неделе|году)\b",
    ),
    ("ru_day_word", r"\b(?P<word>вчера|сегодня|завтра)\b"),
    ("ru_month_year", rf"\b(?P<mname>{_RU_MONTH_WORD})\s+(?P<y>{_YEAR})(?:\s+г(?:ода?|\.))?"),
    (
        "ru_month",
        rf"\b(?:в|с|до|к|по|на)\s+(?:начале\s+|конце\s+|середине\s+)?(?P<mname>{_RU_MONTH_WORD})\b(?!\s*(?:[0-3]?\d\b|{_YEAR}))",
    ),
    ("ko_date", rf"(?:{_YEAR}년\s*)?(?:1[0-2]|[1-9])월(?:\s*[0-3]?\d일)?"),
    (
        "year",
        rf"\b(?:in|since|by|until|from|of|during|early|late|mid-?|end of|through|before|after|between|and|to)\s+(?P<y>{_YEAR})\b",
    ),
]
_RU_ONLY = frozenset(("ru_relative_weekday", "ru_relative_unit", "ru_day_word", "ru_month_year", "ru_month"))


def _compile(patterns: list[tuple[str, str]]) -> re.Pattern[str]:
    return re.compile(
        "|".join(f"(?P<{name}>{pattern.replace('(?P<', f'(?P<{name}_')})" for name, pattern in patterns),
        re.IGNORECASE,
    )


# Every expression, and those a sentence without Cyrillic letters can hold (faster).
_REGEX = _compile(_PATTERNS)
_REGEX_LATIN = _compile([(n, p) for n, p in _PATTERNS if n not in _RU_ONLY])
_HINT_LATIN = (
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun|yesterday|today|tomorrow)"
    rf"|\b(?:last|next|this|past|earlier|later|early|late|ago)\b|\b{_YEAR}\b|\d[/.]\d|\d\s*[년월]"
)
# A cheap test a sentence passes before the full expression runs on it.
_HINT = re.compile(
    _HINT_LATIN + rf"|(?:{_RU_MONTHS})"
    r"|понедельник|вторник|сред[ау]|четверг|пятниц|суббот|воскресен|прошл|минувш|следующ|будущ|текущ"
    r"|\bэт(?:ом|ой|от|у)\b|вчера|сегодня|завтра",
    re.IGNORECASE,
)
_HINT_NO_CYRILLIC = re.compile(_HINT_LATIN, re.IGNORECASE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_KINDS = tuple(name for name, _ in _PATTERNS)
_KINDS_LATIN = tuple(name for name in _KINDS if name not in _RU_ONLY)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "several": 3, "a few": 3}


@dataclass(frozen=True, slots=True)
class DateMatch:
    start: int
    end: int
    text: str
    date: DateRef


def _month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + (day.month - 1) + months
    return index // 12, index % 12 + 1


def _month_ref(year: int, month: int, relative: bool) -> DateRef:
    start, end = _month_range(year, month)
    return DateRef(start, end, "month", relative)


def _day_ref(day: dt.date, relative: bool) -> DateRef:
    return DateRef(day, day, "day", relative)


def _year_ref(year: int, relative: bool) -> DateRef:
    return DateRef(dt.date(year, 1, 1), dt.date(year, 12, 31), "year", relative)


@lru_cache(maxsize=64)
def _parser(base: dt.date) -> Any:
    """A dateparser for reports of one date (its settings are fixed at construction)."""
    from dateparser.date import DateDataParser

    settings = {
        "RELATIVE_BASE": dt.datetime(base.year, base.month, base.day),
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
    }
    return DateDataParser(languages=["en", "ru"], settings=settings)


@lru_cache(maxsize=8192)
def _parse_written(text: str, base: dt.date) -> dt.date | None:
    try:
        data = _parser(base).get_date_data(text)
    except (ValueError, TypeError, OverflowError):
        return None
    value = data.date_obj if data is not None else None
    return value.date() if value is not None else None


def _ru_month(word: str) -> int | None:
    folded = word.casefold()
    for stem, index in _RU_MONTH_INDEX.items():
        if re.match(stem, folded):
            return index
    return None


def resolve(kind: str, groups: dict[str, str], text: str, base: dt.date) -> DateRef | None:
    """One matched expression as a date range; None when it names no real date."""
    if kind == "relative_weekday":
        rel = groups["rel"].casefold()
        weekday = _WEEKDAYS[groups["wd"].casefold()]
        delta = (base.weekday() - weekday) % 7
        if rel in ("last", "past", "on"):
            delta = delta or (7 if rel != "on" else 0)
            return _day_ref(base - dt.timedelta(days=delta), True)
        ahead = (weekday - base.weekday()) % 7
        if rel == "next":
            return _day_ref(base + dt.timedelta(days=ahead or 7), True)
        return _day_ref(base + dt.timedelta(days=ahead), True)
    if kind == "relative_unit":
        rel = groups["rel"].casefold()
        unit = groups["unit"].casefold()
        step = -1 if rel in ("last", "past", "end of last") else 1 if rel == "next" else 0
        if unit == "week":
            monday = base - dt.timedelta(days=base.weekday()) + dt.timedelta(weeks=step)
            return DateRef(monday, monday + dt.timedelta(days=6), "week", True)
        if unit == "month":
            year, month = _add_months(base, step)
            return _month_ref(year, month, True)
        return _year_ref(base.year + step, True)
    if kind == "ru_relative_weekday":
        rel = groups["rel"].casefold()
        stem = next(k for k in _RU_WEEKDAYS if groups["wd"].casefold().startswith(k))
        english = (
            "last"
            if ("прошл" in rel or "минувш" in rel)
            else "next"
            if ("следующ" in rel or "ближайш" in rel)
            else "this"
            if "эт" in rel.split()[-1]
            else "on"
        )
        return resolve(
            "relative_weekday", {"rel": english, "wd": calendar.day_name[_RU_WEEKDAYS[stem]]}, text, base
        )
    if kind == "ru_relative_unit":
        rel = groups["rel"].casefold()
        english = (
            "last"
            if ("прошл" in rel or "минувш" in rel)
            else "next"
            if ("следующ" in rel or "будущ" in rel)
            else "this"
        )
        unit = {"месяце": "month", "неделе": "week", "году": "year"}[groups["unit"].casefold()]
        return resolve("relative_unit", {"rel": english, "unit": unit}, text, base)
    if kind == "ru_day_word":
        word = {"вчера": "yesterday", "сегодня": "today", "завтра": "tomorrow"}[groups["word"].casefold()]
        return resolve("day_word", {"word": word}, text, base)
    if kind in ("ru_month", "ru_month_year"):
        named = _ru_month(groups["mname"])
        if not named:
            return None
        if kind == "ru_month_year":
            return _month_ref(int(groups["y"]), named, False)
        year = base.year if named <= base.month else base.year - 1
        return _month_ref(year, named, True)
    if kind == "day_word":
        offset = {"yesterday": -1, "today": 0, "tomorrow": 1}[groups["word"].casefold()]
        return _day_ref(base + dt.timedelta(days=offset), True)
    if kind == "ago":
        raw = groups["n"].casefold()
        n = int(raw) if is_ascii_digits(raw) else _NUMBER_WORDS.get(raw, 1)
        unit = groups["unit"].casefold()
        if unit == "days":
            return _day_ref(base - dt.timedelta(days=n), True)
        if unit == "weeks":
            return _day_ref(base - dt.timedelta(weeks=n), True)
        if unit == "months":
            year, month = _add_months(base, -n)
            return _month_ref(year, month, True)
        return _year_ref(base.year - n, True)
    if kind in ("iso", "numeric"):
        try:
            return _day_ref(dt.date(int(groups["y"]), int(groups["m"]), int(groups["d"])), False)
        except ValueError:
            return None
    if kind == "month_year":
        named = _MONTH_NAMES.get(groups["mname"].casefold().rstrip("."))
        return _month_ref(int(groups["y"]), named, False) if named else None
    if kind == "month":
        named = _MONTH_NAMES.get(groups["mname"].casefold().rstrip("."))
        if not named:
            return None
        year = base.year if named <= base.month else base.year - 1
        return _month_ref(year, named, True)
    if kind == "year":
        return _year_ref(int(groups["y"]), False)
    if kind == "ko_date":
        match = re.match(r"(?:(\d{4})년\s*)?(\d{1,2})월(?:\s*(\d{1,2})일)?", text)
        if not match:
            return None
        month = int(match.group(2))
        year = (
            int(match.group(1)) if match.group(1) else (base.year if month <= base.month else base.year - 1)
        )
        if match.group(3):
            try:
                return _day_ref(dt.date(year, month, int(match.group(3))), not match.group(1))
            except ValueError:
                return None
        return _month_ref(year, month, not match.group(1))
    # written day dates: dateparser
    day = _parse_written(text, base)
    if day is None:
        return None
    has_year = bool(re.search(_YEAR, text))
    if not has_year and day > base:
        try:
            day = day.replace(year=day.year - 1)
        except ValueError:
            return None
    return _day_ref(day, not has_year)


def find_dates(text: str, base: dt.date, offset: int = 0) -> list[DateMatch]:
    """Date expressions in `text` (one sentence), spans offset by `offset`."""
    found: list[DateMatch] = []
    # the full expression only runs near a hint (a month, weekday, year, relative word):
    # every date expression starts at most 30 characters before its hint
    windows: list[tuple[int, int]] = []
    cyrillic = _CYRILLIC.search(text) is not None
    regex = _REGEX if cyrillic else _REGEX_LATIN
    for hint in (_HINT if cyrillic else _HINT_NO_CYRILLIC).finditer(text):
        start, end = max(0, hint.start() - 30), min(len(text), hint.end() + 40)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    matches = []
    for start, end in windows:
        position = start
        while True:
            match = regex.search(text, position, end)
            if match is None:
                break
            matches.append(match)
            position = match.end()
    for match in matches:
        kind = next(name for name in (_KINDS if cyrillic else _KINDS_LATIN) if match.group(name) is not None)
        prefix = f"{kind}_"
        groups = {
            k[len(prefix) :]: v
            for k, v in match.groupdict().items()
            if k.startswith(prefix) and v is not None
        }
        start, end = match.span(kind)
        written = text[start:end]
        if kind in ("month", "ru_month"):
            start, end = match.span(f"{kind}_mname")
            start = match.start(kind)
        elif kind == "year":
            start = match.start(kind)
        date = resolve(kind, groups, written, base)
        if date is None:
            continue
        found.append(DateMatch(offset + start, offset + end, text[start:end], date))
    return found


_DATELINE = re.compile(
    r"^\s*(?:date|published|posted on|updated|дата|опубликовано)\s*:?\s+(?P<rest>.+)$", re.IGNORECASE
)
_ISO_PREFIX = re.compile(rf"^(?P<y>{_YEAR})-(?P<m>0[1-9]|1[0-2])(?:-(?P<d>[0-2]\d|3[01]))?\b")


def dateline(text: str, lines: int = 8) -> dt.date | None:
    """The report's own date from its first lines: "Published: 22 November 2024",
    "date 2024-08-28 ...", or a line that is a date ("November 22, 2024", "27.03.2024 12:45")."""
    base = dt.date.today()
    seen = 0
    for line in text.split("\n"):
        if not line.strip():
            continue
        seen += 1
        if seen > lines:
            break
        labelled = _DATELINE.match(line)
        candidate = labelled.group("rest").strip() if labelled else line.strip()
        iso = _ISO_PREFIX.match(candidate)
        if iso:
            try:
                return dt.date(int(iso.group("y")), int(iso.group("m")), int(iso.group("d") or 1))
            except ValueError:
                continue
        for found in find_dates(candidate, base):
            written = len(found.text)
            if found.date.relative or found.date.precision not in ("day", "month"):
                continue
            if (
                labelled
                or written >= 0.5 * len(candidate.split("  ")[0])
                or re.fullmatch(r"[\d./: -]+", candidate)
            ):
                return found.date.start
    return None
