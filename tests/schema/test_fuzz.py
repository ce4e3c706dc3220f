"""Whole-schema fuzzing: queries and mutations generated from the live schema never end in an
internal error (no ``INTERNAL_SERVER_ERROR`` code, no HTTP 500), whoever sends them.

Cases per test: ``GUILDHALL_FUZZ_CASES`` (100 in ``make test``, 2,000 in ``make fuzz``). The
database holds the demo world, and generated IDs are mostly real ones of every node type, so
operations get past "not found" into the services.
"""

from __future__ import annotations

import base64
import os
from datetime import date, datetime
from functools import cache
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from hypothesis_graphql import strategies as gs

from core.auth.models import Account
from core.runtime import Runtime
from host.demo import load_demo
from tests.support import GraphQLClient, User

pytestmark = pytest.mark.fuzz

CASES = int(os.environ.get("GUILDHALL_FUZZ_CASES", "100"))
FUZZ = settings(
    max_examples=CASES,
    deadline=None,
    database=None,  # nothing written into the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
INTERNAL = "INTERNAL_SERVER_ERROR"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _mostly(usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any], one_in: int = 10) -> st.SearchStrategy[Any]:
    """``usual``, and ``odd`` once in ``one_in`` draws: one odd value in a document is often
    enough to stop it before the resolvers, so most values are usual ones."""
    return st.integers(1, one_in).flatmap(lambda roll: odd if roll == 1 else usual)


@cache
def _strategies(sdl: str) -> tuple[st.SearchStrategy[str], st.SearchStrategy[str]]:
    schema = graphql.build_schema(sdl)
    node_types = sorted(
        name for name, type_ in schema.type_map.items()
        if isinstance(type_, graphql.GraphQLObjectType) and any(i.name == "Node" for i in type_.interfaces)
    )
    real_ids = st.builds(lambda t, n: _b64(f"{t}:{n}"), st.sampled_from(node_types), st.integers(1, 40))
    # Mostly values that pass the input checks, so cases reach the resolvers and services;
    # one in ten is odd: control characters, non-canonical or huge IDs and offsets, far dates.
    clean = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=40)
    odd_numbers = st.one_of(
        st.sampled_from(["²", "١٣", "+1", " 1", "01", "1_3", "1e3", "", "0", "-1",
                         str(2**31), str(2**31 - 1), str(2**63), str(2**70)]),
        st.integers(-(2**70), 2**70).map(str),
        st.text(max_size=12),
    )
    ids = _mostly(real_ids, st.one_of(
        st.builds(lambda t, n: _b64(f"{t}:{n}"), st.sampled_from(node_types), odd_numbers),
        st.builds(lambda t, n: _b64(f"{t}:{n}"), st.sampled_from(node_types), odd_numbers),
        st.text(max_size=30),
        st.binary(max_size=12).map(lambda b: base64.b64encode(b).decode()),
    ), one_in=5)
    cursors = odd_numbers.map(lambda n: _b64(f"o:{n}"))
    moments = st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())
    extremes = st.one_of(
        st.datetimes(max_value=datetime(1, 1, 2)), st.datetimes(min_value=datetime(9999, 12, 30))
    ).flatmap(lambda d: st.sampled_from(["+14:00", "-14:00", "Z", ""]).map(lambda z: d.isoformat() + z))
    near = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1),
                        timezones=st.timezones()).map(lambda d: d.isoformat())
    custom = {
        "ID": ids.map(nodes.String),
        "String": _mostly(clean, st.one_of(st.text(), cursors)).map(nodes.String),
        "Int": _mostly(st.integers(-2, 120), st.integers(-(2**31), 2**31 - 1)).map(nodes.Int),
        "DateTime": _mostly(near, st.one_of(moments, extremes, st.text(max_size=30))).map(nodes.String),
        "Date": _mostly(st.dates(date(2020, 1, 1), date(2035, 1, 1)),
                        st.one_of(st.dates(), st.dates(max_value=date(1, 1, 31)), st.dates(min_value=date(9999, 12, 1)))
                        ).map(lambda d: nodes.String(d.isoformat())),
        "JSON": st.recursive(
            st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.text(max_size=20)),
            lambda inner: st.one_of(st.lists(inner, max_size=3),
                                    st.dictionaries(st.text(max_size=10), inner, max_size=3)),
            max_leaves=6,
        ).map(_json_node),
    }
    return gs.queries(sdl, custom_scalars=custom), gs.mutations(sdl, custom_scalars=custom)


def _json_node(value: Any) -> graphql.ValueNode:
    node = graphql.ast_from_value(value, graphql.GraphQLString) if isinstance(value, str) else None
    if node is not None:
        return node
    if value is None:
        return nodes.Null
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    if isinstance(value, list):
        return nodes.List([_json_node(item) for item in value])
    fields = [graphql.ObjectFieldNode(name=graphql.NameNode(value=f"k{i}"), value=_json_node(item))
              for i, item in enumerate(value.values())]
    return nodes.Object(fields)


class Viewers:
    """Anonymous, a member, an organisation admin and a superuser, each with a fresh token per
    case (a generated ``logout`` may revoke the one in use)."""

    def __init__(self, gql: GraphQLClient, accounts: list[Account]) -> None:
        self.gql = gql
        self.accounts = accounts

    def get(self, index: int) -> User | None:
        if index == 0:
            return None
        account = self.accounts[(index - 1) % len(self.accounts)]
        token = self.gql.token_for(account.id, account.person_id, account.is_superuser)
        return User(None, token, account.id)


@pytest.fixture
async def viewers(gql: GraphQLClient, rt: Runtime) -> Viewers:
    assert await load_demo(rt) is not None
    accounts = list(await Account.all().order_by("id"))
    chosen = [next(a for a in accounts if not a.is_superuser), next(a for a in accounts if a.is_superuser)]
    admin = await gql.user("模糊测试管理员")
    chosen.insert(1, await Account.get(id=admin.account_id))
    return Viewers(gql, chosen)


@cache
def _live_sdl(registry: Any) -> str:
    from schema import build_schema

    return build_schema(registry).as_str()


def _sdl(gql: GraphQLClient) -> str:
    # The live schema of the app under test (its plugin set), not the committed file.
    return _live_sdl(gql.rt.registry)


async def _assert_no_internal_error(gql: GraphQLClient, query: str, user: User | None) -> None:
    response = await gql.raw(query, user=user)
    assert response.status_code != 500, (query, response.text[:2000])
    if response.headers.get("content-type", "").startswith("application/json"):
        body = response.json()
        codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
        assert INTERNAL not in codes, (query, body["errors"])


@FUZZ
@given(data=st.data(), viewer=st.integers(0, 3))
async def test_generated_queries_never_fail_internally(
    gql: GraphQLClient, viewers: Viewers, data: st.DataObject, viewer: int
) -> None:
    queries, _ = _strategies(_sdl(gql))
    await _assert_no_internal_error(gql, data.draw(queries, label="query"), viewers.get(viewer))


@FUZZ
@given(data=st.data(), viewer=st.integers(0, 3))
async def test_generated_mutations_never_fail_internally(
    gql: GraphQLClient, viewers: Viewers, data: st.DataObject, viewer: int
) -> None:
    _, mutations = _strategies(_sdl(gql))
    await _assert_no_internal_error(gql, data.draw(mutations, label="mutation"), viewers.get(viewer))
