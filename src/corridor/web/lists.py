"""The list pages: every stored version of each list, and the diff viewer (added,
removed and changed entities, field by field, between any two versions)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from corridor.api.security import app_state
from corridor.errors import NotFoundError
from corridor.services import lists as lists_service
from corridor.services.keys import Permission
from corridor.web.pages import page
from corridor.web.session import WebUser, require_page

router = APIRouter(prefix="/ui", include_in_schema=False)
Viewer = Annotated[WebUser, Depends(require_page(Permission.READ_LISTS))]
DIFF_ROWS = 500  # rows shown per section of a diff; the API and CLI give the whole diff


@router.get("/lists")
async def all_lists(request: Request, user: Viewer) -> Response:
    found = await asyncio.to_thread(lists_service.versions, app_state(request).engine)
    by_list = defaultdict(list)
    for version in found:
        by_list[version.source].append(version)
    return page("lists.html", title="Lists", user=user, lists=dict(sorted(by_list.items())))


@router.get("/lists/{source}")
async def one_list(request: Request, source: str, user: Viewer) -> Response:
    found = await asyncio.to_thread(lists_service.versions, app_state(request).engine, source)
    if not found:
        raise NotFoundError(f"no list {source!r} in the store")
    return page("lists.html", title=source, user=user, lists={source: found})


@router.get("/lists/{source}/diff")
async def diff(request: Request, source: str, user: Viewer, old: str = "", new: str = "") -> Response:
    change = await asyncio.to_thread(
        lists_service.diff, app_state(request).engine, source, old or None, new or None
    )
    return page("diff.html", title=f"{source}: what changed", user=user, diff=change, limit=DIFF_ROWS)
