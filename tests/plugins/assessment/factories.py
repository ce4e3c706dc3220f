"""Test-data factories of the assessment plugin (``host.testing.factories``): achievements with
contributors and awards, yearly studio assessments, and the achievements, proposal tallies and
assessments every ``Organisation`` and the achievements every ``Person`` gets."""

from __future__ import annotations

from core.organisations.models import Organisation, OrganisationKind, OrganisationLevel, StudioStatus
from core.relay import to_global_id
from host.testing.factories import Factories, World
from plugins.assessment.models import (
    Achievement,
    AchievementAward,
    AchievementContributor,
    AchievementKind,
    AssessmentResult,
    AwardLevel,
    DelistingDecision,
    ProposalTally,
    StudioAssessment,
)


async def _achievements(world: World, org_ids: list[int], contributors: list[int] | None = None) -> list[int]:
    """An invention patent per organisation, by the world's person (and the matching contributor,
    if given), with two awards."""
    titles = [world.name("一种焊缝自动跟踪装置") for _ in org_ids]
    await Achievement.bulk_create(
        [
            Achievement(
                organisation_id=o,
                title=t,
                kind=AchievementKind.INVENTION_PATENT,
                patent_number="ZL202310123456.7",
                year=world.now.year,
                industry_chain="装备制造",
                direct_benefit=120_000,
                indirect_benefit=30_000,
            )
            for o, t in zip(org_ids, titles, strict=True)
        ]
    )
    ids = [a.id for a in await Achievement.filter(title__in=titles).order_by("id")]
    links = [AchievementContributor(achievement_id=a, person_id=world.person.id) for a in ids]
    if contributors is not None:
        links += [AchievementContributor(achievement_id=a, person_id=p) for a, p in zip(ids, contributors, strict=True)]
    await AchievementContributor.bulk_create(links)
    await AchievementAward.bulk_create(
        [
            AchievementAward(achievement_id=a, name=name, level=level, rank="一等奖", year=world.now.year)
            for a in ids
            for name, level in (
                ("省职工创新创效竞赛", AwardLevel.PROVINCIAL),
                ("市职工技术创新成果", AwardLevel.MUNICIPAL),
            )
        ]
    )
    return ids


async def _assessments(world: World, org_ids: list[int]) -> list[int]:
    """This year's assessment of each studio by the world's union: one passed, the next delisted."""
    await StudioAssessment.bulk_create(
        [
            StudioAssessment(
                organisation_id=o,
                federation_id=world.union.id,
                year=world.now.year,
                level=OrganisationLevel.MUNICIPAL.value,
                targets={"achievements": 2, "problems_solved": 1},
                actuals={"achievements": 1 + i % 2, "problems_solved": 1},
                shortfalls=[] if i % 2 else ["achievements"],
                result=AssessmentResult.PASS if i % 2 else AssessmentResult.DELISTED,
                decision=None if i % 2 else DelistingDecision.PROPOSED,
                evaluated_at=world.now,
            )
            for i, o in enumerate(org_ids)
        ]
    )
    return [a.id for a in await StudioAssessment.filter(organisation_id__in=org_ids).order_by("id")]


async def _studios(world: World, count: int) -> list[int]:
    """Bare studios under the world's studio (so its admin manages them), with every plugin on."""
    names = [world.name("考核工作室") for _ in range(count)]
    await Organisation.bulk_create(
        [
            Organisation(
                name=n,
                kind=OrganisationKind.STUDIO,
                parent_id=world.org.id,
                status=StudioStatus.ACTIVE,
                level=OrganisationLevel.MUNICIPAL,
                leader_id=world.person.id,
            )
            for n in names
        ]
    )
    ids = [o.id for o in await Organisation.filter(name__in=names).order_by("id")]
    await world.enable_plugins(ids)
    return ids


def guildhall_factories(factories: Factories) -> None:
    factories.unsized(
        "AssessmentStats.groups",
        "a report's groups (regions, chains or levels), a fixed number of statements whatever the number of "
        "studios: tests/plugins/assessment/test_stats.py::test_a_report_costs_the_same_whatever_the_number_of_studios",
    )
    factories.arguments(
        "Query.studioAssessments",
        lambda world: {"federationId": to_global_id("Organisation", world.union.id), "year": world.now.year},
    )

    @factories.factory("Achievement")
    async def achievements(world: World, count: int) -> list[int]:
        return await _achievements(world, [world.org.id] * count, await world.make("Person", count))

    @factories.factory("StudioAssessment")
    async def assessments(world: World, count: int) -> list[int]:
        return await _assessments(world, await _studios(world, count))

    @factories.extender("Organisation")
    async def organisation_records(world: World, org_ids: list[int]) -> None:
        await _achievements(world, org_ids)
        await _assessments(world, org_ids)
        await ProposalTally.bulk_create(
            [
                ProposalTally(organisation_id=o, year=world.now.year, quarter=q, received=10, adopted=q + 3)
                for o in org_ids
                for q in (0, 1, 2)
            ]
        )

    @factories.extender("Person")
    async def person_achievements(world: World, person_ids: list[int]) -> None:
        await _achievements(world, [world.org.id] * len(person_ids), person_ids)
