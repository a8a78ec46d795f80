"""Who is asking: the API key in `Authorization: ApiKey <key>` (or `Bearer <key>`),
checked on every request against the store's salted hashes, and the role it
needs for the endpoint (`require(Permission.…)`, the table in `services.keys`).

Without a key: 401.  A key whose role lacks the permission: 403.  A server
started with `--no-auth` (loopback only) acts for everyone as `no-auth`, and
its audit records say so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request

from corridor.api.state import AppState
from corridor.errors import UnauthorizedError
from corridor.services import audit, keys
from corridor.services.keys import Permission, Principal

NO_AUTH = "no-auth"


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated request: the key's principal and the actor its records name."""

    principal: Principal | None  # None only on a --no-auth server
    actor: audit.Actor

    @property
    def name(self) -> str:
        return self.actor.name


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.corridor
    return state


def authenticate(request: Request) -> Caller:
    state = app_state(request)
    if not state.auth:
        return Caller(None, audit.Actor(NO_AUTH, NO_AUTH, audit.Channel.API))
    presented = keys.key_from_header(request.headers.get("authorization"))
    if presented is None:
        raise UnauthorizedError("an API key is required: send `Authorization: ApiKey <key>`")
    principal = keys.authenticate(state.engine, presented)
    if principal is None:
        raise UnauthorizedError("the API key is not valid (unknown, revoked or malformed)")
    return Caller(principal, principal.actor())


def require(permission: Permission) -> Callable[[Request], Awaitable[Caller]]:
    """A dependency: the caller, if their role grants `permission` (401 / 403 otherwise).
    Async so that it runs on the event loop, not in a worker thread: the key check
    is one indexed read, far cheaper than the hand-over to a thread."""

    async def dependency(request: Request) -> Caller:
        caller = authenticate(request)
        if caller.principal is not None:
            keys.authorize(caller.principal, permission)
        return caller

    dependency.__name__ = f"require_{permission.value.replace('.', '_')}"
    return dependency
