"""Per-organisation activation and typed settings of plugins.

Plugins are installed for the deployment and switched on per organisation. The host enforces
activation (``schema/guards.py``): plugins only declare which organisation an operation acts in.
Settings are each plugin's ``PluginSettings`` model; stored values are validated on the way in
(``pluginConfigure``) and again on the way out, so a changed model never serves a bad value.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import ValidationError
from strawberry.dataloader import DataLoader
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from core import audit, errors, prepared
from core.context import Context
from core.errors import UserError, UserInputError
from core.organisations.models import OrganisationPlugin
from core.permissions import require_manage_org
from core.plugin_api import PluginSettings
from core.registry import Registry
from core.runtime import Runtime

log = logging.getLogger(__name__)
S = TypeVar("S", bound=PluginSettings)
MAX_SETTINGS = 50


def _require_known(registry: Registry, plugin: str) -> None:
    if plugin not in registry.activity_plugins:
        raise UserInputError(errors.UNKNOWN_PLUGIN, f"No plugin named {plugin[:64]!r} is installed", "plugin")


async def set_plugin_enabled(ctx: Context, org_id: int, plugin: str, enabled: bool) -> None:
    """Switch a plugin on or off for an organisation; idempotent, safe under concurrency."""
    _require_known(ctx.rt.registry, plugin)
    await require_manage_org(ctx, org_id)
    async with in_transaction():
        if enabled:
            # Insert-or-nothing, then the row is locked: concurrent switches queue on it.
            await OrganisationPlugin.bulk_create(
                [OrganisationPlugin(organisation_id=org_id, plugin=plugin, enabled=False)], ignore_conflicts=True
            )
        row = await OrganisationPlugin.select_for_update().get_or_none(organisation_id=org_id, plugin=plugin)
        if row is None or row.enabled == enabled:
            return  # already so: no change, no audit entry
        await OrganisationPlugin.filter(id=row.id).update(enabled=enabled)
        await audit.record(ctx.rt, actor=ctx.viewer, organisation_id=org_id,
                           action="plugin.enabled" if enabled else "plugin.disabled",
                           target=audit.target("Organisation", org_id),
                           before={"plugin": plugin, "enabled": row.enabled},
                           after={"plugin": plugin, "enabled": enabled})


async def enabled_plugins(ctx: Context, org_id: int) -> frozenset[str]:
    """Plugins switched on for an organisation; one query per request for all organisations."""

    def switched_on(ids: list[int]) -> QuerySet[OrganisationPlugin]:
        return OrganisationPlugin.filter(organisation_id__in=ids, enabled=True)

    async def load(org_ids: Sequence[int]) -> list[frozenset[str]]:
        found: dict[int, set[str]] = {}
        rows = await prepared.select("core.enabled_plugins", OrganisationPlugin, org_ids, switched_on)
        for row in rows:
            found.setdefault(row.organisation_id, set()).add(row.plugin)
        return [frozenset(found.get(org_id, ())) for org_id in org_ids]

    loader = ctx.loaders.get("core.enabled_plugins", lambda: DataLoader(load_fn=load))
    return await loader.load(org_id)


async def is_plugin_enabled(org_id: int, plugin: str) -> bool:
    return await OrganisationPlugin.exists(organisation_id=org_id, plugin=plugin, enabled=True)


def effective_settings(registry: Registry, plugin: str, stored: dict[str, Any]) -> PluginSettings:
    """Defaults overlaid with stored values; a stored value the model now refuses is dropped."""
    model = registry.settings_model(plugin)
    known = {key: value for key, value in stored.items() if key in model.model_fields}
    try:
        return model.model_validate(known)
    except ValidationError as exc:
        bad = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
        log.warning("dropping invalid stored settings %s of plugin %s", sorted(bad), plugin)
        return model.model_validate({k: v for k, v in known.items() if k not in bad})


async def plugin_settings(rt: Runtime, org_id: int, model: type[S], plugin: str) -> S:
    """The organisation's effective settings of ``plugin``, typed as its ``model``."""
    row = await OrganisationPlugin.get_or_none(organisation_id=org_id, plugin=plugin)
    settings = effective_settings(rt.registry, plugin, row.settings if row else {})
    assert isinstance(settings, model), f"{plugin} settings are {type(settings).__name__}, not {model.__name__}"
    return settings


def _setting_errors(exc: ValidationError) -> list[UserError]:
    problems = []
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"])
        message = error["msg"] if error["type"] != "extra_forbidden" else f"Unknown setting {path[:64]!r}"
        problems.append(UserError(code=errors.INVALID_SETTING, message=message, field=f"settings.{path}"[:100]))
    return problems


def validate_settings(registry: Registry, plugin: str, stored: dict[str, Any], given: dict[str, Any]) -> PluginSettings:
    """``given`` on top of what is stored, checked against the plugin's model field by field."""
    if len(given) > MAX_SETTINGS:
        raise UserInputError(errors.OUT_OF_RANGE, f"At most {MAX_SETTINGS} settings at once", "settings")
    try:
        return registry.settings_model(plugin).model_validate({**stored, **given})
    except ValidationError as exc:
        raise UserInputError.many(_setting_errors(exc)) from None


async def configure_plugin(ctx: Context, org_id: int, plugin: str, given: dict[str, Any]) -> PluginSettings:
    """Validate and store new settings for an enabled plugin; answers the effective settings."""
    registry = ctx.rt.registry
    _require_known(registry, plugin)
    await require_manage_org(ctx, org_id)
    async with in_transaction():
        row = await OrganisationPlugin.select_for_update().get_or_none(organisation_id=org_id, plugin=plugin)
        if row is None or not row.enabled:
            raise UserInputError(errors.PLUGIN_DISABLED, f"Enable {plugin} before configuring it", "plugin")
        model = registry.settings_model(plugin)
        stored = {key: value for key, value in row.settings.items() if key in model.model_fields}
        settings = validate_settings(registry, plugin, stored, given)
        before = dict(row.settings)
        row.settings = settings.model_dump(mode="json", include=set(stored) | set(given))
        await row.save(update_fields=["settings", "updated_at"])
        changed = sorted(key for key in set(before) | set(row.settings) if before.get(key) != row.settings.get(key))
        if changed:
            await audit.record(ctx.rt, actor=ctx.viewer, organisation_id=org_id, action="plugin.configured",
                               target=audit.target("Organisation", org_id),
                               before={"plugin": plugin, "settings": {key: before.get(key) for key in changed}},
                               after={"plugin": plugin, "settings": {key: row.settings.get(key) for key in changed}})
    return settings
