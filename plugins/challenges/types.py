"""GraphQL types of the challenges plugin, and the fields it adds to ``Person`` and
``Organisation``. Relations go through the per-request loaders (``loaders.py``); who sees what
is ``access.py``.
"""

# strawberry types its decorators with arguments as ``Any``; the resolvers themselves are typed.

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Self

import strawberry
from strawberry import relay

from core import errors
from core.context import Context, Info
from core.errors import UserInputError
from core.nodes import ModelNode
from core.organisations.models import Organisation as OrganisationModel
from core.organisations.types import Organisation
from core.people.models import Person as PersonModel
from core.people.types import Person
from core.relay import Connection, paginate_list
from core.skills.models import Skill as SkillModel
from core.skills.models import SkillGrade
from core.skills.types import Skill
from plugins.challenges import access, loaders, models
from plugins.challenges.matching import OfferMatch, ProblemMatch
from plugins.challenges.models import (
    BidStatus,
    MilestoneStatus,
    OfferKind,
    OutcomeStatus,
    ProblemStatus,
    Urgency,
    Visibility,
)
from plugins.challenges.stats import Figures, YearFigures

strawberry.enum(
    ProblemStatus, name="ProblemStatus", description="DRAFT → OPEN → IN_PROGRESS → SOLVED, or CLOSED / WITHDRAWN."
)
strawberry.enum(Urgency, name="ProblemUrgency")
strawberry.enum(
    Visibility,
    name="ProblemVisibility",
    description="Who sees a problem: its alliance circle, also its region, or everyone.",
)
strawberry.enum(OfferKind, name="OfferKind", description="Who offers: a person, a studio or a service team.")
strawberry.enum(BidStatus, name="BidStatus")
strawberry.enum(MilestoneStatus, name="ProblemMilestoneStatus")
strawberry.enum(OutcomeStatus, name="ProblemOutcomeStatus")


async def _organisation(info: Info, org_id: int) -> Organisation:
    row = await info.context.loaders.by_id(OrganisationModel).load(org_id)
    assert row is not None  # the foreign key guarantees it
    return Organisation.from_model(row)


