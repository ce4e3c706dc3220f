"""GraphQL types of assessment, and the fields it adds to ``Person`` and ``Organisation``.

Relations go through the per-request loaders (``loaders.py``); who sees what is ``access.py``.
"""

# strawberry types its decorators with arguments as ``Any``; the resolvers themselves are typed.

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from core.context import Context, Info
from core.enums import OrganisationLevel
from core.nodes import ModelNode
from core.organisations.models import Organisation as OrganisationModel
from core.organisations.types import Organisation
from core.people.types import Person
from core.relay import Connection, paginate_list
from plugins.assessment import models
from plugins.assessment.access import can_see_assessment
from plugins.assessment.loaders import (
    achievements_by_organisation,
    achievements_by_person,
    assessments_by_organisation,
    awards_by_achievement,
    contributors_by_achievement,
    proposals_by_organisation,
)
from plugins.assessment.models import (
    AchievementKind,
    AchievementSource,
    AssessmentResult,
    AwardLevel,
    DelistingDecision,
    StatsGroupBy,
)
from plugins.assessment.stats import StatsReport, StatsRow

# The GraphQL enums are the model enums: strawberry.enum registers the GraphQL definition on the
# model enum class itself, so fields are annotated with the model enums.
strawberry.enum(
    AchievementKind,
    name="AchievementKind",
    description="Patents (with their number), new technique, new process, innovative operating "
    "method (创新操作法), paper, software, or a solved problem (技术攻关).",
)
strawberry.enum(AchievementSource, name="AchievementSource", description="Recorded by hand, or a solved challenge.")
strawberry.enum(AwardLevel, name="AwardLevel", description="Level of an award or competition.")
strawberry.enum(
    AssessmentResult,
    name="AssessmentResult",
    description="PASS; RISK_WARNING (风险提示) for a failing year; DELISTED (摘牌) for the second "
    "failing year in a row, see `decision`.",
)
strawberry.enum(
    DelistingDecision,
    name="DelistingDecision",
    description="A proposed delisting waits for the federation (PROPOSED), which confirms or overrides it.",
)
strawberry.enum(StatsGroupBy, name="StatsGroupBy", description="How a report groups studios.")


@strawberry.type(description="An award or competition result of an achievement.")
class AchievementAward:
    name: str
    level: AwardLevel
    rank: str = strawberry.field(description="e.g. 一等奖, 金奖.")
    year: int

    @classmethod
    def from_model(cls, row: models.AchievementAward) -> Self:
        return cls(name=row.name, level=row.level, rank=row.rank, year=row.year)


@strawberry.type(description="An achievement of a studio (成果), public in the achievements library.")
class Achievement(ModelNode):
    id: relay.NodeID[int]
    title: str
    kind: AchievementKind
    patent_number: str = strawberry.field(description="专利号; empty for kinds that are no patent.")
    description: str
    year: int
    industry_chain: str = strawberry.field(description="The industrial chain it serves (产业链).")
    direct_benefit: float = strawberry.field(description="Direct economic benefit, yuan.")
    indirect_benefit: float = strawberry.field(description="Indirect economic benefit, yuan.")
    promoted: bool = strawberry.field(description="Recommended to competitions by a federation (优先推荐).")
    promoted_at: datetime | None
    promotion_note: str
    source: AchievementSource
    created_at: datetime
    organisation_id: strawberry.Private[int]

    @classmethod
    def model(cls) -> type[models.Achievement]:
        return models.Achievement

    @classmethod
    def from_model(cls, row: models.Achievement) -> Self:
        return cls(
            id=row.id,
            title=row.title,
            kind=row.kind,
            patent_number=row.patent_number,
            description=row.description,
            year=row.year,
            industry_chain=row.industry_chain,
            direct_benefit=float(row.direct_benefit),
            indirect_benefit=float(row.indirect_benefit),
            promoted=row.promoted,
            promoted_at=row.promoted_at,
            promotion_note=row.promotion_note,
            source=row.source,
            created_at=row.created_at,
            organisation_id=row.organisation_id,
        )

    @strawberry.field(description="Direct and indirect benefit, yuan.")
    def economic_benefit(self) -> float:
        return self.direct_benefit + self.indirect_benefit

    @strawberry.field(description="The studio.")
    async def organisation(self, info: Info) -> Organisation:
        row = await info.context.loaders.by_id(OrganisationModel).load(self.organisation_id)
        assert row is not None  # the foreign key guarantees it
        return Organisation.from_model(row)

    @strawberry.field(description="The people behind it.")
    async def contributors(self, info: Info) -> list[Person]:
        return [Person.from_model(p) for p in await contributors_by_achievement(info.context, self.id)]

    @strawberry.field(description="Awards and competition results, newest first.")
    async def awards(self, info: Info) -> list[AchievementAward]:
        return [AchievementAward.from_model(row) for row in await awards_by_achievement(info.context, self.id)]


