"""The screening algorithm's configuration: its threshold and every weight, in one
named object.

A score is the name score (`match.align`, a weighted Dice agreement of the
aligned name parts, scaled by the name's kind) plus the effects of the
features (`match.features`: birth date, country, gender, identifiers, IMO),
clamped to [0, 1].  Retrieval (`match.retrieval`) only aligns the names whose
best possible score can come within `prune_margin` of the threshold asked.

`DEFAULT` is the calibrated configuration (docs/screening.md, "The threshold";
the figures in docs/benchmarks.md were measured with it).  Another
configuration is another algorithm: give it another `name`, so results can say
which one produced them.

The name-part similarities (exact 1.00, Korean key 0.95, fuzzy ≤ 0.92 ...) are
the alignment's own and documented in `match.align`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import final

_KIND_FACTORS = MappingProxyType({"primary": 1.0, "alias": 1.0, "former": 1.0, "weak_alias": 0.92})


@final
@dataclass(frozen=True, slots=True)
class Algorithm:
    """Threshold, feature weights and retrieval bounds of one screening algorithm."""

    name: str
    # a score >= threshold means "the name is the listed name written another way
    # (scheme, order, typo, legal form), or an identifier matched"
    threshold: float
    # name score factor per kind of listed name: a weak alias (OFAC "weak", UN
    # "low quality") says less
    kind_factors: Mapping[str, float] = field(default_factory=lambda: _KIND_FACTORS)
    # birth date (features.dates)
    dob_full_match: float = 0.03  # same full date
    dob_match: float = 0.02  # same date at the precision both give; within a range; circa ±1 year
    dob_same_year_other_day: float = -0.08
    dob_near: float = -0.05  # one year off where either side is year-only or a range
    dob_one_year: float = -0.08  # one year off, both with months
    dob_off: float = -0.15  # 2-5 years apart
    dob_far: float = -0.25  # more than 5 years apart: another person
    # country (features.countries): the query's country among the entity's or not
    country_match: float = 0.02
    country_mismatch: float = -0.05
    # gender (features.gender)
    gender_match: float = 0.01
    gender_mismatch: float = -0.10
    # identifiers (features.identifiers): a matching identifier or IMO number lifts
    # the score to at least this floor; another IMO number on a listed vessel costs
    identifier_floor: float = 0.97
    imo_floor: float = 0.99
    imo_mismatch: float = -0.30
    # the most the features can add: names further below the threshold are not qualified
    max_boost: float = 0.05
    # retrieval bounds, set on the evaluation sets (docs/evaluation.md)
    candidates: int = 40  # names aligned per query
    max_postings: int = 4000  # keys shared by more names than this are not used to retrieve
    # names whose best possible score is this far below the threshold are dropped: wide
    # enough that a fuzzy pair retrieval did not count (Aleksandr/Alexander) still gets
    # its name aligned (with 0.15, 6 hits of the evaluation sets were lost this way)
    prune_margin: float = 0.35
    listed_left: float = 0.5  # a listed name part left over costs at least half its weight
    listed_span: float = 2.0  # one shared query part may cover up to twice its weight of listed parts (runs)
    unfound_share: float = 0.5  # a query token found nowhere counts at half: it may still match by spelling
    # among equal scores, records of these lists come first, in this order (the UN
    # designation before its OFAC and UK copies); then by id
    list_order: tuple[str, ...] = ("un",)

    def kind_factor(self, kind: str) -> float:
        return self.kind_factors[kind]


DEFAULT = Algorithm(name="corridor-align-1", threshold=0.80)
