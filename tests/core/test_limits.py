"""Limits through the real HTTP app: cost refused and reported, the token bucket, tokens, body
size and execution time (README "Limits")."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import httpx
import strawberry
from starlette.types import Message

from core import hookimpl
from core.people.models import Person
from core.ratelimit import BUCKET_KEY
from core.runtime import Runtime
from host.app import create_app
from host.plugins import build_plugin_manager
from tests.support import Clock, GraphQLClient, client_for, count_statements, gid, runtime_with, with_settings

PEOPLE = "{ people(first: 3) { totalCount nodes { name } } }"  # 1 + 3 = 4 points
COSTLY = "{ people(first: 100) { nodes { skills { skill { name } } } } }"  # 1 + 100 × (1 + 20 × 2)


def _cost(body: dict[str, Any]) -> dict[str, Any]:
    cost: dict[str, Any] = body["extensions"]["cost"]
    return cost


async def test_every_response_reports_its_cost(gql: GraphQLClient) -> None:
    await Person.create(name="甲")
    await Person.create(name="乙")
    body = (await gql.raw(PEOPLE)).json()
    assert body["data"]["people"]["totalCount"] == 2
    cost = _cost(body)
    # Requested: the static bound; actual: the objects returned (the connection and two people).
    assert cost["requestedQueryCost"] == 4 and cost["actualQueryCost"] == 3
    status = cost["throttleStatus"]
    assert status["restoreRate"] == gql.rt.settings.rate_limit_restore_rate
    assert status["currentlyAvailable"] == status["maximumAvailable"] - 4
    # Failed requests carry it too (nothing charged for a document that does not validate).
    invalid = (await gql.raw("{ nosuchfield }")).json()
    assert invalid["errors"] and _cost(invalid)["requestedQueryCost"] == 0
    assert _cost(invalid)["throttleStatus"]["currentlyAvailable"] == status["currentlyAvailable"]


async def test_a_costly_query_is_refused_before_execution_naming_cost_and_limit(gql: GraphQLClient) -> None:
    user = await gql.user()
    with count_statements() as counter:
        response = await gql.raw(COSTLY, user=user)
    body = response.json()
    assert response.status_code == 200 and body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 4101, "limit": 1000}
    assert "4101" in error["message"] and "1000" in error["message"]
    assert counter.count == 0  # no resolver ran
    cost = _cost(body)
    assert cost["requestedQueryCost"] == 4101 and cost["actualQueryCost"] == 0
    assert cost["throttleStatus"]["currentlyAvailable"] == cost["throttleStatus"]["maximumAvailable"]  # not charged


async def test_too_many_ids_are_refused(gql: GraphQLClient) -> None:
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    errors = await gql.errors(query, {"ids": [gid("Person", i) for i in range(1, 102)]})
    assert errors[0]["extensions"] == {"code": "TOO_MANY_IDS", "field": "ids"}
    person = await Person.create(name="甲")
    assert (await gql(query, {"ids": [gid("Person", person.id)] * 100}))["nodes"][0]["id"] == gid("Person", person.id)


async def test_a_drained_bucket_answers_429_until_time_restores_it(rt: Runtime, clock: Clock) -> None:
    client = client_for(with_settings(rt, rate_limit_anonymous_bucket_size=10, rate_limit_bucket_size=10,
                                      rate_limit_restore_rate=1.0))
    try:
        available = [_cost((await client.raw(PEOPLE)).json())["throttleStatus"]["currentlyAvailable"]
                     for _ in range(2)]
        assert available == [6, 2]
        refused = await client.raw(PEOPLE)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "2"  # 4 points needed, 2 left, 1 point/s
        [error] = refused.json()["errors"]
        assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfter": 2}
        assert _cost(refused.json())["throttleStatus"]["currentlyAvailable"] == 2  # refusals cost nothing
        assert 0 < await rt.redis.pttl(BUCKET_KEY.format(caller="ip:127.0.0.1")) <= 8000  # full again in 8 s

        # A signed-in caller has a bucket of their own.
        user = await client.user()
        assert (await client.raw(PEOPLE, user=user)).status_code == 200

        clock.advance(seconds=1)
        assert (await client.raw(PEOPLE)).status_code == 429
        clock.advance(seconds=1)
        again = await client.raw(PEOPLE)
        assert again.status_code == 200
        assert _cost(again.json())["throttleStatus"]["currentlyAvailable"] == 0
    finally:
        await client.http.aclose()


async def test_a_query_above_the_bucket_is_too_costly_not_rate_limited(rt: Runtime) -> None:
    """It could never be paid, so waiting would not help."""
    client = client_for(with_settings(rt, rate_limit_anonymous_bucket_size=3))
    try:
        [error] = await client.errors(PEOPLE)
        assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 4, "limit": 3}
    finally:
        await client.http.aclose()


async def test_forwarded_addresses_count_only_from_trusted_proxies(rt: Runtime) -> None:
    async def status(client: GraphQLClient, forwarded_for: str) -> int:
        response = await client.http.post("/graphql", json={"query": PEOPLE},
                                          headers={"X-Forwarded-For": forwarded_for})
        return response.status_code

    small = {"rate_limit_anonymous_bucket_size": 10, "rate_limit_restore_rate": 0.001}
    trusted = client_for(with_settings(rt, trusted_proxies="127.0.0.1", **small))
    untrusted = client_for(with_settings(rt, **small))
    try:
        assert [await status(trusted, "203.0.113.1") for _ in range(3)] == [200, 200, 429]
        # Behind the trusted proxy every client has its own bucket ...
        assert await status(trusted, "203.0.113.2") == 200
        # ... and one that sends its own header is still known by the address the proxy appended.
        assert await status(trusted, "203.0.113.9, 203.0.113.1") == 429
        # Without a trusted proxy the header is ignored: every caller shares the peer's bucket.
        assert [await status(untrusted, "203.0.113.4") for _ in range(2)] == [200, 200]
        assert await status(untrusted, "203.0.113.5") == 429
    finally:
        await trusted.http.aclose()
        await untrusted.http.aclose()


async def test_documents_above_the_token_limit_are_not_parsed(gql: GraphQLClient) -> None:
    limit = gql.rt.settings.max_query_tokens

    def document(statuses: int) -> str:  # 15 tokens besides the statuses
        return "{ mentorships(first: 1, status: [" + "ACTIVE " * statuses + "]) { totalCount } }"

    assert (await gql(document(limit - 15)))["mentorships"]["totalCount"] == 0
    [error] = (await gql.raw(document(limit - 14))).json()["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_LARGE", "limit": limit}
    comments = "{ __typename }" + "\n#" * (limit + 1)
    assert (await gql.raw(comments)).json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_LARGE"


async def test_depth_and_alias_limits_still_hold(gql: GraphQLClient) -> None:
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(gql.rt.settings.max_aliases + 1)) + " }"
    assert (await gql.errors(aliases))[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    deep = "{ me " + "{ memberships { organisation " * 7 + "{ name }" + " } }" * 7 + " }"
    assert "depth" in (await gql.errors(deep))[0]["message"]


async def test_a_large_body_is_refused_with_413(http: httpx.AsyncClient, rt: Runtime) -> None:
    limit = rt.settings.max_request_bytes
    response = await http.post("/graphql", content=b"{" + b" " * limit + b"}",
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"] == {"code": "REQUEST_TOO_LARGE", "limit": limit}


async def _call(app: Any, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, int, dict[str, Any]]:
    """Run one ASGI request; answers (status, chunks read, JSON body)."""
    read = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal read
        read += 1
        return {"type": "http.request", "body": chunks[read - 1], "more_body": read < len(chunks)}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
             "root_path": "", "headers": [(b"content-type", b"application/json"), *headers],
             "client": ("127.0.0.1", 1234), "server": ("test", 80)}
    await app(scope, receive, send)
    import json

    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], read, json.loads(body)


async def test_a_large_body_is_refused_before_it_is_read_whole(rt: Runtime) -> None:
    app = create_app(rt.settings, rt.registry, rt, manage_services=False)
    chunk = 16 * 1024
    chunks = [b"{" + b" " * (chunk - 1)] + [b" " * chunk] * 38 + [b"}"]  # 40 chunks, ~640 KB
    # Streamed without Content-Length: refused once the chunks read pass the limit.
    status, read, body = await _call(app, [], chunks)
    assert status == 413 and body["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert read == math.floor(rt.settings.max_request_bytes / chunk) + 1 < len(chunks)
    # A declared Content-Length above the limit: refused without reading anything.
    declared = [(b"content-length", str(sum(map(len, chunks))).encode())]
    status, read, _ = await _call(app, declared, chunks)
    assert status == 413 and read == 0
    # A small streamed body passes.
    status, _, body = await _call(app, [], [b'{"query": "{ __typ', b'ename }"}'])
    assert status == 200 and body["data"] == {"__typename": "Query"}


# Execution time -----------------------------------------------------------------------------------

never = asyncio.Event()
progress: dict[str, bool] = {}


@strawberry.type
class SlowQueries:
    @strawberry.field
    async def slow(self) -> int:
        progress["started"] = True
        try:
            await never.wait()
        except asyncio.CancelledError:
            progress["cancelled"] = True
            raise
        return 1


class SlowPlugin:
    @hookimpl
    def register_queries(self) -> list[type]:
        return [SlowQueries]


async def test_execution_stops_at_the_timeout_with_a_clear_error(rt: Runtime) -> None:
    pm = build_plugin_manager([], entry_points=False)
    pm.register(SlowPlugin(), name="slow")
    client = client_for(with_settings(runtime_with(rt, pm), query_timeout_seconds=0.05))
    progress.clear()
    try:
        response = await client.raw("{ slow }")
    finally:
        await client.http.aclose()
    body = response.json()
    assert response.status_code == 200 and body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "QUERY_TIMEOUT", "limit": 0.05}
    assert progress == {"started": True, "cancelled": True}  # the resolver was stopped, not left running
    assert _cost(body)["requestedQueryCost"] == 0
