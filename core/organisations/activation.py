"""Per-organisation activation and settings of plugins.

Plugins are installed for the deployment and switched on per organisation. A plugin calls
``require_plugin_enabled`` before doing work for an organisation.
"""

from __future__ import annotations

from typing import Any

import pluggy
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import errors
from core.context import Context
from core.errors import UserError, UserInputError
from core.organisations.models import OrganisationPlugin
from core.permissions import require_manage_org
from core.plugins import activity_plugin_names, hook_results


def _require_known(pm: pluggy.PluginManager, plugin: str) -> None:
    if plugin not in activity_plugin_names(pm):
        raise UserInputError(errors.UNKNOWN_PLUGIN, f"No plugin named {plugin!r} is installed", "plugin")


async def set_plugin_enabled(ctx: Context, org_id: int, plugin: str, enabled: bool) -> None:
    """Switch a plugin on or off for an organisation; idempotent, safe under concurrency."""
    _require_known(ctx.rt.pm, plugin)
    await require_manage_org(ctx, org_id)
    updated = await OrganisationPlugin.filter(organisation_id=org_id, plugin=plugin).update(enabled=enabled)
    if not updated and enabled:
        try:
            async with in_transaction():
                await OrganisationPlugin.create(organisation_id=org_id, plugin=plugin, enabled=True)
        except IntegrityError:
            # Another request created the row between our update and insert.
            await OrganisationPlugin.filter(organisation_id=org_id, plugin=plugin).update(enabled=True)
    ctx.loaders.clear()


async def is_plugin_enabled(org_id: int, plugin: str) -> bool:
    return await OrganisationPlugin.exists(organisation_id=org_id, plugin=plugin, enabled=True)


async def require_plugin_enabled(org_id: int, plugin: str, field: str = "organisationId") -> None:
    """Refuse work for an organisation that has not switched ``plugin`` on (``PLUGIN_DISABLED``)."""
    if not await is_plugin_enabled(org_id, plugin):
        raise UserInputError(
            errors.PLUGIN_DISABLED,
            f"The {plugin} plugin is not enabled for this organisation",
            field,
        )


def default_settings(pm: pluggy.PluginManager, plugin: str) -> dict[str, Any]:
    for name, defaults in hook_results(pm, "organisation_settings"):
        if name == plugin:
            return dict(defaults)
    return {}


async def plugin_settings(pm: pluggy.PluginManager, org_id: int, plugin: str) -> dict[str, Any]:
    """The plugin's defaults overlaid with what the organisation stored."""
    settings = default_settings(pm, plugin)
    row = await OrganisationPlugin.get_or_none(organisation_id=org_id, plugin=plugin)
    if row is not None:
        settings.update({k: v for k, v in row.settings.items() if k in settings})
    return settings


def _check_settings(defaults: dict[str, Any], given: dict[str, Any]) -> None:
    problems = []
    for key, value in given.items():
        field = f"settings.{key}"
        if key not in defaults:
            problems.append(UserError(code=errors.INVALID_SETTING, message=f"Unknown setting {key!r}", field=field))
        elif type(value) is not type(defaults[key]):
            expected = type(defaults[key]).__name__
            problems.append(
                UserError(code=errors.INVALID_SETTING, message=f"{key!r} must be a {expected}", field=field)
            )
    if problems:
        raise UserInputError.many(problems)


async def configure_plugin(ctx: Context, org_id: int, plugin: str, given: dict[str, Any]) -> dict[str, Any]:
    _require_known(ctx.rt.pm, plugin)
    await require_manage_org(ctx, org_id)
    _check_settings(default_settings(ctx.rt.pm, plugin), given)
    async with in_transaction():
        row = await OrganisationPlugin.select_for_update().get_or_none(organisation_id=org_id, plugin=plugin)
        if row is None:
            raise UserInputError(errors.PLUGIN_DISABLED, f"Enable {plugin} before configuring it", "plugin")
        row.settings = {**row.settings, **given}
        await row.save(update_fields=["settings", "updated_at"])
    return await plugin_settings(ctx.rt.pm, org_id, plugin)
