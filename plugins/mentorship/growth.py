"""Mentorship's part of a person's growth record: apprenticeships started and graduations,
for the apprentice and for the mentor (``growth_items`` hook). Two statements."""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import Q

from core.plugin_api import GrowthItem
from core.relay import to_global_id
from plugins.mentorship.models import Mentorship, MentorshipStatus

_FIELDS = ("id", "mentor_id", "apprentice_id", "skill__name", "mentor__name", "apprentice__name")


async def growth_items(person_id: int, before: datetime | None, limit: int) -> list[GrowthItem]:
    mine = Q(mentor_id=person_id) | Q(apprentice_id=person_id)
    started = Mentorship.filter(mine, started_at__isnull=False)
    graduated = Mentorship.filter(mine, status=MentorshipStatus.COMPLETED, ended_at__isnull=False)
    if before is not None:
        started = started.filter(started_at__lte=before)
        graduated = graduated.filter(ended_at__lte=before)
    found: list[tuple[datetime, int, GrowthItem]] = []
    for row in await started.order_by("-started_at", "-id").limit(limit).values("started_at", *_FIELDS):
        if row["apprentice_id"] == person_id:
            title = f"拜{row['mentor__name']}为师，学习{row['skill__name']}"
        else:
            title = f"收{row['apprentice__name']}为徒，传授{row['skill__name']}"
        item = GrowthItem(
            at=row["started_at"], kind="mentorship.started", title=title, subject=to_global_id("Mentorship", row["id"])
        )
        found.append((row["started_at"], row["id"], item))
    for row in await graduated.order_by("-ended_at", "-id").limit(limit).values("ended_at", *_FIELDS):
        if row["apprentice_id"] == person_id:
            title = f"{row['skill__name']}出师（师傅{row['mentor__name']}）"
        else:
            title = f"徒弟{row['apprentice__name']}{row['skill__name']}出师"
        item = GrowthItem(
            at=row["ended_at"], kind="mentorship.graduated", title=title, subject=to_global_id("Mentorship", row["id"])
        )
        # A graduation sorts before the start of the same agreement at the same instant.
        found.append((row["ended_at"], row["id"] + 2**31, item))
    found.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return [item for _, _, item in found[:limit]]
