"""Compiled query plans (``schema/compiled.py``) answer exactly what graphql-core's executor
answers: the same JSON, errors included, for every field of the schema and every kind of viewer.

The schema-wide check reuses the N+1 walk's documents (``host.testing.nplusone``: every type's
fields two levels deep under ``nodes(ids:)`` and every root list), so a new field or plugin is
compared without touching this file.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from prometheus_client import REGISTRY

from core.organisations.models import Organisation, OrganisationKind
from core.people.models import MembershipRole
from core.relay import to_global_id
from core.runtime import Runtime
from host.testing.factories import Factories, World
from host.testing.nplusone import node_types, plan_checks
from host.testing.support import GraphQLClient, User
from schema import compiled
from schema.build import build_schema

UNLIMITED = {
    "max_query_cost": 10**9,
    "max_query_tokens": 10**6,
    "max_query_depth": 100,
    "max_request_bytes": 10**7,
    "query_timeout_seconds": 600.0,
}
ROWS = 3


def executions(path: str) -> float:
    return REGISTRY.get_sample_value("guildhall_compiled_queries_total", {"path": path}) or 0.0


@pytest_asyncio.fixture(loop_scope="session")
async def both(gql: GraphQLClient) -> AsyncIterator[tuple[GraphQLClient, GraphQLClient]]:
    planned = gql.with_settings(**UNLIMITED)
    reference = gql.with_settings(**UNLIMITED, compiled_queries=False)
    try:
        yield planned, reference
    finally:
        await planned.http.aclose()
        await reference.http.aclose()


def comparable(body: dict[str, Any]) -> dict[str, Any]:
    """The answer without the caller's token-bucket level (both clients share the bucket)."""
    cost = (body.get("extensions") or {}).get("cost") or {}
    cost.pop("throttleStatus", None)
    return body


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    if type(a) is not type(b):
        return f"{path}: {a!r:.200} != {b!r:.200}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        for key in a:
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r:.200} != {b!r:.200}"


