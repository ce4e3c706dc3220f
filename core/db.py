"""Database configuration, connection and migrations (Tortoise ORM 1.x)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pluggy
from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as migrate_api

from core.plugin_api import ModelApp
from core.plugins import hook_results

CORE_APP = ModelApp(
    label="core",
    models=[
        "core.organisations.models",
        "core.people.models",
        "core.skills.models",
        "core.auth.models",
    ],
    migrations="core.migrations",
)


def model_apps(pm: pluggy.PluginManager) -> list[ModelApp]:
    apps = [CORE_APP]
    for _plugin, app in hook_results(pm, "register_models"):
        apps.append(app)
    return apps


def tortoise_config(database_url: str, pm: pluggy.PluginManager) -> dict[str, Any]:
    return {
        "connections": {"default": database_url},
        "apps": {
            app.label: {
                "models": list(app.models),
                "migrations": app.migrations,
                "default_connection": "default",
            }
            for app in model_apps(pm)
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite://")


def ensure_sqlite_folder(database_url: str) -> None:
    """SQLite creates the file but not its folder (``./var/`` on a fresh clone)."""
    if is_sqlite(database_url):
        path = database_url.removeprefix("sqlite://").split("?", 1)[0]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


async def init_db(database_url: str, pm: pluggy.PluginManager) -> TortoiseContext:
    """Connect for serving; the context is global so lifespan and request tasks share it."""
    ensure_sqlite_folder(database_url)
    return await Tortoise.init(
        config=tortoise_config(database_url, pm), _enable_global_fallback=True
    )


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str, pm: pluggy.PluginManager) -> None:
    """Apply every app's migrations (core first, then plugins) to the latest state."""
    ensure_sqlite_folder(database_url)
    async with TortoiseContext():
        await migrate_api(config=tortoise_config(database_url, pm))


async def _migration_writers(database_url: str, pm: pluggy.PluginManager, labels: list[str] | None) -> list[Any]:
    from tortoise.migrations.autodetector import MigrationAutodetector

    config = tortoise_config(database_url, pm)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config, init_connections=False)
        assert ctx.apps is not None
        apps = {k: v for k, v in config["apps"].items() if not labels or k in labels}
        return list(await MigrationAutodetector(ctx.apps, apps).changes())


async def pending_migrations(database_url: str, pm: pluggy.PluginManager) -> list[str]:
    """Migrations that models need but no file has yet: empty when migrations are complete."""
    return [f"{w.app_label}.{w.name}" for w in await _migration_writers(database_url, pm, None)]


async def make_migrations(
    database_url: str, pm: pluggy.PluginManager, labels: list[str] | None = None
) -> list[str]:
    """Write new migration files for the apps (all, or ``labels``) whose models changed."""
    written = []
    for writer in await _migration_writers(database_url, pm, labels):
        writer.write()
        written.append(f"{writer.app_label}.{writer.name}")
    return written
