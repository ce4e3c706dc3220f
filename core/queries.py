"""Root fields that belong to no one domain: Relay nodes and the installed plugins."""

from __future__ import annotations

import asyncio
import inspect
from collections import defaultdict

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core import errors
from core.context import Info
from core.errors import PublicError
from core.registry import Registry
from core.relay import parse_global_id


@strawberry.type(description="A plugin installed in this deployment.")
class InstalledPlugin:
    name: str
    version: str
    registry: strawberry.Private[Registry]

    @strawberry.field(description="JSON Schema of the plugin's per-organisation settings.")
    def settings_schema(self) -> JSON:
        return JSON(self.registry.settings_model(self.name).model_json_schema())


def _node_type(info: Info, type_name: str) -> type[relay.Node] | None:
    """The concrete Node type named in an ID; None for unknown names, interfaces and non-nodes."""
    definition = info.schema.get_type_by_name(type_name)
    if definition is None or getattr(definition, "is_interface", False):
        return None
    try:
        return relay.GlobalID(type_name, "0").resolve_type(info)
    except relay.GlobalIDValueError:
        return None


async def _resolve_nodes(node_type: type[relay.Node], info: Info, node_ids: list[str]) -> list[relay.Node | None]:
    """``resolve_nodes`` of any Node type; strawberry lets it answer directly or an awaitable."""
    found = node_type.resolve_nodes(info=info, node_ids=node_ids)
    return list(await found if inspect.isawaitable(found) else found)


def _node_ref(info: Info, value: str, field: str) -> tuple[type[relay.Node], str] | None:
    """The type and canonical node id of a global ID; a malformed ID is ``INVALID_ID``, a
    well-formed one of no Node type is None (so ``node`` answers null)."""
    parsed = parse_global_id(value)
    if parsed is None:
        raise PublicError(f"`{field}` must be a global ID from this API", errors.INVALID_ID, field)
    type_name, pk = parsed
    node_type = _node_type(info, type_name)
    # Plugins' resolve_nodes get the canonical decimal only, never the client's spelling.
    return None if node_type is None else (node_type, str(pk))


async def _resolve_refs(info: Info, refs: list[tuple[type[relay.Node], str] | None]) -> list[relay.Node | None]:
    """Nodes for parsed refs, in order, one ``resolve_nodes`` per type, the types together."""
    by_type: dict[type[relay.Node], list[tuple[int, str]]] = defaultdict(list)
    for index, ref in enumerate(refs):
        if ref is not None:
            by_type[ref[0]].append((index, ref[1]))
    found: list[relay.Node | None] = [None] * len(refs)
    types = list(by_type)
    results = await asyncio.gather(*(_resolve_nodes(t, info, [node_id for _, node_id in by_type[t]]) for t in types))
    for node_type, nodes in zip(types, results, strict=True):
        for (index, _), node in zip(by_type[node_type], nodes, strict=True):
            found[index] = node
    return found


async def visible_nodes(info: Info, global_ids: list[str]) -> list[relay.Node | None]:
    """What ``nodes(ids:)`` would show the viewer, in order; malformed or stale IDs give None.

    For inboxes and timelines (notifications, growth record) that link to subjects of any
    plugin and show an entry only while the viewer may see its subject. Batched per type.
    """
    refs: list[tuple[type[relay.Node], str] | None] = []
    for value in global_ids:
        parsed = parse_global_id(value)
        node_type = None if parsed is None else _node_type(info, parsed[0])
        refs.append(None if parsed is None or node_type is None else (node_type, str(parsed[1])))
    return await _resolve_refs(info, refs)


@strawberry.type
class CoreQueries:
    # Own resolvers, not relay.node(): that field extension mutates its field when a schema is
    # built, so it cannot serve two schemas in one process. IDs are parsed here, strictly
    # (core.relay.parse_global_id), not by strawberry's lenient GlobalID scalar.
    @strawberry.field(description="Any object by its global ID; null when there is none.")
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        ref = _node_ref(info, id, "id")
        if ref is None:
            return None
        node_type, node_id = ref
        [found] = await _resolve_nodes(node_type, info, [node_id])
        return found

    @strawberry.field(description="Objects by global IDs, in the order asked; null for missing ones.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[relay.Node | None]:
        refs = [_node_ref(info, value, "ids") for value in ids]
        return await _resolve_refs(info, refs)

    @strawberry.field(description="Plugins an organisation can switch on.")
    def installed_plugins(self, info: Info) -> list[InstalledPlugin]:
        registry = info.context.rt.registry
        return [
            InstalledPlugin(name=p.name, version=p.version, registry=registry)
            for p in registry.plugins
            if p.name in registry.activity_plugins
        ]
