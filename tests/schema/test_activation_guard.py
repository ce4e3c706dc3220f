"""The host, not each plugin, refuses every mutation of an activity plugin where it is off.

The test walks every plugin mutation in the registry, builds a request from the schema with the
ID its ``ActsIn`` declaration reads pointing at a demo record, and checks that the answer is
PLUGIN_DISABLED with nothing written; with the plugin switched back on the same request is no
longer refused by the host (so the declaration points at the right organisation).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)
from tortoise import Tortoise

from core.organisations.models import OrganisationPlugin
from core.plugin_api import ACTS_IN, ActsIn
from core.registry import CORE_PLUGIN, Registry
from core.relay import to_global_id
from core.runtime import Runtime
from host.demo import load_demo
from schema import build_schema
from tests.support import GraphQLClient

SCALARS: dict[str, Any] = {
    "String": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": True,
    "JSON": {},
    "DateTime": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
    "Date": (datetime.now(UTC).date() + timedelta(days=3)).isoformat(),
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _value(type_: GraphQLInputType, path: list[str], target: list[str], target_id: str) -> Any:
    """A value of ``type_``; the field at ``target`` gets ``target_id``, IDs elsewhere a dummy."""
    if isinstance(type_, GraphQLNonNull):
        return _value(type_.of_type, path, target, target_id)
    if isinstance(type_, GraphQLList):
        return [_value(type_.of_type, path, target, target_id)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        value = {}
        for name, field in type_.fields.items():
            here = [*path, name]
            if isinstance(field.type, GraphQLNonNull) or here == target[: len(here)]:
                value[name] = _value(field.type, here, target, target_id)
        return value
    assert isinstance(type_, GraphQLScalarType)
    if type_.name == "ID":
        return target_id if path == target else to_global_id("Person", 1)
    return SCALARS[type_.name]


def _request(name: str, field: GraphQLField, acts_in: ActsIn, target_id: str) -> tuple[str, dict[str, Any]]:
    assert acts_in.path is not None
    target = [_camel(part) for part in acts_in.path.split(".")]
    definitions, arguments, variables = [], [], {}
    for arg_name, arg in field.args.items():
        if not isinstance(arg.type, GraphQLNonNull) and arg_name != target[0]:
            continue
        definitions.append(f"${arg_name}: {arg.type}")
        arguments.append(f"{arg_name}: ${arg_name}")
        variables[arg_name] = _value(arg.type, [arg_name], target, target_id)
    document = f"mutation({', '.join(definitions)}) {{ {name}({', '.join(arguments)}) {{ errors {{ code field }} }} }}"
    return document, variables


async def _row_counts() -> dict[str, int]:
    assert Tortoise.apps is not None
    return {model._meta.db_table: await model.all().count() for model in Tortoise.apps.get_models_iterable()}


def _plugin_mutations(registry: Registry) -> list[tuple[str, str, ActsIn]]:
    from strawberry.types.base import StrawberryObjectDefinition

    found = []
    for contribution in registry.mutations:
        if contribution.plugin == CORE_PLUGIN:
            continue
        definition = contribution.item.__strawberry_definition__
        assert isinstance(definition, StrawberryObjectDefinition)
        for field in definition.fields:
            acts_in = field.metadata[ACTS_IN]
            found.append((contribution.plugin, _camel(field.python_name), acts_in))
    return found


async def _owned_record(acts_in: ActsIn) -> str:
    row = await acts_in.model.all().order_by("id").first()
    assert row is not None, f"the demo has no {acts_in.type_name}"
    return to_global_id(acts_in.type_name or "", row.pk)


async def test_every_plugin_mutation_is_refused_where_the_plugin_is_off(
    rt: Runtime, registry: Registry, gql: GraphQLClient
) -> None:
    assert await load_demo(rt) is not None
    superuser = await gql.superuser()
    graphql_schema = build_schema(registry, rt.settings)._schema
    mutation_type = graphql_schema.mutation_type
    assert mutation_type is not None
    walked, personal = [], []
    for plugin, name, acts_in in _plugin_mutations(registry):
        if acts_in.organisation_of is None:
            personal.append(name)
            continue
        target_id = await _owned_record(acts_in)
        document, variables = _request(name, mutation_type.fields[name], acts_in, target_id)
        await OrganisationPlugin.filter(plugin=plugin).update(enabled=False)
        before = await _row_counts()
        refused = await gql(document, variables, user=superuser)
        assert refused[name]["errors"] == [{"code": "PLUGIN_DISABLED", "field": acts_in.field}], name
        assert await _row_counts() == before, f"{name} wrote while {plugin} was off"

        await OrganisationPlugin.filter(plugin=plugin).update(enabled=True)
        org_id = await acts_in.organisation_of(_python_arguments(variables, acts_in))
        await OrganisationPlugin.get_or_create(organisation_id=org_id, plugin=plugin, defaults={"enabled": True})
        answered = await gql.raw(document, variables, user=superuser)
        codes = [e["code"] for e in (answered.json().get("data") or {}).get(name, {}).get("errors", [])]
        assert "PLUGIN_DISABLED" not in codes, f"{name} declares the wrong organisation"
        walked.append(name)
    assert len(walked) >= 20, walked
    # The viewer's own things: a calendar feed; offers on the (cross-organisation) resource list.
    assert sorted(personal) == ["offerCreate", "offerUpdate", "trainingCalendarReset"]


def _python_arguments(variables: dict[str, Any], acts_in: ActsIn) -> dict[str, Any]:
    """The resolver's arguments as ``ActsIn`` reads them: snake_case attributes."""

    class Namespace:
        def __init__(self, values: dict[str, Any]) -> None:
            for key, value in values.items():
                snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in key)
                setattr(self, snake, Namespace(value) if isinstance(value, dict) else value)

    return {key: Namespace(value) if isinstance(value, dict) else value for key, value in variables.items()}
