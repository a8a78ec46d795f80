"""Who is at the browser: the signed session cookie read on every page
(`services.sessions`), the role checked against the same permission table as the
API, and the CSRF token checked on every form that changes anything."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request
from starlette.datastructures import FormData

from corridor.api.security import app_state
from corridor.errors import CorridorError, ForbiddenError
from corridor.services import audit, keys, sessions
from corridor.services.keys import Permission

COOKIE = "corridor_session"


class SignInRequired(CorridorError):
    """A page asked for without a valid session: the browser is sent to sign in."""

    status = 303
    code = "sign_in"

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path
        super().__init__("sign in first")


@dataclass(frozen=True, slots=True)
class WebUser:
    session: sessions.Session
    csrf: str

    @property
    def name(self) -> str:
        return self.session.principal.name

    @property
    def role(self) -> str:
        return self.session.principal.role.value

    @property
    def actor(self) -> audit.Actor:
        return self.session.principal.actor(audit.Channel.WEB)

    def can(self, permission: Permission) -> bool:
        return self.session.principal.can(permission)


def secret(request: Request) -> bytes:
    state = app_state(request)
    return sessions.secret_for(state.settings.home)


def current_user(request: Request) -> WebUser | None:
    state = app_state(request)
    key = secret(request)
    found = sessions.read_session(state.engine, key, request.cookies.get(COOKIE))
    return None if found is None else WebUser(found, sessions.csrf_token(key, found))


def require_page(permission: Permission) -> Callable[[Request], Awaitable[WebUser]]:
    """A dependency for a page: the signed-in user if their role grants `permission`;
    a visitor without a session is sent to sign in, a user with too low a role gets 403."""

    async def dependency(request: Request) -> WebUser:
        user = current_user(request)
        if user is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInRequired(target)
        keys.authorize(user.session.principal, permission)
        return user

    dependency.__name__ = f"page_{permission.value.replace('.', '_')}"
    return dependency


def check_form(request: Request, user: WebUser, form: FormData) -> None:
    """403 unless the form carries this session's CSRF token."""
    token = form.get("csrf")
    if not sessions.check_csrf(secret(request), user.session, token if isinstance(token, str) else None):
        raise ForbiddenError("the form's security token is missing or stale: reload the page and try again")


def login_url(next_path: str) -> str:
    return "/ui/login?next=" + quote(next_path, safe="/")
