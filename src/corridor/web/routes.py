"""The pages: sign in and out, the active lists, screening, an entity, a trade
check with its citations, the cap ledger.  Each page only parses the form, calls
the application layer and renders a template; screenings and checks are audited
with channel `web`, as the API's are with channel `api`."""

from __future__ import annotations

import secrets as stdlib_secrets
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from corridor.api.security import app_state
from corridor.errors import CorridorError, InputError
from corridor.match import Query, QueryError
from corridor.services import audit, sessions, signin
from corridor.services import lists as lists_service
from corridor.services import trade as trade_service
from corridor.services.keys import Permission
from corridor.settings import Settings
from corridor.trade.documents import parse_document
from corridor.web.pages import page, stylesheet
from corridor.web.session import COOKIE, WebUser, check_form, current_user, require_page, secret

router = APIRouter(prefix="/ui", include_in_schema=False)
Viewer = Annotated[WebUser, Depends(require_page(Permission.READ_LISTS))]
Screener = Annotated[WebUser, Depends(require_page(Permission.SCREEN))]
Checker = Annotated[WebUser, Depends(require_page(Permission.CHECK))]
LedgerReader = Annotated[WebUser, Depends(require_page(Permission.READ_LEDGER))]
LOGIN_COOKIE = "corridor_login"  # double-submit token of the sign-in form (no session yet)
SCHEMATA = ("Thing", "Person", "Company", "Organization", "LegalEntity", "Vessel", "Aircraft")
MAX_FORM_TEXT = 200_000


def _safe_next(value: object) -> str:
    # only a path on this site: never an absolute or scheme-relative URL
    text = value if isinstance(value, str) else ""
    return text if text.startswith("/ui") and not text.startswith("//") and "\\" not in text else "/ui/home"


@router.get("/static/style.css")
async def style() -> Response:
    return stylesheet()


@router.get("")
@router.get("/")
async def root(request: Request) -> Response:
    return RedirectResponse("/ui/home" if current_user(request) else "/ui/login", status_code=303)


@router.get("/login")
async def login_form(request: Request, next: str = "/ui/home", error: str = "") -> Response:
    token = stdlib_secrets.token_urlsafe(16)
    response = page("login.html", title="Sign in", next=_safe_next(next), token=token, error=error, user=None)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", max_age=900, path="/ui")
    return response


def _signin_limits(config: Settings) -> signin.Limits:
    return signin.Limits(config.signin_max_failures, config.signin_max_failures_address, config.signin_window)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    target = _safe_next(form.get("next"))
    token = form.get("token")
    if not isinstance(token, str) or token != request.cookies.get(LOGIN_COOKIE):
        return page(
            "login.html",
            403,
            title="Sign in",
            next=target,
            token="",
            error="The form expired: reload the page.",
            user=None,
        )
    state = app_state(request)
    name, password, key = (_field(form, "name", 64), form.get("password"), _field(form, "key", 200))
    try:
        if key and not name:
            cookie, session = sessions.open_session(state.engine, secret(request), key)
        else:
            cookie, session = await signin.open_session(
                state.engine,
                state.recorder,
                secret(request),
                name,
                password if isinstance(password, str) else "",
                request.client.host if request.client else "",
                _signin_limits(state.settings),
                endpoint="/ui/login",
            )
    except CorridorError as exc:
        fresh = stdlib_secrets.token_urlsafe(16)
        response = page(
            "login.html", exc.status, title="Sign in", next=target, token=fresh, error=exc.message, user=None
        )
        response.set_cookie(LOGIN_COOKIE, fresh, httponly=True, samesite="strict", max_age=900, path="/ui")
        if isinstance(exc, signin.SignInRefused):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    await state.recorder.record(
        session.principal.actor(audit.Channel.WEB),
        audit.Action.SIGN_IN,
        {
            "endpoint": "/ui/login",
            "name": session.principal.name,
            "by": "key" if key and not name else "password",
        },
        {"session": session.session_id[:8], "role": session.principal.role.value},
        {},
    )
    signed_in = RedirectResponse(target, status_code=303)
    signed_in.set_cookie(
        COOKIE,
        cookie,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=sessions.SESSION_SECONDS,
        path="/ui",
    )
    signed_in.delete_cookie(LOGIN_COOKIE, path="/ui")
    return signed_in


