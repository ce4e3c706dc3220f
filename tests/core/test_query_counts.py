"""The number of SQL statements for a query does not grow with the length of its lists."""

from __future__ import annotations

from core.organisations.models import AllianceMembership, Organisation, OrganisationKind
from core.people.models import Membership, MembershipRole, Person
from core.skills.models import PersonSkill, Skill
from tests.support import GraphQLClient, count_statements, gid, make_org

ORGS_MEMBERS_SKILLS = """
query($parent: ID) { organisations(first: 100, parentId: $parent) { totalCount edges { node {
    name parent { name } alliances { totalCount edges { role node { name } } }
    members(first: 10) { totalCount edges { role node { name phone
      skills { level levelName skill { name } } honours { title } memberships { organisation { name } } } } } } } } }
"""


async def _tree(name: str, size: int, skills: list[Skill], alliance: Organisation) -> Organisation:
    parent = await make_org(name, OrganisationKind.INDUSTRY_UNION)
    for i in range(size):
        org = await make_org(f"{name}企业{i}", parent=parent)
        await AllianceMembership.create(alliance=alliance, organisation=org)
        for j in range(2):
            person = await Person.create(name=f"{name}职工{i}-{j}")
            await Membership.create(person=person, organisation=org, role=MembershipRole.MEMBER)
            for level, skill in enumerate(skills, start=2):
                await PersonSkill.create(person=person, skill=skill, level=level)
    return parent


async def test_organisations_members_skills_at_10_and_100(gql: GraphQLClient) -> None:
    skills = [await Skill.create(name="焊接"), await Skill.create(name="数控加工")]
    alliance = await make_org("联盟", OrganisationKind.ALLIANCE)
    small = await _tree("小", 10, skills, alliance)
    large = await _tree("大", 100, skills, alliance)
    viewer = await gql.user("管理员", org=small, role=MembershipRole.ADMIN)

    counts = {}
    heavy = gql.with_settings(max_query_cost=10**6)  # far above the production cost limit
    for parent, size in ((small, 10), (large, 100)):
        with count_statements() as counter:
            data = await heavy(ORGS_MEMBERS_SKILLS, {"parent": gid("Organisation", parent.id)}, user=viewer)
        assert data["organisations"]["totalCount"] == size
        first = data["organisations"]["edges"][0]["node"]
        assert first["members"]["totalCount"] == 2 and len(first["members"]["edges"][0]["node"]["skills"]) == 2
        counts[size] = counter.count
    await heavy.http.aclose()
    assert counts[10] == counts[100], counts
    assert counts[100] <= 15, counts  # one statement per batched relation, whatever the sizes
