"""Mutations for people, memberships and honours."""

from __future__ import annotations

import strawberry

from core.context import Info
from core.enums import HonourLevel, MembershipRole
from core.mutations import Payload
from core.people import invitations, models, services
from core.people.types import Honour, MembershipInvitation, Person
from core.relay import decode_id, decode_optional_id


@strawberry.input
class PersonCreateInput:
    name: str
    organisation_id: strawberry.ID | None = None
    role: MembershipRole = MembershipRole.MEMBER
    username: str | None = strawberry.field(default=None, description="With password: an account.")
    password: str | None = None
    bio: str | None = None
    phone: str | None = None
    email: str | None = None


@strawberry.input
class PersonUpdateInput:
    id: strawberry.ID
    name: str | None = None
    bio: str | None = None
    phone: str | None = None
    email: str | None = None


@strawberry.type
class PersonPayload(Payload):
    person: Person | None = None


@strawberry.input
class MembershipSetInput:
    person_id: strawberry.ID
    organisation_id: strawberry.ID
    role: MembershipRole | None = strawberry.field(default=None, description="null removes the person.")


@strawberry.input
class HonourAddInput:
    person_id: strawberry.ID
    title: str
    level: HonourLevel
    year: int
    issuer: str | None = None
    organisation_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The organisation recording it (you must manage it and the person be in it); "
        "by default the first of the person's organisations you manage.",
    )


@strawberry.type
class HonourAddPayload(Payload):
    person: Person | None = None
    honour: Honour | None = None


@strawberry.input
class MembershipInviteInput:
    organisation_id: strawberry.ID
    person_id: strawberry.ID
    role: MembershipRole = MembershipRole.MEMBER


@strawberry.input
class MembershipInvitationInput:
    id: strawberry.ID = strawberry.field(description="A `MembershipInvitation` ID.")


@strawberry.type
class MembershipInvitationPayload(Payload):
    invitation: MembershipInvitation | None = None
    person: Person | None = strawberry.field(default=None, description="The invited person.")


async def _invitation_payload(row: models.MembershipInvitation) -> MembershipInvitationPayload:
    return MembershipInvitationPayload(
        invitation=MembershipInvitation.from_model(row), person=await _person(row.person_id)
    )


async def _person(person_id: int) -> Person:
    return Person.from_model(await models.Person.get(id=person_id))


@strawberry.type
class PeopleMutations:
    @strawberry.mutation(description="Create a person, optionally in an organisation and with an account.")
    async def person_create(self, info: Info, input: PersonCreateInput) -> PersonPayload:
        data = services.NewPerson(
            name=input.name,
            organisation_id=decode_optional_id(input.organisation_id, "Organisation", "organisationId"),
            role=input.role,
            username=input.username,
            password=input.password,
            bio=input.bio or "",
            phone=input.phone or "",
            email=input.email or "",
        )
        person = await services.create_person(info.context, data)
        return PersonPayload(person=Person.from_model(person))

    @strawberry.mutation(description="Change a profile: name, bio and contact details (the person, or a superuser).")
    async def person_update(self, info: Info, input: PersonUpdateInput) -> PersonPayload:
        person_id = decode_id(input.id, "Person", "id")
        person = await services.update_person(
            info.context, person_id, input.name, input.bio, input.phone, input.email
        )
        return PersonPayload(person=Person.from_model(person))

    @strawberry.mutation(
        description="Set a member's role in an organisation; a null role removes them. Adding someone "
        "not yet in it: superusers, or admins managing all of the person's organisations; otherwise "
        "INVITATION_REQUIRED (use membershipInvite)."
    )
    async def membership_set(self, info: Info, input: MembershipSetInput) -> PersonPayload:
        person_id = decode_id(input.person_id, "Person", "personId")
        org_id = decode_id(input.organisation_id, "Organisation", "organisationId")
        await services.set_membership(info.context, person_id, org_id, input.role)
        return PersonPayload(person=await _person(person_id))

    @strawberry.mutation(description="Record an honour (admins of the person's organisations, in one's name).")
    async def honour_add(self, info: Info, input: HonourAddInput) -> HonourAddPayload:
        person_id = decode_id(input.person_id, "Person", "personId")
        org_id = decode_optional_id(input.organisation_id, "Organisation", "organisationId")
        honour = await services.add_honour(
            info.context, person_id, input.title, input.level, input.year, input.issuer, org_id
        )
        return HonourAddPayload(person=await _person(person_id), honour=Honour.from_model(honour))

    @strawberry.mutation(description="Invite an existing person into an organisation (its admins); "
                         "they join when they accept.")
    async def membership_invite(self, info: Info, input: MembershipInviteInput) -> MembershipInvitationPayload:
        org_id = decode_id(input.organisation_id, "Organisation", "organisationId")
        person_id = decode_id(input.person_id, "Person", "personId")
        return await _invitation_payload(await invitations.invite_as(info.context, org_id, person_id, input.role))

    @strawberry.mutation(description="Accept an invitation (the invited person only); joins once.")
    async def membership_accept(self, info: Info, input: MembershipInvitationInput) -> MembershipInvitationPayload:
        invitation_id = decode_id(input.id, "MembershipInvitation", "id")
        return await _invitation_payload(await invitations.accept_as(info.context, invitation_id))

    @strawberry.mutation(description="Decline an invitation (the invited person only).")
    async def membership_decline(self, info: Info, input: MembershipInvitationInput) -> MembershipInvitationPayload:
        invitation_id = decode_id(input.id, "MembershipInvitation", "id")
        return await _invitation_payload(await invitations.decline_as(info.context, invitation_id))

    @strawberry.mutation(description="Withdraw a pending invitation (admins of the inviting organisation).")
    async def membership_invite_cancel(
        self, info: Info, input: MembershipInvitationInput
    ) -> MembershipInvitationPayload:
        invitation_id = decode_id(input.id, "MembershipInvitation", "id")
        return await _invitation_payload(await invitations.cancel_as(info.context, invitation_id))
