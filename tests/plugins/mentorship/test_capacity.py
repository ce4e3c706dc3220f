"""A mentor's ACTIVE apprentices per organisation stay within its ``mentor_capacity``."""

from __future__ import annotations

import asyncio

import pytest
from strawberry import relay

from core.organisations.models import OrganisationKind
from core.people.models import Membership
from plugins.mentorship.models import MentorLoad, Mentorship, MentorshipStatus
from tests.plugins.mentorship.conftest import ACCEPT, DECLINE, TERMINATE, World, codes, enable
from tests.support import gid, make_org

CONFIGURE = """
mutation($org: ID!, $settings: JSON!) {
  pluginConfigure(input: {organisationId: $org, plugin: "mentorship", settings: $settings}) {
    settings errors { code message }
  }
}"""
STATS = """
query($id: ID!) { node(id: $id) { ... on Person { mentorStats { activeApprentices completed averageScore } } } }"""


async def configure(world: World, capacity: int) -> None:
    data = await world.gql(CONFIGURE, {"org": world.studio_id, "settings": {"mentor_capacity": capacity}},
                           user=world.admin)
    assert data["pluginConfigure"] == {"settings": {"mentor_capacity": capacity}, "errors": []}


async def active_count(world: World) -> int:
    return await Mentorship.filter(mentor_id=world.mentor.person.id, status=MentorshipStatus.ACTIVE).count()


async def load(world: World) -> int:
    row = await MentorLoad.get(mentor_id=world.mentor.person.id, organisation_id=world.studio.id)
    return row.active


async def test_default_capacity_is_ten(world: World) -> None:
    for i in range(10):
        await world.active(apprentice=await world.person(f"学徒{i}", level=5))
    extra = await world.person("第十一个", level=5)
    payload = await world.propose(extra, apprentice=extra)
    assert codes(payload) == ["MENTOR_AT_CAPACITY"]
    assert await active_count(world) == 10 and await load(world) == 10


async def test_acceptance_beyond_capacity_is_refused(world: World) -> None:
    await configure(world, 2)
    apprentices = [await world.person(f"学徒{i}", level=5) for i in range(3)]
    ids = [await world.proposed(apprentice=a) for a in apprentices]
    assert (await world.act(ACCEPT, ids[0], apprentices[0]))["mentorship"]["status"] == "ACTIVE"
    assert (await world.act(ACCEPT, ids[1], apprentices[1]))["mentorship"]["status"] == "ACTIVE"
    refused = await world.act(ACCEPT, ids[2], apprentices[2])
    assert refused["errors"] == [
        {"code": "MENTOR_AT_CAPACITY", "message": "The mentor already has 2 active apprentices in this organisation"}
    ]
    assert refused["mentorship"] is None
    assert await Mentorship.filter(status=MentorshipStatus.PROPOSED).count() == 1
    assert await load(world) == 2

    # Ending an agreement frees its place.
    await world.act(TERMINATE, ids[0], world.mentor, reason="徒弟离职")
    assert await load(world) == 1
    assert (await world.act(ACCEPT, ids[2], apprentices[2]))["mentorship"]["status"] == "ACTIVE"
    assert await load(world) == 2 and await active_count(world) == 2


async def test_completion_frees_a_place_and_counts_in_stats(world: World) -> None:
    await configure(world, 1)
    first = await world.active()
    assert codes(await world.propose(world.mentor, apprentice=await world.person("等待", level=5))) == [
        "MENTOR_AT_CAPACITY"
    ]
    await world.complete(first, world.mentor, score=80)
    second = await world.active(apprentice=await world.person("后来者", level=5))
    assert second
    stats = (await world.gql(STATS, {"id": world.mentor.person_gid}))["node"]["mentorStats"]
    assert stats == {"activeApprentices": 1, "completed": 1, "averageScore": 80.0}


async def test_capacity_is_per_organisation(world: World) -> None:
    await configure(world, 1)
    await world.active()
    other = await make_org("第二工作室", kind=OrganisationKind.STUDIO)
    await enable(other, mentor_capacity=1)
    apprentice = await world.gql.user("别处学徒", org=other)
    # Both must belong to the organisation holding the agreement (issue 8): the master joins it too.
    await Membership.create(person=world.mentor.person, organisation=other)
    payload = await world.propose(world.mentor, apprentice=apprentice, organisationId=gid("Organisation", other.id))
    assert payload["errors"] == []
    accepted = await world.act(ACCEPT, payload["mentorship"]["id"], apprentice)
    assert accepted["mentorship"]["status"] == "ACTIVE"
    assert await active_count(world) == 2


async def _race(world: World, capacity: int, contenders: int) -> None:
    await configure(world, capacity)
    apprentices = [await world.person(f"并发学徒{i}", level=5) for i in range(contenders)]
    ids = [await world.proposed(apprentice=a) for a in apprentices]
    results = await asyncio.gather(
        *(world.act(ACCEPT, mentorship_id, a) for mentorship_id, a in zip(ids, apprentices, strict=True))
    )
    statuses = [r["mentorship"]["status"] for r in results if not r["errors"]]
    refused = [codes(r) for r in results if r["errors"]]
    assert statuses == ["ACTIVE"] * capacity
    assert refused == [["MENTOR_AT_CAPACITY"]] * (contenders - capacity)
    assert await active_count(world) == capacity
    assert await load(world) == capacity
    assert await Mentorship.filter(status=MentorshipStatus.PROPOSED).count() == contenders - capacity


@pytest.mark.postgres
async def test_twenty_concurrent_accepts_leave_exactly_the_capacity_active(world: World) -> None:
    await _race(world, capacity=5, contenders=20)


async def test_concurrent_accepts_on_the_default_database(world: World) -> None:
    await _race(world, capacity=3, contenders=8)


async def test_concurrent_duplicate_proposals_make_one_agreement(world: World) -> None:
    results = await asyncio.gather(*(world.propose(who) for who in
                                     (world.mentor, world.apprentice, world.admin) * 3))
    made = [r["mentorship"]["id"] for r in results if not r["errors"]]
    assert len(made) == 1
    assert sorted(codes(r) for r in results if r["errors"]) == [["DUPLICATE_MENTORSHIP"]] * 8
    assert await Mentorship.all().count() == 1


async def test_competing_accept_and_decline_leave_one_outcome(world: World) -> None:
    mentorship_id = await world.proposed()
    accepted, declined = await asyncio.gather(
        world.act(ACCEPT, mentorship_id, world.apprentice), world.act(DECLINE, mentorship_id, world.admin)
    )
    outcomes = sorted([codes(accepted), codes(declined)])
    assert outcomes == [[], ["INVALID_TRANSITION"]]
    final = (await Mentorship.get(id=await _pk(mentorship_id))).status
    winner = accepted if not accepted["errors"] else declined
    assert final.value == winner["mentorship"]["status"]
    assert await load_or_zero(world) == (1 if final is MentorshipStatus.ACTIVE else 0)


async def _pk(global_id: str) -> int:
    return int(relay.GlobalID.from_id(global_id).node_id)


async def load_or_zero(world: World) -> int:
    row = await MentorLoad.get_or_none(mentor_id=world.mentor.person.id, organisation_id=world.studio.id)
    return row.active if row else 0