async def _person(info: Info, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    row = await info.context.loaders.by_id(PersonModel).load(person_id)
    return Person.from_model(row) if row else None


async def _problem_row(ctx: Context, problem_id: int) -> models.Problem:
    row = await ctx.loaders.by_id(models.Problem).load(problem_id)
    assert row is not None
    return row


@strawberry.type(description="A link attached to a problem (drawings, photos, specifications).")
class ProblemAttachment:
    title: str
    url: str


@strawberry.type(description="A skill a problem needs, at `minLevel` or better.")
class ProblemSkillNeed:
    min_level: int = strawberry.field(description="1 (高级技师) … 5 (初级工): this level or better is needed.")
    skill_id: strawberry.Private[int]

    @strawberry.field
    async def skill(self, info: Info) -> Skill:
        row = await info.context.loaders.by_id(SkillModel).load(self.skill_id)
        assert row is not None
        return Skill.from_model(row)

    @strawberry.field(description="`minLevel` as an enum value.")
    def min_grade(self) -> SkillGrade:
        return SkillGrade(self.min_level)


@strawberry.type(description="A technical problem an organisation posts (需求清单), to be taken on (揭榜).")
class Problem(ModelNode):
    id: relay.NodeID[int]
    title: str
    description: str
    industry_chain: str
    urgency: Urgency
    region: str
    reward: int | None = strawberry.field(description="Offered reward in yuan, if any.")
    deadline: date | None
    visibility: Visibility
    status: ProblemStatus
    close_reason: str = strawberry.field(description="Why it was closed unsolved or withdrawn.")
    rating: int | None = strawberry.field(description="The poster's rating (1–5) of the accepted outcome.")
    economic_benefit: int | None = strawberry.field(description="Economic benefit in yuan, stated when solved.")
    created_at: datetime
    opened_at: datetime | None
    taken_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    attachments_raw: strawberry.Private[list[dict[str, str]]]
    organisation_id: strawberry.Private[int]
    posted_by_id: strawberry.Private[int | None]

    @classmethod
    def model(cls) -> type[models.Problem]:
        return models.Problem

    @classmethod
    async def can_see(cls, ctx: Context, row: models.Problem) -> bool:
        return await access.can_see_problem(ctx, row)

    @classmethod
    async def can_see_private(cls, ctx: Context, row: models.Problem) -> bool:
        return await access.can_see_private(ctx, row)

    @classmethod
    def from_model(cls, row: models.Problem) -> Self:
        return cls(
            id=row.id,
            title=row.title,
            description=row.description,
            industry_chain=row.industry_chain,
            urgency=row.urgency,
            region=row.region,
            reward=row.reward,
            deadline=row.deadline,
            visibility=row.visibility,
            status=row.status,
            close_reason=row.close_reason,
            rating=row.rating,
            economic_benefit=row.economic_benefit,
            created_at=row.created_at,
            opened_at=row.opened_at,
            taken_at=row.taken_at,
            solved_at=row.solved_at,
            closed_at=row.closed_at,
            attachments_raw=list(row.attachments or []),
            organisation_id=row.organisation_id,
            posted_by_id=row.posted_by_id,
        )

    @strawberry.field
    def attachments(self) -> list[ProblemAttachment]:
        return [
            ProblemAttachment(title=str(a.get("title", "")), url=str(a.get("url", ""))) for a in self.attachments_raw
        ]

    @strawberry.field(description="The posting organisation.")
    async def organisation(self, info: Info) -> Organisation:
        return await _organisation(info, self.organisation_id)

    @strawberry.field(description="The admin who posted it.")
    async def posted_by(self, info: Info) -> Person | None:
        return await _person(info, self.posted_by_id)

    @strawberry.field(description="Skills needed, each with the minimum level.")
    async def skills(self, info: Info) -> list[ProblemSkillNeed]:
        rows = await loaders.skill_needs_by_problem(info.context, self.id)
        return [ProblemSkillNeed(min_level=r.min_level, skill_id=r.skill_id) for r in rows]

    @strawberry.field(description="Bids still standing (pending or accepted).")
    async def bid_count(self, info: Info) -> int:
        return await loaders.bid_count_by_problem(info.context, self.id)

    @strawberry.field(description="Bids: the poster sees all; others only the bids they made or are named in.")
    async def bids(self, info: Info, status: BidStatus | None = None) -> list[Bid]:
        rows = [r for r in await loaders.bids_by_problem(info.context, self.id) if status is None or r.status == status]
        return [Bid.from_model(r) for r in rows if await access.can_see_bid(info.context, r)]

    @strawberry.field(description="The team: offers whose bids were accepted.")
    async def team(self, info: Info) -> list[Offer]:
        rows = [r for r in await loaders.bids_by_problem(info.context, self.id) if r.status == BidStatus.ACCEPTED]
        offers = await info.context.loaders.by_id(models.Offer).load_many([r.offer_id for r in rows])
        return [Offer.from_model(o) for o in offers if o is not None]

    @strawberry.field
    async def milestones(self, info: Info) -> list[ProblemMilestone]:
        return [ProblemMilestone.from_model(r) for r in await loaders.milestones_by_problem(info.context, self.id)]

    @strawberry.field(description="Service visits (现场技术指导), oldest first.")
    async def visits(self, info: Info) -> list[ServiceVisit]:
        return [ServiceVisit.from_model(r) for r in await loaders.visits_by_problem(info.context, self.id)]

    @strawberry.field(description="Submitted solutions: the poster and the team (others: empty).")
    async def outcomes(self, info: Info) -> list[ProblemOutcome]:
        if not await access.can_see_private(info.context, await _problem_row(info.context, self.id)):
            return []
        return [ProblemOutcome.from_model(r) for r in await loaders.outcomes_by_problem(info.context, self.id)]


@strawberry.type(description="A service team (劳模工匠服务队) led by a model worker or craftsman, for a chain.")
class ServiceTeam(ModelNode):
    id: relay.NodeID[int]
    name: str
    industry_chain: str
    region: str
    description: str
    created_at: datetime
    organisation_id: strawberry.Private[int]
    leader_id: strawberry.Private[int]

    @classmethod
    def model(cls) -> type[models.ServiceTeam]:
        return models.ServiceTeam

    @classmethod
    def from_model(cls, row: models.ServiceTeam) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            industry_chain=row.industry_chain,
            region=row.region,
            description=row.description,
            created_at=row.created_at,
            organisation_id=row.organisation_id,
            leader_id=row.leader_id,
        )

    @strawberry.field(description="The organisation that formed it.")
    async def organisation(self, info: Info) -> Organisation:
        return await _organisation(info, self.organisation_id)

    @strawberry.field
    async def leader(self, info: Info) -> Person:
        found = await _person(info, self.leader_id)
        assert found is not None
        return found

    @strawberry.field
    async def members(self, info: Info) -> list[Person]:
        return [Person.from_model(p) for p in await loaders.members_by_team(info.context, self.id)]


