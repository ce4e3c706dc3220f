"""GraphQL over HTTP: media type negotiation and status codes; GraphiQL from the app's own assets."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest

from host.graphql_view import negotiate

GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.mark.parametrize(("accept", "chosen"), [
    (None, "application/json"),
    ("*/*", "application/json"),
    ("application/json", "application/json"),
    (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
    (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),  # Apollo Client
    (f"application/json, {GRAPHQL_RESPONSE};q=0.5", "application/json"),
    (f"{GRAPHQL_RESPONSE};q=0", "application/json"),
    ("text/plain", "application/json"),
])
def test_negotiate(accept: str | None, chosen: str) -> None:
    assert negotiate(accept) == chosen


async def test_graphql_response_json_success_and_request_errors(http: httpx.AsyncClient) -> None:
    headers = {"Accept": GRAPHQL_RESPONSE}
    ok = await http.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
    assert ok.status_code == 200 and ok.headers["content-type"] == GRAPHQL_RESPONSE
    assert ok.json()["data"] == {"__typename": "Query"} and "errors" not in ok.json()

    for query in ("{", "{ noSuchField }", "query Q($id: ID!) { __typename }"):
        refused = await http.post("/graphql", json={"query": query}, headers=headers)
        assert refused.status_code == 400, query
        assert refused.headers["content-type"] == GRAPHQL_RESPONSE
        assert "data" not in refused.json() and refused.json()["errors"]

    coercion = await http.post("/graphql", headers=headers, json={
        "query": "query Q($first: Int) { skills(first: $first) { totalCount } }", "variables": {"first": "x"}})
    assert coercion.status_code == 400 and coercion.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_field_errors_keep_200_and_data_under_either_media_type(http: httpx.AsyncClient) -> None:
    for accept in (GRAPHQL_RESPONSE, "application/json"):
        response = await http.post("/graphql", json={"query": "{ me { id } }"}, headers={"Accept": accept})
        body = response.json()
        assert response.status_code == 200 and "data" in body, accept


async def test_application_json_keeps_200_for_request_errors(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{"}, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.json()["data"] is None


# GraphiQL ----------------------------------------------------------------------------------------


async def test_graphiql_page_loads_nothing_from_other_hosts(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert not [url for url in urls if re.match(r"(?:https?:)?//", url)], urls
    assert not re.search(r"unpkg|jsdelivr|cdn", page.text)
    # react, react-dom, js-cookie, graphiql (js, css), the explorer plugin (js, css)
    assert sum(url.startswith("/graphql/ide/") for url in urls) == 7


async def test_graphiql_assets_are_served_and_match_their_integrity_hashes(http: httpx.AsyncClient) -> None:
    page = (await http.get("/graphql", headers={"Accept": "text/html"})).text
    tags = re.findall(r'(?:src|href)="(/graphql/ide/[^"]+)"\s+integrity="sha384-([^"]+)"', page)
    assert len(tags) == 7
    for url, integrity in tags:
        asset = await http.get(url)
        assert asset.status_code == 200, url
        assert base64.b64encode(hashlib.sha384(asset.content).digest()).decode() == integrity, url
        assert "immutable" in asset.headers["cache-control"]
    assert (await http.get("/graphql/ide/react@18.2.0/package.json")).status_code == 404
    assert (await http.get("/graphql/ide/react@18.2.0/../../../pyproject.toml")).status_code == 404
