"""Mutations of the challenges plugin: ``nounVerb(input:) -> NounVerbPayload { errors, <noun> }``.

Each resolver decodes IDs, calls one ``*_as`` service and wraps the result; the host refuses
organisations without the plugin (``PLUGIN_DISABLED``: the posting organisation for problems,
bids and everything on them; the forming organisation for service teams), turns a service's
``UserInputError`` into the payload's ``errors`` and clears the request's loaders afterwards.
"""

# strawberry types its decorators with arguments as ``Any``; the resolvers themselves are typed.

from __future__ import annotations

from datetime import date

import strawberry

from core.context import Info
from core.mutations import Payload
from core.plugin_api import in_no_organisation, in_organisation, in_owner_of
from core.relay import decode_id, decode_optional_id
from plugins.challenges import bids, progress, services
from plugins.challenges.models import Bid as BidModel
from plugins.challenges.models import Milestone as MilestoneModel
from plugins.challenges.models import OfferKind, Urgency, Visibility
from plugins.challenges.models import Problem as ProblemModel
from plugins.challenges.models import ServiceTeam as ServiceTeamModel
from plugins.challenges.types import Bid, Offer, Problem, ProblemMilestone, ProblemOutcome, ServiceTeam, ServiceVisit

ON_PROBLEM = in_owner_of(ProblemModel, "Problem")
ON_BID = in_owner_of(BidModel, "Bid", organisation="problem__organisation_id")


# Inputs ---------------------------------------------------------------------------------------


@strawberry.input
class ProblemAttachmentInput:
    title: str
    url: str = strawberry.field(description="An http(s) link.")


@strawberry.input
class ProblemSkillInput:
    skill_id: strawberry.ID
    min_level: int = strawberry.field(description="1 (高级技师) … 5 (初级工): this level or better.")


@strawberry.input
class ProblemCreateInput:
    organisation_id: strawberry.ID = strawberry.field(description="The posting organisation (its admins post).")
    title: str
    description: str | None = None
    industry_chain: str | None = strawberry.field(default=None, description="One of the organisation's chains.")
    urgency: Urgency = Urgency.NORMAL
    region: str | None = strawberry.field(default=None, description="Defaults to the organisation's region.")
    reward: int | None = strawberry.field(default=None, description="Yuan.")
    deadline: date | None = None
    visibility: Visibility = Visibility.ALLIANCE
    attachments: list[ProblemAttachmentInput] = strawberry.field(default_factory=list)
    skills: list[ProblemSkillInput] = strawberry.field(default_factory=list)
    publish: bool = strawberry.field(default=True, description="false keeps it a DRAFT.")


@strawberry.input
class ProblemUpdateInput:
    id: strawberry.ID
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.field(default=strawberry.UNSET, description="null clears it.")
    industry_chain: str | None = strawberry.field(
        default=strawberry.UNSET, description="One of the organisation's chains; null clears it."
    )
    urgency: Urgency | None = strawberry.UNSET
    region: str | None = strawberry.field(default=strawberry.UNSET, description="null: the organisation's region.")
    reward: int | None = strawberry.field(default=strawberry.UNSET, description="Yuan; null clears it.")
    deadline: date | None = strawberry.field(default=strawberry.UNSET, description="null clears it.")
    visibility: Visibility | None = strawberry.UNSET
    attachments: list[ProblemAttachmentInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the attachments."
    )
    skills: list[ProblemSkillInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the skills needed."
    )


@strawberry.input
class ProblemPublishInput:
    id: strawberry.ID


@strawberry.input
class ProblemWithdrawInput:
    id: strawberry.ID
    reason: str | None = None


@strawberry.input
class ProblemCloseInput:
    id: strawberry.ID
    reason: str = strawberry.field(description="Why it ends unsolved.")


@strawberry.input
class ServiceTeamCreateInput:
    organisation_id: strawberry.ID
    name: str
    leader_id: strawberry.ID = strawberry.field(description="A model worker or craftsman (a person with an honour).")
    industry_chain: str
    region: str | None = None
    description: str | None = None
    member_ids: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.input
class ServiceTeamUpdateInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    industry_chain: str | None = strawberry.UNSET
    leader_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A person with an honour; they join the members."
    )
    region: str | None = strawberry.field(default=strawberry.UNSET, description="null: the organisation's region.")
    description: str | None = strawberry.UNSET


@strawberry.input
class ServiceTeamMembersSetInput:
    id: strawberry.ID = strawberry.field(description="The ServiceTeam.")
    member_ids: list[strawberry.ID] = strawberry.field(
        description="The members after the change (the leader stays a member whatever the list says)."
    )


@strawberry.input
class OfferCreateInput:
    kind: OfferKind
    title: str
    person_id: strawberry.ID | None = strawberry.field(default=None, description="PERSON: defaults to the viewer.")
    organisation_id: strawberry.ID | None = strawberry.field(default=None, description="STUDIO: the studio.")
    team_id: strawberry.ID | None = strawberry.field(default=None, description="TEAM: the service team.")
    description: str | None = None
    skill_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    specialties: list[str] = strawberry.field(default_factory=list)
    research_directions: list[str] = strawberry.field(default_factory=list)
    industry_chain: str | None = None
    region: str | None = None
    availability: str | None = None


@strawberry.input
class OfferUpdateInput:
    id: strawberry.ID
    active: bool | None = strawberry.field(default=strawberry.UNSET, description="false takes it off the lists.")
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    skill_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the skills."
    )
    specialties: list[str] | None = strawberry.UNSET
    research_directions: list[str] | None = strawberry.UNSET
    industry_chain: str | None = strawberry.UNSET
    region: str | None = strawberry.UNSET
    availability: str | None = strawberry.UNSET


@strawberry.input
class BidCreateInput:
    problem_id: strawberry.ID
    offer_id: strawberry.ID
    plan: str
    timeline: str | None = None
    finish_by: date | None = None
    member_ids: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.input
class BidAcceptInput:
    id: strawberry.ID


@strawberry.input
class BidDeclineInput:
    id: strawberry.ID
    reason: str


@strawberry.input
class BidWithdrawInput:
    id: strawberry.ID


@strawberry.input
class ProblemMilestoneAddInput:
    problem_id: strawberry.ID
    title: str
    due: date | None = None


@strawberry.input
class ProblemMilestoneCompleteInput:
    id: strawberry.ID


@strawberry.input
class ProblemMilestoneApproveInput:
    id: strawberry.ID


@strawberry.input
class ServiceVisitLogInput:
    bid_id: strawberry.ID = strawberry.field(description="The accepted bid whose team visited.")
    date: date
    hours: float
    people: int = strawberry.field(description="People of the team on the visit.")
    workers_trained: int = 0
    notes: str | None = None


@strawberry.input
class ProblemOutcomeSubmitInput:
    bid_id: strawberry.ID
    summary: str


@strawberry.input
class ProblemOutcomeAcceptInput:
    id: strawberry.ID = strawberry.field(description="The problem.")
    rating: int = strawberry.field(description="1–5.")
    economic_benefit: int = strawberry.field(description="Yuan.")


@strawberry.input
class ProblemOutcomeReturnInput:
    id: strawberry.ID = strawberry.field(description="The problem.")
    reason: str


# Payloads -------------------------------------------------------------------------------------


@strawberry.type
class ProblemCreatePayload(Payload):
    problem: Problem | None = None


@strawberry.type
class ProblemUpdatePayload(Payload):
    problem: Problem | None = None


@strawberry.type
class ProblemPublishPayload(Payload):
    problem: Problem | None = None


@strawberry.type
class ProblemWithdrawPayload(Payload):
    problem: Problem | None = None


@strawberry.type
class ProblemClosePayload(Payload):
    problem: Problem | None = None


