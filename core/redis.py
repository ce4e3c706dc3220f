"""The Redis client: a real server when ``GUILDHALL_REDIS_URL`` is set, else in-process fakeredis.

Connections come from a *blocking* pool: when all ``GUILDHALL_REDIS_MAX_CONNECTIONS`` are in use
a caller waits up to ``GUILDHALL_REDIS_POOL_TIMEOUT_SECONDS`` for one to be released instead of
failing at once (redis-py's default pool raises "Too many connections"). Each command gives up
after ``GUILDHALL_REDIS_SOCKET_TIMEOUT_SECONDS`` and is retried once (a pooled connection that
died with a Redis restart is replaced transparently).

How callers degrade when Redis is down
--------------------------------------
Every Redis failure (refused, reset, timed out, no pooled connection free in time) is one
exception type for callers: wrap Redis calls in ``with redis_errors():`` and catch
``RedisUnavailable``. The rule for each use:

- access-token revocations (``core.auth.revocations``): fall back to PostgreSQL, the record;
- login failure counting (``core.auth.services.login``): not counted while Redis is down
  (logged); argon2 hashing still bounds guessing speed;
- ``Idempotency-Key`` (``core.idempotency``): the request is refused with HTTP 503
  ``SERVICE_UNAVAILABLE`` before it runs, so it can never run twice;
- subscriptions (``core.pubsub``): the hub reconnects with backoff and resubscribes; events
  published meanwhile are lost (pub/sub is at-most-once);
- anything else that lets ``RedisUnavailable`` escape: the request fails with HTTP 503
  ``SERVICE_UNAVAILABLE`` (``core.unavailable``), never a 500.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from redis import exceptions as redis_exceptions
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff


class RedisUnavailable(Exception):
    """Redis cannot be reached (down, restarting, frozen or its pool exhausted for too long)."""


# What redis-py raises when the server is away; ``ConnectionError`` also covers an exhausted
# blocking pool ("No connection available.") and ``BusyLoadingError`` a restart loading its data.
REDIS_FAILURES: tuple[type[BaseException], ...] = (
    redis_exceptions.ConnectionError,
    redis_exceptions.TimeoutError,
    ConnectionError,
    asyncio.TimeoutError,
)


@contextmanager
def redis_errors() -> Iterator[None]:
    """``with redis_errors(): await rt.redis...``: Redis failures become ``RedisUnavailable``."""
    try:
        yield
    except REDIS_FAILURES as exc:
        raise RedisUnavailable(f"Redis is unavailable: {type(exc).__name__}: {exc}") from exc


def make_redis(
    url: str | None,
    max_connections: int = 64,
    pool_timeout: float = 5.0,
    socket_timeout: float = 1.0,
) -> Redis:
    if url:
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=pool_timeout,
            decode_responses=True,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            retry=Retry(ExponentialBackoff(cap=0.05, base=0.01), retries=1),
        )
        return Redis.from_pool(pool)  # closing the client closes its pool
    # fakeredis speaks the same client API; fine for one process (`make run`, tests).
    from fakeredis import FakeAsyncRedis

    return FakeAsyncRedis(decode_responses=True)
