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

Redis through Sentinel
----------------------
``redis+sentinel://[[user]:password@]host1[:26379][,host2[:26379],...]/<service>[/<db>]`` asks
the Sentinels (in turn) where the service's primary is and connects there; every new connection
asks again, so after a fail-over the pooled connections to the old primary fail (one retry, then
``RedisUnavailable`` like any outage) and their replacements reach the promoted replica. The
credentials are the Redis servers'; the Sentinels are asked without them. Replicas are never
read from. A Sentinel that does not know the service, or no Sentinel answering, raises redis-py's
``MasterNotFoundError`` (a ``ConnectionError``): the same ``RedisUnavailable``/503 as a Redis
that is down.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from ipaddress import IPv6Address
from typing import Any
from urllib.parse import unquote, urlsplit

from redis import exceptions as redis_exceptions
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.connection import parse_url
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool
from redis.backoff import ExponentialBackoff, NoBackoff

ENV = "GUILDHALL_REDIS_URL"
SENTINEL_SCHEME = "redis+sentinel"
SENTINEL_PORT = 26379


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


class InvalidRedisURL(ValueError):
    """``GUILDHALL_REDIS_URL`` cannot be used; the message names the problem, never the password."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{ENV} {problem}")


@dataclass(frozen=True)
class SentinelURL:
    """A parsed ``redis+sentinel://`` URL (``str()`` shows it with the password hidden)."""

    sentinels: tuple[tuple[str, int], ...]
    service: str
    db: int = 0
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def __str__(self) -> str:
        credentials = ""
        if self.password is not None:
            credentials = f"{self.username or ''}:***@"
        hosts = ",".join(f"[{host}]:{port}" if ":" in host else f"{host}:{port}" for host, port in self.sentinels)
        return f"{SENTINEL_SCHEME}://{credentials}{hosts}/{self.service}/{self.db}"


# host, host:port, [ipv6] or [ipv6]:port; a host is a name or an IPv4 address.
_SENTINEL_ENTRY = re.compile(r"(?:\[(?P<ipv6>[^\]]*)\]|(?P<host>[^:\[\]]*))(?::(?P<port>[^:]*))?")
_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")


def is_sentinel_url(url: str) -> bool:
    return url.partition("://")[0].lower() == SENTINEL_SCHEME


def parse_sentinel_url(url: str) -> SentinelURL:
    """``redis+sentinel://[[user]:password@]host[:port][,host[:port]...]/<service>[/<db>]``.

    Ports default to 26379 and the database to 0; user name and password are percent-decoded.
    Raises ``InvalidRedisURL`` naming the problem (never echoing the credentials)."""
    scheme, _, rest = url.partition("://")
    if scheme.lower() != SENTINEL_SCHEME:
        raise InvalidRedisURL(f"must start with {SENTINEL_SCHEME}:// to name Sentinels")
    if any(char.isspace() for char in url):
        raise InvalidRedisURL("must not contain white space")
    # urlsplit would reject "[::1]:1,[::2]:2" as one malformed IPv6 host: split by hand, at the
    # last "@" (a password may hold one) and the first "/" after it.
    credentials, at, after = rest.rpartition("@")
    if not at:
        credentials, after = "", rest
    if "/" in credentials:
        raise InvalidRedisURL('has a "/" before its last "@": percent-encode "/" in a password (%2F) '
                              'and "@" in a service name (%40)')
    if "?" in url or "#" in url:
        raise InvalidRedisURL(f'has a "?" or "#": a {SENTINEL_SCHEME}:// URL takes no query options '
                              "(percent-encode these characters in a password)")
    hosts, slash, path = after.partition("/")
    username: str | None = None
    password: str | None = None
    if at:
        user, colon, secret = credentials.partition(":")
        if not colon:
            raise InvalidRedisURL("names a user without a password: write user:password@ or :password@")
        username, password = unquote(user) or None, unquote(secret)
        if not password:
            raise InvalidRedisURL("has an empty password: drop the \"@\" part or give the password")
    sentinels = tuple(_sentinel_address(entry) for entry in hosts.split(","))
    segments = path.split("/") if slash else []
    if segments and segments[-1] == "" and len(segments) > 1:
        segments.pop()  # one trailing slash: ".../mymaster/"
    if not segments or not segments[0]:
        raise InvalidRedisURL(f"names no Sentinel service: {SENTINEL_SCHEME}://host:26379/<service>[/<db>]")
    if len(segments) > 2:
        raise InvalidRedisURL("has more than /<service>/<db> after the Sentinels")
    service = unquote(segments[0])
    db = 0
    if len(segments) == 2:
        if not segments[1].isdecimal() or not segments[1].isascii():
            raise InvalidRedisURL(f"has database {segments[1]!r} after the service name: expected a number")
        db = int(segments[1])
    return SentinelURL(sentinels, service, db, username, password)


