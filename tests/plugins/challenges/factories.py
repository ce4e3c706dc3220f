"""Test-data factories of the challenges plugin (``host.testing.factories``): problems with a skill
need, bids (one accepted), a milestone, a service visit and an outcome; offers of the three kinds;
service teams with members; and the problems every ``Organisation`` and the offers every
``Person`` gets."""

from __future__ import annotations

from datetime import timedelta

from core.relay import to_global_id
from host.testing.factories import Factories, World
from plugins.challenges.models import (
    Bid,
    BidStatus,
    Milestone,
    MilestoneStatus,
    Offer,
    OfferKind,
    OfferSkill,
    Outcome,
    Problem,
    ProblemSkill,
    ProblemStatus,
    ServiceTeam,
    ServiceTeamMember,
    ServiceVisit,
    Visibility,
)

VISIBILITIES = (Visibility.PUBLIC, Visibility.ALLIANCE, Visibility.REGION)


def _someone(world: World) -> int:
    """A person other than the world's own, if a factory made one."""
    return world.made["Person"][0] if world.made.get("Person") else world.person.id


async def _teams(world: World, count: int) -> list[int]:
    """Service teams of the world's studio led by its person, each with two members."""
    names = [world.name("劳模工匠服务队") for _ in range(count)]
    await ServiceTeam.bulk_create(
        [
            ServiceTeam(organisation_id=world.org.id, name=n, leader_id=world.person.id, industry_chain="装备制造")
            for n in names
        ]
    )
    ids = [t.id for t in await ServiceTeam.filter(name__in=names).order_by("id")]
    other = _someone(world)
    await ServiceTeamMember.bulk_create(
        [ServiceTeamMember(team_id=t, person_id=world.person.id) for t in ids]
        + ([ServiceTeamMember(team_id=t, person_id=other) for t in ids] if other != world.person.id else [])
    )
    return ids


async def _offers(world: World, owners: list[tuple[OfferKind, int]]) -> list[int]:
    """An active offer per (kind, owner id), each listing the world's skill."""
    titles = [world.name("焊接工艺攻关") for _ in owners]
    await Offer.bulk_create(
        [
            Offer(
                kind=kind,
                person_id=owner if kind == OfferKind.PERSON else None,
                organisation_id=owner if kind == OfferKind.STUDIO else None,
                team_id=owner if kind == OfferKind.TEAM else None,
                title=t,
                specialties=["焊接"],
                research_directions=["焊缝跟踪"],
                industry_chain="装备制造",
                region="杭州",
            )
            for (kind, owner), t in zip(owners, titles, strict=True)
        ]
    )
    ids = [o.id for o in await Offer.filter(title__in=titles).order_by("id")]
    await OfferSkill.bulk_create([OfferSkill(offer_id=o, skill_id=world.skill.id) for o in ids])
    return ids


async def _mixed_offers(world: World, count: int) -> list[int]:
    """Offers of a person, a studio and a service team in turn."""
    [team] = await _teams(world, 1)
    kinds = [
        (OfferKind.PERSON, world.person.id),
        (OfferKind.STUDIO, world.org.id),
        (OfferKind.TEAM, team),
    ]
    return await _offers(world, [kinds[i % 3] for i in range(count)])


