"""Finding a DPRK nexus a transaction does not state.

Data: `packs/dprk_nexus.yaml` (schema `packs/nexus.schema.json`): DPRK ports and
places, DPRK banks, DPRK state bodies (marked military where they are), and the
"Korea + DPRK word" naming pattern.  Everything is compiled once into term
matchers; `party_indicators(party)` is cached per (name, country, address).

Indicators per party:
    dprk_state_body  a DPRK ministry, bureau, party organ...   (strong)
    dprk_military    armed forces, munitions, intelligence        (strong)
    dprk_bank        a DPRK bank                                  (strong)
    dprk_address     an address in a DPRK city                    (strong)
    dprk_name        "Korea ... General Trading Corp" pattern     (weak: review only)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from corridor.trade.rules import PACKS_DIR, read_yaml, validate_document
from corridor.trade.transaction import Party, Port
from corridor.types.text import TermMatcher
from corridor.types.text import normalize as norm

STRONG = frozenset({"dprk_state_body", "dprk_military", "dprk_bank", "dprk_address"})
# Words that make a generic body name ("Ministry of Labour") a DPRK one.
_DPRK_CONTEXT = TermMatcher(
    ["dprk", "d p r k", "north korea", "democratic peoples republic", "democratic people s republic"]
)


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

    def __init__(self, data: dict, source: Path) -> None:
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
        self._ports = TermMatcher(port_names, port_keys)
        self._places = TermMatcher(data["places"])
        self._banks = TermMatcher(data["banks"], data["banks"])
        bodies = data["state_bodies"]
        self._bodies = TermMatcher([b["name"] for b in bodies], [b["name"] for b in bodies])
        self._body_info = {b["name"]: (bool(b.get("military")), bool(b.get("generic"))) for b in bodies}
        self._korea = TermMatcher(data["korea_words"])
        self._dprk_words = TermMatcher(data["dprk_words"])

    def port(self, port: Port) -> tuple[str, str | None]:
        """(known port key or "", country) - the port table wins over a stated country
        when the name is a DPRK port (conservative)."""
        key = self._ports.search(norm(port.name)) or ""
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
        addr = norm(address)
        place = self._places.found(addr) if addr else None
        if place:
            found.add("dprk_address")
            details.append(f"address in {place.title()} (DPRK)")
        bank = self._banks.search(key)
        if bank:
            found.add("dprk_bank")
            details.append(f"DPRK bank ({bank})")
        body = self._bodies.search(key)
        if body:
            military, generic = self._body_info[body]
            context = country == "kp" or bool(place) or _DPRK_CONTEXT.found(key) is not None
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
