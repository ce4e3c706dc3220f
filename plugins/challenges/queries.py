"""Root query fields of the challenges plugin. A ``UserInputError`` from a service or a check
here becomes a top-level error with the same code and field (the host's ``QueryErrors`` guard)."""

# strawberry types its decorators with arguments as ``Any``; the resolvers themselves are typed.

from __future__ import annotations

import strawberry

from core import lookups
from core.context import Info
from core.relay import Connection, decode_id, decode_optional_id, paginate_queryset
from plugins.challenges import access, matching, stats
from plugins.challenges.models import Offer as OfferModel
from plugins.challenges.models import OfferKind, ProblemStatus, Visibility
from plugins.challenges.models import Problem as ProblemModel
from plugins.challenges.models import ServiceTeam as TeamModel
from plugins.challenges.types import (
    ChallengeStats,
    Offer,
    OfferProblemMatch,
    Problem,
    ProblemCandidateMatch,
    ServiceTeam,
    check_year,
)


@strawberry.type
class ChallengesQueries:
    @strawberry.field(
        description="The demand list: problems the viewer may see (anonymous callers: PUBLIC ones), "
        "newest first, by status, industry chain, posting organisation or visibility."
    )
    async def problems(
        self,
        info: Info,
        status: ProblemStatus | None = None,
        industry_chain: str | None = None,
        organisation_id: strawberry.ID | None = None,
        visibility: Visibility | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Problem]:
        queryset = ProblemModel.filter(await access.visible_problems(info.context))
        if status is not None:
            queryset = queryset.filter(status=status)
        if industry_chain is not None:
            queryset = queryset.filter(industry_chain=industry_chain)
        org_id = decode_optional_id(organisation_id, "Organisation", "organisationId")
        if org_id is not None:
            queryset = queryset.filter(organisation_id=org_id)
        if visibility is not None:
            queryset = queryset.filter(visibility=visibility)
        return await paginate_queryset(queryset.order_by("-created_at", "-id"), first, after, Problem.from_model)

    @strawberry.field(
        description="People, studios and service teams ranked for a problem (score 0–100, reasons in "
        "Chinese); for signed-in viewers who may see the problem."
    )
    async def problem_matches(
        self, info: Info, problem_id: strawberry.ID, first: int = 10
    ) -> list[ProblemCandidateMatch]:
        pk = decode_id(problem_id, "Problem", "problemId")
        return [ProblemCandidateMatch.from_match(m) for m in await matching.problem_matches_as(info.context, pk, first)]

    @strawberry.field(description="Open problems ranked for an offer, among those the viewer may see.")
    async def offer_matches(self, info: Info, offer_id: strawberry.ID, first: int = 10) -> list[OfferProblemMatch]:
        pk = decode_id(offer_id, "Offer", "offerId")
        return [OfferProblemMatch.from_match(m) for m in await matching.offer_matches_as(info.context, pk, first)]

    @strawberry.field(description="The resource and research lists: active offers, newest first.")
    async def offers(
        self,
        info: Info,
        kind: OfferKind | None = None,
        industry_chain: str | None = None,
        region: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Offer]:
        queryset = OfferModel.filter(active=True)
        if kind is not None:
            queryset = queryset.filter(kind=kind)
        if industry_chain is not None:
            queryset = queryset.filter(industry_chain=industry_chain)
        if region is not None:
            queryset = queryset.filter(region=region)
        return await paginate_queryset(queryset.order_by("-created_at", "-id"), first, after, Offer.from_model)

    @strawberry.field(description="Service teams (劳模工匠服务队), by organisation or industry chain.")
    async def service_teams(
        self,
        info: Info,
        organisation_id: strawberry.ID | None = None,
        industry_chain: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ServiceTeam]:
        queryset = TeamModel.all()
        org_id = decode_optional_id(organisation_id, "Organisation", "organisationId")
        if org_id is not None:
            queryset = queryset.filter(organisation_id=org_id)
        if industry_chain is not None:
            queryset = queryset.filter(industry_chain=industry_chain)
        return await paginate_queryset(queryset.order_by("id"), first, after, ServiceTeam.from_model)

    @strawberry.field(
        description="Problems posted, taken and solved, service visits (场次), workers trained (人次) and "
        "economic benefit of an organisation and everything under it in a year, also per industry chain."
    )
    async def challenge_stats(self, info: Info, organisation_id: strawberry.ID, year: int) -> ChallengeStats:
        org_id = decode_id(organisation_id, "Organisation", "organisationId")
        check_year(year)
        await lookups.require_organisation(org_id)
        return ChallengeStats.from_year(year, await stats.challenge_stats(org_id, year))
