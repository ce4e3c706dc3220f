"""Database configuration, connection and migrations (Tortoise ORM 1.x)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.apps import Apps as TortoiseApps
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.migrations.executor import MigrationExecutor
from tortoise.migrations.graph import MigrationGraph, MigrationKey
from tortoise.migrations.loader import MigrationLoader
from tortoise.migrations.writer import MigrationWriter

from core.plugin_api import ModelApp

# Core's own app; core registers it through ``register_models`` like any plugin.
CORE_APP = ModelApp(
    label="core",
    models=[
        "core.organisations.models",
        "core.people.models",
        "core.skills.models",
        "core.auth.models",
        "core.audit.models",
        "core.notifications.models",
    ],
    migrations="core.migrations",
)

Apps = Sequence[ModelApp]


@dataclass(frozen=True)
class Timeouts:
    """PostgreSQL limits for serving (migrations and the CLI run without them).

    ``connect``: asyncpg's ``timeout`` for opening a connection (a server that is down or
    unreachable fails fast). ``statement``: the server's ``statement_timeout`` cancels a slow
    statement (the connection stays usable), and asyncpg's ``command_timeout``, one second
    longer, gives up on a server that does not answer at all (frozen, partitioned).
    """

    connect: float
    statement: float


def postgres_connection(database_url: str, timeouts: Timeouts) -> dict[str, Any]:
    """Tortoise's connection config for ``database_url`` with the timeouts passed to asyncpg."""
    config = expand_db_url(database_url)
    credentials = config["credentials"]
    credentials["timeout"] = timeouts.connect
    credentials["command_timeout"] = timeouts.statement + 1
    credentials["server_settings"] = {
        **credentials.get("server_settings", {}),
        "statement_timeout": str(int(timeouts.statement * 1000)),
    }
    return config


def tortoise_config(database_url: str, apps: Apps, timeouts: Timeouts | None = None) -> dict[str, Any]:
    connection: str | dict[str, Any] = database_url
    if timeouts is not None and not is_sqlite(database_url):
        connection = postgres_connection(database_url, timeouts)
    return {
        "connections": {"default": connection},
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


async def init_db(database_url: str, apps: Apps, timeouts: Timeouts | None = None) -> TortoiseContext:
    """Connect for serving; the context is global so lifespan and request tasks share it."""
    ensure_sqlite_folder(database_url)
    return await Tortoise.init(
        config=tortoise_config(database_url, apps, timeouts), _enable_global_fallback=True
    )


async def close_db() -> None:
    await Tortoise.close_connections()


class _CoreFirstLoader(MigrationLoader):
    """Tortoise's migration graph, plus one rule of the host: core's tables come first.

    A plugin migration that declares no parent at all (the in-tree plugins' ``0001_initial``
    was written before ``makemigrations`` emitted cross-app dependencies) is made to depend on
    core's first migration. Without that, Tortoise may order it before core as soon as another
    plugin's migration correctly depends on core, and its foreign keys to ``core.Person`` no
    longer resolve.
    """

    async def build_graph(self) -> None:
        await super().build_graph()
        core_roots = self.graph.root_nodes(CORE_APP.label)
        if not core_roots:
            return
        for label in self.apps_config:
            if label == CORE_APP.label:
                continue
            for root in self.graph.root_nodes(label):
                self.graph.add_dependency(root, root, core_roots[0])


def _latest_in_app(graph: MigrationGraph, app_label: str) -> list[MigrationKey]:
    """An app's latest migrations: those no later migration *of the same app* depends on.

    (Tortoise's ``leaf_nodes(app)`` also drops a migration another app depends on, so once a
    plugin depends on core, core would have no latest migration at all.)
    """
    return sorted(
        node.key
        for node in graph.node_map.values()
        if node.key.app_label == app_label and not any(c.key.app_label == app_label for c in node.children)
    )


class _Autodetector(MigrationAutodetector):
    def __init__(self, apps: TortoiseApps, apps_config: dict[str, dict[str, Any]]) -> None:
        super().__init__(apps, apps_config)
        self.loader = _CoreFirstLoader(apps_config, self.loader.recorder)

    def _leaf_nodes(self, app_label: str) -> list[MigrationKey]:
        return _latest_in_app(self.loader.graph, app_label) or super()._leaf_nodes(app_label)


async def migrate(database_url: str, apps: Apps) -> None:
    """Apply every app's migrations (core first, then plugins) to the latest state."""
    ensure_sqlite_folder(database_url)
    config = tortoise_config(database_url, apps)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config, init_connections=False)
        executor = MigrationExecutor(ctx.connections.get("default"), config["apps"])
        executor.loader = _CoreFirstLoader(config["apps"], executor.recorder)
        await executor.migrate()


async def _migration_writers(database_url: str, apps: Apps, labels: list[str] | None) -> list[MigrationWriter]:
    """The migrations models need, for the apps named in ``labels`` (all when None).

    The autodetector always sees every app: a plugin's migrations hold foreign keys into core
    (``core.Person``), which only resolve when core's migrations are in the same graph, and a
    plugin's new migration depends on the latest migration of each app it points into.
    """
    config = tortoise_config(database_url, apps)
    unknown = sorted(set(labels or ()) - set(config["apps"]))
    if unknown:
        raise ValueError(f"No app labelled {', '.join(unknown)}; loaded: {', '.join(config['apps'])}")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config, init_connections=False)
        assert ctx.apps is not None
        writers = await _Autodetector(ctx.apps, config["apps"]).changes()
    return [writer for writer in writers if not labels or writer.app_label in labels]


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
