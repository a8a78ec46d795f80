"""Errors on the pages: a visitor without a session is sent to sign in; any other
error of the application layer is an HTML page with its status (the API answers
JSON for the same errors)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import RedirectResponse, Response

from corridor.api import errors as api_errors
from corridor.errors import CorridorError
from corridor.web.pages import page
from corridor.web.session import SignInRequired, current_user, login_url


async def sign_in(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(login_url(exc.next_path), status_code=303)


async def corridor_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CorridorError)
    if not request.url.path.startswith("/ui"):
        return await api_errors.corridor_error(request, exc)
    user = current_user(request) if exc.status != 401 else None
    return page("error.html", exc.status, title="Error", user=user, status=exc.status, message=exc.message)


def install(app: FastAPI) -> None:
    app.add_exception_handler(SignInRequired, sign_in)
    app.add_exception_handler(CorridorError, corridor_error)  # replaces the API's: pages get HTML
