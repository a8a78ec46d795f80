"""OpenRefine reconciliation (W3C Entity Reconciliation API 0.2) at
`/reconcile/{dataset}`: the manifest, queries (form-encoded as OpenRefine sends
them, or JSON), suggest (entity, type, property), data extension with proposed
properties, and a preview page served by Corridor itself.

OpenRefine sends no headers of its own: point it at a `corridor serve --no-auth`
bound to 127.0.0.1, or at a gateway that adds `Authorization: ApiKey …`.  Keys in
URLs are not accepted (they end up in logs and browser histories).  Queries need
the screener role and write one audit record per call; the rest needs viewer.
"""

from __future__ import annotations

import json
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import HTMLResponse, Response

from corridor.api.responses import JSON
from corridor.api.security import Caller, app_state, require
from corridor.errors import InputError
from corridor.services import audit
from corridor.services import reconcile as service
from corridor.services.keys import Permission

router = APIRouter(tags=["Reconciliation"])
Viewer = Annotated[Caller, Depends(require(Permission.READ_LISTS))]
PREVIEW_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def _manifest(request: Request, dataset: str, title: str) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    service_url = f"{base}/reconcile/{dataset}"
    return {
        "versions": ["0.2"],
        "name": f"Corridor: {title}",
        "identifierSpace": "https://corridor.example/ns/entity",
        "schemaSpace": "https://followthemoney.tech/explorer/schemata/",
        "documentation": f"{base}/docs",
        "batchSize": 10,
        "defaultTypes": service.types(),
        "view": {"url": f"{base}/ui/entities/{{{{id}}}}"},
        "preview": {"url": f"{service_url}/preview?id={{{{id}}}}", "width": 430, "height": 300},
        "suggest": {
            "entity": {"service_url": service_url, "service_path": "/suggest/entity"},
            "type": {"service_url": service_url, "service_path": "/suggest/type"},
            "property": {"service_url": service_url, "service_path": "/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": service_url, "service_path": "/extend/property"},
            "property_settings": [],
        },
    }


