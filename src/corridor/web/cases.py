"""The monitoring pages: the dashboard, the portfolio (import and a monitoring
run), the alert queue and the alert review with its decision and approval forms.
Each page parses its form, calls the application layer (`services.alerts`,
`services.portfolio`, `services.monitoring`) and renders; the four-eyes rule and
the audit records are the application layer's, as for the API and the CLI."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile
from starlette.responses import HTMLResponse, RedirectResponse, Response

from corridor.api.responses import JSON
from corridor.api.routers.monitoring import import_portfolio
from corridor.api.security import app_state
from corridor.errors import CorridorError, InputError
from corridor.services import alerts, monitoring, portfolio
from corridor.services import lists as lists_service
from corridor.services.keys import Permission
from corridor.web.pages import HEADERS, page
from corridor.web.session import WebUser, check_form, require_page

router = APIRouter(prefix="/ui", include_in_schema=False)
Viewer = Annotated[WebUser, Depends(require_page(Permission.READ_LISTS))]
Reader = Annotated[WebUser, Depends(require_page(Permission.ALERTS_READ))]
Manager = Annotated[WebUser, Depends(require_page(Permission.PORTFOLIO))]
Decider = Annotated[WebUser, Depends(require_page(Permission.ALERT_DECIDE))]
Approver = Annotated[WebUser, Depends(require_page(Permission.ALERT_APPROVE))]
PAGE_SIZE = 50
STALE_DAYS = 30  # a list whose publication is older than this is flagged on the dashboard


def _text(form: Any, name: str, limit: int = 10_000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _age_days(published: str, now: datetime) -> int | None:
    try:
        when = datetime.strptime(published[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None
    return max(0, (now - when).days)


@router.get("/home")
async def dashboard(request: Request, user: Viewer) -> Response:
    state = app_state(request)
    now = datetime.now(UTC)
    statuses = await asyncio.to_thread(lists_service.status, state.engine)
    freshness = [
        {
            "list": s.version.source,
            "published": s.version.published,
            "imported": s.version.imported_at[:16].replace("T", " "),
            "records": s.version.record_count,
            "version": s.version.id,
            "sha256": s.version.sha256,
            "age": _age_days(s.version.published, now),
        }
        for s in statuses
    ]
    summary = alerts.summary(state.engine, now) if user.can(Permission.ALERTS_READ) else None
    last = monitoring.last_run(state.engine) if user.can(Permission.ALERTS_READ) else None
    return page(
        "home.html",
        title="Dashboard",
        user=user,
        lists=freshness,
        stale_days=STALE_DAYS,
        ready=state.ready,
        summary=summary,
        bands=[band for _, band in alerts.AGE_BANDS],
        last_run=last,
    )


# --- portfolio ------------------------------------------------------------------------


@router.get("/portfolio")
async def portfolio_page(request: Request, user: Reader, page_no: int = 1) -> Response:
    return await _portfolio(request, user, page_no)


async def _portfolio(
    request: Request, user: WebUser, page_no: int = 1, report: Any = None, run: Any = None, error: str = ""
) -> Response:
    state = app_state(request)
    parties = sorted(await asyncio.to_thread(portfolio.parties, state.engine), key=lambda p: p.id)
    pages = max(1, -(-len(parties) // PAGE_SIZE))
    page_no = min(max(1, page_no), pages)
    shown = parties[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE]
    return page(
        "portfolio.html",
        400 if error else 200,
        title="Portfolio",
        user=user,
        parties=shown,
        total=len(parties),
        page_no=page_no,
        pages=pages,
        version=portfolio.current_version(state.engine),
        report=report,
        run=run,
        error=error,
        fields=portfolio.FIELDS,
        last_run=monitoring.last_run(state.engine),
    )


@router.post("/portfolio/import")
async def portfolio_import(request: Request, user: Manager) -> Response:
    form = await request.form()
    check_form(request, user, form)
    state = app_state(request)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _portfolio(request, user, error="choose a CSV, JSONL or XLSX file to import")
    mapping = [m for m in _text(form, "map", 2000).replace(",", "\n").splitlines() if m.strip()]
    try:
        report = await import_portfolio(state, upload, mapping, user.actor)
    except CorridorError as error:
        return await _portfolio(request, user, error=str(error))
    return await _portfolio(request, user, report=report)


@router.post("/monitor/run")
async def monitor_run(request: Request, user: Manager) -> Response:
    check_form(request, user, await request.form())
    state = app_state(request)
    result = await asyncio.to_thread(
        monitoring.run_full, state.engine, home=state.settings.home, by=user.actor
    )
    return await _portfolio(request, user, run=result)


# --- alerts ---------------------------------------------------------------------------


def _filters(request: Request) -> dict[str, str]:
    keep = ("state", "kind", "sort", "assignee", "party_id")
    return {k: v for k in keep if (v := request.query_params.get(k, "").strip())}


@router.get("/alerts")
async def alert_queue(request: Request, user: Reader, page_no: int = 1) -> Response:
    state = app_state(request)
    chosen = _filters(request)
    try:
        found = await asyncio.to_thread(
            alerts.list_page,
            state.engine,
            state=chosen.get("state"),
            kind=chosen.get("kind"),
            assignee=chosen.get("assignee"),
            party_id=chosen.get("party_id"),
            sort=chosen.get("sort", "newest"),
            offset=(max(1, page_no) - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
    except InputError as error:
        return page("error.html", 400, title="Alerts", user=user, status=400, message=str(error))
    pages = max(1, -(-found.total // PAGE_SIZE))

    def link(number: int) -> str:
        return "/ui/alerts?" + urlencode({**chosen, "page_no": number})

    return page(
        "alerts.html",
        title="Alerts",
        user=user,
        page=found,
        chosen=chosen,
        page_no=max(1, page_no),
        pages=pages,
        previous_link=link(page_no - 1) if page_no > 1 else None,
        next_link=link(page_no + 1) if page_no < pages else None,
        states=[s.value for s in alerts.State],
        kinds=[k.value for k in alerts.Kind],
        sorts=alerts.SORTS,
    )


@router.get("/alerts/{alert_id}")
async def alert_review(request: Request, alert_id: int, user: Reader) -> Response:
    return await _review(request, user, alert_id)


async def _review(
    request: Request, user: WebUser, alert_id: int, error: str = "", code: int = 200
) -> Response:
    state = app_state(request)
    case = await asyncio.to_thread(alerts.case, state.engine, alert_id)
    alert = case.alert
    return page(
        "alert.html",
        code,
        title=f"Alert {alert.id}",
        user=user,
        alert=alert,
        party=case.party,
        listed=case.listed or {},
        error=error,
        outcomes=[o.value for o in alerts.Outcome],
        can_decide=user.can(Permission.ALERT_DECIDE),
        can_approve=user.can(Permission.ALERT_APPROVE),
        own_decision=alert.decided_by == user.name,
    )


ACTIONS = ("assign", "comment", "escalate", "decide", "approve", "return")


@router.post("/alerts/{alert_id}/{action}")
async def alert_action(request: Request, alert_id: int, action: str, user: Decider) -> Response:
    form = await request.form()
    check_form(request, user, form)
    if action not in ACTIONS:
        return page(
            "error.html", 404, title="Not found", user=user, status=404, message=f"no alert action {action!r}"
        )
    engine = app_state(request).engine
    try:
        if action == "assign":
            await asyncio.to_thread(
                alerts.assign, engine, alert_id, _text(form, "assignee", 200) or user.name, by=user.actor
            )
        elif action == "comment":
            await asyncio.to_thread(alerts.comment, engine, alert_id, _text(form, "text"), by=user.actor)
        elif action == "escalate":
            await asyncio.to_thread(alerts.escalate, engine, alert_id, _text(form, "text"), by=user.actor)
        elif action == "decide":
            await asyncio.to_thread(
                alerts.decide,
                engine,
                alert_id,
                _text(form, "outcome", 40),
                _text(form, "reason"),
                by=user.actor,
            )
        elif action == "approve":
            await asyncio.to_thread(alerts.approve, engine, alert_id, by=user.actor)
        else:
            await asyncio.to_thread(alerts.send_back, engine, alert_id, _text(form, "text"), by=user.actor)
    except CorridorError as error:
        return await _review(request, user, alert_id, error=str(error), code=error.status)
    return RedirectResponse(f"/ui/alerts/{alert_id}", status_code=303)


@router.get("/alerts/{alert_id}/case")
async def alert_case(request: Request, alert_id: int, user: Reader, format: str = "html") -> Response:
    """The case file for a regulator, as a page of its own (every value escaped) or JSON."""
    case = await asyncio.to_thread(alerts.case_file, app_state(request).engine, alert_id)
    if format == "json":
        return JSON(case, headers={"Content-Disposition": f'attachment; filename="alert-{alert_id}.json"'})
    return HTMLResponse(alerts.case_file_html(case), headers=HEADERS)
