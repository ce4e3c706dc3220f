"""Mutations: ``mentorshipVerb(input:) -> MentorshipVerbPayload``; the rules live in services."""

from __future__ import annotations

from datetime import date

import strawberry

from core.context import Info
from core.errors import UserError
from core.mutations import payload_errors
from core.relay import decode_id
from plugins.mentorship import progress, services
from core.plugin_api import in_organisation, in_owner_of
from plugins.mentorship.models import Mentorship as MentorshipModel
from plugins.mentorship.models import Milestone as MilestoneModel
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
class MentorshipPayload:
    mentorship: Mentorship | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _payload(name: str) -> type[MentorshipPayload]:
    """``Mentorship<Verb>Payload``: one payload type per mutation, the same shape."""
    return strawberry.type(type(name, (MentorshipPayload,), {}))


MentorshipProposePayload = _payload("MentorshipProposePayload")
MentorshipAcceptPayload = _payload("MentorshipAcceptPayload")
MentorshipDeclinePayload = _payload("MentorshipDeclinePayload")
MentorshipCancelPayload = _payload("MentorshipCancelPayload")
MentorshipTerminatePayload = _payload("MentorshipTerminatePayload")
MentorshipCompletePayload = _payload("MentorshipCompletePayload")


@strawberry.type
class MentorshipMilestonePayload:
    milestone: MentorshipMilestone | None = None
    mentorship: Mentorship | None = strawberry.field(default=None, description="With its new progress.")
    errors: list[UserError] = strawberry.field(default_factory=list)


def _milestone_payload(name: str) -> type[MentorshipMilestonePayload]:
    return strawberry.type(type(name, (MentorshipMilestonePayload,), {}))


MentorshipMilestoneAddPayload = _milestone_payload("MentorshipMilestoneAddPayload")
MentorshipMilestoneCompletePayload = _milestone_payload("MentorshipMilestoneCompletePayload")
MentorshipMilestoneApprovePayload = _milestone_payload("MentorshipMilestoneApprovePayload")


@strawberry.type
class MentorshipSessionLogPayload:
    session: MentorshipSession | None = None
    mentorship: Mentorship | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _id(value: strawberry.ID, field: str = "id") -> int:
    return decode_id(value, "Mentorship", field)


async def _with_mentorship(
    payload: type[MentorshipMilestonePayload], milestone: object
) -> MentorshipMilestonePayload:
    row = await MentorshipModel.get(id=milestone.mentorship_id)  # type: ignore[attr-defined]
    return payload(
        milestone=MentorshipMilestone.from_model(milestone),  # type: ignore[arg-type]
        mentorship=Mentorship.from_model(row),
    )


