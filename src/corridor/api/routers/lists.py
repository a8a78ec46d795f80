"""Lists, versions and diffs (viewer), imports and updates (admin).

An import or update served here goes through the same application layer as the
CLI, so it is as atomic: a file that fails leaves the store as it was.  The
screening index for the new versions is built in the background while the old
one goes on serving; requests switch to the new one when it is ready, none is
dropped."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile

from corridor.api import uploads
from corridor.api.models import UpdateRequest
from corridor.api.responses import JSON
from corridor.api.routers.trade import plain
from corridor.api.security import Caller, app_state, require
from corridor.api.state import AppState
from corridor.errors import CorridorError, InputError
from corridor.services import audit, monitoring
from corridor.services import lists as service
from corridor.services.keys import Permission
from corridor.store.queries import vars_of

router = APIRouter(tags=["Lists"])
Viewer = Annotated[Caller, Depends(require(Permission.READ_LISTS))]
Admin = Annotated[Caller, Depends(require(Permission.LISTS_IMPORT))]
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
_HINTS = ("un", "ofac", "uk", "eu", "ftm")


@router.get("/lists", summary="The active version of every list, with counts")
async def lists_status(request: Request, _caller: Viewer) -> JSON:
    state = app_state(request)
    return JSON({"lists": service.status_dicts(service.status(state.engine))})


@router.get("/lists/{source}/versions", summary="Every stored version of one list")
async def versions(request: Request, source: str, _caller: Viewer) -> JSON:
    state = app_state(request)
    found = service.versions(state.engine, source)
    if not found:
        raise InputError("source", f"no list {source!r} in the store") from None
    return JSON({"list": source, "versions": [plain(v) for v in found]})


@router.get("/lists/{source}/diff", summary="Entities added, removed and changed between two versions")
async def diff(
    request: Request, source: str, _caller: Viewer, old: str | None = None, new: str | None = None
) -> JSON:
    state = app_state(request)
    found = service.diff(state.engine, source, old, new)
    return JSON(
        {
            "list": source,
            "old": plain(found.old),
            "new": plain(found.new),
            "added": [{"entity_id": i, "caption": c} for i, c in found.added],
            "removed": [{"entity_id": i, "caption": c} for i, c in found.removed],
            "changed": [
                {
                    "entity_id": change.entity_id,
                    "caption": change.caption,
                    "fields": [plain(vars_of(f)) for f in change.fields],
                }
                for change in found.changed
            ],
        }
    )


def _refresh_index(state: AppState) -> None:
    # build the new index off the request; the old one serves until it is ready
    import threading

    threading.Thread(target=state.refresh, name="index-refresh", daemon=True).start()


def _outcome(result: Any) -> dict[str, Any]:
    return audit.import_summary(result) | {"records": result.record_count, "warnings": list(result.warnings)}


@router.post("/lists/import", summary="Import an uploaded list file as a new version (admin)")
async def import_list(
    request: Request,
    file: UploadFile,
    caller: Admin,
    source: Annotated[
        str | None, Form(description="un | ofac | uk | eu | ftm (detected when not given)")
    ] = None,
    published: Annotated[str, Form(description="Publication date for a file that carries none")] = "",
) -> JSON:
    state = app_state(request)
    if source is not None and source not in _HINTS:
        raise InputError("source", f"unknown list family {source!r}; one of {', '.join(_HINTS)}")
    with uploads.private_folder(state.settings, "import-") as folder:
        path = await uploads.save(file, folder, state.settings)
        name = path.name
        digest = audit.file_digest(path)
        before = monitoring.active_version_ids(state.engine)
        request_record = {"file": name, "sha256": digest, "hint": source, "published": published}
        try:
            result = await asyncio.to_thread(
                service.import_path, state.engine, path, source, published_hint=published
            )
        except CorridorError as error:
            failure = uploads.as_upload(error, name)
            await state.recorder.record(
                caller.actor,
                audit.Action.IMPORT,
                request_record,
                {"outcome": "failed", "error": str(failure)[:500]},
            )
            raise failure from None
        except Exception as error:
            await state.recorder.record(
                caller.actor,
                audit.Action.IMPORT,
                request_record,
                {"outcome": "failed", "error": str(error)[:500]},
            )
            raise
        await state.recorder.record(
            caller.actor, audit.Action.IMPORT, request_record, audit.import_summary(result)
        )
    watched = await _monitor(state, before, caller)
    _refresh_index(state)
    return JSON(_outcome(result) | {"monitoring": watched})


async def _monitor(state: AppState, before: dict[str, int], caller: Caller) -> dict[str, Any] | None:
    """The delta monitoring run an import or update starts (none when nothing changed
    or no portfolio exists), as the CLI's `lists import` runs it."""
    result = await asyncio.to_thread(
        monitoring.after_list_change, state.engine, before, home=state.settings.home, by=caller.actor
    )
    return None if result is None else result.to_dict()


@router.post(
    "/lists/update", summary="Fetch the official lists from their publishers and import them (admin)"
)
async def update_lists(request: Request, body: UpdateRequest, caller: Admin) -> JSON:
    state = app_state(request)
    known = {s.key for s in service.official_sources()}
    unknown = sorted(set(body.sources) - known)
    if unknown:
        raise InputError("sources", f"unknown list {unknown[0]!r}; one of {', '.join(sorted(known))}")
    before = monitoring.active_version_ids(state.engine)
    outcomes = await asyncio.to_thread(
        service.update,
        state.engine,
        state.settings.home,
        body.sources or None,
        None,
        service.official_sources(),
    )
    out = []
    for outcome in outcomes:
        summary = (
            audit.import_summary(outcome.result)
            if outcome.result is not None
            else {"list": outcome.source, "outcome": outcome.status, "message": outcome.message}
        )
        await state.recorder.record(caller.actor, audit.Action.UPDATE, {"source": outcome.source}, summary)
        out.append(
            {
                "list": outcome.source,
                "status": outcome.status,
                "message": outcome.message,
                "size": outcome.size,
            }
        )
    watched = await _monitor(state, before, caller)
    _refresh_index(state)
    return JSON({"updates": out, "monitoring": watched})
