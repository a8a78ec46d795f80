"""Date of birth: the query's date (an ISO prefix: 1962, 1962-03, 1962-03-04)
against every listed date; the best agreement counts.

  same date at the precision both give     +dob_full_match (full date) / +dob_match
  within a listed range, circa year ±1     +dob_match
  same year, other month or day            dob_same_year_other_day
  one year off                             dob_one_year (dob_near where either side
                                           is year-only or the listing is a range)
  2-5 years off / more than 5              dob_off / dob_far (enough to take an
                                           exact name below the threshold)
"""

from __future__ import annotations

from corridor.match.algorithm import DEFAULT, Algorithm
from corridor.match.model import Qualifier
from corridor.match.records import ListedDate


def _parts(date: str) -> tuple[int, int, int]:
    pieces = [int(p) for p in date.split("-")[:3]]
    while len(pieces) < 3:
        pieces.append(0)
    return pieces[0], pieces[1], pieces[2]


def _far(years: int, algorithm: Algorithm) -> float:
    return algorithm.dob_off if years <= 5 else algorithm.dob_far


def _one_date(query: str, listed: ListedDate, algorithm: Algorithm) -> tuple[float, str]:
    start, end, approximate = listed.start, listed.end, listed.approximate
    qy, qm, qd = _parts(query)
    shown = f"{start}..{end}" if end and end != start else start
    if approximate:
        shown = f"circa {shown}"
    if end and end != start:
        lo, hi = _parts(start)[0], _parts(end)[0]
        if lo <= qy <= hi:
            return algorithm.dob_match, f"birth date {query} within listed {shown}"
        off = min(abs(qy - lo), abs(qy - hi))
        if off == 1:
            return algorithm.dob_near, f"birth date {query} one year outside listed {shown}"
        return _far(off, algorithm), f"birth date {query} contradicts listed {shown} ({off} years off)"
    ly, lm, ld = _parts(start)
    if qy == ly:
        if (qm and lm and qm != lm) or (qd and ld and qm == lm and qd != ld):
            return (
                algorithm.dob_same_year_other_day,
                f"birth date {query} contradicts listed {shown} (same year)",
            )
        full = bool(qd and ld)
        effect = algorithm.dob_full_match if full else algorithm.dob_match
        return effect, f"birth date {query} matches listed {shown}"
    off = abs(qy - ly)
    if off == 1:
        if approximate:
            return algorithm.dob_match, f"birth date {query} within listed {shown}"
        if not (qm and lm):
            return algorithm.dob_near, f"birth date {query} one year off listed {shown}"
        return algorithm.dob_one_year, f"birth date {query} contradicts listed {shown} (one year off)"
    if approximate:
        off -= 1
    return _far(off, algorithm), f"birth date {query} contradicts listed {shown} ({abs(qy - ly)} years off)"


def birth_date_qualifier(
    query: str | None, listed: tuple[ListedDate, ...], algorithm: Algorithm = DEFAULT
) -> Qualifier | None:
    """The best agreement between the query's date and any listed date."""
    if not query or not listed:
        return None
    best = max((_one_date(query, d, algorithm) for d in listed), key=lambda r: r[0])
    return Qualifier("birth_date", best[0], best[1])
