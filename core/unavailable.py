"""PostgreSQL or Redis away: answer ``SERVICE_UNAVAILABLE`` (HTTP 503) fast, never a 500 or a hang.

A failure is "unavailable" when the database refused, dropped or timed out (asyncpg connection
errors, ``command_timeout``, the server's ``statement_timeout``, Tortoise's ``DBConnectionError``)
or Redis did (``core.redis.RedisUnavailable``). Two places turn one into a coded answer:

- ``ServiceUnavailable`` (a schema extension, listed last so it sees errors first): a resolver's
  failure becomes a top-level error ``{code: SERVICE_UNAVAILABLE}`` that production masking
  keeps, and the HTTP status becomes 503 so clients and ``Idempotency-Key`` treat it as "retry";
- ``ServiceUnavailableMiddleware`` (ASGI): a failure before GraphQL runs (authentication reading
  the database) is answered with the same body and 503.

Recovery needs no restart: asyncpg's pool replaces dead connections on the next acquire and
the Redis pool reconnects on the next command.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import asyncpg  # type: ignore[import-untyped]
from graphql import GraphQLError
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension
from tortoise.exceptions import DBConnectionError

from core import errors
from core.errors import PublicError
from core.redis import REDIS_FAILURES, RedisUnavailable

log = logging.getLogger(__name__)

MESSAGE = "The service is temporarily unavailable; retry later"
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    RedisUnavailable,
    *REDIS_FAILURES,  # includes TimeoutError (asyncpg's command_timeout) and ConnectionRefusedError
    DBConnectionError,
    asyncpg.PostgresConnectionError,  # ConnectionDoesNotExistError, ConnectionFailureError, ...
    asyncpg.OperatorInterventionError,  # QueryCanceledError (statement_timeout), AdminShutdown, ...
    asyncpg.InsufficientResourcesError,  # too many connections
)


def is_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it: Tortoise wraps asyncpg's errors) is a backend outage."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, _UNAVAILABLE):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def unavailable_body() -> bytes:
    body = {"data": None, "errors": [{"message": MESSAGE, "extensions": {"code": errors.SERVICE_UNAVAILABLE}}]}
    return json.dumps(body).encode()


class ServiceUnavailable(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        found = False
        for index, error in enumerate(result.errors):
            if isinstance(error, GraphQLError) and is_unavailable(error.original_error):
                log.warning("backend unavailable at %s: %r", error.path, error.original_error)
                result.errors[index] = PublicError(
                    MESSAGE, errors.SERVICE_UNAVAILABLE, nodes=error.nodes, path=error.path
                )
                found = True
        response = getattr(self.execution_context.context, "response", None)
        if found and isinstance(response, Response):
            response.status_code = 503


class ServiceUnavailableMiddleware:
    """A backend outage escaping the app before the response started becomes a coded 503."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception as exc:
            if started or not is_unavailable(exc):
                raise
            log.warning("backend unavailable: %r", exc)
            body = unavailable_body()
            await send({"type": "http.response.start", "status": 503, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                (b"retry-after", b"1")]})
            await send({"type": "http.response.body", "body": body})
