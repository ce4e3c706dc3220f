"""Visibility decides who sees a problem everywhere: lists, node, nested fields, matching and
live events; anonymous callers see only PUBLIC problems, other alliances nothing of an
ALLIANCE problem, the poster everything."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.people.models import MembershipRole
from core.relay import decode_id
from plugins.challenges import services
from plugins.challenges.models import Problem
from tests.live_events import Subscription, open_subscription
from tests.plugins.challenges.conftest import City
from tests.support import User, gid

LIST = "query { problems(first: 50) { totalCount edges { node { id title } } } }"
NODE = "query($id: ID!) { node(id: $id) { ... on Problem { id title } } }"
NESTED = """query($o: ID!) { node(id: $o) { ... on Organisation { problems(first: 50) { totalCount } } } }"""
MATCHES = "query($p: ID!) { problemMatches(problemId: $p) { score } }"


async def titles(city: City, user: User | None) -> set[str]:
    data = await city.gql(LIST, user=user)
    assert data["problems"]["totalCount"] == len(data["problems"]["edges"])
    return {edge["node"]["title"] for edge in data["problems"]["edges"]}


async def test_each_visibility_for_each_viewer(city: City) -> None:
    fed_admin = await city.gql.user("周文博", org=city.fed, role=MembershipRole.ADMIN)
    names = {"public": "公开难题", "alliance": "联盟难题", "region": "区域难题", "draft": "草稿难题"}
    problems = {
        "public": await city.post(title="公开难题", visibility="PUBLIC"),
        "alliance": await city.post(title="联盟难题", visibility="ALLIANCE"),
        "region": await city.post(title="区域难题", visibility="REGION", region="临港市"),
        "draft": await city.post(title="草稿难题", visibility="PUBLIC", publish=False),
    }
    expected = {
        "anonymous": (None, {"public"}),
        "outsider (another alliance, region 临港市)": (city.outsider, {"public", "region"}),
        "solver studio (the alliance)": (city.wang, {"public", "alliance", "region"}),
        "member of the poster": (city.own_worker, {"public", "alliance", "region"}),
        "the poster": (city.poster, set(problems)),
        "admin of an ancestor": (fed_admin, set(problems)),
    }
    for who, (user, visible) in expected.items():
        found = {key for key, problem in problems.items() if (await city.gql(NODE, {"id": problem}, user=user))["node"]}
        assert found == visible, who
        assert await titles(city, user) == {names[key] for key in visible}, who
        nested = (await city.gql(NESTED, {"o": gid("Organisation", city.factory.id)}, user=user))["node"]["problems"]
        assert nested["totalCount"] == len(visible), who


async def test_unseen_problems_cannot_be_matched_bid_on_or_named(city: City) -> None:
    problem = await city.post(visibility="ALLIANCE")
    errors = await city.gql.errors(MATCHES, {"p": problem}, user=city.outsider)
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"
    assert (await city.gql.errors(MATCHES, {"p": problem}))[0]["extensions"]["code"] == "UNAUTHENTICATED"
    offer = await city.offer(city.outsider, kind="PERSON", title="外援")
    assert [e["code"] for e in (await city.bid(problem, offer, user=city.outsider))["errors"]] == ["NOT_FOUND"]
    assert (await city.gql(MATCHES, {"p": problem}, user=city.wang))["problemMatches"] is not None


async def test_bidders_keep_seeing_what_they_bid_on(city: City) -> None:
    problem = await city.post(visibility="REGION", region="临港市")
    offer = await city.offer(city.outsider, kind="PERSON", title="外援")
    assert (await city.bid(problem, offer, user=city.outsider))["errors"] == []
    # The region no longer lets them see it; their bid does.
    await Problem.filter(id=decode_id(problem, "Problem", "id")).update(region="东港区")
    assert (await city.gql(NODE, {"id": problem}, user=city.outsider))["node"] is not None


async def test_bids_and_outcomes_are_private(city: City) -> None:
    problem, bid = await city.taken(visibility="PUBLIC")
    query = """query($id: ID!) { node(id: $id) { ... on Problem { bids { id plan } outcomes { id } team { id } } } }"""
    submit = """mutation($b: ID!) { problemOutcomeSubmit(input: {bidId: $b, summary: "方案"}) {
      errors { code } } }"""
    await city.gql(submit, {"b": bid}, user=city.wang)
    for user, bids, outcomes in (
        (city.poster, 1, 1),
        (city.wang, 1, 1),
        (city.member_b, 1, 1),
        (city.own_worker, 0, 0),
        (None, 0, 0),
        (city.outsider, 0, 0),
    ):
        node = (await city.gql(query, {"id": problem}, user=user))["node"]
        assert (len(node["bids"]), len(node["outcomes"]), len(node["team"])) == (bids, outcomes, 1)
        assert (
            (await city.gql("query($id: ID!) { node(id: $id) { id } }", {"id": bid}, user=user))["node"] is not None
        ) == bool(bids)


@pytest.fixture
async def subscriptions() -> AsyncIterator[list[Subscription]]:
    opened: list[Subscription] = []
    yield opened
    for sub in opened:
        await sub.close()


async def test_live_events_follow_the_problem(city: City, subscriptions: list[Subscription]) -> None:
    member = await open_subscription(subscriptions, city.rt, city.own_worker, city.factory)
    poster = await open_subscription(subscriptions, city.rt, city.poster, city.factory)
    draft = await city.post(title="草稿", publish=False)
    await services.withdraw_problem(city.rt, decode_id(draft, "Problem", "id"), None)
    await city.post(title="公开", visibility="PUBLIC")
    assert (await poster.next())["name"] == "challenges.problem_withdrawn"
    opened = await member.next()  # the withdrawn draft never reached the member
    assert opened["name"] == "challenges.problem_opened" and opened["payload"]["title"] == "公开"
    assert (await poster.next())["name"] == "challenges.problem_opened"


async def test_admins_of_an_alliance_lead_manage_its_problems(city: City) -> None:
    """As ``can_manage_org``: the alliance posts through the admins of its lead member."""
    from core.organisations.models import AllianceMembership, AllianceRole, OrganisationPlugin

    await AllianceMembership.filter(alliance_id=city.alliance.id, organisation_id=city.studio_b.id).update(
        role=AllianceRole.LEAD
    )
    await OrganisationPlugin.create(organisation=city.alliance, plugin="challenges", settings={})
    draft = await city.post(user=city.wang, organisationId=gid("Organisation", city.alliance.id), publish=False)
    assert (await city.gql(NODE, {"id": draft}, user=city.wang))["node"] is not None
    assert "大型结构件焊接变形控制" in await titles(city, city.wang)
    assert (await city.gql(NODE, {"id": draft}, user=city.member_b))["node"] is None
