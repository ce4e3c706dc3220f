"""Safe retries: the refresh grace, and Idempotency-Key scoped by account, 5xx and exceptions."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tortoise import connections

from core.auth.models import RefreshToken
from core.auth.services import create_account
from core.organisations.models import Organisation
from core.people.models import Person
from tests.support import Clock, GraphQLClient

LOGIN = """mutation($u: String!) { login(input: {username: $u, password: "secret-pass"}) {
  accessToken refreshToken errors { code } } }"""
REFRESH = """mutation($t: String!) { tokenRefresh(input: {refreshToken: $t}) {
  accessToken refreshToken errors { code field } } }"""
CREATE = {"query": 'mutation { organisationCreate(input: {name: "海州重工", kind: ENTERPRISE}) '
                   "{ organisation { id } errors { code } } }"}


async def _login(gql: GraphQLClient, username: str = "wang", superuser: bool = False) -> dict[str, Any]:
    person = await Person.create(name="王建国")
    await create_account(username, "secret-pass", person.id, superuser=superuser)
    data: dict[str, Any] = (await gql(LOGIN, {"u": username}))["login"]
    return data


async def _refresh(gql: GraphQLClient, token: str, agent: str = "app/1.0") -> dict[str, Any]:
    response = await gql.http.post("/graphql", json={"query": REFRESH, "variables": {"t": token}},
                                   headers={"User-Agent": agent})
    data: dict[str, Any] = response.json()["data"]["tokenRefresh"]
    return data


async def test_two_refreshes_together_get_the_same_pair_and_reuse_after_the_grace_ends_the_sign_in(
    gql: GraphQLClient, clock: Clock
) -> None:
    token = (await _login(gql))["refreshToken"]
    first, second = await asyncio.gather(_refresh(gql, token), _refresh(gql, token))
    assert first["errors"] == second["errors"] == []
    assert (first["accessToken"], first["refreshToken"]) == (second["accessToken"], second["refreshToken"])
    assert await RefreshToken.all().count() == 2  # one successor, not two

    clock.advance(seconds=gql.rt.settings.refresh_reuse_grace_seconds + 1)
    third = await _refresh(gql, token)
    assert third["errors"] == [{"code": "INVALID_TOKEN", "field": "refreshToken"}]
    # Theft response: the family is revoked, the successor too.
    assert (await _refresh(gql, first["refreshToken"]))["errors"][0]["code"] == "INVALID_TOKEN"


async def test_reuse_within_the_grace_by_another_client_ends_the_sign_in(gql: GraphQLClient) -> None:
    token = (await _login(gql))["refreshToken"]
    issued = await _refresh(gql, token, agent="app/1.0")
    stolen = await _refresh(gql, token, agent="curl/8.0")
    assert stolen["errors"][0]["code"] == "INVALID_TOKEN"
    assert (await _refresh(gql, issued["refreshToken"]))["errors"][0]["code"] == "INVALID_TOKEN"


async def test_the_successor_is_stored_sealed_and_erased_after_the_grace(gql: GraphQLClient, clock: Clock) -> None:
    token = (await _login(gql))["refreshToken"]
    successor = await _refresh(gql, token)
    [spent] = await RefreshToken.filter(used_at__not_isnull=True)
    assert spent.successor_sealed is not None
    assert successor["refreshToken"] not in spent.successor_sealed
    assert successor["accessToken"] not in spent.successor_sealed
    clock.advance(seconds=gql.rt.settings.refresh_reuse_grace_seconds + 1)
    await _refresh(gql, successor["refreshToken"])  # any later refresh of the family erases it
    await spent.refresh_from_db()
    assert spent.successor_sealed is None


async def test_an_idempotent_retry_after_a_token_refresh_replays(gql: GraphQLClient) -> None:
    pair = await _login(gql, "admin", superuser=True)
    key = {"Idempotency-Key": "create-after-refresh"}
    first = await gql.http.post("/graphql", json=CREATE,
                                headers={"Authorization": f"Bearer {pair['accessToken']}", **key})
    refreshed = await _refresh(gql, pair["refreshToken"])
    assert refreshed["accessToken"] != pair["accessToken"]
    retry = await gql.http.post("/graphql", json=CREATE,
                                headers={"Authorization": f"Bearer {refreshed['accessToken']}", **key})
    assert retry.headers["idempotent-replayed"] == "true" and retry.json() == first.json()
    assert await Organisation.filter(name="海州重工").count() == 1


async def test_a_5xx_answer_is_not_stored(gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = await gql.superuser()
    headers = {"Authorization": f"Bearer {admin.token}", "Idempotency-Key": "k"}
    with monkeypatch.context() as patch:
        client = connections.get("default")

        async def refused(*args: object, **kwargs: object) -> None:
            raise ConnectionRefusedError(111, "Connect call failed")

        def refused_transaction(*args: object, **kwargs: object) -> None:
            raise ConnectionRefusedError(111, "Connect call failed")

        for name in ("execute_query", "execute_query_dict", "execute_insert"):
            patch.setattr(client, name, refused)
        # Writes run in transactions (the audit entry goes with the change): refuse those too.
        patch.setattr(client, "_in_transaction", refused_transaction)
        failed = await gql.http.post("/graphql", json=CREATE, headers=headers)
    assert failed.status_code == 503
    assert failed.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    retry = await gql.http.post("/graphql", json=CREATE, headers=headers)
    assert retry.status_code == 200 and "idempotent-replayed" not in retry.headers
    assert await Organisation.filter(name="海州重工").count() == 1


async def test_an_exception_releases_the_key(gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = await gql.superuser()
    headers = {"Authorization": f"Bearer {admin.token}", "Idempotency-Key": "k"}

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug before the mutation ran")

    with monkeypatch.context() as patch:
        patch.setattr("host.graphql_view.authenticate", broken)
        with pytest.raises(RuntimeError):
            await gql.http.post("/graphql", json=CREATE, headers=headers)
    assert await gql.rt.redis.keys("idempotency:*") == []
    retry = await gql.http.post("/graphql", json=CREATE, headers=headers)
    assert retry.status_code == 200 and "idempotent-replayed" not in retry.headers
    assert await Organisation.filter(name="海州重工").count() == 1
