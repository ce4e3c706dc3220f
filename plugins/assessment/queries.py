"""Root query fields of assessment. A ``UserInputError`` from a service or a check here becomes a
top-level error with the same code and field (the host's ``QueryErrors`` guard)."""

# strawberry types its decorators with arguments as ``Any``; the resolvers themselves are typed.

from __future__ import annotations

from typing import cast

import strawberry
from tortoise.expressions import Q

from core.context import Info
from core.organisations.models import AllianceMembership
from core.relay import Connection, decode_query_id, paginate_queryset
from core.validation import Checks
from plugins.assessment import stats
from plugins.assessment.access import require_manage
from plugins.assessment.models import Achievement as AchievementModel
from plugins.assessment.models import AchievementKind, AssessmentResult, StatsGroupBy
from plugins.assessment.models import StudioAssessment as StudioAssessmentModel
from plugins.assessment.types import Achievement, AssessmentStats, StudioAssessment

SEARCH_MAX = 100
FILTER_MAX = 100


@strawberry.input(description="Filters of the achievements library (成果超市); all optional, combined with AND.")
class AchievementFilter:
    kind: AchievementKind | None = None
    industry_chain: str | None = strawberry.field(default=None, description="Exact industrial chain (产业链).")
    region: str | None = strawberry.field(default=None, description="The studio's region contains this.")
    year: int | None = None
    alliance_id: strawberry.ID | None = strawberry.field(
        default=None, description="Studios among the alliance's members or below them."
    )
    organisation_id: strawberry.ID | None = strawberry.field(
        default=None, description="The studio, or every studio below this organisation."
    )
    promoted: bool | None = strawberry.field(default=None, description="Only those recommended to competitions.")
    search: str | None = strawberry.field(default=None, description="In titles and descriptions.")


async def _achievement_query(filter: AchievementFilter | None) -> Q:
    if filter is None:
        return Q()
    checks = Checks()
    chain = checks.text(filter.industry_chain, "industryChain", FILTER_MAX, required=False)
    region = checks.text(filter.region, "region", FILTER_MAX, required=False)
    search = checks.text(filter.search, "search", SEARCH_MAX, required=False)
    checks.raise_if_any()
    query = Q()
    if filter.kind is not None:
        query &= Q(kind=filter.kind)
    if chain:
        query &= Q(industry_chain=chain)
    if region:
        query &= Q(organisation__region__icontains=region)
    if filter.year is not None:
        query &= Q(year=filter.year)
    if filter.promoted is not None:
        query &= Q(promoted=filter.promoted)
    if search:
        query &= Q(title__icontains=search) | Q(description__icontains=search)
    if filter.organisation_id is not None:
        root = decode_query_id(filter.organisation_id, "Organisation", "organisationId")
        query &= Q(organisation_id__in=list(await stats.subtree_ids([root])))
    if filter.alliance_id is not None:
        alliance = decode_query_id(filter.alliance_id, "Organisation", "allianceId")
        members = await AllianceMembership.filter(alliance_id=alliance).values_list("organisation_id", flat=True)
        query &= Q(organisation_id__in=list(await stats.subtree_ids(cast("list[int]", members))) or [0])
    return query


@strawberry.type
class AssessmentQueries:
    @strawberry.field(
        description="The achievements library (成果超市): every studio's achievements, promoted ones "
        "first, then newest year first. Public."
    )
    async def achievements(
        self, info: Info, filter: AchievementFilter | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[Achievement]:
        queryset = AchievementModel.filter(await _achievement_query(filter)).order_by("-promoted", "-year", "-id")
        return await paginate_queryset(queryset, first, after, Achievement.from_model)

    @strawberry.field(
        description="Assessments of the studios under a federation, by studio (admins of the federation)."
    )
    async def studio_assessments(
        self,
        info: Info,
        federation_id: strawberry.ID,
        year: int,
        result: AssessmentResult | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[StudioAssessment]:
        pk = decode_query_id(federation_id, "Organisation", "federationId")
        await require_manage(info.context, pk, "federationId", "this federation")
        queryset = StudioAssessmentModel.filter(federation_id=pk, year=year)
        if result is not None:
            queryset = queryset.filter(result=result)
        return await paginate_queryset(queryset.order_by("organisation_id"), first, after, StudioAssessment.from_model)

    @strawberry.field(
        description="A federation's figures for a year over every studio in its subtree, grouped "
        "(admins of the federation). Also as a file: GET /assessment/stats.xlsx or .csv."
    )
    async def federation_stats(
        self, info: Info, federation_id: strawberry.ID, year: int, group_by: StatsGroupBy = StatsGroupBy.REGION
    ) -> AssessmentStats:
        pk = decode_query_id(federation_id, "Organisation", "federationId")
        return AssessmentStats.from_report(await stats.federation_report_as(info.context, pk, year, group_by))

    @strawberry.field(
        description="An alliance's figures for a year over the studios among or below its members, "
        "grouped (admins of the alliance)."
    )
    async def alliance_stats(
        self, info: Info, alliance_id: strawberry.ID, year: int, group_by: StatsGroupBy = StatsGroupBy.REGION
    ) -> AssessmentStats:
        pk = decode_query_id(alliance_id, "Organisation", "allianceId")
        return AssessmentStats.from_report(await stats.alliance_report_as(info.context, pk, year, group_by))
