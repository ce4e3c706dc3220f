"""Database configuration, connection and migrations (Tortoise ORM 1.x)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from tortoise import Tortoise, connections
from tortoise.apps import Apps as TortoiseApps
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.migrations.executor import MigrationExecutor
from tortoise.migrations.graph import MigrationGraph, MigrationKey
from tortoise.migrations.loader import MigrationLoader
from tortoise.migrations.writer import MigrationWriter

from core.plugin_api import ModelApp

log = logging.getLogger(__name__)

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
# The read replica's connection name (GUILDHALL_DATABASE_REPLICA_URL), in logs and errors.
REPLICA = "replica"


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


async def keep_session(connection: asyncpg.Connection) -> None:
    """The pool's ``reset`` on release: nothing beyond asyncpg's own part (an open transaction
    is rolled back, which costs no round trip when there is none).

    asyncpg's default runs ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``
    on every release: a round trip, and Tortoise releases after every statement, so every
    statement cost two. Guildhall leaves no session state behind: no ``SET`` (the statement
    timeout is a start-up parameter, which ``RESET ALL`` would keep anyway), no ``LISTEN``
    (pub/sub is Redis), no session advisory locks, no cursors held across statements.
    """


class PostgresClient(AsyncpgDBClient):
    """Tortoise's asyncpg client, plus one pooled connection per unit of work: inside
    ``one_connection()`` every statement outside a transaction runs on the same connection,
    taken from the pool on the first statement and given back at the end (not per statement)."""

    def acquire_connection(self) -> Any:
        pin = _pinned.get()
        if pin is not None and pin.source is self and not pin.closed:
            return _PinnedConnection(pin)
        return super().acquire_connection()


# Tortoise loads a connection's client class from its engine module's ``client_class``.
client_class = PostgresClient


class _Pin:
    __slots__ = ("client", "closed", "connection", "lock", "source")

    def __init__(self, source: PostgresClient, client: PostgresClient) -> None:
        # Statements addressed to ``source`` (Tortoise's "default") run on a connection from
        # ``client``'s pool: the same client, or the read replica's.
        self.source = source
        self.client = client
        # Set when the block ends: a task that outlives it (it copied the context) then takes
        # connections from the pool again instead of using one that went back to the pool.
        self.closed = False
        self.connection: asyncpg.Connection | None = None
        # Statements of one request run one at a time on its connection (loaders may be
        # dispatched concurrently; asyncpg allows one operation per connection).
        self.lock = asyncio.Lock()


_pinned: ContextVar[_Pin | None] = ContextVar("guildhall_db_connection", default=None)


class _PinnedConnection:
    __slots__ = ("own", "pin")

    def __init__(self, pin: _Pin) -> None:
        self.pin = pin
        self.own: Any = None  # the pool's wrapper, when the block ended before this statement

    async def __aenter__(self) -> asyncpg.Connection:
        pin = self.pin
        await pin.lock.acquire()
        if pin.closed:
            pin.lock.release()
            self.own = AsyncpgDBClient.acquire_connection(pin.source)  # the block is over: the primary
            return await self.own.__aenter__()
        try:
            if pin.connection is None:
                pin.connection = await _take_for(pin)
        except BaseException:
            pin.lock.release()
            raise
        return pin.connection

    async def __aexit__(self, *exc: object) -> None:
        if self.own is not None:
            await self.own.__aexit__(*exc)
        else:
            self.pin.lock.release()


async def _take(client: PostgresClient) -> asyncpg.Connection:
    await AsyncpgDBClient.acquire_connection(client).ensure_connection()  # the pool, once
    assert client._pool is not None
    return await client._pool.acquire()


async def _take_for(pin: _Pin) -> asyncpg.Connection:
    """The block's connection; from the primary when the replica cannot give one (down,
    unreachable, refusing): the query is answered, and the replica is left alone for
    ``REPLICA_RETRY_SECONDS`` before a query tries it again."""
    try:
        return await _take(pin.client)
    except Exception:
        if pin.client is pin.source:
            raise
        _replica_failed()
        pin.client = pin.source
        return await _take(pin.source)


def _replica_failed() -> None:
    global _replica_down_until
    if time.monotonic() >= _replica_down_until:
        log.warning("read replica unavailable; queries read the primary for %d s", REPLICA_RETRY_SECONDS,
                    exc_info=True)
    _replica_down_until = time.monotonic() + REPLICA_RETRY_SECONDS


# The read replica's client, made by ``init_db``. Tortoise is not told about it: with two
# connections configured, every ``in_transaction()`` without a connection name (plugins' too)
# would refuse to run. Only ``one_connection(replica=True)`` hands its connections out.
_replica: PostgresClient | None = None
_replica_down_until = 0.0  # time.monotonic() before which queries skip a failed replica
REPLICA_RETRY_SECONDS = 10


def has_replica() -> bool:
    """Whether a read replica is configured (``init_db(replica_url=...)``)."""
    return _replica is not None


def _replica_up() -> bool:
    return _replica is not None and time.monotonic() >= _replica_down_until


def replica_client(url: str, timeouts: Timeouts | None = None) -> PostgresClient:
    """A client of read-only sessions on ``url`` (its pool opens on first use)."""
    config = postgres_connection(url, timeouts, read_only=True)
    return PostgresClient(**{**config["credentials"], "connection_name": REPLICA})


def use_replica(client: PostgresClient | None) -> PostgresClient | None:
    """Make ``client`` the replica (None: none), not known to be down; returns the previous
    one, still open."""
    global _replica, _replica_down_until
    previous, _replica, _replica_down_until = _replica, client, 0.0
    return previous


@contextlib.asynccontextmanager
async def one_connection(replica: bool = False) -> AsyncIterator[None]:
    """Run the block's statements on one pooled connection (PostgreSQL; a no-op on SQLite).

    For read-only work (GraphQL queries): a transaction opened inside takes its own connection
    from the primary as before, so a mutation never waits for a second connection while holding
    a first, and no write reaches the replica. With ``replica`` (and one configured) the
    block's connection comes from the read replica's pool."""
    try:
        client = connections.get("default")
    except Exception:  # not initialised (some CLI paths): nothing to pin
        client = None
    if not isinstance(client, PostgresClient) or _pinned.get() is not None:
        yield
        return
    pin = _Pin(client, (_replica if replica and _replica_up() else None) or client)
    token = _pinned.set(pin)
    try:
        yield
    finally:
        _pinned.reset(token)
        async with pin.lock:  # a statement still running (a cancelled request) ends first
            pin.closed = True
            if pin.connection is not None and pin.client._pool is not None:
                await pin.client._pool.release(pin.connection)
            pin.connection = None


def postgres_connection(database_url: str, timeouts: Timeouts | None, read_only: bool = False) -> dict[str, Any]:
    """Tortoise's connection config for ``database_url``: our client (``PostgresClient``), a pool
    that keeps sessions on release (``keep_session``) and, when given, the timeouts. With
    ``read_only`` (the replica) every session refuses writes, whatever server it reaches."""
    config = expand_db_url(database_url)
    config["engine"] = __name__
    credentials = config["credentials"]
    credentials["reset"] = keep_session
    if read_only:
        credentials["server_settings"] = {**credentials.get("server_settings", {}),
                                          "default_transaction_read_only": "on"}
    if timeouts is not None:
        credentials["timeout"] = timeouts.connect
        credentials["command_timeout"] = timeouts.statement + 1
        credentials["server_settings"] = {
            **credentials.get("server_settings", {}),
            "statement_timeout": str(int(timeouts.statement * 1000)),
        }
    return config


def tortoise_config(database_url: str, apps: Apps, timeouts: Timeouts | None = None) -> dict[str, Any]:
    connection: str | dict[str, Any] = database_url
    if not is_sqlite(database_url):
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


async def init_db(
    database_url: str, apps: Apps, timeouts: Timeouts | None = None, replica_url: str = ""
) -> TortoiseContext:
    """Connect for serving; the context is global so lifespan and request tasks share it."""
    ensure_sqlite_folder(database_url)
    context = await Tortoise.init(config=tortoise_config(database_url, apps, timeouts), _enable_global_fallback=True)
    if replica_url:
        use_replica(replica_client(replica_url, timeouts))
    return context


async def close_db() -> None:
    replica = use_replica(None)
    if replica is not None:
        await replica.close()
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
