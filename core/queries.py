"""Root fields that belong to no one domain: Relay nodes and the installed plugins."""

from __future__ import annotations

import asyncio
import inspect
from collections import defaultdict

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.context import Info
from core.registry import Registry


@strawberry.type(description="A plugin installed in this deployment.")
class InstalledPlugin:
    name: str
    version: str
    registry: strawberry.Private[Registry]

    @strawberry.field(description="JSON Schema of the plugin's per-organisation settings.")
    def settings_schema(self) -> JSON:
        return JSON(self.registry.settings_model(self.name).model_json_schema())


def _node_type(info: Info, gid: relay.GlobalID) -> type[relay.Node] | None:
    try:
        return gid.resolve_type(info)
    except relay.GlobalIDValueError:
        return None


async def _resolve_nodes(node_type: type[relay.Node], info: Info, node_ids: list[str]) -> list[relay.Node | None]:
    """``resolve_nodes`` of any Node type; strawberry lets it answer directly or an awaitable."""
    found = node_type.resolve_nodes(info=info, node_ids=node_ids)
    return list(await found if inspect.isawaitable(found) else found)


@strawberry.type
class CoreQueries:
    # Own resolvers, not relay.node(): that field extension mutates its field when a schema is
    # built, so it cannot serve two schemas in one process.
    @strawberry.field(description="Any object by its global ID; null when there is none.")
    async def node(self, info: Info, id: relay.GlobalID) -> relay.Node | None:
        node_type = _node_type(info, id)
        if node_type is None:
            return None
        [found] = await _resolve_nodes(node_type, info, [id.node_id])
        return found

    @strawberry.field(description="Objects by global IDs, in the order asked; null for missing ones.")
    async def nodes(self, info: Info, ids: list[relay.GlobalID]) -> list[relay.Node | None]:
        by_type: dict[type[relay.Node], list[int]] = defaultdict(list)
        for index, gid in enumerate(ids):
            node_type = _node_type(info, gid)
            if node_type is not None:
                by_type[node_type].append(index)
        found: list[relay.Node | None] = [None] * len(ids)
        types = list(by_type)
        results = await asyncio.gather(
            *(_resolve_nodes(t, info, [ids[i].node_id for i in by_type[t]]) for t in types)
        )
        for node_type, nodes in zip(types, results, strict=True):
            for index, node in zip(by_type[node_type], nodes, strict=True):
                found[index] = node
        return found

    @strawberry.field(description="Plugins an organisation can switch on.")
    def installed_plugins(self, info: Info) -> list[InstalledPlugin]:
        registry = info.context.rt.registry
        return [
            InstalledPlugin(name=p.name, version=p.version, registry=registry)
            for p in registry.plugins
            if p.name in registry.activity_plugins
        ]