def _json_field(value: object, field: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError as exc:
        raise InputError(field, f"is not valid JSON: {exc}") from None


async def _handle(request: Request, dataset: str, queries: object, extend: object) -> JSON:
    state = app_state(request)
    screener, catalog, versions = state.screener()
    found = catalog.dataset(dataset)
    if extend is not None:
        await require(Permission.READ_LISTS)(request)
        data = _json_field(extend, "extend")
        if not isinstance(data, dict) or not isinstance(data.get("ids"), list):
            raise InputError("extend", 'must be {"ids": [...], "properties": [{"id": ...}]}')
        props = [
            str(p["id"])
            for p in data.get("properties", [])
            if isinstance(p, dict) and isinstance(p.get("id"), str)
        ]
        ids = [str(i) for i in data["ids"]]
        return JSON(service.extend(catalog, ids, props, state.settings.api_max_batch))
    if queries is None:
        await require(Permission.READ_LISTS)(request)
        return JSON(_manifest(request, found.name, found.title))
    caller = await require(Permission.SCREEN)(request)
    parsed = service.parse_batch(_json_field(queries, "queries"), state.settings.api_max_batch)
    results = service.reconcile(screener, catalog, parsed, catalog.sources_of([found.name]))
    answer = {r.example.key: {"result": [service.candidate(m) for m in r.results]} for r in results}
    summary = {
        "endpoint": f"/reconcile/{found.name}",
        "queries": len(results),
        "hits": [
            {"query": r.example.key, "entity_id": m.hit.entity_id, "score": round(m.hit.score, 4)}
            for r in results
            for m in r.results
        ],
    }
    await state.recorder.record(
        caller.actor, audit.Action.SCREEN, {"queries": queries, "dataset": dataset}, summary, versions
    )
    return JSON(answer, headers={"x-batch-size": str(len(results))})


@router.get(
    "/reconcile/{dataset}", summary="Reconciliation: the manifest, or queries / extend given as parameters"
)
async def reconcile_get(
    request: Request,
    dataset: str,
    queries: Annotated[str | None, Query(max_length=1_000_000)] = None,
    extend: Annotated[str | None, Query(max_length=1_000_000)] = None,
) -> JSON:
    return await _handle(request, dataset, queries, extend)


@router.post(
    "/reconcile/{dataset}", summary="Reconciliation queries or data extension (form-encoded or JSON)"
)
async def reconcile_post(request: Request, dataset: str) -> JSON:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            body = json.loads(await request.body())
        except ValueError as exc:
            raise InputError("body", f"the request body is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            raise InputError("body", "must be an object with `queries` or `extend`")
        return await _handle(request, dataset, body.get("queries"), body.get("extend"))
    form = await request.form()
    queries, extend = form.get("queries"), form.get("extend")
    if queries is None and extend is None:
        raise InputError("queries", "give `queries` or `extend`")
    return await _handle(request, dataset, queries, extend)


@router.get("/reconcile/{dataset}/suggest/entity", summary="Reconciliation: suggest entities by name")
async def suggest_entity(
    request: Request,
    dataset: str,
    _caller: Viewer,
    prefix: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> JSON:
    from corridor.services import matching

    state = app_state(request)
    screener, catalog, _versions = state.screener()
    sources = catalog.sources_of([catalog.dataset(dataset).name])
    found, _total = matching.search(screener, catalog, prefix, datasets=sources, limit=limit)
    result = [
        {"id": m.hit.entity_id, "name": m.hit.caption, "description": f"{m.hit.list} {m.hit.ref}".strip()}
        for m in found
    ]
    return JSON({"result": result})


@router.get("/reconcile/{dataset}/suggest/type", summary="Reconciliation: suggest types")
async def suggest_type(
    request: Request, dataset: str, _caller: Viewer, prefix: Annotated[str, Query(max_length=200)] = ""
) -> JSON:
    app_state(request).catalog().dataset(dataset)
    return JSON({"result": service.suggest_types(prefix)})


@router.get("/reconcile/{dataset}/suggest/property", summary="Reconciliation: suggest properties")
async def suggest_property(
    request: Request, dataset: str, _caller: Viewer, prefix: Annotated[str, Query(max_length=200)] = ""
) -> JSON:
    app_state(request).catalog().dataset(dataset)
    return JSON({"result": service.suggest_properties(prefix)})


@router.get(
    "/reconcile/{dataset}/extend/property", summary="Reconciliation: the properties data extension can add"
)
async def propose_properties(
    request: Request,
    dataset: str,
    _caller: Viewer,
    type: Annotated[str, Query(max_length=100)] = service.DEFAULT_TYPE,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> JSON:
    app_state(request).catalog().dataset(dataset)
    return JSON({"type": type, "properties": service.propose_properties(type, limit), "limit": limit})


@router.get("/reconcile/{dataset}/preview", summary="Reconciliation: a small preview page of an entity")
async def preview(
    request: Request, dataset: str, _caller: Viewer, id: Annotated[str, Query(max_length=300)]
) -> Response:
    catalog = app_state(request).catalog()
    catalog.dataset(dataset)
    entity = catalog.entity(id)
    data = catalog.ftm(entity)
    rows = "".join(
        f"<tr><th>{escape(prop)}</th><td>{escape('; '.join(str(v) for v in values[:5]))}</td></tr>"
        for prop, values in sorted(data.get("properties", {}).items())
        if prop
        in (
            "name",
            "alias",
            "birthDate",
            "nationality",
            "country",
            "imoNumber",
            "registrationNumber",
            "programId",
            "topics",
        )
    )
    html = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>"
        f"{escape(entity.caption)}</title><style>body{{font:14px system-ui,sans-serif;margin:8px}}"
        "th{text-align:left;padding-right:8px;vertical-align:top}</style></head><body>"
        f"<h1 style='font-size:16px'>{escape(entity.caption)}</h1>"
        f"<p>{escape(entity.schema)} · {escape(entity.source)} · {escape(entity.list_ref)}</p>"
        f"<table>{rows}</table></body></html>"
    )
    return HTMLResponse(html, headers=PREVIEW_HEADERS)
