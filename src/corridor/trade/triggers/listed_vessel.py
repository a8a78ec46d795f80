"""`listed_vessel`: a vessel screened (name, IMO) to a listed vessel."""

from __future__ import annotations

from corridor.trade.triggers._listed import LISTED_FIELDS, Listed
from corridor.trade.triggers.registry import register


@register
class ListedVessel(Listed):
    kind = "listed_vessel"
    fields = LISTED_FIELDS
    vessels = True
