"""Safe retries: a POST with ``Idempotency-Key`` runs once; a retry gets the first answer.

Mobile apps resend a mutation when a response is lost. The key is scoped to the caller's
*account* (read from the access token), not to the token string, so a retry sent after a
``tokenRefresh`` still replays; anonymous callers are scoped by address. Keys live in Redis
(shared by every server process) for a day.

Only a final answer is kept: a 5xx (the backend failed: retry), 401 (refresh the token, then
retry) or 429 (rate limited) answer releases the key, and so does an exception. With Redis down
the request is refused with 503 ``SERVICE_UNAVAILABLE`` before it runs: without the record it
could run twice.
"""

from __future__ import annotations

import hashlib
import json
import logging

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core import errors
from core.auth.tokens import InvalidToken, read_access_token
from core.redis import RedisUnavailable, redis_errors
from core.runtime import Runtime

log = logging.getLogger(__name__)

HEADER = "idempotency-key"
TTL_SECONDS = 24 * 60 * 60
PENDING_SECONDS = 60
MAX_KEY_LENGTH = 200
NOT_STORED = frozenset({401, 429})


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
        caller = hashlib.sha256(f"{self._caller(scope, headers)}|{key}".encode()).hexdigest()
        redis_key = f"idempotency:{caller}"
        fingerprint = hashlib.sha256(body).hexdigest()
        try:
            with redis_errors():
                claimed = await self.rt.redis.set(
                    redis_key, json.dumps({"body": fingerprint}), nx=True, ex=PENDING_SECONDS
                )
                earlier = None if claimed else json.loads(await self.rt.redis.get(redis_key) or "{}")
        except RedisUnavailable as exc:
            log.warning("Idempotency-Key refused, Redis is down: %s", exc)
            response = _error(503, errors.SERVICE_UNAVAILABLE,
                              "Requests with an Idempotency-Key cannot be accepted now; retry later")
            response.headers["retry-after"] = "1"
            await response(scope, receive, send)
            return
        if earlier is not None:
            await _replay(earlier, fingerprint, scope, receive, send)
            return
        try:
            status, response_headers, chunks = await _run(self.app, scope, body)
        except BaseException:
            await self._release(redis_key)
            raise
        answer = b"".join(chunks)
        if status >= 500 or status in NOT_STORED:
            await self._release(redis_key)
        else:
            stored = {"body": fingerprint, "status": status, "headers": response_headers,
                      "response": answer.decode()}
            try:
                with redis_errors():
                    await self.rt.redis.set(redis_key, json.dumps(stored), ex=TTL_SECONDS)
            except RedisUnavailable as exc:  # it ran; a retry within PENDING_SECONDS gets 409
                log.warning("Idempotency-Key answer not stored, Redis is down: %s", exc)
        await _send(send, status, response_headers, answer, replayed=False)

    def _caller(self, scope: Scope, headers: Headers) -> str:
        """The account for a valid access token (so a refreshed token keeps the scope), else
        the Authorization header itself (the request will be refused: nothing is stored),
        else the client's address."""
        authorization = headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            try:
                claims = read_access_token(self.rt.settings.secret_key, token.strip(), self.rt.now())
            except InvalidToken:
                return f"token:{authorization}"
            return f"account:{claims.account_id}"
        if authorization:
            return f"token:{authorization}"
        client = scope.get("client")
        return f"anonymous:{client[0] if client else ''}"

    async def _release(self, redis_key: str) -> None:
        try:
            with redis_errors():
                await self.rt.redis.delete(redis_key)
        except RedisUnavailable as exc:  # the claim expires after PENDING_SECONDS
            log.warning("Idempotency-Key not released, Redis is down: %s", exc)

async def _replay(stored: dict[str, object], fingerprint: str, scope: Scope, receive: Receive, send: Send) -> None:
    if stored.get("body") != fingerprint:
        response = _error(422, "IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used for another request")
    elif "response" not in stored:
        response = _error(409, "IDEMPOTENCY_IN_PROGRESS", "The first request with this key is still running")
    else:
        status, headers, body = stored["status"], stored["headers"], stored["response"]
        assert isinstance(status, int) and isinstance(headers, list) and isinstance(body, str)
        await _send(send, status, headers, body.encode(), replayed=True)
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
