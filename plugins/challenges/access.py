"""Who may see and do what in challenges (``docs/permissions.md`` states it as a table); every
check is memoised per request so list fields stay batched.

- **the poster**: admins of the posting organisation (``core.permissions.can_manage_org``, so
  admins of its ancestors too); they see drafts, every bid, the outcomes, and decide;
- **visibility** of a problem that is not a draft: ``PUBLIC`` to everyone, anonymous callers
  included; ``ALLIANCE`` to members of the posting organisation and of its *circle*: the
  organisations in an alliance with it, with its parent or with one of its children (a studio's
  enterprise counts as in the studio's alliance), and those organisations' parents; ``REGION``
  to the same people and to members of any organisation in the problem's region. Drafts (and drafts
  withdrawn before they were opened) only to the poster. Those who bid on a problem keep
  seeing it. Lists, ``node``/``nodes``, nested
  fields and live events all apply this one rule (``can_see_problem`` / ``visible_problems``);
- **an offer's owner**: the person (person offers), admins of the studio (studio offers), the
  team's leader and admins of its organisation (service-team offers);
- **the team** of a problem: the owners of its accepted bids and the people the bids name.

``can_*`` answer a question; ``require_*`` raise ``UserInputError`` naming the input field.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from strawberry.dataloader import DataLoader
from tortoise.expressions import Q, Subquery

from core import errors
from core.context import Context
from core.errors import UserInputError
from core.organisations.models import AllianceMembership, AllianceRole, Organisation
from core.people.models import Membership
from core.permissions import can_manage_org, managed_org_ids
from plugins.challenges import errors as challenge_errors
from plugins.challenges.models import (
    Bid,
    BidStatus,
    Offer,
    OfferKind,
    Problem,
    ProblemStatus,
    ServiceTeam,
    Visibility,
)

MAX_TREE_DEPTH = 12


@dataclass(frozen=True)
class Audience:
    """What decides which problems a viewer sees, read once per request (a fixed number of queries)."""

    person_id: int | None
    member_orgs: frozenset[int]
    circle: frozenset[int]  # posting organisations whose ALLIANCE / REGION problems the viewer sees
    regions: frozenset[str]
    managed_tree: frozenset[int]  # organisations the viewer manages, descendants included
    bid_problems: frozenset[int]  # problems the viewer bid on (or is named in a bid of)


async def _ids(query: Any) -> set[int]:
    """The ids a ``values_list(..., flat=True)`` query answers (tortoise types them as tuples)."""
    return {int(value) for value in cast("list[int | None]", await query) if value}


async def circle_of(org_ids: set[int]) -> set[int]:
    """``org_ids``, their parents and children, the organisations in an alliance with any of
    those (and the alliances themselves), and the parents of those: five queries. Symmetric:
    a studio's enterprise is in the studio's alliances' circles, and the other way round."""
    if not org_ids:
        return set()
    near = set(org_ids) | await _ids(Organisation.filter(id__in=list(org_ids)).values_list("parent_id", flat=True))
    near |= await _ids(Organisation.filter(parent_id__in=list(org_ids)).values_list("id", flat=True))
    # An organisation that is itself an alliance: its members are in its circle too.
    alliances = near | await _ids(
        AllianceMembership.filter(organisation_id__in=list(near)).values_list("alliance_id", flat=True)
    )
    peers = await _ids(
        AllianceMembership.filter(alliance_id__in=list(alliances)).values_list("organisation_id", flat=True)
    )
    peers |= alliances
    return peers | await _ids(Organisation.filter(id__in=list(peers)).values_list("parent_id", flat=True))


async def descendants(org_ids: set[int]) -> set[int]:
    """``org_ids`` and everything under them (one query per level)."""
    found, frontier = set(org_ids), set(org_ids)
    for _ in range(MAX_TREE_DEPTH):
        if not frontier:
            break
        children = await _ids(Organisation.filter(parent_id__in=list(frontier)).values_list("id", flat=True))
        children -= found
        found |= children
        frontier = children
    return found


async def managed_tree(ctx: Context) -> frozenset[int]:
    """Organisations the viewer manages, everything under them included, read once per request."""

    async def load(keys: Sequence[int]) -> list[frozenset[int]]:
        managed = set(await managed_org_ids(ctx))
        if not managed:
            return [frozenset()]
        # As ``can_manage_org``: admins of a lead member manage the alliance too.
        managed |= await _ids(
            AllianceMembership.filter(organisation_id__in=list(managed), role=AllianceRole.LEAD).values_list(
                "alliance_id", flat=True
            )
        )
        return [frozenset(await descendants(managed))]

    loader = ctx.loaders.get("challenges.managed_tree", lambda: DataLoader(load_fn=load))
    return await loader.load(0)


