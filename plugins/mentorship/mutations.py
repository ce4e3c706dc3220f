# strawberry.field/mutation(description=...) is typed as returning Any: a decorator mypy calls untyped.
"""Mutations: ``mentorshipVerb(input:) -> MentorshipVerbPayload``; the rules live in services.

Each resolver decodes the IDs, calls one ``*_as`` service and wraps the row in its payload.
The host refuses them where the plugin is off (``PLUGIN_DISABLED``), turns a service's
``UserInputError`` into the payload's ``errors`` and clears the request's loaders afterwards.
"""

from __future__ import annotations

from datetime import date
from typing import Self

import strawberry

from core.context import Info
from core.mutations import Payload
from core.plugin_api import in_organisation, in_owner_of
from core.relay import decode_id
from plugins.mentorship import models, progress, services
from plugins.mentorship.types import Mentorship, MentorshipMilestone, MentorshipSession


@strawberry.input
class MentorshipProposeInput:
    mentor_id: strawberry.ID
    apprentice_id: strawberry.ID
    organisation_id: strawberry.ID = strawberry.field(description="Usually the mentor's studio.")
    skill_id: strawberry.ID
    goals: str | None = None
    planned_start: date | None = strawberry.field(default=None, description="Default: today.")
    planned_end: date | None = None


@strawberry.input
class MentorshipAcceptInput:
    id: strawberry.ID


@strawberry.input
class MentorshipDeclineInput:
    id: strawberry.ID
    reason: str | None = None


@strawberry.input
class MentorshipCancelInput:
    id: strawberry.ID


@strawberry.input
class MentorshipTerminateInput:
    id: strawberry.ID
    reason: str


@strawberry.input
class MentorshipCompleteInput:
    id: strawberry.ID
    score: int = strawberry.field(description="0–100.")
    comment: str
    raise_level: bool = strawberry.field(
        default=False,
        description="Raise the apprentice one grade in the skill, never above the mentor's level.",
    )


@strawberry.input
class MentorshipMilestoneAddInput:
    mentorship_id: strawberry.ID
    title: str
    description: str | None = None
    due_date: date | None = None


@strawberry.input
class MentorshipMilestoneCompleteInput:
    id: strawberry.ID


@strawberry.input
class MentorshipMilestoneApproveInput:
    id: strawberry.ID


@strawberry.input
class MentorshipSessionLogInput:
    mentorship_id: strawberry.ID
    date: date
    hours: float = strawberry.field(description="More than 0, at most 24.")
    topic: str
    notes: str | None = None


@strawberry.type
class MentorshipProposePayload(Payload):
    mentorship: Mentorship | None = None


@strawberry.type
class MentorshipAcceptPayload(Payload):
    mentorship: Mentorship | None = None


@strawberry.type
class MentorshipDeclinePayload(Payload):
    mentorship: Mentorship | None = None


@strawberry.type
class MentorshipCancelPayload(Payload):
    mentorship: Mentorship | None = None


@strawberry.type
class MentorshipTerminatePayload(Payload):
    mentorship: Mentorship | None = None


@strawberry.type
class MentorshipCompletePayload(Payload):
    mentorship: Mentorship | None = None


@strawberry.type
class MentorshipMilestonePayload(Payload):
    """The milestone and its agreement; one subclass per mutation, the same shape."""

    milestone: MentorshipMilestone | None = None
    mentorship: Mentorship | None = strawberry.field(default=None, description="With its new progress.")

    @classmethod
    def of(cls, row: models.Milestone) -> Self:
        """The payload of a milestone whose ``mentorship`` the service read with it."""
        return cls(milestone=MentorshipMilestone.from_model(row), mentorship=Mentorship.from_model(row.mentorship))


@strawberry.type
class MentorshipMilestoneAddPayload(MentorshipMilestonePayload):
    pass


@strawberry.type
class MentorshipMilestoneCompletePayload(MentorshipMilestonePayload):
    pass


@strawberry.type
class MentorshipMilestoneApprovePayload(MentorshipMilestonePayload):
    pass


@strawberry.type
class MentorshipSessionLogPayload(Payload):
    session: MentorshipSession | None = None
    mentorship: Mentorship | None = None


def _id(value: strawberry.ID, field: str = "id") -> int:
    return decode_id(value, "Mentorship", field)


def _milestone_id(value: strawberry.ID) -> int:
    return decode_id(value, "MentorshipMilestone", "id")


ON_MENTORSHIP = in_owner_of(models.Mentorship, "Mentorship")
ON_MENTORSHIP_OF_INPUT = in_owner_of(models.Mentorship, "Mentorship", "input.mentorship_id")
ON_MILESTONE = in_owner_of(models.Milestone, "MentorshipMilestone", organisation="mentorship__organisation_id")


