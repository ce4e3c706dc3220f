"""Rules for the skill taxonomy and people's levels."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import errors
from core.context import Context
from core.errors import UserInputError
from core.lookups import require_person
from core.permissions import managed_org_ids, require_manage_person
from core.skills.models import PersonSkill, Skill, SkillGrade
from core.validation import Checks

NAME_MAX = 100
CATEGORY_MAX = 100


async def create_skill(ctx: Context, name: str, category: str | None) -> Skill:
    checks = Checks()
    clean_name = checks.text(name, "name", NAME_MAX, single_line=True)
    clean_category = checks.text(category, "category", CATEGORY_MAX, required=False, single_line=True)
    checks.raise_if_any()
    if not ctx.viewer.is_authenticated:
        raise UserInputError(errors.UNAUTHENTICATED, "Sign in first", None)
    # The taxonomy is shared: superusers and organisation admins curate it.
    if not ctx.viewer.is_superuser and not await managed_org_ids(ctx):
        raise UserInputError(errors.PERMISSION_DENIED, "Only admins add skills", None)
    duplicate = UserInputError(errors.DUPLICATE, "A skill with this name exists", "name")
    if await Skill.filter(name=clean_name).exists():
        raise duplicate
    try:
        async with in_transaction():
            return await Skill.create(name=clean_name, category=clean_category)
    except IntegrityError:
        raise duplicate from None


async def set_person_skill(ctx: Context, person_id: int, skill_id: int, level: int) -> PersonSkill:
    checks = Checks()
    checks.in_range(level, "level", SkillGrade.SENIOR_TECHNICIAN, SkillGrade.JUNIOR_WORKER)
    checks.raise_if_any()
    await require_person(person_id)
    if not await Skill.exists(id=skill_id):
        raise UserInputError(errors.NOT_FOUND, "No skill with this `skillId`", "skillId")
    # Levels are certified, so admins set them, not the person.
    await require_manage_person(ctx, person_id)
    row = await PersonSkill.get_or_none(person_id=person_id, skill_id=skill_id)
    if row is None:
        try:
            async with in_transaction():
                row = await PersonSkill.create(person_id=person_id, skill_id=skill_id, level=level)
        except IntegrityError:
            row = await PersonSkill.get(person_id=person_id, skill_id=skill_id)
    if row.level != level:
        row.level = level
        await row.save(update_fields=["level", "updated_at"])
    ctx.loaders.clear()
    return row