ChallengeCandidate = Annotated[
    Person | Organisation | ServiceTeam,
    strawberry.union("ChallengeCandidate", description="Who an offer is from: a person, a studio or a service team."),
]


async def _candidate(info: Info, kind: OfferKind, owner_id: int) -> Person | Organisation | ServiceTeam | None:
    if kind == OfferKind.PERSON:
        return await _person(info, owner_id)
    if kind == OfferKind.STUDIO:
        return await _organisation(info, owner_id)
    row = await info.context.loaders.by_id(models.ServiceTeam).load(owner_id)
    return ServiceTeam.from_model(row) if row else None


@strawberry.type(description="What a person, a studio or a service team offers (资源清单 / 科研清单).")
class Offer(ModelNode):
    id: relay.NodeID[int]
    kind: OfferKind
    title: str
    description: str
    specialties: list[str]
    research_directions: list[str]
    industry_chain: str
    region: str
    availability: str
    active: bool
    created_at: datetime
    person_id: strawberry.Private[int | None]
    organisation_id: strawberry.Private[int | None]
    team_id: strawberry.Private[int | None]

    @classmethod
    def model(cls) -> type[models.Offer]:
        return models.Offer

    @classmethod
    def from_model(cls, row: models.Offer) -> Self:
        return cls(
            id=row.id,
            kind=row.kind,
            title=row.title,
            description=row.description,
            specialties=list(row.specialties or []),
            research_directions=list(row.research_directions or []),
            industry_chain=row.industry_chain,
            region=row.region,
            availability=row.availability,
            active=row.active,
            created_at=row.created_at,
            person_id=row.person_id,
            organisation_id=row.organisation_id,
            team_id=row.team_id,
        )

    @strawberry.field(description="The person, studio or service team offering.")
    async def owner(self, info: Info) -> ChallengeCandidate | None:
        owner_id = self.person_id or self.organisation_id or self.team_id
        return None if owner_id is None else await _candidate(info, self.kind, owner_id)

    @strawberry.field(description="Skills the offer lists (levels are the people's own, in core).")
    async def skills(self, info: Info) -> list[Skill]:
        return [Skill.from_model(s) for s in await loaders.skills_by_offer(info.context, self.id)]

    @strawberry.field(description="Problems in progress it works on (current load).")
    async def load(self, info: Info) -> int:
        return await loaders.load_by_offer(info.context, self.id)


@strawberry.type(description="An offer's application to take a problem (揭榜).")
class Bid(ModelNode):
    id: relay.NodeID[int]
    status: BidStatus
    plan: str
    timeline: str
    finish_by: date | None
    decline_reason: str
    created_at: datetime
    decided_at: datetime | None
    problem_id: strawberry.Private[int]
    offer_id: strawberry.Private[int]
    member_ids: strawberry.Private[list[int]]

    @classmethod
    def model(cls) -> type[models.Bid]:
        return models.Bid

    @classmethod
    async def can_see(cls, ctx: Context, row: models.Bid) -> bool:
        return await access.can_see_bid(ctx, row)

    @classmethod
    def from_model(cls, row: models.Bid) -> Self:
        return cls(
            id=row.id,
            status=row.status,
            plan=row.plan,
            timeline=row.timeline,
            finish_by=row.finish_by,
            decline_reason=row.decline_reason,
            created_at=row.created_at,
            decided_at=row.decided_at,
            problem_id=row.problem_id,
            offer_id=row.offer_id,
            member_ids=list(row.member_ids or []),
        )

    @strawberry.field
    async def problem(self, info: Info) -> Problem:
        return Problem.from_model(await _problem_row(info.context, self.problem_id))

    @strawberry.field
    async def offer(self, info: Info) -> Offer:
        row = await info.context.loaders.by_id(models.Offer).load(self.offer_id)
        assert row is not None
        return Offer.from_model(row)

    @strawberry.field(description="The people the bid names as its team.")
    async def members(self, info: Info) -> list[Person]:
        return [Person.from_model(p) for p in await loaders.people(info.context, self.member_ids)]


