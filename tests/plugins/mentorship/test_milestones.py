"""Milestones: added by either side, done by the apprentice, counted once the mentor approves."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plugins.mentorship.conftest import DECLINE, World, codes
from tests.support import User, gid

ADD = """
mutation Add($input: MentorshipMilestoneAddInput!) {
  mentorshipMilestoneAdd(input: $input) {
    milestone { id title description dueDate done approved } mentorship { progress }
    errors { code message field } }
}"""
DONE = """
mutation Done($id: ID!) { mentorshipMilestoneComplete(input: {id: $id}) {
  milestone { id done approved doneAt } mentorship { progress } errors { code message } } }"""
APPROVE = """
mutation Approve($id: ID!) { mentorshipMilestoneApprove(input: {id: $id}) {
  milestone { id done approved approvedAt } mentorship { progress } errors { code message } } }"""
MINE = """
query Mine { me { mentorships(role: APPRENTICE) { totalCount edges { node {
  id status progress mentor { id name } skill { name } milestones { title done approved } } } } } }"""


async def add(world: World, mentorship_id: str, by: User, title: str = "掌握平焊", **extra: Any) -> dict[str, Any]:
    variables = {"input": {"mentorshipId": mentorship_id, "title": title, **extra}}
    return (await world.gql(ADD, variables, user=by))["mentorshipMilestoneAdd"]


async def milestone(world: World, mentorship_id: str, title: str = "掌握平焊") -> str:
    payload = await add(world, mentorship_id, world.mentor, title)
    assert payload["errors"] == [], payload
    return str(payload["milestone"]["id"])


async def step(world: World, operation: str, milestone_id: str, by: User) -> dict[str, Any]:
    data = await world.gql(operation, {"id": milestone_id}, user=by)
    return next(iter(data.values()))


@pytest.mark.parametrize("who", ["mentor", "apprentice"])
async def test_either_side_adds_milestones(world: World, who: str) -> None:
    mentorship_id = await world.active()
    payload = await add(world, mentorship_id, getattr(world, who), "独立完成环缝焊接",
                        description="压力容器", dueDate="2030-06-30")
    assert payload["errors"] == []
    assert payload["milestone"] | {"id": None} == {
        "id": None, "title": "独立完成环缝焊接", "description": "压力容器", "dueDate": "2030-06-30",
        "done": False, "approved": False,
    }
    assert payload["mentorship"]["progress"] == 0.0


async def test_milestones_can_be_planned_before_acceptance(world: World) -> None:
    mentorship_id = await world.proposed()
    assert (await add(world, mentorship_id, world.apprentice))["errors"] == []


async def test_adding_is_refused_to_strangers_blank_titles_and_ended_agreements(world: World) -> None:
    mentorship_id = await world.active()
    assert codes(await add(world, mentorship_id, world.stranger)) == ["PERMISSION_DENIED"]
    blank = await add(world, mentorship_id, world.mentor, " ")
    assert blank["errors"] == [{"code": "BLANK", "message": "`title` must not be blank", "field": "title"}]
    assert codes(await add(world, mentorship_id, world.mentor, "长" * 201)) == ["TOO_LONG"]
    await world.complete(mentorship_id, world.mentor)
    assert codes(await add(world, mentorship_id, world.mentor)) == ["MENTORSHIP_NOT_ACTIVE"]
    declined = await world.proposed(apprentice=await world.person("婉拒", level=5))
    await world.act(DECLINE, declined, world.admin)
    assert codes(await add(world, declined, world.mentor)) == ["MENTORSHIP_NOT_ACTIVE"]


async def test_done_then_approved_counts_towards_progress(world: World) -> None:
    mentorship_id = await world.active()
    first = await milestone(world, mentorship_id, "一")
    await milestone(world, mentorship_id, "二")

    done = await step(world, DONE, first, world.apprentice)
    assert done["milestone"]["done"] is True and done["milestone"]["approved"] is False
    assert done["mentorship"]["progress"] == 0.0

    approved = await step(world, APPROVE, first, world.mentor)
    assert approved["errors"] == []
    assert approved["milestone"]["approved"] is True and approved["milestone"]["approvedAt"] is not None
    assert approved["mentorship"]["progress"] == 0.5


async def test_only_the_apprentice_marks_done(world: World) -> None:
    mentorship_id = await world.active()
    milestone_id = await milestone(world, mentorship_id)
    for who in (world.mentor, world.admin, world.stranger):
        assert codes(await step(world, DONE, milestone_id, who)) == ["PERMISSION_DENIED"]


async def test_only_the_mentor_approves(world: World) -> None:
    mentorship_id = await world.active()
    milestone_id = await milestone(world, mentorship_id)
    await step(world, DONE, milestone_id, world.apprentice)
    for who in (world.apprentice, world.admin, world.stranger):
        assert codes(await step(world, APPROVE, milestone_id, who)) == ["PERMISSION_DENIED"]


async def test_milestone_steps_go_one_way(world: World) -> None:
    mentorship_id = await world.active()
    milestone_id = await milestone(world, mentorship_id)
    not_done = await step(world, APPROVE, milestone_id, world.mentor)
    assert not_done["errors"] == [
        {"code": "INVALID_TRANSITION", "message": "This milestone is not marked done by the apprentice yet"}
    ]
    await step(world, DONE, milestone_id, world.apprentice)
    assert codes(await step(world, DONE, milestone_id, world.apprentice)) == ["INVALID_TRANSITION"]
    await step(world, APPROVE, milestone_id, world.mentor)
    assert codes(await step(world, APPROVE, milestone_id, world.mentor)) == ["INVALID_TRANSITION"]


async def test_steps_need_an_active_agreement(world: World) -> None:
    mentorship_id = await world.proposed()
    milestone_id = await milestone(world, mentorship_id)
    assert codes(await step(world, DONE, milestone_id, world.apprentice)) == ["MENTORSHIP_NOT_ACTIVE"]


async def test_unknown_and_malformed_milestone_ids(world: World) -> None:
    assert codes(await step(world, DONE, gid("MentorshipMilestone", 999), world.apprentice)) == ["NOT_FOUND"]
    assert codes(await step(world, DONE, gid("Mentorship", 1), world.apprentice)) == ["INVALID_ID"]


async def test_the_apps_mine_query_shows_progress(world: World) -> None:
    mentorship_id = await world.active()
    ids = [await milestone(world, mentorship_id, title) for title in ("一", "二", "三", "四")]
    await step(world, DONE, ids[0], world.apprentice)
    await step(world, APPROVE, ids[0], world.mentor)
    await step(world, DONE, ids[1], world.apprentice)

    data = await world.gql(MINE, user=world.apprentice)
    connection = data["me"]["mentorships"]
    assert connection["totalCount"] == 1
    node = connection["edges"][0]["node"]
    assert node["id"] == mentorship_id and node["status"] == "ACTIVE"
    assert node["progress"] == 0.25
    assert node["mentor"] == {"id": world.mentor.person_gid, "name": "王建国"}
    assert node["skill"] == {"name": "焊接"}
    assert node["milestones"] == [
        {"title": "一", "done": True, "approved": True},
        {"title": "二", "done": True, "approved": False},
        {"title": "三", "done": False, "approved": False},
        {"title": "四", "done": False, "approved": False},
    ]
    # The mentor has no agreements as an apprentice.
    assert (await world.gql(MINE, user=world.mentor))["me"]["mentorships"]["totalCount"] == 0


async def test_milestones_are_nodes(world: World) -> None:
    mentorship_id = await world.active()
    milestone_id = await milestone(world, mentorship_id, "可按ID取")
    query = "query($id: ID!) { node(id: $id) { ... on MentorshipMilestone { title done } } }"
    data = await world.gql(query, {"id": milestone_id}, user=world.apprentice)
    assert data["node"] == {"title": "可按ID取", "done": False}
    # Issue 8: milestones are private to the pair and admins.
    for who in (world.stranger, None):
        assert (await world.gql(query, {"id": milestone_id}, user=who))["node"] is None
