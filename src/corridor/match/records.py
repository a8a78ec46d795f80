"""The index's records: one per listed entity, one per distinct listed name.

Named, immutable types instead of positional tuples; the index (`match.index`)
holds them in lists and refers to them by position (a name's `entity` is the
position of its entity record, a posting lists name positions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import final

from corridor.names.tokens import Tok


@final
@dataclass(frozen=True, slots=True)
class ListedDate:
    """A listed date of birth: a day, month or year (start == end), or a range;
    `approximate` for "circa"."""

    start: str
    end: str
    approximate: bool


@final
@dataclass(frozen=True, slots=True)
class EntityRecord:
    """What screening needs of one listed entity besides its names."""

    id: str
    source: str  # the list, e.g. "un", "ofac-sdn"
    ref: str  # the list's own reference, e.g. "KPi.064"
    caption: str
    schema: str
    birth_dates: tuple[ListedDate, ...]
    countries: tuple[str, ...]  # nationalities, countries, address countries (ISO codes)
    gender: str
    identifiers: tuple[str, ...]  # normalised (upper case, letters and digits)
    imos: tuple[str, ...]  # seven digits, check digit valid
    # the designation this record is a copy of: the UN record's id when the record
    # is or cites a UN designation (UK and OFAC records name their UN reference),
    # else its own id; the hit limit counts designations, not records
    party: str = ""
    lists: tuple[str, ...] = ()  # every list publishing this record (OFAC SDN and Non-SDN share ids)


@final
@dataclass(frozen=True, slots=True)
class NameRecord:
    """One distinct name of an entity, analysed.  Equal token tuples are one
    object across the index (so a name on several lists is aligned once per
    query), and so are equal tokens."""

    entity: int  # position of the EntityRecord
    full: str  # the name as listed
    kind: str  # primary | alias | weak_alias | former
    tokens: tuple[Tok, ...]
    weights: tuple[float, ...]