@strawberry.type(description="A step of the work: the team marks it done, the poster approves it.")
class ProblemMilestone(ModelNode):
    id: relay.NodeID[int]
    title: str
    due: date | None
    status: MilestoneStatus
    done_at: datetime | None
    approved_at: datetime | None
    problem_id: strawberry.Private[int]

    @classmethod
    def model(cls) -> type[models.Milestone]:
        return models.Milestone

    @classmethod
    async def can_see(cls, ctx: Context, row: models.Milestone) -> bool:
        return await access.can_see_problem(ctx, await _problem_row(ctx, row.problem_id))

    @classmethod
    def from_model(cls, row: models.Milestone) -> Self:
        return cls(
            id=row.id,
            title=row.title,
            due=row.due,
            status=row.status,
            done_at=row.done_at,
            approved_at=row.approved_at,
            problem_id=row.problem_id,
        )

    @strawberry.field
    async def problem(self, info: Info) -> Problem:
        return Problem.from_model(await _problem_row(info.context, self.problem_id))


@strawberry.type(description="A service visit (现场技术指导 / 助企行): 场次 and 人次.")
class ServiceVisit(ModelNode):
    id: relay.NodeID[int]
    date: date
    hours: float
    people: int = strawberry.field(description="People of the team on the visit.")
    workers_trained: int = strawberry.field(description="The poster's workers trained on the visit (人次).")
    notes: str
    problem_id: strawberry.Private[int]
    bid_id: strawberry.Private[int]

    @classmethod
    def model(cls) -> type[models.ServiceVisit]:
        return models.ServiceVisit

    @classmethod
    async def can_see(cls, ctx: Context, row: models.ServiceVisit) -> bool:
        return await access.can_see_problem(ctx, await _problem_row(ctx, row.problem_id))

    @classmethod
    def from_model(cls, row: models.ServiceVisit) -> Self:
        return cls(
            id=row.id,
            date=row.date,
            hours=row.hours,
            people=row.people,
            workers_trained=row.workers_trained,
            notes=row.notes,
            problem_id=row.problem_id,
            bid_id=row.bid_id,
        )

    @strawberry.field
    async def problem(self, info: Info) -> Problem:
        return Problem.from_model(await _problem_row(info.context, self.problem_id))

    @strawberry.field(description="The team's offer that made the visit.")
    async def offer(self, info: Info) -> Offer | None:
        bid = await info.context.loaders.by_id(models.Bid).load(self.bid_id)
        row = await info.context.loaders.by_id(models.Offer).load(bid.offer_id) if bid else None
        return Offer.from_model(row) if row else None


@strawberry.type(description="A solution summary the team submits; the poster accepts or returns it.")
class ProblemOutcome(ModelNode):
    id: relay.NodeID[int]
    summary: str
    status: OutcomeStatus
    return_reason: str
    submitted_at: datetime
    decided_at: datetime | None
    problem_id: strawberry.Private[int]

    @classmethod
    def model(cls) -> type[models.Outcome]:
        return models.Outcome

    @classmethod
    async def can_see(cls, ctx: Context, row: models.Outcome) -> bool:
        return await access.can_see_private(ctx, await _problem_row(ctx, row.problem_id))

    @classmethod
    def from_model(cls, row: models.Outcome) -> Self:
        return cls(
            id=row.id,
            summary=row.summary,
            status=row.status,
            return_reason=row.return_reason,
            submitted_at=row.submitted_at,
            decided_at=row.decided_at,
            problem_id=row.problem_id,
        )


