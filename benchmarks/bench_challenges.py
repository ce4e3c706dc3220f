"""Challenges matching at city scale: 20,000 people (each with a person offer), 300 studios and
20 service teams offering, 5,000 open problems; problemMatches and offerMatches through the
schema, with their SQL statement counts, and the problems board.

Run: ``.venv/bin/python -m benchmarks micro bench_challenges`` (SQLite file by default, or
GUILDHALL_BENCH_MICRO_DATABASE_URL for PostgreSQL: its tables are created there, so give it an
empty database).
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

from core.context import Context, Viewer
from core.organisations.models import AllianceMembership, Organisation, OrganisationKind, OrganisationPlugin
from core.people.models import Honour, HonourLevel, Membership, MembershipRole, Person
from core.relay import to_global_id
from core.runtime import Runtime
from core.skills.models import PersonSkill, Skill
from plugins.challenges.models import (
    Bid,
    BidStatus,
    Offer,
    OfferKind,
    Problem,
    ProblemSkill,
    ProblemStatus,
    ServiceTeam,
    ServiceTeamMember,
    Visibility,
)
from schema import build_schema
from tests.support import count_statements

PEOPLE = 20_000
STUDIOS = 300
ENTERPRISES = 100
ALLIANCES = 10
TEAMS = 20
PROBLEMS = 5_000
SOLVED = 500
RUNS = 10
CHAINS = ["绿色石化", "有色及贵金属", "汽车", "高端装备", "电子信息", "食品精深加工", "生物医药", "新能源"]
REGIONS = ["芝罘区", "莱山区", "福山区", "牟平区", "开发区", "高新区", "龙口市", "莱州市"]
PROBLEM_MATCHES = """query($p: ID!) { problemMatches(problemId: $p, first: 10) { score reasons
  candidate { __typename ... on Person { id name } ... on Organisation { id name }
    ... on ServiceTeam { id name } } } }"""
OFFER_MATCHES = """query($o: ID!) { offerMatches(offerId: $o, first: 10) { score reasons problem { id title } } }"""
BOARD = """query($c: String) { problems(status: OPEN, industryChain: $c, first: 20) { totalCount
  edges { node { id title urgency reward organisation { name } skills { skill { name } minLevel } bidCount } } } }"""


async def _world(rng: random.Random) -> dict[str, Any]:
    skills = [await Skill.create(name=f"技能{i}", category="制造") for i in range(12)]
    fed = await Organisation.create(name="市总工会", kind=OrganisationKind.FEDERATION, region="烟台市")
    await OrganisationPlugin.create(organisation=fed, plugin="challenges", settings={"industry_chains": CHAINS})
    await Organisation.bulk_create(
        [
            Organisation(name=f"企业{i}", kind=OrganisationKind.ENTERPRISE, parent=fed, region=rng.choice(REGIONS))
            for i in range(ENTERPRISES)
        ]
        + [Organisation(name=f"联盟{i}", kind=OrganisationKind.ALLIANCE, parent=fed) for i in range(ALLIANCES)]
    )
    enterprises = list(await Organisation.filter(kind=OrganisationKind.ENTERPRISE).order_by("id"))
    alliances = list(await Organisation.filter(kind=OrganisationKind.ALLIANCE).order_by("id"))
    await Organisation.bulk_create(
        [
            Organisation(
                name=f"工作室{i}",
                kind=OrganisationKind.STUDIO,
                parent=enterprises[i % ENTERPRISES],
                region=rng.choice(REGIONS),
            )
            for i in range(STUDIOS)
        ]
    )
    studios = list(await Organisation.filter(kind=OrganisationKind.STUDIO).order_by("id"))
    await OrganisationPlugin.bulk_create(
        [OrganisationPlugin(organisation=e, plugin="challenges", settings={}) for e in enterprises]
    )
    await AllianceMembership.bulk_create(
        [AllianceMembership(alliance=alliances[i % ALLIANCES], organisation=s) for i, s in enumerate(studios)]
    )
    await Person.bulk_create([Person(name=f"职工{i}") for i in range(PEOPLE)])
    people = list(await Person.all().order_by("id"))
    await Membership.bulk_create(
        [
            Membership(
                person=p,
                organisation=studios[i % STUDIOS],
                role=MembershipRole.LEADER if i < STUDIOS else MembershipRole.MEMBER,
            )
            for i, p in enumerate(people)
        ]
    )
    admins = people[:ENTERPRISES]
    await Membership.bulk_create(
        [Membership(person=p, organisation=enterprises[i], role=MembershipRole.ADMIN) for i, p in enumerate(admins)]
    )
    await PersonSkill.bulk_create(
        [PersonSkill(person=p, skill=s, level=rng.randint(1, 5)) for p in people for s in rng.sample(skills, 2)]
    )
    levels = [HonourLevel.NATIONAL, HonourLevel.PROVINCIAL, HonourLevel.MUNICIPAL, HonourLevel.ENTERPRISE]
    await Honour.bulk_create(
        [Honour(person=p, title="工匠", level=rng.choice(levels), year=2020) for p in people[::10]]
    )
    await ServiceTeam.bulk_create(
        [
            ServiceTeam(
                organisation=fed,
                name=f"服务队{i}",
                leader=people[i * 10],
                industry_chain=CHAINS[i % len(CHAINS)],
                region=rng.choice(REGIONS),
            )
            for i in range(TEAMS)
        ]
    )
    teams = list(await ServiceTeam.all().order_by("id"))
    await ServiceTeamMember.bulk_create(
        [ServiceTeamMember(team=t, person=people[i * 10 + k]) for i, t in enumerate(teams) for k in range(10)]
    )
    await Offer.bulk_create(
        [
            Offer(
                kind=OfferKind.PERSON,
                person=p,
                title="个人服务",
                industry_chain=rng.choice(CHAINS),
                region=rng.choice(REGIONS),
            )
            for p in people
        ]
        + [
            Offer(
                kind=OfferKind.STUDIO,
                organisation=s,
                title="工作室服务",
                industry_chain=rng.choice(CHAINS),
                region=s.region,
            )
            for s in studios
        ]
        + [
            Offer(kind=OfferKind.TEAM, team=t, title="服务队", industry_chain=t.industry_chain, region=t.region)
            for t in teams
        ]
    )
    visibilities = [Visibility.PUBLIC, Visibility.ALLIANCE, Visibility.REGION]
    await Problem.bulk_create(
        [
            Problem(
                organisation=enterprises[i % ENTERPRISES],
                posted_by=admins[i % ENTERPRISES],
                title=f"难题{i}",
                industry_chain=rng.choice(CHAINS),
                region=rng.choice(REGIONS),
                visibility=rng.choice(visibilities),
                status=ProblemStatus.SOLVED if i < SOLVED else ProblemStatus.OPEN,
                rating=rng.randint(3, 5),
                teams=1 if i < SOLVED else 0,
            )
            for i in range(PROBLEMS + SOLVED)
        ]
    )
    problems = list(await Problem.all().order_by("id").values_list("id", flat=True))
    await ProblemSkill.bulk_create(
        [
            ProblemSkill(problem_id=pid, skill=s, min_level=rng.randint(1, 4))
            for pid in problems
            for s in rng.sample(skills, rng.randint(1, 3))
        ]
    )
    offers = list(await Offer.filter(kind__in=[OfferKind.STUDIO, OfferKind.TEAM]).values_list("id", flat=True))
    await Bid.bulk_create(
        [
            Bid(problem_id=pid, offer_id=rng.choice(offers), plan="方案", status=BidStatus.ACCEPTED)
            for pid in problems[:SOLVED]
        ]
    )
    open_problem = await Problem.filter(status=ProblemStatus.OPEN).order_by("id").first()
    assert open_problem is not None
    studio_offer = await Offer.filter(kind=OfferKind.STUDIO).order_by("id").first()
    person_offer = await Offer.filter(kind=OfferKind.PERSON).order_by("-id").first()
    assert studio_offer is not None and person_offer is not None
    poster = await Person.get(id=open_problem.posted_by_id)
    return {
        "problem": open_problem,
        "poster": poster,
        "studio_offer": studio_offer,
        "person_offer": person_offer,
        "studio_leader": people[0],
    }


async def _time(schema: Any, rt: Runtime, query: str, variables: dict[str, Any], person: Person) -> str:
    timings, statements, result = [], 0, None
    for _ in range(RUNS):
        context = Context(rt=rt, viewer=Viewer(account_id=1, person_id=person.id))
        with count_statements() as counter:
            t0 = time.perf_counter()
            result = await schema.execute(query, variable_values=variables, context_value=context)
            timings.append(time.perf_counter() - t0)
        statements = counter.count
        assert result.errors is None, result.errors
    return (
        f"median {statistics.median(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms, "
        f"{statements} SQL statements"
    )


async def main(rt: Runtime) -> None:
    started = time.perf_counter()
    world = await _world(random.Random(11))
    print(
        f"setup: {PEOPLE} people ({PEOPLE + STUDIOS + TEAMS} offers), {PROBLEMS} open + {SOLVED} solved problems "
        f"in {time.perf_counter() - started:.1f}s"
    )
    schema = build_schema(rt.registry, rt.settings)
    problem, poster = world["problem"], world["poster"]
    print(
        f"problemMatches over {PEOPLE + STUDIOS + TEAMS} offers: "
        + await _time(schema, rt, PROBLEM_MATCHES, {"p": to_global_id("Problem", problem.id)}, poster)
    )
    leader = world["studio_leader"]
    for name, offer in (("studio", world["studio_offer"]), ("person", world["person_offer"])):
        owner = leader if name == "studio" else await Person.get(id=offer.person_id)
        print(
            f"offerMatches ({name} offer) over {PROBLEMS} open problems: "
            + await _time(schema, rt, OFFER_MATCHES, {"o": to_global_id("Offer", offer.id)}, owner)
        )
    print("problems board (OPEN, one chain, first 20): " + await _time(schema, rt, BOARD, {"c": CHAINS[0]}, leader))
