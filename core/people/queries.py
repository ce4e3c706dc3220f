"""Root query fields for people."""

from __future__ import annotations

import strawberry
from tortoise.expressions import Subquery

from core.context import Info
from core.people import models
from core.people.types import Person
from core.relay import Connection, decode_query_id, paginate_queryset
from core.skills.models import PersonSkill


@strawberry.type
class PeopleQueries:
    @strawberry.field(description="The signed-in person; null for anonymous callers.")
    async def me(self, info: Info) -> Person | None:
        person_id = info.context.viewer.person_id
        if person_id is None:
            return None
        row = await info.context.loaders.by_id(models.Person).load(person_id)
        return Person.from_model(row) if row else None

    @strawberry.field(description="People, filtered by name, skill or organisation.")
    async def people(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        skill_id: strawberry.ID | None = None,
        organisation_id: strawberry.ID | None = None,
    ) -> Connection[Person]:
        queryset = models.Person.all()
        if search and search.strip():
            queryset = queryset.filter(name__icontains=search.strip())
        if skill_id is not None:
            skill = decode_query_id(skill_id, "Skill", "skillId")
            queryset = queryset.filter(
                id__in=Subquery(PersonSkill.filter(skill_id=skill).values("person_id"))
            )
        if organisation_id is not None:
            org = decode_query_id(organisation_id, "Organisation", "organisationId")
            queryset = queryset.filter(
                id__in=Subquery(models.Membership.filter(organisation_id=org).values("person_id"))
            )
        return await paginate_queryset(queryset.order_by("id"), first, after, Person.from_model)
