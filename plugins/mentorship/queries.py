# strawberry.field/mutation(description=...) is typed as returning Any: a decorator mypy calls untyped.
"""Root query fields: agreements with filters, and mentor suggestions.

A ``UserInputError`` raised here (a bad ID, a bad argument) becomes a top-level error with the
same code and field: the host's ``QueryErrors`` guard converts it.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from tortoise.expressions import Q

from core.context import Info
from core.relay import Connection, decode_id, paginate_queryset
from plugins.mentorship import matching, models
from plugins.mentorship.models import MentorshipStatus
from plugins.mentorship.types import Mentorship, MentorSuggestion

DEFAULT_SUGGESTIONS = 5


@strawberry.type
class MentorshipQueries:
    @strawberry.field(description="Agreements, newest first, filtered by any of the arguments.")
    async def mentorships(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        organisation_id: strawberry.ID | None = None,
        mentor_id: strawberry.ID | None = None,
        apprentice_id: strawberry.ID | None = None,
        person_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Mentor or apprentice.")
        ] = None,
        skill_id: strawberry.ID | None = None,
        status: list[MentorshipStatus] | None = None,
    ) -> Connection[Mentorship]:
        queryset = models.Mentorship.all()
        if organisation_id is not None:
            org = decode_id(organisation_id, "Organisation", "organisationId")
            queryset = queryset.filter(organisation_id=org)
        if mentor_id is not None:
            queryset = queryset.filter(mentor_id=decode_id(mentor_id, "Person", "mentorId"))
        if apprentice_id is not None:
            queryset = queryset.filter(apprentice_id=decode_id(apprentice_id, "Person", "apprenticeId"))
        if person_id is not None:
            person = decode_id(person_id, "Person", "personId")
            queryset = queryset.filter(Q(mentor_id=person) | Q(apprentice_id=person))
        if skill_id is not None:
            queryset = queryset.filter(skill_id=decode_id(skill_id, "Skill", "skillId"))
        if status:
            queryset = queryset.filter(status__in=list(status))
        return await paginate_queryset(queryset.order_by("-id"), first, after, Mentorship.from_model)

    @strawberry.field(
        description="Possible mentors for an apprentice in a skill, best first, each with a score "
        "and the reasons for it. Nobody at capacity or without a better level is suggested."
    )
    async def mentor_suggestions(
        self,
        info: Info,
        apprentice_id: strawberry.ID,
        skill_id: strawberry.ID,
        first: int = DEFAULT_SUGGESTIONS,
    ) -> list[MentorSuggestion]:
        apprentice = decode_id(apprentice_id, "Person", "apprenticeId")
        skill = decode_id(skill_id, "Skill", "skillId")
        found = await matching.suggest_mentors_as(info.context, apprentice, skill, first)
        return [MentorSuggestion.from_suggestion(s) for s in found]
