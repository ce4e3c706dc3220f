"""Per-request DataLoaders of the challenges plugin, made through ``ctx.loaders``.

Each ``<rows>_by_<key>(ctx, key)`` answers one key and batches every key asked for in the same
tick into one query; they return model rows (or plain figures), never GraphQL types.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from strawberry.dataloader import DataLoader
from tortoise.functions import Count

from core.context import Context
from core.people.models import Person
from core.skills.models import Skill
from plugins.challenges.models import (
    Bid,
    BidStatus,
    Milestone,
    Offer,
    OfferSkill,
    Outcome,
    Problem,
    ProblemSkill,
    ProblemStatus,
    ServiceTeamMember,
    ServiceVisit,
)


async def skill_needs_by_problem(ctx: Context, problem_id: int) -> list[ProblemSkill]:
    """In the order they were given; the skills come joined and primed into the skill loader
    (``Loaders.children(related=…)``), so ``skills { skill { name } }`` costs nothing more."""
    return await ctx.loaders.children(ProblemSkill, "problem_id", related=("skill",)).load(problem_id)


async def bids_by_problem(ctx: Context, problem_id: int) -> list[Bid]:
    return await ctx.loaders.children(Bid, "problem_id").load(problem_id)


async def milestones_by_problem(ctx: Context, problem_id: int) -> list[Milestone]:
    return await ctx.loaders.children(Milestone, "problem_id").load(problem_id)


async def visits_by_problem(ctx: Context, problem_id: int) -> list[ServiceVisit]:
    return await ctx.loaders.children(ServiceVisit, "problem_id", order_by=("date", "id")).load(problem_id)


async def outcomes_by_problem(ctx: Context, problem_id: int) -> list[Outcome]:
    return await ctx.loaders.children(Outcome, "problem_id").load(problem_id)


async def offers_by_person(ctx: Context, person_id: int) -> list[Offer]:
    return await ctx.loaders.children(Offer, "person_id").load(person_id)


async def problems_by_organisation(ctx: Context, org_id: int) -> list[Problem]:
    return await ctx.loaders.children(Problem, "organisation_id", order_by=("-created_at", "-id")).load(org_id)


async def skills_by_offer(ctx: Context, offer_id: int) -> list[Skill]:
    links = await ctx.loaders.children(OfferSkill, "offer_id").load(offer_id)
    rows = await ctx.loaders.by_id(Skill).load_many([link.skill_id for link in links])
    return [row for row in rows if row is not None]


async def members_by_team(ctx: Context, team_id: int) -> list[Person]:
    links = await ctx.loaders.children(ServiceTeamMember, "team_id").load(team_id)
    rows = await ctx.loaders.by_id(Person).load_many([link.person_id for link in links])
    return [row for row in rows if row is not None]


async def people(ctx: Context, person_ids: list[int]) -> list[Person]:
    rows = await ctx.loaders.by_id(Person).load_many(person_ids)
    return [row for row in rows if row is not None]


async def load_by_offer(ctx: Context, offer_id: int) -> int:
    """Problems in progress the offer works on (its accepted bids)."""

    async def load(offer_ids: Sequence[int]) -> list[int]:
        counts = Counter(
            int(offer)
            for (offer,) in await Bid.filter(
                offer_id__in=list(set(offer_ids)), status=BidStatus.ACCEPTED, problem__status=ProblemStatus.IN_PROGRESS
            ).values_list("offer_id")
        )
        return [counts.get(o, 0) for o in offer_ids]

    loader = ctx.loaders.get("challenges.load_by_offer", lambda: DataLoader(load_fn=load))
    return await loader.load(offer_id)


async def bid_count_by_problem(ctx: Context, problem_id: int) -> int:
    """Bids still standing (pending or accepted), counted in SQL for every problem on the page."""

    async def load(problem_ids: Sequence[int]) -> list[int]:
        standing = [BidStatus.PENDING, BidStatus.ACCEPTED]
        rows = await (
            Bid.filter(problem_id__in=list(set(problem_ids)), status__in=standing)
            .annotate(standing=Count("id"))
            .group_by("problem_id")
            .values("problem_id", "standing")
        )
        counts = {row["problem_id"]: row["standing"] for row in rows}
        return [counts.get(pid, 0) for pid in problem_ids]

    loader = ctx.loaders.get("challenges.bid_count_by_problem", lambda: DataLoader(load_fn=load))
    return await loader.load(problem_id)
