"""What a goods line is: its products from the product field, the description (any
language) and its national code, and what does not add up.

`identify(...)` combines three sources, never choosing between them silently:

* the national code (TN VED / CN / HTS), when its table names a product: it decides
  where the HS 6-digit code cannot (2710 19 21 jet fuel vs 2710 19 43 gas oil);
* the `product` field and the `description`, read through the product vocabulary
  (English, Russian, Korean);
* every product found counts (a rule naming any of them applies: the strictest
  wins), and what disagrees becomes an issue the data-quality pack reports as
  REVIEW with its explanation: a national code the table does not know, national
  digits without their system, a description naming a product classified outside
  the line's HS code, two different products on one line.

Pure: no I/O (the vocabulary and tables are passed in).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from corridor.trade.hs import HSCode
from corridor.trade.products import ProductVocabulary
from corridor.trade.tariffs import SYSTEMS, TariffEntry, TariffTable, format_code
from corridor.types.text import normalize

ISSUE_KINDS = ("national_unknown", "national_system_missing", "code_description_conflict", "product_conflict")


@dataclass(frozen=True, slots=True)
class NationalCode:
    system: str  # tnved | cn | hts
    digits: str
    field: str  # where it was given ("goods[0].tnved")
    entry: TariffEntry | None  # the table entry it falls under (None: not in the table)

    @property
    def label(self) -> str:
        return f"{SYSTEMS[self.system]} {format_code(self.system, self.digits)}"


@dataclass(frozen=True, slots=True)
class Naming:
    product: str  # vocabulary key
    source: str  # "TN VED 2710 19 210 0", "product 'diesel'", "description «авиационный керосин»"


@dataclass(frozen=True, slots=True)
class GoodsIssue:
    kind: str  # one of ISSUE_KINDS
    message: str


@dataclass(frozen=True, slots=True)
class Identification:
    products: tuple[str, ...]  # the products named, national code first, each once
    closure: frozenset[str]  # with every broader product (jet_fuel -> aviation_fuel)
    namings: tuple[Naming, ...]
    issues: tuple[GoodsIssue, ...]


def national_code(system: str, digits: str, field: str, tables: Mapping[str, TariffTable]) -> NationalCode:
    table = tables.get(system)
    return NationalCode(system, digits, field, table.lookup(digits) if table is not None else None)


def identify(
    hs: HSCode,
    product_text: str,
    description: str,
    national: Sequence[NationalCode],
    vocabulary: ProductVocabulary,
    tables: Mapping[str, TariffTable],
    *,
    unsystemed_digits: bool = False,
) -> Identification:
    namings: list[Naming] = []
    issues: list[GoodsIssue] = []
    for code in national:
        table = tables.get(code.system)
        if code.entry is None:
            what = (
                f"Corridor's {SYSTEMS[code.system]} table" if table else f"any {SYSTEMS[code.system]} table"
            )
            issues.append(
                GoodsIssue(
                    "national_unknown",
                    f"{code.label} ({code.field}) is not in {what} (a selection written from the published "
                    f"nomenclature, verification {table.verification if table else 'U'}): its national digits "
                    f"could not be read, so the line is judged at HS {hs.dotted()} alone",
                )
            )
            continue
        if code.entry.product is not None:
            at = (
                ""
                if len(code.entry.code) == len(code.digits)
                else f" (read at its group {format_code(code.system, code.entry.code)}: the code's own last digits are not in the table)"
            )
            namings.append(Naming(code.entry.product, f"{code.label} «{code.entry.description}»{at}"))
    if unsystemed_digits:
        issues.append(
            GoodsIssue(
                "national_system_missing",
                f"HS code {hs.raw!r} has national digits ({hs.national}) but no system: give the code as "
                f"tnved, cn or hts (or national_system), otherwise the line is judged at HS {hs.hs6} alone",
            )
        )
    for field, text in (("product", product_text), ("description", description)):
        for found in vocabulary.find(normalize(text)):
            namings.append(Naming(found.product, f"{field} «{found.text}»"))
            product = vocabulary.products[found.product]
            if product.conflicts_with(hs.digits[:6]):
                issues.append(
                    GoodsIssue(
                        "code_description_conflict",
                        f"the {field} names {product.label} («{found.text}»), classified under HS "
                        f"{', '.join(product.hs)}, but the line's code is HS {hs.dotted()}: code and "
                        f"description disagree (both are checked; correct the one that is wrong)",
                    )
                )
    products = tuple(dict.fromkeys(n.product for n in namings))
    closure = frozenset().union(*(vocabulary.closure(p) for p in products)) if products else frozenset()
    distinct = [
        p
        for p in products
        if not any(q != p and p in vocabulary.closure(q) for q in products)  # the most specific ones
    ]
    clashing = [
        p
        for p in distinct
        if any(q != p and q not in vocabulary.closure(p) and p not in vocabulary.closure(q) for q in distinct)
    ]
    if clashing:
        named = "; ".join(
            f"{vocabulary.products[n.product].label} ({n.source})" for n in namings if n.product in clashing
        )
        issues.append(
            GoodsIssue(
                "product_conflict",
                f"the line names different products: {named}. Every rule for each of them is applied "
                "(the strictest verdict wins); correct the line so that it names one product",
            )
        )
    return Identification(products, closure, tuple(namings), tuple(issues))
