"""Test set-up: one migrated database and one Redis for the session, emptied between tests.

SQLite + fakeredis by default; PostgreSQL and Redis when GUILDHALL_TEST_DATABASE_URL /
GUILDHALL_TEST_REDIS_URL are set (as .ci/run does).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import httpx
import pluggy
import pytest
from redis.asyncio import Redis
from tortoise import Tortoise, connections

from core.app import create_app
from core.db import close_db, init_db, is_sqlite, migrate
from core.plugins import build_plugin_manager
from core.redis import make_redis
from core.runtime import Runtime
from core.settings import Settings, get_settings
from tests.support import Clock, GraphQLClient

TEST_SECRET = "test-secret-key-0123456789abcdefghijklmnop"
DATABASE_URL = os.environ.get("GUILDHALL_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("GUILDHALL_TEST_REDIS_URL")


def pytest_report_header() -> str:
    return f"guildhall backends: database={DATABASE_URL or 'sqlite (temporary file)'} redis={REDIS_URL or 'fakeredis'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if DATABASE_URL and not is_sqlite(DATABASE_URL):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set GUILDHALL_TEST_DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Settings made without a key (e.g. ``build_schema(pm)`` reading the environment) keep
    their generated key in a temporary folder, never in the repository's var/."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GUILDHALL_DATA_DIR", str(tmp_path_factory.mktemp("var")))
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(env="test", secret_key=TEST_SECRET, database_url=DATABASE_URL or "sqlite://:memory:",
                    redis_url=REDIS_URL)


@pytest.fixture(scope="session")
def pm() -> pluggy.PluginManager:
    # GUILDHALL_TEST_PLUGINS=a,b (or empty for core only) narrows the plugin set while developing.
    only = os.environ.get("GUILDHALL_TEST_PLUGINS")
    allow = None if only is None else [name for name in only.split(",") if name]
    return build_plugin_manager(allow, entry_points=False)


async def _reset_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def database(pm: pluggy.PluginManager, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    url = DATABASE_URL or f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    if not is_sqlite(url):
        await _reset_postgres(url)
    await migrate(url, pm)
    await init_db(url, pm)
    yield url
    await close_db()


def _tables() -> list[str]:
    apps = Tortoise.apps
    assert apps is not None
    return sorted({model._meta.db_table for model in apps.get_models_iterable()})


@pytest.fixture(autouse=True)
async def clean_database(database: str) -> AsyncIterator[None]:
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


@pytest.fixture(scope="session")
async def redis() -> AsyncIterator[Redis]:
    client = make_redis(REDIS_URL)
    await client.ping()  # fail loudly, never skip, when the configured Redis is down
    yield client
    await client.aclose()


@pytest.fixture
async def clock() -> Clock:
    return Clock()


@pytest.fixture
async def rt(settings: Settings, pm: pluggy.PluginManager, redis: Redis, clock: Clock) -> AsyncIterator[Runtime]:
    await redis.flushdb()
    yield Runtime(settings=settings, pm=pm, redis=redis, clock=clock)


@pytest.fixture
async def http(rt: Runtime, database: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(rt.settings, rt.pm, rt, manage_services=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


@pytest.fixture
async def gql(http: httpx.AsyncClient, rt: Runtime) -> GraphQLClient:
    return GraphQLClient(http, rt)

