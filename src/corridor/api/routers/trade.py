"""Trade checks over HTTP: `POST /check` (JSON body, or an uploaded YAML / JSON
transaction file), `GET /ledger`, `GET /rules`, `GET /rules/{id}`, `GET /hs`.

A check with `record=true` counts capped lines in the ledger exactly as the CLI's
`corridor check` does; it needs the analyst role.  Without it nothing is
written but the audit record."""

from __future__ import annotations

import dataclasses
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, UploadFile

from corridor.api.models import CheckRequest
from corridor.api.responses import JSON
from corridor.api.security import Caller, app_state, require
from corridor.errors import InputError
from corridor.services import audit, keys
from corridor.services import trade as service
from corridor.services.keys import Permission
from corridor.store.audit import jsonable
from corridor.trade.documents import parse_document

router = APIRouter(tags=["Trade"])
Checker = Annotated[Caller, Depends(require(Permission.CHECK))]
Viewer = Annotated[Caller, Depends(require(Permission.READ_LISTS))]
LedgerReader = Annotated[Caller, Depends(require(Permission.READ_LEDGER))]


def plain(value: Any) -> Any:
    """A result dataclass as JSON data (dates ISO, Decimals exact strings)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return jsonable(value)


async def _check(request: Request, caller: Caller, data: Any, source: str, record: bool, digest: str) -> JSON:
    state = app_state(request)
    if record and caller.principal is not None:
        keys.authorize(caller.principal, Permission.CHECK_RECORD)
    items = data.get("transactions") if isinstance(data, dict) else data
    count = len(items) if isinstance(items, list) else 1
    if count > state.settings.api_max_batch:
        raise InputError(
            "transactions",
            f"too many transactions in one call ({count}; the limit is {state.settings.api_max_batch})",
        )
    evaluator, versions = state.evaluator()
    result = service.check_data(data, source, evaluator, record=record)
    out = []
    for item in result.items:
        if item.verdict is not None:
            out.append(
                {
                    "where": item.where,
                    "transaction_id": item.transaction_id,
                    "verdict": item.verdict.to_dict(),
                }
            )
        else:
            error = item.error
            out.append(
                {
                    "where": item.where,
                    "transaction_id": item.transaction_id,
                    "error": error.to_dict() if error is not None else {"detail": "not checked"},
                }
            )
    summary = {
        "endpoint": "/check",
        "verdicts": [audit.verdict_summary(v) for v in result.verdicts],
        "errors": len(result.errors),
    }
    await state.recorder.record(
        caller.actor, audit.Action.CHECK, {"sha256": digest, "record": record}, summary, versions
    )
    status = 200 if result.verdicts or not result.errors else 422
    return JSON(
        {"results": out, "checked": len(result.verdicts), "errors": len(result.errors)}, status_code=status
    )


@router.post("/check", summary="Check transactions (JSON): verdicts with citations and verification marks")
async def check(request: Request, body: CheckRequest, caller: Checker) -> JSON:
    data = {"transactions": body.transactions}
    return await _check(request, caller, data, "request", body.record, audit.request_hash(data))


@router.post("/check/file", summary="Check an uploaded transaction file (.yaml, .yml, .json)")
async def check_file(
    request: Request, file: UploadFile, caller: Checker, record: Annotated[bool, Query()] = False
) -> JSON:
    import hashlib

    name = PurePath(file.filename or "upload.yaml").name
    content = await file.read()
    data = parse_document(content, PurePath(name).suffix, name)
    return await _check(request, caller, data, name, record, hashlib.sha256(content).hexdigest())


@router.get("/ledger", summary="Cap use per period with the shipments behind it")
async def ledger(
    request: Request, _caller: LedgerReader, cap: str | None = None, period: str | None = None
) -> JSON:
    state = app_state(request)
    usages = service.ledger_summary(state.engine, cap, period)
    return JSON({"periods": [dict(plain(u), percent=str(u.percent)) for u in usages]})


@router.get("/rules", summary="Every rule with its citation and verification mark")
async def rules(_caller: Viewer, regime: str | None = None, status: str | None = None) -> JSON:
    return JSON({"rules": [plain(r) for r in service.rules(regime, status)]})


@router.get("/rules/{rule_id}", summary="One rule in full")
async def rule(rule_id: str, _caller: Viewer) -> JSON:
    return JSON(plain(service.rule(rule_id)))


@router.get("/hs", summary="Look up an HS 2022 code, or search the nomenclature by words")
async def hs(
    _caller: Viewer,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=100)] = 15,
) -> JSON:
    if service.is_code(q):
        path = service.hs_lookup(q)
        return JSON({"code": q, "path": plain(path), "lines": path.lines()})
    return JSON({"query": q, "matches": [plain(m) for m in service.hs_search(q, limit)]})
