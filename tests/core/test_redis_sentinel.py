"""Redis through Sentinel (``redis+sentinel://``): the URL's parsing, and a primary, a replica and
one Sentinel of the test's own (``redis-server`` on free loopback ports) whose primary is killed."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.asyncio.sentinel import MasterNotFoundError

from core.pubsub import PubSubHub
from core.redis import (
    REDIS_FAILURES,
    BlockingSentinelConnectionPool,
    InvalidRedisURL,
    RedisUnavailable,
    SentinelURL,
    check_redis_url,
    make_redis,
    parse_sentinel_url,
    redacted_redis_url,
    redis_errors,
)
from core.runtime import Runtime
from core.settings import Settings, describe_errors
from core.unavailable import is_unavailable
from tests.support import client_for

SERVICE = "guildhall-test"
SECRET = "s3cret-word"  # must never appear in an error message
FAILOVER_SECONDS = 20


# The URL ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "expected"), [
    ("redis+sentinel://127.0.0.1:26380/mymaster/0", SentinelURL((("127.0.0.1", 26380),), "mymaster", 0)),
    ("redis+sentinel://sentinel-a/mymaster", SentinelURL((("sentinel-a", 26379),), "mymaster", 0)),
    ("REDIS+SENTINEL://a.example.org:1,b.example.org,[::1]:26381/cache/15/",
     SentinelURL((("a.example.org", 1), ("b.example.org", 26379), ("::1", 26381)), "cache", 15)),
    (f"redis+sentinel://:{SECRET}@h1:26379,h2:26379/mymaster/2",
     SentinelURL((("h1", 26379), ("h2", 26379)), "mymaster", 2, None, SECRET)),
    ("redis+sentinel://app:p%40ss%2Fw:rd@h/my%20master",  # percent-encoded; ":" may stay in a password
     SentinelURL((("h", 26379),), "my master", 0, "app", "p@ss/w:rd")),
    ("redis+sentinel://app:p@ss@h/m", SentinelURL((("h", 26379),), "m", 0, "app", "p@ss")),  # the last "@" ends it
])
def test_sentinel_urls_are_parsed(url: str, expected: SentinelURL) -> None:
    parsed = parse_sentinel_url(url)
    assert parsed == expected
    assert parsed.password is None or parsed.password not in f"{parsed} {parsed!r}"
    check_redis_url(url)


@pytest.mark.parametrize(("url", "problem"), [
    ("redis+sentinel://h", "names no Sentinel service"),
    ("redis+sentinel://h/", "names no Sentinel service"),
    ("redis+sentinel://h//0", "names no Sentinel service"),
    ("redis+sentinel:///mymaster", "malformed Sentinel address ''"),
    ("redis+sentinel://h1,,h2/mymaster", "malformed Sentinel address ''"),
    ("redis+sentinel://h:0/mymaster", "malformed Sentinel port in 'h:0'"),
    ("redis+sentinel://h:65536/mymaster", "malformed Sentinel port"),
    ("redis+sentinel://h:26379x/mymaster", "malformed Sentinel port"),
    ("redis+sentinel://h:/mymaster", "malformed Sentinel port"),
    ("redis+sentinel://-h/mymaster", "malformed Sentinel host '-h'"),
    ("redis+sentinel://::1/mymaster", "malformed Sentinel address '::1'"),
    ("redis+sentinel://[::g]:1/mymaster", "malformed IPv6 address"),
    ("redis+sentinel://h/mymaster/zero", "database 'zero'"),
    ("redis+sentinel://h/mymaster/-1", "database '-1'"),
    ("redis+sentinel://h/mymaster/0/1", "more than /<service>/<db>"),
    ("redis+sentinel://h/mymaster?db=1", "takes no query options"),
    ("redis+sentinel://h /mymaster", "white space"),
    (f"redis+sentinel://{SECRET}@h/mymaster", "a user without a password"),
    ("redis+sentinel://app:@h/mymaster", "empty password"),
    (f"redis+sentinel://:{SECRET}/x@h/mymaster", 'a "/" before its last "@"'),
    (f"redis+sentinel://:{SECRET}@h:x/mymaster", "malformed Sentinel port in 'h:x'"),
    (f"sentinel://:{SECRET}@h:26379/mymaster", "one of the following schemes"),
    ("rediss+sentinel://h/mymaster", "redis+sentinel://"),  # TLS to Sentinels is not supported
    ("redis://h:port/0", "is not a usable Redis URL"),
])
def test_malformed_urls_are_refused_naming_the_variable_but_never_the_password(url: str, problem: str) -> None:
    with pytest.raises(InvalidRedisURL) as refused:
        check_redis_url(url)
    assert str(refused.value).startswith("GUILDHALL_REDIS_URL ")
    assert problem in str(refused.value)
    assert SECRET not in str(refused.value)
    with pytest.raises(InvalidRedisURL):
        make_redis(url)  # the same check where the client is built


def test_settings_refuse_a_malformed_redis_url_without_echoing_it() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(env="test", secret_key="k" * 40, redis_url=f"redis+sentinel://:{SECRET}@h:x/mymaster")
    assert SECRET not in str(refused.value)
    assert describe_errors(refused.value) == (
        "GUILDHALL_REDIS_URL has a malformed Sentinel port in 'h:x': expected 1-65535")
    url = f"redis+sentinel://:{SECRET}@h/mymaster/1"
    settings = Settings(env="test", secret_key="k" * 40, redis_url=url)
    assert settings.redis_url == url and SECRET not in repr(settings)
    assert Settings(env="test", secret_key="k" * 40, redis_url="").redis_url is None


def test_redacted_urls_hide_only_the_password() -> None:
    assert redacted_redis_url(f"redis://app:{SECRET}@h:6379/0") == "redis://app:***@h:6379/0"
    assert redacted_redis_url("redis://h:6379/0") == "redis://h:6379/0"
    assert redacted_redis_url(f"redis+sentinel://:{SECRET}@a,b:2/m") == "redis+sentinel://:***@a:26379,b:2/m/0"
    assert redacted_redis_url(f"redis+sentinel://:{SECRET}@a:x/m") == "(malformed)"
    assert redacted_redis_url(None) is None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_no_sentinel_answering_is_service_unavailable() -> None:
    client = make_redis(f"redis+sentinel://127.0.0.1:{_free_port()}/{SERVICE}", socket_timeout=0.5)
    try:
        with pytest.raises(RedisUnavailable) as caught, redis_errors():
            await client.ping()
        assert isinstance(caught.value.__cause__, MasterNotFoundError)
        assert is_unavailable(caught.value) and is_unavailable(caught.value.__cause__)
    finally:
        await client.aclose()


# A primary, a replica and a Sentinel of the test's own ---------------------------------------------


class Cluster:
    """``redis-server`` processes on free loopback ports, their output in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.primary_port, self.replica_port, self.sentinel_port = _free_port(), _free_port(), _free_port()
        self.processes: dict[str, asyncio.subprocess.Process] = {}

    def url(self, service: str = SERVICE) -> str:
        return f"redis+sentinel://127.0.0.1:{self.sentinel_port}/{service}/0"

    async def _spawn(self, name: str, *args: str) -> None:
        with (self.folder / f"{name}.log").open("wb") as log:
            self.processes[name] = await asyncio.create_subprocess_exec(
                "redis-server", *args, stdout=log, stderr=asyncio.subprocess.STDOUT, cwd=self.folder)

    async def _server(self, name: str, port: int, *args: str) -> None:
        # Diskless replication without its 5 s delay: the replica is in sync at once.
        await self._spawn(name, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                          "--dir", str(self.folder), "--dbfilename", f"{name}.rdb",
                          "--repl-diskless-sync-delay", "0", *args)

    async def start(self) -> None:
        await self._server("primary", self.primary_port)
        await self._server("replica", self.replica_port, "--replicaof", "127.0.0.1", str(self.primary_port))
        # The Sentinel learns about the replica from the primary's INFO, which it asks for at once
        # and then every 10 s: start it only when the replica is attached.
        await _eventually(self._replica_attached, 10, "the replica did not attach to the primary")
        conf = self.folder / "sentinel.conf"  # Sentinel rewrites its configuration: a file of its own
        conf.write_text(
            f"port {self.sentinel_port}\nbind 127.0.0.1\ndir {self.folder}\n"
            f"sentinel monitor {SERVICE} 127.0.0.1 {self.primary_port} 1\n"
            f"sentinel down-after-milliseconds {SERVICE} 500\n"
            f"sentinel failover-timeout {SERVICE} 2000\n"
        )
        await self._spawn("sentinel", str(conf), "--sentinel", "--save", "", "--appendonly", "no")
        await _eventually(self._sentinel_sees_the_replica, 10, "the Sentinel did not find the replica")

    async def _replica_attached(self) -> bool:
        for name, process in self.processes.items():
            if process.returncode is not None:
                raise AssertionError(f"redis-server {name} exited: {self.log(name)}")
        admin = Redis(host="127.0.0.1", port=self.primary_port, decode_responses=True, socket_timeout=1)
        try:
            with suppress(*REDIS_FAILURES):  # not listening yet
                return bool((await admin.info("replication"))["connected_slaves"] == 1)
            return False
        finally:
            await admin.aclose()

    async def _sentinel_sees_the_replica(self) -> bool:
        admin = Redis(host="127.0.0.1", port=self.sentinel_port, decode_responses=True, socket_timeout=1)
        try:
            with suppress(*REDIS_FAILURES):  # not listening yet
                replicas: list[dict[str, Any]] = await admin.sentinel_slaves(SERVICE)
                # Connected, and its INFO read: a fail-over may choose it.
                return any(r["port"] == self.replica_port and r.get("master-link-status") == "ok"
                           and "disconnected" not in r["flags"] for r in replicas)
            return False
        finally:
            await admin.aclose()

    async def settled_on(self, port: int) -> bool:
        """The Sentinel names ``port`` the primary and sees it up, no fail-over under way.

        With ``down-after-milliseconds`` (500) below Sentinel's own 1 s reconnection period, it
        briefly marks the primary it has just promoted as down, before its new link is up:
        clients get ``MasterNotFoundError`` (503) for a few hundred milliseconds then."""
        admin = Redis(host="127.0.0.1", port=self.sentinel_port, decode_responses=True, socket_timeout=1)
        try:
            with suppress(*REDIS_FAILURES):
                masters: dict[str, dict[str, Any]] = await admin.sentinel_masters()  # type: ignore[assignment]
                return bool(masters[SERVICE]["port"] == port and masters[SERVICE]["flags"] == "master")
            return False
        finally:
            await admin.aclose()

    def kill(self, name: str) -> None:
        os.kill(self.processes[name].pid, signal.SIGKILL)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")[-2000:]

    async def stop(self) -> None:
        for process in self.processes.values():
            if process.returncode is None:
                process.kill()
            await process.wait()


