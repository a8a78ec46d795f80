"""One JSON error shape for every failure: `{"detail": "…", "code": "…", "where": {…}}`
(yente's `detail`, with the place of bad input), never a traceback.

Every `CorridorError` of the application layer answers with its own status;
request validation (FastAPI) with 400 for JSON that does not parse and 422 for
a body of the wrong shape, naming the place; anything else with a bare 500.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from corridor.api.responses import JSON
from corridor.errors import CorridorError

log = logging.getLogger("corridor.api")


def _where(loc: tuple[object, ...] | list[object]) -> str:
    parts = [str(p) for p in loc if p != "body"]
    return ".".join(parts)


async def corridor_error(_request: Request, exc: Exception) -> JSON:
    assert isinstance(exc, CorridorError)
    headers = {"WWW-Authenticate": "ApiKey"} if exc.status == 401 else None
    return JSON(exc.to_dict(), status_code=exc.status, headers=headers)


async def validation_error(_request: Request, exc: Exception) -> JSON:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    for error in errors:
        if error.get("type") == "json_invalid":
            ctx = error.get("ctx") or {}
            reason = ctx.get("error", "not JSON")
            return JSON(
                {"detail": f"the request body is not valid JSON: {reason}", "code": "bad_json"},
                status_code=400,
            )
    first = errors[0] if errors else {}
    where = _where(first.get("loc", ()))
    message = str(first.get("msg", "invalid request"))
    items = [{"where": _where(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in errors[:20]]
    return JSON(
        {
            "detail": f"{where}: {message}" if where else message,
            "code": "invalid_request",
            "where": {"field": where} if where else {},
            "errors": items,
        },
        status_code=422,
    )


async def http_error(_request: Request, exc: Exception) -> JSON:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "request refused"
    return JSON({"detail": detail, "code": "http"}, status_code=exc.status_code, headers=exc.headers)


async def unexpected(_request: Request, exc: Exception) -> JSON:
    log.exception("unexpected error", exc_info=exc)
    return JSON(
        {"detail": "internal error; the server log has the details", "code": "internal"}, status_code=500
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(CorridorError, corridor_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
