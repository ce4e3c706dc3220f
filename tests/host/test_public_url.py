"""Absolute URLs (calendar feeds): GUILDHALL_PUBLIC_URL, else the request's host and scheme,
with X-Forwarded-* believed only from GUILDHALL_TRUSTED_PROXIES."""

from __future__ import annotations

from ipaddress import ip_network

import httpx
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from host.proxy import TrustedProxyMiddleware
from tests.host.conftest import AppClient
from tests.support import GraphQLClient

CALENDAR = "{ me { calendarUrl } }"
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "guildhall.example.cn",
             "X-Forwarded-For": "203.0.113.7, 127.0.0.1"}


async def _calendar_url(http: httpx.AsyncClient, token: str, headers: dict[str, str] | None = None) -> str:
    response = await http.post("/graphql", json={"query": CALENDAR},
                               headers={"Authorization": f"Bearer {token}", **(headers or {})})
    url = response.json()["data"]["me"]["calendarUrl"]
    assert isinstance(url, str)
    return url


async def test_links_follow_the_host_the_request_came_to(app_client: AppClient, gql: GraphQLClient) -> None:
    user = await gql.user()
    async with app_client() as http:
        assert (await _calendar_url(http, user.token)).startswith("http://test/training/calendar/")
        # Not from a trusted proxy: forwarded headers are ignored.
        assert (await _calendar_url(http, user.token, FORWARDED)).startswith("http://test/training/calendar/")


async def test_public_url_setting_wins(app_client: AppClient, gql: GraphQLClient) -> None:
    user = await gql.user()
    async with app_client(public_url="https://api.example.cn/") as http:
        url = await _calendar_url(http, user.token, FORWARDED)
    assert url.startswith("https://api.example.cn/training/calendar/")


async def test_a_trusted_proxy_sets_scheme_and_host(app_client: AppClient, gql: GraphQLClient) -> None:
    user = await gql.user()
    async with app_client(trusted_proxies="127.0.0.0/8, ::1") as http:  # httpx's ASGI peer is 127.0.0.1
        url = await _calendar_url(http, user.token, FORWARDED)
        assert url.startswith("https://guildhall.example.cn/training/calendar/")
        assert (await _calendar_url(http, user.token)).startswith("http://test/")


async def _client_seen(trusted: str, forwarded_for: str) -> str:
    async def echo(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        assert request.client is not None
        await PlainTextResponse(request.client.host)(scope, receive, send)

    app = TrustedProxyMiddleware(echo, [ip_network(item) for item in trusted.split(",") if item])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        return (await http.get("/", headers={"X-Forwarded-For": forwarded_for})).text


async def test_client_address_behind_trusted_proxies() -> None:
    assert await _client_seen("127.0.0.1", "198.51.100.9, 203.0.113.7") == "203.0.113.7"
    assert await _client_seen("127.0.0.1,203.0.113.0/24", "198.51.100.9, 203.0.113.7") == "198.51.100.9"
    assert await _client_seen("", "198.51.100.9") == "127.0.0.1"  # no trusted proxy: the peer
