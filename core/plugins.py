"""Finding, loading and calling plugins."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from types import ModuleType
from typing import Any

import pluggy

from core import PROJECT, __version__, hookspecs

ENTRY_POINT_GROUP = "guildhall.plugins"
CORE_PLUGIN = "core"
# Core's own hooks plus the in-tree activity plugins, loaded like any other plugin.
DEFAULT_PLUGINS: dict[str, str] = {
    CORE_PLUGIN: "core.plugin",
    "mentorship": "plugins.mentorship.hooks",
    "training": "plugins.training.hooks",
    "forum": "plugins.forum.hooks",
}


# Versions of plugins that came from installed distributions, by plugin name.
_DIST_VERSIONS: dict[str, str] = {}


class PluginError(RuntimeError):
    """A plugin set that cannot start: unknown hook, duplicate field, bad module."""


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    source: str
    hooks: tuple[str, ...]


def build_plugin_manager(
    allow: Iterable[str] | None = None,
    *,
    defaults: dict[str, str] | None = None,
    entry_points: bool = True,
) -> pluggy.PluginManager:
    """Register core, the in-tree plugins and installed entry points; ``allow`` restricts them."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    allowed = None if allow is None else set(allow)

    def wanted(name: str) -> bool:
        return name == CORE_PLUGIN or allowed is None or name in allowed

    for name, dotted in (DEFAULT_PLUGINS if defaults is None else defaults).items():
        if wanted(name):
            pm.register(importlib.import_module(dotted), name=name)
    if entry_points:
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if wanted(ep.name) and pm.get_plugin(ep.name) is None:
                pm.register(ep.load(), name=ep.name)
                if ep.dist is not None:
                    _DIST_VERSIONS[ep.name] = ep.dist.version
    if allowed is not None:
        missing = allowed - {name for name, _ in pm.list_name_plugin()}
        if missing:
            raise PluginError(f"GUILDHALL_PLUGINS names unknown plugins: {sorted(missing)}")
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(str(exc)) from exc
    return pm



def plugin_names(pm: pluggy.PluginManager) -> list[str]:
    """Loaded plugins in registration order, core first."""
    return [name for name, _ in pm.list_name_plugin() if name is not None]


def activity_plugin_names(pm: pluggy.PluginManager) -> list[str]:
    """Plugins an organisation can switch on (everything but core)."""
    return [name for name in plugin_names(pm) if name != CORE_PLUGIN]


def plugin_info(pm: pluggy.PluginManager) -> list[PluginInfo]:
    infos = []
    for name in plugin_names(pm):
        plugin = pm.get_plugin(name)
        hooks = tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or []))
        module = plugin if isinstance(plugin, ModuleType) else inspect.getmodule(plugin)
        source = module.__name__ if module else repr(plugin)
        infos.append(PluginInfo(name, _version_of(name, source), source, hooks))
    return infos


def _version_of(name: str, module_name: str) -> str:
    if name in _DIST_VERSIONS:
        return _DIST_VERSIONS[name]
    package = importlib.import_module(module_name.rsplit(".", 1)[0]) if "." in module_name else None
    return str(getattr(package, "__version__", __version__))


def hook_results(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Call one hook plugin by plugin, in registration order, keeping who answered what."""
    caller = getattr(pm.hook, hook_name)
    results = []
    for impl in caller.get_hookimpls():
        result = impl.function(*(kwargs[arg] for arg in impl.argnames))
        if result is not None:
            results.append((impl.plugin_name, result))
    return results


async def await_hook(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> None:
    """Call a hook whose implementations may return awaitables, awaiting each in turn."""
    for _name, result in hook_results(pm, hook_name, **kwargs):
        if inspect.isawaitable(result):
            await result
