"""Per-request DataLoaders of the assessment plugin, made through ``ctx.loaders``.

Each ``<rows>_by_<key>(ctx, key)`` answers one key and batches every key asked for in the same
tick into one query; they return model rows, never GraphQL types.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from core.context import Context
from core.people.models import Person
from plugins.assessment.models import (
    Achievement,
    AchievementAward,
    AchievementContributor,
    ProposalTally,
    StudioAssessment,
)


async def achievements_by_organisation(ctx: Context, org_id: int) -> list[Achievement]:
    """Newest year first."""
    return await ctx.loaders.children(Achievement, "organisation_id", order_by=("-year", "-id")).load(org_id)


async def contributors_by_achievement(ctx: Context, achievement_id: int) -> list[Person]:
    links = await ctx.loaders.children(AchievementContributor, "achievement_id").load(achievement_id)
    people = await ctx.loaders.by_id(Person).load_many([link.person_id for link in links])
    return [p for p in people if p is not None]


async def awards_by_achievement(ctx: Context, achievement_id: int) -> list[AchievementAward]:
    loader = ctx.loaders.children(AchievementAward, "achievement_id", order_by=("-year", "id"))
    return await loader.load(achievement_id)


async def achievements_by_person(ctx: Context, person_id: int) -> list[Achievement]:
    """Achievements the person is behind, newest year first (two queries for every person asked)."""

    async def load(person_ids: Sequence[int]) -> list[list[Achievement]]:
        links = await AchievementContributor.filter(person_id__in=list(set(person_ids))).values_list(
            "person_id", "achievement_id"
        )
        rows = {row.id: row for row in await Achievement.filter(id__in=list({a for _, a in links}))}
        groups: dict[int, list[Achievement]] = defaultdict(list)
        for pid, achievement_id in links:
            groups[pid].append(rows[achievement_id])
        for found in groups.values():
            found.sort(key=lambda a: (a.year, a.id), reverse=True)
        return [groups.get(pid, []) for pid in person_ids]

    loader = ctx.loaders.get("assessment.achievements_by_person", lambda: DataLoader(load_fn=load))
    return await loader.load(person_id)


async def proposals_by_organisation(ctx: Context, org_id: int) -> list[ProposalTally]:
    """Newest year first; a year's quarters in order, the whole-year line (quarter 0) first."""
    loader = ctx.loaders.children(ProposalTally, "organisation_id", order_by=("-year", "quarter"))
    return await loader.load(org_id)


async def assessments_by_organisation(ctx: Context, org_id: int) -> list[StudioAssessment]:
    """Newest year first."""
    return await ctx.loaders.children(StudioAssessment, "organisation_id", order_by=("-year",)).load(org_id)
