"""The ``guildhall`` pytest plugin: the host's own test fixtures, for any plugin's tests.

pytest loads it by itself wherever the ``guildhall`` package is installed (entry point
``pytest11``: ``guildhall = "host.testing.plugin"``); ``-p no:guildhall`` switches it off.

Backends: a migrated SQLite file in a temporary folder and fakeredis by default; a real
PostgreSQL and Redis when ``GUILDHALL_TEST_DATABASE_URL`` / ``GUILDHALL_TEST_REDIS_URL`` are set
(the PostgreSQL database's ``public`` schema is dropped and migrated again at the start of the
run). Tests marked ``@pytest.mark.postgres`` are skipped on SQLite.

Plugin set: every installed plugin (core, the in-tree ones and the ``guildhall.plugins`` entry
points) unless the test configuration narrows it:

- ini ``guildhall_plugins``: the plugin names to load (core always loads), e.g. ``["badges"]``;
- ini ``guildhall_entry_points = false``: only core and the in-tree plugins (the host's suite);
- environment ``GUILDHALL_TEST_PLUGINS=a,b`` (empty: core only) overrides the ini while developing;
- or override the ``guildhall_plugins`` / ``guildhall_entry_points`` fixtures in a conftest.

Needs pytest-asyncio with ``asyncio_mode = "auto"`` and session-scoped loops
(``asyncio_default_fixture_loop_scope`` and ``asyncio_default_test_loop_scope`` = ``"session"``):
the database connection is opened once per session, in the session's event loop.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pluggy
import pytest

try:
    import httpx
    import pytest_asyncio
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "the guildhall pytest plugin needs pytest-asyncio and httpx: pip install 'guildhall[test]'"
    ) from exc
from redis.asyncio import Redis
from tortoise import Tortoise, connections

from core.auth.revocations import mark_complete
from core.db import close_db, init_db, is_sqlite, migrate
from core.redis import make_redis, redacted_redis_url
from core.registry import Registry
from core.runtime import Runtime
from core.settings import Settings, get_settings
from host.app import create_app
from host.plugins import build_plugin_manager
from host.registry import build_registry
from host.testing.factories import DEFAULT_MODULES, Factories, load_factories
from host.testing.servers import ServerLauncher
from host.testing.support import Clock, GraphQLClient

TEST_SECRET = "test-secret-key-0123456789abcdefghijklmnop"
DATABASE_ENV = "GUILDHALL_TEST_DATABASE_URL"
REDIS_ENV = "GUILDHALL_TEST_REDIS_URL"
PLUGINS_ENV = "GUILDHALL_TEST_PLUGINS"


def _database_url() -> str | None:
    return os.environ.get(DATABASE_ENV) or None


def _redis_url() -> str | None:
    return os.environ.get(REDIS_ENV) or None


def _on_postgres() -> bool:
    url = _database_url()
    return url is not None and not is_sqlite(url)


def _replica_url() -> str:
    """On PostgreSQL the suite reads through a "replica" that is the same database reached by
    read-only sessions (``core.db.postgres_connection(read_only=True)``): every GraphQL query of
    every test then runs on the replica's pool, and one that writes fails its test."""
    return _database_url() or "" if _on_postgres() else ""