@strawberry.type
class ServiceTeamCreatePayload(Payload):
    team: ServiceTeam | None = None


@strawberry.type
class ServiceTeamUpdatePayload(Payload):
    team: ServiceTeam | None = None


@strawberry.type
class ServiceTeamMembersSetPayload(Payload):
    team: ServiceTeam | None = None


@strawberry.type
class OfferCreatePayload(Payload):
    offer: Offer | None = None


@strawberry.type
class OfferUpdatePayload(Payload):
    offer: Offer | None = None


@strawberry.type
class BidCreatePayload(Payload):
    bid: Bid | None = None


@strawberry.type
class BidAcceptPayload(Payload):
    bid: Bid | None = None
    problem: Problem | None = None


@strawberry.type
class BidDeclinePayload(Payload):
    bid: Bid | None = None


@strawberry.type
class BidWithdrawPayload(Payload):
    bid: Bid | None = None


@strawberry.type
class ProblemMilestoneAddPayload(Payload):
    milestone: ProblemMilestone | None = None


@strawberry.type
class ProblemMilestoneCompletePayload(Payload):
    milestone: ProblemMilestone | None = None


@strawberry.type
class ProblemMilestoneApprovePayload(Payload):
    milestone: ProblemMilestone | None = None


@strawberry.type
class ServiceVisitLogPayload(Payload):
    visit: ServiceVisit | None = None


@strawberry.type
class ProblemOutcomeSubmitPayload(Payload):
    outcome: ProblemOutcome | None = None


@strawberry.type
class ProblemOutcomeAcceptPayload(Payload):
    problem: Problem | None = None


@strawberry.type
class ProblemOutcomeReturnPayload(Payload):
    outcome: ProblemOutcome | None = None
    problem: Problem | None = None


def _given(value: object) -> bool:
    return value is not strawberry.UNSET


def _or_none(value: object) -> object:
    return None if value is strawberry.UNSET else value


def _problem(value: strawberry.ID, field: str = "id") -> int:
    return decode_id(value, "Problem", field)


def _bid(value: strawberry.ID, field: str = "id") -> int:
    return decode_id(value, "Bid", field)


