"""Rules for the skill taxonomy and people's levels."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import audit, errors
from core.context import Context
from core.errors import UserInputError
from core.lookups import require_organisation, require_person
from core.permissions import awarding_organisation, managed_org_ids
from core.runtime import Runtime
from core.skills.models import PersonSkill, Skill, SkillGrade
from core.validation import Checks

NAME_MAX = 100
CATEGORY_MAX = 100
SOURCE_MAX = 100


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


async def record_skill_level(rt: Runtime, *, person_id: int, skill_id: int, level: int,
                             organisation_id: int | None, awarded_by_account_id: int | None,
                             source: str | None) -> PersonSkill:
    """Set a person's level in a skill with its provenance: the organisation it is recorded for,
    the account that set it and what it came from (``source``, e.g. "mentorship:12").

    No permission check: callers decide who may. Race-free: insert-or-nothing, then the row is
    locked and written, so concurrent calls leave one row holding the last call's values.
    """
    checks = Checks()
    checks.in_range(level, "level", SkillGrade.SENIOR_TECHNICIAN, SkillGrade.JUNIOR_WORKER)
    clean_source = checks.text(source, "source", SOURCE_MAX, required=False)
    checks.raise_if_any()
    await require_person(person_id)
    if not await Skill.exists(id=skill_id):
        raise UserInputError(errors.NOT_FOUND, "No skill with this `skillId`", "skillId")
    if organisation_id is not None:
        await require_organisation(organisation_id)
    provenance = {"level": level, "awarded_by_organisation_id": organisation_id,
                  "awarded_by_account_id": awarded_by_account_id, "source": clean_source}
    async with in_transaction():
        previous = await PersonSkill.select_for_update().get_or_none(person_id=person_id, skill_id=skill_id)
        before = _audited(previous) if previous is not None else None
        await PersonSkill.bulk_create(
            [PersonSkill(person_id=person_id, skill_id=skill_id, **provenance)], ignore_conflicts=True
        )
        row = await PersonSkill.select_for_update().get(person_id=person_id, skill_id=skill_id)
        row.update_from_dict(provenance)
        await row.save()
        await audit.record(rt, actor=audit.Actor(awarded_by_account_id), organisation_id=organisation_id,
                           action="skill.level_set", target=audit.target("Person", person_id),
                           before=before, after=_audited(row))
    return row


def _audited(row: PersonSkill) -> dict[str, object]:
    return {"skill": audit.target("Skill", row.skill_id), "level": row.level, "source": row.source or None,
            "organisation": audit.target("Organisation", row.awarded_by_organisation_id)
            if row.awarded_by_organisation_id is not None else None}


async def set_person_skill(ctx: Context, person_id: int, skill_id: int, level: int,
                           organisation_id: int | None = None) -> PersonSkill:
    """Levels are certified: admins of an organisation the person is in set them, in its name;
    people do not set their own."""
    checks = Checks()
    checks.in_range(level, "level", SkillGrade.SENIOR_TECHNICIAN, SkillGrade.JUNIOR_WORKER)
    checks.raise_if_any()
    await require_person(person_id)
    if not await Skill.exists(id=skill_id):
        raise UserInputError(errors.NOT_FOUND, "No skill with this `skillId`", "skillId")
    if organisation_id is not None:
        await require_organisation(organisation_id)
    awarding = await awarding_organisation(ctx, person_id, organisation_id)
    return await record_skill_level(
        ctx.rt, person_id=person_id, skill_id=skill_id, level=level, organisation_id=awarding,
        awarded_by_account_id=ctx.viewer.account_id, source=None,
    )
