"""Consent for alliances: an alliance invites an organisation, whose admins accept or decline.

Same shape as ``core.people.invitations``: ``rule(rt, ...)`` does the work, ``rule_as(ctx, ...)``
checks the viewer first; decisions are one conditional UPDATE, so they happen once.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from core import audit, errors, invitations
from core.context import Context, Viewer
from core.errors import UserInputError
from core.events import emit
from core.lookups import require_organisation
from core.organisations.models import (
    AllianceInvitation,
    AllianceMembership,
    AllianceRole,
    Organisation,
    OrganisationKind,
)
from core.people.models import InvitationStatus
from core.permissions import can_manage_org, require_manage_org, require_signed_in
from core.plugin_api import DomainEvent
from core.relay import to_global_id
from core.runtime import Runtime

DECIDED = {
    InvitationStatus.ACCEPTED: "alliance.accepted",
    InvitationStatus.DECLINED: "alliance.declined",
    InvitationStatus.CANCELLED: "alliance.invitation_cancelled",
}


async def require_alliance_pair(alliance_id: int, org_id: int) -> Organisation:
    """The alliance, after checking both exist, that it is an alliance and not the organisation."""
    alliance = await require_organisation(alliance_id, "allianceId")
    if alliance.kind != OrganisationKind.ALLIANCE:
        raise UserInputError(errors.NOT_AN_ALLIANCE, "This organisation is not an alliance", "allianceId")
    await require_organisation(org_id, "organisationId")
    if org_id == alliance_id:
        raise UserInputError(errors.CYCLE, "An alliance cannot join itself", "organisationId")
    return alliance


async def invite(rt: Runtime, *, alliance_id: int, organisation_id: int, role: AllianceRole,
                 invited_by_account_id: int | None) -> AllianceInvitation:
    """A pending invitation (a new one, or the one row reopened with this role)."""
    if await AllianceMembership.exists(alliance_id=alliance_id, organisation_id=organisation_id):
        raise UserInputError(
            errors.ALREADY_MEMBER, "This organisation is already in the alliance", "organisationId"
        )
    async with in_transaction():
        invitation = await invitations.reopen(
            AllianceInvitation, {"alliance_id": alliance_id, "organisation_id": organisation_id}, role, rt.now(),
            invited_by_account_id,
        )
        entry = await audit.record(rt, actor=audit.Actor(invited_by_account_id), organisation_id=alliance_id,
                                   action="alliance.invited", target=audit.target("Organisation", organisation_id),
                                   after={"invitation": audit.target("AllianceInvitation", invitation.id),
                                          "role": role})
    # No subject: on organisationEvents only the alliance's admins receive it.
    await emit(rt, DomainEvent("alliance.invited", {
        "invitationId": to_global_id("AllianceInvitation", invitation.id),
        "allianceId": to_global_id("Organisation", alliance_id),
        "organisationId": to_global_id("Organisation", organisation_id), "role": role.value,
        "invitedById": to_global_id("Person", entry.actor_person_id) if entry.actor_person_id else None,
    }, organisation_id=alliance_id))
    return invitation


async def _decide(rt: Runtime, invitation_id: int, status: InvitationStatus,
                  actor: audit.Actor | Viewer = audit.SYSTEM) -> AllianceInvitation:
    """Move a pending invitation to ``status``; asking again for the same outcome is no error."""
    async with in_transaction():
        changed, invitation = await invitations.settle(AllianceInvitation, invitation_id, status, rt.now())
        if changed and status == InvitationStatus.ACCEPTED:
            await AllianceMembership.bulk_create(
                [AllianceMembership(alliance_id=invitation.alliance_id, organisation_id=invitation.organisation_id,
                                    role=invitation.role)],
                ignore_conflicts=True,
            )
        if changed:
            await audit.record(rt, actor=actor, organisation_id=invitation.alliance_id, action=DECIDED[status],
                               target=audit.target("Organisation", invitation.organisation_id),
                               before={"status": "PENDING"},
                               after={"invitation": audit.target("AllianceInvitation", invitation.id),
                                      "status": status, "role": invitation.role})
    invitations.require_outcome(invitation, status, changed)
    return invitation


async def accept(rt: Runtime, invitation_id: int,
                 actor: audit.Actor | Viewer = audit.SYSTEM) -> AllianceInvitation:
    return await _decide(rt, invitation_id, InvitationStatus.ACCEPTED, actor)


async def decline(rt: Runtime, invitation_id: int,
                 actor: audit.Actor | Viewer = audit.SYSTEM) -> AllianceInvitation:
    return await _decide(rt, invitation_id, InvitationStatus.DECLINED, actor)


async def cancel(rt: Runtime, invitation_id: int,
                 actor: audit.Actor | Viewer = audit.SYSTEM) -> AllianceInvitation:
    return await _decide(rt, invitation_id, InvitationStatus.CANCELLED, actor)


async def mark_accepted(rt: Runtime, alliance_id: int, organisation_id: int) -> None:
    """A direct join (by someone managing both sides) settles a pending invitation too."""
    await AllianceInvitation.filter(
        alliance_id=alliance_id, organisation_id=organisation_id, status=InvitationStatus.PENDING
    ).update(status=InvitationStatus.ACCEPTED, responded_at=rt.now())


async def can_see_invitation(ctx: Context, invitation: AllianceInvitation) -> bool:
    """Admins of either side (and superusers)."""
    return await can_manage_org(ctx, invitation.alliance_id) or await can_manage_org(
        ctx, invitation.organisation_id
    )


async def _visible_invitation(ctx: Context, invitation_id: int) -> AllianceInvitation:
    require_signed_in(ctx)
    invitation = await AllianceInvitation.get_or_none(id=invitation_id)
    if invitation is None or not await can_see_invitation(ctx, invitation):
        raise UserInputError(errors.NOT_FOUND, "No invitation with this `id`", "id")
    return invitation


async def invite_as(ctx: Context, alliance_id: int, organisation_id: int, role: AllianceRole) -> AllianceInvitation:
    """Admins of the alliance invite; admins of the organisation decide."""
    await require_alliance_pair(alliance_id, organisation_id)
    await require_manage_org(ctx, alliance_id, "allianceId")
    return await invite(ctx.rt, alliance_id=alliance_id, organisation_id=organisation_id, role=role,
                        invited_by_account_id=ctx.viewer.account_id)


async def _respond_as(ctx: Context, invitation_id: int, status: InvitationStatus) -> AllianceInvitation:
    invitation = await _visible_invitation(ctx, invitation_id)
    if not await can_manage_org(ctx, invitation.organisation_id):
        raise UserInputError(
            errors.PERMISSION_DENIED, "Only admins of the invited organisation answer an invitation", "id"
        )
    return await _decide(ctx.rt, invitation_id, status, ctx.viewer)


async def accept_as(ctx: Context, invitation_id: int) -> AllianceInvitation:
    return await _respond_as(ctx, invitation_id, InvitationStatus.ACCEPTED)


async def decline_as(ctx: Context, invitation_id: int) -> AllianceInvitation:
    return await _respond_as(ctx, invitation_id, InvitationStatus.DECLINED)


async def cancel_as(ctx: Context, invitation_id: int) -> AllianceInvitation:
    """Admins of the alliance withdraw it (the organisation declines instead)."""
    invitation = await _visible_invitation(ctx, invitation_id)
    if not await can_manage_org(ctx, invitation.alliance_id):
        raise UserInputError(errors.PERMISSION_DENIED, "Only admins of the alliance withdraw an invitation", "id")
    return await cancel(ctx.rt, invitation_id, ctx.viewer)
