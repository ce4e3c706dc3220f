"""Matching: scores out of 100 with Chinese reasons, never the poster with itself, and a fixed
number of SQL statements whatever the pool size (10 or 1,000 candidates)."""

from __future__ import annotations

import random

import pytest

from core.organisations.models import Organisation, OrganisationKind, OrganisationPlugin
from core.people.models import Honour, HonourLevel, Membership, Person
from core.relay import decode_id
from core.skills.models import PersonSkill, Skill
from plugins.challenges import access, matching
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
)
from tests.plugins.challenges.conftest import SOLVE, SUBMIT, City
from tests.support import count_statements, gid

MATCHES = """query Matches($p: ID!) { problemMatches(problemId: $p, first: 10) { score reasons
  candidate { __typename ... on Person { id name } ... on Organisation { id name }
    ... on ServiceTeam { id name } } } }"""
OFFER_MATCHES = """query($o: ID!, $n: Int) { offerMatches(offerId: $o, first: $n) { score reasons problem {
  id title } } }"""


async def test_scores_and_reasons(city: City) -> None:
    problem = await city.post(region="海州市")
    await city.studio_offer()
    await city.offer(city.member_b, kind="PERSON", title="焊接", skillIds=[gid("Skill", city.weld.id)])
    await city.offer(city.outsider, kind="PERSON", title="外援", industryChain="绿色石化", region="临港市")
    # Never the poster with itself: its own people, its own studio, the person who posted it.
    await city.offer(city.own_worker, kind="PERSON", title="本厂")
    await city.offer(
        city.poster, kind="STUDIO", title="本厂工作室", organisationId=gid("Organisation", city.factory_studio.id)
    )
    await city.offer(city.poster, kind="PERSON", title="发布人")
    matches = (await city.gql(MATCHES, {"p": problem}, user=city.poster))["problemMatches"]
    assert [(m["candidate"]["name"], m["score"]) for m in matches] == [
        ("王建国劳模创新工作室", 80.0),
        ("赵晓东", 32.0),
        ("马玉兰", 5.0),
    ]
    assert matches[0]["reasons"] == [
        "焊接:高级技师,高于要求(技师)",
        "全国劳动模范(2015)",
        "同属高端装备产业链",
        "同在海州市",
        "当前无在办难题",
    ]
    assert matches[1]["reasons"] == ["焊接:高级工,略低于要求(技师)", "同一联盟", "当前无在办难题"]
    assert matches[2]["reasons"] == ["缺少焊接技能(要求技师)", "当前无在办难题"]
    assert matches[0]["candidate"] == {
        "__typename": "Organisation",
        "id": gid("Organisation", city.studio_b.id),
        "name": "王建国劳模创新工作室",
    }

    # The poster's setting lets its own people and studios in (never the person who posted it).
    await OrganisationPlugin.filter(organisation_id=city.factory.id).update(settings={"allow_own_members": True})
    again = (await city.gql(MATCHES, {"p": problem}, user=city.poster))["problemMatches"]
    names = {m["candidate"]["name"] for m in again}
    assert names == {"王建国劳模创新工作室", "赵晓东", "马玉兰", "周春燕", "精密机械创新工作室"}

    # A solved problem counts as a track record; work in progress as load.
    await OrganisationPlugin.filter(organisation_id=city.factory.id).update(settings={})
    done, bid = await city.taken(title="已解决的难题")
    await city.gql(SUBMIT, {"b": bid, "s": "方案"}, user=city.wang)
    await city.gql(SOLVE, {"input": {"id": done, "rating": 4, "economicBenefit": 10}}, user=city.poster)
    await city.taken(title="在办的难题")
    best = (await city.gql(MATCHES, {"p": problem}, user=city.poster))["problemMatches"][0]
    assert best["reasons"][-2:] == ["已解决1个难题,平均评分4.0", "当前在办1项"]
    assert best["score"] == 40 + 10 + 15 + 10 + 4 + 3