def _sentinel_address(entry: str) -> tuple[str, int]:
    found = _SENTINEL_ENTRY.fullmatch(entry)
    if not entry or found is None:
        raise InvalidRedisURL(f"has a malformed Sentinel address {entry!r}: expected host:port, comma-separated")
    host = found["host"]
    if found["ipv6"] is not None:
        try:
            host = str(IPv6Address(found["ipv6"]))
        except ValueError:
            raise InvalidRedisURL(f"has a malformed IPv6 address in {entry!r}") from None
    elif not _HOST.fullmatch(host):
        raise InvalidRedisURL(f"has a malformed Sentinel host {host!r} in {entry!r}")
    port = found["port"]
    if port is None:
        return host, SENTINEL_PORT
    if not (port.isdecimal() and port.isascii() and 0 < int(port) < 65536):
        raise InvalidRedisURL(f"has a malformed Sentinel port in {entry!r}: expected 1-65535")
    return host, int(port)


def check_redis_url(url: str) -> None:
    """Raise ``InvalidRedisURL`` when ``make_redis(url)`` could not build a client from it."""
    if is_sentinel_url(url):
        parse_sentinel_url(url)
        return
    try:
        parse_url(url)  # what BlockingConnectionPool.from_url reads
    except ValueError as exc:
        # redis-py's messages name the scheme or the option, never the credentials.
        message = str(exc).replace("unix://", f"unix://, {SENTINEL_SCHEME}://")
        raise InvalidRedisURL(f"is not a usable Redis URL: {message}") from None


def redacted_redis_url(url: str | None) -> str | None:
    """``url`` with its password replaced by ``***`` (for logs and reports)."""
    if not url:
        return url
    try:
        if is_sentinel_url(url):
            return str(parse_sentinel_url(url))
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = f"{parts.username or ''}:***@{parts.netloc.rpartition('@')[2]}"
        return parts._replace(netloc=netloc).geturl()
    except ValueError:
        return "(malformed)"


class BlockingSentinelConnectionPool(SentinelConnectionPool, BlockingConnectionPool):
    """redis-py's Sentinel pool with ``BlockingConnectionPool``'s waiting for a free connection.

    redis-py ships only a non-blocking ``SentinelConnectionPool`` (it raises "Too many
    connections" at once). Its methods (where is the primary, replace connections after a
    fail-over) and the blocking pool's (``get_connection`` waits up to ``timeout``, then
    ``ConnectionError("No connection available.")``; ``release`` wakes a waiter) do not overlap,
    so the two combine by inheritance: ``SentinelConnectionPool.__init__`` passes
    ``max_connections`` and ``timeout`` on to ``BlockingConnectionPool.__init__``.
    ``tests/core/test_redis_sentinel.py`` checks the waiting. Closing the pool also closes the
    clients that talk to the Sentinels."""

    async def aclose(self) -> None:
        try:
            await super().aclose()
        finally:
            await self.sentinel_manager.aclose()


def _retry() -> Retry:
    return Retry(ExponentialBackoff(cap=0.05, base=0.01), retries=1)


def make_redis(
    url: str | None,
    max_connections: int = 64,
    pool_timeout: float = 5.0,
    socket_timeout: float = 1.0,
) -> Redis:
    """A client for ``url`` (``redis://``, ``rediss://``, ``unix://`` or ``redis+sentinel://``);
    fakeredis when ``url`` is empty. Raises ``InvalidRedisURL`` for a malformed ``url``."""
    if url and is_sentinel_url(url):
        return _sentinel_redis(parse_sentinel_url(url), max_connections, pool_timeout, socket_timeout)
    if url:
        check_redis_url(url)
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=pool_timeout,
            decode_responses=True,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            retry=_retry(),
        )
        return Redis.from_pool(pool)  # closing the client closes its pool
    # fakeredis speaks the same client API; fine for one process (`make run`, tests).
    from fakeredis import FakeAsyncRedis

    return FakeAsyncRedis(decode_responses=True)


def _sentinel_redis(parsed: SentinelURL, max_connections: int, pool_timeout: float, socket_timeout: float) -> Redis:
    timeouts = {"socket_timeout": socket_timeout, "socket_connect_timeout": socket_timeout}
    # The Sentinels are asked without retries: a Sentinel that does not answer is skipped for the
    # next one, and the connection asking is retried once as a whole (``_retry``).
    sentinel = Sentinel(  # type: ignore[no-untyped-call]
        list(parsed.sentinels), sentinel_kwargs={**timeouts, "retry": Retry(NoBackoff(), retries=0)}
    )
    connection: dict[str, Any] = {**timeouts, "db": parsed.db, "decode_responses": True, "retry": _retry()}
    if parsed.password is not None:
        connection.update(username=parsed.username, password=parsed.password)
    client: Redis = sentinel.master_for(
        parsed.service,
        connection_pool_class=BlockingSentinelConnectionPool,
        max_connections=max_connections,
        timeout=pool_timeout,
        **connection,
    )
    return client  # closing the client closes its pool and the Sentinel clients
