"""The demo: 王建国 takes several apprentices, at every stage of the agreement."""

from __future__ import annotations

from collections import Counter

from core.organisations.models import OrganisationPlugin
from core.runtime import Runtime
from core.skills.models import PersonSkill
from host.demo import load_demo
from plugins.mentorship.models import MentorLoad, Mentorship, MentorshipStatus
from tests.support import GraphQLClient, gid

MASTER = """
query($id: ID!) { node(id: $id) { ... on Person {
  name mentorStats { activeApprentices completed averageScore }
  mentorships(role: MENTOR, first: 20) { totalCount nodes {
    status progress apprentice { name } skill { name } organisation { name } milestones { approved }
  } }
} } }"""
MINE = """
query Mine { me { mentorships(role: APPRENTICE) { totalCount edges { node {
  id status progress mentor { id name } skill { name } milestones { title done approved } } } } } }"""


async def test_demo_has_a_master_with_apprentices_at_every_stage(gql: GraphQLClient, rt: Runtime) -> None:
    demo = await load_demo(rt)
    assert demo is not None
    wang = demo.people["wang"]
    studios = {demo.organisations[key].id for key in ("studio_wang", "studio_li", "studio_zhang", "studio_nvh")}
    assert set(await OrganisationPlugin.filter(plugin="mentorship", enabled=True).values_list(
        "organisation_id", flat=True)) == studios

    # As 王建国 himself: progress and milestones are private to the pair and admins (issue 8).
    viewer = await gql.user("临时")
    viewer.token = gql.token_for(viewer.account_id, wang.id)
    data = (await gql(MASTER, {"id": gid("Person", wang.id)}, user=viewer))["node"]
    assert data["name"] == "王建国"
    nodes = data["mentorships"]["nodes"]
    assert Counter(node["status"] for node in nodes) == {
        "ACTIVE": 2, "COMPLETED": 2, "PROPOSED": 1, "TERMINATED": 1,
    }
    assert {node["skill"]["name"] for node in nodes} == {"焊接"}
    assert {node["organisation"]["name"] for node in nodes} == {"王建国劳模创新工作室"}
    active_progress = sorted(node["progress"] for node in nodes if node["status"] == "ACTIVE")
    assert active_progress == [0.0, 0.5]
    assert data["mentorStats"] == {"activeApprentices": 2, "completed": 2, "averageScore": 88.5}

    # Every demo agreement keeps the rules: the mentor is better, and the load counter is right.
    for m in await Mentorship.all():
        levels = dict(await PersonSkill.filter(skill_id=m.skill_id, person_id__in=[m.mentor_id, m.apprentice_id])
                      .values_list("person_id", "level"))
        if m.status is not MentorshipStatus.COMPLETED:
            assert levels[m.mentor_id] < levels.get(m.apprentice_id, 6)
    load = await MentorLoad.get(mentor_id=wang.id, organisation_id=demo.organisations["studio_wang"].id)
    assert load.active == 2


async def test_the_demo_apprentice_account_sees_its_progress(gql: GraphQLClient, rt: Runtime) -> None:
    demo = await load_demo(rt)
    assert demo is not None
    worker1 = await gql.user("临时")  # a token for the demo person worker1
    token = gql.token_for(worker1.account_id, demo.people["worker1"].id)
    worker1.token = token
    connection = (await gql(MINE, user=worker1))["me"]["mentorships"]
    assert connection["totalCount"] == 1
    node = connection["edges"][0]["node"]
    assert node["mentor"]["name"] == "王建国" and node["status"] == "ACTIVE"
    assert node["progress"] == 0.5
    assert [m["approved"] for m in node["milestones"]] == [True, True, False, False]
