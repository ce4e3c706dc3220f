# strawberry.field/mutation(description=...) is typed as returning Any: a decorator mypy calls untyped.
"""GraphQL types of the mentorship plugin; every relation is read through a loader."""

from __future__ import annotations

from datetime import date, datetime
from typing import Self

import strawberry
from strawberry import relay

from core.context import Context, Info
from core.nodes import ModelNode
from core.organisations.models import Organisation as OrganisationModel
from core.organisations.types import Organisation
from core.people.models import Person as PersonModel
from core.people.types import Person
from core.relay import Connection, paginate_list, to_global_id
from core.skills.models import GRADE_NAMES_ZH
from core.skills.models import Skill as SkillModel
from core.skills.types import Skill
from plugins.mentorship import access, loaders, models
from plugins.mentorship.matching import Suggestion
from plugins.mentorship.models import MentorshipRole, MentorshipStatus

# The GraphQL enums are the model enums themselves (one source), given their GraphQL names here.
strawberry.enum(
    MentorshipStatus,
    name="MentorshipStatus",
    description="PROPOSED → ACTIVE → COMPLETED; or DECLINED, CANCELLED (before acceptance), "
    "TERMINATED (ended early).",
)
strawberry.enum(MentorshipRole, name="MentorshipRole", description="A person's side of an agreement.")


async def _person(info: Info, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    row = await info.context.loaders.by_id(PersonModel).load(person_id)
    return Person.from_model(row) if row else None


async def _organisation(info: Info, org_id: int) -> Organisation:
    row = await info.context.loaders.by_id(OrganisationModel).load(org_id)
    assert row is not None  # the foreign key guarantees it
    return Organisation.from_model(row)


@strawberry.type(description="A milestone: done by the apprentice, counted once the mentor approves.")
class MentorshipMilestone(ModelNode):
    id: relay.NodeID[int]
    title: str
    description: str
    due_date: date | None
    done_at: datetime | None
    approved_at: datetime | None
    created_at: datetime
    mentorship_id: strawberry.Private[int]

    @classmethod
    def model(cls) -> type[models.Milestone]:
        return models.Milestone

    @classmethod
    async def can_see(cls, ctx: Context, row: models.Milestone) -> bool:
        """Milestones are private to the pair and admins, like the agreement's content."""
        m = await ctx.loaders.by_id(models.Mentorship).load(row.mentorship_id)
        return m is not None and await access.can_see_private_of(ctx, m)

    @classmethod
    def from_model(cls, row: models.Milestone) -> Self:
        return cls(
            id=row.id,
            title=row.title,
            description=row.description,
            due_date=row.due_date,
            done_at=row.done_at,
            approved_at=row.approved_at,
            created_at=row.created_at,
            mentorship_id=row.mentorship_id,
        )

    @strawberry.field(description="Marked done by the apprentice.")
    def done(self) -> bool:
        return self.done_at is not None

    @strawberry.field(description="Approved by the mentor: only approved milestones count.")
    def approved(self) -> bool:
        return self.approved_at is not None


@strawberry.type(description="One entry of the session log (带徒记录).")
class MentorshipSession:
    id: strawberry.ID
    date: date
    hours: float
    topic: str
    notes: str
    created_at: datetime
    logged_by_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, row: models.MentoringSession) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("MentorshipSession", row.id)),
            date=row.date,
            hours=float(row.hours),
            topic=row.topic,
            notes=row.notes,
            created_at=row.created_at,
            logged_by_id=row.logged_by_id,
        )

    @strawberry.field
    async def logged_by(self, info: Info) -> Person | None:
        return await _person(info, self.logged_by_id)


PRIVATE = " Private: null unless the viewer is the mentor, the apprentice or an admin of the organisation."