async def _eventually(check: Callable[[], Awaitable[bool]], seconds: float, failure: str) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, failure
        await asyncio.sleep(0.05)  # polling for a state change, not timing the test


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not on PATH: the Sentinel tests start their own primary, replica and Sentinel")
    servers = Cluster(tmp_path)
    try:
        await servers.start()
        yield servers
    finally:
        await servers.stop()


def _pool(client: Redis) -> BlockingSentinelConnectionPool:
    pool = client.connection_pool
    assert isinstance(pool, BlockingSentinelConnectionPool)
    return pool


async def test_the_client_follows_a_failover_to_the_promoted_replica(cluster: Cluster) -> None:
    client = make_redis(cluster.url(), max_connections=8, pool_timeout=1, socket_timeout=0.5)
    hub = PubSubHub(client)
    stream = hub.listen("sentinel-events")
    waiting: list[asyncio.Future[str]] = []
    try:
        assert await client.set("before", "写入") is True
        assert await client.get("before") == "写入"  # decode_responses, as with redis://
        assert (await client.info("server"))["tcp_port"] == cluster.primary_port
        assert await client.execute_command("WAIT", 1, 2000) == 1  # the replica has it too
        first = asyncio.ensure_future(anext(stream))
        waiting.append(first)
        await asyncio.wait_for(hub.wait_connected(), 5)
        await client.publish("sentinel-events", "one")
        assert await asyncio.wait_for(first, 5) == "one"

        cluster.kill("primary")
        failures = 0
        deadline = time.monotonic() + FAILOVER_SECONDS
        while True:  # each failure is the outage every caller sees: RedisUnavailable, then a 503
            try:
                with redis_errors():
                    await client.set("after", "again")
                break
            except RedisUnavailable:
                failures += 1
                assert time.monotonic() < deadline, f"no fail-over: {cluster.log('sentinel')}"
                await asyncio.sleep(0.1)
        assert failures > 0  # the primary really was gone for a while
        await _eventually(lambda: cluster.settled_on(cluster.replica_port), 10, "the Sentinel did not settle")
        assert await client.get("after") == "again"
        assert await client.get("before") == "写入"
        assert (await client.info("server"))["tcp_port"] == cluster.replica_port
        assert _pool(client).master_address == ("127.0.0.1", cluster.replica_port)

        # The subscription's shared connection found the new primary too.
        second = asyncio.ensure_future(anext(stream))
        waiting.append(second)
        deadline = time.monotonic() + FAILOVER_SECONDS
        while not (hub.reconnects and hub.connected):
            assert time.monotonic() < deadline, "the pub/sub hub did not resubscribe"
            await asyncio.sleep(0.05)
        await client.publish("sentinel-events", "two")
        assert await asyncio.wait_for(second, 5) == "two"
    finally:
        for future in waiting:  # a generator waiting in anext() cannot be closed
            future.cancel()
        await asyncio.gather(*waiting, return_exceptions=True)
        await stream.aclose()
        await client.aclose()


