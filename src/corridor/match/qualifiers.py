"""Qualifiers: what besides the name moves a score, and by how much.

  birth_date  same date (at the precision both give) +0.03 (full date) / +0.02;
              within a listed range or approximate year ±1 +0.02;
              same year, other month/day −0.08; one year off −0.08 (−0.05 where
              either side is approximate or year-only); 2-5 years off −0.15;
              more than 5 years off −0.25 (enough to take an exact name below
              the default threshold)
  country     query country among the entity's nationalities/countries +0.02,
              not among them −0.05 (only where the entity has countries)
  gender      different −0.10, same +0.01
  identifier  an identifier of the query equals one of the entity's (after
              upper-casing and dropping spaces, dots, dashes): score lifted to
              at least 0.97
  imo         the query's IMO number is the vessel's: score lifted to at least
              0.99 whatever the name; a different IMO number on a listed vessel
              −0.30
  schema      incompatible schemas never meet (a Person query never hits a
              Company); a Thing query meets every schema

Also the query validation (`validate_*`), raising QueryError naming the field.
"""

from __future__ import annotations

import re

from corridor.match.model import QUERY_SCHEMATA, Qualifier, QueryError
from corridor.types.countries import to_code
from corridor.types.gender import to_gender
from corridor.types.identifiers import imo_problem, normalize_identifier

DOB_FULL_MATCH = 0.03
DOB_MATCH = 0.02
DOB_SAME_YEAR_OTHER_DAY = -0.08
DOB_NEAR = -0.05
DOB_ONE_YEAR = -0.08
DOB_OFF = -0.15  # 2-5 years apart
DOB_FAR = -0.25  # more than 5 years apart: another person
COUNTRY_MATCH = 0.02
COUNTRY_MISMATCH = -0.05
GENDER_MISMATCH = -0.10
GENDER_MATCH = 0.01
IDENTIFIER_FLOOR = 0.97
IMO_FLOOR = 0.99
IMO_MISMATCH = -0.30

# Which listed schemata a query schema may meet.
COMPATIBLE: dict[str, frozenset[str]] = {
    "Person": frozenset({"Person", "LegalEntity"}),
    "Organization": frozenset({"Organization", "Company", "LegalEntity"}),
    "Company": frozenset({"Company", "Organization", "LegalEntity"}),
    "LegalEntity": frozenset({"Person", "Organization", "Company", "LegalEntity"}),
    "Vessel": frozenset({"Vessel"}),
    "Aircraft": frozenset({"Aircraft"}),
}

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

# (start, end, approximate) as stored in the index
ListedDate = tuple[str, str, bool]


def schema_allows(query_schema: str, entity_schema: str) -> bool:
    if query_schema == "Thing":
        return True
    return entity_schema in COMPATIBLE.get(query_schema, frozenset({query_schema}))


# --- validation -----------------------------------------------------------------------


def validate_schema(schema: str) -> str:
    if schema not in QUERY_SCHEMATA:
        raise QueryError("schema", f"unknown schema {schema!r}; expected one of {', '.join(QUERY_SCHEMATA)}")
    return schema


def validate_birth_date(value: str | None) -> str | None:
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    match = _DATE_RE.match(text)
    if not match:
        raise QueryError("birth_date", f"{text!r} is not an ISO date or prefix (YYYY, YYYY-MM, YYYY-MM-DD)")
    year, month, day = match.groups()
    if (
        not 1800 <= int(year) <= 2100
        or (month and not 1 <= int(month) <= 12)
        or (day and not 1 <= int(day) <= 31)
    ):
        raise QueryError("birth_date", f"{text!r} is not a valid date")
    return text


def validate_country(value: str | None) -> str | None:
    if value is None or not str(value).strip():
        return None
    code = to_code(str(value))
    if code is None:
        raise QueryError("country", f"unknown country {value!r}")
    return code


def validate_gender(value: str | None) -> str | None:
    try:
        return to_gender(value)
    except ValueError as exc:
        raise QueryError("gender", str(exc)) from exc


def validate_imo(value: str | None) -> str | None:
    if value is None or not str(value).strip():
        return None
    digits, problem = imo_problem(str(value))
    if problem:
        raise QueryError("imo", f"{value!r} {problem}")
    return digits


def validate_identifiers(values: list[str] | None) -> tuple[str, ...]:
    if not values:
        return ()
    if isinstance(values, str):
        raise QueryError("identifiers", "must be a list of strings")
    out = []
    for value in values:
        norm = normalize_identifier(value)
        if len(norm) < 4:
            raise QueryError("identifiers", f"{value!r} is too short to identify anything")
        out.append(norm)
    return tuple(dict.fromkeys(out))


# --- qualifier evaluation ----------------------------------------------------------------


def _parts(date: str) -> tuple[int, int, int]:
    pieces = [int(p) for p in date.split("-")[:3]]
    while len(pieces) < 3:
        pieces.append(0)
    return pieces[0], pieces[1], pieces[2]


def _one_date(query: str, listed: ListedDate) -> tuple[float, str]:
    start, end, approximate = listed
    qy, qm, qd = _parts(query)
    shown = f"{start}..{end}" if end and end != start else start
    if approximate:
        shown = f"circa {shown}"
    if end and end != start:
        lo, hi = _parts(start)[0], _parts(end)[0]
        if lo <= qy <= hi:
            return DOB_MATCH, f"birth date {query} within listed {shown}"
        off = min(abs(qy - lo), abs(qy - hi))
        if off == 1:
            return DOB_NEAR, f"birth date {query} one year outside listed {shown}"
        return _far(off), f"birth date {query} contradicts listed {shown} ({off} years off)"
    ly, lm, ld = _parts(start)
    if qy == ly:
        if (qm and lm and qm != lm) or (qd and ld and qm == lm and qd != ld):
            return DOB_SAME_YEAR_OTHER_DAY, f"birth date {query} contradicts listed {shown} (same year)"
        full = bool(qd and ld)
        return (DOB_FULL_MATCH if full else DOB_MATCH), f"birth date {query} matches listed {shown}"
    off = abs(qy - ly)
    if off == 1:
        if approximate:
            return DOB_MATCH, f"birth date {query} within listed {shown}"
        if not (qm and lm):
            return DOB_NEAR, f"birth date {query} one year off listed {shown}"
        return DOB_ONE_YEAR, f"birth date {query} contradicts listed {shown} (one year off)"
    if approximate:
        off -= 1
    return _far(off), f"birth date {query} contradicts listed {shown} ({abs(qy - ly)} years off)"


def _far(years: int) -> float:
    return DOB_OFF if years <= 5 else DOB_FAR


def birth_date_qualifier(query: str | None, listed: tuple[ListedDate, ...]) -> Qualifier | None:
    """The best agreement between the query's date and any listed date."""
    if not query or not listed:
        return None
    best = max((_one_date(query, d) for d in listed), key=lambda r: r[0])
    return Qualifier("birth_date", best[0], best[1])


def country_qualifier(query: str | None, listed: tuple[str, ...]) -> Qualifier | None:
    if not query or not listed:
        return None
    if query in listed:
        return Qualifier("country", COUNTRY_MATCH, f"country {query} matches listed {', '.join(listed)}")
    return Qualifier("country", COUNTRY_MISMATCH, f"country {query} not among listed {', '.join(listed)}")


def gender_qualifier(query: str | None, listed: str) -> Qualifier | None:
    if not query or not listed:
        return None
    if query == listed:
        return Qualifier("gender", GENDER_MATCH, f"gender {query} matches")
    return Qualifier("gender", GENDER_MISMATCH, f"gender {query} contradicts listed {listed}")
