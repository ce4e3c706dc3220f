"""Prometheus metrics (``prometheus-client``), served on ``/metrics`` by the host.

The metric objects live here so any code can record to them without importing the host, e.g.
the rate limiter: ``RATE_LIMIT_REFUSALS.labels(scope="query").inc()``.

Labels stay bounded: operation names come from clients, so :func:`operation_label` keeps at most
``MAX_OPERATIONS`` distinct well-formed names and files the rest under ``(other)``.
"""

from __future__ import annotations

import re
import threading

from prometheus_client import Counter, Gauge, Histogram

MAX_OPERATIONS = 500
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
_seen: set[str] = set()
_lock = threading.Lock()

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
STATEMENT_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233)

REQUESTS = Counter(
    "guildhall_requests",
    "HTTP requests by GraphQL operation name ((none) for other paths) and HTTP status.",
    ["operation", "status"],
)
REQUEST_SECONDS = Histogram(
    "guildhall_request_duration_seconds",
    "Time from the request's arrival to the end of its answer, by GraphQL operation name.",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
SQL_STATEMENTS = Histogram(
    "guildhall_sql_statements_per_request",
    "SQL statements one HTTP request ran.",
    buckets=STATEMENT_BUCKETS,
)
RATE_LIMIT_REFUSALS = Counter(
    "guildhall_rate_limit_refusals",
    "Requests refused by a rate limit, by limit (e.g. query, login).",
    ["scope"],
)
OPEN_SUBSCRIPTIONS = Gauge(
    "guildhall_open_subscriptions",
    "Subscriptions (and other WebSocket operations) running now.",
    multiprocess_mode="livesum",
)
PERSISTED_QUERIES = Counter(
    "guildhall_persisted_queries",
    "Persisted-query lookups by result: hit, miss, stored, refused.",
    ["result"],
)
COMPILED_QUERIES = Counter(
    "guildhall_compiled_queries",
    "Query executions by path: planned (schema/compiled.py), fallback (a plan failed and graphql-core "
    "answered), reference (graphql-core: not plannable or turned off).",
    ["path"],
)
DB_POOL = Gauge(
    "guildhall_db_pool_connections",
    "Database pool connections by state (in_use, idle, max); absent on SQLite.",
    ["state"],
    multiprocess_mode="livesum",
)
REDIS_POOL = Gauge(
    "guildhall_redis_pool_connections",
    "Redis pool connections by state (in_use, idle, max); absent with the embedded fakeredis.",
    ["state"],
    multiprocess_mode="livesum",
)


def operation_label(name: str | None) -> str:
    """A bounded label for a client-chosen operation name."""
    if name is None:
        return "(anonymous)"
    if not _NAME.fullmatch(name):
        return "(invalid)"
    if name in _seen:
        return name
    with _lock:
        if len(_seen) >= MAX_OPERATIONS:
            return "(other)"
        _seen.add(name)
    return name
