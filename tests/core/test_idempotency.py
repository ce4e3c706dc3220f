"""Retries with an Idempotency-Key run a mutation once and replay its answer."""

from __future__ import annotations

import asyncio

from core.organisations.models import Organisation
from tests.support import GraphQLClient

CREATE = {"query": "mutation { organisationCreate(input: {name: \"海州重工\", kind: ENTERPRISE}) "
                   "{ organisation { id } errors { code } } }"}


async def test_a_retried_mutation_runs_once(gql: GraphQLClient) -> None:
    admin = await gql.superuser()
    headers = {"Authorization": f"Bearer {admin.token}", "Idempotency-Key": "create-1"}
    first = await gql.http.post("/graphql", json=CREATE, headers=headers)
    retry = await gql.http.post("/graphql", json=CREATE, headers=headers)
    assert first.json() == retry.json()
    assert retry.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert await Organisation.filter(name="海州重工").count() == 1
    other = await gql.http.post("/graphql", json=CREATE, headers={**headers, "Idempotency-Key": "create-2"})
    assert other.status_code == 200 and await Organisation.filter(name="海州重工").count() == 2


async def test_a_key_reused_for_another_body_is_refused(gql: GraphQLClient) -> None:
    admin = await gql.superuser()
    headers = {"Authorization": f"Bearer {admin.token}", "Idempotency-Key": "k"}
    await gql.http.post("/graphql", json=CREATE, headers=headers)
    changed = await gql.http.post("/graphql", json={"query": "{ me { id } }"}, headers=headers)
    assert changed.status_code == 422
    assert changed.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_keys_are_per_caller(gql: GraphQLClient) -> None:
    a, b = await gql.superuser(), await gql.superuser()
    for user in (a, b):
        await gql.http.post("/graphql", json=CREATE, headers={"Authorization": f"Bearer {user.token}",
                                                              "Idempotency-Key": "same"})
    assert await Organisation.filter(name="海州重工").count() == 2


async def test_concurrent_retries_run_once(gql: GraphQLClient) -> None:
    admin = await gql.superuser()
    headers = {"Authorization": f"Bearer {admin.token}", "Idempotency-Key": "burst"}
    responses = await asyncio.gather(*(gql.http.post("/graphql", json=CREATE, headers=headers) for _ in range(5)))
    assert sorted(r.status_code for r in responses).count(200) >= 1
    assert {r.status_code for r in responses} <= {200, 409}
    assert await Organisation.filter(name="海州重工").count() == 1