@strawberry.type(description="One ranked candidate for a problem, with its score (0–100) and reasons.")
class ProblemCandidateMatch:
    score: float
    reasons: list[str]
    kind: OfferKind
    owner_id: strawberry.Private[int]
    offer_id: strawberry.Private[int]

    @classmethod
    def from_match(cls, match: OfferMatch) -> Self:
        return cls(
            score=match.score, reasons=match.reasons, kind=match.kind, owner_id=match.owner_id, offer_id=match.offer_id
        )

    @strawberry.field
    async def candidate(self, info: Info) -> ChallengeCandidate | None:
        return await _candidate(info, self.kind, self.owner_id)

    @strawberry.field
    async def offer(self, info: Info) -> Offer:
        row = await info.context.loaders.by_id(models.Offer).load(self.offer_id)
        assert row is not None
        return Offer.from_model(row)


@strawberry.type(description="One open problem ranked for an offer, with its score (0–100) and reasons.")
class OfferProblemMatch:
    score: float
    reasons: list[str]
    problem_id: strawberry.Private[int]

    @classmethod
    def from_match(cls, match: ProblemMatch) -> Self:
        return cls(score=match.score, reasons=match.reasons, problem_id=match.problem_id)

    @strawberry.field
    async def problem(self, info: Info) -> Problem:
        return Problem.from_model(await _problem_row(info.context, self.problem_id))


@strawberry.type(description="Challenge figures for a year (or for one industry chain of it).")
class ChallengeFigures:
    industry_chain: str | None = strawberry.field(description="Null for the year's totals.")
    posted: int
    taken: int
    solved: int
    economic_benefit: int = strawberry.field(description="Of the problems solved, in yuan.")
    service_visits: int = strawberry.field(description="场次")
    workers_trained: int = strawberry.field(description="人次")
    visit_hours: float

    @classmethod
    def from_figures(cls, chain: str | None, f: Figures) -> Self:
        return cls(
            industry_chain=chain,
            posted=f.posted,
            taken=f.taken,
            solved=f.solved,
            economic_benefit=f.economic_benefit,
            service_visits=f.service_visits,
            workers_trained=f.workers_trained,
            visit_hours=f.visit_hours,
        )


@strawberry.type(description="What an organisation (and everything under it) did in challenges in a year.")
class ChallengeStats:
    year: int
    total: ChallengeFigures
    chains: list[ChallengeFigures] = strawberry.field(description="Per industry chain, by name.")

    @strawberry.field
    def posted(self) -> int:
        return self.total.posted

    @strawberry.field
    def solved(self) -> int:
        return self.total.solved

    @classmethod
    def from_year(cls, year: int, found: YearFigures) -> Self:
        return cls(
            year=year,
            total=ChallengeFigures.from_figures(None, found.total),
            chains=[ChallengeFigures.from_figures(name, f) for name, f in sorted(found.chains.items())],
        )


# Fields on core types (``extend_types``) ---------------------------------------------------------


@strawberry.type
class OrganisationChallengesFields:
    @strawberry.field(description="Problems the organisation posted that the viewer may see, newest first.")
    @staticmethod
    async def problems(
        parent: strawberry.Parent[Organisation],
        info: Info,
        status: ProblemStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Problem]:
        rows = [
            r
            for r in await loaders.problems_by_organisation(info.context, parent.id)
            if status is None or r.status == status
        ]
        rows = await access.visible_problem_rows(info.context, rows)
        return paginate_list(rows, first, after, Problem.from_model)


@strawberry.type
class PersonChallengesFields:
    @strawberry.field(description="The person's own offers (the resource list is public).")
    @staticmethod
    async def challenge_offers(parent: strawberry.Parent[Person], info: Info) -> list[Offer]:
        return [Offer.from_model(r) for r in await loaders.offers_by_person(info.context, parent.id)]


def check_year(year: int) -> None:
    from plugins.challenges.stats import FIRST_YEAR, LAST_YEAR

    if not FIRST_YEAR <= year < LAST_YEAR:
        raise UserInputError(errors.OUT_OF_RANGE, f"`year` must be between {FIRST_YEAR} and {LAST_YEAR - 1}", "year")