async def answers(
    both: tuple[GraphQLClient, GraphQLClient], document: str, variables: dict[str, Any] | None = None,
    user: User | None = None,
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Both answers, and which path the planned side took."""
    planned, reference = both
    before = {path: executions(path) for path in ("planned", "fallback", "reference")}
    first = comparable((await planned.raw(document, variables, user)).json())
    taken = [path for path in before if executions(path) > before[path]]
    second = comparable((await reference.raw(document, variables, user)).json())
    return first, second, ",".join(taken)


async def test_every_field_answers_the_same_both_ways(
    gql: GraphQLClient, rt: Runtime, factories: Factories, both: tuple[GraphQLClient, GraphQLClient]
) -> None:
    world = await World.create(factories, rt.registry.activity_plugins, rt.now())
    viewers: dict[str, User | None] = {
        "anonymous": None,
        "member": await gql.user("成员", org=world.org),
        "admin": await gql.user("管理员", org=world.org, role=MembershipRole.ADMIN),
        "superuser": await gql.superuser(),
    }
    schema = build_schema(rt.registry, both[0].rt.settings)._schema
    ids: dict[str, list[str]] = {}
    for node in node_types(schema):
        if node.name in factories:
            ids[node.name] = [to_global_id(node.name, pk) for pk in await world.make(node.name, ROWS)]
    plan, selection = plan_checks(schema, factories, world)
    differences, not_planned, compared, planned = [], [], 0, 0
    for check in plan.checks:
        document = check.document(selection, schema, ROWS)
        variables = {} if check.root_field else {"ids": ids[check.type_name]}
        for viewer, user in viewers.items():
            first, second, taken = await answers(both, document, variables, user)
            compared += 1
            difference = first_difference(first, second)
            if difference:
                differences.append(f"{check.label} as {viewer}: {difference}")
            elif "errors" not in second and taken == "fallback":
                not_planned.append(f"{check.label} as {viewer}: {taken}")
            planned += taken == "planned"
    assert compared > 100, compared  # the walk found the schema's fields
    assert not differences, "\n".join(differences[:5])
    # A successful answer never needed the fallback: the plan covers the schema.
    assert not not_planned, "\n".join(not_planned[:10])
    assert planned > compared / 2, (planned, compared)


LIST = """
query List($first: Int!) {
  organisations(first: $first) {
    totalCount
    edges { cursor node { id name ...Members } }
  }
}
fragment Members on Organisation {
  members(first: 2) { totalCount edges { role node { id name skills { level skill { id name } } } } }
  first: members(first: 1) { edges { node { __typename id } } }
}
"""


async def test_aliases_fragments_and_variables(gql: GraphQLClient, both: tuple[GraphQLClient, GraphQLClient]) -> None:
    org = await Organisation.create(name="工作室甲", kind=OrganisationKind.STUDIO)
    for name in ("甲", "乙", "丙"):
        await gql.user(name, org=org)
    first, second, taken = await answers(both, LIST, {"first": 5})
    assert taken == "planned"
    assert first == second
    edge = first["data"]["organisations"]["edges"][0]["node"]
    assert list(edge) == ["id", "name", "members", "first"]  # response order kept
    assert edge["first"]["edges"][0]["node"]["__typename"] == "Person"


async def test_a_failing_resolver_falls_back_to_graphql_core(
    gql: GraphQLClient, both: tuple[GraphQLClient, GraphQLClient]
) -> None:
    await Organisation.create(name="工作室甲", kind=OrganisationKind.STUDIO)
    # `first` out of range: the resolver raises; graphql-core answers with the error and its path.
    document = "query { a: organisations(first: 1) { totalCount } b: organisations(first: 100000) { totalCount } }"
    first, second, taken = await answers(both, document)
    assert taken == "fallback"
    assert first == second
    assert first["errors"][0]["path"] == ["b"]
    assert first["data"] is None or first["data"]["a"] == {"totalCount": 1}


@pytest.mark.parametrize(
    "document",
    [
        "query { organisations(first: 1) @include(if: true) { totalCount } }",
        "query { __schema { queryType { name } } }",
        "mutation { __typename }",
    ],
)
async def test_directives_introspection_and_mutations_take_graphql_core(
    both: tuple[GraphQLClient, GraphQLClient], document: str
) -> None:
    first, second, taken = await answers(both, document)
    assert taken in ("reference", "")  # mutations are not counted as queries
    assert "planned" not in taken
    assert first == second
    assert "errors" not in first


async def test_order_sensitive_fields_take_graphql_core(
    gql: GraphQLClient, both: tuple[GraphQLClient, GraphQLClient]
) -> None:
    org = await Organisation.create(name="工作室甲", kind=OrganisationKind.STUDIO)
    admin = await gql.user("管理员", org=org, role=MembershipRole.ADMIN)
    for name in ("甲", "乙"):
        await gql.user(name, org=org)
    document = """query($id: ID!) { node(id: $id) { ... on Organisation {
      members(first: 5) { edges { node { id growth(first: 2) { edges { cursor } } } } } } } }"""
    first, second, taken = await answers(both, document, {"id": to_global_id("Organisation", org.id)}, admin)
    assert taken == "reference"
    assert first == second
    growths = [edge["node"]["growth"] for edge in first["data"]["node"]["members"]["edges"]]
    assert sum(growth is not None for growth in growths) == 1  # one person per request


def test_plans_are_made_once_per_document(rt: Runtime) -> None:
    from graphql import parse

    schema = build_schema(rt.registry, rt.settings)._schema
    document = parse("query { organisations(first: 1) { totalCount } }")
    operation = document.definitions[0]
    first = compiled.plan_for(schema, operation, {})  # type: ignore[arg-type]
    assert first is not None
    assert compiled.plan_for(schema, operation, {}) is first  # type: ignore[arg-type]
    with_directive = parse("query { organisations(first: 1) @skip(if: false) { totalCount } }").definitions[0]
    assert compiled.plan_for(schema, with_directive, {}) is None  # type: ignore[arg-type]


def _finishes_in_a_thread(make: Any, seconds: float = 10) -> Any:
    """Run ``make()``'s coroutine on its own loop in a daemon thread: a stepping loop that spins
    without yielding cannot be stopped by ``asyncio.wait_for``, so the test would hang, not fail."""
    outcome: list[Any] = []
    thread = threading.Thread(target=lambda: outcome.append(asyncio.run(make())), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "run_together never finished (a busy loop that never yields?)"
    return outcome[0]


def test_coroutines_that_wait_on_each_other_finish() -> None:
    """A resolver may wait on what another resolver of the same level will finish (a fetch
    shared through ``Loaders.get``): stepping them together must not wait for all their futures
    at once, or both wait forever (the benchmark's home screen hung so). Two of them also wait on
    one future: counting futures instead of waiting coroutines made the loop spin forever."""

    async def scenario() -> list[Any]:
        loop = asyncio.get_running_loop()
        shared: asyncio.Future[str] = loop.create_future()
        batch: asyncio.Future[str] = loop.create_future()

        async def first() -> str:
            value = await batch  # a loader batch, dispatched by the loop
            shared.set_result(value + "!")
            return value

        async def second() -> str:
            return await shared  # finished only by `first`

        async def failing() -> str:
            await batch
            raise ValueError("boom")

        loop.call_later(0.05, batch.set_result, "rows")  # dispatched once all of them wait
        return await compiled.run_together([second(), first(), failing()])

    results = _finishes_in_a_thread(scenario)
    assert results[:2] == ["rows!", "rows"]
    assert isinstance(results[2], ValueError)


async def test_the_home_screen_answers_the_same_both_ways(
    gql: GraphQLClient, both: tuple[GraphQLClient, GraphQLClient]
) -> None:
    org = await Organisation.create(name="工作室甲", kind=OrganisationKind.STUDIO)
    member = await gql.user("成员", org=org)
    document = (Path(__file__).parents[2] / "benchmarks" / "documents" / "home.graphql").read_text()
    first, second, taken = await answers(both, document, {}, member)
    assert taken == "planned"
    assert first == second
    assert "errors" not in first
    assert first["data"]["me"]["memberships"][0]["organisation"]["name"] == "工作室甲"
