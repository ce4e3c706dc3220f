"""What a request read is freed when it is answered, not at the next full garbage collection.

The per-request loaders form reference cycles (their shielding closures, load functions holding
the loader registry); ``guildhall serve`` makes full collections rare (``host.app.GC_THRESHOLDS``),
so rows kept by a cycle piled up by megabytes per list request and the server grew through an
hour of load. ``Loaders.clear()`` at the end of each request breaks those cycles."""

from __future__ import annotations

import gc

from tortoise.models import Model

from core.people.models import Membership, MembershipRole, Person
from core.skills.models import PersonSkill, Skill
from tests.support import GraphQLClient, gid, make_org

STUDIO = """query($id: ID!) { node(id: $id) { ... on Organisation { name leader { name }
  members(first: 10) { totalCount edges { role node { name skills { level skill { name } } } } } } } }"""


async def test_an_answered_request_leaves_no_rows_in_reference_cycles(gql: GraphQLClient) -> None:
    org = await make_org("工作室")
    welding = await Skill.create(name="焊接")
    for i in range(5):
        person = await Person.create(name=f"职工{i}")
        await Membership.create(person=person, organisation=org, role=MembershipRole.MEMBER)
        await PersonSkill.create(person=person, skill=welding, level=3)
    viewer = await gql.user("访客")
    variables = {"id": gid("Organisation", org.id)}
    answer = await gql(STUDIO, variables, user=viewer)
    assert answer["node"]["members"]["totalCount"] == 5  # the query reads rows through loaders

    gc.collect()
    gc.disable()
    try:
        await gql(STUDIO, variables, user=viewer)
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        cycled = [type(o).__name__ for o in gc.garbage if isinstance(o, Model)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert cycled == [], f"{len(cycled)} rows were kept alive only by reference cycles: {sorted(set(cycled))}"
