"""The matrix sends thousands of requests and queries deeper than clients do: no rate, cost or
size limit may refuse them, so every refusal seen is the access policy's."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from host.testing.support import GraphQLClient


@pytest.fixture
async def client(gql: GraphQLClient) -> AsyncIterator[GraphQLClient]:
    other = gql.with_settings(
        rate_limit_bucket_size=10**9,
        rate_limit_anonymous_bucket_size=10**9,
        max_query_cost=10**9,
        max_query_tokens=10**6,
        max_request_bytes=10**7,
    )
    yield other
    await other.http.aclose()
