"""Request ids, one log line per request (JSON in production), SQL counts and /metrics."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
import websockets
from prometheus_client import REGISTRY

from core.metrics import RATE_LIMIT_REFUSALS, operation_label
from core.runtime import Runtime
from host.app import create_app
from host.observability import JsonFormatter, TextFormatter
from host.persisted import sha256_hex
from tests.host.conftest import AppClient
from tests.support import GraphQLClient, make_org

PRODUCTION = {"env": "production", "secret_key": "p" * 40}


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "guildhall.request"]


async def test_every_response_has_a_request_id(http: httpx.AsyncClient) -> None:
    mine = "app-7f3a.retry_2"
    echoed = await http.post("/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": mine})
    assert echoed.headers["x-request-id"] == mine
    for bad in ("short", "has spaces in it", "x" * 129, "semi;colon-0001"):
        replaced = await http.get("/healthz", headers={"X-Request-Id": bad})
        assert replaced.headers["x-request-id"] != bad and len(replaced.headers["x-request-id"]) == 32
    first, second = (await http.get("/healthz")).headers["x-request-id"], (await http.get("/healthz")).headers[
        "x-request-id"]
    assert first != second


async def test_one_log_line_per_request_with_its_figures(http: httpx.AsyncClient, gql: GraphQLClient,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    await make_org("海州市总工会")
    user = await gql.user()
    caplog.set_level(logging.INFO, logger="guildhall.request")
    query = "query Orgs { organisations { edges { node { name } } } }"
    response = await http.post("/graphql", json={"query": query}, headers={
        "Authorization": f"Bearer {user.token}", "X-Request-Id": "req-00000001"})
    assert response.status_code == 200
    await http.post("/graphql", json={"query": "{ __typename }"})
    first, second = _request_lines(caplog)
    fields = first.__dict__["request"]
    assert fields["request_id"] == "req-00000001"
    assert fields["operation"] == "Orgs" and fields["status"] == 200
    assert fields["account_id"] == user.account_id
    assert fields["sql_statements"] >= 1 and fields["duration_ms"] > 0
    assert second.__dict__["request"]["sql_statements"] == 0  # no database work
    assert second.__dict__["request"]["account_id"] is None

    line = json.loads(JsonFormatter().format(first))
    assert line["request_id"] == "req-00000001" and line["operation"] == "Orgs" and line["level"] == "INFO"
    text = TextFormatter().format(first)
    assert "POST /graphql Orgs 200" in text and "[req-00000001]" in text and not text.startswith("{")


def test_cost_is_taken_from_the_response_extensions() -> None:
    from host.graphql_view import _cost

    assert _cost({"extensions": {"cost": {"requestedQueryCost": 12, "actualQueryCost": 3}}}) == 3
    assert _cost({"extensions": {"cost": {"requestedQueryCost": 12}}}) == 12
    assert _cost({"data": None}) is None


async def test_masked_internal_errors_name_the_request_id(app_client: AppClient,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr("core.queries.InstalledPlugin", broken)
    async with app_client(**PRODUCTION) as http:
        response = await http.post("/graphql", json={"query": "{ installedPlugins { name } }"})
    [error] = response.json()["errors"]
    request_id = response.headers["x-request-id"]
    assert "secret detail" not in error["message"]
    assert error["message"] == f"Unexpected error. Request id: {request_id}"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}


async def test_metrics(http: httpx.AsyncClient) -> None:
    before = _sample("guildhall_requests_total", operation="MetricsProbe", status="200")
    statements = _sample("guildhall_sql_statements_per_request_count")
    await http.post("/graphql", json={"query": "query MetricsProbe { __typename }"})
    RATE_LIMIT_REFUSALS.labels(scope="query").inc()

    page = await http.get("/metrics")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
    assert _sample("guildhall_requests_total", operation="MetricsProbe", status="200") == before + 1
    assert _sample("guildhall_request_duration_seconds_count", operation="MetricsProbe") >= 1
    assert _sample("guildhall_sql_statements_per_request_count") == statements + 1
    for name in ("guildhall_rate_limit_refusals_total", "guildhall_open_subscriptions",
                 "guildhall_request_duration_seconds_bucket", "guildhall_persisted_queries_total"):
        assert name in page.text, name


async def test_metrics_token(app_client: AppClient) -> None:
    async with app_client(metrics_token="scrape-secret") as http:
        assert (await http.get("/metrics")).status_code == 401
        assert (await http.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})).status_code == 200


def test_operation_labels_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("core.metrics._seen", set())
    monkeypatch.setattr("core.metrics.MAX_OPERATIONS", 2)
    assert [operation_label(name) for name in ("A", "B", "C", "A", None, "x y")] == [
        "A", "B", "(other)", "A", "(anonymous)", "(invalid)"]


# WebSockets: the open-subscriptions gauge and trusted documents ---------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def trusted_server(rt: Runtime, database: str, tmp_path: object) -> AsyncIterator[str]:
    import dataclasses
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    manifest = tmp_path / "trusted.json"
    manifest.write_text(json.dumps({sha256_hex(SUBSCRIBE): SUBSCRIBE}), encoding="utf-8")
    changed = dataclasses.replace(rt, settings=rt.settings.model_copy(update={"trusted_documents": str(manifest)}))
    app = create_app(changed.settings, changed.registry, changed, manage_services=False)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    assert server.started
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    await task


SUBSCRIBE = "subscription Events($o: ID!) { organisationEvents(organisationId: $o) { name } }"


async def test_websocket_subscriptions_are_counted_and_trusted_documents_apply(
    trusted_server: str, gql: GraphQLClient
) -> None:
    from tests.support import gid

    org = await make_org()
    user = await gql.user(org=org)
    before = _sample("guildhall_open_subscriptions")
    async with websockets.connect(f"ws://{trusted_server}/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {user.token}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
            "query": "subscription { organisationEvents(organisationId: \"x\") { name } }"}}))
        refused = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert refused["type"] == "error" and refused["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_REQUIRED"

        await ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": {
            "variables": {"o": gid("Organisation", org.id)},
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(SUBSCRIBE)}}}}))
        for _ in range(500):  # the operation task starts on the server's next turns of the loop
            if _sample("guildhall_open_subscriptions") == before + 1:
                break
            await asyncio.sleep(0.01)
        assert _sample("guildhall_open_subscriptions") == before + 1
        await ws.send(json.dumps({"id": "2", "type": "complete"}))
        for _ in range(500):
            if _sample("guildhall_open_subscriptions") == before:
                break
            await asyncio.sleep(0.01)
        assert _sample("guildhall_open_subscriptions") == before


async def test_pool_gauges_on_real_backends(http: httpx.AsyncClient, rt: Runtime, database: str) -> None:
    from fakeredis import FakeAsyncRedis

    from core.db import is_sqlite

    await http.get("/metrics")
    has_redis_pool = _sample("guildhall_redis_pool_connections", state="max") > 0
    has_db_pool = _sample("guildhall_db_pool_connections", state="max") > 0
    if not isinstance(rt.redis, FakeAsyncRedis):
        assert has_redis_pool
    if not is_sqlite(database):
        assert has_db_pool
