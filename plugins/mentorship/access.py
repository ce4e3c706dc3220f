"""Who may see and do what with an agreement; the rules themselves live in services, progress,
matching. This module is the mentorship policy (``docs/permissions.md`` states it as a table).

A party (the mentor or the apprentice) always acts as that party, even when they also
administer the organisation; "admin" below means an admin of the organisation that holds the
agreement (or of an ancestor, or a superuser) who is neither party.

Seeing. That an agreement exists (mentor, apprentice, skill, organisation, status, dates,
signatures) is public: the pair's bond is shown on their profiles, and suggestions count it.
Its content is private (``can_see_private``): goals, the graduation score, comment and raised
level, the decline/termination reason, milestones, the session log and its hours; the mentor,
the apprentice and admins see it, everyone else gets null (or an empty list).

Doing. Nobody signs for anyone: an agreement is ACTIVE only once the mentor and the apprentice
have each signed themselves (an admin may propose it, then neither side has signed).

=====================  ==========================================================
propose                mentor, apprentice, admin (both must belong to the organisation)
accept (sign)          mentor, apprentice: each their own side only
decline                the party who did not propose; admin
cancel                 the party who proposed; admin
terminate              mentor, apprentice; admin only as an administrative act (a reason,
                       audited as ``mentorship.terminated_by_admin``, shown to both parties)
complete               the mentor (both still members of the organisation)
milestone add          mentor, apprentice (nobody adds for them)
milestone complete     the apprentice
milestone approve      the mentor
session log            mentor, apprentice (nobody logs for them)
see private fields     mentor, apprentice; admin
=====================  ==========================================================

Who the parties are, who proposed and where the agreement is held never change, so these
checks hold for the whole request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from core import errors
from core.context import Context
from core.errors import UserInputError
from core.permissions import can_manage_org
from plugins.mentorship.models import Mentorship


@dataclass(frozen=True)
class Standing:
    """How the viewer stands to one agreement."""

    person_id: int | None
    is_mentor: bool = False
    is_apprentice: bool = False
    is_proposer: bool = False
    # An admin of the organisation who is neither party (parties act as parties).
    is_admin: bool = False

    @property
    def is_party(self) -> bool:
        return self.is_mentor or self.is_apprentice


def require_signed_in(ctx: Context) -> int | None:
    """The viewer's person id (None for a superuser without a person)."""
    if not ctx.viewer.is_authenticated:
        raise UserInputError(errors.UNAUTHENTICATED, "Sign in first", None)
    return ctx.viewer.person_id


def _denied(message: str, field: str | None = "id") -> UserInputError:
    return UserInputError(errors.PERMISSION_DENIED, message, field)


async def can_manage(ctx: Context, org_id: int) -> bool:
    """``can_manage_org``, asked once per organisation per request (batched for list fields)."""

    async def load(org_ids: Sequence[int]) -> list[bool]:
        answers = {org_id: await can_manage_org(ctx, org_id) for org_id in set(org_ids)}
        return [answers[org_id] for org_id in org_ids]

    loader = ctx.loaders.get("mentorship.can_manage", lambda: DataLoader(load_fn=load))
    return await loader.load(org_id)


async def standing(ctx: Context, m: Mentorship) -> Standing:
    person_id = ctx.viewer.person_id
    if person_id is not None and person_id in (m.mentor_id, m.apprentice_id):
        return Standing(
            person_id,
            is_mentor=person_id == m.mentor_id,
            is_apprentice=person_id == m.apprentice_id,
            is_proposer=person_id == m.created_by_id,
        )
    return Standing(person_id, is_admin=await can_manage(ctx, m.organisation_id))


# Proposing ---------------------------------------------------------------------------------------


async def can_propose(ctx: Context, mentor_id: int, apprentice_id: int, org_id: int) -> bool:
    person_id = ctx.viewer.person_id
    if person_id is not None and person_id in (mentor_id, apprentice_id):
        return True
    return await can_manage(ctx, org_id)


