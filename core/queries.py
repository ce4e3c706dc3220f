"""Root fields that belong to no one domain: Relay nodes and the installed plugins."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import strawberry
from strawberry import relay

from core import errors
from core.context import Info
from core.errors import PublicError
from core.plugins import CORE_PLUGIN, plugin_info
from core.relay import parse_global_id


@strawberry.type(description="A plugin installed in this deployment.")
class InstalledPlugin:
    name: str
    version: str


def _node_type(info: Info, type_name: str) -> type[relay.Node] | None:
    """The concrete Node type named in an ID; None for unknown names, interfaces and non-nodes."""
    definition = info.schema.get_type_by_name(type_name)
    if definition is None or getattr(definition, "is_interface", False):
        return None
    try:
        return relay.GlobalID(type_name, "0").resolve_type(info)
    except relay.GlobalIDValueError:
        return None


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
        [found] = await node_type.resolve_nodes(info=info, node_ids=[node_id])  # type: ignore[misc]
        return found

    @strawberry.field(description="Objects by global IDs, in the order asked; null for missing ones.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[relay.Node | None]:
        by_type: dict[type[relay.Node], list[tuple[int, str]]] = defaultdict(list)
        for index, value in enumerate(ids):
            ref = _node_ref(info, value, "ids")
            if ref is not None:
                by_type[ref[0]].append((index, ref[1]))
        found: list[relay.Node | None] = [None] * len(ids)
        types = list(by_type)
        results = await asyncio.gather(
            *(t.resolve_nodes(info=info, node_ids=[node_id for _, node_id in by_type[t]]) for t in types)  # type: ignore[misc]
        )
        for node_type, nodes in zip(types, results, strict=True):
            for (index, _), node in zip(by_type[node_type], nodes, strict=True):
                found[index] = node
        return found

    @strawberry.field(description="Plugins an organisation can switch on.")
    def installed_plugins(self, info: Info) -> list[InstalledPlugin]:
        return [
            InstalledPlugin(name=p.name, version=p.version)
            for p in plugin_info(info.context.rt.pm)
            if p.name != CORE_PLUGIN
        ]