@strawberry.type
class ChallengesMutations:
    @strawberry.mutation(
        description="Post a problem (admins of an organisation with challenges on).",
        metadata=in_organisation("input.organisation_id"),
    )
    async def problem_create(self, info: Info, input: ProblemCreateInput) -> ProblemCreatePayload:
        org_id = decode_id(input.organisation_id, "Organisation", "organisationId")
        data = services.ProblemFields(
            title=input.title,
            description=input.description,
            industry_chain=input.industry_chain,
            urgency=input.urgency,
            region=input.region,
            reward=input.reward,
            deadline=input.deadline,
            visibility=input.visibility,
            publish=input.publish,
            attachments=[services.Attachment(a.title, a.url) for a in input.attachments],
            skills=[
                services.SkillNeed(decode_id(s.skill_id, "Skill", "skills.skillId"), s.min_level) for s in input.skills
            ],
        )
        row = await services.create_problem_as(info.context, org_id, data)
        return ProblemCreatePayload(problem=Problem.from_model(row))

    @strawberry.mutation(
        description="Edit a draft or open problem (the poster's admins); only the fields given change.",
        metadata=ON_PROBLEM,
    )
    async def problem_update(self, info: Info, input: ProblemUpdateInput) -> ProblemUpdatePayload:
        given = {name for name in services.PROBLEM_FIELDS if _given(getattr(input, name))}
        attachments, skills = _or_none(input.attachments), _or_none(input.skills)
        data = services.ProblemChanges(
            title=input.title if _given(input.title) else None,
            description=input.description if _given(input.description) else None,
            industry_chain=input.industry_chain if _given(input.industry_chain) else None,
            urgency=input.urgency if _given(input.urgency) else None,
            region=input.region if _given(input.region) else None,
            reward=input.reward if _given(input.reward) else None,
            deadline=input.deadline if _given(input.deadline) else None,
            visibility=input.visibility if _given(input.visibility) else None,
            attachments=[services.Attachment(a.title, a.url) for a in attachments]
            if isinstance(attachments, list)
            else None,
            skills=[services.SkillNeed(decode_id(s.skill_id, "Skill", "skills.skillId"), s.min_level) for s in skills]
            if isinstance(skills, list)
            else None,
            given=given,
        )
        row = await services.update_problem_as(info.context, _problem(input.id), data)
        return ProblemUpdatePayload(problem=Problem.from_model(row))

    @strawberry.mutation(description="Open a draft for bids.", metadata=ON_PROBLEM)
    async def problem_publish(self, info: Info, input: ProblemPublishInput) -> ProblemPublishPayload:
        row = await services.publish_problem_as(info.context, _problem(input.id))
        return ProblemPublishPayload(problem=Problem.from_model(row))

    @strawberry.mutation(description="Take back a draft or open problem.", metadata=ON_PROBLEM)
    async def problem_withdraw(self, info: Info, input: ProblemWithdrawInput) -> ProblemWithdrawPayload:
        row = await services.withdraw_problem_as(info.context, _problem(input.id), input.reason)
        return ProblemWithdrawPayload(problem=Problem.from_model(row))

    @strawberry.mutation(description="End an open or in-progress problem unsolved, with a reason.", metadata=ON_PROBLEM)
    async def problem_close(self, info: Info, input: ProblemCloseInput) -> ProblemClosePayload:
        row = await services.close_problem_as(info.context, _problem(input.id), input.reason)
        return ProblemClosePayload(problem=Problem.from_model(row))

    @strawberry.mutation(
        description="Form a service team (劳模工匠服务队) of an organisation.",
        metadata=in_organisation("input.organisation_id"),
    )
    async def service_team_create(self, info: Info, input: ServiceTeamCreateInput) -> ServiceTeamCreatePayload:
        org_id = decode_id(input.organisation_id, "Organisation", "organisationId")
        data = services.TeamFields(
            name=input.name,
            leader_id=decode_id(input.leader_id, "Person", "leaderId"),
            industry_chain=input.industry_chain,
            region=input.region,
            description=input.description,
            member_ids=[decode_id(m, "Person", "memberIds") for m in input.member_ids],
        )
        row = await services.create_team_as(info.context, org_id, data)
        return ServiceTeamCreatePayload(team=ServiceTeam.from_model(row))

    @strawberry.mutation(
        description="Edit a service team (admins of its organisation); only the fields given change.",
        metadata=in_owner_of(ServiceTeamModel, "ServiceTeam"),
    )
    async def service_team_update(self, info: Info, input: ServiceTeamUpdateInput) -> ServiceTeamUpdatePayload:
        names = ("name", "industry_chain", "leader_id", "region", "description")
        leader = _or_none(input.leader_id)
        data = services.TeamChanges(
            name=input.name if _given(input.name) else None,
            industry_chain=input.industry_chain if _given(input.industry_chain) else None,
            leader_id=decode_id(leader, "Person", "leaderId") if isinstance(leader, str) else None,
            region=input.region if _given(input.region) else None,
            description=input.description if _given(input.description) else None,
            given={name for name in names if _given(getattr(input, name))},
        )
        row = await services.update_team_as(info.context, decode_id(input.id, "ServiceTeam", "id"), data)
        return ServiceTeamUpdatePayload(team=ServiceTeam.from_model(row))

    @strawberry.mutation(
        description="Set a service team's members (its leader or its organisation's admins).",
        metadata=in_owner_of(ServiceTeamModel, "ServiceTeam"),
    )
    async def service_team_members_set(
        self, info: Info, input: ServiceTeamMembersSetInput
    ) -> ServiceTeamMembersSetPayload:
        members = [decode_id(m, "Person", "memberIds") for m in input.member_ids]
        row = await services.set_team_members_as(info.context, decode_id(input.id, "ServiceTeam", "id"), members)
        return ServiceTeamMembersSetPayload(team=ServiceTeam.from_model(row))

    @strawberry.mutation(
        description="Publish what a person, a studio or a service team offers.", metadata=in_no_organisation()
    )
    async def offer_create(self, info: Info, input: OfferCreateInput) -> OfferCreatePayload:
        data = services.OfferFields(
            kind=input.kind,
            title=input.title,
            description=input.description,
            person_id=decode_optional_id(input.person_id, "Person", "personId"),
            organisation_id=decode_optional_id(input.organisation_id, "Organisation", "organisationId"),
            team_id=decode_optional_id(input.team_id, "ServiceTeam", "teamId"),
            skill_ids=[decode_id(s, "Skill", "skillIds") for s in input.skill_ids],
            specialties=input.specialties,
            research_directions=input.research_directions,
            industry_chain=input.industry_chain,
            region=input.region,
            availability=input.availability,
        )
        row = await services.create_offer_as(info.context, data)
        return OfferCreatePayload(offer=Offer.from_model(row))

    @strawberry.mutation(
        description="Edit an offer or switch it on or off (its owner); only the fields given change.",
        metadata=in_no_organisation(),
    )
    async def offer_update(self, info: Info, input: OfferUpdateInput) -> OfferUpdatePayload:
        names = (
            "active",
            "title",
            "description",
            "skill_ids",
            "specialties",
            "research_directions",
            "industry_chain",
            "region",
            "availability",
        )
        given = {name for name in names if _given(getattr(input, name))}
        skill_ids = _or_none(input.skill_ids)
        data = services.OfferChanges(
            **{name: _or_none(getattr(input, name)) for name in names if name != "skill_ids"},  # type: ignore[arg-type]
            skill_ids=[decode_id(s, "Skill", "skillIds") for s in skill_ids] if isinstance(skill_ids, list) else None,
            given=given,
        )
        row = await services.update_offer_as(info.context, decode_id(input.id, "Offer", "id"), data)
        return OfferUpdatePayload(offer=Offer.from_model(row))

    @strawberry.mutation(
        description="Apply to take a problem (揭榜) with an offer you own.",
        metadata=in_owner_of(ProblemModel, "Problem", "input.problem_id"),
    )
    async def bid_create(self, info: Info, input: BidCreateInput) -> BidCreatePayload:
        data = bids.BidFields(
            problem_id=_problem(input.problem_id, "problemId"),
            offer_id=decode_id(input.offer_id, "Offer", "offerId"),
            plan=input.plan,
            timeline=input.timeline,
            finish_by=input.finish_by,
            member_ids=[decode_id(m, "Person", "memberIds") for m in input.member_ids],
        )
        row = await bids.create_bid_as(info.context, data)
        return BidCreatePayload(bid=Bid.from_model(row))

    @strawberry.mutation(description="Select a bid (the poster), within `max_teams`.", metadata=ON_BID)
    async def bid_accept(self, info: Info, input: BidAcceptInput) -> BidAcceptPayload:
        bid, problem = await bids.accept_bid_as(info.context, _bid(input.id))
        return BidAcceptPayload(bid=Bid.from_model(bid), problem=Problem.from_model(problem))

    @strawberry.mutation(description="Decline a bid with a reason (the poster).", metadata=ON_BID)
    async def bid_decline(self, info: Info, input: BidDeclineInput) -> BidDeclinePayload:
        row = await bids.decline_bid_as(info.context, _bid(input.id), input.reason)
        return BidDeclinePayload(bid=Bid.from_model(row))

    @strawberry.mutation(description="Withdraw a pending bid (the offer's owner).", metadata=ON_BID)
    async def bid_withdraw(self, info: Info, input: BidWithdrawInput) -> BidWithdrawPayload:
        row = await bids.withdraw_bid_as(info.context, _bid(input.id))
        return BidWithdrawPayload(bid=Bid.from_model(row))

    @strawberry.mutation(
        description="Plan a milestone (the poster or the team).",
        metadata=in_owner_of(ProblemModel, "Problem", "input.problem_id"),
    )
    async def problem_milestone_add(self, info: Info, input: ProblemMilestoneAddInput) -> ProblemMilestoneAddPayload:
        row = await progress.add_milestone_as(
            info.context, _problem(input.problem_id, "problemId"), input.title, input.due
        )
        return ProblemMilestoneAddPayload(milestone=ProblemMilestone.from_model(row))

    @strawberry.mutation(
        description="Mark a milestone done (the team).",
        metadata=in_owner_of(MilestoneModel, "ProblemMilestone", organisation="problem__organisation_id"),
    )
    async def problem_milestone_complete(
        self, info: Info, input: ProblemMilestoneCompleteInput
    ) -> ProblemMilestoneCompletePayload:
        row, _ = await progress.complete_milestone_as(info.context, decode_id(input.id, "ProblemMilestone", "id"))
        return ProblemMilestoneCompletePayload(milestone=ProblemMilestone.from_model(row))

    @strawberry.mutation(
        description="Approve a milestone marked done (the poster).",
        metadata=in_owner_of(MilestoneModel, "ProblemMilestone", organisation="problem__organisation_id"),
    )
    async def problem_milestone_approve(
        self, info: Info, input: ProblemMilestoneApproveInput
    ) -> ProblemMilestoneApprovePayload:
        row, _ = await progress.approve_milestone_as(info.context, decode_id(input.id, "ProblemMilestone", "id"))
        return ProblemMilestoneApprovePayload(milestone=ProblemMilestone.from_model(row))

    @strawberry.mutation(
        description="Log a service visit (现场技术指导) of an accepted bid's team.",
        metadata=in_owner_of(BidModel, "Bid", "input.bid_id", organisation="problem__organisation_id"),
    )
    async def service_visit_log(self, info: Info, input: ServiceVisitLogInput) -> ServiceVisitLogPayload:
        data = progress.VisitFields(
            bid_id=_bid(input.bid_id, "bidId"),
            date=input.date,
            hours=input.hours,
            people=input.people,
            workers_trained=input.workers_trained,
            notes=input.notes,
        )
        row = await progress.log_visit_as(info.context, data)
        return ServiceVisitLogPayload(visit=ServiceVisit.from_model(row))

    @strawberry.mutation(
        description="Submit the solution (an accepted bid's team).",
        metadata=in_owner_of(BidModel, "Bid", "input.bid_id", organisation="problem__organisation_id"),
    )
    async def problem_outcome_submit(self, info: Info, input: ProblemOutcomeSubmitInput) -> ProblemOutcomeSubmitPayload:
        row = await progress.submit_outcome_as(info.context, _bid(input.bid_id, "bidId"), input.summary)
        return ProblemOutcomeSubmitPayload(outcome=ProblemOutcome.from_model(row))

    @strawberry.mutation(
        description="Accept the waiting outcome: SOLVED, with a rating and the economic benefit.", metadata=ON_PROBLEM
    )
    async def problem_outcome_accept(self, info: Info, input: ProblemOutcomeAcceptInput) -> ProblemOutcomeAcceptPayload:
        row = await progress.accept_outcome_as(info.context, _problem(input.id), input.rating, input.economic_benefit)
        return ProblemOutcomeAcceptPayload(problem=Problem.from_model(row))

    @strawberry.mutation(description="Send the waiting outcome back with a reason.", metadata=ON_PROBLEM)
    async def problem_outcome_return(self, info: Info, input: ProblemOutcomeReturnInput) -> ProblemOutcomeReturnPayload:
        pk = _problem(input.id)
        row = await progress.return_outcome_as(info.context, pk, input.reason)
        problem = await services.require_problem(pk)
        return ProblemOutcomeReturnPayload(outcome=ProblemOutcome.from_model(row), problem=Problem.from_model(problem))
