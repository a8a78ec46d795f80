"""Templates and the page responses: Jinja2 with autoescaping on for every
template, so list data and input are always text in the page; security headers
on every page (no script at all: `script-src 'none'`)."""

from __future__ import annotations

from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse, Response

_env = Environment(
    loader=PackageLoader("corridor.web", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; script-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


def page(template: str, code: int = 200, **context: Any) -> HTMLResponse:
    """The template rendered with `context`, answered with HTTP status `code`."""
    html = _env.get_template(template).render(**context)
    return HTMLResponse(html, status_code=code, headers=HEADERS)


def stylesheet() -> Response:
    css = resources.files("corridor.web").joinpath("static/style.css").read_bytes()
    return Response(
        css,
        media_type="text/css",
        headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
