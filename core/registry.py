"""The registry: every plugin's contributions, gathered once at start-up by the host.

Core code reads what plugins contributed from here (``rt.registry``); nothing on the request
path asks pluggy for hook results again. Action hooks (``startup``, ``shutdown``, ``on_event``)
are still called through ``registry.pm`` so that pluggy's tracing and wrappers apply.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Generic, TypeVar

import pluggy

from core.plugin_api import DemoData, ModelApp, PluginSettings, TypeExtension

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

T = TypeVar("T")
CORE_PLUGIN = "core"

DemoLoader = Callable[[DemoData], Awaitable[None]]


@dataclass(frozen=True)
class Contribution(Generic[T]):
    """One item a plugin contributed, with the plugin's name (for error messages)."""

    plugin: str
    item: T


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    source: str
    hooks: tuple[str, ...]


def _empty_settings() -> Mapping[str, type[PluginSettings]]:
    return MappingProxyType({})


@dataclass(frozen=True, eq=False)  # one registry is one identity: hashable, compared by identity
class Registry:
    pm: pluggy.PluginManager
    plugins: tuple[PluginInfo, ...] = ()
    model_apps: tuple[ModelApp, ...] = ()
    queries: tuple[Contribution[type], ...] = ()
    mutations: tuple[Contribution[type], ...] = ()
    subscriptions: tuple[Contribution[type], ...] = ()
    types: tuple[Contribution[type], ...] = ()
    type_extensions: tuple[Contribution[TypeExtension], ...] = ()
    routes: tuple[Contribution[BaseRoute], ...] = ()
    settings_models: Mapping[str, type[PluginSettings]] = field(default_factory=_empty_settings)
    demo_loaders: tuple[Contribution[DemoLoader], ...] = ()

    @property
    def plugin_names(self) -> tuple[str, ...]:
        """Loaded plugins in registration order, core first."""
        return tuple(info.name for info in self.plugins)

    @property
    def activity_plugins(self) -> tuple[str, ...]:
        """Plugins an organisation can switch on (everything but core)."""
        return tuple(name for name in self.plugin_names if name != CORE_PLUGIN)

    def settings_model(self, plugin: str) -> type[PluginSettings]:
        """The plugin's settings model; a plugin without settings has an empty one."""
        return self.settings_models.get(plugin, PluginSettings)