@strawberry.type
class MentorshipMutations:
    @strawberry.mutation(
        description="Propose an agreement; a party proposing signs their side.",
        metadata=in_organisation("input.organisation_id"),
    )
    async def mentorship_propose(self, info: Info, input: MentorshipProposeInput) -> MentorshipProposePayload:
        data = services.ProposeData(
            mentor_id=decode_id(input.mentor_id, "Person", "mentorId"),
            apprentice_id=decode_id(input.apprentice_id, "Person", "apprenticeId"),
            organisation_id=decode_id(input.organisation_id, "Organisation", "organisationId"),
            skill_id=decode_id(input.skill_id, "Skill", "skillId"),
            goals=input.goals,
            planned_start=input.planned_start,
            planned_end=input.planned_end,
        )
        row = await services.propose_as(info.context, data)
        return MentorshipProposePayload(mentorship=Mentorship.from_model(row))

    @strawberry.mutation(
        description="Sign as the other side (or countersign as an admin); ACTIVE once both signed.",
        metadata=ON_MENTORSHIP,
    )
    async def mentorship_accept(self, info: Info, input: MentorshipAcceptInput) -> MentorshipAcceptPayload:
        row = await services.accept_as(info.context, _id(input.id))
        return MentorshipAcceptPayload(mentorship=Mentorship.from_model(row))

    @strawberry.mutation(description="Say no to a proposal (the other side or an admin).", metadata=ON_MENTORSHIP)
    async def mentorship_decline(self, info: Info, input: MentorshipDeclineInput) -> MentorshipDeclinePayload:
        row = await services.decline_as(info.context, _id(input.id), input.reason)
        return MentorshipDeclinePayload(mentorship=Mentorship.from_model(row))

    @strawberry.mutation(
        description="Withdraw a proposal before it is accepted (the proposer or an admin).", metadata=ON_MENTORSHIP
    )
    async def mentorship_cancel(self, info: Info, input: MentorshipCancelInput) -> MentorshipCancelPayload:
        row = await services.cancel_as(info.context, _id(input.id))
        return MentorshipCancelPayload(mentorship=Mentorship.from_model(row))

    @strawberry.mutation(description="End an active agreement early, with a reason.", metadata=ON_MENTORSHIP)
    async def mentorship_terminate(
        self, info: Info, input: MentorshipTerminateInput
    ) -> MentorshipTerminatePayload:
        row = await services.terminate_as(info.context, _id(input.id), input.reason)
        return MentorshipTerminatePayload(mentorship=Mentorship.from_model(row))

    @strawberry.mutation(
        description="Graduation (出师): the mentor or an admin scores and closes it.", metadata=ON_MENTORSHIP
    )
    async def mentorship_complete(self, info: Info, input: MentorshipCompleteInput) -> MentorshipCompletePayload:
        row = await services.complete_as(info.context, _id(input.id), input.score, input.comment, input.raise_level)
        return MentorshipCompletePayload(mentorship=Mentorship.from_model(row))

    @strawberry.mutation(description="Add a milestone (either side or an admin).", metadata=ON_MENTORSHIP_OF_INPUT)
    async def mentorship_milestone_add(
        self, info: Info, input: MentorshipMilestoneAddInput
    ) -> MentorshipMilestoneAddPayload:
        milestone = await progress.add_milestone_as(
            info.context, _id(input.mentorship_id, "mentorshipId"), input.title, input.description, input.due_date
        )
        return MentorshipMilestoneAddPayload.of(milestone)

    @strawberry.mutation(description="The apprentice marks a milestone done.", metadata=ON_MILESTONE)
    async def mentorship_milestone_complete(
        self, info: Info, input: MentorshipMilestoneCompleteInput
    ) -> MentorshipMilestoneCompletePayload:
        milestone = await progress.complete_milestone_as(info.context, _milestone_id(input.id))
        return MentorshipMilestoneCompletePayload.of(milestone)

    @strawberry.mutation(
        description="The mentor approves a done milestone; only approved ones count.", metadata=ON_MILESTONE
    )
    async def mentorship_milestone_approve(
        self, info: Info, input: MentorshipMilestoneApproveInput
    ) -> MentorshipMilestoneApprovePayload:
        milestone = await progress.approve_milestone_as(info.context, _milestone_id(input.id))
        return MentorshipMilestoneApprovePayload.of(milestone)

    @strawberry.mutation(
        description="Log a session (带徒记录) of an active agreement.", metadata=ON_MENTORSHIP_OF_INPUT
    )
    async def mentorship_session_log(
        self, info: Info, input: MentorshipSessionLogInput
    ) -> MentorshipSessionLogPayload:
        session = await progress.log_session_as(
            info.context, _id(input.mentorship_id, "mentorshipId"), input.date, input.hours, input.topic, input.notes
        )
        return MentorshipSessionLogPayload(
            session=MentorshipSession.from_model(session), mentorship=Mentorship.from_model(session.mentorship)
        )