# Hooks -------------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "guildhall_plugins",
        "Guildhall plugins the fixtures load (core always); default: every installed plugin",
        type="linelist",
        default=[],
    )
    parser.addini(
        "guildhall_entry_points",
        "Load installed plugins (entry points); false: core and the in-tree plugins only",
        type="bool",
        default=True,
    )
    parser.addini(
        "guildhall_factories",
        "Modules of test-data factories (host/testing/factories.py); {plugin}: each loaded plugin's name",
        type="linelist",
        default=list(DEFAULT_MODULES),
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs a real PostgreSQL (GUILDHALL_TEST_DATABASE_URL)")


def pytest_report_header(config: pytest.Config) -> str:
    return (
        f"guildhall backends: database={_database_url() or 'sqlite (temporary file)'} "
        f"redis={redacted_redis_url(_redis_url()) or 'fakeredis'}"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _on_postgres():
        return
    skip = pytest.mark.skip(reason=f"needs PostgreSQL: set {DATABASE_ENV}")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# Configuration and plugin set --------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Settings made without a key (``get_settings()`` reading the environment) keep their
    generated key in a temporary folder, never in the project's var/."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GUILDHALL_DATA_DIR", str(tmp_path_factory.mktemp("var")))
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()

# The test clock stands still unless a test moves it, so rate-limit buckets would never refill:
# they are made large here (still charged and reported); tests of the limits set their own.
TEST_BUCKET = 10**9


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(
        env="test", secret_key=TEST_SECRET, database_url=_database_url() or "sqlite://:memory:", redis_url=_redis_url(),
        rate_limit_bucket_size=TEST_BUCKET, rate_limit_anonymous_bucket_size=TEST_BUCKET,
        # No stickiness: every query, even right after its caller's mutation, reads the replica.
        database_replica_url=_replica_url(), database_replica_sticky_seconds=0,
    )


@pytest.fixture(scope="session")
def guildhall_plugins(pytestconfig: pytest.Config) -> list[str] | None:
    """Names of the plugins to load besides core; None: all. Override it in a conftest to choose."""
    only = os.environ.get(PLUGINS_ENV)
    if only is not None:
        return [name for name in only.split(",") if name]
    names: list[str] = pytestconfig.getini("guildhall_plugins")
    return names or None


@pytest.fixture(scope="session")
def guildhall_entry_points(pytestconfig: pytest.Config) -> bool:
    """Whether installed plugins load; False: core and the in-tree plugins only."""
    return bool(pytestconfig.getini("guildhall_entry_points"))


@pytest.fixture(scope="session")
def pm(guildhall_plugins: list[str] | None, guildhall_entry_points: bool) -> pluggy.PluginManager:
    return build_plugin_manager(guildhall_plugins, entry_points=guildhall_entry_points)


@pytest.fixture(scope="session")
def registry(pm: pluggy.PluginManager) -> Registry:
    return build_registry(pm)


@pytest.fixture(scope="session")
def factories(registry: Registry, pytestconfig: pytest.Config) -> Factories:
    """Test-data factories of core and of every loaded plugin that ships some (``host.testing.factories``)."""
    modules: list[str] = pytestconfig.getini("guildhall_factories")
    return load_factories([p.name for p in registry.plugins], modules)


# Backends ----------------------------------------------------------------------------------------


async def _reset_postgres(url: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def _require_session_loops(config: pytest.Config) -> None:
    wanted = {"asyncio_mode": "auto", "asyncio_default_fixture_loop_scope": "session",
              "asyncio_default_test_loop_scope": "session"}
    given = {name: config.getoption(name, None) or config.getini(name) for name in wanted}
    wrong = {name: value for name, value in wanted.items() if str(given[name]) != value}
    if wrong:
        lines = "\n".join(f'{name} = "{value}"' for name, value in wrong.items())
        pytest.fail(f"the guildhall fixtures need, under [tool.pytest.ini_options]:\n{lines}", pytrace=False)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def database(
    registry: Registry, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> AsyncIterator[str]:
    """A database migrated for every loaded plugin, connected for the whole session."""
    _require_session_loops(pytestconfig)
    url = _database_url() or f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    if not is_sqlite(url):
        await _reset_postgres(url)
    await migrate(url, registry.model_apps)
    await init_db(url, registry.model_apps, replica_url=_replica_url())
    yield url
    await close_db()


def _tables() -> list[str]:
    apps = Tortoise.apps
    assert apps is not None
    return sorted({model._meta.db_table for model in apps.get_models_iterable()})


@pytest_asyncio.fixture(autouse=True, loop_scope="session")
async def clean_database(database: str) -> AsyncIterator[None]:
    """Every test starts from empty tables (and restarted identities)."""
    yield
    conn = connections.get("default")
    tables = _tables()
    if is_sqlite(database):
        deletes = "".join(f'DELETE FROM "{table}";' for table in tables)
        await conn.execute_script(
            f"PRAGMA foreign_keys=OFF;{deletes}DELETE FROM sqlite_sequence;PRAGMA foreign_keys=ON;"
        )
    else:
        quoted = ", ".join(f'"{t}"' for t in tables)
        await conn.execute_script(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def redis() -> AsyncIterator[Redis]:
    client = make_redis(_redis_url())
    await client.ping()  # fail loudly, never skip, when the configured Redis is down
    yield client
    await client.aclose()


@pytest.fixture
def guildhall_servers(
    settings: Settings, registry: Registry, database: str, rt: Runtime, tmp_path: Path
) -> Iterator[ServerLauncher]:
    """Starts real ``guildhall serve`` processes on the tests' PostgreSQL and Redis
    (``launcher.start(**settings)`` -> ``ServerProcess`` with ``.http``/``.ws``), stopped after
    the test. Skipped on SQLite or fakeredis: separate processes cannot share those."""
    redis_url = _redis_url()
    if not _on_postgres() or redis_url is None:
        pytest.skip(f"needs PostgreSQL and Redis shared by processes: set {DATABASE_ENV} and {REDIS_ENV}")
    launcher = ServerLauncher({
        "env": "test", "database_url": database, "redis_url": redis_url, "secret_key": settings.secret_key,
        "plugins": ",".join(registry.activity_plugins),
    }, tmp_path)
    try:
        yield launcher
    finally:
        launcher.stop()


@pytest.fixture
def clock() -> Clock:
    """The runtime's clock: ``clock.advance(minutes=30)``, ``clock.set(when)``."""
    return Clock()


# The app ---------------------------------------------------------------------------------------


@pytest_asyncio.fixture(loop_scope="session")
async def rt(settings: Settings, registry: Registry, redis: Redis, clock: Clock) -> AsyncIterator[Runtime]:
    """The runtime services code receives (``rule(rt, ...)``); Redis is emptied first."""
    await redis.flushdb()
    # The database holds no revocations either (emptied after every test): the cache is complete.
    await mark_complete(redis)
    yield Runtime(settings=settings, registry=registry, redis=redis, clock=clock)


@pytest_asyncio.fixture(loop_scope="session")
async def http(rt: Runtime, database: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on ``host.app.create_app`` for ``rt`` (no server, no lifespan)."""
    app = create_app(rt.settings, rt.registry, rt, manage_services=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


@pytest_asyncio.fixture(loop_scope="session")
async def gql(http: httpx.AsyncClient, rt: Runtime) -> GraphQLClient:
    """``await gql(query, variables, user=await gql.user(...))``; ``gql.errors(...)`` for failures."""
    return GraphQLClient(http, rt)
