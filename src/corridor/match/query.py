"""Query validation: a `Query` as the user gave it → a `CheckedQuery` the engine
can screen, or a `QueryError` naming the bad field.

Names: controls removed, whitespace collapsed, at most MAX_NAME_LENGTH
characters, at least one letter or digit.  Schema: one of QUERY_SCHEMATA.
Birth date: an ISO prefix (YYYY, YYYY-MM, YYYY-MM-DD) of a plausible date.
Country: a name or code `types.countries` knows.  IMO: seven digits with a
valid check digit.  Identifiers: strings of 4+ letters or digits once
normalised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, final

from corridor.match.model import MAX_NAME_LENGTH, QUERY_SCHEMATA, Query, QueryError
from corridor.types.countries import to_code
from corridor.types.gender import to_gender
from corridor.types.identifiers import imo_problem, normalize_identifier
from corridor.types.text import normalize, strip_controls

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@final
@dataclass(frozen=True, slots=True)
class CheckedQuery:
    """A validated, normalised query."""

    name: str
    schema: str
    birth_date: str | None
    country: str | None  # ISO code
    gender: str | None
    imo: str | None  # seven digits
    identifiers: tuple[str, ...]  # normalised


def check_name(value: object, field: str) -> str:
    """A name as screened: controls removed, whitespace collapsed; QueryError otherwise."""
    if not isinstance(value, str):
        raise QueryError(field, "must be a string")
    text = " ".join(strip_controls(value).split())
    if not text:
        raise QueryError(field, "is empty")
    if len(text) > MAX_NAME_LENGTH:
        raise QueryError(field, f"is {len(text)} characters long; the maximum is {MAX_NAME_LENGTH}")
    if not normalize(text):
        raise QueryError(field, "has no letters or digits")
    return text


def check_query(query: Query) -> CheckedQuery:
    """The query's fields validated and normalised; QueryError names a bad field."""
    # a caller may put anything in a Query's fields: each is read as an object
    # and checked here (compiled code would otherwise refuse a wrong type with a
    # TypeError before the check)
    given: Any = query
    return CheckedQuery(
        name=check_name(given.name, "name"),
        schema=validate_schema(given.schema or "Thing"),
        birth_date=validate_birth_date(given.birth_date),
        country=validate_country(given.country),
        gender=validate_gender(given.gender),
        imo=validate_imo(given.imo),
        identifiers=validate_identifiers(given.identifiers),
    )


def _optional_text(value: object, field: str) -> str | None:
    """None for nothing given; the stripped string (a number as written: 1984,
    9253325); QueryError for another type."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # past the int → str digit limit: no date, IMO or code is that long
            raise QueryError(field, "is a number too long to be a value of this field") from None
    if not isinstance(value, str):
        raise QueryError(field, f"must be a string, not {type(value).__name__}")
    text = value.strip()
    return text or None


def shown(value: object, size: int = 60) -> str:
    """A value as an error message quotes it: repr, cut to `size` characters (a
    number past the int → str digit limit cannot even be written)."""
    try:
        text = repr(value)
    except ValueError:
        return f"<a number of {value.bit_length() if isinstance(value, int) else '?'} bits>"
    return text if len(text) <= size else text[: size - 1] + "…"


def validate_schema(schema: object) -> str:
    if not isinstance(schema, str) or schema not in QUERY_SCHEMATA:
        raise QueryError(
            "schema", f"unknown schema {shown(schema)}; expected one of {', '.join(QUERY_SCHEMATA)}"
        )
    return schema


def validate_birth_date(value: object) -> str | None:
    text = _optional_text(value, "birth_date")
    if text is None:
        return None
    match = _DATE_RE.match(text)
    if not match:
        raise QueryError(
            "birth_date", f"{shown(text)} is not an ISO date or prefix (YYYY, YYYY-MM, YYYY-MM-DD)"
        )
    year, month, day = match.groups()
    if (
        not 1800 <= int(year) <= 2100
        or (month and not 1 <= int(month) <= 12)
        or (day and not 1 <= int(day) <= 31)
    ):
        raise QueryError("birth_date", f"{text!r} is not a valid date")
    return text


def validate_country(value: object) -> str | None:
    text = _optional_text(value, "country")
    if text is None:
        return None
    code = to_code(text)
    if code is None:
        raise QueryError("country", f"unknown country {shown(value)}")
    return code


def validate_gender(value: object) -> str | None:
    text = _optional_text(value, "gender")
    try:
        return to_gender(text)
    except ValueError as exc:
        raise QueryError("gender", str(exc)) from exc


def validate_imo(value: object) -> str | None:
    text = _optional_text(value, "imo")
    if text is None:
        return None
    digits, problem = imo_problem(text)
    if problem:
        raise QueryError("imo", f"{shown(value)} {problem}")
    return digits


def validate_identifiers(values: object) -> tuple[str, ...]:
    if not values:
        return ()
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise QueryError("identifiers", "must be a list of strings")
    out = []
    for value in values:
        norm = normalize_identifier(value)
        if len(norm) < 4:
            raise QueryError("identifiers", f"{shown(value)} is too short to identify anything")
        out.append(norm)
    return tuple(dict.fromkeys(out))
