"""yente's endpoints: `/match/{dataset}`, `/search/{dataset}`, `/entities/{id}`,
`/catalog`.  Each /match call writes one audit record (the request's hash, the
index's list versions, every hit and score) and answers only once it is stored."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from corridor.api.models import MatchRequest
from corridor.api.render import dataset_response, entity_response, example_response
from corridor.api.responses import JSON
from corridor.api.security import Caller, app_state, require
from corridor.errors import InputError
from corridor.match.algorithm import DEFAULT
from corridor.services import audit, matching
from corridor.services.keys import Permission

router = APIRouter(tags=["Matching"])
Screener = Annotated[Caller, Depends(require(Permission.SCREEN))]
Viewer = Annotated[Caller, Depends(require(Permission.READ_LISTS))]
MAX_LIMIT = 500
MAX_EXCLUDED = 500
_TS = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$"


@router.post("/match/{dataset}", summary="Match entities by example (yente-compatible)")
async def match(
    request: Request,
    dataset: str,
    body: MatchRequest,
    caller: Screener,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Results per query")] = 5,
    threshold: Annotated[
        float,
        Query(
            ge=0.0,
            le=1.0,
            description=f"`match` is true at this score (Corridor's calibrated {DEFAULT.threshold})",
        ),
    ] = DEFAULT.threshold,
    cutoff: Annotated[
        float | None, Query(ge=0.0, le=1.0, description="Lowest score returned (default: threshold)")
    ] = None,
    algorithm: Annotated[str, Query(description="`best`, `default` or corridor-align-1")] = "best",
    include_dataset: Annotated[list[str], Query()] = [],  # noqa: B006 (FastAPI copies defaults)
    exclude_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_schema: Annotated[list[str], Query()] = [],  # noqa: B006
    topics: Annotated[list[str], Query()] = [],  # noqa: B006
    changed_since: Annotated[str | None, Query(pattern=_TS)] = None,
    exclude_entity_ids: Annotated[list[str], Query(max_length=MAX_EXCLUDED)] = [],  # noqa: B006
    fuzzy: Annotated[
        bool, Query(description="Accepted for yente clients; Corridor always allows spelling variance")
    ] = False,
) -> JSON:
    state = app_state(request)
    algorithm_name = matching.check_algorithm(algorithm)
    if body.weights:
        raise InputError(
            "weights", "Corridor's algorithm is calibrated as a whole: per-request weights are not accepted"
        )
    if body.config:
        key = next(iter(body.config))
        raise InputError("config", f"invalid configuration parameter {key!r} for algorithm {algorithm_name}")
    given = {k: v for k, v in body.queries.items() if v is not None}
    if len(body.queries) > state.settings.api_max_batch:
        raise InputError(
            "queries",
            f"too many queries in one batch ({len(body.queries)}; the limit is {state.settings.api_max_batch})",
        )
    if not given:
        raise InputError("queries", "no queries given")
    screener, catalog, versions = state.screener()
    path_dataset = catalog.dataset(dataset)
    options = matching.MatchOptions(
        limit=limit,
        threshold=threshold,
        cutoff=cutoff,
        algorithm=algorithm_name,
        datasets=catalog.sources_of([path_dataset.name]),
        include_datasets=catalog.sources_of(include_dataset),
        exclude_datasets=catalog.sources_of(exclude_dataset),
        exclude_schema=frozenset(exclude_schema),
        topics=frozenset(topics),
        changed_since=changed_since,
        exclude_entity_ids=frozenset(exclude_entity_ids),
    )
    examples = [
        matching.parse_example(key, example.model_dump(by_alias=True, exclude_none=True))
        for key, example in given.items()
    ]
    results = matching.match(screener, catalog, examples, options)
    responses = {r.example.key: example_response(r, catalog) for r in results}
    summary = {
        "endpoint": f"/match/{path_dataset.name}",
        "queries": len(results),
        "hits": [
            {"query": r.example.key, "entity_id": m.hit.entity_id, "score": round(m.hit.score, 4)}
            for r in results
            for m in r.results
        ],
    }
    audited = {
        "body": body.model_dump(by_alias=True),
        "params": dict(request.query_params),
        "dataset": dataset,
    }
    await state.recorder.record(caller.actor, audit.Action.SCREEN, audited, summary, versions)
    return JSON(
        {"responses": responses, "limit": limit, "algorithm": algorithm_name},
        headers={"x-batch-size": str(len(responses))},
    )


@router.get("/search/{dataset}", summary="Entities whose names resemble the text")
async def search(
    request: Request,
    dataset: str,
    _caller: Viewer,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    schema: Annotated[str, Query()] = "Thing",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> JSON:
    state = app_state(request)
    screener, catalog, _versions = state.screener()
    sources = catalog.sources_of([catalog.dataset(dataset).name])
    found, total = matching.search(
        screener, catalog, q, schema=schema, datasets=sources, limit=limit, offset=offset
    )
    results: list[dict[str, Any]] = []
    for item in found:
        if item.entity is not None:
            out = entity_response(item.entity, catalog)
            out["score"] = round(item.hit.score, 4)
            results.append(out)
    return JSON(
        {
            "results": results,
            "total": {"value": total, "relation": "eq"},
            "limit": limit,
            "offset": offset,
            "facets": {},
        }
    )


@router.get("/entities/{entity_id}", summary="One entity (yente-compatible; `nested` adds its designations)")
async def entity(request: Request, entity_id: str, _caller: Viewer, nested: bool = True) -> JSON:
    state = app_state(request)
    catalog = state.catalog()
    record = catalog.entity(entity_id)
    return JSON(entity_response(record, catalog, nested=nested))


@router.get("/catalog", summary="Every active list as a dataset, and the collections")
async def catalog_index(request: Request, _caller: Viewer) -> JSON:
    state = app_state(request)
    catalog = state.catalog()
    datasets = [dataset_response(catalog, name) for name in catalog.datasets]
    names = [d["name"] for d in datasets]
    return JSON({"datasets": datasets, "current": names, "outdated": [], "index_stale": False})