@strawberry.type(
    description="A master–apprentice agreement (师徒协议) in one skill. That it exists is public; "
    "its content (goals, evaluation, reasons, milestones, session log) is private to the pair "
    "and the organisation's admins."
)
class Mentorship(ModelNode):
    id: relay.NodeID[int]
    status: MentorshipStatus
    planned_start: date
    planned_end: date | None
    mentor_signed_at: datetime | None
    apprentice_signed_at: datetime | None
    started_at: datetime | None = strawberry.field(description="When both sides had signed.")
    ended_at: datetime | None
    created_at: datetime
    mentor_id: strawberry.Private[int]
    apprentice_id: strawberry.Private[int]
    organisation_id: strawberry.Private[int]
    skill_id: strawberry.Private[int]
    created_by_id: strawberry.Private[int | None]
    # The private content, shown by the resolvers below to those ``access.can_see_private`` allows.
    row_goals: strawberry.Private[str]
    row_end_reason: strawberry.Private[str]
    row_score: strawberry.Private[int | None]
    row_comment: strawberry.Private[str]
    row_raised_level: strawberry.Private[int | None]

    @classmethod
    def model(cls) -> type[models.Mentorship]:
        return models.Mentorship

    @classmethod
    def from_model(cls, row: models.Mentorship) -> Self:
        return cls(
            id=row.id,
            status=row.status,
            planned_start=row.planned_start,
            planned_end=row.planned_end,
            mentor_signed_at=row.mentor_signed_at,
            apprentice_signed_at=row.apprentice_signed_at,
            started_at=row.started_at,
            ended_at=row.ended_at,
            created_at=row.created_at,
            mentor_id=row.mentor_id,
            apprentice_id=row.apprentice_id,
            organisation_id=row.organisation_id,
            skill_id=row.skill_id,
            created_by_id=row.created_by_id,
            row_goals=row.goals,
            row_end_reason=row.end_reason,
            row_score=row.score,
            row_comment=row.comment,
            row_raised_level=row.raised_level,
        )

    @classmethod
    async def can_see_private(cls, ctx: Context, row: models.Mentorship) -> bool:
        return await access.can_see_private_of(ctx, row)

    async def _private(self, info: Info) -> bool:
        return await access.can_see_private(info.context, self.mentor_id, self.apprentice_id, self.organisation_id)

    @strawberry.field(description="What the apprentice is to learn." + PRIVATE)
    async def goals(self, info: Info) -> str | None:
        return self.row_goals if await self._private(info) else None

    @strawberry.field(description="Why it was declined or terminated." + PRIVATE)
    async def end_reason(self, info: Info) -> str | None:
        return self.row_end_reason if await self._private(info) else None

    @strawberry.field(description="Graduation (出师) score, 0–100." + PRIVATE)
    async def score(self, info: Info) -> int | None:
        return self.row_score if await self._private(info) else None

    @strawberry.field(description="The mentor's graduation comment." + PRIVATE)
    async def comment(self, info: Info) -> str | None:
        return self.row_comment if await self._private(info) else None

    @strawberry.field(description="The apprentice's new level in the skill when graduation raised it." + PRIVATE)
    async def raised_level(self, info: Info) -> int | None:
        return self.row_raised_level if await self._private(info) else None

    @strawberry.field(description="The master (师傅).")
    async def mentor(self, info: Info) -> Person:
        person = await _person(info, self.mentor_id)
        assert person is not None  # the foreign key guarantees it
        return person

    @strawberry.field(description="The apprentice (徒弟).")
    async def apprentice(self, info: Info) -> Person:
        person = await _person(info, self.apprentice_id)
        assert person is not None
        return person

    @strawberry.field(description="Where the agreement is held, usually the master's studio.")
    async def organisation(self, info: Info) -> Organisation:
        return await _organisation(info, self.organisation_id)

    @strawberry.field
    async def skill(self, info: Info) -> Skill:
        row = await info.context.loaders.by_id(SkillModel).load(self.skill_id)
        assert row is not None
        return Skill.from_model(row)

    @strawberry.field(description="Who proposed it.")
    async def created_by(self, info: Info) -> Person | None:
        return await _person(info, self.created_by_id)

    @strawberry.field(
        description="In the order they were added. Private: empty unless the viewer is the mentor, "
        "the apprentice or an admin of the organisation."
    )
    async def milestones(self, info: Info) -> list[MentorshipMilestone]:
        if not await self._private(info):
            return []
        rows = await loaders.milestones_by_mentorship(info.context, self.id)
        return [MentorshipMilestone.from_model(row) for row in rows]

    @strawberry.field(description="Approved milestones / all milestones, 0 without milestones." + PRIVATE)
    async def progress(self, info: Info) -> float | None:
        if not await self._private(info):
            return None
        rows = await loaders.milestones_by_mentorship(info.context, self.id)
        return sum(row.approved_at is not None for row in rows) / len(rows) if rows else 0.0

    @strawberry.field(description="Total hours in the session log." + PRIVATE)
    async def session_hours(self, info: Info) -> float | None:
        if not await self._private(info):
            return None
        rows = await loaders.sessions_by_mentorship(info.context, self.id)
        return float(sum(row.hours for row in rows))

    @strawberry.field(description="The session log, newest first." + PRIVATE)
    async def sessions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[MentorshipSession] | None:
        if not await self._private(info):
            return None
        rows = await loaders.sessions_by_mentorship(info.context, self.id)
        return paginate_list(rows, first, after, MentorshipSession.from_model)


