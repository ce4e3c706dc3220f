"""Notifications (``notifications`` hook): who hears about what the plugin's events say.

==============================  ===========================================  ====================
event                           recipients                                   notice kind
==============================  ===========================================  ====================
``problem_opened``              owners of offers (of the 100 best) scoring   ``challenges.problem_matched``
                                at least the poster's threshold
``bid_created``                 the poster (admins, the person who posted)   ``challenges.bid_received``
``bid_accepted``                the bid's author and the offer's owners      ``challenges.bid_accepted``
``bid_declined``                the bid's author and the offer's owners      ``challenges.bid_declined``
``milestone_done``              the poster                                   ``challenges.milestone_done``
``milestone_approved``          the team                                     ``challenges.milestone_approved``
``outcome_submitted``           the poster                                   ``challenges.outcome_submitted``
``outcome_returned``            the team                                     ``challenges.outcome_returned``
``problem_solved``              the solvers                                  ``challenges.problem_solved``
``problem_updated`` (an OPEN    the authors and offer owners of its pending  ``challenges.problem_changed``
problem's skills or chain)      bids (they bid on what it asked before)
==============================  ===========================================  ====================

Owners of an offer: the person; the studio's admins and leader; the team's leader. The subject
of every notice is the problem, so core shows it only while the recipient may see it.
"""

from __future__ import annotations

from collections import defaultdict

from core.organisations.models import Organisation
from core.people.models import Membership
from core.permissions import MANAGING_ROLES
from core.plugin_api import DomainEvent, Notice
from core.relay import MAX_PAGE, parse_global_id
from plugins.challenges import matching, progress, services
from plugins.challenges.models import Bid, BidStatus, Offer, OfferKind, Problem, ServiceTeam

SUMMARY_MAX = 200


def _pk(value: object, type_name: str) -> int | None:
    parsed = parse_global_id(str(value)) if value else None
    return parsed[1] if parsed and parsed[0] == type_name else None


async def admins_of(org_ids: list[int]) -> dict[int, set[int]]:
    """Admins and leaders of each organisation (memberships and the organisation's leader)."""
    found: dict[int, set[int]] = defaultdict(set)
    for org_id, person_id in await Membership.filter(
        organisation_id__in=org_ids or [0], role__in=MANAGING_ROLES
    ).values_list("organisation_id", "person_id"):
        found[int(org_id)].add(int(person_id))
    for org_id, leader_id in await Organisation.filter(id__in=org_ids or [0], leader_id__not_isnull=True).values_list(
        "id", "leader_id"
    ):
        found[int(org_id)].add(int(leader_id))
    return found


async def owners_of(offer_ids: list[int]) -> dict[int, set[int]]:
    """The people who own each offer."""
    offers = await Offer.filter(id__in=offer_ids or [0])
    team_ids = [o.team_id for o in offers if o.team_id] or [0]
    teams = {t.id: t.leader_id for t in await ServiceTeam.filter(id__in=team_ids)}
    studios = await admins_of([o.organisation_id for o in offers if o.organisation_id])
    found: dict[int, set[int]] = {}
    for offer in offers:
        if offer.kind == OfferKind.PERSON and offer.person_id is not None:
            found[offer.id] = {offer.person_id}
        elif offer.kind == OfferKind.STUDIO and offer.organisation_id is not None:
            found[offer.id] = set(studios.get(offer.organisation_id, set()))
        elif offer.team_id in teams:
            found[offer.id] = {teams[offer.team_id]}
    return found


async def _poster(problem: Problem) -> set[int]:
    people = set((await admins_of([problem.organisation_id])).get(problem.organisation_id, set()))
    if problem.posted_by_id is not None:
        people.add(problem.posted_by_id)
    return people


async def _team(problem: Problem) -> set[int]:
    bids = await Bid.filter(problem_id=problem.id, status=BidStatus.ACCEPTED)
    owners = await owners_of([b.offer_id for b in bids])
    people: set[int] = set()
    for bid in bids:
        people |= owners.get(bid.offer_id, set()) | set(bid.member_ids)
        if bid.created_by_id is not None:
            people.add(bid.created_by_id)
    return people


def _notices(people: set[int], kind: str, subject: str, summary: str) -> list[Notice]:
    return [
        Notice(recipient_id=p, kind=f"challenges.{kind}", subject=subject, summary=summary[:SUMMARY_MAX])
        for p in sorted(people)
    ]


async def notices_for(event: DomainEvent) -> list[Notice]:
    if not event.name.startswith("challenges."):
        return []
    name = event.name.removeprefix("challenges.")
    subject = str(event.payload.get("problemId", ""))
    problem_id = _pk(subject, "Problem")
    problem = await Problem.get_or_none(id=problem_id) if problem_id else None
    if problem is None:
        return []
    title = problem.title
    if name == "problem_opened":
        threshold = (await services.settings_for(problem.organisation_id)).match_notify_threshold
        matches = [m for m in await matching.problem_matches(problem.id, MAX_PAGE) if m.score >= threshold]
        owners = await owners_of([m.offer_id for m in matches])
        best: dict[int, float] = {}
        for match in matches:
            for person in owners.get(match.offer_id, set()):
                best[person] = max(best.get(person, 0.0), match.score)
        return [
            Notice(
                recipient_id=p,
                kind="challenges.problem_matched",
                subject=subject,
                summary=f"新的匹配难题:{title}(匹配度{s:g})"[:SUMMARY_MAX],
            )
            for p, s in sorted(best.items())
        ]
    if name == "problem_updated":
        changed = set(event.payload.get("changed") or [])
        if event.payload.get("status") != "OPEN" or not changed & {"skills", "industryChain"}:
            return []
        pending = await Bid.filter(problem_id=problem.id, status=BidStatus.PENDING)
        owners = await owners_of([b.offer_id for b in pending])
        people: set[int] = set()
        for waiting in pending:
            people |= owners.get(waiting.offer_id, set())
            if waiting.created_by_id is not None:
                people.add(waiting.created_by_id)
        return _notices(people, "problem_changed", subject, f"揭榜的难题要求有变:{title}")
    if name == "bid_created":
        return _notices(await _poster(problem), "bid_received", subject, f"收到新的揭榜申请:{title}")
    if name in ("bid_accepted", "bid_declined"):
        bid = await Bid.get_or_none(id=_pk(event.payload.get("bidId"), "Bid") or 0)
        if bid is None:
            return []
        people = set((await owners_of([bid.offer_id])).get(bid.offer_id, set()))
        if bid.created_by_id is not None:
            people.add(bid.created_by_id)
        text = f"揭榜成功:{title}" if name == "bid_accepted" else f"揭榜未获选:{title}({bid.decline_reason})"
        return _notices(people, name, subject, text)
    if name == "milestone_done":
        return _notices(
            await _poster(problem), name, subject, f"里程碑待确认:{event.payload.get('milestoneTitle', '')}({title})"
        )
    if name == "milestone_approved":
        return _notices(
            await _team(problem), name, subject, f"里程碑已确认:{event.payload.get('milestoneTitle', '')}({title})"
        )
    if name == "outcome_submitted":
        return _notices(await _poster(problem), name, subject, f"攻关成果待验收:{title}")
    if name == "outcome_returned":
        return _notices(await _team(problem), name, subject, f"攻关成果被退回:{title}")
    if name == "problem_solved":
        _orgs, solvers = await progress.solvers_of(problem.id)
        return _notices(set(solvers) | await _team(problem), name, subject, f"难题已解决:{title}")
    return []
