"""Per-organisation settings of assessment (``pluginConfigure``): a federation's yearly targets
per studio level, checked by pydantic.

Each level's targets are one object, replaced as a whole by ``pluginConfigure`` (names left out
are 0, i.e. not assessed). Names are ``core.plugin_api.StudioMetric`` values: a studio passes
when every figure reaches its target.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from core.organisations.models import OrganisationLevel
from core.plugin_api import PluginSettings

MAX_TARGET = 1_000_000


def _target(description: str) -> int:
    result: int = Field(default=0, ge=0, le=MAX_TARGET, description=description)
    return result


class StudioTargets(BaseModel):
    """Yearly targets of one studio level; 0 leaves a figure out of the assessment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    innovation_projects: int = _target("创新项目: achievements other than papers.")
    problems_solved: int = _target("技术攻关: problems solved (challenges).")
    apprentices_graduated: int = _target("名师带徒: apprentices graduated (mentorship).")
    salons_held: int = _target("交流沙龙: exchanges and salons held (forum).")
    achievements: int = _target("创新成果: achievements recorded for the year.")
    training_sessions: int = _target("培训场次: training sessions held.")
    training_attendances: int = _target("培训人次: training attendances.")
    service_visits: int = _target("助企服务: service visits.")
    workers_trained: int = _target("帮助职工提升技能: workers trained.")


class AssessmentSettings(PluginSettings):
    municipal: StudioTargets = Field(
        default=StudioTargets(
            innovation_projects=2,
            problems_solved=3,
            apprentices_graduated=2,
            salons_held=2,
            achievements=3,
            training_attendances=60,
        ),
        description="Targets of municipal (市级示范) studios, and of national and provincial ones.",
    )
    district: StudioTargets = Field(
        default=StudioTargets(
            innovation_projects=1,
            problems_solved=2,
            apprentices_graduated=1,
            salons_held=1,
            achievements=2,
            training_attendances=30,
        ),
        description="Targets of district (区级) studios.",
    )
    enterprise: StudioTargets = Field(
        default=StudioTargets(
            innovation_projects=1, problems_solved=1, apprentices_graduated=1, achievements=1, training_attendances=10
        ),
        description="Targets of enterprise (企业级) studios and studios without a level.",
    )

    def targets_for(self, level: OrganisationLevel | None) -> tuple[OrganisationLevel, StudioTargets]:
        """The level whose targets apply to a studio of ``level`` (``level_bucket``), and the targets."""
        bucket = level_bucket(level)
        if bucket == OrganisationLevel.MUNICIPAL:
            return bucket, self.municipal
        return bucket, self.district if bucket == OrganisationLevel.DISTRICT else self.enterprise


def level_bucket(level: OrganisationLevel | None) -> OrganisationLevel:
    """The three studio levels the seeds count (市级示范 / 区级 / 企业级): national and provincial
    studios count as municipal ones, studios without a level as enterprise ones."""
    if level in (OrganisationLevel.NATIONAL, OrganisationLevel.PROVINCIAL, OrganisationLevel.MUNICIPAL):
        return OrganisationLevel.MUNICIPAL
    if level == OrganisationLevel.DISTRICT:
        return OrganisationLevel.DISTRICT
    return OrganisationLevel.ENTERPRISE
