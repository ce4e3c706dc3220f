"""Statement counts do not grow with list lengths (N = 10 and N = 100), and the list filters."""

from __future__ import annotations

from typing import Any

from core.people.models import Honour, HonourLevel, Membership, Person
from core.skills.models import PersonSkill
from plugins.mentorship.models import Mentorship, MentorshipStatus, Milestone, open_key
from tests.plugins.mentorship.conftest import World
from tests.support import count_statements, gid

ORGANISATION_MENTORSHIPS = """
query($id: ID!) { node(id: $id) { ... on Organisation { mentorships(first: 100) { totalCount edges { node {
  status progress mentor { name } apprentice { name } skill { name } milestones { title done approved }
} } } } } }"""
PEOPLE = """
query($org: ID!) { people(organisationId: $org, first: 100) { edges { node {
  name mentorStats { activeApprentices completed averageScore }
  mentorships { totalCount nodes { status mentor { name } apprentice { name } } }
} } } }"""
SUGGEST = """
query($a: ID!, $s: ID!) { mentorSuggestions(apprenticeId: $a, skillId: $s, first: 100) {
  score reasons mentor { name } organisation { name } } }"""
LIST = """
query($vars: [MentorshipStatus!], $mentor: ID, $apprentice: ID, $person: ID, $org: ID, $skill: ID) {
  mentorships(status: $vars, mentorId: $mentor, apprenticeId: $apprentice, personId: $person,
              organisationId: $org, skillId: $skill) { totalCount nodes { apprentice { name } } } }"""


async def _apprentices(world: World, n: int) -> list[Person]:
    people = [await Person.create(name=f"学徒{i}") for i in range(n)]
    await Membership.bulk_create([Membership(person=p, organisation=world.studio) for p in people])
    return people


async def _agreements(world: World, n: int) -> None:
    mentor_id = world.mentor.person.id
    statuses = [MentorshipStatus.ACTIVE, MentorshipStatus.COMPLETED, MentorshipStatus.PROPOSED]
    for i, person in enumerate(await _apprentices(world, n)):
        status = statuses[i % 3]
        m = await Mentorship.create(
            mentor_id=mentor_id, apprentice=person, organisation=world.studio, skill=world.skill,
            planned_start=world.gql.rt.now().date(), status=status,
            score=80 if status is MentorshipStatus.COMPLETED else None,
            open_key=None if status is MentorshipStatus.COMPLETED else open_key(mentor_id, person.id, world.skill.id),
        )
        await Milestone.bulk_create([Milestone(mentorship=m, title=f"节点{j}") for j in range(2)])


async def _count(world: World, query: str, variables: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    heavy = world.gql.with_settings(max_query_cost=10**6)  # 100 agreements: above the production limit
    with count_statements() as counter:
        data = await heavy(query, variables, user=world.admin)
    await heavy.http.aclose()
    return counter.count, data


async def test_organisation_mentorships_statements_do_not_grow(world: World) -> None:
    counts = []
    for n, more in ((10, 10), (100, 90)):
        await _agreements(world, more)
        count, data = await _count(world, ORGANISATION_MENTORSHIPS, {"id": world.studio_id})
        connection = data["node"]["mentorships"]
        assert connection["totalCount"] == n and len(connection["edges"]) == n
        node = connection["edges"][0]["node"]
        assert node["mentor"] == {"name": "王建国"} and node["skill"] == {"name": "焊接"}
        assert node["milestones"][1] == {"title": "节点1", "done": False, "approved": False}
        counts.append(count)
    assert counts[0] == counts[1], counts


async def test_people_with_mentorships_and_stats_statements_do_not_grow(world: World) -> None:
    # The studio's people: mentor, apprentice, admin and the agreements' apprentices.
    counts = []
    for n, more in ((10, 7), (100, 90)):
        await _agreements(world, more)
        count, data = await _count(world, PEOPLE, {"org": world.studio_id})
        nodes = [edge["node"] for edge in data["people"]["edges"]]
        assert len(nodes) == n
        mentor = next(node for node in nodes if node["name"] == "王建国")
        agreements = n - 3
        # Agreements cycle ACTIVE, COMPLETED, PROPOSED within each batch of 7 and then 90.
        batches = [7] if n == 10 else [7, 90]
        assert mentor["mentorStats"] == {
            "activeApprentices": sum(len(range(0, b, 3)) for b in batches),
            "completed": sum(len(range(1, b, 3)) for b in batches),
            "averageScore": 80.0,
        }
        assert mentor["mentorships"]["totalCount"] == agreements
        apprentice = next(node for node in nodes if node["name"] == "学徒0")
        assert apprentice["mentorships"]["nodes"][0]["mentor"] == {"name": "王建国"}
        counts.append(count)
    assert counts[0] == counts[1], counts


async def test_mentor_suggestions_statements_do_not_grow(world: World) -> None:
    counts = []
    for n, more in ((10, 10), (100, 90)):
        candidates = await _apprentices(world, more)
        await PersonSkill.bulk_create([PersonSkill(person=p, skill=world.skill, level=1 + i % 3)
                                       for i, p in enumerate(candidates)])
        await Honour.bulk_create([Honour(person=p, title="企业工匠", level=HonourLevel.ENTERPRISE, year=2021)
                                  for p in candidates[::2]])
        variables = {"a": world.apprentice.person_gid, "s": world.skill_id}
        count, data = await _count(world, SUGGEST, variables)
        suggestions = data["mentorSuggestions"]
        assert len(suggestions) == min(n + 1, 100)  # the candidates and the mentor of ``world``
        assert suggestions[0]["reasons"][:2] == ["高级技师 in 焊接", "企业工匠 (2021)"]
        counts.append(count)
    assert counts[0] == counts[1], counts


async def test_mentorships_filters(world: World) -> None:
    await _agreements(world, 6)
    other = await world.person("另一位", level=2)
    assert (await world.proposed(mentor=other, apprentice=world.apprentice))

    async def total(**variables: Any) -> int:
        return (await world.gql(LIST, variables))["mentorships"]["totalCount"]

    assert await total() == 7
    assert await total(vars=["ACTIVE", "PROPOSED"]) == 5
    assert await total(vars="COMPLETED") == 2
    assert await total(mentor=world.mentor.person_gid) == 6
    assert await total(apprentice=world.apprentice.person_gid) == 1
    assert await total(person=other.person_gid) == 1
    assert await total(person=world.apprentice.person_gid, vars=["PROPOSED"]) == 1
    assert await total(org=world.studio_id, skill=world.skill_id) == 7
    assert await total(skill=gid("Skill", 999)) == 0
    errors = await world.gql.errors(LIST, {"org": world.skill_id})
    assert errors[0]["extensions"]["code"] == "INVALID_ID"


async def test_person_mentorships_by_role_and_status(world: World) -> None:
    await _agreements(world, 6)
    query = """query($id: ID!) { node(id: $id) { ... on Person {
      mentor: mentorships(role: MENTOR) { totalCount }
      apprentice: mentorships(role: APPRENTICE) { totalCount }
      both: mentorships { totalCount }
      active: mentorships(status: ACTIVE, first: 1) { totalCount pageInfo { hasNextPage } nodes { status } }
    } } }"""
    data = (await world.gql(query, {"id": world.mentor.person_gid}))["node"]
    assert (data["mentor"]["totalCount"], data["apprentice"]["totalCount"], data["both"]["totalCount"]) == (6, 0, 6)
    assert data["active"] == {"totalCount": 2, "pageInfo": {"hasNextPage": True}, "nodes": [{"status": "ACTIVE"}]}