@strawberry.type(description="Rationalisation proposals (合理化建议) of a studio in one period.")
class ProposalTally:
    year: int
    quarter: int = strawberry.field(description="1-4, or 0 for the whole year.")
    received: int
    adopted: int

    @classmethod
    def from_model(cls, row: models.ProposalTally) -> Self:
        return cls(year=row.year, quarter=row.quarter, received=row.received, adopted=row.adopted)

    @strawberry.field(description="adopted / received (0 when none were received).")
    def adoption_rate(self) -> float:
        return self.adopted / self.received if self.received else 0.0


@strawberry.type(description="One figure of an assessment: its target (0: not assessed) and what was done.")
class AssessmentFigure:
    metric: str = strawberry.field(description="A `studio_metrics` name, e.g. problems_solved.")
    target: int
    actual: int
    met: bool


@strawberry.type(description="A studio's assessment for one year (年度考核), kept as history.")
class StudioAssessment(ModelNode):
    id: relay.NodeID[int]
    year: int
    level: OrganisationLevel = strawberry.field(description="The studio level whose targets applied.")
    result: AssessmentResult
    decision: DelistingDecision | None = strawberry.field(description="Only for DELISTED.")
    decision_reason: str
    decided_at: datetime | None
    evaluated_at: datetime
    shortfalls: list[str] = strawberry.field(description="Metrics that fell short of their target.")
    organisation_id: strawberry.Private[int]
    federation_id: strawberry.Private[int]
    targets: strawberry.Private[dict[str, int]]
    actuals: strawberry.Private[dict[str, int]]

    @classmethod
    def model(cls) -> type[models.StudioAssessment]:
        return models.StudioAssessment

    @classmethod
    async def can_see(cls, ctx: Context, row: models.StudioAssessment) -> bool:
        return await can_see_assessment(ctx, row)

    @classmethod
    def from_model(cls, row: models.StudioAssessment) -> Self:
        return cls(
            id=row.id,
            year=row.year,
            level=OrganisationLevel(row.level),
            result=row.result,
            decision=row.decision,
            decision_reason=row.decision_reason,
            decided_at=row.decided_at,
            evaluated_at=row.evaluated_at,
            shortfalls=list(row.shortfalls),
            organisation_id=row.organisation_id,
            federation_id=row.federation_id,
            targets=dict(row.targets),
            actuals=dict(row.actuals),
        )

    @strawberry.field(description="Every figure the studio was measured on, with its target.")
    def figures(self) -> list[AssessmentFigure]:
        return [
            AssessmentFigure(
                metric=name, target=self.targets.get(name, 0), actual=actual, met=actual >= self.targets.get(name, 0)
            )
            for name, actual in self.actuals.items()
        ]

    @strawberry.field(description="The studio.")
    async def organisation(self, info: Info) -> Organisation:
        row = await info.context.loaders.by_id(OrganisationModel).load(self.organisation_id)
        assert row is not None  # the foreign key guarantees it
        return Organisation.from_model(row)

    @strawberry.field(description="The federation that assessed it.")
    async def federation(self, info: Info) -> Organisation:
        row = await info.context.loaders.by_id(OrganisationModel).load(self.federation_id)
        assert row is not None  # the foreign key guarantees it
        return Organisation.from_model(row)


