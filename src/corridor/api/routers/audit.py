"""The audit trail over HTTP (reviewer): verify the chain, export records as JSON
lines, show the newest."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import StreamingResponse

from corridor.api.responses import JSON
from corridor.api.security import Caller, app_state, require
from corridor.services import audit as service
from corridor.services.keys import Permission
from corridor.types.jsonl import jsonl_line

router = APIRouter(tags=["Audit"])
Reviewer = Annotated[Caller, Depends(require(Permission.AUDIT_READ))]


@router.get("/audit/verify", summary="Recompute every record's hash and link")
async def verify(request: Request, _caller: Reviewer) -> JSON:
    result = service.verify(app_state(request).engine)
    return JSON(
        {
            "ok": result.ok,
            "records": result.records,
            "head_seq": result.head_seq,
            "head_hash": result.head_hash,
            "bad_seq": result.bad_seq,
            "reason": result.reason,
            "message": result.message,
        },
        status_code=200 if result.ok else 409,
    )


@router.get("/audit/export", summary="The records as JSON lines (from `since`)")
async def export(request: Request, _caller: Reviewer, since: datetime | None = None) -> StreamingResponse:
    engine = app_state(request).engine

    def lines() -> Iterator[bytes]:
        for record in service.export(engine, since):
            yield jsonl_line(record)

    return StreamingResponse(lines(), media_type="application/x-ndjson")


@router.get("/audit/tail", summary="The newest records, oldest first")
async def tail(request: Request, _caller: Reviewer, count: Annotated[int, Query(ge=1, le=1000)] = 20) -> JSON:
    return JSON({"records": [r.to_dict() for r in service.tail(app_state(request).engine, count)]})
