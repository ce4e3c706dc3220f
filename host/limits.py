"""``BodyLimitMiddleware``: request bodies above ``max_request_bytes`` are refused with HTTP 413
before they are read whole: at once when ``Content-Length`` says so, else as soon as the
streamed chunks pass the limit (the rest is never read)."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core import errors


class BodyTooLarge(Exception):
    pass


def _refusal(limit: int) -> JSONResponse:
    message = f"The request body is larger than {limit} bytes"
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": errors.REQUEST_TOO_LARGE,
                                                                         "limit": limit}}]}
    return JSONResponse(body, status_code=413, headers={"Connection": "close"})


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _refusal(self.max_bytes)(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _refusal(self.max_bytes)(scope, receive, send)
