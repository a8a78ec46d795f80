"""Request size limits, before anything is parsed: a body longer than the limit is
answered 413 with a clear message, whether it declares its length or streams it
(chunked).  It also counts the requests in progress.  Uploads of list files (`POST /lists/import`) have their own, larger
limit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

import orjson

from corridor.errors import LimitError, Where

if TYPE_CHECKING:
    from corridor.api.state import AppState

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UPLOAD_PATHS = ("/lists/import",)


def too_large(limit: int) -> LimitError:
    return LimitError(
        f"the request body is larger than this server accepts ({limit:,} bytes)", where=Where(field="body")
    )


def _message(limit: int) -> bytes:
    return orjson.dumps(too_large(limit).to_dict())


class BodyLimit:
    def __init__(self, app: ASGIApp, max_body: int, max_upload: int, state: AppState | None = None) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.state = state  # counts the requests in progress (the audit recorder gathers rounds by it)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_upload if scope.get("path") in UPLOAD_PATHS else self.max_body
        declared: int | None = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > limit or declared < 0:
                    await _refuse(send, limit)
                    return
        if declared is None and scope.get("method") in ("POST", "PUT", "PATCH"):
            # a streamed body (no length): read up to the limit before the application
            # sees any of it, so an oversized one is a 413 and never half parsed
            buffered = await _read_at_most(receive, limit)
            if buffered is None:
                await _refuse(send, limit)
                return
            receive = _replay(buffered, receive)
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # more than it declared
                    raise too_large(limit)
            return message

        state = self.state
        if state is not None:
            state.in_flight += 1
        try:
            await self.app(scope, limited_receive, send)
        finally:
            if state is not None:
                state.in_flight -= 1


async def _read_at_most(receive: Receive, limit: int) -> list[Message] | None:
    """The request's body messages, or None once they pass `limit` bytes."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages
        size += len(message.get("body", b""))
        if size > limit:
            return None
        if not message.get("more_body", False):
            return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


async def _refuse(send: Send, limit: int) -> None:
    body = _message(limit)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
