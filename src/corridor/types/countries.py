"""Country names and codes to ISO 3166-1 alpha-2 (lower case, as FollowTheMoney uses).

Lists write countries every way: "Democratic People's Republic of Korea",
"Korea, North", "DPRK", "Russian Federation", "RU", "RUS", and Russian and Korean
documents in their own scripts: «КНДР», «Российская Федерация», «조선», «북한».
pycountry gives the ISO names and their Russian and Korean translations;
`data/countries.yaml` (by language, checked against its schema) the names,
abbreviations and adjectives the official lists and trade documents use besides.
Every key goes through `types.text.normalize`, the one script-aware normaliser.
"""

from __future__ import annotations

import gettext
import json
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema
import pycountry
import yaml

from corridor.types.text import normalize

LANGUAGES = ("ru", "ko")  # pycountry's translations read besides the English names


def _key(text: str) -> str:
    # the one normaliser for every script: case, accents, punctuation and spacing
    # do not matter, and Cyrillic and Hangul keep their letters
    return normalize(text.replace("’", "").replace("'", ""))


@lru_cache(maxsize=1)
def _data() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(
        resources.files("corridor.types").joinpath("data/countries.yaml").read_text("utf-8")
    )
    schema = json.loads(
        resources.files("corridor.types").joinpath("data/countries.schema.json").read_text("utf-8")
    )
    jsonschema.validate(data, schema)
    return {str(section): dict(table) for section, table in data.items()}


def aliases() -> dict[str, dict[str, str]]:
    """The aliases by language (`data/countries.yaml`, checked against its schema)."""
    return {
        lang: {str(k): str(v) for k, v in table.items()}
        for lang, table in _data().items()
        if lang != "ambiguous"
    }


@lru_cache(maxsize=1)
def _ambiguous() -> dict[str, tuple[str, ...]]:
    table = _data().get("ambiguous", {})
    return {_key(str(name)): tuple(str(c) for c in codes) for name, codes in table.items()}


def candidates(text: str) -> tuple[str, ...]:
    """The countries an ambiguous name may stand for ("Корея": kp and kr), else ()."""
    return _ambiguous().get(_key(text), ()) if text else ()


def _translations(language: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


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
    # the ISO names in Russian and Korean, from pycountry's own translations
    for language in LANGUAGES:
        translate = _translations(language).gettext
        for country in pycountry.countries:
            code = country.alpha_2.lower()
            for attr in ("name", "official_name", "common_name"):
                value = getattr(country, attr, None)
                if value and translate(value) != value:
                    table.setdefault(_key(translate(value)), code)
    for table_of_language in aliases().values():
        for name, code in table_of_language.items():
            table[_key(name)] = code
    for name in _ambiguous():
        table.pop(name, None)  # never guessed, whatever a translation says
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