async def viewer_offer_ids(ctx: Context) -> frozenset[int]:
    """Offers the viewer owns (``can_own_offer``), read once per request."""
    person_id = ctx.viewer.person_id
    if person_id is None:
        return frozenset()

    async def load(keys: Sequence[int]) -> list[frozenset[int]]:
        managed = list(await managed_tree(ctx))
        led = ServiceTeam.filter(Q(leader_id=keys[0]) | Q(organisation_id__in=managed or [0])).values("id")
        rows = await _ids(
            Offer.filter(
                Q(person_id=keys[0]) | Q(organisation_id__in=managed or [0]) | Q(team_id__in=Subquery(led))
            ).values_list("id", flat=True)
        )
        return [frozenset(rows)]

    loader = ctx.loaders.get("challenges.viewer_offer_ids", lambda: DataLoader(load_fn=load))
    return await loader.load(person_id)


async def audience(ctx: Context) -> Audience:
    async def load(keys: Sequence[int]) -> list[Audience]:
        person_id = ctx.viewer.person_id
        if person_id is None:
            return [Audience(None, frozenset(), frozenset(), frozenset(), frozenset(), frozenset())]
        member_orgs = await _ids(Membership.filter(person_id=person_id).values_list("organisation_id", flat=True))
        circle = await circle_of(member_orgs)
        regions = {
            str(r)
            for r in cast(
                "list[str]", await Organisation.filter(id__in=list(member_orgs) or [0]).values_list("region", flat=True)
            )
            if r
        }
        tree = await managed_tree(ctx)
        offers = list(await viewer_offer_ids(ctx))
        bid_problems = await _ids(
            Bid.filter(Q(offer_id__in=offers or [0]) | Q(created_by_id=person_id)).values_list("problem_id", flat=True)
        )
        return [
            Audience(
                person_id,
                frozenset(member_orgs),
                frozenset(circle),
                frozenset(regions),
                frozenset(tree),
                frozenset(bid_problems),
            )
        ]

    loader = ctx.loaders.get("challenges.audience", lambda: DataLoader(load_fn=load))
    return await loader.load(0)


async def can_manage(ctx: Context, org_id: int) -> bool:
    """The poster side: ``can_manage_org``, asked once per organisation per request."""
    if ctx.viewer.is_superuser:
        return True
    if not await managed_org_ids(ctx):
        return False

    async def load(org_ids: Sequence[int]) -> list[bool]:
        return [await can_manage_org(ctx, org_id) for org_id in org_ids]

    loader = ctx.loaders.get("challenges.can_manage", lambda: DataLoader(load_fn=load))
    return await loader.load(org_id)


def sees_by_visibility(seen: Audience, row: Problem) -> bool:
    """The visibility rule for a problem that is not a draft (viewer not the poster)."""
    if row.visibility == Visibility.PUBLIC or row.id in seen.bid_problems:
        return True
    if seen.person_id is None:
        return False
    if row.organisation_id in seen.member_orgs or row.organisation_id in seen.circle:
        return True
    return row.visibility == Visibility.REGION and bool(row.region) and row.region in seen.regions


def is_unpublished(row: Problem) -> bool:
    """Drafts, and drafts withdrawn before they were ever opened: the poster's alone."""
    return row.status == ProblemStatus.DRAFT or (row.status == ProblemStatus.WITHDRAWN and row.opened_at is None)


UNPUBLISHED = Q(status=ProblemStatus.DRAFT) | Q(status=ProblemStatus.WITHDRAWN, opened_at__isnull=True)


async def can_see_problem(ctx: Context, row: Problem) -> bool:
    if ctx.viewer.is_superuser:
        return True
    seen = await audience(ctx)
    if row.organisation_id in seen.managed_tree:
        return True
    if is_unpublished(row):
        return False
    return sees_by_visibility(seen, row)


async def visible_problems(ctx: Context) -> Q:
    """A filter on ``Problem`` keeping exactly what ``can_see_problem`` shows the viewer."""
    if ctx.viewer.is_superuser:
        return Q()
    seen = await audience(ctx)
    shown = Q(visibility=Visibility.PUBLIC) | Q(id__in=list(seen.bid_problems) or [0])
    if seen.person_id is not None:
        shown |= Q(organisation_id__in=list(seen.member_orgs | seen.circle) or [0])
        if seen.regions:
            shown |= Q(visibility=Visibility.REGION, region__in=list(seen.regions))
    return Q(shown, ~UNPUBLISHED) | Q(organisation_id__in=list(seen.managed_tree) or [0])


async def visible_problem_rows(ctx: Context, rows: Sequence[Problem]) -> list[Problem]:
    shown = await asyncio.gather(*(can_see_problem(ctx, row) for row in rows))
    return [row for row, ok in zip(rows, shown, strict=True) if ok]


async def can_own_offer(ctx: Context, offer: Offer) -> bool:
    if ctx.viewer.is_superuser:
        return True
    return offer.id in await viewer_offer_ids(ctx)


