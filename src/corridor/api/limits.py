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
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > limit or declared < 0:
                    await _refuse(send, limit)
                    return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # raised inside the application: its error handler answers 413
                    raise too_large(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        state = self.state
        if state is not None:
            state.in_flight += 1
        try:
            await self.app(scope, limited_receive, tracking_send)
        except LimitError:
            if not started:
                await _refuse(send, limit)
        finally:
            if state is not None:
                state.in_flight -= 1


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
