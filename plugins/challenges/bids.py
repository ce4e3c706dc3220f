"""Bids (揭榜): an offer's owner applies to take an open problem; the poster accepts bids up to
the poster's ``max_teams`` setting and declines others with a reason.

Bid statuses: ``PENDING --accept--> ACCEPTED``, ``PENDING --decline--> DECLINED``,
``PENDING --withdraw--> WITHDRAWN``; a declined or withdrawn offer may bid again (the same row
reopens). Accepting is race-free: inside one transaction the problem row is locked and its
``teams`` counter taken with a conditional UPDATE (``teams < max_teams``), so concurrent
``bidAccept`` calls never accept more teams than allowed. The first accepted bid moves the
problem from OPEN to IN_PROGRESS.

A problem's own organisation (the poster, anything under it, and its members) cannot take it
unless the poster's ``allow_own_members`` setting says so (``OWN_ORGANISATION``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core import errors
from core.context import Context
from core.errors import UserInputError
from core.events import emit
from core.people.models import Membership, Person
from core.relay import to_global_id
from core.runtime import Runtime
from core.validation import Checks
from plugins.challenges import access, services
from plugins.challenges import errors as challenge_errors
from plugins.challenges.models import Bid, BidStatus, Offer, OfferKind, Problem, ProblemStatus, ServiceTeam

PLAN_MAX = 5000
TIMELINE_MAX = 500


@dataclass
class BidFields:
    problem_id: int
    offer_id: int
    plan: str
    timeline: str | None = None
    finish_by: date | None = None
    member_ids: list[int] = field(default_factory=list)


def invalid(bid: Bid, action: str) -> UserInputError:
    return UserInputError(challenge_errors.INVALID_TRANSITION, f"A {bid.status.value} bid cannot be {action}", "id")


async def require_bid(bid_id: int, field: str = "id") -> Bid:
    bid = await Bid.get_or_none(id=bid_id)
    if bid is None:
        raise UserInputError(errors.NOT_FOUND, f"No bid with this `{field}`", field)
    return bid


async def home_organisations(offer: Offer) -> set[int]:
    """The organisations an offer comes from: the studio, the team's organisation, or the
    person's organisations."""
    if offer.kind == OfferKind.STUDIO and offer.organisation_id is not None:
        return {offer.organisation_id}
    if offer.kind == OfferKind.TEAM and offer.team_id is not None:
        team = await ServiceTeam.get(id=offer.team_id)
        return {team.organisation_id}
    ids = await Membership.filter(person_id=offer.person_id).values_list("organisation_id", flat=True)
    return set(cast("list[int]", ids))


async def is_own(problem: Problem, offer: Offer) -> bool:
    """Does the offer come from the problem's organisation (or from under it)?"""
    for org_id in await home_organisations(offer):
        if problem.organisation_id in await services.lineage_ids(org_id):
            return True
    return False


async def solver_organisation(offer: Offer) -> int | None:
    if offer.kind == OfferKind.STUDIO:
        return offer.organisation_id
    if offer.kind == OfferKind.TEAM and offer.team_id is not None:
        return (await ServiceTeam.get(id=offer.team_id)).organisation_id
    return None


async def create_bid(rt: Runtime, data: BidFields, by: int | None) -> Bid:
    problem = await services.require_problem(data.problem_id, "problemId")
    offer = await services.require_offer(data.offer_id)
    checks = Checks()
    plan = checks.text(data.plan, "plan", PLAN_MAX)
    timeline = checks.text(data.timeline, "timeline", TIMELINE_MAX, required=False)
    if data.finish_by is not None and data.finish_by < rt.now().date():
        checks.add(challenge_errors.IN_THE_PAST, "`finishBy` must not be in the past", "finishBy")
    members = list(dict.fromkeys(data.member_ids))
    if len(members) > services.MAX_TEAM:
        checks.add(errors.OUT_OF_RANGE, f"A bid names at most {services.MAX_TEAM} people", "memberIds")
    elif members and await Person.filter(id__in=members).count() != len(members):
        checks.add(errors.NOT_FOUND, "`memberIds` names a person who does not exist", "memberIds")
    checks.raise_if_any()
    if not offer.active:
        raise UserInputError(challenge_errors.OFFER_INACTIVE, "This offer is not active", "offerId")
    settings = await services.settings_for(problem.organisation_id)
    if not settings.allow_own_members and await is_own(problem, offer):
        raise UserInputError(
            challenge_errors.OWN_ORGANISATION,
            "The posting organisation's own people cannot take its problem",
            "offerId",
        )
    solver_org = await solver_organisation(offer)
    async with in_transaction():
        problem = await services.locked_problem(problem.id, "problemId")
        taking = problem.status == ProblemStatus.OPEN or (
            problem.status == ProblemStatus.IN_PROGRESS and problem.teams < settings.max_teams
        )
        if not taking:
            raise services.invalid_transition(problem, "bid on", "problemId")
        existing = await Bid.select_for_update().get_or_none(problem_id=problem.id, offer_id=offer.id)
        values: dict[str, Any] = {
            "plan": plan,
            "timeline": timeline,
            "finish_by": data.finish_by,
            "member_ids": members,
            "status": BidStatus.PENDING,
            "decline_reason": "",
            "decided_at": None,
            "organisation_id": solver_org,
            "created_by_id": by,
        }
        if existing is None:
            bid = await Bid.create(problem_id=problem.id, offer_id=offer.id, **values)
        elif existing.status in (BidStatus.PENDING, BidStatus.ACCEPTED):
            raise UserInputError(errors.DUPLICATE, "This offer already bid on this problem", "offerId")
        else:
            existing.update_from_dict(values)
            await existing.save()
            bid = existing
    await emit(
        rt,
        services.problem_event(
            "bid_created", problem, bidId=to_global_id("Bid", bid.id), offerId=to_global_id("Offer", offer.id)
        ),
    )
    return bid


