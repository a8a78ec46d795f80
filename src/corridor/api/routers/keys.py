"""API keys over HTTP (admin): create (the key is in the answer, once), list, revoke.
Each change writes its audit record in the same transaction as the change."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from corridor.api.models import KeyCreate
from corridor.api.responses import JSON
from corridor.api.security import Caller, app_state, require
from corridor.services import keys as service
from corridor.services.keys import Permission

router = APIRouter(tags=["Keys"])
Admin = Annotated[Caller, Depends(require(Permission.KEYS_MANAGE))]


def _info(info: service.KeyInfo) -> dict[str, object]:
    return {
        "key_id": info.key_id,
        "name": info.name,
        "role": info.role.value,
        "created_at": info.created_at.isoformat(),
        "last_used_at": info.last_used_at.isoformat() if info.last_used_at else None,
        "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
        "active": info.active,
    }


@router.post("/keys", summary="Create a key; the answer holds the only copy of it", status_code=201)
async def create(request: Request, body: KeyCreate, caller: Admin) -> JSON:
    state = app_state(request)
    created = service.create(state.engine, body.name, body.role, by=caller.actor)
    return JSON(
        {
            "key_id": created.key_id,
            "name": created.name,
            "role": created.role.value,
            "created_at": created.created_at.isoformat(),
            "key": created.secret,
        },
        status_code=201,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/keys", summary="Every key with its role and dates (never the key or its hash)")
async def list_keys(request: Request, _caller: Admin) -> JSON:
    state = app_state(request)
    return JSON({"keys": [_info(k) for k in service.list_keys(state.engine)]})


@router.delete("/keys/{name_or_id}", summary="Revoke a key: it stops working at once")
async def revoke(request: Request, name_or_id: str, caller: Admin) -> JSON:
    state = app_state(request)
    return JSON(_info(service.revoke(state.engine, name_or_id, by=caller.actor)))
