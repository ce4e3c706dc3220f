"""Test-data factories of the mentorship plugin (``host.testing.factories``): agreements with a
milestone and a session-log entry, and the agreements every ``Organisation`` and ``Person`` gets."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from core.relay import to_global_id
from host.testing.factories import Factories, World
from plugins.mentorship.models import MentoringSession, Mentorship, MentorshipStatus, Milestone


async def _agreements(world: World, pairs: list[tuple[int, int]], org_ids: list[int]) -> list[int]:
    """An ACTIVE agreement per (mentor, apprentice) pair, held in the matching organisation."""
    started = world.now - timedelta(days=30)
    goals = [world.name("掌握焊接工艺") for _ in pairs]
    await Mentorship.bulk_create(
        [
            Mentorship(
                mentor_id=m,
                apprentice_id=a,
                organisation_id=o,
                skill_id=world.skill.id,
                goals=g,
                planned_start=started.date(),
                status=MentorshipStatus.ACTIVE,
                mentor_signed_at=started,
                apprentice_signed_at=started,
                started_at=started,
                created_by_id=m,
            )
            for (m, a), o, g in zip(pairs, org_ids, goals, strict=True)
        ]
    )
    ids = [row.id for row in await Mentorship.filter(goals__in=goals).order_by("id")]
    await Milestone.bulk_create(
        [
            Milestone(mentorship_id=i, title="独立完成焊缝", created_by_id=m, done_at=world.now)
            for i, (m, _) in zip(ids, pairs, strict=True)
        ]
    )
    await MentoringSession.bulk_create(
        [
            MentoringSession(
                mentorship_id=i, date=world.now.date(), hours=Decimal("2.5"), topic="坡口处理", logged_by_id=m
            )
            for i, (m, _) in zip(ids, pairs, strict=True)
        ]
    )
    return ids


def _ring(ids: list[int]) -> list[tuple[int, int]]:
    """Each person mentors the next one."""
    return [(ids[i], ids[(i + 1) % len(ids)]) for i in range(len(ids))]


def guildhall_factories(factories: Factories) -> None:
    factories.arguments(
        "Query.mentorSuggestions",
        lambda world: {
            "apprenticeId": to_global_id("Person", world.made.get("Person", [world.person.id])[-1]),
            "skillId": to_global_id("Skill", world.skill.id),
        },
    )

    @factories.factory("Mentorship")
    async def mentorships(world: World, count: int) -> list[int]:
        people = await world.make("Person", count)
        return await _agreements(world, _ring(people), [world.org.id] * count)

    @factories.factory("MentorshipMilestone")
    async def milestones(world: World, count: int) -> list[int]:
        people = await world.make("Person", count)
        agreements = await _agreements(world, _ring(people), [world.org.id] * count)
        return [row.id for row in await Milestone.filter(mentorship_id__in=agreements).order_by("id")]

    @factories.extender("Organisation")
    async def organisation_agreements(world: World, org_ids: list[int]) -> None:
        people = (
            world.made["Person"][-len(org_ids) :]
            if len(world.made.get("Person", [])) >= len(org_ids)
            else (await world.make("Person", len(org_ids)))
        )
        await _agreements(world, _ring(people), org_ids)

    @factories.extender("Person")
    async def person_agreements(world: World, person_ids: list[int]) -> None:
        await _agreements(world, _ring(person_ids), [world.org.id] * len(person_ids))
