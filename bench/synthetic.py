"""Synthetic party files for the batch benchmark and the batch tests.

`parties(entities, n, seed)` yields `n` screening queries: Faker names in
ko_KR (Hangul, and romanised), ru_RU (Cyrillic, and transliterated), en_US and
zh_CN, with a share (`listed_share`, 0.5 % by default) taken from the given list
entities with variations (case, token order, a dropped or doubled letter, a
missing middle part).  Deterministic for a seed; nothing is held beyond one row.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from bench.eval.korean import romanize_hangul
from bench.eval.russian import cyrillic_to_latin
from corridor.model import Entity

LOCALES = ("ko_KR", "ko_KR-latin", "ru_RU", "ru_RU-latin", "en_US", "zh_CN")
SCHEMAS = {"Person": "Person", "LegalEntity": "Thing", "Organization": "Organization", "Company": "Company"}


def _vary(name: str, rng: random.Random) -> str:
    """A listed name as a customer file might hold it."""
    words = name.split()
    roll = rng.random()
    if roll < 0.25 and len(words) > 1:
        words = [*words[1:], words[0]]
    elif roll < 0.45 and len(words) > 2:
        del words[rng.randrange(1, len(words) - 1)]
    elif roll < 0.65:
        word = rng.randrange(len(words))
        text = words[word]
        if len(text) > 4:
            at = rng.randrange(1, len(text) - 1)
            text = text[:at] + text[at + 1 :] if rng.random() < 0.5 else text[:at] + text[at] + text[at:]
            words[word] = text
    out = " ".join(words)
    return out.title() if rng.random() < 0.5 else out.upper()


def _listed_names(entities: Iterable[Entity]) -> list[tuple[str, str]]:
    found = []
    for entity in entities:
        if entity.schema in ("Vessel", "Aircraft"):
            continue
        names = [n.full for n in entity.names if n.full and len(n.full) < 80]
        if names:
            found.append((names[0], SCHEMAS.get(entity.schema, "Thing")))
    return found


def parties(
    entities: Sequence[Entity], n: int, seed: int = 11, listed_share: float = 0.005
) -> Iterator[dict[str, Any]]:
    """`n` query records {"id", "name", "schema"[, "country"]} (see the module docstring)."""
    from faker import Faker

    rng = random.Random(seed)
    listed = _listed_names(entities)
    fakers = {}
    for locale in ("ko_KR", "ru_RU", "en_US", "zh_CN"):
        fake = Faker(locale)
        fake.seed_instance(seed)
        fakers[locale] = fake
    countries = {"ko_KR": "kp", "ru_RU": "ru", "en_US": "us", "zh_CN": "cn"}
    for i in range(n):
        ident = f"p{i:08d}"
        if listed and rng.random() < listed_share:
            name, schema = rng.choice(listed)
            yield {"id": ident, "name": _vary(name, rng), "schema": schema}
            continue
        locale = LOCALES[i % len(LOCALES)]
        base = locale.split("-")[0]
        fake = fakers[base]
        company = rng.random() < 0.2
        if company:
            name = fake.company()
        elif base in ("ko_KR", "zh_CN"):  # Hangul and Chinese names are written without a space
            name = f"{fake.last_name()}{fake.first_name()}"
        else:
            name = f"{fake.last_name()} {fake.first_name()}"
        if locale == "ko_KR-latin" and not company:
            name = romanize_hangul(name)
        elif locale == "ru_RU-latin":
            name = cyrillic_to_latin(name)
        record: dict[str, Any] = {"id": ident, "name": name, "schema": "Company" if company else "Person"}
        if rng.random() < 0.3:
            record["country"] = countries[base]
        yield record


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count
