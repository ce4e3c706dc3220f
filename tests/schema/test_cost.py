"""The static cost model (schema/cost.py): objects 1, scalars 0, lists times their page."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, parse

from core.errors import PublicError
from core.registry import Registry
from core.settings import Settings
from schema import build_schema
from schema.cost import operation_cost
from schema.limits import count_objects
from tests.support import gid


@pytest.fixture(scope="module")
def graphql_schema(registry: Registry, settings: Settings) -> GraphQLSchema:
    return build_schema(registry, settings)._schema


def cost(schema: GraphQLSchema, query: str, variables: dict[str, Any] | None = None) -> int:
    document = parse(query)
    [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return operation_cost(schema, document, operation, variables)


@pytest.mark.parametrize(("query", "expected"), [
    ("{ __typename }", 0),
    ("{ me { name phone } }", 1),
    # A connection costs 1; its nodes/edges lists take its `first`.
    ("{ people(first: 10) { totalCount nodes { name } } }", 1 + 10),
    ("{ people(first: 10) { edges { cursor node { name } } pageInfo { hasNextPage } } }", 1 + 10 * 2 + 1),
    # Without `first`: the default page (20).
    ("{ people { nodes { name } } }", 1 + 20),
    # Above the maximum page (100) the resolver refuses; the cost counts at most 100.
    ("{ people(first: 5000) { nodes { name } } }", 1 + 100),
    # Nested connections multiply.
    ("{ organisations(first: 5) { edges { node { name members(first: 10) { edges { node { name } } } } } } }",
     1 + 5 * (1 + 1 + (1 + 10 * 2))),
    # A plain list of objects: the default page; a list of scalars: 0.
    ("{ me { skills { level skill { name } } } }", 1 + 20 * 2),
    ("{ organisations(first: 2) { nodes { enabledPlugins } } }", 1 + 2),
    # A list field taking `first` (default 5 in the schema) multiplies by it.
    ('{ mentorSuggestions(apprenticeId: "x", skillId: "y") { mentor { name } } }', 5 * 2),
    ('{ mentorSuggestions(apprenticeId: "x", skillId: "y", first: 7) { mentor { name } } }', 7 * 2),
    # Introspection costs nothing.
    ("{ __schema { types { name fields { name } } } }", 0),
])
def test_cost_of_static_queries(graphql_schema: GraphQLSchema, query: str, expected: int) -> None:
    assert cost(graphql_schema, query) == expected


def test_variables_and_defaults_set_the_page(graphql_schema: GraphQLSchema) -> None:
    query = "query($n: Int) { people(first: $n) { nodes { name } } }"
    assert cost(graphql_schema, query, {"n": 50}) == 51
    assert cost(graphql_schema, query, {}) == 21
    with_default = "query($n: Int = 3) { people(first: $n) { nodes { name } } }"
    assert cost(graphql_schema, with_default, {}) == 4


def test_skip_and_include_are_honoured(graphql_schema: GraphQLSchema) -> None:
    query = """query($s: Boolean!) { me { name skills @skip(if: $s) { level } }
      people(first: 2) @include(if: $s) { nodes { id } } }"""
    assert cost(graphql_schema, query, {"s": True}) == 1 + (1 + 2)
    assert cost(graphql_schema, query, {"s": False}) == 1 + 20


def test_fragments_count_once_per_use(graphql_schema: GraphQLSchema) -> None:
    query = """
    query { a: people(first: 3) { nodes { ...P } } b: people(first: 2) { nodes { ...P } } }
    fragment P on Person { name skills { level } }"""
    assert cost(graphql_schema, query) == (1 + 3 * 21) + (1 + 2 * 21)


def test_abstract_selections_cost_the_dearest_concrete_type(graphql_schema: GraphQLSchema) -> None:
    """`node` is one object: a Person or an Organisation, never both, so fragments on different
    types are not added up; fields outside the fragments count for every type."""
    query = """query { node(id: "x") { id
      ... on Person { skills { level } }
      ... on Organisation { members(first: 10) { edges { node { name } } } }
      ...OrgName } }
    fragment OrgName on Organisation { parent { name } }"""
    person = 20
    organisation = (1 + 10 * 2) + 1  # the named fragment counts too
    assert cost(graphql_schema, query) == 1 + max(person, organisation)
    # A fragment on the interface itself applies to every type.
    on_node = '{ node(id: "x") { ... on Node { id } ... on Person { leader: memberships { role } } } }'
    assert cost(graphql_schema, on_node) == 1 + 20


def test_nodes_multiplies_by_the_number_of_ids(graphql_schema: GraphQLSchema) -> None:
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Person { name skills { level } } } }"
    ids = [gid("Person", i) for i in range(1, 4)]
    assert cost(graphql_schema, query, {"ids": ids}) == 3 * (1 + 20)
    assert cost(graphql_schema, query, {"ids": []}) == 0


def test_more_than_100_ids_are_refused_with_a_code(graphql_schema: GraphQLSchema) -> None:
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    assert cost(graphql_schema, query, {"ids": [gid("Person", i) for i in range(1, 101)]}) == 100
    with pytest.raises(PublicError) as refused:
        cost(graphql_schema, query, {"ids": [gid("Person", i) for i in range(1, 102)]})
    assert refused.value.extensions == {"code": "TOO_MANY_IDS", "field": "ids"}


def test_variables_that_do_not_coerce_cost_nothing(graphql_schema: GraphQLSchema) -> None:
    """Execution refuses them before any resolver runs, with its own error."""
    assert cost(graphql_schema, "query($n: Int) { people(first: $n) { nodes { id } } }", {"n": "many"}) == 0


def test_actual_cost_counts_the_objects_returned() -> None:
    data = {"people": {"totalCount": 2, "nodes": [{"name": "a"}, {"name": "b"}], "pageInfo": None},
            "__schema": {"types": [{"name": "X"}]}}
    assert count_objects(data) == 3
    assert count_objects(None) == 0
