"""Selecting bids is race-free on PostgreSQL: concurrent bidAccept never exceeds max_teams; edits
of a problem are serialised by its row lock."""

from __future__ import annotations

import asyncio

import pytest

from core.errors import UserInputError
from core.organisations.models import OrganisationPlugin
from core.people.models import Person
from core.relay import decode_id
from core.skills.models import Skill
from plugins.challenges import bids, services
from plugins.challenges.models import Bid, BidStatus, Offer, OfferKind, Problem, ProblemSkill, ProblemStatus
from tests.plugins.challenges.conftest import City

pytestmark = pytest.mark.postgres


async def _bids(city: City, problem: str, count: int) -> list[int]:
    await Person.bulk_create([Person(name=f"专家{i}") for i in range(count)])
    people = list(await Person.filter(name__startswith="专家").order_by("id"))
    await Offer.bulk_create([Offer(kind=OfferKind.PERSON, person=p, title="焊接攻关") for p in people])
    offers = list(await Offer.filter(person_id__in=[p.id for p in people]).order_by("id"))
    pk = decode_id(problem, "Problem", "id")
    await Bid.bulk_create([Bid(problem_id=pk, offer=o, plan="方案") for o in offers])
    return list(await Bid.filter(problem_id=pk).order_by("id").values_list("id", flat=True))  # type: ignore[arg-type]


@pytest.mark.parametrize("max_teams", [1, 3])
async def test_concurrent_accepts_respect_max_teams(city: City, max_teams: int) -> None:
    await OrganisationPlugin.filter(organisation_id=city.factory.id).update(settings={"max_teams": max_teams})
    problem = await city.post()
    ids = await _bids(city, problem, 30)
    results = await asyncio.gather(*(bids.accept_bid(city.rt, bid_id) for bid_id in ids), return_exceptions=True)
    refused = [r for r in results if isinstance(r, UserInputError)]
    assert len(results) - len(refused) == max_teams
    assert all(r.errors[0].code == "TEAMS_FULL" for r in refused)
    assert not [r for r in results if isinstance(r, BaseException) and not isinstance(r, UserInputError)]
    row = await Problem.get(id=decode_id(problem, "Problem", "id"))
    assert (row.teams, row.status) == (max_teams, ProblemStatus.IN_PROGRESS)
    assert await Bid.filter(problem_id=row.id, status=BidStatus.ACCEPTED).count() == max_teams


async def test_the_same_bid_accepted_twice_at_once_counts_once(city: City) -> None:
    await OrganisationPlugin.filter(organisation_id=city.factory.id).update(settings={"max_teams": 5})
    problem = await city.post()
    [bid_id] = await _bids(city, problem, 1)
    results = await asyncio.gather(*(bids.accept_bid(city.rt, bid_id) for _ in range(10)), return_exceptions=True)
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert {r.errors[0].code for r in results if isinstance(r, UserInputError)} == {"INVALID_TRANSITION"}
    assert (await Problem.get(id=decode_id(problem, "Problem", "id"))).teams == 1


async def test_concurrent_edits_and_acceptance_are_serialised(city: City) -> None:
    """problemUpdate locks the row: edits replacing the skills at once never collide (the skills
    end as one edit left them), and an edit racing bidAccept is either before it or refused."""
    problem = await city.post()
    pk = decode_id(problem, "Problem", "id")
    skills = [await Skill.create(name=f"并发技能{i}") for i in range(12)]
    edits = [
        services.ProblemChanges(
            skills=[services.SkillNeed(s.id, 1 + i % 5) for s in skills[i : i + 3]], given={"skills"}
        )
        for i in range(10)
    ]
    results = await asyncio.gather(*(services.update_problem(city.rt, pk, e) for e in edits), return_exceptions=True)
    assert not [r for r in results if isinstance(r, BaseException)], results
    final = set(await ProblemSkill.filter(problem_id=pk).values_list("skill_id", "min_level"))
    assert final in [{(n.skill_id, n.min_level) for n in e.skills or []} for e in edits]
    [bid_id] = await _bids(city, problem, 1)
    retitle = services.ProblemChanges(title="抢在选定前改名", given={"title"})
    race = await asyncio.gather(
        bids.accept_bid(city.rt, bid_id), services.update_problem(city.rt, pk, retitle), return_exceptions=True
    )
    assert not isinstance(race[0], BaseException)
    row = await Problem.get(id=pk)
    assert row.status == ProblemStatus.IN_PROGRESS
    if isinstance(race[1], UserInputError):
        assert race[1].errors[0].code == "INVALID_TRANSITION" and row.title != "抢在选定前改名"
    else:
        assert not isinstance(race[1], BaseException) and row.title == "抢在选定前改名"
