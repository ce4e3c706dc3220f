"""Redis and PostgreSQL faults: a Redis this test starts is stopped, frozen and restarted;
the database is made to fail; the app keeps answering, with coded 503s where it must."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import websockets
from redis.asyncio import BlockingConnectionPool, Redis
from tortoise import connections

from core.auth.services import create_account
from core.db import Timeouts, postgres_connection
from core.events import emit, listen, organisation_channel
from core.organisations.models import Organisation
from core.plugin_api import DomainEvent
from core.pubsub import PubSubHub, SubscriberTooSlow, hub_for
from core.redis import make_redis
from core.runtime import Runtime
from core.unavailable import is_unavailable
from host.app import create_app
from host.testing.plugin import DATABASE_ENV, REDIS_ENV
from tests.support import GraphQLClient, User, client_for, gid, make_org

ME = "{ me { name } }"
LOGOUT = "mutation { logout(input: {}) { ok errors { code } } }"
CREATE = {"query": 'mutation { organisationCreate(input: {name: "海州重工", kind: ENTERPRISE}) '
                   "{ organisation { id } errors { code } } }"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A redis-server of the test's own, on a free loopback port, that it may stop and restart."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port()
        self.folder = folder
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(self.folder), "--dbfilename", "dump.rdb",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        probe = Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    await probe.ping()
                    return
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.02)  # polling for readiness, not timing the test
        finally:
            await probe.aclose()

    async def stop(self, save: bool = False) -> None:
        """Stop it; ``save`` writes its data to disk first, so a restart brings it back."""
        assert self.process is not None
        if save:
            admin = Redis.from_url(self.url)
            await admin.save()
            await admin.aclose()
        self.process.kill()
        await self.process.wait()
        self.process = None

    def freeze(self, frozen: bool) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP if frozen else signal.SIGCONT)


@pytest.fixture
async def own_redis(tmp_path: Path) -> AsyncIterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not on PATH: the fault tests start and stop their own Redis")
    server = RedisServer(tmp_path)
    await server.start()
    yield server
    if server.process is not None:
        server.freeze(False)
        await server.stop()


@pytest.fixture
async def faulty(rt: Runtime, own_redis: RedisServer) -> AsyncIterator[GraphQLClient]:
    """A GraphQL client on an app whose Redis is ``own_redis`` (same database, same clock)."""
    redis = make_redis(own_redis.url, max_connections=8, pool_timeout=1, socket_timeout=0.5)
    client = client_for(Runtime(settings=rt.settings, registry=rt.registry, redis=redis, clock=rt.clock))
    yield client
    await client.http.aclose()
    await redis.aclose()


def _auth(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.token}"}


async def _status(gql: GraphQLClient, user: User) -> int:
    return (await gql.http.post("/graphql", json={"query": ME}, headers=_auth(user))).status_code


async def test_with_redis_down_queries_work_and_revocations_hold_after_an_empty_restart(
    faulty: GraphQLClient, own_redis: RedisServer
) -> None:
    admin, kept, out_before, out_during = (await faulty.superuser(), await faulty.user("甲"),
                                           await faulty.user("乙"), await faulty.user("丙"))
    await faulty.http.post("/graphql", json={"query": LOGOUT}, headers=_auth(out_before))
    assert await _status(faulty, out_before) == 401

    await own_redis.stop()
    assert (await faulty(ME, user=kept))["me"]["name"] == "甲"  # signed-in queries keep working
    assert await _status(faulty, out_before) == 401  # read from PostgreSQL
    created = await faulty.http.post("/graphql", json=CREATE, headers=_auth(admin))
    assert created.json()["data"]["organisationCreate"]["errors"] == []  # mutations too (event not published)
    out = await faulty.http.post("/graphql", json={"query": LOGOUT}, headers=_auth(out_during))
    assert out.json()["data"]["logout"]["ok"] is True
    assert await _status(faulty, out_during) == 401
    # An idempotent request is refused rather than risk running twice.
    refused = await faulty.http.post("/graphql", json=CREATE, headers={**_auth(admin), "Idempotency-Key": "k1"})
    assert refused.status_code == 503
    assert refused.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert await Organisation.filter(name="海州重工").count() == 1

    await own_redis.start()  # empty: no data survived
    assert await _status(faulty, out_before) == 401
    assert await _status(faulty, out_during) == 401
    assert await _status(faulty, kept) == 200
    again = await faulty.http.post("/graphql", json=CREATE, headers={**_auth(admin), "Idempotency-Key": "k1"})
    assert again.status_code == 200 and await Organisation.filter(name="海州重工").count() == 2


async def test_a_revocation_made_while_redis_was_down_holds_when_it_returns_with_old_data(
    faulty: GraphQLClient, own_redis: RedisServer
) -> None:
    kept, signed_out = await faulty.user("甲"), await faulty.user("乙")
    assert await _status(faulty, kept) == 200  # the cache is loaded and marked complete
    await own_redis.stop(save=True)
    await faulty.http.post("/graphql", json={"query": LOGOUT}, headers=_auth(signed_out))  # PostgreSQL only
    await own_redis.start()  # back from disk: "complete" marker, but without that revocation
    assert await _status(faulty, signed_out) == 401
    assert await _status(faulty, kept) == 200


async def test_readyz_answers_503_within_2_seconds_when_redis_is_stopped_or_frozen(
    faulty: GraphQLClient, own_redis: RedisServer
) -> None:
    assert (await faulty.http.get("/readyz")).status_code == 200
    own_redis.freeze(True)
    started = time.monotonic()
    frozen = await faulty.http.get("/readyz")
    assert time.monotonic() - started < 2
    assert frozen.status_code == 503 and frozen.json()["redis"] == "error: timed out"
    assert frozen.json()["database"] == "ok"
    own_redis.freeze(False)
    await own_redis.stop()
    started = time.monotonic()
    stopped = await faulty.http.get("/readyz")
    assert time.monotonic() - started < 2 and stopped.status_code == 503


def _break_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every statement fails as asyncpg does when PostgreSQL is down."""
    client = connections.get("default")

    async def refused(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")

    for name in ("execute_query", "execute_query_dict", "execute_insert", "execute_script"):
        monkeypatch.setattr(client, name, refused)


async def test_a_database_outage_answers_service_unavailable_and_recovers(
    faulty: GraphQLClient, own_redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_org("海州市总工会")
    user = await faulty.user("甲")
    with monkeypatch.context() as patch:
        _break_database(patch)
        query = await faulty.http.post("/graphql", json={"query": "{ organisations { totalCount } }"})
        assert query.status_code == 503
        assert query.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        await own_redis.stop()  # authentication must now read PostgreSQL, before GraphQL runs
        signed_in = await faulty.http.post("/graphql", json={"query": ME}, headers=_auth(user))
        assert signed_in.status_code == 503
        assert signed_in.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert (await faulty("{ organisations { totalCount } }"))["organisations"]["totalCount"] == 1


@pytest.mark.postgres
async def test_a_statement_timeout_fires_on_pg_sleep() -> None:
    import asyncpg  # type: ignore[import-untyped]
    from tortoise.backends.asyncpg import AsyncpgDBClient

    config = postgres_connection(os.environ[DATABASE_ENV], Timeouts(connect=2, statement=0.3))
    client = AsyncpgDBClient(connection_name="timeouts", **config["credentials"])
    await client.create_connection(with_db=True)
    try:
        started = time.monotonic()
        with pytest.raises(asyncpg.QueryCanceledError) as failed:
            await client.execute_query("SELECT pg_sleep(5)")
        assert time.monotonic() - started < 2
        assert is_unavailable(failed.value), repr(failed.value)
        assert "statement timeout" in str(failed.value)
        assert (await client.execute_query("SELECT 1"))[0] == 1  # the connection is still usable
    finally:
        await client.close()


async def test_300_concurrent_signed_in_requests_on_a_small_redis_pool(rt: Runtime) -> None:
    redis = make_redis(os.environ.get(REDIS_ENV) or None, max_connections=20, pool_timeout=10)
    gql = client_for(Runtime(settings=rt.settings, registry=rt.registry, redis=redis, clock=rt.clock))
    users = [await gql.user(f"职工{i}") for i in range(30)]
    pool = redis.connection_pool
    peak = 0
    if isinstance(pool, BlockingConnectionPool):  # the real Redis: record how many were in use
        acquire = pool.get_connection

        async def counting(*args: Any, **kwargs: Any) -> Any:
            nonlocal peak
            connection = await acquire(*args, **kwargs)
            peak = max(peak, len(pool._in_use_connections))
            return connection

        pool.get_connection = counting  # type: ignore[method-assign]
    try:
        responses = await asyncio.gather(*(gql.http.post("/graphql", json={"query": ME},
                                                         headers=_auth(users[i % 30])) for i in range(300)))
    finally:
        await gql.http.aclose()
        await redis.aclose()
    assert [r.status_code for r in responses] == [200] * 300
    assert all("errors" not in r.json() for r in responses)
    if isinstance(pool, BlockingConnectionPool):  # all 20 were taken at once, and callers waited
        assert peak == 20, peak


async def test_subscriptions_share_one_connection_and_resume_after_a_redis_restart(
    rt: Runtime, own_redis: RedisServer
) -> None:
    redis = make_redis(own_redis.url, socket_timeout=0.5)
    mine = Runtime(settings=rt.settings, registry=rt.registry, redis=redis, clock=rt.clock)
    streams = [listen(mine, organisation_channel(n)) for n in (1, 2, 2)]
    nexts = [asyncio.ensure_future(anext(stream)) for stream in streams]
    hub = hub_for(redis)
    await asyncio.wait_for(hub.wait_connected(), 5)
    admin = Redis.from_url(own_redis.url)
    assert len(await admin.client_list(_type="pubsub")) == 1
    await admin.aclose()
    await emit(mine, DomainEvent("a", {"n": 1}, organisation_id=1))
    assert (await asyncio.wait_for(nexts[0], 5))["name"] == "a"

    await own_redis.stop()
    await emit(mine, DomainEvent("lost", {}, organisation_id=2))  # Redis down: dropped, no error
    await own_redis.start()
    deadline = time.monotonic() + 10
    while not (hub.reconnects and hub._connected.is_set()):  # the hub noticed and resubscribed
        assert time.monotonic() < deadline, "the hub did not resubscribe"
        await asyncio.sleep(0.05)
    await emit(mine, DomainEvent("b", {"n": 2}, organisation_id=2))
    assert [(await asyncio.wait_for(n, 5))["name"] for n in nexts[1:]] == ["b", "b"]
    for stream in streams:
        await stream.aclose()
    assert hub.channels == {}
    await redis.aclose()


async def test_a_subscriber_that_falls_behind_is_ended(rt: Runtime) -> None:
    hub = PubSubHub(rt.redis, queue_size=2)
    stream = hub.listen("slow")
    first = asyncio.ensure_future(anext(stream))
    await asyncio.wait_for(hub.wait_connected(), 5)
    await rt.redis.publish("slow", "1")
    assert await asyncio.wait_for(first, 5) == "1"
    for n in range(2, 6):
        await rt.redis.publish("slow", str(n))
    deadline = time.monotonic() + 5
    while hub.channels.get("slow"):  # dropped once its queue overflowed
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    with pytest.raises(SubscriberTooSlow):  # its backlog was dropped: it ends at once
        await asyncio.wait_for(anext(stream), 5)
    assert "slow" not in hub.channels


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.listening.set()


@pytest.fixture
async def limited_server(rt: Runtime) -> AsyncIterator[str]:
    """uvicorn on loopback with 3 subscriptions per WebSocket and a 0.3 s init timeout."""
    settings = rt.settings.model_copy(update={"max_subscriptions_per_connection": 3,
                                              "websocket_init_timeout_seconds": 0.3})
    app = create_app(settings, rt.registry, Runtime(settings, rt.registry, rt.redis, rt.clock),
                     manage_services=False)
    port = _free_port()
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    await asyncio.wait_for(server.listening.wait(), 10)
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    await task


SUBSCRIBE = "subscription($o: ID!) { organisationEvents(organisationId: $o) { name } }"


async def test_a_websocket_holds_at_most_the_subscription_limit(
    limited_server: str, gql: GraphQLClient
) -> None:
    org = await make_org("工作室")
    user = await gql.user("王建国", org=org)
    async with websockets.connect(f"ws://{limited_server}/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {user.token}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        variables = {"o": gid("Organisation", org.id)}
        for n in range(4):
            await ws.send(json.dumps({"id": str(n), "type": "subscribe",
                                      "payload": {"query": SUBSCRIBE, "variables": variables}}))
        refused = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert refused["id"] == "3" and refused["type"] == "error"
        assert refused["payload"][0]["message"] == "Subscription limit reached"
        await ws.send(json.dumps({"id": "0", "type": "complete"}))  # one ends: a slot is free again
        await ws.send(json.dumps({"id": "4", "type": "subscribe",
                                  "payload": {"query": SUBSCRIBE, "variables": variables}}))
        await asyncio.sleep(0.2)  # the subscriptions are listening before we publish
        await emit(gql.rt, DomainEvent("x", {}, organisation_id=org.id, subject=gid("Organisation", org.id)))
        received = {json.loads(await asyncio.wait_for(ws.recv(), 5))["id"] for _ in range(3)}
        assert received == {"1", "2", "4"}


async def test_a_websocket_without_connection_init_is_closed(limited_server: str) -> None:
    async with websockets.connect(f"ws://{limited_server}/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408


async def test_login_works_while_redis_is_down(faulty: GraphQLClient, own_redis: RedisServer) -> None:
    from core.people.models import Person

    person = await Person.create(name="王建国")
    await create_account("wang", "secret-pass", person.id)
    await own_redis.stop()
    login = 'mutation { login(input: {username: "wang", password: "secret-pass"}) { accessToken errors { code } } }'
    data = (await faulty(login))["login"]
    assert data["errors"] == [] and data["accessToken"]
    wrong = 'mutation { login(input: {username: "wang", password: "wrong-pass"}) { errors { code } } }'
    assert (await faulty(wrong))["login"]["errors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_readyz_is_ready_with_the_fixtures(http: httpx.AsyncClient) -> None:
    assert (await http.get("/readyz")).json() == {"status": "ok", "database": "ok", "redis": "ok"}
