"""N+1-free everywhere, enforced: every list or connection field of the schema (core and plugins,
the fields plugins add to core types and ``nodes`` included), nested under a parent list of 10 and
of 100 rows, costs the same number of SQL statements, for each kind of viewer (within the few
statements event-loop batching varies by on PostgreSQL: ``host.testing.nplusone.slack``).

Schema-driven (``host.testing.nplusone``): a new list field is checked without touching this
file, and a type without a test-data factory (``host.testing.factories``) fails it.
"""

from __future__ import annotations

import re

import pytest
import strawberry

from core import hookimpl
from core.organisations.types import Organisation
from core.people.models import Membership, MembershipRole
from core.plugin_api import TypeExtension
from core.runtime import Runtime
from host.plugins import build_plugin_manager
from host.testing.factories import Factories, MissingFactory, World, load_factories
from host.testing.nplusone import plan_checks, run_checks
from host.testing.support import GraphQLClient, User, client_for, runtime_with, with_settings
from schema.build import build_schema

# Far above production limits: a check selects every field of a type two levels deep at 100 rows.
UNLIMITED = {
    "max_query_cost": 10**9,
    "max_query_tokens": 10**6,
    "max_query_depth": 100,
    "max_request_bytes": 10**7,
    "query_timeout_seconds": 600.0,
}


async def viewers_of(gql: GraphQLClient, world: World) -> dict[str, User | None]:
    return {
        "anonymous": None,
        "member": await gql.user("成员", org=world.org),
        "admin": await gql.user("管理员", org=world.org, role=MembershipRole.ADMIN),
        "superuser": await gql.superuser(),
    }


async def test_statements_do_not_grow_with_any_list(gql: GraphQLClient, rt: Runtime, factories: Factories) -> None:
    world = await World.create(factories, rt.registry.activity_plugins, rt.now())
    client = gql.with_settings(**UNLIMITED)
    try:
        schema = build_schema(rt.registry, client.rt.settings)._schema
        problems = await run_checks(client, schema, factories, world, await viewers_of(gql, world))
    finally:
        await client.http.aclose()
    assert not problems, "\n".join(problems)


# The check itself: it must fail on a field that is not batched, and on a type without a factory.


@strawberry.type
class NaiveOrganisationFields:
    @strawberry.field
    @staticmethod
    async def naive_member_names(parent: strawberry.Parent[Organisation]) -> list[str]:
        """One query per organisation: the N+1 the check exists to catch."""
        rows = await Membership.filter(organisation_id=parent.id).prefetch_related("person")
        return [row.person.name for row in rows]


class NaivePlugin:
    @hookimpl
    def extend_types(self) -> list[TypeExtension]:
        return [TypeExtension(target=Organisation, fields=NaiveOrganisationFields)]


async def test_an_unbatched_list_field_fails_the_check(gql: GraphQLClient, rt: Runtime) -> None:
    pm = build_plugin_manager([], entry_points=False)
    pm.register(NaivePlugin(), name="naive")
    naive = with_settings(runtime_with(rt, pm), **UNLIMITED)
    factories = load_factories([])  # core's only: the schema has no plugin types
    world = await World.create(factories, ["naive"], rt.now())  # plugin fields answer only where it is on
    client = client_for(naive)
    try:
        schema = build_schema(naive.registry, naive.settings)._schema
        problems = await run_checks(client, schema, factories, world, {"anonymous": None}, sizes=(2, 5))
    finally:
        await client.http.aclose()
    # Under `nodes` the field is named (`organisations(first:)` grows with it too).
    [nodes] = [p for p in problems if p.startswith("nodes(ids:) { ... on Organisation } as anonymous")]
    found = re.search(r"growing: .*Organisation\.naiveMemberNames \{2: (\d+), 5: (\d+)\}", nodes)
    assert found is not None, problems
    assert int(found[2]) - int(found[1]) >= 3, nodes  # at least a statement per extra organisation


async def test_a_node_type_without_a_factory_fails_the_check(rt: Runtime) -> None:
    factories = load_factories(rt.registry.activity_plugins)
    del factories._factories["Skill"]
    world = await World.create(factories, rt.registry.activity_plugins, rt.now())
    plan, _ = plan_checks(build_schema(rt.registry, rt.settings)._schema, factories, world)
    assert any(p.startswith("Skill: no test-data factory") for p in plan.problems), plan.problems
    assert "Skill" not in {check.type_name for check in plan.checks if check.root_field is None}
    with pytest.raises(MissingFactory, match="no test-data factory for Skill"):
        await world.make("Skill", 1)
