"""``build_schema(registry)``: root types merged from every plugin, core types extended per schema.

Plugin fields are copied into the schema being built and given the host's guards
(``schema/guards.py``); the plugins' own type definitions are never changed, so two schemas with
different plugin sets in one process share nothing.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from core.plugin_api import ACTS_IN, ActsIn, PluginError
from core.registry import CORE_PLUGIN, Contribution, Registry
from core.settings import Settings, get_settings
from core.unavailable import ServiceUnavailable
from schema.compiled import CompiledExecutor
from schema.extensions import build_extensions, schema_config
from schema.guards import ListGuard, MutationGuard, QueryErrors

SDL_PATH = Path(__file__).with_name("schema.graphql")
_CONFIG = StrawberryConfig()
GUARDED_TARGETS = frozenset({"Organisation"})


class GuildhallSchema(strawberry.Schema):
    """A schema whose extra fields on existing types belong to it alone.

    ``get_fields`` is strawberry's hook for the fields a type publishes; adding plugin fields
    here, instead of to the shared type definitions, keeps two schemas with different plugin
    sets from leaking fields into each other.
    """

    def __init__(self, *args: Any, extra_fields: dict[str, list[StrawberryField]], **kwargs: Any) -> None:
        self._extra_fields = extra_fields
        super().__init__(*args, **kwargs)

    def get_fields(self, type_definition: StrawberryObjectDefinition) -> list[StrawberryField]:
        return [*type_definition.fields, *self._extra_fields.get(type_definition.name, [])]


def _graphql_name(field: StrawberryField) -> str:
    return _CONFIG.name_converter.from_field(field)


def _definition(cls: type) -> StrawberryObjectDefinition:
    definition = getattr(cls, "__strawberry_definition__", None)
    if not isinstance(definition, StrawberryObjectDefinition):
        raise PluginError(f"{cls!r} is not a strawberry type")
    return definition


def _acts_in(field: StrawberryField) -> ActsIn | None:
    declared = field.metadata.get(ACTS_IN)
    return declared if isinstance(declared, ActsIn) else None


def _guarded(field: StrawberryField, guard: FieldExtension | None) -> StrawberryField:
    """A copy of ``field`` for this schema, with ``guard`` around its resolver."""
    clone = copy.copy(field)
    if guard is not None and field.is_async:
        clone.extensions = [*field.extensions, guard]
    return clone


def _mutation_guard(plugin: str, root: str, field: StrawberryField) -> FieldExtension:
    acts_in = _acts_in(field)
    if plugin == CORE_PLUGIN:
        return MutationGuard(None, None)
    if acts_in is None:
        raise PluginError(
            f"{plugin!r}: {root}.{_graphql_name(field)} must declare the organisation it acts in "
            "(metadata=in_organisation(...), in_owner_of(...) or in_no_organisation())"
        )
    if not field.is_async:
        raise PluginError(f"{plugin!r}: {root}.{_graphql_name(field)} must be async")
    return MutationGuard(plugin, acts_in)


def _query_guard(plugin: str, field: StrawberryField) -> FieldExtension:
    acts_in = _acts_in(field)
    if plugin != CORE_PLUGIN and acts_in is not None:
        return ListGuard(plugin, acts_in)
    return QueryErrors()


def _merge_root(name: str, contributions: Sequence[Contribution[type]]) -> type | None:
    """One root type from every plugin's types; a field defined twice names both plugins."""
    owners: dict[str, str] = {}
    fields: list[StrawberryField] = []
    for contribution in contributions:
        for field in _definition(contribution.item).fields:
            field_name = _graphql_name(field)
            if field_name in owners:
                raise PluginError(
                    f"{name}.{field_name} is defined by both {owners[field_name]!r} and {contribution.plugin!r}"
                )
            owners[field_name] = contribution.plugin
            if name == "Mutation":
                guard: FieldExtension | None = _mutation_guard(contribution.plugin, name, field)
            elif name == "Query":
                guard = _query_guard(contribution.plugin, field)
            else:
                guard = None
            fields.append(_guarded(field, guard))
    if not fields:
        return None
    merged = strawberry.type(type(name, tuple(c.item for c in contributions), {}))
    _definition(merged).fields = fields
    return merged


def _extension_guard(plugin: str, target: str) -> FieldExtension:
    if plugin != CORE_PLUGIN and target in GUARDED_TARGETS:
        return ListGuard(plugin, None)
    return QueryErrors()


def _extra_fields(registry: Registry) -> dict[str, list[StrawberryField]]:
    extra: dict[str, list[StrawberryField]] = defaultdict(list)
    owners: dict[tuple[str, str], str] = {}
    for contribution in registry.type_extensions:
        plugin, extension = contribution.plugin, contribution.item
        target = _definition(extension.target)
        for field in target.fields:
            owners.setdefault((target.name, _graphql_name(field)), "core")
        for field in _definition(extension.fields).fields:
            key = (target.name, _graphql_name(field))
            if key in owners:
                raise PluginError(f"{key[0]}.{key[1]} is defined by both {owners[key]!r} and {plugin!r}")
            owners[key] = plugin
            extra[target.name].append(_guarded(field, _extension_guard(plugin, target.name)))
    return dict(extra)


def build_schema(registry: Registry, settings: Settings | None = None) -> GuildhallSchema:
    query = _merge_root("Query", registry.queries)
    if query is None:
        raise PluginError("No plugin registers any query")
    return GuildhallSchema(
        query=query,
        mutation=_merge_root("Mutation", registry.mutations),
        subscription=_merge_root("Subscription", registry.subscriptions),
        types=[contribution.item for contribution in registry.types],
        # ServiceUnavailable last: it sees errors first (extensions unwind in reverse).
        extensions=[*build_extensions(settings or get_settings()), ServiceUnavailable],
        config=schema_config(settings or get_settings()),
        execution_context_class=CompiledExecutor if (settings or get_settings()).compiled_queries else None,
        extra_fields=_extra_fields(registry),
    )


def print_sdl(schema: strawberry.Schema) -> str:
    return schema.as_str() + "\n"
