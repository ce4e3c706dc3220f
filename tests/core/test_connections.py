"""PostgreSQL connections (issue #13): a query's statements share one pooled connection, taken
once and given back at the end, and the pool runs no reset query on release."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from core.db import PostgresClient, keep_session, one_connection
from core.organisations.models import Organisation
from core.people.models import Membership, Person
from tests.support import GraphQLClient, make_org

pytestmark = pytest.mark.postgres


def _client() -> PostgresClient:
    client = connections.get("default")
    if not isinstance(client, PostgresClient):
        pytest.skip("PostgreSQL only")
    return client


async def _pid() -> int:
    rows = await connections.get("default").execute_query_dict("SELECT pg_backend_pid() AS pid")
    return int(rows[0]["pid"])


class _Acquisitions:
    """Counts acquisitions from the pool (the pool is real; its class method is only watched)."""

    def __init__(self, client: PostgresClient) -> None:
        assert client._pool is not None
        self.pool_class = type(client._pool)
        self.count = 0
        self._acquire = self.pool_class.acquire

    def __enter__(self) -> _Acquisitions:
        original = self._acquire

        def acquire(pool: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return original(pool, *args, **kwargs)

        self.pool_class.acquire = acquire  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool_class.acquire = self._acquire  # type: ignore[method-assign]


async def test_the_pool_keeps_sessions_on_release() -> None:
    client = _client()
    await _pid()  # the pool exists
    assert client._pool is not None and client._pool._reset is keep_session


async def test_statements_inside_one_connection_share_it_even_when_concurrent() -> None:
    client = _client()
    await _pid()
    with _Acquisitions(client) as acquisitions:
        async with one_connection():
            pids = await asyncio.gather(*(_pid() for _ in range(10)))
            pids.append(await _pid())
    assert len(set(pids)) == 1
    assert acquisitions.count == 1
    # Given back: the next statement outside takes a connection from the pool again.
    with _Acquisitions(client) as acquisitions:
        await _pid()
        await _pid()
    assert acquisitions.count == 2


async def test_a_transaction_inside_takes_its_own_connection_and_commits() -> None:
    _client()
    async with one_connection():
        outside = await _pid()
        async with in_transaction():
            inside = await _pid()
            await Person.create(name="事务内")
        assert inside != outside
        assert await Person.filter(name="事务内").exists()  # committed, seen on the pinned connection


async def test_a_query_takes_one_connection_however_many_statements(gql: GraphQLClient) -> None:
    client = _client()
    orgs: list[Organisation] = [await make_org(f"企业{i}") for i in range(3)]
    for org in orgs:
        person = await Person.create(name=f"{org.name}职工")
        await Membership.create(person=person, organisation=org)
    query = (
        "{ organisations(first: 5) { totalCount edges { node { name"
        " members(first: 5) { edges { node { name skills { level } } } } } } } }"
    )
    with _Acquisitions(client) as acquisitions:
        data = await gql(query)
    assert data["organisations"]["totalCount"] == 3
    assert acquisitions.count == 1


async def test_a_task_that_outlives_the_block_takes_its_own_connection() -> None:
    _client()
    release = asyncio.Event()

    async def later() -> int:
        await release.wait()
        return await _pid()

    async with one_connection():
        await _pid()
        task = asyncio.create_task(later())  # copies the context, pin included
    release.set()
    assert await task > 0  # ran on a pool connection, not on the one given back
