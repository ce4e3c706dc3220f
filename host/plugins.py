"""Finding and loading plugins into a pluggy manager (core first, then in-tree, then installed)."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from importlib import metadata

import pluggy

from core import PROJECT, hookspecs
from core.plugin_api import PluginError
from core.registry import CORE_PLUGIN

ENTRY_POINT_GROUP = "guildhall.plugins"
# Core's own hooks plus the in-tree activity plugins, loaded like any other plugin.
IN_TREE_PLUGINS: dict[str, str] = {
    CORE_PLUGIN: "core.plugin",
    "mentorship": "plugins.mentorship.hooks",
    "training": "plugins.training.hooks",
    "assessment": "plugins.assessment.hooks",
    "forum": "plugins.forum.hooks",
}
# Versions of plugins that came from installed distributions, kept on the manager.
DIST_VERSIONS_ATTR = "_guildhall_dist_versions"


def build_plugin_manager(
    allow: Iterable[str] | None = None,
    *,
    defaults: dict[str, str] | None = None,
    entry_points: bool = True,
) -> pluggy.PluginManager:
    """Register core, the in-tree plugins and installed entry points; ``allow`` restricts them.

    ``entry_points=False`` gives the in-tree set only, whatever else is installed (tests, SDL).
    """
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    allowed = None if allow is None else set(allow)
    versions: dict[str, str] = {}

    def wanted(name: str) -> bool:
        return name == CORE_PLUGIN or allowed is None or name in allowed

    for name, dotted in (IN_TREE_PLUGINS if defaults is None else defaults).items():
        if wanted(name):
            pm.register(importlib.import_module(dotted), name=name)
    if entry_points:
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if wanted(ep.name) and pm.get_plugin(ep.name) is None:
                pm.register(ep.load(), name=ep.name)
                if ep.dist is not None:
                    versions[ep.name] = ep.dist.version
    if allowed is not None:
        missing = allowed - {name for name, _ in pm.list_name_plugin()}
        if missing:
            raise PluginError(f"GUILDHALL_PLUGINS names unknown plugins: {sorted(missing)}")
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(str(exc)) from exc
    setattr(pm, DIST_VERSIONS_ATTR, versions)
    return pm
