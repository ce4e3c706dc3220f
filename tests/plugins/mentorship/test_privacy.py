"""Issue 8: an agreement's content is private; nobody signs for a party; no cross-organisation levels."""

from __future__ import annotations

from typing import Any

import pytest

from core.organisations.models import OrganisationKind
from core.people.models import Membership, MembershipRole
from core.skills.models import PersonSkill
from plugins.mentorship.models import Mentorship, MentorshipStatus
from tests.live_events import Subscription, open_subscription
from tests.plugins.mentorship.conftest import ACCEPT, TERMINATE, World, codes, enable, set_level
from tests.support import User, gid, make_org

FIELDS = """id status mentor { name } apprentice { name } skill { name }
  goals score comment endReason raisedLevel progress sessionHours milestones { title }
  sessions { totalCount }"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Mentorship {{ {FIELDS} }} }} }}"
NODES = f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on Mentorship {{ {FIELDS} }} }} }}"
LIST = f"{{ mentorships(first: 10) {{ nodes {{ {FIELDS} }} }} }}"
ON_PERSON = f"""query($id: ID!) {{ node(id: $id) {{ ... on Person {{
  mentorships(first: 10) {{ nodes {{ {FIELDS} }} }} }} }} }}"""
ON_ORG = f"""query($id: ID!) {{ node(id: $id) {{ ... on Organisation {{
  mentorships(first: 10) {{ nodes {{ {FIELDS} }} }} }} }} }}"""
PRIVATE: dict[str, Any] = {"goals": None, "score": None, "comment": None, "endReason": None, "raisedLevel": None,
           "progress": None, "sessionHours": None, "milestones": [], "sessions": None}
MILESTONE_ADD = """mutation($id: ID!) { mentorshipMilestoneAdd(input: {mentorshipId: $id, title: "焊缝"}) {
  errors { code } } }"""


async def _agreements(world: World) -> tuple[str, str]:
    """A completed agreement (score, comment, raised level, a milestone) and a terminated one."""
    completed = await world.active()
    await world.gql(MILESTONE_ADD, {"id": completed}, user=world.mentor)
    assert (await world.complete(completed, world.mentor, score=91, comment="出师", raise_level=True))["errors"] == []
    terminated = await world.active(apprentice=await world.person("赵学徒", level=5))
    await world.act(TERMINATE, terminated, world.mentor, reason="调岗")
    return completed, terminated


async def _views(world: World, who: User | None, completed: str) -> list[dict[str, Any]]:
    """The completed agreement as ``who`` reads it through every path."""
    gql = world.gql
    found = [
        (await gql(NODE, {"id": completed}, user=who))["node"],
        (await gql(NODES, {"ids": [completed]}, user=who))["nodes"][0],
    ]
    for connection in (
        (await gql(LIST, user=who))["mentorships"],
        (await gql(ON_PERSON, {"id": world.mentor.person_gid}, user=who))["node"]["mentorships"],
        (await gql(ON_ORG, {"id": world.studio_id}, user=who))["node"]["mentorships"],
    ):
        found.append(next(n for n in connection["nodes"] if n["id"] == completed))
    return found


@pytest.fixture
async def outsider_admin(world: World) -> User:
    other = await make_org("别的工作室", kind=OrganisationKind.STUDIO)
    await enable(other)
    return await world.gql.user("外厂管理员", org=other, role=MembershipRole.ADMIN)


@pytest.mark.parametrize("who", ["anonymous", "stranger", "outsider_admin"])
async def test_others_see_that_it_exists_but_not_its_content(
    world: World, outsider_admin: User, who: str
) -> None:
    completed, terminated = await _agreements(world)
    viewer = {"anonymous": None, "stranger": world.stranger, "outsider_admin": outsider_admin}[who]
    for view in await _views(world, viewer, completed):
        assert {k: view[k] for k in PRIVATE} == PRIVATE
        # The existence is public: who, what and where it stands.
        assert (view["status"], view["mentor"]["name"], view["skill"]["name"]) == ("COMPLETED", "王建国", "焊接")
    node = (await world.gql(NODE, {"id": terminated}, user=viewer))["node"]
    assert node["endReason"] is None and node["status"] == "TERMINATED"


@pytest.mark.parametrize("who", ["mentor", "apprentice", "admin", "superuser"])
async def test_the_pair_and_the_owning_admins_see_everything(world: World, who: str) -> None:
    completed, terminated = await _agreements(world)
    viewer = await world.gql.superuser() if who == "superuser" else getattr(world, who)
    for view in await _views(world, viewer, completed):
        assert (view["goals"], view["score"], view["comment"], view["raisedLevel"]) == ("掌握焊接基本功", 91, "出师", 3)
        assert view["milestones"] == [{"title": "焊缝"}] and view["progress"] == 0.0
        assert view["sessions"] == {"totalCount": 0} and view["sessionHours"] == 0.0
    # The terminated one is another apprentice's: world.apprentice is no party to it.
    reason = (await world.gql(NODE, {"id": terminated}, user=viewer))["node"]["endReason"]
    assert reason == (None if who == "apprentice" else "调岗")


async def test_an_admin_of_a_parent_organisation_sees_the_content(world: World) -> None:
    completed, _ = await _agreements(world)
    enterprise = await make_org("海州重工")
    world.studio.parent = enterprise
    await world.studio.save()
    boss = await world.gql.user("集团管理员", org=enterprise, role=MembershipRole.ADMIN)
    assert (await world.gql(NODE, {"id": completed}, user=boss))["node"]["score"] == 91


async def test_the_cross_organisation_level_attack_is_refused(world: World, outsider_admin: User) -> None:
    """An admin of B proposes in B with an apprentice from A, signs for both, completes with
    raiseLevel: every step is refused and the apprentice's level does not move."""
    other = (await Membership.get(person_id=outsider_admin.person.id)).organisation_id  # type: ignore[union-attr]
    b_mentor = await world.gql.user("乙厂师傅")
    await Membership.create(person_id=b_mentor.person.id, organisation_id=other)  # type: ignore[union-attr]
    await set_level(b_mentor.person, world.skill, 1)
    before = (await PersonSkill.get(person_id=world.apprentice.person.id, skill=world.skill)).level  # type: ignore[union-attr]

    payload = await world.propose(
        outsider_admin, mentor=b_mentor, apprentice=world.apprentice, organisationId=gid("Organisation", other)
    )
    assert codes(payload) == ["NOT_MEMBER"]

    # Such an agreement left over from before the fix cannot be signed or completed by the admin.
    row = await Mentorship.create(
        mentor_id=b_mentor.person.id, apprentice_id=world.apprentice.person.id,  # type: ignore[union-attr]
        organisation_id=other, skill_id=world.skill.id, planned_start=world.gql.rt.now().date(),
        created_by_id=outsider_admin.person.id,  # type: ignore[union-attr]
    )
    mentorship_id = gid("Mentorship", row.id)
    assert codes(await world.act(ACCEPT, mentorship_id, outsider_admin)) == ["PERMISSION_DENIED"]
    # Even the B mentor's own signature cannot make it ACTIVE with an apprentice from elsewhere.
    assert (await world.act(ACCEPT, mentorship_id, b_mentor))["errors"] == []
    assert codes(await world.act(ACCEPT, mentorship_id, world.apprentice)) == ["NOT_MEMBER"]
    await Mentorship.filter(id=row.id).update(status=MentorshipStatus.ACTIVE)  # forced, as if from before
    assert codes(await world.complete(mentorship_id, outsider_admin, raise_level=True)) == ["PERMISSION_DENIED"]
    assert codes(await world.complete(mentorship_id, b_mentor, raise_level=True)) == ["NOT_MEMBER"]
    after = (await PersonSkill.get(person_id=world.apprentice.person.id, skill=world.skill)).level  # type: ignore[union-attr]
    assert after == before == 4


