"""An alliance and a studio with the forum on, their people, and quick factories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from core.organisations.models import AllianceMembership, Organisation, OrganisationKind, OrganisationPlugin
from core.people.models import MembershipRole
from core.registry import Registry
from core.runtime import Runtime
from plugins.forum.models import ForumPost, ForumSalon, ForumThread
from tests.support import GraphQLClient, User, gid, make_org

POST = """
mutation Post($t: ID!, $b: String!, $r: ID) { forumPostCreate(input: {threadId: $t, body: $b, replyToId: $r}) {
  post { id body author { id name } replyTo { id } } errors { code message field } } }"""
NEW_THREAD = """
mutation NewThread($input: ForumThreadCreateInput!) { # {organisationId, salonId, title, body}
  forumThreadCreate(input: $input) { thread { id title } errors { code message field } }
}"""
RSVP = """
mutation Rsvp($s: ID!, $r: RsvpResponse!) { salonRsvp(input: {salonId: $s, response: $r}) {
  salon { id goingCount interestedCount } errors { code message } } }"""


def renew(gql: GraphQLClient, user: User) -> User:
    """A fresh access token at the clock's current time (tokens last 15 minutes)."""
    person_id = user.person.id if user.person else None
    return User(user.person, gql.token_for(user.account_id, person_id), user.account_id)


async def enable(org: Organisation, **settings: Any) -> None:
    await OrganisationPlugin.create(organisation=org, plugin="forum", settings=settings)


@dataclass
class Board:
    gql: GraphQLClient
    rt: Runtime
    studio: Organisation
    alliance: Organisation
    admin: User  # admin of the studio: moderator of its board
    wang: User  # member of the studio
    li: User  # member of the studio
    partner: User  # member of another studio in the alliance
    outsider: User  # member of an organisation outside the alliance

    @property
    def studio_id(self) -> str:
        return gid("Organisation", self.studio.id)

    @property
    def alliance_id(self) -> str:
        return gid("Organisation", self.alliance.id)

    async def thread(
        self,
        user: User | None = None,
        org: Organisation | None = None,
        title: str = "焊接变形怎么控制?",
        body: str = "大家有什么好办法?",
        salon: ForumSalon | None = None,
    ) -> str:
        org = org or self.studio
        variables = {
            "input": {
                "organisationId": gid("Organisation", org.id),
                "title": title,
                "body": body,
                "salonId": gid("Salon", salon.id) if salon else None,
            }
        }
        data = (await self.gql(NEW_THREAD, variables, user=user or self.wang))["forumThreadCreate"]
        assert data["errors"] == [], data
        return str(data["thread"]["id"])

    async def post(
        self, thread_id: str, body: str, user: User | None = None, reply_to: str | None = None
    ) -> dict[str, Any]:
        data = await self.gql(POST, {"t": thread_id, "b": body, "r": reply_to}, user=user or self.wang)
        return dict(data["forumPostCreate"])

    async def salon(
        self,
        org: Organisation | None = None,
        *,
        starts_in: timedelta = timedelta(days=3),
        capacity: int | None = 10,
        **fields: Any,
    ) -> ForumSalon:
        starts_at = self.rt.now() + starts_in
        return await ForumSalon.create(
            organisation=org or self.studio,
            title="焊接机器人应用沙龙",
            topic="焊接机器人",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            venue="职工活动中心",
            capacity=capacity,
            **fields,
        )


async def first_post(thread_gid: str) -> ForumPost:
    from core.relay import parse_global_id

    parsed = parse_global_id(thread_gid)
    assert parsed is not None
    thread = await ForumThread.get(id=parsed[1])
    return await ForumPost.filter(thread_id=thread.id).order_by("id").first().get()


@pytest.fixture(autouse=True)
def _forum_loaded(registry: Registry) -> None:
    if "forum" not in registry.activity_plugins:
        pytest.skip("the forum plugin is not loaded (GUILDHALL_TEST_PLUGINS)")


@pytest.fixture
async def board(gql: GraphQLClient, rt: Runtime) -> Board:
    """A studio in an alliance, both with the forum on; a third organisation outside."""
    studio = await make_org("王建国劳模创新工作室", OrganisationKind.STUDIO)
    other_studio = await make_org("李红梅技能大师工作室", OrganisationKind.STUDIO)
    alliance = await make_org("海州市机械行业创新工作室联盟", OrganisationKind.ALLIANCE)
    elsewhere = await make_org("临港物流公司")
    await AllianceMembership.create(alliance=alliance, organisation=studio)
    await AllianceMembership.create(alliance=alliance, organisation=other_studio)
    for org in (studio, alliance, other_studio):
        await enable(org)
    return Board(
        gql=gql,
        rt=rt,
        studio=studio,
        alliance=alliance,
        admin=await gql.user("周文博", org=studio, role=MembershipRole.ADMIN),
        wang=await gql.user("王建国", org=studio),
        li=await gql.user("李红梅", org=studio),
        partner=await gql.user("张志强", org=other_studio),
        outsider=await gql.user("赵外人", org=elsewhere),
    )
