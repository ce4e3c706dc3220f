"""Consent for memberships: an organisation invites an existing person, who accepts or declines.

``invite(rt, ...)`` and friends do the work with no permission check; ``invite_as(ctx, ...)``
adds the viewer's. Every change is one conditional UPDATE (``status = PENDING``) inside a
transaction, so two concurrent accepts create the membership once and a decided invitation
never changes again; re-inviting reopens the one row per (person, organisation).
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from core import audit, errors, invitations
from core.context import Context, Viewer
from core.errors import UserInputError
from core.events import emit
from core.lookups import require_organisation, require_person
from core.people.models import InvitationStatus, Membership, MembershipInvitation, MembershipRole
from core.permissions import can_manage_org, require_manage_org, require_signed_in
from core.plugin_api import DomainEvent
from core.relay import to_global_id
from core.runtime import Runtime

DECIDED = {
    InvitationStatus.ACCEPTED: "membership.accepted",
    InvitationStatus.DECLINED: "membership.declined",
    InvitationStatus.CANCELLED: "membership.invitation_cancelled",
}


async def invite(rt: Runtime, *, organisation_id: int, person_id: int, role: MembershipRole,
                 invited_by_account_id: int | None) -> MembershipInvitation:
    """A pending invitation (a new one, or the one row reopened with this role)."""
    if await Membership.exists(person_id=person_id, organisation_id=organisation_id):
        raise UserInputError(errors.ALREADY_MEMBER, "This person is already in the organisation", "personId")
    async with in_transaction():
        invitation = await invitations.reopen(
            MembershipInvitation, {"person_id": person_id, "organisation_id": organisation_id}, role, rt.now(),
            invited_by_account_id,
        )
        entry = await audit.record(rt, actor=audit.Actor(invited_by_account_id), organisation_id=organisation_id,
                                   action="membership.invited", target=audit.target("Person", person_id),
                                   after={"invitation": audit.target("MembershipInvitation", invitation.id),
                                          "role": role})
    # No subject: on organisationEvents only the person and the organisation's admins receive it.
    await emit(rt, DomainEvent("membership.invited", {
        "invitationId": to_global_id("MembershipInvitation", invitation.id),
        "organisationId": to_global_id("Organisation", organisation_id),
        "personId": to_global_id("Person", person_id), "role": role.value,
        "invitedById": to_global_id("Person", entry.actor_person_id) if entry.actor_person_id else None,
    }, organisation_id=organisation_id, audience=(person_id,)))
    return invitation


async def _decide(rt: Runtime, invitation_id: int, status: InvitationStatus,
                  actor: audit.Actor | Viewer = audit.SYSTEM) -> MembershipInvitation:
    """Move a pending invitation to ``status``; asking again for the same outcome is no error."""
    async with in_transaction():
        changed, invitation = await invitations.settle(MembershipInvitation, invitation_id, status, rt.now())
        if changed and status == InvitationStatus.ACCEPTED:
            # Insert-or-nothing: a membership made meanwhile (by a superuser) keeps its role.
            await Membership.bulk_create(
                [Membership(person_id=invitation.person_id, organisation_id=invitation.organisation_id,
                            role=invitation.role)],
                ignore_conflicts=True,
            )
        if changed:
            await audit.record(rt, actor=actor, organisation_id=invitation.organisation_id, action=DECIDED[status],
                               target=audit.target("Person", invitation.person_id), before={"status": "PENDING"},
                               after={"invitation": audit.target("MembershipInvitation", invitation.id),
                                      "status": status, "role": invitation.role})
    invitations.require_outcome(invitation, status, changed)
    return invitation


async def accept(rt: Runtime, invitation_id: int,
                 actor: audit.Actor | Viewer = audit.SYSTEM) -> MembershipInvitation:
    return await _decide(rt, invitation_id, InvitationStatus.ACCEPTED, actor)


async def decline(rt: Runtime, invitation_id: int,
                 actor: audit.Actor | Viewer = audit.SYSTEM) -> MembershipInvitation:
    return await _decide(rt, invitation_id, InvitationStatus.DECLINED, actor)


async def cancel(rt: Runtime, invitation_id: int,
                 actor: audit.Actor | Viewer = audit.SYSTEM) -> MembershipInvitation:
    return await _decide(rt, invitation_id, InvitationStatus.CANCELLED, actor)


async def can_see_invitation(ctx: Context, invitation: MembershipInvitation) -> bool:
    """The invited person, superusers and admins of the inviting organisation."""
    if ctx.viewer.person_id is not None and ctx.viewer.person_id == invitation.person_id:
        return True
    return await can_manage_org(ctx, invitation.organisation_id)


async def _visible_invitation(ctx: Context, invitation_id: int) -> MembershipInvitation:
    require_signed_in(ctx)
    invitation = await MembershipInvitation.get_or_none(id=invitation_id)
    if invitation is None or not await can_see_invitation(ctx, invitation):
        raise UserInputError(errors.NOT_FOUND, "No invitation with this `id`", "id")
    return invitation


async def invite_as(ctx: Context, organisation_id: int, person_id: int,
                    role: MembershipRole) -> MembershipInvitation:
    """Admins of the organisation invite; the person decides."""
    await require_organisation(organisation_id)
    await require_person(person_id)
    await require_manage_org(ctx, organisation_id)
    return await invite(ctx.rt, organisation_id=organisation_id, person_id=person_id, role=role,
                        invited_by_account_id=ctx.viewer.account_id)


async def _respond_as(ctx: Context, invitation_id: int, status: InvitationStatus) -> MembershipInvitation:
    invitation = await _visible_invitation(ctx, invitation_id)
    if ctx.viewer.person_id != invitation.person_id:
        # Admins (even superusers) propose; only the person signs.
        raise UserInputError(errors.PERMISSION_DENIED, "Only the invited person answers an invitation", "id")
    return await _decide(ctx.rt, invitation_id, status, ctx.viewer)


async def accept_as(ctx: Context, invitation_id: int) -> MembershipInvitation:
    return await _respond_as(ctx, invitation_id, InvitationStatus.ACCEPTED)


async def decline_as(ctx: Context, invitation_id: int) -> MembershipInvitation:
    return await _respond_as(ctx, invitation_id, InvitationStatus.DECLINED)


async def cancel_as(ctx: Context, invitation_id: int) -> MembershipInvitation:
    """Admins of the inviting organisation withdraw it (the person declines instead)."""
    invitation = await _visible_invitation(ctx, invitation_id)
    await require_manage_org(ctx, invitation.organisation_id, "id")
    return await cancel(ctx.rt, invitation_id, ctx.viewer)
