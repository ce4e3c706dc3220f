"""Sign-in: login, rotation, reuse detection, sign-out, rate limits, bad tokens."""

from __future__ import annotations

from core.auth.models import RefreshToken
from core.auth.services import create_account
from core.people.models import Person
from tests.support import Clock, GraphQLClient

LOGIN = """
mutation Login($u: String!, $p: String!) {
  login(input: {username: $u, password: $p}) {
    accessToken refreshToken me { id name }
    errors { code message field }
  }
}"""
REFRESH = """
mutation($t: String!) { tokenRefresh(input: {refreshToken: $t}) {
  accessToken refreshToken errors { code field } } }"""
LOGOUT = """
mutation($t: String) { logout(input: {refreshToken: $t}) { ok errors { code } } }"""
ME = "{ me { id name } }"


async def _account(username: str = "wang", password: str = "secret-pass") -> Person:
    person = await Person.create(name="王建国")
    await create_account(username, password, person.id)
    return person


async def test_login_returns_tokens_and_the_person(gql: GraphQLClient) -> None:
    await _account()
    data = (await gql(LOGIN, {"u": "wang", "p": "secret-pass"}))["login"]
    assert data["errors"] == []
    assert data["me"]["name"] == "王建国"
    response = await gql.http.post("/graphql", json={"query": ME},
                                   headers={"Authorization": f"Bearer {data['accessToken']}"})
    assert response.json()["data"]["me"]["name"] == "王建国"


async def test_wrong_password_and_unknown_user_fail_alike(gql: GraphQLClient) -> None:
    await _account()
    wrong = (await gql(LOGIN, {"u": "wang", "p": "not-the-password"}))["login"]
    unknown = (await gql(LOGIN, {"u": "nobody", "p": "secret-pass"}))["login"]
    assert wrong["errors"] == unknown["errors"]
    assert wrong["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert wrong["accessToken"] is None and unknown["refreshToken"] is None


async def test_repeated_failures_are_rate_limited(gql: GraphQLClient) -> None:
    await _account()
    limit = gql.rt.settings.login_attempts_per_window
    for _ in range(limit):
        await gql(LOGIN, {"u": "wang", "p": "bad-password"})
    blocked = (await gql(LOGIN, {"u": "wang", "p": "secret-pass"}))["login"]
    assert blocked["errors"][0]["code"] == "RATE_LIMITED"
    assert await gql.rt.redis.ttl("auth:login-attempts:wang:127.0.0.1") > 0


async def test_refresh_rotates_and_a_reused_token_ends_the_sign_in(gql: GraphQLClient, clock: Clock) -> None:
    await _account()
    first = (await gql(LOGIN, {"u": "wang", "p": "secret-pass"}))["login"]["refreshToken"]
    second = (await gql(REFRESH, {"t": first}))["tokenRefresh"]
    assert second["errors"] == [] and second["refreshToken"] != first
    clock.advance(seconds=gql.rt.settings.refresh_reuse_grace_seconds + 1)  # past the refresh grace

    reused = (await gql(REFRESH, {"t": first}))["tokenRefresh"]
    assert reused["errors"] == [{"code": "INVALID_TOKEN", "field": "refreshToken"}]
    # The theft response revoked the whole family, including the newest token.
    after = (await gql(REFRESH, {"t": second["refreshToken"]}))["tokenRefresh"]
    assert after["errors"][0]["code"] == "INVALID_TOKEN"


async def test_refresh_tokens_are_stored_hashed(gql: GraphQLClient) -> None:
    await _account()
    token = (await gql(LOGIN, {"u": "wang", "p": "secret-pass"}))["login"]["refreshToken"]
    stored = await RefreshToken.all().values_list("token_hash", flat=True)
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64


async def test_logout_revokes_refresh_and_access_tokens(gql: GraphQLClient) -> None:
    await _account()
    login = (await gql(LOGIN, {"u": "wang", "p": "secret-pass"}))["login"]
    headers = {"Authorization": f"Bearer {login['accessToken']}"}
    out = await gql.http.post("/graphql", json={"query": LOGOUT, "variables": {"t": login["refreshToken"]}},
                              headers=headers)
    assert out.json()["data"]["logout"] == {"ok": True, "errors": []}
    assert (await gql(REFRESH, {"t": login["refreshToken"]}))["tokenRefresh"]["errors"][0]["code"] == "INVALID_TOKEN"
    again = await gql.http.post("/graphql", json={"query": ME}, headers=headers)
    assert again.status_code == 401
    assert again.json()["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"


async def test_expired_access_token_is_refused_with_a_code(gql: GraphQLClient, clock: Clock) -> None:
    await _account()
    token = (await gql(LOGIN, {"u": "wang", "p": "secret-pass"}))["login"]["accessToken"]
    clock.advance(seconds=gql.rt.settings.access_token_seconds + 1)
    response = await gql.http.post("/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"


async def test_malformed_authorization_header_is_refused(gql: GraphQLClient) -> None:
    response = await gql.http.post("/graphql", json={"query": ME}, headers={"Authorization": "Token abc"})
    assert response.status_code == 401


async def test_anonymous_me_is_null(gql: GraphQLClient) -> None:
    assert (await gql(ME))["me"] is None


async def test_tokens_are_judged_by_the_runtime_clock(gql: GraphQLClient, clock: Clock) -> None:
    clock.advance(days=2)  # issued "in the future" of the wall clock: still valid by ours
    user = await gql.user("王建国")
    assert (await gql(ME, user=user))["me"]["name"] == "王建国"
