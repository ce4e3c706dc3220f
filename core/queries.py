"""Root fields that belong to no one domain: Relay nodes and the installed plugins."""

from __future__ import annotations

import strawberry
from strawberry import relay

from core.context import Info
from core.plugins import CORE_PLUGIN, plugin_info


@strawberry.type(description="A plugin installed in this deployment.")
class InstalledPlugin:
    name: str
    version: str


@strawberry.type
class CoreQueries:
    node: relay.Node | None = relay.node(description="Any object by its global ID.")
    nodes: list[relay.Node | None] = relay.node(description="Objects by global IDs, in order.")

    @strawberry.field(description="Plugins an organisation can switch on.")
    def installed_plugins(self, info: Info) -> list[InstalledPlugin]:
        return [
            InstalledPlugin(name=p.name, version=p.version)
            for p in plugin_info(info.context.rt.pm)
            if p.name != CORE_PLUGIN
        ]
