"""Achievements and their people and awards, proposal tallies, and yearly studio assessments."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # only for annotations: importing them here would make Tortoise list them in this app
    from core.auth.models import Account
    from core.organisations.models import Organisation
    from core.people.models import Person


class AchievementKind(str, Enum):
    INVENTION_PATENT = "INVENTION_PATENT"  # 发明专利
    UTILITY_MODEL_PATENT = "UTILITY_MODEL_PATENT"  # 实用新型专利
    DESIGN_PATENT = "DESIGN_PATENT"  # 外观设计专利
    NEW_TECHNIQUE = "NEW_TECHNIQUE"  # 新技术
    NEW_PROCESS = "NEW_PROCESS"  # 新工艺
    OPERATING_METHOD = "OPERATING_METHOD"  # 创新操作法
    PAPER = "PAPER"  # 论文
    SOFTWARE = "SOFTWARE"  # 软件著作
    SOLVED_PROBLEM = "SOLVED_PROBLEM"  # 技术攻关 (a solved challenge)


PATENT_KINDS = frozenset(
    {AchievementKind.INVENTION_PATENT, AchievementKind.UTILITY_MODEL_PATENT, AchievementKind.DESIGN_PATENT}
)
# Counted as innovation projects (创新项目) in the assessment: everything but papers.
INNOVATION_KINDS = frozenset(AchievementKind) - {AchievementKind.PAPER}


class AchievementSource(str, Enum):
    MANUAL = "MANUAL"  # recorded by an admin
    CHALLENGE = "CHALLENGE"  # a solved challenge (event ``challenges.problem_solved``)


class AwardLevel(str, Enum):
    NATIONAL = "NATIONAL"
    PROVINCIAL = "PROVINCIAL"
    MUNICIPAL = "MUNICIPAL"
    DISTRICT = "DISTRICT"
    ENTERPRISE = "ENTERPRISE"


class AssessmentResult(str, Enum):
    PASS = "PASS"
    RISK_WARNING = "RISK_WARNING"  # 风险提示: one failing year
    DELISTED = "DELISTED"  # 摘牌: the second failing year in a row (see ``decision``)


class DelistingDecision(str, Enum):
    PROPOSED = "PROPOSED"  # waiting for a federation admin
    CONFIRMED = "CONFIRMED"  # the studio is delisted
    OVERRIDDEN = "OVERRIDDEN"  # the federation kept the studio, with a reason


class StatsGroupBy(str, Enum):
    REGION = "REGION"
    INDUSTRY_CHAIN = "INDUSTRY_CHAIN"
    STUDIO_LEVEL = "STUDIO_LEVEL"


class Achievement(Model):
    # One achievement of a studio (e.g. 一种焊缝自动跟踪装置, an invention patent).

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="achievements", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=200)
    kind = fields.CharEnumField(AchievementKind, max_length=24)
    # Patent number (专利号, e.g. ZL202310123456.7); required for the patent kinds only.
    patent_number = fields.CharField(max_length=40, default="")
    description = fields.TextField(default="")
    year = fields.SmallIntField()
    # The industrial chain it serves (产业链); defaults to the studio's industry.
    industry_chain = fields.CharField(max_length=100, default="")
    direct_benefit = fields.BigIntField(default=0)  # yuan
    indirect_benefit = fields.BigIntField(default=0)  # yuan
    # Recommended to competitions by a federation above the studio (优先推荐参赛).
    promoted = fields.BooleanField(default=False)
    promoted_at = fields.DatetimeField(null=True)
    promotion_note = fields.CharField(max_length=500, default="")
    source = fields.CharEnumField(AchievementSource, max_length=12, default=AchievementSource.MANUAL)
    # What it was made from, e.g. ``challenges:<problem id>:<organisation id>``: one achievement
    # per source, however often the event arrives.
    source_key = fields.CharField(max_length=120, null=True, unique=True)
    created_by_account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "core.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    organisation_id: int
    created_by_account_id: int | None

    class Meta:
        table = "assessment_achievement"
        indexes = (("organisation_id", "year"), ("kind", "year"), ("year", "promoted"))


class AchievementContributor(Model):
    # A person behind an achievement (a member of the studio when it was recorded).

    id = fields.IntField(primary_key=True)
    achievement: fields.ForeignKeyRelation[Achievement] = fields.ForeignKeyField(
        "assessment.Achievement", related_name="contributors", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name=False, on_delete=fields.CASCADE
    )

    achievement_id: int
    person_id: int

    class Meta:
        table = "assessment_achievement_contributor"
        unique_together = (("achievement", "person"),)
        indexes = (("person_id",),)


class AchievementAward(Model):
    # An award or competition result of an achievement (e.g. 省职工创新创效竞赛, 省级, 一等奖, 2024).

    id = fields.IntField(primary_key=True)
    achievement: fields.ForeignKeyRelation[Achievement] = fields.ForeignKeyField(
        "assessment.Achievement", related_name="awards", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=200)
    level = fields.CharEnumField(AwardLevel, max_length=12)
    rank = fields.CharField(max_length=50, default="")
    year = fields.SmallIntField()

    achievement_id: int

    class Meta:
        table = "assessment_achievement_award"
        indexes = (("achievement_id",),)


class ProposalTally(Model):
    # Rationalisation proposals (合理化建议) of a studio in one period: quarter 1-4, or 0 for a
    # whole year. One row per (studio, year, quarter); setting it again replaces the counts.

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="proposal_tallies", on_delete=fields.CASCADE
    )
    year = fields.SmallIntField()
    quarter = fields.SmallIntField(default=0)
    received = fields.IntField()
    adopted = fields.IntField()
    updated_at = fields.DatetimeField(auto_now=True)

    organisation_id: int

    class Meta:
        table = "assessment_proposal_tally"
        unique_together = (("organisation", "year", "quarter"),)


class StudioAssessment(Model):
    # One studio's assessment for one year, kept as history. Re-running the year updates it
    # until a delisting on it was decided.

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="assessments", on_delete=fields.CASCADE
    )
    # The federation whose targets applied and whose admins decide.
    federation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name=False, on_delete=fields.CASCADE
    )
    year = fields.SmallIntField()
    # The studio level whose targets applied: MUNICIPAL, DISTRICT or ENTERPRISE.
    level = fields.CharField(max_length=20)
    targets: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    actuals: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    # Metric names whose figure fell short of its target.
    shortfalls: fields.JSONField[list[str]] = fields.JSONField(default=list)
    result = fields.CharEnumField(AssessmentResult, max_length=16)
    decision = fields.CharEnumField(DelistingDecision, max_length=12, null=True)
    decision_reason = fields.TextField(default="")
    decided_by_account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "core.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    decided_at = fields.DatetimeField(null=True)
    evaluated_at = fields.DatetimeField()

    organisation_id: int
    federation_id: int
    decided_by_account_id: int | None

    class Meta:
        table = "assessment_studio_assessment"
        unique_together = (("organisation", "year"),)
        indexes = (("federation_id", "year"),)
