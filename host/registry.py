"""Building the registry: every hook's results gathered once, checked, and frozen."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable
from types import MappingProxyType, ModuleType
from typing import Any, TypeVar

import pluggy
from pydantic import BaseModel

from core import __version__
from core.plugin_api import ModelApp, PluginError, PluginSettings, TypeExtension
from core.registry import Contribution, DemoLoader, PluginInfo, Registry
from host.plugins import DIST_VERSIONS_ATTR

T = TypeVar("T")


def call_each(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Call a hook plugin by plugin, in registration order (core first), keeping who answered.

    Each call goes through a pluggy hook caller, so tracing and hook wrappers apply.
    """
    names = [name for name, _ in pm.list_name_plugin()]
    implementers = {impl.plugin_name for impl in getattr(pm.hook, hook_name).get_hookimpls()}
    answers: list[tuple[str, Any]] = []
    for name in names:
        if name not in implementers:
            continue
        others = [pm.get_plugin(other) for other in names if other != name]
        caller = pm.subset_hook_caller(hook_name, remove_plugins=others)
        answers.extend((name, result) for result in caller(**kwargs) if result is not None)
    return answers


def _flatten(answers: list[tuple[str, Any]], hook: str, kind: type[T] | None = None) -> tuple[Contribution[T], ...]:
    items: list[Contribution[T]] = []
    for plugin, answer in answers:
        if not isinstance(answer, list | tuple):
            raise PluginError(f"{plugin!r}: {hook} must return a list")
        for item in answer:
            if kind is not None and not isinstance(item, kind):
                raise PluginError(f"{plugin!r}: {hook} must return {kind.__name__} items, got {item!r}")
            items.append(Contribution(plugin, item))
    return tuple(items)


def _single(answers: list[tuple[str, Any]], hook: str, check: Callable[[Any], bool], what: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for plugin, answer in answers:
        if not check(answer):
            raise PluginError(f"{plugin!r}: {hook} must return {what}, got {answer!r}")
        found[plugin] = answer
    return found


def _is_settings_model(value: Any) -> bool:
    return inspect.isclass(value) and issubclass(value, BaseModel) and issubclass(value, PluginSettings)


def _plugin_infos(pm: pluggy.PluginManager) -> tuple[PluginInfo, ...]:
    versions: dict[str, str] = getattr(pm, DIST_VERSIONS_ATTR, {})
    infos = []
    for name, plugin in pm.list_name_plugin():
        hooks = tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or []))
        module = plugin if isinstance(plugin, ModuleType) else inspect.getmodule(plugin)
        source = module.__name__ if module else repr(plugin)
        infos.append(PluginInfo(name, versions.get(name) or _package_version(source), source, hooks))
    return tuple(infos)


def _package_version(module_name: str) -> str:
    package = importlib.import_module(module_name.rsplit(".", 1)[0]) if "." in module_name else None
    return str(getattr(package, "__version__", __version__))


def _unique_labels(apps: Iterable[Contribution[ModelApp]]) -> tuple[ModelApp, ...]:
    apps = list(apps)
    owners: dict[str, str] = {}
    for contribution in apps:
        label = contribution.item.label
        if label in owners:
            raise PluginError(
                f"Model app {label!r} is registered by both {owners[label]!r} and {contribution.plugin!r}"
            )
        owners[label] = contribution.plugin
    return tuple(contribution.item for contribution in apps)


def build_registry(pm: pluggy.PluginManager) -> Registry:
    """Ask every plugin once; the result is immutable and shared by every request."""
    model_apps = _single(call_each(pm, "register_models"), "register_models",
                         lambda v: isinstance(v, ModelApp), "a ModelApp")
    settings = _single(call_each(pm, "organisation_settings"), "organisation_settings",
                       _is_settings_model, "a PluginSettings subclass")
    demo = _single(call_each(pm, "register_demo"), "register_demo", callable, "an async function")
    return Registry(
        pm=pm,
        plugins=_plugin_infos(pm),
        model_apps=_unique_labels(Contribution(p, app) for p, app in model_apps.items()),
        queries=_flatten(call_each(pm, "register_queries"), "register_queries"),
        mutations=_flatten(call_each(pm, "register_mutations"), "register_mutations"),
        subscriptions=_flatten(call_each(pm, "register_subscriptions"), "register_subscriptions"),
        types=_flatten(call_each(pm, "register_types"), "register_types"),
        type_extensions=_flatten(call_each(pm, "extend_types"), "extend_types", TypeExtension),
        routes=_flatten(call_each(pm, "register_routes"), "register_routes"),
        settings_models=MappingProxyType(settings),
        demo_loaders=tuple(Contribution[DemoLoader](p, fn) for p, fn in demo.items()),
    )


def load_registry(allow: Iterable[str] | None = None, *, entry_points: bool = True) -> Registry:
    """The usual way in: build the plugin manager, then the registry."""
    from host.plugins import build_plugin_manager

    return build_registry(build_plugin_manager(allow, entry_points=entry_points))
