"""Goods in any language: the product vocabulary (`packs/products.yaml`).

One vocabulary names every product the rules and the petroleum table need, in
English, Russian and Korean; `ProductVocabulary.find(text)` returns the products a
normalised text names (whole words, leftmost and longest first, so «бензин
авиационный» is aviation gasoline and "diesel engine" is an engine, not fuel).
Term syntax (docs/trade.md): `word*` is a stem (any ending: Russian inflection);
a Hangul term may carry a particle (항공유를) but never matches inside a longer word.

Pure: reads only the bundled YAML (or the file it is given).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from corridor.errors import ParseError
from corridor.trade.rules import PACKS_DIR, read_yaml, validate_document
from corridor.types.text import normalize

LANGUAGES = ("en", "ru", "ko")
# Korean particles a noun may carry in running text (object, subject, topic,
# genitive, "and", "with", "to", "also", "only").
_HANGUL_PARTICLES = "(?:으로|로|을|를|이|가|은|는|의|과|와|에|도|만|및)?"
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LETTERS = r"[^\W\d_]*"


@dataclass(frozen=True, slots=True)
class Product:
    key: str
    label: str
    hs: tuple[str, ...]  # HS 2022 codes (prefixes) the product is classified under
    kinds: tuple[str, ...]  # broader products it also is
    code_check: bool  # a line coded outside `hs` is a code/description conflict
    attribute_in: tuple[str, ...]  # codes where the word describes other goods ("diesel truck")
    terms: Mapping[str, tuple[str, ...]]  # language -> terms as written

    def covers(self, hs_digits: str) -> bool:
        """The line's code (any length) is compatible with the product's codes."""
        return any(hs_digits.startswith(p) or p.startswith(hs_digits) for p in self.hs)

    def conflicts_with(self, hs_digits: str) -> bool:
        """Naming this product on a line with this code is a code/description conflict."""
        if not self.code_check or self.covers(hs_digits):
            return False
        return not any(hs_digits.startswith(p) for p in self.attribute_in)


@dataclass(frozen=True, slots=True)
class Found:
    product: str  # key
    text: str  # the words that named it, as normalised


def _pattern(term: str) -> tuple[str, int]:
    """The regex of one term and its literal length (for longest-first order)."""
    parts: list[str] = []
    literal = 0
    words = term.split()
    for i, word in enumerate(words):
        stem = word.endswith("*")
        text = normalize(word.rstrip("*"))
        if not text:
            raise ValueError(f"term {term!r} has an empty word")
        literal += len(text)
        piece = re.escape(text).replace(r"\ ", " ")
        if stem:
            piece += _LETTERS
        elif i == len(words) - 1 and _HANGUL.search(text[-1]):
            piece += _HANGUL_PARTICLES
        parts.append(piece)
    return " ".join(parts), literal + len(words) - 1


class ProductVocabulary:
    """Products by key, their closure under `kinds`, and one compiled term regex."""

    def __init__(self, products: Mapping[str, Product]) -> None:
        self.products = dict(products)
        self._closure = {key: self._ancestors(key) for key in self.products}
        entries: list[tuple[int, str, re.Pattern[str], str]] = []
        for product in self.products.values():
            for terms in product.terms.values():
                for term in terms:
                    pattern, length = _pattern(term)
                    entries.append((length, pattern, re.compile(pattern), product.key))
        entries.sort(key=lambda e: (-e[0], e[1]))
        self._terms = [(compiled, key) for _, _, compiled, key in entries]
        alternation = "|".join(pattern for _, pattern, _, _ in entries) or r"(?!x)x"
        self._regex = re.compile(rf"(?<![^\W_])(?:{alternation})(?![^\W_])")
        self._memo: dict[str, str] = {}

    def __contains__(self, key: object) -> bool:
        return key in self.products

    def closure(self, key: str) -> frozenset[str]:
        """The product and every broader product it is (jet_fuel -> aviation_fuel...)."""
        return self._closure[key]

    def _ancestors(self, key: str) -> frozenset[str]:
        seen = {key}
        stack = [key]
        while stack:
            for parent in self.products[stack.pop()].kinds:
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return frozenset(seen)

    def find(self, normalised_text: str) -> tuple[Found, ...]:
        """Every product the (normalised) text names, in order, each once."""
        if not normalised_text:
            return ()
        out: list[Found] = []
        seen: set[str] = set()
        for match in self._regex.finditer(normalised_text):
            text = match.group(0)
            key = self._memo.get(text)
            if key is None:
                key = next(k for compiled, k in self._terms if compiled.fullmatch(text))
                if len(self._memo) < 4096:
                    self._memo[text] = key
            if key not in seen:
                seen.add(key)
                out.append(Found(key, text))
        return tuple(out)


def load_products(path: Path | None = None, hs_codes: frozenset[str] | None = None) -> ProductVocabulary:
    """Validate and build the vocabulary; `hs_codes` (the HS 2022 codes) checks each
    product's `hs`.  A bad file raises ParseError naming the product and field."""
    path = path or PACKS_DIR / "products.yaml"
    data = read_yaml(path)
    validate_document(path, data, "products.schema.json")
    products: dict[str, Product] = {}
    owner: dict[str, tuple[str, str]] = {}  # normalised term -> (product, field)
    for key, item in data["products"].items():
        terms: dict[str, tuple[str, ...]] = {}
        for lang in LANGUAGES:
            written = tuple(item["terms"].get(lang) or ())
            for i, term in enumerate(written):
                where = f"product {key}, field terms.{lang}[{i}]"
                try:
                    _pattern(term)
                except ValueError as exc:
                    raise ParseError(path, where, str(exc)) from None
                norm = " ".join(
                    normalize(w.rstrip("*")) + ("*" if w.endswith("*") else "") for w in term.split()
                )
                if norm in owner and owner[norm][0] != key:
                    raise ParseError(
                        path, where, f"term {term!r} also names product {owner[norm][0]} ({owner[norm][1]})"
                    )
                owner[norm] = (key, f"terms.{lang}[{i}]")
            terms[lang] = written
        for field in ("hs", "attribute_in"):
            for i, code in enumerate(item.get(field) or ()):
                if hs_codes is not None and code not in hs_codes:
                    raise ParseError(
                        path, f"product {key}, field {field}[{i}]", f"HS code {code} is not in HS 2022"
                    )
        products[key] = Product(
            key=key,
            label=item["label"],
            hs=tuple(item["hs"]),
            kinds=tuple(item.get("kinds") or ()),
            code_check=bool(item.get("code_check", True)),
            attribute_in=tuple(item.get("attribute_in") or ()),
            terms=terms,
        )
    for key, product in products.items():
        for i, parent in enumerate(product.kinds):
            if parent not in products:
                raise ParseError(path, f"product {key}, field kinds[{i}]", f"unknown product {parent!r}")
            if parent == key:
                raise ParseError(
                    path, f"product {key}, field kinds[{i}]", "a product cannot be a kind of itself"
                )
    vocabulary = ProductVocabulary(products)
    for key in products:
        for parent in products[key].kinds:
            if key in vocabulary.closure(parent):
                raise ParseError(path, f"product {key}, field kinds", f"cycle through {parent!r}")
    return vocabulary


@lru_cache(maxsize=1)
def vocabulary() -> ProductVocabulary:
    """The bundled product vocabulary."""
    return load_products()