@strawberry.type(description="One line of a report: a group of studios (or the total) and its figures.")
class AssessmentStatsRow:
    key: str = strawberry.field(description="The region, industry chain or level (MUNICIPAL …); TOTAL for the total.")
    label: str = strawberry.field(description="The same in Chinese (市级, 合计 …).")
    studios: int
    municipal_studios: int
    district_studios: int
    enterprise_studios: int
    active_studios: int
    warned_studios: int = strawberry.field(description="On risk warning (风险提示).")
    delisted_studios: int
    members: int = strawberry.field(description="Distinct people in these studios.")
    honours: int = strawberry.field(description="Honours those people hold, awarded up to the year.")
    apprentices_graduated: int
    training_sessions: int
    training_attendances: int
    salons_held: int
    problems_solved: int
    achievements: int
    economic_benefit: float = strawberry.field(description="Yuan.")

    @classmethod
    def from_row(cls, row: StatsRow) -> Self:
        return cls(
            key=row.key,
            label=row.label,
            studios=row.studios,
            municipal_studios=row.municipal_studios,
            district_studios=row.district_studios,
            enterprise_studios=row.enterprise_studios,
            active_studios=row.active_studios,
            warned_studios=row.warned_studios,
            delisted_studios=row.delisted_studios,
            members=row.members,
            honours=row.honours,
            apprentices_graduated=row.apprentices_graduated,
            training_sessions=row.training_sessions,
            training_attendances=row.training_attendances,
            salons_held=row.salons_held,
            problems_solved=row.problems_solved,
            achievements=row.achievements,
            economic_benefit=float(row.economic_benefit),
        )


@strawberry.type(description="A federation's or alliance's figures for one year, grouped, with the total.")
class AssessmentStats:
    year: int
    group_by: StatsGroupBy
    totals: AssessmentStatsRow
    groups: list[AssessmentStatsRow]
    organisation_id: strawberry.Private[int]

    @classmethod
    def from_report(cls, found: StatsReport) -> Self:
        return cls(
            year=found.year,
            group_by=found.group_by,
            totals=AssessmentStatsRow.from_row(found.totals),
            groups=[AssessmentStatsRow.from_row(row) for row in found.groups],
            organisation_id=found.organisation.id,
        )

    @strawberry.field(description="The federation or alliance.")
    async def organisation(self, info: Info) -> Organisation:
        row = await info.context.loaders.by_id(OrganisationModel).load(self.organisation_id)
        assert row is not None
        return Organisation.from_model(row)


@strawberry.type
class PersonAssessmentFields:
    @strawberry.field(description="Achievements the person is behind, newest year first (public).")
    @staticmethod
    async def achievements(parent: strawberry.Parent[Person], info: Info) -> list[Achievement]:
        return [Achievement.from_model(row) for row in await achievements_by_person(info.context, parent.id)]


@strawberry.type
class OrganisationAssessmentFields:
    @strawberry.field(
        description="A studio's achievements, newest year first (public). Empty where assessment is switched off."
    )
    @staticmethod
    async def achievements(
        parent: strawberry.Parent[Organisation], info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Achievement]:
        rows = await achievements_by_organisation(info.context, parent.id)
        return paginate_list(rows, first, after, Achievement.from_model)

    @strawberry.field(description="Rationalisation proposals (合理化建议) per period, newest year first (public).")
    @staticmethod
    async def proposal_tallies(parent: strawberry.Parent[Organisation], info: Info) -> list[ProposalTally]:
        return [ProposalTally.from_model(row) for row in await proposals_by_organisation(info.context, parent.id)]

    @strawberry.field(
        description="The studio's yearly assessments, newest first: its leader and admins (admins "
        "of its federation among them); empty for others."
    )
    @staticmethod
    async def assessments(parent: strawberry.Parent[Organisation], info: Info) -> list[StudioAssessment]:
        rows = await assessments_by_organisation(info.context, parent.id)
        shown = await asyncio.gather(*(can_see_assessment(info.context, row) for row in rows))
        return [StudioAssessment.from_model(row) for row, ok in zip(rows, shown, strict=True) if ok]
