"""Per-request DataLoaders of the plugin, kept on ``info.context.loaders`` (never module level)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from strawberry.dataloader import DataLoader
from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from core.context import Context
from core.loaders import Loaders
from core.permissions import can_manage_org
from plugins.mentorship.models import (
    MentoringSession,
    Mentorship,
    MentorshipRole,
    MentorshipStatus,
    Milestone,
)


Statuses = tuple[MentorshipStatus, ...]


def mentorships_by_person(
    loaders: Loaders, role: MentorshipRole | None, statuses: Statuses
) -> DataLoader[int, list[Mentorship]]:
    """``MentorshipsByPersonLoader``: a person's agreements in one role (or both), newest first."""

    async def load(person_ids: Sequence[int]) -> list[list[Mentorship]]:
        ids = list(set(person_ids))
        if role is MentorshipRole.MENTOR:
            condition = Q(mentor_id__in=ids)
        elif role is MentorshipRole.APPRENTICE:
            condition = Q(apprentice_id__in=ids)
        else:
            condition = Q(mentor_id__in=ids) | Q(apprentice_id__in=ids)
        queryset = Mentorship.filter(condition)
        if statuses:
            queryset = queryset.filter(status__in=list(statuses))
        groups: dict[int, list[Mentorship]] = defaultdict(list)
        for row in await queryset.order_by("-id"):
            if role is not MentorshipRole.APPRENTICE:
                groups[row.mentor_id].append(row)
            if role is not MentorshipRole.MENTOR:
                groups[row.apprentice_id].append(row)
        return [groups.get(i, []) for i in person_ids]

    return loaders.get(("mentorship.by_person", role, statuses), lambda: DataLoader(load_fn=load))


def mentorships_by_organisation(loaders: Loaders, statuses: Statuses) -> DataLoader[int, list[Mentorship]]:
    filters = {"status__in": statuses} if statuses else {}
    return loaders.children(Mentorship, "organisation_id", order_by=("-id",), **filters)


def milestones_by_mentorship(loaders: Loaders) -> DataLoader[int, list[Milestone]]:
    return loaders.children(Milestone, "mentorship_id", order_by=("id",))


def sessions_by_mentorship(loaders: Loaders) -> DataLoader[int, list[MentoringSession]]:
    return loaders.children(MentoringSession, "mentorship_id", order_by=("-date", "-id"))


@dataclass(frozen=True)
class MentorStats:
    active_apprentices: int = 0
    completed: int = 0
    average_score: float | None = None


def mentor_stats(loaders: Loaders) -> DataLoader[int, MentorStats]:
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
        for mentor_id, status, n, scored, total in rows:
            counts[mentor_id][MentorshipStatus(status).value] = (n, scored, total)
        stats = {}
        for mentor_id, by_status in counts.items():
            active = by_status.get("ACTIVE", (0, 0, None))[0]
            completed, scored, total = by_status.get("COMPLETED", (0, 0, None))
            average = round(int(total) / scored, 1) if scored and total is not None else None
            stats[mentor_id] = MentorStats(active, completed, average)
        return [stats.get(i, MentorStats()) for i in mentor_ids]

    return loaders.get("mentorship.stats", lambda: DataLoader(load_fn=load))


def may_manage(ctx: Context) -> DataLoader[int, bool]:
    """``CanManageByOrganisationLoader``: is the viewer an admin of each organisation?"""

    async def load(org_ids: Sequence[int]) -> list[bool]:
        answers = {org_id: await can_manage_org(ctx, org_id) for org_id in set(org_ids)}
        return [answers[org_id] for org_id in org_ids]

    return ctx.loaders.get("mentorship.may_manage", lambda: DataLoader(load_fn=load))
