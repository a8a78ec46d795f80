"""National tariff codes beyond HS 6 digits: EAEU TN VED, EU CN, US HTS.

Each system is one table (`packs/tariff_<system>.yaml`, schema `tariff.schema.json`)
of 8- or 10-digit codes with their descriptions and, where the subheading itself
names one product (CN 2710 19 21 "kerosene: jet fuel"), that product's key in the
product vocabulary.  `TariffTable.lookup(digits)` finds the longest entry the code
starts with (at least 8 digits): a TN VED 10-digit code under an 8-digit group is
read at the group, and says so.  The tables are selections written from the
published nomenclature structure, not official copies: their origin and
verification are in each file and in docs/trade.md.

Pure: reads only the bundled YAML (or the files it is given).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from corridor.errors import ParseError
from corridor.trade.rules import PACKS_DIR, read_yaml, validate_document

SYSTEMS: dict[str, str] = {"tnved": "TN VED", "cn": "CN", "hts": "HTS"}
# Digits a declared code of each system has (TN VED 10; CN 8; HTS 8 or 10).
CODE_DIGITS: dict[str, tuple[int, ...]] = {"tnved": (10,), "cn": (8,), "hts": (8, 10)}


@dataclass(frozen=True, slots=True)
class TariffEntry:
    system: str
    code: str  # 8 or 10 digits
    description: str
    product: str | None


@dataclass(frozen=True, slots=True)
class TariffTable:
    system: str
    title: str
    edition: str
    verification: str  # V | P | U for the table as a whole
    chapters: tuple[str, ...]
    entries: Mapping[str, TariffEntry]
    path: str = ""

    @property
    def name(self) -> str:
        return SYSTEMS[self.system]

    def lookup(self, digits: str) -> TariffEntry | None:
        """The longest entry `digits` starts with (10, 9 or 8 digits), or None."""
        for n in range(min(len(digits), 10), 7, -1):
            entry = self.entries.get(digits[:n])
            if entry is not None:
                return entry
        return None


def format_code(system: str, digits: str) -> str:
    """How the system writes a code: TN VED "2710 19 210 0", CN "2710 19 21",
    HTS "2710.19.11(.00)"."""
    if system == "hts":
        parts = [digits[:4], digits[4:6], digits[6:8]] + ([digits[8:10]] if len(digits) > 8 else [])
        return ".".join(p for p in parts if p)
    if system == "tnved" and len(digits) == 10:
        return f"{digits[:4]} {digits[4:6]} {digits[6:9]} {digits[9]}"
    return " ".join(p for p in (digits[:4], digits[4:6], digits[6:8], digits[8:]) if p)


def load_table(
    path: Path, products: Iterable[str] | None = None, hs_codes: frozenset[str] | None = None
) -> TariffTable:
    """Validate one table; `products` (vocabulary keys) and `hs_codes` (HS 2022) check
    the entries.  A bad file raises ParseError naming the code and field."""
    data = read_yaml(path)
    validate_document(path, data, "tariff.schema.json")
    system = data["system"]
    known_products = frozenset(products) if products is not None else None
    entries: dict[str, TariffEntry] = {}
    for code, item in data["codes"].items():
        code = str(code)
        product = item.get("product")
        if known_products is not None and product is not None and product not in known_products:
            raise ParseError(
                path, f"code {code}, field product", f"unknown product {product!r} (products.yaml)"
            )
        if hs_codes is not None and code[:6] not in hs_codes:
            raise ParseError(path, f"code {code}", f"{code[:6]} is not an HS 2022 subheading")
        if code[:2] not in data["chapters"]:
            raise ParseError(path, f"code {code}", f"chapter {code[:2]} is not in the table's chapters")
        entries[code] = TariffEntry(system, code, " ".join(item["description"].split()), product)
    return TariffTable(
        system=system,
        title=data["title"],
        edition=data["edition"],
        verification=data["verification"],
        chapters=tuple(data["chapters"]),
        entries=entries,
        path=str(path),
    )


def load_tables(
    paths: Iterable[Path] | None = None,
    products: Iterable[str] | None = None,
    hs_codes: frozenset[str] | None = None,
) -> dict[str, TariffTable]:
    """The tables by system (default: the three bundled ones); one table per system."""
    if products is None:
        from corridor.trade.products import vocabulary

        products = tuple(vocabulary().products)
    keys = tuple(products)
    tables: dict[str, TariffTable] = {}
    for path in paths if paths is not None else [PACKS_DIR / f"tariff_{s}.yaml" for s in SYSTEMS]:
        table = load_table(Path(path), keys, hs_codes)
        if table.system in tables:
            raise ParseError(
                path, "field system", f"a second {table.name} table (also {tables[table.system].path})"
            )
        tables[table.system] = table
    return tables


@lru_cache(maxsize=1)
def tables() -> dict[str, TariffTable]:
    """The bundled tables."""
    return load_tables()
