"""Results in yente's shapes (yente 5.x `EntityResponse`, `ScoredEntityResponse`,
`EntityMatches`), so yente clients read Corridor unchanged.

An entity's `properties` are its FollowTheMoney properties (`sources.ftm_json`);
`referents` are the records on other lists citing the same UN reference;
`explanations` carry Corridor's part-by-part explanation of the score, and
`features` the same as yente's flat {feature: value} map.  With `nested`, the
entity's designations are `Sanction` entities under `sanctions`, as yente nests
them.
"""

from __future__ import annotations

from typing import Any

from corridor.match.model import Hit
from corridor.model import Entity
from corridor.services.catalog import Catalog, dataset_name, describe, ftm_id
from corridor.services.matching import EntityMatch, ExampleResult


def _date(value: str) -> str | None:
    # yente gives datetimes; Corridor's versions carry dates or timestamps
    if not value:
        return None
    return value if "T" in value else f"{value[:10]}T00:00:00"


def entity_response(entity: Entity, catalog: Catalog, *, nested: bool = False) -> dict[str, Any]:
    data = catalog.ftm(entity)
    dates = catalog.dates(entity.id)
    out: dict[str, Any] = {
        "id": data["id"],
        "caption": entity.caption,
        "schema": data["schema"],
        "properties": data.get("properties", {}),
        "datasets": [dataset_name(entity.source)],
        "referents": [entity.id] if data["id"] != entity.id else [],
        "target": True,
        "first_seen": _date(dates.first_seen) if dates else None,
        "last_seen": _date(dates.last_seen) if dates else None,
        "last_change": _date(dates.last_change) if dates else None,
    }
    if nested:
        out["properties"] = {**out["properties"], "sanctions": [_sanction(entity, data["id"])]}
    return out


def _sanction(entity: Entity, entity_ftm_id: str) -> dict[str, Any]:
    props: dict[str, list[Any]] = {"entity": [entity_ftm_id]}
    if entity.programs:
        props["program"] = list(entity.programs)
    if entity.listed_on:
        props["listingDate"] = [entity.listed_on]
    if entity.list_ref:
        props["unscId" if entity.source == "un" else "programId"] = [entity.list_ref]
    props["authority"] = [dataset_name(entity.source)]
    return {
        "id": f"{entity_ftm_id}-sanction",
        "caption": f"Sanction: {entity.caption}",
        "schema": "Sanction",
        "properties": props,
        "datasets": [dataset_name(entity.source)],
        "referents": [],
        "target": False,
    }


def features(hit: Hit) -> dict[str, float]:
    explanation = hit.explanation
    out = {"name_score": round(explanation.name.score, 4)}
    for qualifier in explanation.qualifiers:
        out[qualifier.kind] = round(out.get(qualifier.kind, 0.0) + qualifier.effect, 4)
    return out


def scored(result: EntityMatch, catalog: Catalog) -> dict[str, Any]:
    hit = result.hit
    if result.entity is not None:
        out = entity_response(result.entity, catalog)
    else:  # the record left the store after the index was built
        out = {
            "id": ftm_id(hit.entity_id),
            "caption": hit.caption,
            "schema": hit.schema,
            "properties": {},
            "datasets": [dataset_name(hit.list)],
            "referents": [hit.entity_id],
            "target": True,
            "first_seen": None,
            "last_seen": None,
            "last_change": None,
        }
    out["score"] = round(hit.score, 4)
    out["match"] = result.match
    out["features"] = features(hit)
    out["explanations"] = hit.explanation.to_dict()
    out["list_ref"] = hit.ref
    return out


def example_response(result: ExampleResult, catalog: Catalog) -> dict[str, Any]:
    return {
        "status": 200,
        "results": [scored(r, catalog) for r in result.results],
        "total": {"value": result.total, "relation": "eq"},
        "query": result.example.to_dict(),
    }


def dataset_response(catalog: Catalog, name: str) -> dict[str, Any]:
    dataset = catalog.dataset(name)
    described = describe(dataset)
    return {
        **described,
        "summary": None,
        "url": None,
        "load": True,
        "entities_url": None,
        "index_version": catalog.key,
        "index_current": True,
    }
