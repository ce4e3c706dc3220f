"""mentorSuggestions: who is suggested, in which order, and why."""

from __future__ import annotations

from typing import Any

import pytest

from core.organisations.models import AllianceMembership, Organisation, OrganisationKind
from core.people.models import Honour, HonourLevel
from tests.plugins.mentorship.conftest import ACCEPT, World, enable
from tests.support import User, gid, make_org

SUGGEST = """
query Suggest($a: ID!, $s: ID!) { mentorSuggestions(apprenticeId: $a, skillId: $s, first: 5) {
  score reasons mentor { id name } } }"""
DETAILED = """
query($a: ID!, $s: ID!, $first: Int!) { mentorSuggestions(apprenticeId: $a, skillId: $s, first: $first) {
  score reasons level levelName freePlaces capacity mentor { name } organisation { name } } }"""


async def suggest(world: World, first: int = 5, apprentice: User | None = None) -> list[dict[str, Any]]:
    variables = {"a": (apprentice or world.apprentice).person_gid, "s": world.skill_id, "first": first}
    return (await world.gql(DETAILED, variables, user=world.apprentice))["mentorSuggestions"]


async def studio(name: str, **settings: Any) -> Organisation:
    org = await make_org(name, kind=OrganisationKind.STUDIO)
    await enable(org, **settings)
    return org


@pytest.fixture
async def field(world: World) -> dict[str, User]:
    """Candidates around the apprentice of ``world`` (level 4 in 焊接, in world.studio)."""
    alliance = await make_org("机械行业创新工作室联盟", kind=OrganisationKind.ALLIANCE)
    partner = await studio("李红梅技能大师工作室")
    far = await studio("远方工作室")
    full = await studio("满员工作室", mentor_capacity=1)
    disabled = await make_org("未启用企业")
    for org in (world.studio, partner):
        await AllianceMembership.create(alliance=alliance, organisation=org)
    await Honour.create(person=world.mentor.person, title="全国劳动模范", level=HonourLevel.NATIONAL, year=2015)
    people = {
        "ally": await world.person("联盟技师", level=2, org=partner),
        "far": await world.person("远方高级工", level=3, org=far),
        "equal": await world.person("同级", level=4),
        "full": await world.person("满员大师", level=1, org=full),
        "off": await world.person("未启用大师", level=1, org=disabled),
        "taken": await world.person("已提议", level=2),
    }
    await Honour.create(person=people["far"].person, title="海州工匠", level=HonourLevel.MUNICIPAL, year=2020)
    # 满员大师 already has his one place taken; 已提议 has proposed to the apprentice already.
    root = await world.gql.superuser()
    trainee = await world.gql.user("满员学徒", org=full)
    payload = await world.propose(
        root, mentor=people["full"], apprentice=trainee, organisationId=gid("Organisation", full.id)
    )
    # Both sign themselves (issue 8: a superuser no longer countersigns).
    await world.act(ACCEPT, payload["mentorship"]["id"], people["full"])
    await world.act(ACCEPT, payload["mentorship"]["id"], trainee)
    await world.proposed(mentor=people["taken"])
    return people


async def test_the_apps_query_ranks_and_explains(world: World, field: dict[str, User]) -> None:
    data = await world.gql(SUGGEST, {"a": world.apprentice.person_gid, "s": world.skill_id}, user=world.apprentice)
    assert data["mentorSuggestions"] == [
        {"score": 70.0, "mentor": {"id": world.mentor.person_gid, "name": "王建国"},
         "reasons": ["高级技师 in 焊接", "全国劳动模范 (2015)", "10 of 10 places free", "same organisation"]},
        {"score": 45.0, "mentor": {"id": field["ally"].person_gid, "name": "联盟技师"},
         "reasons": ["技师 in 焊接", "10 of 10 places free", "same alliance"]},
        {"score": 31.0, "mentor": {"id": field["far"].person_gid, "name": "远方高级工"},
         "reasons": ["高级工 in 焊接", "海州工匠 (2020)", "10 of 10 places free"]},
    ]


async def test_suggestions_carry_the_venue_and_places(world: World, field: dict[str, User]) -> None:
    best = (await suggest(world))[0]
    assert best | {"reasons": None} == {
        "score": 70.0, "reasons": None, "level": 1, "levelName": "高级技师", "freePlaces": 10, "capacity": 10,
        "mentor": {"name": "王建国"}, "organisation": {"name": "王建国劳模创新工作室"},
    }


async def test_capacity_and_track_record_change_the_score(world: World, field: dict[str, User]) -> None:
    graduate = await world.person("已出师", level=5)
    done = await world.active(apprentice=graduate)
    await world.complete(done, world.mentor, score=90)
    await world.active(apprentice=await world.person("在带", level=5))
    best = (await suggest(world))[0]
    assert best["reasons"] == [
        "高级技师 in 焊接", "全国劳动模范 (2015)", "9 of 10 places free", "same organisation",
        "1 apprentice graduated, average score 90",
    ]
    # 30 skill + 10 honours + 15 × 9/10 places + 15 closeness + 10 × 0.9 × 1/3 record
    assert best["score"] == 71.5


async def test_nobody_unqualified_full_disabled_or_already_proposed(world: World, field: dict[str, User]) -> None:
    names = {s["mentor"]["name"] for s in await suggest(world, first=100)}
    assert names == {"王建国", "联盟技师", "远方高级工"}


async def test_a_beginner_can_learn_from_any_level(world: World, field: dict[str, User]) -> None:
    beginner = await world.person("零基础")
    names = {s["mentor"]["name"] for s in await suggest(world, first=100, apprentice=beginner)}
    assert names == {"王建国", "联盟技师", "远方高级工", "同级", "已提议", world.apprentice.person.name}


async def test_first_limits_and_is_checked(world: World, field: dict[str, User]) -> None:
    assert [s["mentor"]["name"] for s in await suggest(world, first=1)] == ["王建国"]
    assert await suggest(world, first=0) == []
    variables = {"a": world.apprentice.person_gid, "s": world.skill_id, "first": 101}
    errors = await world.gql.errors(DETAILED, variables, user=world.apprentice)
    assert errors[0]["extensions"]["code"] == "OUT_OF_RANGE"


async def test_bad_arguments_and_anonymous_callers(world: World) -> None:
    variables = {"a": world.apprentice.person_gid, "s": world.skill_id}
    assert (await world.gql.errors(SUGGEST, variables))[0]["extensions"]["code"] == "UNAUTHENTICATED"
    bad = {"a": world.skill_id, "s": world.skill_id}
    assert (await world.gql.errors(SUGGEST, bad, user=world.mentor))[0]["extensions"]["code"] == "INVALID_ID"
    unknown = {"a": world.apprentice.person_gid, "s": gid("Skill", 999)}
    errors = await world.gql.errors(SUGGEST, unknown, user=world.mentor)
    assert errors[0]["extensions"] == {"code": "NOT_FOUND", "field": "skillId"}


async def test_nobody_better_means_no_suggestions(world: World) -> None:
    master = await world.person("顶尖", level=1)
    variables = {"a": master.person_gid, "s": world.skill_id}
    assert (await world.gql(SUGGEST, variables, user=master))["mentorSuggestions"] == []
