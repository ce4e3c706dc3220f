"""Who may see and do what in the forum (the forum policy; ``docs/permissions.md`` states it as a
table); every check is memoised per request so list fields stay batched.

- boards are public: salons, threads and posts are read by everyone, signed in or not (lists,
  ``node``/``nodes`` and the live subscriptions alike);
- a hidden post shows to everyone as hidden, without its body, mentions or the reason; the
  board's moderators (admins of the board's organisation: ``core.permissions.can_manage_org``,
  which includes admins of its ancestors, admins of an alliance's lead members and superusers)
  see it in full;
- posting (threads, posts, reactions) needs a signed-in person who is a member of the board's
  organisation or, for an alliance's board, of one of the alliance's member organisations;
  moderators may post too (also in locked threads);
- moderators create, change, cancel and summarise salons, hide posts, lock and pin threads;
- anyone signed in with a person may RSVP to a scheduled salon;
- who is going: moderators see every RSVP of a salon, others only their own; a person's RSVPs
  (``Person.salons``) are seen by the person and the admins of the person.

``can_*`` answer a question; ``require_*`` raise ``UserInputError`` (UNAUTHENTICATED,
PERMISSION_DENIED) naming the input field.
"""

from __future__ import annotations

from core import errors
from core.context import Context
from core.errors import UserInputError
from core.organisations.models import AllianceMembership
from core.people.models import Membership
from core.permissions import can_manage_org, can_see_contact
from plugins.forum import errors as forum_errors
from plugins.forum.models import ForumPost, ForumRsvp, ForumThread


async def can_moderate(ctx: Context, org_id: int) -> bool:
    """Admins of the board's organisation (``can_manage_org``: one set read per request)."""
    return await can_manage_org(ctx, org_id)


async def viewer_org_ids(ctx: Context) -> frozenset[int]:
    """Organisations the viewer is a member of (any role)."""
    person_id = ctx.viewer.person_id
    if person_id is None:
        return frozenset()
    memberships = await ctx.loaders.children(Membership, "person_id").load(person_id)
    return frozenset(m.organisation_id for m in memberships)


async def community_org_ids(ctx: Context, org_id: int) -> frozenset[int]:
    """The board's organisation and, for an alliance, its member organisations."""
    members = await ctx.loaders.children(AllianceMembership, "alliance_id").load(org_id)
    return frozenset({org_id, *(m.organisation_id for m in members)})


async def can_post(ctx: Context, org_id: int) -> bool:
    """Members of the board's community, and its moderators."""
    if not ctx.viewer.is_authenticated or ctx.viewer.person_id is None:
        return False
    if await viewer_org_ids(ctx) & await community_org_ids(ctx, org_id):
        return True
    return await can_moderate(ctx, org_id)


async def can_see_body(ctx: Context, post: ForumPost) -> bool:
    """A post's body, mentions and hiding details: everyone unless hidden; then moderators."""
    if not post.hidden:
        return True
    thread = await ctx.loaders.by_id(ForumThread).load(post.thread_id)
    return thread is not None and await can_moderate(ctx, thread.organisation_id)


async def can_see_rsvp(ctx: Context, rsvp: ForumRsvp, org_id: int) -> bool:
    return rsvp.person_id == ctx.viewer.person_id or await can_moderate(ctx, org_id)


async def can_see_person_salons(ctx: Context, person_id: int) -> bool:
    """A person's RSVPs: the person and admins of the person (batched by core)."""
    return await can_see_contact(ctx, person_id)


def require_signed_in(ctx: Context) -> None:
    if not ctx.viewer.is_authenticated:
        raise UserInputError(errors.UNAUTHENTICATED, "Sign in first", None)


def require_person(ctx: Context) -> int:
    """The viewer's person id; accounts without a person (some superusers) cannot take part."""
    require_signed_in(ctx)
    if ctx.viewer.person_id is None:
        raise UserInputError(forum_errors.NO_PERSON, "This account is not linked to a person", None)
    return ctx.viewer.person_id


async def require_post(ctx: Context, org_id: int, field: str | None) -> int:
    """The viewer's person id, if they may post on the board."""
    person_id = require_person(ctx)
    if not await can_post(ctx, org_id):
        raise UserInputError(
            errors.PERMISSION_DENIED,
            "Only members of the organisation (or of the alliance's member organisations) may post here",
            field,
        )
    return person_id


async def require_moderate(ctx: Context, org_id: int, field: str | None) -> None:
    require_signed_in(ctx)
    if not await can_moderate(ctx, org_id):
        raise UserInputError(errors.PERMISSION_DENIED, "Only admins of the board's organisation may do this", field)
