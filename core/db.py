"""Database configuration, connection and migrations (Tortoise ORM 1.x)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as migrate_api

from core.plugin_api import ModelApp

# Core's own app; core registers it through ``register_models`` like any plugin.
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

Apps = Sequence[ModelApp]


def tortoise_config(database_url: str, apps: Apps) -> dict[str, Any]:
    return {
        "connections": {"default": database_url},
        "apps": {
            app.label: {
                "models": list(app.models),
                "migrations": app.migrations,
                "default_connection": "default",
            }
            for app in apps
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


async def init_db(database_url: str, apps: Apps) -> TortoiseContext:
    """Connect for serving; the context is global so lifespan and request tasks share it."""
    ensure_sqlite_folder(database_url)
    return await Tortoise.init(
        config=tortoise_config(database_url, apps), _enable_global_fallback=True
    )


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str, apps: Apps) -> None:
    """Apply every app's migrations (core first, then plugins) to the latest state."""
    ensure_sqlite_folder(database_url)
    async with TortoiseContext():
        await migrate_api(config=tortoise_config(database_url, apps))


async def _migration_writers(database_url: str, apps: Apps, labels: list[str] | None) -> list[Any]:
    from tortoise.migrations.autodetector import MigrationAutodetector

    config = tortoise_config(database_url, apps)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config, init_connections=False)
        assert ctx.apps is not None
        chosen = {k: v for k, v in config["apps"].items() if not labels or k in labels}
        return list(await MigrationAutodetector(ctx.apps, chosen).changes())


async def pending_migrations(database_url: str, apps: Apps) -> list[str]:
    """Migrations that models need but no file has yet: empty when migrations are complete."""
    return [f"{w.app_label}.{w.name}" for w in await _migration_writers(database_url, apps, None)]


async def make_migrations(
    database_url: str, apps: Apps, labels: list[str] | None = None
) -> list[str]:
    """Write new migration files for the apps (all, or ``labels``) whose models changed."""
    written = []
    for writer in await _migration_writers(database_url, apps, labels):
        writer.write()
        written.append(f"{writer.app_label}.{writer.name}")
    return written
