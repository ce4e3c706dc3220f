"""A small city for challenges: a federation with its industry chains, a poster enterprise and
its own studio, an alliance with a studio of another enterprise (the solver side), and an
outsider in another region and alliance; quick factories through the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from core import hookimpl
from core.organisations.models import (
    AllianceMembership,
    Organisation,
    OrganisationKind,
    OrganisationPlugin,
)
from core.people.models import Honour, HonourLevel, MembershipRole
from core.plugin_api import DomainEvent
from core.registry import Registry
from core.runtime import Runtime
from core.skills.models import PersonSkill, Skill
from host.plugins import build_plugin_manager
from tests.support import GraphQLClient, User, client_for, gid, make_org, runtime_with

CHAINS = ["高端装备", "汽车", "绿色石化"]

POST = """mutation Post($input: ProblemCreateInput!) { problemCreate(input: $input) { problem {
  id status } errors { code message field } } }"""
OFFER = """mutation($input: OfferCreateInput!) { offerCreate(input: $input) { offer { id kind } errors {
  code message field } } }"""
BID = """mutation Bid($input: BidCreateInput!) { bidCreate(input: $input) { bid { id status } errors {
  code message field } } }"""
ACCEPT = """mutation Select($b: ID!) { bidAccept(input: {id: $b}) { bid { id status } problem {
  id status } errors { code message } } }"""
DECLINE = """mutation($b: ID!, $r: String!) { bidDecline(input: {id: $b, reason: $r}) { bid {
  id status declineReason } errors { code message field } } }"""
SUBMIT = """mutation($b: ID!, $s: String!) { problemOutcomeSubmit(input: {bidId: $b, summary: $s}) { outcome {
  id status } errors { code message field } } }"""
SOLVE = """mutation Solve($input: ProblemOutcomeAcceptInput!) { problemOutcomeAccept(input: $input) { problem {
  id status rating economicBenefit } errors { code message } } }"""


async def enable(org: Organisation, **settings: Any) -> None:
    await OrganisationPlugin.create(organisation=org, plugin="challenges", settings=settings)


@dataclass
class City:
    gql: GraphQLClient
    rt: Runtime
    fed: Organisation
    factory: Organisation  # the poster
    factory_studio: Organisation  # the poster's own studio, in the alliance
    ent_b: Organisation
    studio_b: Organisation  # the solver side, in the alliance
    outsider_org: Organisation  # another region, another alliance
    alliance: Organisation
    poster: User  # admin of factory
    wang: User  # leader of studio_b, a national model worker
    member_b: User
    own_worker: User  # member of factory
    outsider: User
    weld: Skill
    offers: dict[str, str] = field(default_factory=dict)

    async def post(self, user: User | None = None, **fields: Any) -> str:
        values: dict[str, Any] = {
            "organisationId": gid("Organisation", self.factory.id),
            "title": "大型结构件焊接变形控制",
            "industryChain": "高端装备",
            "urgency": "HIGH",
            "reward": 50000,
            "visibility": "ALLIANCE",
            "skills": [{"skillId": gid("Skill", self.weld.id), "minLevel": 2}],
        }
        values.update(fields)
        data = (await self.gql(POST, {"input": values}, user=user or self.poster))["problemCreate"]
        assert data["errors"] == [], data
        return str(data["problem"]["id"])

    async def offer(self, user: User, **fields: Any) -> str:
        data = (await self.gql(OFFER, {"input": fields}, user=user))["offerCreate"]
        assert data["errors"] == [], data
        return str(data["offer"]["id"])

    async def studio_offer(self) -> str:
        if "studio_b" not in self.offers:
            self.offers["studio_b"] = await self.offer(
                self.wang,
                kind="STUDIO",
                title="焊接工艺攻关",
                organisationId=gid("Organisation", self.studio_b.id),
                industryChain="高端装备",
                region="海州市",
                skillIds=[gid("Skill", self.weld.id)],
            )
        return self.offers["studio_b"]

    async def bid(self, problem: str, offer: str, user: User | None = None, **fields: Any) -> dict[str, Any]:
        values = {"problemId": problem, "offerId": offer, "plan": "反变形加分段退焊", **fields}
        return dict((await self.gql(BID, {"input": values}, user=user or self.wang))["bidCreate"])

    async def taken(self, **post: Any) -> tuple[str, str]:
        """An IN_PROGRESS problem with studio_b's accepted bid: (problem id, bid id)."""
        problem = await self.post(**post)
        bid = (await self.bid(problem, await self.studio_offer(), memberIds=[self.member_b.person_gid]))["bid"]["id"]
        accepted = (await self.gql(ACCEPT, {"b": bid}, user=self.poster))["bidAccept"]
        assert accepted["errors"] == [] and accepted["problem"]["status"] == "IN_PROGRESS", accepted
        return problem, bid


