"""``build_schema(pm)``: root types merged from every plugin, core types extended per schema."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pluggy
import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from core.plugin_api import TypeExtension
from core.plugins import PluginError, hook_results
from core.settings import Settings, get_settings
from schema.extensions import build_extensions, schema_config

SDL_PATH = Path(__file__).with_name("schema.graphql")
_CONFIG = StrawberryConfig()


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


def _merge_root(name: str, contributions: list[tuple[str, type]]) -> type | None:
    """One root type from every plugin's types; a field defined twice names both plugins."""
    owners: dict[str, str] = {}
    types = []
    for plugin, cls in contributions:
        for field in _definition(cls).fields:
            field_name = _graphql_name(field)
            if field_name in owners:
                raise PluginError(
                    f"{name}.{field_name} is defined by both {owners[field_name]!r} and {plugin!r}"
                )
            owners[field_name] = plugin
        types.append(cls)
    if not types:
        return None
    return strawberry.type(type(name, tuple(types), {}))


def _contributions(pm: pluggy.PluginManager, hook: str) -> list[tuple[str, Any]]:
    return [(plugin, item) for plugin, items in hook_results(pm, hook) for item in items]


def _extra_fields(pm: pluggy.PluginManager) -> dict[str, list[StrawberryField]]:
    extra: dict[str, list[StrawberryField]] = defaultdict(list)
    owners: dict[tuple[str, str], str] = {}
    for plugin, extension in _contributions(pm, "extend_types"):
        if not isinstance(extension, TypeExtension):
            raise PluginError(f"{plugin!r}: extend_types must return TypeExtension objects")
        target = _definition(extension.target)
        for field in target.fields:
            owners.setdefault((target.name, _graphql_name(field)), "core")
        for field in _definition(extension.fields).fields:
            key = (target.name, _graphql_name(field))
            if key in owners:
                raise PluginError(f"{key[0]}.{key[1]} is defined by both {owners[key]!r} and {plugin!r}")
            owners[key] = plugin
            extra[target.name].append(field)
    return dict(extra)


def build_schema(pm: pluggy.PluginManager, settings: Settings | None = None) -> GuildhallSchema:
    query = _merge_root("Query", _contributions(pm, "register_queries"))
    if query is None:
        raise PluginError("No plugin registers any query")
    return GuildhallSchema(
        query=query,
        mutation=_merge_root("Mutation", _contributions(pm, "register_mutations")),
        subscription=_merge_root("Subscription", _contributions(pm, "register_subscriptions")),
        types=[cls for _plugin, cls in _contributions(pm, "register_types")],
        extensions=build_extensions(settings or get_settings()),
        config=schema_config(settings or get_settings()),
        extra_fields=_extra_fields(pm),
    )


def print_sdl(schema: strawberry.Schema) -> str:
    return schema.as_str() + "\n"
