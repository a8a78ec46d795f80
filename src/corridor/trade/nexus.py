"""Finding a DPRK nexus a transaction does not state.

Data: `packs/dprk_nexus.yaml` (schema `packs/nexus.schema.json`): DPRK ports and
places, DPRK banks, DPRK state bodies (marked military where they are), and the
"Korea + DPRK word" naming pattern, in Latin, Hangul and Cyrillic; also the policy
data the checks use (the US/EU/UK jurisdiction signals, DPRK projects).  Everything
is compiled once into term matchers on `corridor.types.text.normalize`d text;
`party_indicators(party)` is cached per (name key, country, address).

Hangul names are often written without spaces ("조선무역은행", "조선련봉총회사"), so
a Hangul term also matches inside a longer Hangul word (on the text with its spaces
removed); Latin and Cyrillic terms match whole words only.

Indicators per party:
    dprk_state_body  a DPRK ministry, bureau, party organ...   (strong)
    dprk_military    armed forces, munitions, intelligence        (strong)
    dprk_bank        a DPRK bank                                  (strong)
    dprk_address     an address in a DPRK city                    (strong)
    dprk_name        "Korea ... General Trading Corp" pattern     (weak: review only)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from corridor.trade.rules import PACKS_DIR, read_yaml, validate_document
from corridor.trade.transaction import Party, Port
from corridor.types.text import TermMatcher, normalize, script_of

STRONG = frozenset({"dprk_state_body", "dprk_military", "dprk_bank", "dprk_address"})


class ScriptTermMatcher:
    """A `TermMatcher` (whole words, any script) plus, for Hangul terms, a match
    inside run-together Hangul text.  Values as `TermMatcher`: the longest term wins."""

    __slots__ = ("_compact", "_compact_lookup", "_words")

    def __init__(self, terms: Iterable[str], values: Iterable[str] | None = None) -> None:
        terms = list(terms)
        vals = list(values) if values is not None else [normalize(t) for t in terms]
        self._words = TermMatcher(terms, vals)
        self._compact_lookup: dict[str, str] = {}
        for term, value in zip(terms, vals, strict=True):
            compact = normalize(term).replace(" ", "")
            if compact and any(script_of(ch) == "Hangul" for ch in compact):
                self._compact_lookup.setdefault(compact, value)
        ordered = sorted(self._compact_lookup, key=len, reverse=True)
        self._compact = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def search(self, normalised_text: str) -> str | None:
        """The value of the longest term found, or None."""
        found = self._words.search(normalised_text)
        if self._compact is None or not normalised_text:
            return found
        best = max(self._compact.findall(normalised_text.replace(" ", "")), key=len, default=None)
        if best is None:
            return found
        if found is not None and len(normalize(found).replace(" ", "")) >= len(best):
            return found
        return self._compact_lookup[best]

    def found(self, normalised_text: str) -> str | None:
        """Some term found (as written normalised), or None."""
        hit = self._words.found(normalised_text)
        if hit is not None or self._compact is None or not normalised_text:
            return hit
        match = self._compact.search(normalised_text.replace(" ", ""))
        return match.group(0) if match else None


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """When a US/EU/UK rule binds: these countries seen in `signals`, or a currency."""

    countries: frozenset[str]
    currencies: frozenset[str]
    signals: tuple[str, ...]  # party / goods_origin / origin_destination


@dataclass(frozen=True, slots=True)
class PartyIndicators:
    indicators: frozenset[str]
    details: tuple[str, ...]  # human-readable, one per indicator

    @property
    def dprk(self) -> bool:
        """Strongly indicated as a DPRK party (without its country being stated)."""
        return bool(self.indicators & STRONG)


@dataclass(frozen=True, slots=True)
class NexusFinding:
    kind: str  # port / flag / party / labour / joint_venture / service / origin / destination
    subject: str
    detail: str
    strength: str = "strong"  # strong / weak
    stated: bool = False  # the transaction says so itself (destination/origin kp)


_NO_INDICATORS = PartyIndicators(frozenset(), ())


class NexusData:
    """Compiled indicator lists."""

    def __init__(self, data: Mapping[str, Any], source: Path) -> None:
        self.source = source
        self.version = str(data["version"])
        port_names: list[str] = []
        port_keys: list[str] = []
        self.port_country: dict[str, str] = {}
        for port in data["ports"]:
            self.port_country[port["key"]] = port["country"]
            for name in port["names"]:
                port_names.append(name)
                port_keys.append(port["key"])
        self._ports = ScriptTermMatcher(port_names, port_keys)
        self._places = ScriptTermMatcher(data["places"], data["places"])
        self._banks = ScriptTermMatcher(data["banks"], data["banks"])
        bodies = data["state_bodies"]
        self._bodies = ScriptTermMatcher([b["name"] for b in bodies], [b["name"] for b in bodies])
        self._body_info = {b["name"]: (bool(b.get("military")), bool(b.get("generic"))) for b in bodies}
        self._korea = ScriptTermMatcher(data["korea_words"])
        self._dprk_words = ScriptTermMatcher(data["dprk_words"])
        self._dprk_context = ScriptTermMatcher(data["dprk_context_words"])
        self.dprk_projects = frozenset(data["dprk_projects"])
        self.jurisdictions = {
            key: Jurisdiction(
                frozenset(item["countries"]), frozenset(item["currencies"]), tuple(item["signals"])
            )
            for key, item in data["jurisdictions"].items()
        }

    def port(self, port: Port) -> tuple[str, str | None]:
        """(known port key or "", country) - the port table wins over a stated country
        when the name is a DPRK port (conservative)."""
        key = self._ports.search(normalize(port.name)) or ""
        known = self.port_country.get(key)
        if known == "kp":
            return key, "kp"
        return key, port.country or known

    def party_indicators(self, party: Party) -> PartyIndicators:
        return self._party(party.key, party.country or "", party.address)

    @lru_cache(maxsize=16384)  # noqa: B019 - one NexusData per process; the cache is the point
    def _party(self, key: str, country: str, address: str) -> PartyIndicators:
        found: set[str] = set()
        details: list[str] = []
        addr = normalize(address)
        place = self._places.search(addr) if addr else None
        if place:
            found.add("dprk_address")
            details.append(f"address in {place} (DPRK)")
        bank = self._banks.search(key)
        if bank:
            found.add("dprk_bank")
            details.append(f"DPRK bank ({bank})")
        body = self._bodies.search(key)
        if body:
            military, generic = self._body_info[body]
            context = country == "kp" or bool(place) or self._dprk_context.found(key) is not None
            if not generic or context:
                found.add("dprk_state_body")
                details.append(f"DPRK state body ({body})")
                if military:
                    found.add("dprk_military")
                    details.append(f"DPRK military body ({body})")
        if self._korea.found(key) and self._dprk_words.found(key) and not found:
            found.add("dprk_name")
            details.append("name follows a DPRK naming pattern (Korea + DPRK word)")
        if not found:
            return _NO_INDICATORS
        return PartyIndicators(frozenset(found), tuple(details))


def load_nexus(path: Path | None = None) -> NexusData:
    path = path or PACKS_DIR / "dprk_nexus.yaml"
    data = read_yaml(path)
    validate_document(path, data, "nexus.schema.json")
    return NexusData(data, path)


@lru_cache(maxsize=1)
def default_nexus() -> NexusData:
    return load_nexus()
