"""Safe retries: a POST with ``Idempotency-Key`` runs once; a retry gets the first answer.

Mobile apps resend a mutation when a response is lost. The key is scoped to the caller's
Authorization header and kept in Redis (shared by every server process) for a day.
"""

from __future__ import annotations

import hashlib
import json

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.runtime import Runtime

HEADER = "idempotency-key"
TTL_SECONDS = 24 * 60 * 60
PENDING_SECONDS = 60
MAX_KEY_LENGTH = 200


def _error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]},
                        status_code=status)


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, rt: Runtime) -> None:
        self.app = app
        self.rt = rt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get(HEADER)
        if key is None:
            await self.app(scope, receive, send)
            return
        if not key or len(key) > MAX_KEY_LENGTH:
            await _error(400, "BAD_USER_INPUT", "Idempotency-Key must be 1-200 characters")(scope, receive, send)
            return
        body = await _read_body(receive)
        caller = hashlib.sha256(f"{headers.get('authorization', '')}|{key}".encode()).hexdigest()
        redis_key = f"idempotency:{caller}"
        fingerprint = hashlib.sha256(body).hexdigest()
        claimed = await self.rt.redis.set(redis_key, json.dumps({"body": fingerprint}), nx=True, ex=PENDING_SECONDS)
        if not claimed:
            await self._replay(redis_key, fingerprint, scope, receive, send)
            return
        status, response_headers, chunks = await _run(self.app, scope, body)
        response = b"".join(chunks)
        stored = {"body": fingerprint, "status": status, "headers": response_headers, "response": response.decode()}
        await self.rt.redis.set(redis_key, json.dumps(stored), ex=TTL_SECONDS)
        await _send(send, status, response_headers, response, replayed=False)

    async def _replay(self, redis_key: str, fingerprint: str, scope: Scope, receive: Receive, send: Send) -> None:
        stored = json.loads(await self.rt.redis.get(redis_key) or "{}")
        if stored.get("body") != fingerprint:
            response = _error(422, "IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used for another request")
        elif "response" not in stored:
            response = _error(409, "IDEMPOTENCY_IN_PROGRESS", "The first request with this key is still running")
        else:
            await _send(send, stored["status"], stored["headers"], stored["response"].encode(), replayed=True)
            return
        await response(scope, receive, send)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _run(app: ASGIApp, scope: Scope, body: bytes) -> tuple[int, list[list[str]], list[bytes]]:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    status = 500
    headers: list[list[str]] = []
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = [[k.decode("latin-1"), v.decode("latin-1")] for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, headers, chunks


async def _send(send: Send, status: int, headers: list[list[str]], body: bytes, replayed: bool) -> None:
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers if k.lower() != "content-length"]
    raw.append((b"content-length", str(len(body)).encode()))
    if replayed:
        raw.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
