"""Read-replica routing (``GUILDHALL_DATABASE_REPLICA_URL``, ``core.replica``) on PostgreSQL.

The "replica" here is a second database, migrated like the first, whose rows say something
else: what a query answers shows which database it read. Queries read the replica; mutations
write the primary; an account that just wrote reads the primary until its mark expires; the
replica's sessions refuse writes. (The rest of the suite on PostgreSQL already runs every query
through read-only replica sessions on the test database itself: ``host.testing.plugin``.)"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]
import pytest
from tortoise.exceptions import TransactionManagementError

from core import db
from core.db import is_sqlite, migrate, one_connection, replica_client, use_replica
from core.organisations.models import Organisation
from core.registry import Registry
from core.replica import WROTE_KEY
from core.runtime import Runtime
from tests.support import GraphQLClient, gid, make_org

NODE = "query($id: ID!) { node(id: $id) { ... on Organisation { name } } }"
ME = "{ me { bio } }"
UPDATE = """mutation($id: ID!, $bio: String) {
  personUpdate(input: {id: $id, bio: $bio}) { person { bio } errors { code } }
}"""


def _asyncpg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


@pytest.fixture
async def replica_url(database: str, registry: Registry) -> AsyncIterator[str]:
    """A second database with the same schema, dropped afterwards."""
    if is_sqlite(database):
        pytest.skip("a read replica is PostgreSQL only")
    parts = urlsplit(database)
    name = f"{parts.path.lstrip('/')}_replica"
    admin = await asyncpg.connect(_asyncpg_url(urlunsplit(parts._replace(path="/postgres"))))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = urlunsplit(parts._replace(path=f"/{name}"))
        await migrate(url, registry.model_apps)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@contextlib.asynccontextmanager
async def replica_at(url: str) -> AsyncIterator[None]:
    """The app's replica is ``url`` for the block (then the suite's own again)."""
    client = replica_client(url)
    previous = use_replica(client)
    try:
        yield
    finally:
        use_replica(previous)
        await client.close()


async def _copy(database: str, replica: str, table: str, row_id: int, **changes: object) -> None:
    """The primary's row, changed, written into the replica database."""
    primary = await asyncpg.connect(_asyncpg_url(database))
    target = await asyncpg.connect(_asyncpg_url(replica))
    try:
        row = dict(await primary.fetchrow(f'SELECT * FROM "{table}" WHERE id = $1', row_id))
        row.update(changes)
        columns = ", ".join(f'"{column}"' for column in row)
        values = ", ".join(f"${i}" for i in range(1, len(row) + 1))
        await target.execute(f'INSERT INTO "{table}" ({columns}) VALUES ({values})', *row.values())
    finally:
        await primary.close()
        await target.close()


async def test_queries_read_the_replica_and_a_writer_reads_the_primary_for_a_while(
    gql: GraphQLClient, rt: Runtime, database: str, replica_url: str
) -> None:
    org = await make_org("主库工作室")
    user = await gql.user("王建国")
    await _copy(database, replica_url, "core_organisation", org.id, name="副本工作室")
    await _copy(database, replica_url, "core_person", user.person.id, bio="副本里的简介")
    sticky = gql.with_settings(database_replica_sticky_seconds=30)
    try:
        async with replica_at(replica_url):
            # Anonymous and signed-in queries alike read the replica.
            assert await sticky(NODE, {"id": gid("Organisation", org.id)}) == {"node": {"name": "副本工作室"}}
            assert await sticky(ME, user=user) == {"me": {"bio": "副本里的简介"}}
            # A mutation writes the primary (the replica's sessions could not) ...
            updated = await sticky(UPDATE, {"id": gid("Person", user.person.id), "bio": "新简介"}, user=user)
            assert updated["personUpdate"] == {"person": {"bio": "新简介"}, "errors": []}
            # ... and its author reads the primary while the mark lasts, on any process (Redis).
            assert await rt.redis.pttl(WROTE_KEY.format(account=user.account_id)) > 25_000
            assert await sticky(ME, user=user) == {"me": {"bio": "新简介"}}
            # Others still read the replica; so does the author once the mark is gone.
            assert await sticky(NODE, {"id": gid("Organisation", org.id)}) == {"node": {"name": "副本工作室"}}
            await rt.redis.delete(WROTE_KEY.format(account=user.account_id))
            assert await sticky(ME, user=user) == {"me": {"bio": "副本里的简介"}}
    finally:
        await sticky.http.aclose()


async def test_the_replica_sessions_refuse_writes(database: str) -> None:
    if is_sqlite(database):
        pytest.skip("a read replica is PostgreSQL only")
    # The suite's replica is the test database itself, reached by read-only sessions.
    async with one_connection(replica=True):
        with pytest.raises(TransactionManagementError, match="read-only transaction"):
            await make_org("写不进去")
    assert not await Organisation.filter(name="写不进去").exists()


async def test_a_replica_that_cannot_be_reached_leaves_queries_to_the_primary(
    gql: GraphQLClient, database: str, caplog: pytest.LogCaptureFixture
) -> None:
    if is_sqlite(database):
        pytest.skip("a read replica is PostgreSQL only")
    org = await make_org("主库工作室")
    parts = urlsplit(database)
    user = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    nobody_listens = urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:1"))
    variables = {"id": gid("Organisation", org.id)}
    async with replica_at(nobody_listens):
        with caplog.at_level(logging.WARNING, logger="core.db"):
            assert await gql(NODE, variables) == {"node": {"name": "主库工作室"}}
            assert await gql(NODE, variables) == {"node": {"name": "主库工作室"}}
        warnings = [r for r in caplog.records if r.name == "core.db" and "replica unavailable" in r.getMessage()]
        assert len(warnings) == 1  # the second query did not try the replica again
        assert not db._replica_up()
