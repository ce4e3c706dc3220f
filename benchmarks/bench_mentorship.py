"""mentorSuggestions with thousands of people: the ranking runs a fixed number of queries.

Run: ``.venv/bin/python -m benchmarks bench_mentorship`` (SQLite file by default, or
GUILDHALL_BENCH_DATABASE_URL for PostgreSQL).
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date

from core.context import Context, Viewer
from core.organisations.models import (
    AllianceMembership,
    Organisation,
    OrganisationKind,
    OrganisationPlugin,
)
from core.people.models import Honour, HonourLevel, Membership, Person
from core.relay import to_global_id
from core.runtime import Runtime
from core.skills.models import PersonSkill, Skill
from plugins.mentorship.models import MentorLoad, Mentorship, MentorshipStatus
from schema import build_schema
from tests.support import count_statements

PEOPLE = 5000
STUDIOS = 200
ALLIANCES = 10
RUNS = 20
QUERY = """
query Suggest($a: ID!, $s: ID!) { mentorSuggestions(apprenticeId: $a, skillId: $s, first: 5) {
  score reasons mentor { id name } organisation { name } } }"""


async def _world(rng: random.Random) -> tuple[Skill, list[Person], list[Organisation]]:
    skill = await Skill.create(name="焊接", category="机械制造")
    other = await Skill.create(name="钳工", category="机械制造")
    await Organisation.bulk_create(
        [Organisation(name=f"工作室{i}", kind=OrganisationKind.STUDIO) for i in range(STUDIOS)]
        + [Organisation(name=f"联盟{i}", kind=OrganisationKind.ALLIANCE) for i in range(ALLIANCES)]
    )
    studios = list(await Organisation.filter(kind=OrganisationKind.STUDIO).order_by("id"))
    alliances = list(await Organisation.filter(kind=OrganisationKind.ALLIANCE).order_by("id"))
    await OrganisationPlugin.bulk_create(
        [OrganisationPlugin(organisation=s, plugin="mentorship", settings={"mentor_capacity": rng.choice([5, 10, 20])})
         for s in studios[: STUDIOS * 3 // 4]]
    )
    await AllianceMembership.bulk_create(
        [AllianceMembership(alliance=alliances[i % ALLIANCES], organisation=s) for i, s in enumerate(studios)]
    )
    await Person.bulk_create([Person(name=f"职工{i}") for i in range(PEOPLE)])
    people = list(await Person.all().order_by("id"))
    await Membership.bulk_create([Membership(person=p, organisation=rng.choice(studios)) for p in people])
    await PersonSkill.bulk_create(
        [PersonSkill(person=p, skill=skill, level=rng.randint(1, 5)) for p in people]
        + [PersonSkill(person=p, skill=other, level=rng.randint(1, 5)) for p in people[::3]]
    )
    levels = [HonourLevel.NATIONAL, HonourLevel.PROVINCIAL, HonourLevel.MUNICIPAL, HonourLevel.ENTERPRISE]
    await Honour.bulk_create(
        [Honour(person=p, title="工匠", level=rng.choice(levels), year=2020) for p in people[::10]]
    )
    # Past and present agreements, so loads and track records are not empty.
    masters = people[: PEOPLE // 10]
    agreements = []
    for i, apprentice in enumerate(people[PEOPLE // 2 :: 3]):
        mentor = masters[i % len(masters)]
        status = MentorshipStatus.COMPLETED if i % 2 else MentorshipStatus.ACTIVE
        agreements.append(Mentorship(
            mentor=mentor, apprentice=apprentice, organisation=studios[i % STUDIOS], skill=skill,
            planned_start=date(2024, 1, 1), status=status,
            score=rng.randint(60, 100) if status is MentorshipStatus.COMPLETED else None,
        ))
    await Mentorship.bulk_create(agreements)
    load: dict[tuple[int, int], int] = {}
    for m in agreements:
        if m.status is MentorshipStatus.ACTIVE:
            key = (m.mentor.id, m.organisation.id)
            load[key] = load.get(key, 0) + 1
    await MentorLoad.bulk_create(
        [MentorLoad(mentor_id=k[0], organisation_id=k[1], active=n) for k, n in load.items()]
    )
    return skill, people, studios


async def main(rt: Runtime) -> None:
    rng = random.Random(7)
    started = time.perf_counter()
    skill, _, _ = await _world(rng)
    print(f"setup: {PEOPLE} people, {STUDIOS} studios in {time.perf_counter() - started:.1f}s")
    schema = build_schema(rt.registry, rt.settings)
    candidates_by_level = {
        level: await PersonSkill.filter(skill=skill, level__lt=level).count() for level in (5, 3)
    }
    for level in (5, 3):
        apprentice = await PersonSkill.filter(skill=skill, level=level).order_by("-id").first()
        assert apprentice is not None
        variables = {"a": to_global_id("Person", apprentice.person_id), "s": to_global_id("Skill", skill.id)}
        timings = []
        statements = 0
        for _ in range(RUNS):
            context = Context(rt=rt, viewer=Viewer(account_id=1, person_id=apprentice.person_id))
            with count_statements() as counter:
                t0 = time.perf_counter()
                result = await schema.execute(QUERY, variable_values=variables, context_value=context)
                timings.append(time.perf_counter() - t0)
            statements = counter.count
            assert result.errors is None, result.errors
        top = result.data["mentorSuggestions"][0] if result.data else {}
        print(
            f"mentorSuggestions, apprentice level {level} ({candidates_by_level[level]} qualified candidates): "
            f"median {statistics.median(timings) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms, "
            f"{statements} SQL statements"
        )
        print(f"  best: {top.get('score')} {top.get('reasons')}")
