"""Mutations of assessment: ``nounVerb(input:) -> NounVerbPayload { <noun>, errors }``.

Each resolver decodes IDs, calls one ``*_as`` service and wraps the result; the host refuses
organisations without assessment (``PLUGIN_DISABLED``: the studio for achievements and proposals,
the federation for the assessment), turns a service's ``UserInputError`` into the payload's
``errors`` and clears the request's loaders afterwards.
"""

# strawberry types its decorators with arguments as ``Any``; the resolvers themselves are typed.

from __future__ import annotations

import strawberry

from core.context import Info
from core.mutations import Payload
from core.plugin_api import in_organisation, in_owner_of
from core.relay import decode_id
from plugins.assessment import assessment, services
from plugins.assessment.models import Achievement as AchievementModel
from plugins.assessment.models import AchievementKind, AwardLevel
from plugins.assessment.models import StudioAssessment as StudioAssessmentModel
from plugins.assessment.types import Achievement, AchievementAward, ProposalTally, StudioAssessment


@strawberry.input
class AchievementCreateInput:
    organisation_id: strawberry.ID = strawberry.field(description="The studio.")
    title: str
    kind: AchievementKind
    year: int
    patent_number: str | None = strawberry.field(default=None, description="Required for patents.")
    description: str | None = None
    industry_chain: str | None = strawberry.field(default=None, description="Default: the studio's industry.")
    direct_benefit: float = strawberry.field(default=0, description="Whole yuan.")
    indirect_benefit: float = strawberry.field(default=0, description="Whole yuan.")
    contributor_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="People behind it, members of the studio (at most 50)."
    )


@strawberry.type
class AchievementCreatePayload(Payload):
    achievement: Achievement | None = None


@strawberry.input
class AchievementAwardAddInput:
    achievement_id: strawberry.ID
    name: str = strawberry.field(description="e.g. 省职工创新创效竞赛.")
    level: AwardLevel
    year: int
    rank: str | None = strawberry.field(default=None, description="e.g. 一等奖.")


@strawberry.type
class AchievementAwardAddPayload(Payload):
    achievement: Achievement | None = None
    award: AchievementAward | None = None


@strawberry.input
class AchievementPromoteInput:
    id: strawberry.ID
    promoted: bool = strawberry.field(default=True, description="false withdraws the recommendation.")
    note: str | None = strawberry.field(default=None, description="e.g. the competition it is recommended to.")


@strawberry.type
class AchievementPromotePayload(Payload):
    achievement: Achievement | None = None


@strawberry.input
class ProposalTallySetInput:
    organisation_id: strawberry.ID = strawberry.field(description="The studio.")
    year: int
    quarter: int = strawberry.field(default=0, description="1-4, or 0 for the whole year.")
    received: int
    adopted: int


@strawberry.type
class ProposalTallySetPayload(Payload):
    tally: ProposalTally | None = None


@strawberry.input
class AssessmentRunInput:
    federation_id: strawberry.ID
    year: int


@strawberry.type
class AssessmentRunPayload(Payload):
    assessments: list[StudioAssessment] = strawberry.field(
        default_factory=list, description="The year's assessment of every studio assessed, by studio."
    )


@strawberry.input
class AssessmentDelistingConfirmInput:
    id: strawberry.ID = strawberry.field(description="The StudioAssessment proposing the delisting.")
    reason: str | None = None


@strawberry.type
class AssessmentDelistingConfirmPayload(Payload):
    assessment: StudioAssessment | None = None


@strawberry.input
class AssessmentDelistingOverrideInput:
    id: strawberry.ID = strawberry.field(description="The StudioAssessment proposing the delisting.")
    reason: str = strawberry.field(description="Why the studio keeps its plaque (required).")


@strawberry.type
class AssessmentDelistingOverridePayload(Payload):
    assessment: StudioAssessment | None = None