@pytest.fixture(autouse=True)
def _challenges_loaded(registry: Registry) -> None:
    if "challenges" not in registry.activity_plugins:
        pytest.skip("the challenges plugin is not loaded (GUILDHALL_TEST_PLUGINS)")


async def build_city(gql: GraphQLClient, rt: Runtime) -> City:
    fed = await make_org("海州市总工会", OrganisationKind.FEDERATION, region="海州市")
    await enable(fed, industry_chains=CHAINS)
    factory = await make_org("海州精密机械有限公司", parent=fed, region="海州市")
    await enable(factory)
    factory_studio = await make_org("精密机械创新工作室", OrganisationKind.STUDIO, parent=factory, region="海州市")
    ent_b = await make_org("海州重工集团", parent=fed, region="东港区")
    studio_b = await make_org("王建国劳模创新工作室", OrganisationKind.STUDIO, parent=ent_b, region="东港区")
    await enable(studio_b)
    alliance = await make_org("机械行业创新工作室联盟", OrganisationKind.ALLIANCE, parent=fed, region="海州市")
    for member in (factory_studio, studio_b):
        await AllianceMembership.create(alliance=alliance, organisation=member)
    outsider_org = await make_org("临港化工厂", region="临港市")
    other_alliance = await make_org("化工联盟", OrganisationKind.ALLIANCE, region="临港市")
    await AllianceMembership.create(alliance=other_alliance, organisation=outsider_org)
    weld = await Skill.create(name="焊接")
    poster = await gql.user("孙立新", org=factory, role=MembershipRole.ADMIN)
    wang = await gql.user("王建国", org=studio_b, role=MembershipRole.LEADER)
    member_b = await gql.user("赵晓东", org=studio_b)
    own_worker = await gql.user("周春燕", org=factory)
    outsider = await gql.user("马玉兰", org=outsider_org)
    assert wang.person is not None and member_b.person is not None
    await PersonSkill.create(person=wang.person, skill=weld, level=1)
    await PersonSkill.create(person=member_b.person, skill=weld, level=3)
    await Honour.create(person=wang.person, title="全国劳动模范", level=HonourLevel.NATIONAL, year=2015)
    await Organisation.filter(id=studio_b.id).update(leader_id=wang.person.id)
    return City(
        gql=gql,
        rt=rt,
        fed=fed,
        factory=factory,
        factory_studio=factory_studio,
        ent_b=ent_b,
        studio_b=studio_b,
        outsider_org=outsider_org,
        alliance=alliance,
        poster=poster,
        wang=wang,
        member_b=member_b,
        own_worker=own_worker,
        outsider=outsider,
        weld=weld,
    )


@pytest.fixture
async def city(gql: GraphQLClient, rt: Runtime) -> City:
    return await build_city(gql, rt)


class Recorder:
    """A throwaway plugin that records every domain event it observes."""

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    @hookimpl
    def on_event(self, event: DomainEvent) -> None:
        self.events.append(event)

    def named(self, name: str) -> list[DomainEvent]:
        return [event for event in self.events if event.name == name]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def recording(rt: Runtime, registry: Registry, recorder: Recorder) -> AsyncIterator[City]:
    """The city on an API with the same plugins plus ``recorder`` listening to events."""
    pm = build_plugin_manager(list(registry.activity_plugins), entry_points=False)
    pm.register(recorder, name="recorder")
    client = client_for(runtime_with(rt, pm))
    yield await build_city(client, client.rt)
    await client.http.aclose()