async def test_offer_matches_rank_open_problems_it_may_take(city: City) -> None:
    studio = await city.studio_offer()
    strong = await city.post(title="焊接难题", region="海州市")
    await city.post(
        title="无关难题",
        industryChain="绿色石化",
        region="临港市",
        skills=[{"skillId": gid("Skill", city.weld.id), "minLevel": 1}],
    )
    await city.post(title="草稿", publish=False)
    # The solver's own enterprise posts too: not its to take.
    admin_b = await city.gql.user("刘海涛", org=city.ent_b, role="ADMIN")  # type: ignore[arg-type]
    await OrganisationPlugin.create(organisation=city.ent_b, plugin="challenges", settings={})
    await city.post(user=admin_b, organisationId=gid("Organisation", city.ent_b.id), title="本企业难题")
    found = (await city.gql(OFFER_MATCHES, {"o": studio, "n": 10}, user=city.wang))["offerMatches"]
    assert [m["problem"]["title"] for m in found] == ["焊接难题", "无关难题"]
    assert found[0]["problem"]["id"] == strong and found[0]["score"] == 80.0
    assert found[1]["reasons"][0] == "焊接:高级技师,达到要求(高级技师)"
    # Anonymous callers may not rank; `first` is bounded.
    assert (await city.gql.errors(OFFER_MATCHES, {"o": studio, "n": 10}))[0]["extensions"]["code"] == "UNAUTHENTICATED"
    errors = await city.gql.errors(OFFER_MATCHES, {"o": studio, "n": 101}, user=city.wang)
    assert errors[0]["extensions"]["code"] == "OUT_OF_RANGE"


async def _pool(city: City, size: int) -> None:
    """``size`` candidates: person offers, studio offers and team offers, with skills and honours."""
    tag = f"池{size}-"
    studios = [
        await Organisation.create(name=f"{tag}工作室{i}", kind=OrganisationKind.STUDIO, region="海州市")
        for i in range(3)
    ]
    await Person.bulk_create([Person(name=f"{tag}{i}") for i in range(size)])
    people = list(await Person.filter(name__startswith=tag).order_by("id"))
    await Membership.bulk_create([Membership(person=p, organisation=studios[i % 3]) for i, p in enumerate(people)])
    await PersonSkill.bulk_create(
        [PersonSkill(person=p, skill=city.weld, level=1 + i % 5) for i, p in enumerate(people)]
    )
    await Honour.bulk_create(
        [Honour(person=p, title="工匠", level=HonourLevel.MUNICIPAL, year=2020) for p in people[::7]]
    )
    team = await ServiceTeam.create(
        organisation=city.fed, name=f"{tag}服务队", leader=people[0], industry_chain="高端装备"
    )
    await ServiceTeamMember.bulk_create([ServiceTeamMember(team=team, person=p) for p in people[:5]])
    offers = [
        Offer(kind=OfferKind.PERSON, person=p, title="个人", industry_chain="高端装备", region="海州市")
        for p in people[: size - 4]
    ]
    offers += [Offer(kind=OfferKind.STUDIO, organisation=s, title="工作室") for s in studios]
    offers.append(Offer(kind=OfferKind.TEAM, team=team, title="服务队", industry_chain="高端装备"))
    await Offer.bulk_create(offers)


async def _count(city: City, query: str, variables: dict[str, object]) -> tuple[int, list[dict[str, object]]]:
    with count_statements() as counter:
        data = await city.gql(query, variables, user=city.poster)
    return counter.count, next(iter(data.values()))


async def test_problem_matches_take_a_fixed_number_of_statements(city: City) -> None:
    """The ranking itself (the service and the API's score and reasons); resolving ``candidate``
    then costs one batched load per kind of candidate on the page, whatever the pool."""
    problem = await city.post()
    ranking = "query($p: ID!) { problemMatches(problemId: $p, first: 10) { score reasons } }"
    counts = []
    for size in (10, 1000):
        await Offer.all().delete()
        await _pool(city, size)
        assert await Offer.all().count() == size
        with count_statements() as service:
            found = await matching.problem_matches(decode_id(problem, "Problem", "id"), 10)
        api, listed = await _count(city, ranking, {"p": problem})
        full, _ = await _count(city, MATCHES, {"p": problem})
        assert len(found) == len(listed) == 10
        kinds = {m.kind for m in found}
        counts.append((service.count, api, full - len(kinds)))
    assert counts[0] == counts[1], counts


