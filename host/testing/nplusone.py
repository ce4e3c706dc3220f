"""N+1 checks driven by the schema: SQL statements per request must not grow with list length.

``plan_checks`` walks the schema. Every ``Node`` type becomes a *parent list*: ``nodes(ids:)`` with
10 and then 100 ids of rows its factory (``host.testing.factories``) made, selecting every field
of the type and of the objects one level down (connections and edges do not count as a level), so each of
its list and connection fields, the fields plugins add to it included, is resolved once per
parent. Every list or connection field of ``Query`` is asked for with ``first: 10`` and
``first: 100``. ``run_checks`` runs each such request once per viewer and reports every one whose
statement count is higher at 100 than at 10 by more than a tenth of the extra rows (``grows``,
``slack``: batches split by the event loop vary by a few statements on PostgreSQL); it then names
the fields responsible by asking for them one at a time.

Nothing is skipped silently: a list field that no check selects (its type has no factory, or a
required argument has no value) is a problem; a type a check needs without a factory raises
``MissingFactory``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    get_named_type,
)

from core.relay import to_global_id
from host.testing.factories import Factories, World
from host.testing.support import GraphQLClient, User, count_statements

SIZES = (10, 100)
DEPTH = 1
# Errors a viewer may legitimately get from a root list (e.g. `auditLog` for non-superusers).
REFUSALS = frozenset({"PERMISSION_DENIED", "UNAUTHENTICATED"})


def is_list(type_: Any) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def is_connection(named: GraphQLNamedType) -> bool:
    return isinstance(named, GraphQLObjectType) and "edges" in named.fields and "pageInfo" in named.fields


def is_edge(named: GraphQLNamedType) -> bool:
    return isinstance(named, GraphQLObjectType) and "node" in named.fields and "cursor" in named.fields


def is_many(f: GraphQLField) -> bool:
    """A list field, or a connection (a list with pages)."""
    return is_list(f.type) or is_connection(get_named_type(f.type))


def node_types(schema: GraphQLSchema) -> list[GraphQLObjectType]:
    node = schema.get_type("Node")
    return sorted(
        (
            t
            for t in schema.type_map.values()
            if isinstance(t, GraphQLObjectType) and any(i is node for i in t.interfaces)
        ),
        key=lambda t: t.name,
    )


def literal(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class MissingArguments(LookupError):
    pass


@dataclass
class Selection:
    """Builds selection sets and remembers which list fields they contain."""

    factories: Factories
    world: World
    covered: set[str] = field(default_factory=set)

    def arguments(self, owner: str, name: str, f: GraphQLField, extra: dict[str, Any] | None = None) -> str:
        given = {**self.factories.arguments_for(f"{owner}.{name}", self.world), **(extra or {})}
        missing = [
            a
            for a, arg in f.args.items()
            if isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined and a not in given
        ]
        if missing:
            raise MissingArguments(
                f"{owner}.{name} needs {', '.join(missing)}: give values with "
                f"factories.arguments({f'{owner}.{name}'!r}, lambda world: {{...}})"
            )
        return "(" + ", ".join(f"{k}: {literal(v)}" for k, v in given.items()) + ")" if given else ""

    def of(self, type_: GraphQLObjectType | GraphQLInterfaceType, depth: int, only: Iterable[str] | None = None) -> str:
        """``{ … }`` of every field (or those in ``only``), objects ``depth`` levels down."""
        parts = ["__typename"]
        for name, f in type_.fields.items():
            if only is not None and name not in only:
                continue
            try:
                args = self.arguments(type_.name, name, f)
            except MissingArguments:
                if is_many(f):
                    raise
                continue  # a scalar or object field with required arguments: not a list to check
            named = get_named_type(f.type)
            if isinstance(named, GraphQLScalarType | GraphQLEnumType):
                parts.append(name + args)
            elif isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
                parts.append(f"{name}{args} {{ __typename }}")
            elif isinstance(named, GraphQLObjectType):
                wrapper = is_connection(named) or is_edge(named)
                if not wrapper and depth == 0:
                    continue
                parts.append(f"{name}{args} {self.of(named, depth if wrapper else depth - 1)}")
            else:  # pragma: no cover - no other output types exist
                continue
            if is_many(f):
                self.covered.add(f"{type_.name}.{name}")
        return "{ " + " ".join(parts) + " }"


@dataclass
class Check:
    """One request at each size: under ``nodes(ids:)`` for a Node type, or a root list field."""

    label: str
    fields: list[str]  # the list fields it checks, "Type.field"
    type_name: str  # the Node type (parent list) or the root field's element type
    root_field: str | None = None  # None: nodes(ids:)

    def document(
        self,
        selection: Selection,
        schema: GraphQLSchema,
        size: int,
        only: Iterable[str] | None = None,
    ) -> str:
        if self.root_field is None:
            node = schema.get_type(self.type_name)
            assert isinstance(node, GraphQLObjectType)
            return (
                f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ __typename ... on {self.type_name} "
                f"{selection.of(node, DEPTH, only)} }} }}"
            )
        query = schema.query_type
        assert query is not None
        f = query.fields[self.root_field]
        extra = {"first": size} if "first" in f.args else {}
        args = selection.arguments("Query", self.root_field, f, extra)
        named = get_named_type(f.type)
        assert isinstance(named, GraphQLObjectType)
        return f"query {{ {self.root_field}{args} {selection.of(named, DEPTH)} }}"


@dataclass
class Plan:
    checks: list[Check]
    problems: list[str]


def list_fields(type_: GraphQLObjectType) -> list[str]:
    return [f"{type_.name}.{name}" for name, f in type_.fields.items() if is_many(f)]


def reachable(schema: GraphQLSchema) -> set[str]:
    """Object types reachable from Query and Subscription (mutation payloads are not lists to page)."""
    seen: set[str] = set()
    stack: list[GraphQLNamedType] = [t for t in (schema.query_type, schema.subscription_type) if t is not None]
    while stack:
        type_ = stack.pop()
        if type_.name in seen:
            continue
        seen.add(type_.name)
        candidates: list[GraphQLNamedType] = []
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            candidates = [get_named_type(f.type) for f in type_.fields.values()]
        if isinstance(type_, GraphQLInterfaceType):
            candidates += list(schema.get_possible_types(type_))
        if isinstance(type_, GraphQLUnionType):
            candidates += list(type_.types)
        stack += [c for c in candidates if isinstance(c, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)]
    return seen


def plan_checks(schema: GraphQLSchema, factories: Factories, world: World) -> tuple[Plan, Selection]:
    selection = Selection(factories, world)
    checks: list[Check] = []
    problems: list[str] = []
    for node in node_types(schema):
        if node.name not in factories:
            problems.append(
                f"{node.name}: no test-data factory (host/testing/factories.py), so none of its "
                f"fields can be checked: {', '.join(list_fields(node)) or 'no list fields'}"
            )
            continue
        checks.append(Check(f"nodes(ids:) {{ ... on {node.name} }}", list_fields(node), node.name))
    query = schema.query_type
    assert query is not None
    for name, f in query.fields.items():
        if not is_many(f):
            continue
        named = get_named_type(f.type)
        element = get_named_type(named.fields["edges"].type).fields["node"].type if is_connection(named) else f.type
        element_name = get_named_type(element).name
        if name == "nodes":
            continue  # every Node type's check is a `nodes(ids:)` list
        if "first" not in f.args and factories.unsized_reason(f"Query.{name}") is not None:
            selection.covered.add(f"Query.{name}")
            continue
        if "first" not in f.args:
            problems.append(f"Query.{name}: a root list without `first`, so its length cannot be varied")
            continue
        checks.append(Check(f"Query.{name}(first: N)", [f"Query.{name}"], element_name, root_field=name))
        selection.covered.add(f"Query.{name}")
    # Every check's document once, so `covered` knows what is selected and missing arguments show.
    for check in checks:
        try:
            check.document(selection, schema, SIZES[0])
        except MissingArguments as exc:
            problems.append(str(exc))
    if any(c.root_field is None for c in checks):
        selection.covered.add("Query.nodes")
    types = reachable(schema)
    wanted = {
        name
        for t in schema.type_map.values()
        if isinstance(t, GraphQLObjectType) and t.name in types
        for name in list_fields(t)
    }
    for name in sorted(wanted - selection.covered):
        problems.append(
            f"{name}: a list field no check selects (its type is not reached from a Node type's "
            f"fields {DEPTH} levels down, or from a root list)"
        )
    return Plan(checks, problems), selection


def slack(counts: dict[int, int]) -> int:
    """Statements a longer list may add without being an N+1: a tenth of the extra rows (9 for
    10 → 100), so a statement per row of even a tenth of the rows is caught.

    Why any: a DataLoader sends one batch per turn of the event loop, and which loads share a turn
    depends on the order database answers arrive. On PostgreSQL (real asynchronous I/O) the same
    request takes a few statements more or fewer from one run to the next, whatever the list
    length; on SQLite (answers in order) counts are equal. Fewer statements for the longer list
    are no N+1 either: it may already hold rows the shorter one has to read (the first page of an
    alliance's members, say), and the request's loader cache then answers them.
    """
    sizes = sorted(counts)
    return (sizes[-1] - sizes[0]) // 10


def grows(counts: dict[int, int]) -> bool:
    """More statements for the longest list than for the shortest, beyond ``slack``."""
    sizes = sorted(counts)
    return counts[sizes[-1]] - counts[sizes[0]] > slack(counts)


@dataclass
class Outcome:
    label: str
    viewer: str
    counts: dict[int, int]
    culprits: list[str] = field(default_factory=list)


async def _count(
    client: GraphQLClient, document: str, variables: dict[str, Any], user: User | None, root: bool
) -> tuple[int, dict[str, Any]]:
    with count_statements(propagate=False) as counter:
        response = await client.raw(document, variables, user)
    body = response.json()
    errors = body.get("errors") or []
    codes = {(e.get("extensions") or {}).get("code") for e in errors}
    if errors and not (root and codes <= REFUSALS):
        raise AssertionError(f"{document}\n{variables}\n-> {errors[:3]}")
    return counter.count, body


async def run_checks(
    client: GraphQLClient,
    schema: GraphQLSchema,
    factories: Factories,
    world: World,
    viewers: dict[str, User | None],
    sizes: Sequence[int] = SIZES,
) -> list[str]:
    """Make the rows, run every check for every viewer at each size; the problems found, each
    naming the check, the viewer, the counts and the fields responsible."""
    ids: dict[str, list[str]] = {}
    for node in node_types(schema):
        if node.name in factories:
            made = await world.make(node.name, max(sizes))
            ids[node.name] = [to_global_id(node.name, pk) for pk in made]
    plan, selection = plan_checks(schema, factories, world)
    problems = list(plan.problems)
    for check in plan.checks:
        for viewer, user in viewers.items():
            counts: dict[int, int] = {}
            for size in sizes:
                variables = {} if check.root_field else {"ids": ids[check.type_name][:size]}
                document = check.document(selection, schema, size)
                counts[size], body = await _count(client, document, variables, user, check.root_field is not None)
                if viewer == "superuser" and check.root_field is None:
                    shown = [n for n in body["data"]["nodes"] if n is not None]
                    if len(shown) != size:
                        problems.append(
                            f"{check.label}: the superuser sees {len(shown)} of {size} rows its factory made"
                        )
            if not grows(counts):
                continue
            culprits = []
            parent = schema.get_type(check.type_name)
            if check.root_field is None and isinstance(parent, GraphQLObjectType):
                for short in parent.fields:
                    name = f"{check.type_name}.{short}"
                    one: dict[int, int] = {}
                    for size in sizes:
                        document = check.document(selection, schema, size, only=[short])
                        one[size], _ = await _count(client, document, {"ids": ids[check.type_name][:size]}, user, False)
                    if grows(one):
                        culprits.append(f"{name} {one}")
            outcome = Outcome(check.label, viewer, counts, culprits)
            problems.append(
                f"{outcome.label} as {outcome.viewer}: statements {outcome.counts}"
                + (f"; growing: {'; '.join(outcome.culprits)}" if outcome.culprits else "")
            )
    return problems
