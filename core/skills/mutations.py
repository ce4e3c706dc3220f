"""Mutations for the skill taxonomy and people's levels."""

from __future__ import annotations

import strawberry

from core.context import Info
from core.mutations import Payload
from core.people.models import Person as PersonModel
from core.people.types import Person
from core.relay import decode_id, decode_optional_id
from core.skills import services
from core.skills.types import Skill


@strawberry.input
class SkillCreateInput:
    name: str
    category: str | None = None


@strawberry.type
class SkillCreatePayload(Payload):
    skill: Skill | None = None


@strawberry.input
class PersonSkillSetInput:
    person_id: strawberry.ID
    skill_id: strawberry.ID
    level: int = strawberry.field(description="1 (高级技师) … 5 (初级工).")
    organisation_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The organisation certifying it (you must manage it and the person be in it); "
        "by default the first of the person's organisations you manage.",
    )


@strawberry.type
class PersonSkillSetPayload(Payload):
    person: Person | None = None


@strawberry.type
class SkillMutations:
    @strawberry.mutation(description="Add a skill to the shared taxonomy (admins).")
    async def skill_create(self, info: Info, input: SkillCreateInput) -> SkillCreatePayload:
        skill = await services.create_skill(info.context, input.name, input.category)
        return SkillCreatePayload(skill=Skill.from_model(skill))

    @strawberry.mutation(description="Set a person's level in a skill (admins of their organisations).")
    async def person_skill_set(self, info: Info, input: PersonSkillSetInput) -> PersonSkillSetPayload:
        person_id = decode_id(input.person_id, "Person", "personId")
        skill_id = decode_id(input.skill_id, "Skill", "skillId")
        org_id = decode_optional_id(input.organisation_id, "Organisation", "organisationId")
        await services.set_person_skill(info.context, person_id, skill_id, input.level, org_id)
        return PersonSkillSetPayload(person=Person.from_model(await PersonModel.get(id=person_id)))
