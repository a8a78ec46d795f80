"""Corridor's own screening: `POST /screen` (the CLI's query format, a batch) and
`POST /compare` (pairs of names).  One audit record per call."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from corridor.api.models import CompareRequest, ScreenRequest
from corridor.api.responses import JSON
from corridor.api.security import Caller, app_state, require
from corridor.errors import InputError
from corridor.match import QueryError, compare
from corridor.services import audit
from corridor.services.batch import query_from_dict
from corridor.services.keys import Permission

router = APIRouter(tags=["Screening"])
Screener = Annotated[Caller, Depends(require(Permission.SCREEN))]


def _batch_limit(count: int, limit: int, what: str) -> None:
    if count > limit:
        raise InputError(what, f"too many {what} in one call ({count}; the limit is {limit})")


@router.post("/screen", summary="Screen queries in the CLI's format; every hit explained")
async def screen(request: Request, body: ScreenRequest, caller: Screener) -> JSON:
    state = app_state(request)
    _batch_limit(len(body.queries), state.settings.api_max_batch, "queries")
    screener, _catalog, versions = state.screener()
    queries = []
    for number, given in enumerate(body.queries):
        try:
            queries.append(query_from_dict(given.model_dump(by_alias=True)))
        except QueryError as exc:
            raise InputError(f"queries[{number}].{exc.field}", exc.message) from None
    results: list[dict[str, Any]] = []
    hits_summary: list[dict[str, Any]] = []
    for number, (given, query) in enumerate(zip(body.queries, queries, strict=True)):
        try:
            hits = screener.screen(query, body.threshold, body.limit)
        except QueryError as exc:
            raise InputError(f"queries[{number}].{exc.field}", exc.message) from None
        ident = given.id if given.id is not None else number
        results.append({"id": ident, "hits": [h.to_dict() for h in hits]})
        hits_summary.extend(audit.hits_summary(hits, ident))
    summary = {"endpoint": "/screen", "queries": len(results), "hits": hits_summary}
    await state.recorder.record(
        caller.actor, audit.Action.SCREEN, body.model_dump(by_alias=True), summary, versions
    )
    return JSON({"results": results, "versions": versions})


@router.post("/compare", summary="Score pairs of names with the engine's name comparison")
async def compare_pairs(request: Request, body: CompareRequest, caller: Screener) -> JSON:
    state = app_state(request)
    _batch_limit(len(body.pairs), state.settings.api_max_batch, "pairs")
    results = []
    for number, pair in enumerate(body.pairs):
        try:
            found = compare(pair.name1, pair.name2, pair.schema_)
        except QueryError as exc:
            raise InputError(f"pairs[{number}].{exc.field}", exc.message) from None
        ident = pair.id if pair.id is not None else number
        results.append(
            {"id": ident, "score": round(found.score, 4), "explanation": found.explanation.to_dict()}
        )
    summary = {"endpoint": "/compare", "pairs": [{"id": r["id"], "score": r["score"]} for r in results]}
    await state.recorder.record(
        caller.actor, audit.Action.COMPARE, body.model_dump(by_alias=True), summary, {}
    )
    return JSON({"results": results})