async def test_offer_matches_take_a_fixed_number_of_statements(city: City) -> None:
    offer = await city.studio_offer()

    async def problems(count: int) -> None:
        rows = [
            Problem(
                organisation=city.factory,
                title=f"难题{i}",
                status=ProblemStatus.OPEN,
                industry_chain="高端装备",
                visibility="PUBLIC",
            )
            for i in range(count)
        ]
        await Problem.bulk_create(rows)
        made = await Problem.filter(skill_needs__id__isnull=True).values_list("id", flat=True)
        await ProblemSkill.bulk_create([ProblemSkill(problem_id=pid, skill=city.weld, min_level=3) for pid in made])

    await problems(10)
    small, found = await _count(city, OFFER_MATCHES, {"o": offer, "n": 10})
    await problems(990)
    large, found_large = await _count(city, OFFER_MATCHES, {"o": offer, "n": 10})
    assert len(found) == len(found_large) == 10
    assert small == large, (small, large)


async def _random_pool(city: City, rng: random.Random) -> list[Person]:
    """A few hundred offers of every kind with random skills, honours, chains, regions, track
    records and loads, many of them alike (ties), some from the poster's own organisation."""
    skills = [city.weld, *[await Skill.create(name=f"随机技能{i}") for i in range(4)]]
    chains, regions = ["高端装备", "汽车", "绿色石化", ""], ["海州市", "东港区", "临港市", ""]
    homes = [city.factory, city.factory_studio, city.studio_b, city.ent_b, city.outsider_org]
    await Person.bulk_create([Person(name=f"随机{i}") for i in range(240)])
    people = list(await Person.filter(name__startswith="随机").order_by("id"))
    await Membership.bulk_create([Membership(person=p, organisation=rng.choice(homes)) for p in people])
    await PersonSkill.bulk_create(
        [
            PersonSkill(person=p, skill=s, level=rng.randint(1, 5))
            for p in people
            for s in rng.sample(skills, rng.randint(0, 3))
        ]
    )
    levels = list(HonourLevel)
    await Honour.bulk_create(
        [Honour(person=p, title="工匠", level=rng.choice(levels), year=2020) for p in people if rng.random() < 0.3]
    )
    teams = [
        await ServiceTeam.create(
            organisation=rng.choice([city.fed, city.factory, city.ent_b]),
            name=f"随机服务队{i}",
            leader=rng.choice(people),
            industry_chain=rng.choice(chains),
        )
        for i in range(10)
    ]
    # Teams are led by honoured people (a low honour, so that counting a leader twice would show).
    await Honour.bulk_create(
        [Honour(person=t.leader, title="厂级标兵", level=HonourLevel.SCHOOL, year=2021) for t in teams]
    )
    # As serviceTeamCreate does, the leader is a member too (counted once).
    await ServiceTeamMember.bulk_create(
        [ServiceTeamMember(team=t, person=p) for t in teams for p in {t.leader, *rng.sample(people, rng.randint(0, 6))}]
    )
    offers = [
        Offer(
            kind=OfferKind.PERSON,
            person=p,
            title="个人",
            industry_chain=rng.choice(chains),
            region=rng.choice(regions),
            active=rng.random() < 0.95,
        )
        for p in people
    ]
    offers += [
        Offer(kind=OfferKind.STUDIO, organisation=o, title="工作室", industry_chain=rng.choice(chains))
        for o in (city.factory_studio, city.studio_b, city.outsider_org)
    ]
    offers += [Offer(kind=OfferKind.TEAM, team=t, title="服务队", region=rng.choice(regions)) for t in teams]
    await Offer.bulk_create(offers)
    # Track records and loads: accepted bids on solved and on in-progress problems.
    made = list(await Offer.all().order_by("id"))
    for i, offer in enumerate(rng.sample(made, 40)):
        status = ProblemStatus.SOLVED if i % 3 else ProblemStatus.IN_PROGRESS
        done = await Problem.create(
            organisation=city.ent_b, title=f"往期{i}", status=status, rating=rng.choice([None, 1, 3, 5])
        )
        await Bid.create(problem=done, offer=offer, plan="方案", status=BidStatus.ACCEPTED)
    return people


