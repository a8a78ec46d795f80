"""The package data of `corridor.names`: `data/<stem>.yaml`, checked against
`data/<stem>.schema.json` when read (glossary, scripts, Korean in Cyrillic).
Reads package files only; each module keeps what it reads (`lru_cache`)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import yaml


def load(stem: str) -> dict[str, Any]:
    """`data/<stem>.yaml`, validated by `data/<stem>.schema.json` (jsonschema's
    ValidationError names the offending field)."""
    base = resources.files("corridor.names").joinpath("data")
    loaded = yaml.safe_load(base.joinpath(f"{stem}.yaml").read_text("utf-8"))
    schema = json.loads(base.joinpath(f"{stem}.schema.json").read_text("utf-8"))
    jsonschema.validate(loaded, schema)
    return dict(loaded)