async def test_completion_needs_both_still_members(world: World) -> None:
    mentorship_id = await world.active()
    await Membership.filter(person_id=world.apprentice.person.id).delete()  # type: ignore[union-attr]
    assert codes(await world.complete(mentorship_id, world.mentor, raise_level=True)) == ["NOT_MEMBER"]
    assert (await PersonSkill.get(person_id=world.apprentice.person.id, skill=world.skill)).level == 4  # type: ignore[union-attr]


async def test_admin_proposes_but_each_party_signs(world: World) -> None:
    mentorship_id = await world.proposed(by=world.admin)
    assert codes(await world.act(ACCEPT, mentorship_id, world.admin)) == ["PERMISSION_DENIED"]
    assert (await world.act(ACCEPT, mentorship_id, world.mentor))["mentorship"]["status"] == "PROPOSED"
    assert (await world.act(ACCEPT, mentorship_id, world.apprentice))["mentorship"]["status"] == "ACTIVE"


async def test_live_events_carry_the_score_only_to_the_pair_and_admins(world: World) -> None:
    opened: list[Subscription] = []
    member = await world.person("同门")
    try:
        for who in (member, world.apprentice, world.admin):
            await open_subscription(opened, world.gql.rt, who, world.studio)
        mentorship_id = await world.active()
        await world.complete(mentorship_id, world.mentor, score=77)
        for sub, sees_score in zip(opened, (False, True, True), strict=True):
            names = [(await sub.next())["name"] for _ in range(2)]
            assert names == ["mentorship.proposed", "mentorship.accepted"]
            completed = await sub.next()
            assert completed["name"] == "mentorship.completed"
            assert completed["payload"]["mentorshipId"] == mentorship_id
            assert ("score" in completed["payload"]) is sees_score
            assert completed["payload"].get("score", 77) == 77
    finally:
        for sub in opened:
            await sub.close()
