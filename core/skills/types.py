"""GraphQL types of the skill taxonomy and people's levels."""

from __future__ import annotations

from typing import Self

import strawberry
from strawberry import relay

from core.enums import SkillGrade
from core.nodes import ModelNode
from core.provenance import AwardedBy
from core.skills import models


@strawberry.type(description="A skill in the shared taxonomy, e.g. 焊接 (welding).")
class Skill(ModelNode):
    id: relay.NodeID[int]
    name: str
    category: str

    @classmethod
    def model(cls) -> type[models.Skill]:
        return models.Skill

    @classmethod
    def from_model(cls, row: models.Skill) -> Self:
        return cls(id=row.id, name=row.name, category=row.category)


@strawberry.type(description="A person's level in one skill on the five-level scale.")
class PersonSkill:
    level: int = strawberry.field(description="1 (高级技师) … 5 (初级工).")
    awarded_by: AwardedBy | None = strawberry.field(
        description="Who set the level, for which organisation; null when the system did."
    )
    source: str | None = strawberry.field(
        description="What the level came from, e.g. \"mentorship:12\"; null when set by hand."
    )
    skill_id: strawberry.Private[int]
    skill_row: strawberry.Private[models.Skill]

    @classmethod
    def from_model(cls, row: models.PersonSkill, skill: models.Skill) -> Self:
        """``skill``: the row's skill, read with the others of the batch (``Person.skills``), so
        ``skill`` resolves synchronously: one await per person, not one per level."""
        return cls(
            level=row.level,
            awarded_by=AwardedBy.of(row.awarded_by_organisation_id, row.awarded_by_account_id),
            source=row.source or None,
            skill_id=row.skill_id,
            skill_row=skill,
        )

    @strawberry.field
    def skill(self) -> Skill:
        return Skill.from_model(self.skill_row)

    @strawberry.field(description="The level as an enum value.")
    def grade(self) -> SkillGrade:
        return models.SkillGrade(self.level)

    @strawberry.field(description="The level's Chinese title, e.g. 高级技师.")
    def level_name(self) -> str:
        return models.GRADE_NAMES_ZH[self.level]
