"""The shared skill taxonomy and people's levels in it."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from core.auth.models import Account
    from core.organisations.models import Organisation
    from core.people.models import Person


class SkillGrade(IntEnum):
    # China's national five-level vocational scale: 1 is the highest.

    SENIOR_TECHNICIAN = 1  # 高级技师
    TECHNICIAN = 2  # 技师
    SENIOR_WORKER = 3  # 高级工
    INTERMEDIATE_WORKER = 4  # 中级工
    JUNIOR_WORKER = 5  # 初级工


GRADE_NAMES_ZH: dict[int, str] = {
    1: "高级技师",
    2: "技师",
    3: "高级工",
    4: "中级工",
    5: "初级工",
}


class Skill(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    category = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "core_skill"


class PersonSkill(Model):
    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="skills", on_delete=fields.CASCADE
    )
    skill: fields.ForeignKeyRelation[Skill] = fields.ForeignKeyField(
        "core.Skill", related_name="holders", on_delete=fields.CASCADE
    )
    level = fields.SmallIntField()
    updated_at = fields.DatetimeField(auto_now=True)
    # Provenance of the current level: who set it, for which organisation, from what
    # (``source`` e.g. "mentorship:12"; empty when set by hand). Null: the system, or before 0003.
    awarded_by_organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="skill_levels_awarded", null=True, on_delete=fields.SET_NULL
    )
    awarded_by_account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "core.Account", related_name="skill_levels_awarded", null=True, on_delete=fields.SET_NULL
    )
    source = fields.CharField(max_length=100, default="")

    person_id: int
    skill_id: int
    awarded_by_organisation_id: int | None
    awarded_by_account_id: int | None

    class Meta:
        table = "core_person_skill"
        unique_together = (("person", "skill"),)
        indexes = (("skill_id", "level"),)
