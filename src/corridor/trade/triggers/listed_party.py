"""`listed_party`: a party screened to a listed person or entity."""

from __future__ import annotations

from corridor.trade.triggers._listed import LISTED_FIELDS, Listed
from corridor.trade.triggers.registry import register


@register
class ListedParty(Listed):
    kind = "listed_party"
    fields = LISTED_FIELDS
    vessels = False