async def _problems(world: World, org_ids: list[int]) -> list[int]:
    """A problem per organisation (visibility in turn; every other one in progress), each needing
    the world's skill, with a pending and an accepted bid, a milestone, a visit and an outcome."""
    titles = [world.name("焊缝气孔攻关") for _ in org_ids]
    await Problem.bulk_create(
        [
            Problem(
                organisation_id=o,
                posted_by_id=world.person.id,
                title=t,
                description="厚板焊接出现气孔",
                industry_chain="装备制造",
                region="杭州",
                reward=50_000,
                visibility=VISIBILITIES[i % 3],
                attachments=[{"title": "图纸", "url": "https://example.cn/a.pdf"}],
                status=ProblemStatus.IN_PROGRESS if i % 2 else ProblemStatus.OPEN,
                teams=1,
                opened_at=world.now,
                taken_at=world.now if i % 2 else None,
            )
            for i, (o, t) in enumerate(zip(org_ids, titles, strict=True))
        ]
    )
    ids = [p.id for p in await Problem.filter(title__in=titles).order_by("id")]
    await ProblemSkill.bulk_create([ProblemSkill(problem_id=p, skill_id=world.skill.id, min_level=3) for p in ids])
    accepted, pending = await _offers(world, [(OfferKind.PERSON, world.person.id), (OfferKind.STUDIO, world.org.id)])
    other = _someone(world)
    await Bid.bulk_create(
        [
            Bid(
                problem_id=p,
                offer_id=offer,
                organisation_id=None if offer == accepted else world.org.id,
                created_by_id=world.person.id,
                plan="先做工艺评定",
                member_ids=[world.person.id, other],
                status=BidStatus.ACCEPTED if offer == accepted else BidStatus.PENDING,
                decided_at=world.now if offer == accepted else None,
            )
            for p in ids
            for offer in (accepted, pending)
        ]
    )
    bids = {b.problem_id: b.id for b in await Bid.filter(problem_id__in=ids, offer_id=accepted)}
    await Milestone.bulk_create(
        [
            Milestone(
                problem_id=p, title="工艺评定", due=world.now.date(), status=MilestoneStatus.DONE, done_at=world.now
            )
            for p in ids
        ]
    )
    await ServiceVisit.bulk_create(
        [
            ServiceVisit(
                problem_id=p,
                bid_id=bids[p],
                organisation_id=world.org.id,
                logged_by_id=world.person.id,
                date=(world.now - timedelta(days=1)).date(),
                hours=3.0,
                people=4,
                workers_trained=12,
            )
            for p in ids
        ]
    )
    await Outcome.bulk_create(
        [Outcome(problem_id=p, bid_id=bids[p], summary="气孔率降至0.5%", submitted_at=world.now) for p in ids]
    )
    return ids


def guildhall_factories(factories: Factories) -> None:
    # The first rows the factories made (1 only while planning, before any row is made).
    factories.arguments(
        "Query.problemMatches", lambda world: {"problemId": to_global_id("Problem", world.made.get("Problem", [1])[0])}
    )
    factories.arguments(
        "Query.offerMatches", lambda world: {"offerId": to_global_id("Offer", world.made.get("Offer", [1])[0])}
    )
    factories.unsized(
        "ChallengeStats.chains",
        "a report's industry chains, a fixed number of statements whatever the number of problems: "
        "tests/plugins/challenges/test_stats.py",
    )

    @factories.factory("Problem")
    async def problems(world: World, count: int) -> list[int]:
        return await _problems(world, [world.org.id] * count)

    @factories.factory("Offer")
    async def offers(world: World, count: int) -> list[int]:
        return await _mixed_offers(world, count)

    @factories.factory("ServiceTeam")
    async def teams(world: World, count: int) -> list[int]:
        return await _teams(world, count)

    @factories.factory("Bid")
    async def bids(world: World, count: int) -> list[int]:
        ids = await _problems(world, [world.org.id] * count)
        return [b.id for b in await Bid.filter(problem_id__in=ids, status=BidStatus.ACCEPTED).order_by("id")]

    @factories.factory("ProblemMilestone")
    async def milestones(world: World, count: int) -> list[int]:
        ids = await _problems(world, [world.org.id] * count)
        return [m.id for m in await Milestone.filter(problem_id__in=ids).order_by("id")]

    @factories.factory("ServiceVisit")
    async def visits(world: World, count: int) -> list[int]:
        ids = await _problems(world, [world.org.id] * count)
        return [v.id for v in await ServiceVisit.filter(problem_id__in=ids).order_by("id")]

    @factories.factory("ProblemOutcome")
    async def outcomes(world: World, count: int) -> list[int]:
        ids = await _problems(world, [world.org.id] * count)
        return [o.id for o in await Outcome.filter(problem_id__in=ids).order_by("id")]

    @factories.extender("Organisation")
    async def organisation_problems(world: World, org_ids: list[int]) -> None:
        await _problems(world, org_ids)

    @factories.extender("Person")
    async def person_offers(world: World, person_ids: list[int]) -> None:
        await _offers(world, [(OfferKind.PERSON, p) for p in person_ids])
