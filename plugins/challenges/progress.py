"""Following a problem through: milestones (the team marks them done, the poster approves),
service visits (现场技术指导 / 助企行, logged by the team), and the outcome (the team submits a
solution summary; the poster accepts it, which solves the problem with a rating and the economic
benefit, or sends it back with a reason).

Milestones: ``PLANNED --complete (team)--> DONE --approve (poster)--> APPROVED``. Outcomes:
``SUBMITTED --accept--> ACCEPTED`` (the problem becomes SOLVED) or ``--return--> RETURNED``; a
team submits again after a return, and only one outcome waits at a time (``OUTCOME_PENDING``).

Solving records who solved it (``ProblemSolver``: the people every accepted bid names, its
author and the offer's person or team leader) and emits ``challenges.problem_solved`` with
``{problemId, title, organisationId, solverOrganisationIds, solverPersonIds, economicBenefit,
solvedAt, industryChain}``, subject the problem: other plugins (the alliance's achievements)
observe it without importing this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tortoise.transactions import in_transaction

from core import errors
from core.context import Context
from core.errors import UserInputError
from core.events import emit
from core.plugin_api import DomainEvent
from core.relay import to_global_id
from core.runtime import Runtime
from core.validation import Checks
from plugins.challenges import access, services
from plugins.challenges import errors as challenge_errors
from plugins.challenges.bids import require_bid
from plugins.challenges.models import (
    Bid,
    BidStatus,
    Milestone,
    MilestoneStatus,
    Offer,
    Outcome,
    OutcomeStatus,
    Problem,
    ProblemSolver,
    ProblemStatus,
    ServiceTeam,
    ServiceVisit,
)

SUMMARY_MAX = 10_000
MAX_HOURS = 240.0
MAX_PEOPLE = 200
MAX_TRAINED = 100_000
VISIT_PAST = timedelta(days=366)
WORKING = (ProblemStatus.IN_PROGRESS,)


async def require_milestone(milestone_id: int, field: str = "id") -> Milestone:
    row = await Milestone.get_or_none(id=milestone_id)
    if row is None:
        raise UserInputError(errors.NOT_FOUND, f"No milestone with this `{field}`", field)
    return row


def _invalid_milestone(row: Milestone, action: str) -> UserInputError:
    return UserInputError(
        challenge_errors.INVALID_TRANSITION, f"A {row.status.value} milestone cannot be {action}", "id"
    )


async def _require_working(problem_id: int, action: str, field: str = "id") -> Problem:
    problem = await services.require_problem(problem_id, field)
    if problem.status not in WORKING:
        raise services.invalid_transition(problem, action, field)
    return problem


# Milestones -----------------------------------------------------------------------------------


async def add_milestone(rt: Runtime, problem_id: int, title: str, due: date | None) -> Milestone:
    checks = Checks()
    text = checks.text(title, "title", services.TITLE_MAX, single_line=True)
    checks.raise_if_any()
    await _require_working(problem_id, "given milestones", "problemId")
    return await Milestone.create(problem_id=problem_id, title=text, due=due)


async def add_milestone_as(ctx: Context, problem_id: int, title: str, due: date | None) -> Milestone:
    """The poster or the team."""
    problem = await services.require_problem(problem_id, "problemId")
    access.require_signed_in(ctx)
    if not (await access.can_manage(ctx, problem.organisation_id) or await access.is_on_problem_team(ctx, problem.id)):
        await access.require_see_problem(ctx, problem, "problemId")
        raise UserInputError(
            challenge_errors.NOT_ON_TEAM, "Only the poster or the team may plan milestones", "problemId"
        )
    return await add_milestone(ctx.rt, problem_id, title, due)


async def complete_milestone(rt: Runtime, milestone_id: int) -> tuple[Milestone, Problem]:
    row = await require_milestone(milestone_id)
    problem = await _require_working(row.problem_id, "worked on")
    if row.status != MilestoneStatus.PLANNED:
        raise _invalid_milestone(row, "marked done")
    updated = await Milestone.filter(id=row.id, status=MilestoneStatus.PLANNED).update(
        status=MilestoneStatus.DONE, done_at=rt.now()
    )
    if not updated:
        raise _invalid_milestone(await require_milestone(milestone_id), "marked done")
    row = await require_milestone(milestone_id)
    await emit(
        rt,
        services.problem_event(
            "milestone_done", problem, milestoneId=to_global_id("ProblemMilestone", row.id), milestoneTitle=row.title
        ),
    )
    return row, problem


async def complete_milestone_as(ctx: Context, milestone_id: int) -> tuple[Milestone, Problem]:
    """The team."""
    row = await require_milestone(milestone_id)
    access.require_signed_in(ctx)
    if not await access.is_on_problem_team(ctx, row.problem_id):
        raise UserInputError(challenge_errors.NOT_ON_TEAM, "Only the team marks milestones done", "id")
    return await complete_milestone(ctx.rt, milestone_id)


async def approve_milestone(rt: Runtime, milestone_id: int) -> tuple[Milestone, Problem]:
    row = await require_milestone(milestone_id)
    problem = await services.require_problem(row.problem_id)
    if row.status != MilestoneStatus.DONE:
        raise _invalid_milestone(row, "approved")
    updated = await Milestone.filter(id=row.id, status=MilestoneStatus.DONE).update(
        status=MilestoneStatus.APPROVED, approved_at=rt.now()
    )
    if not updated:
        raise _invalid_milestone(await require_milestone(milestone_id), "approved")
    row = await require_milestone(milestone_id)
    await emit(
        rt,
        services.problem_event(
            "milestone_approved",
            problem,
            milestoneId=to_global_id("ProblemMilestone", row.id),
            milestoneTitle=row.title,
        ),
    )
    return row, problem


async def approve_milestone_as(ctx: Context, milestone_id: int) -> tuple[Milestone, Problem]:
    """The poster."""
    row = await require_milestone(milestone_id)
    await access.require_poster(ctx, await services.require_problem(row.problem_id))
    return await approve_milestone(ctx.rt, milestone_id)


# Service visits -------------------------------------------------------------------------------


@dataclass
class VisitFields:
    bid_id: int
    date: date
    hours: float
    people: int
    workers_trained: int = 0
    notes: str | None = None


async def log_visit(rt: Runtime, data: VisitFields, by: int | None) -> ServiceVisit:
    bid = await require_bid(data.bid_id, "bidId")
    checks = Checks()
    today = rt.now().date()
    if data.date > today:
        checks.add(errors.OUT_OF_RANGE, "`date` must not be in the future", "date")
    elif data.date < today - VISIT_PAST:
        checks.add(errors.OUT_OF_RANGE, f"`date` must be within the last {VISIT_PAST.days} days", "date")
    if not 0 < data.hours <= MAX_HOURS:
        checks.add(errors.OUT_OF_RANGE, f"`hours` must be more than 0 and at most {MAX_HOURS:g}", "hours")
    checks.in_range(data.people, "people", 1, MAX_PEOPLE)
    checks.in_range(data.workers_trained, "workersTrained", 0, MAX_TRAINED)
    notes = checks.text(data.notes, "notes", services.TEXT_MAX, required=False)
    checks.raise_if_any()
    if bid.status != BidStatus.ACCEPTED:
        raise UserInputError(challenge_errors.NOT_ON_TEAM, "Only an accepted bid's team logs visits", "bidId")
    problem = await services.require_problem(bid.problem_id)
    if problem.status not in (ProblemStatus.IN_PROGRESS, ProblemStatus.SOLVED):
        raise services.invalid_transition(problem, "visited", "bidId")
    visit = await ServiceVisit.create(
        problem_id=problem.id,
        bid_id=bid.id,
        organisation_id=bid.organisation_id,
        logged_by_id=by,
        date=data.date,
        hours=data.hours,
        people=data.people,
        workers_trained=data.workers_trained,
        notes=notes,
    )
    await emit(
        rt,
        services.problem_event(
            "visit_logged",
            problem,
            visitId=to_global_id("ServiceVisit", visit.id),
            hours=visit.hours,
            workersTrained=visit.workers_trained,
        ),
    )
    return visit


async def log_visit_as(ctx: Context, data: VisitFields) -> ServiceVisit:
    """The team of the accepted bid."""
    await access.require_team(ctx, await require_bid(data.bid_id, "bidId"), "bidId")
    return await log_visit(ctx.rt, data, ctx.viewer.person_id)


# Outcomes -------------------------------------------------------------------------------------


async def submit_outcome(rt: Runtime, bid_id: int, summary: str) -> Outcome:
    checks = Checks()
    text = checks.text(summary, "summary", SUMMARY_MAX)
    checks.raise_if_any()
    bid = await require_bid(bid_id, "bidId")
    if bid.status != BidStatus.ACCEPTED:
        raise UserInputError(challenge_errors.NOT_ON_TEAM, "Only an accepted bid's team submits", "bidId")
    async with in_transaction():
        problem = await services.locked_problem(bid.problem_id, "bidId")
        if problem.status not in WORKING:
            raise services.invalid_transition(problem, "given an outcome", "bidId")
        if await Outcome.exists(problem_id=problem.id, status=OutcomeStatus.SUBMITTED):
            raise UserInputError(
                challenge_errors.OUTCOME_PENDING, "An outcome already waits for the poster's decision", "bidId"
            )
        outcome = await Outcome.create(problem_id=problem.id, bid_id=bid.id, summary=text, submitted_at=rt.now())
    await emit(
        rt, services.problem_event("outcome_submitted", problem, outcomeId=to_global_id("ProblemOutcome", outcome.id))
    )
    return outcome


async def submit_outcome_as(ctx: Context, bid_id: int, summary: str) -> Outcome:
    """The team of the accepted bid."""
    await access.require_team(ctx, await require_bid(bid_id, "bidId"), "bidId")
    return await submit_outcome(ctx.rt, bid_id, summary)


async def solvers_of(problem_id: int) -> tuple[list[int], list[int]]:
    """(organisation ids, person ids) of the team: every accepted bid's organisation, people,
    author, and the offer's person or team leader."""
    bids = await Bid.filter(problem_id=problem_id, status=BidStatus.ACCEPTED).order_by("id")
    offers = {o.id: o for o in await Offer.filter(id__in=[b.offer_id for b in bids] or [0])}
    teams = {t.id: t for t in await ServiceTeam.filter(id__in=[o.team_id for o in offers.values() if o.team_id] or [0])}
    orgs: list[int] = []
    people: list[int] = []
    for bid in bids:
        if bid.organisation_id is not None:
            orgs.append(bid.organisation_id)
        offer = offers[bid.offer_id]
        owner = offer.person_id or (teams[offer.team_id].leader_id if offer.team_id in teams else None)
        people += [p for p in (owner, bid.created_by_id, *bid.member_ids) if p is not None]
    return sorted(set(orgs)), sorted(set(people))