@strawberry.type(description="A person's record as a mentor.")
class MentorStats:
    active_apprentices: int
    completed: int = strawberry.field(description="Apprentices who graduated (出师).")
    average_score: float | None = strawberry.field(description="Average graduation score.")


@strawberry.type(description="A possible mentor for an apprentice, with why.")
class MentorSuggestion:
    score: float = strawberry.field(description="0–100; see `reasons`.")
    reasons: list[str] = strawberry.field(description='e.g. "高级技师 in 焊接", "3 of 10 places free".')
    level: int = strawberry.field(description="The mentor's level in the skill, 1 (高级技师) … 5.")
    free_places: int
    capacity: int
    mentor_id: strawberry.Private[int]
    organisation_id: strawberry.Private[int]

    @classmethod
    def from_suggestion(cls, s: Suggestion) -> Self:
        return cls(
            score=s.score,
            reasons=list(s.reasons),
            level=s.level,
            free_places=s.free_places,
            capacity=s.capacity,
            mentor_id=s.mentor_id,
            organisation_id=s.organisation_id,
        )

    @strawberry.field
    def level_name(self) -> str:
        return GRADE_NAMES_ZH[self.level]

    @strawberry.field
    async def mentor(self, info: Info) -> Person:
        person = await _person(info, self.mentor_id)
        assert person is not None
        return person

    @strawberry.field(description="Where the mentor has a free place (their organisation).")
    async def organisation(self, info: Info) -> Organisation:
        return await _organisation(info, self.organisation_id)


@strawberry.type
class PersonMentorshipFields:
    """Fields the plugin adds to ``Person`` (``parent`` is the core Person)."""

    @strawberry.field(description="Agreements where the person is mentor or apprentice, newest first.")
    @staticmethod
    async def mentorships(
        parent: strawberry.Parent[Person],
        info: Info,
        role: MentorshipRole | None = None,
        status: list[MentorshipStatus] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Mentorship]:
        rows = await loaders.mentorships_by_person(info.context, parent.id, role, loaders.statuses(status))
        return paginate_list(rows, first, after, Mentorship.from_model)

    @strawberry.field
    @staticmethod
    async def mentor_stats(parent: strawberry.Parent[Person], info: Info) -> MentorStats:
        stats = await loaders.mentor_stats_by_mentor(info.context, parent.id)
        return MentorStats(
            active_apprentices=stats.active_apprentices,
            completed=stats.completed,
            average_score=stats.average_score,
        )


@strawberry.type
class OrganisationMentorshipFields:
    """Fields the plugin adds to ``Organisation`` (``parent`` is the core Organisation); the host
    answers an empty list where the plugin is off."""

    @strawberry.field(description="Agreements held in this organisation, newest first.")
    @staticmethod
    async def mentorships(
        parent: strawberry.Parent[Organisation],
        info: Info,
        status: list[MentorshipStatus] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Mentorship]:
        rows = await loaders.mentorships_by_organisation(info.context, parent.id, loaders.statuses(status))
        return paginate_list(rows, first, after, Mentorship.from_model)