async def test_a_service_the_sentinel_does_not_know_is_service_unavailable(cluster: Cluster, rt: Runtime) -> None:
    client = make_redis(cluster.url("no-such-service"), socket_timeout=0.5)
    try:
        with pytest.raises(MasterNotFoundError) as raw:
            await client.set("k", "v")
        assert is_unavailable(raw.value)
        with pytest.raises(RedisUnavailable), redis_errors():
            await client.get("k")
        # Through the app: a request that needs Redis is refused with the coded 503, not a 500.
        gql = client_for(Runtime(settings=rt.settings, registry=rt.registry, redis=client, clock=rt.clock))
        try:
            refused = await gql.http.post("/graphql", json={"query": "{ __typename }"},
                                          headers={"Idempotency-Key": "sentinel-1"})
        finally:
            await gql.http.aclose()
        assert refused.status_code == 503
        assert refused.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    finally:
        await client.aclose()


async def test_the_sentinel_pool_waits_for_a_free_connection_then_gives_up(cluster: Cluster) -> None:
    client = make_redis(cluster.url(), max_connections=2, pool_timeout=0.3, socket_timeout=0.5)
    pool = _pool(client)
    try:
        held = [await pool.get_connection(), await pool.get_connection()]
        started = time.monotonic()
        with pytest.raises(RedisUnavailable, match="No connection available"), redis_errors():
            await client.ping()
        waited = time.monotonic() - started
        assert 0.25 <= waited < 3, waited  # it waited for the pool timeout (redis-py's own raises at once)

        waiting = asyncio.ensure_future(client.set("k", "v"))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await pool.release(held.pop())
        assert await asyncio.wait_for(waiting, 2) is True  # a released connection wakes the waiter
        await pool.release(held.pop())
    finally:
        await client.aclose()