async def accept_outcome(rt: Runtime, problem_id: int, rating: int, economic_benefit: int) -> Problem:
    """The waiting outcome is accepted: SOLVED, with the rating (1–5) and the benefit (yuan)."""
    checks = Checks()
    checks.in_range(rating, "rating", 1, 5)
    services.check_yuan(checks, economic_benefit, "economicBenefit")
    checks.raise_if_any()
    now = rt.now()
    async with in_transaction():
        problem = await services.locked_problem(problem_id)
        if problem.status not in WORKING:
            raise services.invalid_transition(problem, "solved")
        outcome = await Outcome.select_for_update().get_or_none(problem_id=problem.id, status=OutcomeStatus.SUBMITTED)
        if outcome is None:
            raise UserInputError(challenge_errors.NO_OUTCOME, "No outcome waits for a decision", "id")
        await Outcome.filter(id=outcome.id).update(status=OutcomeStatus.ACCEPTED, decided_at=now)
        problem.status, problem.solved_at = ProblemStatus.SOLVED, now
        problem.rating, problem.economic_benefit = rating, economic_benefit
        await problem.save(update_fields=["status", "solved_at", "rating", "economic_benefit", "updated_at"])
        org_ids, person_ids = await solvers_of(problem.id)
        await ProblemSolver.bulk_create(
            [ProblemSolver(problem_id=problem.id, person_id=p, solved_at=now) for p in person_ids]
        )
    subject = to_global_id("Problem", problem.id)
    await emit(
        rt,
        DomainEvent(
            "challenges.problem_solved",
            {
                "problemId": subject,
                "title": problem.title,
                "organisationId": problem.organisation_id,
                "solverOrganisationIds": org_ids,
                "solverPersonIds": person_ids,
                "economicBenefit": economic_benefit,
                "solvedAt": now.isoformat(),
                "industryChain": problem.industry_chain,
            },
            organisation_id=problem.organisation_id,
            subject=subject,
        ),
    )
    return problem