@strawberry.type
class MentorshipMutations:
    @strawberry.mutation(description="Propose an agreement; a party proposing signs their side.", metadata=in_organisation("input.organisation_id"))
    @payload_errors(MentorshipProposePayload)
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
        row = await services.propose(info.context, data)
        return MentorshipProposePayload(mentorship=Mentorship.from_model(row))

    @strawberry.mutation(description="Sign as the other side (or countersign as an admin); ACTIVE once both signed.", metadata=in_owner_of(MentorshipModel, "Mentorship"))
    @payload_errors(MentorshipAcceptPayload)
    async def mentorship_accept(self, info: Info, input: MentorshipAcceptInput) -> MentorshipAcceptPayload:
        row = await services.accept(info.context, _id(input.id))
        return MentorshipAcceptPayload(mentorship=Mentorship.from_model(row))

    @strawberry.mutation(description="Say no to a proposal (the other side or an admin).", metadata=in_owner_of(MentorshipModel, "Mentorship"))
    @payload_errors(MentorshipDeclinePayload)
    async def mentorship_decline(self, info: Info, input: MentorshipDeclineInput) -> MentorshipDeclinePayload:
        row = await services.decline(info.context, _id(input.id), input.reason)
        return MentorshipDeclinePayload(mentorship=Mentorship.from_model(row))

    @strawberry.mutation(description="Withdraw a proposal before it is accepted (the proposer or an admin).", metadata=in_owner_of(MentorshipModel, "Mentorship"))
    @payload_errors(MentorshipCancelPayload)
    async def mentorship_cancel(self, info: Info, input: MentorshipCancelInput) -> MentorshipCancelPayload:
        row = await services.cancel(info.context, _id(input.id))
        return MentorshipCancelPayload(mentorship=Mentorship.from_model(row))

    @strawberry.mutation(description="End an active agreement early, with a reason.", metadata=in_owner_of(MentorshipModel, "Mentorship"))
    @payload_errors(MentorshipTerminatePayload)
    async def mentorship_terminate(
        self, info: Info, input: MentorshipTerminateInput
    ) -> MentorshipTerminatePayload:
        row = await services.terminate(info.context, _id(input.id), input.reason)
        return MentorshipTerminatePayload(mentorship=Mentorship.from_model(row))

    @strawberry.mutation(description="Graduation (出师): the mentor or an admin scores and closes it.", metadata=in_owner_of(MentorshipModel, "Mentorship"))
    @payload_errors(MentorshipCompletePayload)
    async def mentorship_complete(self, info: Info, input: MentorshipCompleteInput) -> MentorshipCompletePayload:
        row = await services.complete(info.context, _id(input.id), input.score, input.comment, input.raise_level)
        return MentorshipCompletePayload(mentorship=Mentorship.from_model(row))

    @strawberry.mutation(description="Add a milestone (either side or an admin).", metadata=in_owner_of(MentorshipModel, "Mentorship", "input.mentorship_id"))
    @payload_errors(MentorshipMilestoneAddPayload)
    async def mentorship_milestone_add(
        self, info: Info, input: MentorshipMilestoneAddInput
    ) -> MentorshipMilestoneAddPayload:
        milestone = await progress.add_milestone(
            info.context, _id(input.mentorship_id, "mentorshipId"), input.title, input.description, input.due_date
        )
        return await _with_mentorship(MentorshipMilestoneAddPayload, milestone)

    @strawberry.mutation(description="The apprentice marks a milestone done.", metadata=in_owner_of(MilestoneModel, "MentorshipMilestone", organisation="mentorship__organisation_id"))
    @payload_errors(MentorshipMilestoneCompletePayload)
    async def mentorship_milestone_complete(
        self, info: Info, input: MentorshipMilestoneCompleteInput
    ) -> MentorshipMilestoneCompletePayload:
        milestone = await progress.complete_milestone(
            info.context, decode_id(input.id, "MentorshipMilestone", "id")
        )
        return await _with_mentorship(MentorshipMilestoneCompletePayload, milestone)

    @strawberry.mutation(description="The mentor approves a done milestone; only approved ones count.", metadata=in_owner_of(MilestoneModel, "MentorshipMilestone", organisation="mentorship__organisation_id"))
    @payload_errors(MentorshipMilestoneApprovePayload)
    async def mentorship_milestone_approve(
        self, info: Info, input: MentorshipMilestoneApproveInput
    ) -> MentorshipMilestoneApprovePayload:
        milestone = await progress.approve_milestone(
            info.context, decode_id(input.id, "MentorshipMilestone", "id")
        )
        return await _with_mentorship(MentorshipMilestoneApprovePayload, milestone)

    @strawberry.mutation(description="Log a session (带徒记录) of an active agreement.", metadata=in_owner_of(MentorshipModel, "Mentorship", "input.mentorship_id"))
    @payload_errors(MentorshipSessionLogPayload)
    async def mentorship_session_log(
        self, info: Info, input: MentorshipSessionLogInput
    ) -> MentorshipSessionLogPayload:
        session = await progress.log_session(
            info.context, _id(input.mentorship_id, "mentorshipId"), input.date, input.hours, input.topic, input.notes
        )
        row = await MentorshipModel.get(id=session.mentorship_id)
        return MentorshipSessionLogPayload(
            session=MentorshipSession.from_model(session), mentorship=Mentorship.from_model(row)
        )
