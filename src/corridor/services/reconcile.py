"""OpenRefine reconciliation (W3C Entity Reconciliation API 0.2) over the screening
engine: reconciliation queries become `services.matching` examples, so a column of
names in a spreadsheet is matched exactly as `/match` matches, every candidate
scored and explained by the same engine.

- a query `{"query", "type", "limit", "properties": [{"pid", "v"}]}` is an example
  of schema `type` (default `LegalEntity`… any matchable FollowTheMoney schema)
  with `name` = `query` and each property `pid` (a FtM property name, or
  `Schema:property`) set to `v`;
- scores are 0–100 (what OpenRefine shows), `match` is true at Corridor's
  calibrated threshold;
- suggest and data extension read the same catalogue as `/entities`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, final

from followthemoney import model
from followthemoney.types import registry

from corridor.errors import InputError
from corridor.match.screener import Screener
from corridor.services import matching
from corridor.services.catalog import Catalog

DEFAULT_TYPE = "LegalEntity"
DEFAULT_LIMIT = 5
MAX_LIMIT = 50
MATCHABLE = ("Person", "Company", "Organization", "LegalEntity", "Vessel", "Airplane", "PublicBody")


def types() -> list[dict[str, str]]:
    """The types a column can be reconciled against: the matchable FtM schemata."""
    out = []
    for name in MATCHABLE:
        schema = model.get(name)
        if schema is not None:
            out.append({"id": schema.name, "name": schema.label})
    return out


def _text(value: object, where: str) -> str:
    if isinstance(value, Mapping):  # a reconciled cell: {"id": …, "name": …}
        value = value.get("name") or value.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError(where, "must be a string")
    return str(value).strip()


@final
@dataclass(frozen=True, slots=True)
class ReconQuery:
    key: str
    example: matching.Example
    limit: int


def parse_query(key: str, raw: object) -> ReconQuery:
    """A reconciliation query from its JSON; InputError names the field."""
    where = f"queries.{key}"
    if not isinstance(raw, Mapping):
        raise InputError(where, "must be an object with `query`")
    kind = raw.get("type") or DEFAULT_TYPE
    if isinstance(kind, list):
        kind = kind[0] if kind else DEFAULT_TYPE
    if not isinstance(kind, str) or model.get(kind) is None:
        raise InputError(
            f"{where}.type", f"unknown type {str(kind)[:60]!r}; one of {', '.join(t['id'] for t in types())}"
        )
    limit = raw.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"{where}.limit", f"must be a whole number from 1 to {MAX_LIMIT}")
    properties: dict[str, list[str]] = {}
    query = raw.get("query")
    if query is not None:
        properties["name"] = [_text(query, f"{where}.query")]
    given = raw.get("properties") or []
    if not isinstance(given, list):
        raise InputError(f"{where}.properties", "must be a list of {pid, v}")
    for number, item in enumerate(given):
        place = f"{where}.properties[{number}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("pid"), str):
            raise InputError(place, "must be an object with `pid` and `v`")
        pid = str(item["pid"]).split(":")[-1]  # "Person:birthDate" or "birthDate"
        values = item.get("v")
        for value in values if isinstance(values, list) else [values]:
            text = _text(value, f"{place}.v")
            if text:
                properties.setdefault(pid, []).append(text)
    example = matching.parse_example(key, {"schema": kind, "properties": properties})
    return ReconQuery(key, example, limit)


def parse_batch(raw: object, max_batch: int) -> list[ReconQuery]:
    if not isinstance(raw, Mapping) or not raw:
        raise InputError("queries", "must be an object of {key: query}")
    if len(raw) > max_batch:
        raise InputError("queries", f"too many queries in one batch ({len(raw)}; the limit is {max_batch})")
    return [parse_query(str(key), value) for key, value in raw.items()]


def reconcile(
    screener: Screener, catalog: Catalog, queries: Sequence[ReconQuery], datasets: frozenset[str]
) -> list[matching.ExampleResult]:
    """Each query matched as `/match` matches it, with its own limit."""
    out: list[matching.ExampleResult] = []
    for query in queries:
        options = matching.MatchOptions(limit=query.limit, datasets=datasets)
        out.extend(matching.match(screener, catalog, [query.example], options))
    return out


def candidate(result: matching.EntityMatch) -> dict[str, Any]:
    hit = result.hit
    entity = result.entity
    schema = model.get(entity.schema if entity else hit.schema) or model.get("Thing")
    assert schema is not None
    description = f"{hit.list} {hit.ref}".strip()
    if entity is not None and entity.birth_dates:
        description += f" · born {entity.birth_dates[0].start}"
    return {
        "id": hit.entity_id,
        "name": hit.caption,
        "type": [{"id": schema.name, "name": schema.label}],
        "score": round(hit.score * 100, 1),
        "match": result.match,
        "description": description,
        "features": [{"id": "name_score", "value": round(hit.explanation.name.score, 4)}]
        + [{"id": q.kind, "value": round(q.effect, 4)} for q in hit.explanation.qualifiers],
    }


def suggest_types(prefix: str) -> list[dict[str, str]]:
    wanted = prefix.casefold().strip()
    return [
        t for t in types() if not wanted or wanted in t["id"].casefold() or wanted in t["name"].casefold()
    ]


def _properties() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for name in MATCHABLE:
        schema = model.get(name)
        if schema is None:
            continue
        for prop in schema.properties.values():
            if prop.hidden or prop.stub or prop.type == registry.entity:
                continue
            seen.setdefault(prop.name, prop.label)
    return sorted(seen.items())


def suggest_properties(prefix: str, limit: int = 20) -> list[dict[str, str]]:
    wanted = prefix.casefold().strip()
    found = [
        {"id": name, "name": label}
        for name, label in _properties()
        if not wanted or name.casefold().startswith(wanted) or label.casefold().startswith(wanted)
    ]
    return found[:limit]


def propose_properties(kind: str, limit: int = 20) -> list[dict[str, str]]:
    """The properties of `kind` a data extension can add (its FtM properties)."""
    schema = model.get(kind)
    if schema is None:
        raise InputError("type", f"unknown type {kind[:60]!r}")
    props = [
        {"id": p.name, "name": p.label}
        for p in schema.properties.values()
        if not p.hidden and not p.stub and p.type != registry.entity and p.matchable
    ]
    return props[:limit]


def extend(catalog: Catalog, ids: Sequence[str], properties: Sequence[str], max_batch: int) -> dict[str, Any]:
    """Data extension: for each entity id, the values of each asked property."""
    if len(ids) > max_batch:
        raise InputError("extend.ids", f"too many ids in one batch ({len(ids)}; the limit is {max_batch})")
    meta: dict[str, str] = {}
    rows: dict[str, dict[str, list[dict[str, str]]]] = {}
    resolved = {i: catalog.resolve(i) for i in ids}
    records = catalog.entities(r for r in resolved.values() if r)
    for entity_id in ids:
        row: dict[str, list[dict[str, str]]] = {}
        real = resolved[entity_id]
        record = records.get(real) if real else None
        data = catalog.ftm(record) if record is not None else None
        schema = model.get(data["schema"]) if data else None
        for prop in properties:
            ftm_prop = schema.get(prop) if schema is not None else None
            if ftm_prop is not None:
                meta.setdefault(prop, ftm_prop.label)
            values = (data or {}).get("properties", {}).get(prop, [])
            row[prop] = [{"str": str(v)} for v in values]
        rows[entity_id] = row
    return {"meta": [{"id": p, "name": meta.get(p, p)} for p in properties], "rows": rows}