@router.post("/logout")
async def logout(request: Request, user: Viewer) -> Response:
    check_form(request, user, await request.form())
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(COOKIE, path="/ui")
    return response


@router.get("/screen")
async def screen_form(user: Screener) -> Response:
    return page("screen.html", title="Screen", user=user, form={}, hits=None, error="", schemata=SCHEMATA)


def _field(form: Any, name: str, limit: int = 500) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


@router.post("/screen")
async def screen(request: Request, user: Screener) -> Response:
    form = await request.form()
    check_form(request, user, form)
    values = {name: _field(form, name) for name in ("name", "schema", "birth_date", "country", "imo")}
    state = app_state(request)
    query = Query(
        name=values["name"],
        schema=values["schema"] or "Thing",
        birth_date=values["birth_date"] or None,
        country=values["country"] or None,
        imo=values["imo"] or None,
    )
    try:
        screener, _catalog, versions = state.screener()
        hits = screener.screen(query)
    except QueryError as exc:
        return page(
            "screen.html",
            400,
            title="Screen",
            user=user,
            form=values,
            hits=None,
            error=str(exc),
            schemata=SCHEMATA,
        )
    await state.recorder.record(
        user.actor,
        audit.Action.SCREEN,
        {"endpoint": "/ui/screen", **values},
        {"endpoint": "/ui/screen", "hits": audit.hits_summary(hits)},
        versions,
    )
    return page("screen.html", title="Screen", user=user, form=values, hits=hits, error="", schemata=SCHEMATA)


@router.get("/entities/{entity_id}")
async def entity(request: Request, entity_id: str, user: Viewer) -> Response:
    state = app_state(request)
    record = lists_service.entity(state.engine, entity_id)
    return page("entity.html", title=record.entity.caption, user=user, record=record)


@router.get("/check")
async def check_form_page(user: Checker) -> Response:
    return page("check.html", title="Trade check", user=user, text="", results=None, error="")


@router.post("/check")
async def check(request: Request, user: Checker) -> Response:
    form = await request.form()
    check_form(request, user, form)
    text = _field(form, "document", MAX_FORM_TEXT)
    upload = form.get("file")
    name = "form.yaml"
    data: bytes = text.encode("utf-8")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        name = PurePath(upload.filename).name
        data = await upload.read()
    state = app_state(request)
    try:
        if not data.strip():
            raise InputError("document", "paste a transaction (YAML or JSON) or choose a file")
        suffix = PurePath(name).suffix or ".yaml"
        parsed = parse_document(data, suffix, name)
        evaluator, versions = state.evaluator()
        result = trade_service.check_data(parsed, name, evaluator, record=False)
    except CorridorError as exc:
        return page(
            "check.html", 400, title="Trade check", user=user, text=text, results=None, error=str(exc)
        )
    await state.recorder.record(
        user.actor,
        audit.Action.CHECK,
        {
            "endpoint": "/ui/check",
            "sha256": audit.request_hash({"document": data.decode("utf-8", "replace")}),
        },
        {
            "endpoint": "/ui/check",
            "verdicts": [audit.verdict_summary(v) for v in result.verdicts],
            "errors": len(result.errors),
        },
        versions,
    )
    return page("check.html", title="Trade check", user=user, text=text, results=result.items, error="")


@router.get("/ledger")
async def ledger(request: Request, user: LedgerReader) -> Response:
    state = app_state(request)
    usages = trade_service.ledger_summary(state.engine)
    bars = [
        {
            "cap": u.cap_id,
            "period": u.period,
            "percent": float(u.percent),
            "width": max(0.0, min(100.0, float(u.percent))),
            "barrels": u.barrels,
            "limit": u.limit_bbl,
            "shipments": len(u.shipments),
        }
        for u in usages
    ]
    return page("ledger.html", title="Cap ledger", user=user, bars=bars)
