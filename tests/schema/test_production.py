"""Production defaults: no introspection and no "Did you mean …" hints unless switched back on;
the validation cache still hits with the extra rules."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from strawberry.extensions.validation_cache import _get_validate_cache

from core.runtime import Runtime
from core.settings import Settings
from schema.extensions import CACHE_SIZE, schema_config
from tests.support import GraphQLClient, client_for

INTROSPECTION = "{ __schema { queryType { name } } }"
TYPE = '{ __type(name: "Person") { fields { name } } }'
TYPO_FIELD = "{ peple { totalCount } }"
TYPO_ENUM_LITERAL = "{ organisations(kind: SCHOL) { totalCount } }"
TYPO_ENUM_VARIABLE = "query($k: OrganisationKind) { organisations(kind: $k) { totalCount } }"
TYPO_INPUT_FIELD = 'mutation { login(input: {usernam: "wang", password: "secret-pass"}) { accessToken } }'
TYPO_ARGUMENT = "{ people(frist: 1) { totalCount } }"

ClientFactory = Callable[..., Any]


@pytest.fixture
async def client(rt: Runtime) -> AsyncIterator[ClientFactory]:
    opened: list[GraphQLClient] = []

    def make(**overrides: Any) -> GraphQLClient:
        settings = Settings(**{**rt.settings.model_dump(), **overrides})
        gql = client_for(Runtime(settings=settings, registry=rt.registry, redis=rt.redis, clock=rt.clock))
        opened.append(gql)
        return gql

    yield make
    for gql in opened:
        await gql.http.aclose()


async def test_production_refuses_introspection(client: ClientFactory) -> None:
    gql = client(env="production")
    for query in (INTROSPECTION, TYPE):
        errors = await gql.errors(query)
        assert {e["extensions"]["code"] for e in errors} == {"INTROSPECTION_DISABLED"}
    assert await gql("{ __typename }") == {"__typename": "Query"}


async def test_the_setting_turns_introspection_back_on(client: ClientFactory) -> None:
    data = await client(env="production", introspection=True)(INTROSPECTION)
    assert data["__schema"]["queryType"]["name"] == "Query"


async def test_introspection_is_on_outside_production_and_can_be_turned_off(client: ClientFactory) -> None:
    assert (await client(env="test")(INTROSPECTION))["__schema"]["queryType"]["name"] == "Query"
    errors = await client(env="test", introspection=False).errors(INTROSPECTION)
    assert errors[0]["extensions"]["code"] == "INTROSPECTION_DISABLED"


@pytest.mark.parametrize(("query", "variables"), [
    (TYPO_FIELD, None),
    (TYPO_ENUM_LITERAL, None),
    (TYPO_ENUM_VARIABLE, {"k": "SCHOL"}),
    (TYPO_INPUT_FIELD, None),
    (TYPO_ARGUMENT, None),
])
async def test_production_errors_suggest_nothing(
    client: ClientFactory, query: str, variables: dict[str, Any] | None
) -> None:
    development = await client(env="test").errors(query, variables)
    assert any("Did you mean" in e["message"] for e in development)  # the hint this test removes
    production = await client(env="production").errors(query, variables)
    assert production and not any("Did you mean" in e["message"] for e in production), production
    assert all(e["extensions"]["code"] != "INTERNAL_SERVER_ERROR" for e in production)


def test_schema_config_follows_introspection() -> None:
    base = {"secret_key": "k" * 40}
    assert schema_config(Settings(env="production", **base)).disable_field_suggestions is True
    assert schema_config(Settings(env="production", introspection=True, **base)).disable_field_suggestions is False
    assert schema_config(Settings(env="development", **base)).disable_field_suggestions is False


async def test_validation_stays_cached_in_production(client: ClientFactory) -> None:
    gql = client(env="production")
    cache = _get_validate_cache(CACHE_SIZE)
    query = "{ people(first: 1) { totalCount } } # cached in production"
    await gql(query)
    before = cache.cache_info()
    await gql(query)
    after = cache.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)