async def test_prefilter_ranks_exactly_as_scoring_every_offer(city: City) -> None:
    """On random pools, for many problems and page sizes, the prefiltered ranking (scores, reasons,
    order, ties) equals the one that scores every active offer; and the prefilter leaves most out."""
    rng = random.Random(11)
    people = await _random_pool(city, rng)
    skills = list(await Skill.all())
    total = await Offer.filter(active=True).count()
    kept_sizes = []
    for round_ in range(12):
        allow_own = round_ % 3 == 0
        await OrganisationPlugin.filter(organisation_id=city.factory.id).update(
            settings={"allow_own_members": allow_own}
        )
        problem = await Problem.create(
            organisation=city.factory,
            posted_by=rng.choice([city.poster.person, *people]),
            title=f"随机难题{round_}",
            status=ProblemStatus.OPEN,
            industry_chain=rng.choice(["高端装备", "汽车", ""]),
            region=rng.choice(["海州市", "东港区", ""]),
        )
        await ProblemSkill.bulk_create(
            [
                ProblemSkill(problem=problem, skill=s, min_level=rng.randint(1, 5))
                for s in rng.sample(skills, rng.randint(0, 3))
            ]
        )
        for first in (1, 3, 10, 40):
            fast = await matching.problem_matches(problem.id, first)
            slow = await matching.problem_matches(problem.id, first, exhaustive=True)
            assert fast == slow, (round_, first)
        needs = [
            matching.Need(int(s), int(m), "")
            for s, m in await ProblemSkill.filter(problem=problem).order_by("id").values_list("skill_id", "min_level")
        ]
        own = await access.descendants({city.factory.id})
        kept_sizes.append(len(await matching._plausible_offers(problem, needs, allow_own, own, 10)))
        # The bounds hold: low <= score <= high (scores are rounded to 0.1) for the 100 best.
        bounds = await matching.offer_bounds(problem, needs, allow_own, own)
        for match in await matching.problem_matches(problem.id, 100, exhaustive=True):
            low, high = bounds[match.offer_id]
            assert low - 0.05 <= match.score <= high + 0.05, (round_, match, low, high)
    assert min(kept_sizes) < total / 4, (kept_sizes, total)


async def test_prefilter_keeps_ties_and_small_pools(city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    """Alike offers tie at the page's edge: all of them are kept, and the lower ids win; with
    fewer offers than the page every eligible offer is kept."""
    problem = await city.post(region="海州市")
    await Person.bulk_create([Person(name=f"同分{i}") for i in range(30)])
    twins = list(await Person.filter(name__startswith="同分").order_by("id"))
    await Membership.bulk_create([Membership(person=p, organisation=city.studio_b) for p in twins])
    await PersonSkill.bulk_create([PersonSkill(person=p, skill=city.weld, level=2) for p in twins])
    alike = {"kind": OfferKind.PERSON, "title": "同分", "industry_chain": "高端装备", "region": "海州市"}
    await Offer.bulk_create([Offer(person=p, **alike) for p in twins])
    pk = decode_id(problem, "Problem", "id")
    page = await matching.problem_matches(pk, 10)
    assert [m.score for m in page] == [70.0] * 10
    assert page == await matching.problem_matches(pk, 10, exhaustive=True)
    ids = sorted(await Offer.filter(title="同分").values_list("id", flat=True))
    assert [m.offer_id for m in page] == ids[:10]
    row = await Problem.get(id=pk)
    kept = await matching._plausible_offers(row, [matching.Need(city.weld.id, 2, "")], False, {city.factory.id}, 10)
    assert set(ids) <= set(kept)
    assert len(await matching.problem_matches(pk, 100)) == 30
    # More kept than KEPT_MAX: the reads take every active offer, with the same page.
    monkeypatch.setattr(matching, "KEPT_MAX", 5)
    assert await matching.problem_matches(pk, 10) == page


async def test_bounds_count_each_person_once(city: City) -> None:
    """A team's leader is also its member: the bounds count their honour once, as the score does."""
    leader = await Person.create(name="队长")
    await Honour.create(person=leader, title="厂级标兵", level=HonourLevel.SCHOOL, year=2021)
    team = await ServiceTeam.create(organisation=city.fed, name="服务队", leader=leader, industry_chain="汽车")
    await ServiceTeamMember.create(team=team, person=leader)
    offer = await Offer.create(kind=OfferKind.TEAM, team=team, title="服务队", industry_chain="汽车")
    problem = await Problem.create(organisation=city.factory, title="无技能要求", status=ProblemStatus.OPEN)
    bounds = await matching.offer_bounds(problem, [], False, {city.factory.id})
    assert bounds[offer.id] == (20.0 + 2, 20.0 + 2 + 5 + 7)
    (match,) = await matching.problem_matches(problem.id, 10)
    assert match.score == 20 + 2 + 7 + 5 and match.reasons[:2] == ["难题未列技能要求", "厂级标兵(2021)"]