async def is_on_team(ctx: Context, bid: Bid) -> bool:
    """The owner of an accepted bid's offer, and the people the bid names."""
    if bid.status != BidStatus.ACCEPTED:
        return False
    if ctx.viewer.person_id is not None and (
        ctx.viewer.person_id in bid.member_ids or ctx.viewer.person_id == bid.created_by_id
    ):
        return True
    offer = await ctx.loaders.by_id(Offer).load(bid.offer_id)
    return offer is not None and await can_own_offer(ctx, offer)


async def can_see_bid(ctx: Context, bid: Bid) -> bool:
    """The poster, the offer's owner and the people the bid names."""
    if ctx.viewer.is_superuser:
        return True
    if ctx.viewer.person_id is None:
        return False
    if ctx.viewer.person_id in bid.member_ids or ctx.viewer.person_id == bid.created_by_id:
        return True
    problem = await ctx.loaders.by_id(Problem).load(bid.problem_id)
    if problem is not None and await can_manage(ctx, problem.organisation_id):
        return True
    offer = await ctx.loaders.by_id(Offer).load(bid.offer_id)
    return offer is not None and await can_own_offer(ctx, offer)


async def team_bids(ctx: Context, problem_id: int) -> list[Bid]:
    rows = await ctx.loaders.children(Bid, "problem_id", status=BidStatus.ACCEPTED).load(problem_id)
    return list(rows)


async def is_on_problem_team(ctx: Context, problem_id: int) -> bool:
    for bid in await team_bids(ctx, problem_id):
        if await is_on_team(ctx, bid):
            return True
    return False


async def can_see_private(ctx: Context, problem: Problem) -> bool:
    """Outcomes: the poster and the team."""
    if ctx.viewer.is_superuser or await can_manage(ctx, problem.organisation_id):
        return True
    return ctx.viewer.is_authenticated and await is_on_problem_team(ctx, problem.id)


def require_signed_in(ctx: Context) -> None:
    if not ctx.viewer.is_authenticated:
        raise UserInputError(errors.UNAUTHENTICATED, "Sign in first", None)


async def require_poster(ctx: Context, problem: Problem, field: str | None = "id") -> None:
    require_signed_in(ctx)
    if not await can_manage(ctx, problem.organisation_id):
        if not await can_see_problem(ctx, problem):
            raise UserInputError(errors.NOT_FOUND, f"No problem with this `{field}`", field)
        raise UserInputError(errors.PERMISSION_DENIED, "Only admins of the posting organisation may do this", field)


async def require_see_problem(ctx: Context, problem: Problem, field: str) -> None:
    """Unseen problems are not found (their existence is not told)."""
    if not await can_see_problem(ctx, problem):
        raise UserInputError(errors.NOT_FOUND, f"No problem with this `{field}`", field)


async def require_own_offer(ctx: Context, offer: Offer, field: str) -> None:
    require_signed_in(ctx)
    if not await can_own_offer(ctx, offer):
        raise UserInputError(errors.PERMISSION_DENIED, "Only the offer's owner may do this", field)


async def require_team(ctx: Context, bid: Bid, field: str) -> None:
    require_signed_in(ctx)
    if not await is_on_team(ctx, bid):
        raise UserInputError(challenge_errors.NOT_ON_TEAM, "Only the team of an accepted bid may do this", field)


async def require_offer_owner_for_create(
    ctx: Context, kind: OfferKind, person_id: int | None, organisation_id: int | None, team: ServiceTeam | None
) -> None:
    """A person offers for themself; a studio's admins for the studio; a team's leader (or its
    organisation's admins) for the team."""
    require_signed_in(ctx)
    if ctx.viewer.is_superuser:
        return
    if kind == OfferKind.PERSON and person_id == ctx.viewer.person_id:
        return
    if kind == OfferKind.STUDIO and organisation_id is not None and await can_manage(ctx, organisation_id):
        return
    if (
        kind == OfferKind.TEAM
        and team is not None
        and (team.leader_id == ctx.viewer.person_id or await can_manage(ctx, team.organisation_id))
    ):
        return
    raise UserInputError(errors.PERMISSION_DENIED, "You may not publish an offer for this owner", "kind")


async def require_team_admin(ctx: Context, team: ServiceTeam, field: str = "id") -> None:
    """Admins of the team's organisation (or of its ancestors): edit the team itself."""
    require_signed_in(ctx)
    if not await can_manage(ctx, team.organisation_id):
        raise UserInputError(
            errors.PERMISSION_DENIED, "Only admins of the team's organisation may change the team", field
        )


async def require_team_manager(ctx: Context, team: ServiceTeam, field: str = "id") -> None:
    """The team's leader or its organisation's admins (as for the team's offers): its members."""
    require_signed_in(ctx)
    if team.leader_id == ctx.viewer.person_id or await can_manage(ctx, team.organisation_id):
        return
    raise UserInputError(
        errors.PERMISSION_DENIED, "Only the team's leader or its organisation's admins may change its members", field
    )