async def create_bid_as(ctx: Context, data: BidFields) -> Bid:
    """The offer's owner, on a problem they can see."""
    access.require_signed_in(ctx)
    problem = await services.require_problem(data.problem_id, "problemId")
    await access.require_see_problem(ctx, problem, "problemId")
    await access.require_own_offer(ctx, await services.require_offer(data.offer_id), "offerId")
    return await create_bid(ctx.rt, data, ctx.viewer.person_id)


async def accept_bid(rt: Runtime, bid_id: int) -> tuple[Bid, Problem]:
    """ACCEPTED, within the poster's ``max_teams``; the first one starts the work."""
    bid = await require_bid(bid_id)
    max_teams = (
        await services.settings_for((await services.require_problem(bid.problem_id)).organisation_id)
    ).max_teams
    now = rt.now()
    async with in_transaction():
        problem = await services.locked_problem(bid.problem_id)
        bid = await Bid.select_for_update().get(id=bid_id)
        if bid.status != BidStatus.PENDING:
            raise invalid(bid, "accepted")
        if problem.status not in (ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS):
            raise services.invalid_transition(problem, "given a team")
        taken = await Problem.filter(id=problem.id, teams__lt=max_teams).update(teams=F("teams") + 1)
        if not taken:
            raise UserInputError(challenge_errors.TEAMS_FULL, f"This problem already has its {max_teams} team(s)", "id")
        await Bid.filter(id=bid.id).update(status=BidStatus.ACCEPTED, decided_at=now)
        bid.status, bid.decided_at = BidStatus.ACCEPTED, now
        if problem.status == ProblemStatus.OPEN:
            await Problem.filter(id=problem.id).update(status=ProblemStatus.IN_PROGRESS, taken_at=now)
        problem = await Problem.get(id=problem.id)
    await emit(
        rt,
        services.problem_event(
            "bid_accepted", problem, bidId=to_global_id("Bid", bid.id), offerId=to_global_id("Offer", bid.offer_id)
        ),
    )
    return bid, problem


async def _poster_of_bid(ctx: Context, bid_id: int) -> None:
    bid = await require_bid(bid_id)
    problem = await services.require_problem(bid.problem_id)
    access.require_signed_in(ctx)
    if not await access.can_manage(ctx, problem.organisation_id):
        if not await access.can_see_bid(ctx, bid):
            raise UserInputError(errors.NOT_FOUND, "No bid with this `id`", "id")
        raise UserInputError(errors.PERMISSION_DENIED, "Only admins of the posting organisation may decide", "id")


async def accept_bid_as(ctx: Context, bid_id: int) -> tuple[Bid, Problem]:
    """Admins of the posting organisation."""
    await _poster_of_bid(ctx, bid_id)
    return await accept_bid(ctx.rt, bid_id)


async def decline_bid(rt: Runtime, bid_id: int, reason: str) -> Bid:
    checks = Checks()
    text = checks.text(reason, "reason", services.REASON_MAX)
    checks.raise_if_any()
    await require_bid(bid_id)
    async with in_transaction():
        bid = await Bid.select_for_update().get(id=bid_id)
        if bid.status != BidStatus.PENDING:
            raise invalid(bid, "declined")
        bid.status, bid.decline_reason, bid.decided_at = BidStatus.DECLINED, text, rt.now()
        await bid.save(update_fields=["status", "decline_reason", "decided_at"])
    problem = await Problem.get(id=bid.problem_id)
    await emit(
        rt,
        services.problem_event(
            "bid_declined", problem, bidId=to_global_id("Bid", bid.id), offerId=to_global_id("Offer", bid.offer_id)
        ),
    )
    return bid


async def decline_bid_as(ctx: Context, bid_id: int, reason: str) -> Bid:
    await _poster_of_bid(ctx, bid_id)
    return await decline_bid(ctx.rt, bid_id, reason)


async def withdraw_bid(rt: Runtime, bid_id: int) -> Bid:
    await require_bid(bid_id)
    async with in_transaction():
        bid = await Bid.select_for_update().get(id=bid_id)
        if bid.status != BidStatus.PENDING:
            raise invalid(bid, "withdrawn")
        bid.status, bid.decided_at = BidStatus.WITHDRAWN, rt.now()
        await bid.save(update_fields=["status", "decided_at"])
    return bid


async def withdraw_bid_as(ctx: Context, bid_id: int) -> Bid:
    """The offer's owner."""
    bid = await require_bid(bid_id)
    access.require_signed_in(ctx)
    offer = await services.require_offer(bid.offer_id)
    if not await access.can_own_offer(ctx, offer):
        if not await access.can_see_bid(ctx, bid):
            raise UserInputError(errors.NOT_FOUND, "No bid with this `id`", "id")
        raise UserInputError(errors.PERMISSION_DENIED, "Only the offer's owner may withdraw its bid", "id")
    return await withdraw_bid(ctx.rt, bid_id)
