"""Petroleum quantities to barrels (and tonnes) for the UN caps.

The 1718 Committee keeps the refined-products cap in barrels.  A quantity given in
barrels is used as given.  Volumes convert exactly (1 US oil barrel = 158.987294928
litres).  Masses convert with the product's tonnes->barrels factor from the UN pack's
`petroleum` table: LPG 11.6 bbl/t is the Committee's own (verified); the others are
BP standard factors (unverified against the Committee chart); an unnamed product gets
the conservative default for its heading.  Every conversion says which factor it used
and whether it is verified, and that text goes into the ledger and the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from corridor.errors import CorridorError
from corridor.trade.rules import PetroleumProduct, PetroleumTable
from corridor.trade.transaction import GoodsLine

SIX_PLACES = Decimal("0.000001")


class ConversionError(CorridorError, ValueError):
    """A goods line whose quantity cannot be converted to barrels."""

    status = 422
    code = "conversion"


@dataclass(frozen=True, slots=True)
class Conversion:
    product: str  # product key (lpg, gasoline, diesel, crude...)
    barrels: Decimal
    tonnes: Decimal | None
    text: str  # how it was converted, with the factor's verification
    verified: bool  # the factor (if one was needed) is the Committee's own


def q6(value: Decimal) -> Decimal:
    return value.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def identify(line: GoodsLine, table: PetroleumTable) -> tuple[PetroleumProduct, str, bool]:
    """(product, how it was chosen, conservative default?) for a petroleum line."""
    hs6 = line.hs.hs6
    named = list(dict.fromkeys(table.by_product[p] for p in line.products if p in table.by_product))
    note = ""
    if len(named) > 1:
        labels = " / ".join(table.products[n].label for n in named)
        note = f"the line names more than one product ({labels}): not chosen between; "
    elif named:
        product = table.products[named[0]]
        if hs6.startswith(product.heading):
            source = next((n.source for n in line.namings if table.by_product.get(n.product) == named[0]), "")
            return product, f"product named: {product.label}" + (f" ({source})" if source else ""), False
        note = f"the line names {product.label} but HS {line.hs.dotted()} is not heading {product.heading}; "
    default = table.default_for(hs6)
    if default is None:
        raise ConversionError(f"no petroleum conversion for HS {line.hs.dotted()}")
    return table.products[default.product], note + default.note, default.conservative


def _fmt(value: Decimal) -> str:
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return text or "0"


def convert(line: GoodsLine, table: PetroleumTable) -> Conversion:
    """Barrels (and tonnes where derivable) for one goods line."""
    product, chosen, conservative = identify(line, table)
    qty = line.quantity
    mark = "verified" if product.verification == "V" else "unverified"
    factor_text = f"{product.t_to_bbl} bbl/t ({product.label}; {product.basis}; {mark})"
    if line.unit == "bbl":
        barrels = qty
        tonnes = qty / product.t_to_bbl
        text = f"{_fmt(qty)} bbl as reported (Committee step 1: barrels used as given)"
        verified = True
    elif line.dimension == "volume":
        litres = qty * (Decimal(1000) if line.unit in ("kl", "m3") else Decimal(1))
        barrels = litres / table.barrel_litres
        kilolitres = litres / Decimal(1000)
        tonnes = kilolitres * product.kl_to_t if product.kl_to_t else barrels / product.t_to_bbl
        text = f"{_fmt(qty)} {line.unit} = {_fmt(q6(barrels))} bbl (1 bbl = {table.barrel_litres} L, exact)"
        verified = True
    elif line.dimension == "mass":
        tonnes = qty / Decimal(1000) if line.unit == "kg" else qty
        barrels = tonnes * product.t_to_bbl
        text = f"{_fmt(tonnes)} t x {factor_text} = {_fmt(q6(barrels))} bbl"
        if conservative:
            text += " [conservative default]"
        verified = product.verification == "V"
    else:
        raise ConversionError(
            f"{line.label}: quantity in {line.unit!r} cannot be converted to barrels (give bbl, t, kg, l, kl or m3)"
        )
    return Conversion(
        product.key, q6(barrels), q6(tonnes) if tonnes is not None else None, f"{text}; {chosen}", verified
    )
