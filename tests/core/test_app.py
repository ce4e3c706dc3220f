"""The HTTP surface: health, readiness, GET/POST without redirects, WebSocket subscriptions."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
import websockets

from core.events import emit, organisation_channel
from core.organisations.models import Organisation
from core.plugin_api import DomainEvent
from core.pubsub import hub_for
from core.runtime import Runtime
from host.app import create_app
from tests.support import GraphQLClient, gid, make_org


async def test_healthz_and_readyz(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "redis": "ok"}


async def test_graphql_answers_get_and_post_without_redirect(http: httpx.AsyncClient) -> None:
    get = await http.get("/graphql", params={"query": "{ installedPlugins { name } }"})
    post = await http.post("/graphql", json={"query": "{ installedPlugins { name } }"})
    assert get.status_code == post.status_code == 200
    assert get.json()["data"] == post.json()["data"] and get.json()["data"]["installedPlugins"]
    assert get.headers["content-type"].startswith("application/json")


async def test_graphiql_is_served_to_browsers(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


async def test_responses_are_raw_utf8(gql: GraphQLClient) -> None:
    await make_org("海州市总工会")
    response = await gql.raw("{ organisations { edges { node { name } } } }")
    assert "海州市总工会".encode() in response.content and b"\\u" not in response.content


async def test_depth_limit_rejects_deep_queries(gql: GraphQLClient) -> None:
    deep = "{ organisations { edges { node { " + "parent { " * 12 + "name" + " }" * 12 + " } } } }"
    errors = await gql.errors(deep)
    assert "exceeds maximum operation depth" in errors[0]["message"]
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_validation_is_cached_between_requests(gql: GraphQLClient) -> None:
    from strawberry.extensions.validation_cache import _get_validate_cache

    from schema.extensions import CACHE_SIZE

    cache = _get_validate_cache(CACHE_SIZE)
    query = "{ skills(first: 3) { totalCount } }"
    await gql(query)
    before = cache.cache_info().hits
    await gql(query)
    assert cache.cache_info().hits == before + 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Server(uvicorn.Server):
    """uvicorn's server, with an event set once it listens."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.listening.set()


@pytest.fixture
async def server(rt: Runtime) -> AsyncIterator[str]:
    """A real uvicorn server on loopback, sharing the test database and Redis."""
    app = create_app(rt.settings, rt.registry, rt, manage_services=False)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    listening = asyncio.create_task(server.listening.wait())
    await asyncio.wait([task, listening], return_when=asyncio.FIRST_COMPLETED)
    listening.cancel()
    assert server.started, "uvicorn did not start"
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    await task


SUBSCRIBE = "subscription($o: ID!) { organisationEvents(organisationId: $o) { name payload } }"


async def _connect(address: str, init: dict[str, object]) -> websockets.ClientConnection:
    ws = await websockets.connect(f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": init}))
    return ws


async def _until_listening(rt: Runtime, org_id: int) -> None:
    """Until this process's shared pub/sub connection listens on the organisation's channel."""
    hub = hub_for(rt.redis, rt.settings.subscription_queue_size)
    channel = organisation_channel(org_id)

    async def listening() -> None:
        while not (hub.connected and hub.channels.get(channel)):  # noqa: ASYNC110 (a state owned by the hub)
            await asyncio.sleep(0.01)

    await asyncio.wait_for(listening(), 5)


async def test_subscription_over_websocket_with_token_in_connection_init(
    server: str, gql: GraphQLClient, rt: Runtime
) -> None:
    org = await make_org("王建国劳模创新工作室")
    user = await gql.user("王建国", org=org)
    ws = await _connect(server, {"authorization": f"Bearer {user.token}"})
    try:
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                  "payload": {"query": SUBSCRIBE, "variables": {"o": gid("Organisation", org.id)}}}))
        await _until_listening(rt, org.id)
        # Issue 8: an event names what it is about; a member receives it when it may see that.
        await emit(rt, DomainEvent("mentorship.accepted", {"id": 3}, organisation_id=org.id,
                                   subject=gid("Organisation", org.id)))
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert message["type"] == "next"
        assert message["payload"]["data"]["organisationEvents"] == {"name": "mentorship.accepted",
                                                                     "payload": {"id": 3}}
    finally:
        await ws.close()


async def test_websocket_with_a_bad_token_is_rejected(server: str) -> None:
    ws = await _connect(server, {"authorization": "Bearer not-a-token"})
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_anonymous_subscription_gets_unauthenticated(server: str, gql: GraphQLClient) -> None:
    org = await make_org("工作室")
    ws = await _connect(server, {})
    try:
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                  "payload": {"query": SUBSCRIBE, "variables": {"o": gid("Organisation", org.id)}}}))
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert message["type"] in {"error", "next"}
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    finally:
        await ws.close()




async def _answer(ws: websockets.ClientConnection, operation_id: str, query: str,
                  variables: dict[str, object]) -> dict[str, object]:
    await ws.send(json.dumps({"id": operation_id, "type": "subscribe",
                              "payload": {"query": query, "variables": variables}}))
    message = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert message["type"] == "next" and message["id"] == operation_id, message
    completed = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert completed == {"id": operation_id, "type": "complete"}
    return dict(message["payload"]["data"])


async def test_each_operation_over_one_socket_reads_afresh(server: str, gql: GraphQLClient) -> None:
    """Queries over one WebSocket (graphql-transport-ws; the legacy protocol runs only
    subscriptions) do not share loaders: a write between two queries is seen by the second,
    because each operation gets its own copy of the connection's context."""
    org = await make_org("工作室")
    user = await gql.user("王建国", org=org)
    ws = await _connect(server, {"authorization": f"Bearer {user.token}"})
    query = "query($id: ID!) { node(id: $id) { ... on Organisation { name } } }"
    variables = {"id": gid("Organisation", org.id)}
    try:
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        assert await _answer(ws, "1", query, variables) == {"node": {"name": "工作室"}}
        await Organisation.filter(id=org.id).update(name="王建国劳模创新工作室")
        assert await _answer(ws, "2", query, variables) == {"node": {"name": "王建国劳模创新工作室"}}
    finally:
        await ws.close()
