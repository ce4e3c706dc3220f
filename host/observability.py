"""Request ids, one log line per request, SQL statement counts and ``/metrics``.

``ObservabilityMiddleware`` (outermost but for the trusted-proxy one) gives every HTTP request a
:class:`RequestRecord` in a context variable: the id (the client's ``X-Request-Id`` when it is
8-128 characters of ``[A-Za-z0-9._-]``, else a new one), echoed as ``X-Request-Id``; the GraphQL
view fills in the operation, account and cost; a handler on the ``tortoise.db_client`` logger
counts the SQL statements. When the answer is sent, one log line (``guildhall.request``) and
the metrics of ``core/metrics.py`` are written.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise import connections

from core.metrics import DB_POOL, REDIS_POOL, REQUEST_SECONDS, REQUESTS, SQL_STATEMENTS, operation_label
from core.runtime import Runtime
from core.settings import Settings

HEADER = "x-request-id"
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
SQL_LOGGER = "tortoise.db_client"

request_log = logging.getLogger("guildhall.request")


@dataclass
class RequestRecord:
    request_id: str
    method: str
    path: str
    operation: str | None = None
    account_id: int | None = None
    cost: float | None = None
    status: int = 0
    statements: int = 0
    is_graphql: bool = False


_current: ContextVar[RequestRecord | None] = ContextVar("guildhall_request", default=None)


def current_request() -> RequestRecord | None:
    return _current.get()


def current_request_id() -> str | None:
    record = _current.get()
    return record.request_id if record else None


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(HEADER)
        request_id = given if given and REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        record = RequestRecord(request_id, scope["method"], scope["path"])
        scope.setdefault("state", {})["request_id"] = request_id
        token = _current.set(record)
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except BaseException:
            record.status = record.status or 500
            raise
        finally:
            _current.reset(token)
            if record.path not in QUIET_PATHS:
                _finish(record, time.perf_counter() - started)


def _finish(record: RequestRecord, seconds: float) -> None:
    operation = operation_label(record.operation) if record.is_graphql else "(none)"
    REQUESTS.labels(operation=operation, status=str(record.status)).inc()
    REQUEST_SECONDS.labels(operation=operation).observe(seconds)
    SQL_STATEMENTS.observe(record.statements)
    fields: dict[str, Any] = {
        "request_id": record.request_id,
        "method": record.method,
        "path": record.path,
        "operation": record.operation,
        "status": record.status,
        "duration_ms": round(seconds * 1000, 2),
        "sql_statements": record.statements,
        "account_id": record.account_id,
        "cost": record.cost,
    }
    request_log.info(
        "%s %s %s %s %.1fms sql=%d cost=%s account=%s",
        record.method, record.path, record.operation or "-", record.status, seconds * 1000,
        record.statements, "-" if record.cost is None else f"{record.cost:g}", record.account_id or "-",
        extra={"request": fields},
    )


# SQL statements ----------------------------------------------------------------------------------


class StatementCounter(logging.Handler):
    """Counts each statement Tortoise logs (DEBUG, ``tortoise.db_client``) on the current request."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)

    def emit(self, record: logging.LogRecord) -> None:
        current = _current.get()
        if current is not None and not str(record.msg).startswith(("Created connection", "Closed connection")):
            current.statements += 1


def install_statement_counter() -> None:
    """Idempotent. The logger is set to DEBUG for the count and stops propagating, so the
    statements reach no other handler (test log capture and the app's logs stay quiet)."""
    logger = logging.getLogger(SQL_LOGGER)
    if not any(isinstance(handler, StatementCounter) for handler in logger.handlers):
        logger.addHandler(StatementCounter())
    logger.setLevel(logging.DEBUG)
    logger.propagate = False


# Logging -----------------------------------------------------------------------------------------


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a request's line carries its fields at the top level."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        fields = getattr(record, "request", None)
        if isinstance(fields, dict):
            line.update(fields)
        else:
            line["message"] = record.getMessage()
            if request_id := current_request_id():
                line["request_id"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        try:  # orjson: one line per request, several times cheaper than json.dumps
            return orjson.dumps(line, default=str).decode()
        except TypeError:  # what orjson refuses (integers beyond 64 bits, non-str keys)
            return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s%(rid)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        request_id = current_request_id() or (getattr(record, "request", None) or {}).get("request_id")
        record.rid = f" [{request_id}]" if request_id else ""
        return super().format(record)


def configure_logging(settings: Settings) -> None:
    """Production: JSON lines on stderr; otherwise readable text. INFO and up."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.is_production else TextFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    # The request line (guildhall.request) replaces uvicorn's access log.
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False


# /metrics ----------------------------------------------------------------------------------------


def _pool_figures(rt: Runtime) -> None:
    """Pool gauges read at scrape time, where the drivers expose them (asyncpg, redis-py)."""
    try:
        pool = getattr(connections.get("default"), "_pool", None)
    except Exception:  # no database configured (yet)
        pool = None
    if pool is not None and hasattr(pool, "get_size"):
        DB_POOL.labels(state="in_use").set(pool.get_size() - pool.get_idle_size())
        DB_POOL.labels(state="idle").set(pool.get_idle_size())
        DB_POOL.labels(state="max").set(pool.get_max_size())
    redis_pool = getattr(rt.redis, "connection_pool", None)
    in_use = getattr(redis_pool, "_in_use_connections", None)
    available = getattr(redis_pool, "_available_connections", None)
    if redis_pool is not None and in_use is not None and available is not None:
        REDIS_POOL.labels(state="in_use").set(len(in_use))
        REDIS_POOL.labels(state="idle").set(len(available))
        REDIS_POOL.labels(state="max").set(getattr(redis_pool, "max_connections", 0) or 0)


def _registry() -> CollectorRegistry:
    import os

    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


async def metrics(request: Request) -> Response:
    rt: Runtime = request.app.state.rt
    token = rt.settings.metrics_token
    if token and request.headers.get("authorization") != f"Bearer {token}":
        return PlainTextResponse("metrics need the metrics token", status_code=401)
    _pool_figures(rt)
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)
