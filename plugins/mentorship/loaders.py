"""Per-request DataLoaders of the plugin, kept on ``ctx.loaders`` (never module level).

Each function loads one key through a loader that batches every key asked for in the same
tick, and returns model rows (or ``MentorStats``, plain figures).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from strawberry.dataloader import DataLoader
from tortoise.expressions import Q
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet

from core import prepared
from core.context import Context
from core.people.models import Person
from core.skills.models import Skill
from plugins.mentorship.models import (
    MentoringSession,
    Mentorship,
    MentorshipRole,
    MentorshipStatus,
    Milestone,
)

Statuses = tuple[MentorshipStatus, ...]


def statuses(chosen: Sequence[MentorshipStatus] | None) -> Statuses:
    """A loader key for a status filter: sorted, without repeats; empty means any status."""
    return tuple(sorted(set(chosen or ()), key=lambda s: s.value))


async def mentorships_by_person(
    ctx: Context, person_id: int, role: MentorshipRole | None, status: Statuses
) -> list[Mentorship]:
    """``MentorshipsByPersonLoader``: a person's agreements in one role (or both), newest first.
    Their skills and both parties are read in the same statement and, with the agreements
    themselves, handed to the id loaders, so ``mentorship { skill mentor apprentice }`` (and a
    notification about one) costs nothing more."""
    skills = ctx.loaders.by_id(Skill)
    people = ctx.loaders.by_id(Person)
    by_id = ctx.loaders.by_id(Mentorship)

    def of_people(ids: list[int]) -> QuerySet[Mentorship]:
        if role is MentorshipRole.MENTOR:
            condition = Q(mentor_id__in=ids)
        elif role is MentorshipRole.APPRENTICE:
            condition = Q(apprentice_id__in=ids)
        else:
            condition = Q(mentor_id__in=ids) | Q(apprentice_id__in=ids)
        queryset = Mentorship.filter(condition).select_related("skill", "mentor", "apprentice")
        return (queryset.filter(status__in=list(status)) if status else queryset).order_by("-id")

    async def load(person_ids: Sequence[int]) -> list[list[Mentorship]]:
        key, uses = ("mentorship.by_person", role, status), 2 if role is None else 1
        groups: dict[int, list[Mentorship]] = defaultdict(list)
        for row in await prepared.select(key, Mentorship, person_ids, of_people, uses):
            skills.prime(row.skill_id, row.skill)
            people.prime(row.mentor_id, row.mentor)
            people.prime(row.apprentice_id, row.apprentice)
            by_id.prime(row.id, row)
            if role is not MentorshipRole.APPRENTICE:
                groups[row.mentor_id].append(row)
            if role is not MentorshipRole.MENTOR:
                groups[row.apprentice_id].append(row)
        return [groups.get(i, []) for i in person_ids]

    loader = ctx.loaders.get(("mentorship.by_person", role, status), lambda: DataLoader(load_fn=load))
    return await loader.load(person_id)


async def mentorships_by_organisation(ctx: Context, org_id: int, status: Statuses) -> list[Mentorship]:
    filters = {"status__in": status} if status else {}
    return await ctx.loaders.children(Mentorship, "organisation_id", order_by=("-id",), **filters).load(org_id)


async def milestones_by_mentorship(ctx: Context, mentorship_id: int) -> list[Milestone]:
    """In the order they were added."""
    return await ctx.loaders.children(Milestone, "mentorship_id", order_by=("id",)).load(mentorship_id)


async def sessions_by_mentorship(ctx: Context, mentorship_id: int) -> list[MentoringSession]:
    """Newest first."""
    loader = ctx.loaders.children(MentoringSession, "mentorship_id", order_by=("-date", "-id"))
    return await loader.load(mentorship_id)


@dataclass(frozen=True)
class MentorStats:
    active_apprentices: int = 0
    completed: int = 0
    average_score: float | None = None


async def mentor_stats_by_mentor(ctx: Context, mentor_id: int) -> MentorStats:
    """``MentorStatsByMentorLoader``: one grouped count for every mentor on the page."""

    async def load(mentor_ids: Sequence[int]) -> list[MentorStats]:
        rows = (
            await Mentorship.filter(
                mentor_id__in=list(set(mentor_ids)),
                status__in=[MentorshipStatus.ACTIVE, MentorshipStatus.COMPLETED],
            )
            .annotate(n=Count("id"), scored=Count("score"), total=Sum("score"))
            .group_by("mentor_id", "status")
            .values_list("mentor_id", "status", "n", "scored", "total")
        )
        # Sum and count, not AVG: Tortoise casts an average back to the (integer) field type.
        counts: dict[int, dict[str, tuple[int, int, int | None]]] = defaultdict(dict)
        for row_mentor, status, n, scored, total in rows:
            counts[row_mentor][MentorshipStatus(status).value] = (n, scored, total)
        stats = {}
        for row_mentor, by_status in counts.items():
            active = by_status.get("ACTIVE", (0, 0, None))[0]
            completed, scored, total = by_status.get("COMPLETED", (0, 0, None))
            average = round(int(total) / scored, 1) if scored and total is not None else None
            stats[row_mentor] = MentorStats(active, completed, average)
        return [stats.get(i, MentorStats()) for i in mentor_ids]

    loader = ctx.loaders.get("mentorship.stats", lambda: DataLoader(load_fn=load))
    return await loader.load(mentor_id)
