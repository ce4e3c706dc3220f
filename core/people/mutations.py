"""Mutations for people, memberships and honours."""

from __future__ import annotations

import strawberry

from core.context import Info
from core.enums import HonourLevel, MembershipRole
from core.mutations import Payload
from core.people import models, services
from core.people.types import Honour, Person
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


@strawberry.type
class HonourAddPayload(Payload):
    person: Person | None = None
    honour: Honour | None = None


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

    @strawberry.mutation(description="Change a profile (the person, or an admin of their organisation).")
    async def person_update(self, info: Info, input: PersonUpdateInput) -> PersonPayload:
        person_id = decode_id(input.id, "Person", "id")
        person = await services.update_person(
            info.context, person_id, input.name, input.bio, input.phone, input.email
        )
        return PersonPayload(person=Person.from_model(person))

    @strawberry.mutation(description="Set a person's role in an organisation; a null role removes them.")
    async def membership_set(self, info: Info, input: MembershipSetInput) -> PersonPayload:
        person_id = decode_id(input.person_id, "Person", "personId")
        org_id = decode_id(input.organisation_id, "Organisation", "organisationId")
        await services.set_membership(info.context, person_id, org_id, input.role)
        return PersonPayload(person=await _person(person_id))

    @strawberry.mutation(description="Record an honour (admins of the person's organisations).")
    async def honour_add(self, info: Info, input: HonourAddInput) -> HonourAddPayload:
        person_id = decode_id(input.person_id, "Person", "personId")
        honour = await services.add_honour(
            info.context, person_id, input.title, input.level, input.year, input.issuer
        )
        return HonourAddPayload(person=await _person(person_id), honour=Honour.from_model(honour))
