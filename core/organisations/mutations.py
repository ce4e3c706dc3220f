"""Mutations for organisations, alliances and plugin activation."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

import strawberry
from strawberry.scalars import JSON

from core import errors
from core.context import Info
from core.enums import AllianceRole, OrganisationKind, OrganisationLevel, StudioStatus
from core.errors import UserInputError
from core.lookups import require_organisation
from core.mutations import Payload
from core.organisations import activation, invitations, models, services
from core.organisations.types import AllianceInvitation, Organisation
from core.relay import decode_id, decode_optional_id

T = TypeVar("T")


@strawberry.input
class OrganisationCreateInput:
    name: str
    kind: OrganisationKind
    level: OrganisationLevel | None = None
    parent_id: strawberry.ID | None = None
    region: str | None = None
    industry: str | None = None
    description: str | None = None
    charter: str | None = None
    status: StudioStatus | None = None
    leader_id: strawberry.ID | None = None
    founded: date | None = None
    specialties: list[str] | None = strawberry.field(
        default=None, description="At most 20, each at most 50 characters."
    )


@strawberry.input
class OrganisationUpdateInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    level: OrganisationLevel | None = strawberry.UNSET
    region: str | None = strawberry.UNSET
    industry: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    charter: str | None = strawberry.UNSET
    status: StudioStatus | None = strawberry.UNSET
    parent_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="null makes the organisation top-level."
    )
    leader_id: strawberry.ID | None = strawberry.UNSET
    founded: date | None = strawberry.UNSET
    specialties: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the list; at most 20, each at most 50 characters."
    )


@strawberry.type
class OrganisationCreatePayload(Payload):
    organisation: Organisation | None = None


@strawberry.type
class OrganisationUpdatePayload(Payload):
    organisation: Organisation | None = None


@strawberry.input
class AllianceJoinInput:
    alliance_id: strawberry.ID
    organisation_id: strawberry.ID
    role: AllianceRole = AllianceRole.MEMBER


@strawberry.input
class AllianceLeaveInput:
    alliance_id: strawberry.ID
    organisation_id: strawberry.ID


@strawberry.type
class AlliancePayload(Payload):
    organisation: Organisation | None = strawberry.field(default=None, description="The member.")
    alliance: Organisation | None = None


@strawberry.input
class AllianceInviteInput:
    alliance_id: strawberry.ID
    organisation_id: strawberry.ID
    role: AllianceRole = AllianceRole.MEMBER


@strawberry.input
class AllianceInvitationInput:
    id: strawberry.ID = strawberry.field(description="An `AllianceInvitation` ID.")


@strawberry.type
class AllianceInvitationPayload(Payload):
    invitation: AllianceInvitation | None = None
    organisation: Organisation | None = strawberry.field(default=None, description="The invited organisation.")
    alliance: Organisation | None = None


async def _alliance_invitation_payload(row: models.AllianceInvitation) -> AllianceInvitationPayload:
    return AllianceInvitationPayload(
        invitation=AllianceInvitation.from_model(row),
        organisation=await _organisation(row.organisation_id),
        alliance=await _organisation(row.alliance_id),
    )


@strawberry.input
class PluginToggleInput:
    organisation_id: strawberry.ID
    plugin: str


@strawberry.input
class PluginConfigureInput:
    organisation_id: strawberry.ID
    plugin: str
    settings: JSON


@strawberry.type
class PluginTogglePayload(Payload):
    organisation: Organisation | None = None


@strawberry.type
class PluginConfigurePayload(Payload):
    organisation: Organisation | None = None
    settings: JSON | None = None


def _given(value: T) -> T | None:
    """None for an input field the client left out (``UNSET``)."""
    return None if value is strawberry.UNSET else value


async def _organisation(org_id: int) -> Organisation:
    return Organisation.from_model(await models.Organisation.get(id=org_id))


@strawberry.type
class OrganisationMutations:
    @strawberry.mutation
    async def organisation_create(self, info: Info, input: OrganisationCreateInput) -> OrganisationCreatePayload:
        data = services.OrganisationData(
            name=input.name,
            kind=input.kind,
            level=input.level,
            region=input.region,
            industry=input.industry,
            description=input.description,
            charter=input.charter,
            status=input.status,
            parent_id=decode_optional_id(input.parent_id, "Organisation", "parentId"),
            leader_id=decode_optional_id(input.leader_id, "Person", "leaderId"),
            founded=input.founded,
            specialties=input.specialties,
        )
        org = await services.create_organisation(info.context, data)
        return OrganisationCreatePayload(organisation=Organisation.from_model(org))

    @strawberry.mutation
    async def organisation_update(self, info: Info, input: OrganisationUpdateInput) -> OrganisationUpdatePayload:
        org_id = decode_id(input.id, "Organisation", "id")
        parent = _given(input.parent_id)
        leader = _given(input.leader_id)
        data = services.OrganisationData(
            name=_given(input.name),
            level=_given(input.level),
            region=_given(input.region),
            industry=_given(input.industry),
            description=_given(input.description),
            charter=_given(input.charter),
            status=_given(input.status),
            parent_id=decode_optional_id(parent, "Organisation", "parentId"),
            leader_id=decode_optional_id(leader, "Person", "leaderId"),
            founded=_given(input.founded),
            specialties=_given(input.specialties),
            clear_parent=input.parent_id is None,
        )
        org = await services.update_organisation(info.context, org_id, data)
        return OrganisationUpdatePayload(organisation=Organisation.from_model(org))

    @strawberry.mutation(
        description="Add an organisation to an alliance directly: callers who manage both. Alliance admins "
        "who do not manage the organisation get INVITATION_REQUIRED (use allianceInvite)."
    )
    async def alliance_join(self, info: Info, input: AllianceJoinInput) -> AlliancePayload:
        alliance_id = decode_id(input.alliance_id, "Organisation", "allianceId")
        org_id = decode_id(input.organisation_id, "Organisation", "organisationId")
        await services.join_alliance(info.context, alliance_id, org_id, input.role)
        return AlliancePayload(organisation=await _organisation(org_id), alliance=await _organisation(alliance_id))

    @strawberry.mutation(description="Invite an organisation into an alliance (alliance admins); it joins "
                         "when its admins accept.")
    async def alliance_invite(self, info: Info, input: AllianceInviteInput) -> AllianceInvitationPayload:
        alliance_id = decode_id(input.alliance_id, "Organisation", "allianceId")
        org_id = decode_id(input.organisation_id, "Organisation", "organisationId")
        row = await invitations.invite_as(info.context, alliance_id, org_id, input.role)
        return await _alliance_invitation_payload(row)

    @strawberry.mutation(description="Accept an alliance invitation (admins of the invited organisation).")
    async def alliance_invitation_accept(self, info: Info, input: AllianceInvitationInput) -> AllianceInvitationPayload:
        invitation_id = decode_id(input.id, "AllianceInvitation", "id")
        return await _alliance_invitation_payload(await invitations.accept_as(info.context, invitation_id))

    @strawberry.mutation(description="Decline an alliance invitation (admins of the invited organisation).")
    async def alliance_invitation_decline(
        self, info: Info, input: AllianceInvitationInput
    ) -> AllianceInvitationPayload:
        invitation_id = decode_id(input.id, "AllianceInvitation", "id")
        return await _alliance_invitation_payload(await invitations.decline_as(info.context, invitation_id))

    @strawberry.mutation(description="Withdraw a pending alliance invitation (alliance admins).")
    async def alliance_invitation_cancel(self, info: Info, input: AllianceInvitationInput) -> AllianceInvitationPayload:
        invitation_id = decode_id(input.id, "AllianceInvitation", "id")
        return await _alliance_invitation_payload(await invitations.cancel_as(info.context, invitation_id))

    @strawberry.mutation(description="Take an organisation out of an alliance.")
    async def alliance_leave(self, info: Info, input: AllianceLeaveInput) -> AlliancePayload:
        alliance_id = decode_id(input.alliance_id, "Organisation", "allianceId")
        org_id = decode_id(input.organisation_id, "Organisation", "organisationId")
        await services.leave_alliance(info.context, alliance_id, org_id)
        return AlliancePayload(organisation=await _organisation(org_id), alliance=await _organisation(alliance_id))

    @strawberry.mutation(description="Switch a plugin on for an organisation (idempotent).")
    async def plugin_enable(self, info: Info, input: PluginToggleInput) -> PluginTogglePayload:
        org_id = decode_id(input.organisation_id, "Organisation", "organisationId")
        await require_organisation(org_id)
        await activation.set_plugin_enabled(info.context, org_id, input.plugin, True)
        return PluginTogglePayload(organisation=await _organisation(org_id))

    @strawberry.mutation(description="Switch a plugin off; its data and settings are kept.")
    async def plugin_disable(self, info: Info, input: PluginToggleInput) -> PluginTogglePayload:
        org_id = decode_id(input.organisation_id, "Organisation", "organisationId")
        await require_organisation(org_id)
        await activation.set_plugin_enabled(info.context, org_id, input.plugin, False)
        return PluginTogglePayload(organisation=await _organisation(org_id))

    @strawberry.mutation(description="Change an enabled plugin's settings for an organisation.")
    async def plugin_configure(self, info: Info, input: PluginConfigureInput) -> PluginConfigurePayload:
        org_id = decode_id(input.organisation_id, "Organisation", "organisationId")
        await require_organisation(org_id)
        if not isinstance(input.settings, dict):
            raise UserInputError(errors.BAD_USER_INPUT, "`settings` must be an object", "settings")
        settings = await activation.configure_plugin(info.context, org_id, input.plugin, input.settings)
        return PluginConfigurePayload(
            organisation=await _organisation(org_id), settings=JSON(settings.model_dump(mode="json"))
        )
