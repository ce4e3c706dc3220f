"""Core: the nested organisations → members → skills query, and login, through the ASGI app."""

from __future__ import annotations

import statistics
import time

import httpx

from core.organisations.models import Organisation, OrganisationKind
from core.people.models import Membership, Person
from core.runtime import Runtime
from core.skills.models import PersonSkill, Skill
from host.app import create_app

QUERY = """{ organisations(first: 100) { totalCount edges { node { name parent { name }
  members(first: 20) { totalCount edges { role node { name skills { level skill { name } } } } } } } } }"""


async def _seed(organisations: int, members: int) -> None:
    skills = [await Skill.create(name=f"技能{i}") for i in range(5)]
    parent = await Organisation.create(name="总工会", kind=OrganisationKind.FEDERATION)
    for i in range(organisations):
        org = await Organisation.create(name=f"企业{i}", kind=OrganisationKind.ENTERPRISE, parent=parent)
        await Person.bulk_create([Person(name=f"职工{i}-{j}") for j in range(members)])
        people = await Person.filter(name__startswith=f"职工{i}-")
        await Membership.bulk_create([Membership(person=p, organisation=org) for p in people])
        await PersonSkill.bulk_create([PersonSkill(person=p, skill=skills[(p.id + k) % 5], level=1 + k)
                                       for p in people for k in range(2)])


async def _time(client: httpx.AsyncClient, body: dict[str, object], runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = await client.post("/graphql", json=body)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and "errors" not in response.json(), response.text
    return timings


async def main(rt: Runtime) -> None:
    await _seed(organisations=300, members=15)
    app = create_app(rt.settings, rt.registry, rt, manage_services=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        timings = await _time(client, {"query": QUERY}, runs=20)
    print(f"organisations(first:100){{members(first:20){{skills}}}} over 300 orgs x 15 people: "
          f"median {statistics.median(timings):.1f} ms, p90 {sorted(timings)[17]:.1f} ms")