async def accept_outcome_as(ctx: Context, problem_id: int, rating: int, economic_benefit: int) -> Problem:
    """The poster."""
    await access.require_poster(ctx, await services.require_problem(problem_id))
    return await accept_outcome(ctx.rt, problem_id, rating, economic_benefit)


async def return_outcome(rt: Runtime, problem_id: int, reason: str) -> Outcome:
    checks = Checks()
    text = checks.text(reason, "reason", services.REASON_MAX)
    checks.raise_if_any()
    async with in_transaction():
        problem = await services.locked_problem(problem_id)
        outcome = await Outcome.select_for_update().get_or_none(problem_id=problem.id, status=OutcomeStatus.SUBMITTED)
        if outcome is None:
            raise UserInputError(challenge_errors.NO_OUTCOME, "No outcome waits for a decision", "id")
        outcome.status, outcome.return_reason, outcome.decided_at = OutcomeStatus.RETURNED, text, rt.now()
        await outcome.save(update_fields=["status", "return_reason", "decided_at"])
    await emit(
        rt, services.problem_event("outcome_returned", problem, outcomeId=to_global_id("ProblemOutcome", outcome.id))
    )
    return outcome


async def return_outcome_as(ctx: Context, problem_id: int, reason: str) -> Outcome:
    """The poster."""
    await access.require_poster(ctx, await services.require_problem(problem_id))
    return await return_outcome(ctx.rt, problem_id, reason)
