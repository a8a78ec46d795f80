"""Country names and codes to ISO 3166-1 alpha-2 (lower case, as FollowTheMoney uses).

Lists write countries every way: "Democratic People's Republic of Korea",
"Korea, North", "DPRK", "Russian Federation", "RU", "RUS".  pycountry gives the
ISO names; the aliases below cover what the official lists and trade documents
use besides.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

# Names the lists use that pycountry does not know (checked against the shared files).
_ALIASES: dict[str, str] = {
    "north korea": "kp",
    "korea north": "kp",
    "dprk": "kp",
    "d p r k": "kp",
    "korea dprk": "kp",
    "democratic peoples republic of korea": "kp",
    "korea democratic peoples republic of": "kp",
    "democratic peoples republic of korea dprk": "kp",
    "south korea": "kr",
    "korea south": "kr",
    "republic of korea": "kr",
    "korea republic of": "kr",
    "russia": "ru",
    "russian federation": "ru",
    "the russian federation": "ru",
    "ussr": "suhh",
    "former soviet union": "suhh",
    "former ussr": "suhh",
    "congo democratic republic": "cd",
    "occupied palestinian territories": "ps",
    "palestinian territories": "ps",
    "bosnia herzegovina": "ba",
    "state of palestine": "ps",
    "palestine": "ps",
    "china hong kong special administrative region": "hk",
    "hong kong special administrative region of china": "hk",
    "china macao special administrative region": "mo",
    "soviet union": "suhh",
    "iran": "ir",
    "iran islamic republic of": "ir",
    "syria": "sy",
    "syrian arab republic": "sy",
    "venezuela": "ve",
    "bolivia": "bo",
    "tanzania": "tz",
    "vietnam": "vn",
    "viet nam": "vn",
    "laos": "la",
    "burma": "mm",
    "myanmar burma": "mm",
    "moldova": "md",
    "united kingdom": "gb",
    "uk": "gb",
    "great britain": "gb",
    "united states": "us",
    "usa": "us",
    "united states of america": "us",
    "uae": "ae",
    "turkey": "tr",
    "turkiye": "tr",
    "czech republic": "cz",
    "congo democratic republic of the": "cd",
    "democratic republic of the congo": "cd",
    "republic of the congo": "cg",
    "cote divoire": "ci",
    "ivory coast": "ci",
    "palestinian": "ps",
    "west bank": "ps",
    "gaza": "ps",
    "kosovo": "xk",
    "crimea": "ua",
    "region crimea": "ua",
    "st kitts nevis": "kn",
    "bahamas the": "bs",
    "congo republic of the": "cg",
    "cote d ivoire": "ci",
    "north macedonia the republic of": "mk",
    "gambia the": "gm",
    "taiwan": "tw",
    "hong kong": "hk",
    "macau": "mo",
    "macao": "mo",
    "brunei": "bn",
    "cape verde": "cv",
    "swaziland": "sz",
    "micronesia": "fm",
    "st kitts and nevis": "kn",
    "saint kitts and nevis": "kn",
    "st vincent and the grenadines": "vc",
    "st lucia": "lc",
    "the bahamas": "bs",
    "bahamas": "bs",
    "gambia": "gm",
    "the gambia": "gm",
    "netherlands antilles": "an",
    "region kurdistan": "iq",
    "sudan south": "ss",
}


def _key(text: str) -> str:
    text = text.casefold().replace("’", "").replace("'", "")
    return " ".join(re.findall(r"[a-z0-9]+", text))


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2.lower()
        for attr in ("name", "official_name", "common_name", "alpha_3", "alpha_2"):
            value = getattr(country, attr, None)
            if value:
                table.setdefault(_key(value), code)
    for record in pycountry.historic_countries:
        value = getattr(record, "name", None)
        if value:
            table.setdefault(_key(value), record.alpha_3.lower()[:2])
    table.update(_ALIASES)
    return table


def to_code(text: str) -> str | None:
    """ISO alpha-2 (lower case) for a country name or code, or None if unknown."""
    if not text:
        return None
    key = _key(text)
    if not key:
        return None
    return _table().get(key)


def country_name(code: str) -> str:
    """English short name for an alpha-2 code (the code itself when unknown)."""
    country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or getattr(country, "name", code))