@strawberry.type
class AssessmentMutations:
    @strawberry.mutation(
        description="Record an achievement of a studio (admins of the studio).",
        metadata=in_organisation("input.organisation_id"),
    )
    async def achievement_create(self, info: Info, input: AchievementCreateInput) -> AchievementCreatePayload:
        org_id = decode_id(input.organisation_id, "Organisation", "organisationId")
        data = services.AchievementFields(
            title=input.title,
            kind=input.kind,
            year=input.year,
            patent_number=input.patent_number,
            description=input.description,
            industry_chain=input.industry_chain,
            direct_benefit=input.direct_benefit,
            indirect_benefit=input.indirect_benefit,
            contributor_ids=[decode_id(pid, "Person", "contributorIds") for pid in input.contributor_ids],
        )
        row = await services.create_achievement_as(info.context, org_id, data)
        return AchievementCreatePayload(achievement=Achievement.from_model(row))

    @strawberry.mutation(
        description="Add an award or competition result to an achievement (admins of the studio).",
        metadata=in_owner_of(AchievementModel, "Achievement", "input.achievement_id"),
    )
    async def achievement_award_add(self, info: Info, input: AchievementAwardAddInput) -> AchievementAwardAddPayload:
        pk = decode_id(input.achievement_id, "Achievement", "achievementId")
        award = await services.add_award_as(info.context, pk, input.name, input.level, input.rank, input.year)
        row = await services.require_achievement(pk)
        return AchievementAwardAddPayload(
            achievement=Achievement.from_model(row), award=AchievementAward.from_model(award)
        )

    @strawberry.mutation(
        description="Recommend an achievement to competitions, or withdraw it (admins of a "
        "federation above the studio).",
        metadata=in_owner_of(AchievementModel, "Achievement"),
    )
    async def achievement_promote(self, info: Info, input: AchievementPromoteInput) -> AchievementPromotePayload:
        pk = decode_id(input.id, "Achievement", "id")
        row = await services.set_promoted_as(info.context, pk, input.promoted, input.note)
        return AchievementPromotePayload(achievement=Achievement.from_model(row))

    @strawberry.mutation(
        description="Set a studio's rationalisation proposals received and adopted in a period "
        "(admins of the studio); replaces earlier counts of that period.",
        metadata=in_organisation("input.organisation_id"),
    )
    async def proposal_tally_set(self, info: Info, input: ProposalTallySetInput) -> ProposalTallySetPayload:
        org_id = decode_id(input.organisation_id, "Organisation", "organisationId")
        row = await services.set_proposals_as(
            info.context, org_id, input.year, input.quarter, input.received, input.adopted
        )
        return ProposalTallySetPayload(tally=ProposalTally.from_model(row))

    @strawberry.mutation(
        description="Assess every studio under the federation for a year (admins of the "
        "federation); running it again updates the year from new figures.",
        metadata=in_organisation("input.federation_id"),
    )
    async def assessment_run(self, info: Info, input: AssessmentRunInput) -> AssessmentRunPayload:
        pk = decode_id(input.federation_id, "Organisation", "federationId")
        rows = await assessment.run_as(info.context, pk, input.year)
        return AssessmentRunPayload(assessments=[StudioAssessment.from_model(row) for row in rows])

    @strawberry.mutation(
        description="Confirm a proposed delisting (摘牌): the studio becomes DELISTED (admins of the federation).",
        metadata=in_owner_of(StudioAssessmentModel, "StudioAssessment", organisation="federation_id"),
    )
    async def assessment_delisting_confirm(
        self, info: Info, input: AssessmentDelistingConfirmInput
    ) -> AssessmentDelistingConfirmPayload:
        pk = decode_id(input.id, "StudioAssessment", "id")
        row = await assessment.decide_as(info.context, pk, True, input.reason)
        return AssessmentDelistingConfirmPayload(assessment=StudioAssessment.from_model(row))

    @strawberry.mutation(
        description="Override a proposed delisting with a reason: the studio stays, on risk "
        "warning (admins of the federation).",
        metadata=in_owner_of(StudioAssessmentModel, "StudioAssessment", organisation="federation_id"),
    )
    async def assessment_delisting_override(
        self, info: Info, input: AssessmentDelistingOverrideInput
    ) -> AssessmentDelistingOverridePayload:
        pk = decode_id(input.id, "StudioAssessment", "id")
        row = await assessment.decide_as(info.context, pk, False, input.reason)
        return AssessmentDelistingOverridePayload(assessment=StudioAssessment.from_model(row))