async def require_propose(ctx: Context, mentor_id: int, apprentice_id: int, org_id: int) -> None:
    require_signed_in(ctx)
    if not await can_propose(ctx, mentor_id, apprentice_id, org_id):
        raise _denied("Only the mentor, the apprentice or an admin may propose", "organisationId")


# The agreement's transitions ---------------------------------------------------------------------


def can_accept(s: Standing) -> bool:
    """Only a party signs, and only their own side: admins (and superusers) sign for nobody."""
    return s.is_party


async def require_accept(ctx: Context, m: Mentorship) -> Standing:
    """The viewer's standing, which says which side they sign."""
    s = await standing(ctx, m)
    if not can_accept(s):
        raise _denied("Only the mentor and the apprentice sign, each for themselves")
    return s


def can_decline(s: Standing) -> bool:
    return (s.is_party and not s.is_proposer) or s.is_admin


async def require_decline(ctx: Context, m: Mentorship) -> None:
    s = await standing(ctx, m)
    if not s.is_party and not s.is_admin:
        raise _denied("Only the other side or an admin may decline")
    if not can_decline(s):
        raise _denied("You proposed it: withdraw it with mentorshipCancel")


def can_cancel(s: Standing) -> bool:
    return s.is_proposer or s.is_admin


async def require_cancel(ctx: Context, m: Mentorship) -> None:
    s = await standing(ctx, m)
    if not s.is_party and not s.is_admin:
        raise _denied("Only the proposer or an admin may cancel")
    if not can_cancel(s):
        raise _denied("Only the proposer may withdraw: decline it instead")


def can_terminate(s: Standing) -> bool:
    return s.is_party or s.is_admin


async def require_terminate(ctx: Context, m: Mentorship) -> Standing:
    """The viewer's standing: a party ends their own agreement; an admin who is neither party
    ends it as an administrative act (audited, its reason shown to both parties)."""
    s = await standing(ctx, m)
    if not can_terminate(s):
        raise _denied("Only the mentor, the apprentice or an admin may terminate")
    return s


def can_complete(s: Standing) -> bool:
    return s.is_mentor


async def require_complete(ctx: Context, m: Mentorship) -> None:
    if not can_complete(await standing(ctx, m)):
        raise _denied("Only the mentor may complete")


# Progress: milestones and the session log --------------------------------------------------------


def can_add_milestone(s: Standing) -> bool:
    """The pair's own plan: admins see it but do not write it for them."""
    return s.is_party


async def require_add_milestone(ctx: Context, m: Mentorship) -> None:
    if not can_add_milestone(await standing(ctx, m)):
        raise _denied("Only the mentor or the apprentice adds milestones", "mentorshipId")


async def require_complete_milestone(ctx: Context, m: Mentorship) -> None:
    if not (await standing(ctx, m)).is_apprentice:
        raise _denied("Only the apprentice marks a milestone done")


async def require_approve_milestone(ctx: Context, m: Mentorship) -> None:
    if not (await standing(ctx, m)).is_mentor:
        raise _denied("Only the mentor approves a milestone")


def can_log_session(s: Standing) -> bool:
    """The log is the pair's record of what they did: nobody logs hours for them."""
    return s.is_party


async def require_log_session(ctx: Context, m: Mentorship) -> None:
    if not can_log_session(await standing(ctx, m)):
        raise _denied("Only the mentor or the apprentice logs sessions", "mentorshipId")


# Seeing ------------------------------------------------------------------------------------------


async def can_see_private(ctx: Context, mentor_id: int, apprentice_id: int, org_id: int) -> bool:
    """Goals, score, comment, reasons, milestones and the session log: the pair, the admins of
    the organisation holding the agreement (or of an ancestor) and superusers."""
    person_id = ctx.viewer.person_id
    if person_id is not None and person_id in (mentor_id, apprentice_id):
        return True
    if not ctx.viewer.is_authenticated:
        return False
    return await can_manage(ctx, org_id)


async def can_see_private_of(ctx: Context, m: Mentorship) -> bool:
    return await can_see_private(ctx, m.mentor_id, m.apprentice_id, m.organisation_id)
