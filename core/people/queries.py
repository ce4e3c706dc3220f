"""Root query fields for people."""

from __future__ import annotations

import strawberry

from core.context import Info
from core.enums import HonourLevel
from core.people import models
from core.people.directory import PeopleFilter, PersonOrder, check_level, people_queryset
from core.people.types import Person
from core.relay import Connection, decode_query_id, paginate_queryset


@strawberry.type
class PeopleQueries:
    @strawberry.field(description="The signed-in person; null for anonymous callers.")
    async def me(self, info: Info) -> Person | None:
        person_id = info.context.viewer.person_id
        if person_id is None:
            return None
        row = await info.context.loaders.by_id(models.Person).load(person_id)
        return Person.from_model(row) if row else None

    @strawberry.field(
        description="The people directory. `search` (at most 100 characters, 5 words, each must "
        "match) looks in names, honour titles, skill names and grade titles (高级技师); never in "
        "contact details. `organisationId` takes the organisation's whole subtree (for an alliance: "
        "its member organisations'); `minLevel` 2 means 技师 or better; `region` and `honourTitle` "
        "match by contained text. Filters combine with AND."
    )
    async def people(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        skill_id: strawberry.ID | None = None,
        min_level: int | None = None,
        organisation_id: strawberry.ID | None = None,
        alliance_id: strawberry.ID | None = None,
        region: str | None = None,
        honour_level: HonourLevel | None = None,
        honour_title: str | None = None,
        order_by: PersonOrder = PersonOrder.ID,
    ) -> Connection[Person]:
        data = PeopleFilter(
            search=search,
            skill_id=None if skill_id is None else decode_query_id(skill_id, "Skill", "skillId"),
            min_level=check_level(min_level),
            organisation_id=None
            if organisation_id is None
            else decode_query_id(organisation_id, "Organisation", "organisationId"),
            alliance_id=None if alliance_id is None else decode_query_id(alliance_id, "Organisation", "allianceId"),
            region=region,
            honour_level=honour_level,
            honour_title=honour_title,
            order_by=order_by,
        )
        return await paginate_queryset(people_queryset(data), first, after, Person.from_model)
