"""The portfolio, monitoring runs and alerts over HTTP, with the CLI's rules.

Reading parties and alerts needs `alerts.read` (analyst); importing or removing
parties and running monitoring `portfolio.manage` (analyst); deciding
`alert.decide` (analyst); approving or returning `alert.approve` (reviewer), and
the four-eyes rule (nobody approves their own decision) is the application
layer's, so it holds here as on the CLI and the web pages.  Every change writes
its audit record in the same transaction as the change."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.responses import HTMLResponse, Response

from corridor.api import uploads
from corridor.api.models import AlertAssign, AlertDecision, AlertNote, MonitorRun
from corridor.api.responses import JSON
from corridor.api.security import Caller, app_state, require
from corridor.api.state import AppState
from corridor.errors import CorridorError, InputError
from corridor.services import alerts, audit, monitoring, portfolio
from corridor.services.keys import Permission

router = APIRouter(tags=["Monitoring"])
Reader = Annotated[Caller, Depends(require(Permission.ALERTS_READ))]
Manager = Annotated[Caller, Depends(require(Permission.PORTFOLIO))]
Decider = Annotated[Caller, Depends(require(Permission.ALERT_DECIDE))]
Approver = Annotated[Caller, Depends(require(Permission.ALERT_APPROVE))]
PORTFOLIO_SUFFIXES = (".csv", ".jsonl", ".ndjson", ".xlsx")


def _party(party: portfolio.Party) -> dict[str, Any]:
    return party.to_dict()


@router.get("/portfolio", summary="The parties of the current portfolio version, a page at a time")
async def list_parties(request: Request, _caller: Reader, offset: int = 0, limit: int = 100) -> JSON:
    if not 1 <= limit <= 1000 or offset < 0:
        raise InputError("limit", "limit is 1–1000 and offset not negative")
    state = app_state(request)
    found = await asyncio.to_thread(portfolio.parties, state.engine)
    found.sort(key=lambda p: p.id)
    return JSON(
        {
            "version_id": portfolio.current_version(state.engine),
            "total": len(found),
            "offset": offset,
            "parties": [_party(p) for p in found[offset : offset + limit]],
        }
    )


@router.get("/portfolio/{party_id}", summary="One party of the current portfolio")
async def show_party(request: Request, party_id: str, _caller: Reader) -> JSON:
    return JSON(_party(portfolio.show(app_state(request).engine, party_id)))


async def import_portfolio(
    state: AppState, file: StarletteUpload, mapping: list[str], by: audit.Actor
) -> portfolio.ImportReport:
    """An uploaded portfolio imported as the CLI imports a file (the API's and the
    pages' one way in): the version records the upload's own name."""
    columns = portfolio.parse_mapping(mapping)
    with uploads.private_folder(state.settings, "portfolio-") as folder:
        path = await uploads.save(file, folder, state.settings, suffixes=PORTFOLIO_SUFFIXES)
        try:
            return await asyncio.to_thread(
                portfolio.import_file, state.engine, path, mapping=columns, by=by, source=path.name
            )
        except CorridorError as error:
            raise uploads.as_upload(error, path.name) from None


@router.post("/portfolio/import", summary="Import an uploaded portfolio (CSV, JSONL, XLSX) as a new version")
async def import_parties(
    request: Request,
    file: UploadFile,
    caller: Manager,
    mapping: Annotated[
        list[str] | None, Form(alias="map", description="COLUMN=field for other column names (repeatable)")
    ] = None,
) -> JSON:
    report = await import_portfolio(app_state(request), file, mapping or [], caller.actor)
    return JSON(report.to_dict())


@router.delete("/portfolio/{party_id}", summary="A new portfolio version without this party")
async def remove_party(request: Request, party_id: str, caller: Manager) -> JSON:
    state = app_state(request)
    report = await asyncio.to_thread(portfolio.remove, state.engine, party_id, by=caller.actor)
    return JSON(report.to_dict())


@router.post("/monitor/run", summary="Screen the portfolio against the active lists now (a full run)")
async def run_monitoring(request: Request, body: MonitorRun, caller: Manager) -> JSON:
    state = app_state(request)
    if not body.full:
        raise InputError(
            "full", "a delta runs by itself after each list import or update; ask for a full run"
        )
    result = await asyncio.to_thread(
        monitoring.run_full, state.engine, home=state.settings.home, by=caller.actor
    )
    return JSON(result.to_dict())


@router.get("/monitor/last", summary="The last monitoring run")
async def last_run(request: Request, _caller: Reader) -> JSON:
    return JSON({"run": monitoring.last_run(app_state(request).engine)})


@router.get("/alerts", summary="A page of alerts, filtered and sorted")
async def list_alerts(
    request: Request,
    _caller: Reader,
    state: str | None = None,
    kind: str | None = None,
    party_id: str | None = None,
    assignee: str | None = None,
    escalated: bool | None = None,
    sort: str = "newest",
    offset: int = 0,
    limit: int = 50,
) -> JSON:
    page = await asyncio.to_thread(
        alerts.list_page,
        app_state(request).engine,
        state=state,
        kind=kind,
        party_id=party_id,
        assignee=assignee,
        escalated=escalated,
        sort=sort,
        offset=offset,
        limit=limit,
    )
    return JSON(page.to_dict() | {"limit": limit, "sort": sort})


@router.get("/alerts/{alert_id}", summary="One alert with its explanation and history")
async def show_alert(request: Request, alert_id: int, _caller: Reader) -> JSON:
    return JSON(alerts.get(app_state(request).engine, alert_id).to_dict())


@router.get(
    "/alerts/{alert_id}/case", summary="The case file for a regulator (JSON, or HTML with ?format=html)"
)
async def case_file(request: Request, alert_id: int, _caller: Reader, format: str = "json") -> Response:
    if format not in ("json", "html"):
        raise InputError("format", "json or html")
    case = await asyncio.to_thread(alerts.case_file, app_state(request).engine, alert_id)
    if format == "html":
        return HTMLResponse(
            alerts.case_file_html(case),
            headers={"Content-Security-Policy": "default-src 'none'", "X-Content-Type-Options": "nosniff"},
        )
    return JSON(case)


def _changed(alert: alerts.Alert) -> JSON:
    return JSON(alert.to_dict())


@router.post(
    "/alerts/{alert_id}/assign", summary="Give the alert to someone (an open alert goes into review)"
)
async def assign(request: Request, alert_id: int, body: AlertAssign, caller: Decider) -> JSON:
    engine = app_state(request).engine
    return _changed(await asyncio.to_thread(alerts.assign, engine, alert_id, body.assignee, by=caller.actor))


@router.post("/alerts/{alert_id}/comment", summary="Add a comment")
async def comment(request: Request, alert_id: int, body: AlertNote, caller: Decider) -> JSON:
    engine = app_state(request).engine
    return _changed(await asyncio.to_thread(alerts.comment, engine, alert_id, body.text, by=caller.actor))


@router.post("/alerts/{alert_id}/escalate", summary="Escalate, with a reason")
async def escalate(request: Request, alert_id: int, body: AlertNote, caller: Decider) -> JSON:
    engine = app_state(request).engine
    return _changed(await asyncio.to_thread(alerts.escalate, engine, alert_id, body.text, by=caller.actor))


@router.post(
    "/alerts/{alert_id}/decide", summary="Decide: true_match, false_positive or inconclusive, with a reason"
)
async def decide(request: Request, alert_id: int, body: AlertDecision, caller: Decider) -> JSON:
    engine = app_state(request).engine
    decided = await asyncio.to_thread(
        alerts.decide, engine, alert_id, body.outcome, body.reason, by=caller.actor
    )
    return _changed(decided)


@router.post("/alerts/{alert_id}/approve", summary="Approve someone else's decision (four eyes; reviewer)")
async def approve(request: Request, alert_id: int, caller: Approver) -> JSON:
    engine = app_state(request).engine
    return _changed(await asyncio.to_thread(alerts.approve, engine, alert_id, by=caller.actor))


@router.post(
    "/alerts/{alert_id}/return", summary="Send a decision back to review, with a reason (four eyes; reviewer)"
)
async def send_back(request: Request, alert_id: int, body: AlertNote, caller: Approver) -> JSON:
    engine = app_state(request).engine
    return _changed(await asyncio.to_thread(alerts.send_back, engine, alert_id, body.text, by=caller.actor))
