"""GraphQL types of people, honours and memberships."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from core.context import Context, Info
from core.enums import HonourLevel, InvitationStatus, MembershipRole
from core.nodes import ModelNode
from core.organisations.models import Organisation as OrganisationModel
from core.organisations.types import Organisation
from core.people import models
from core.people.growth import GrowthConnection, growth_page
from core.people.invitations import can_see_invitation
from core.permissions import can_manage_org, can_see_contact
from core.plugin_api import order_sensitive
from core.provenance import AwardedBy, account_person
from core.skills.models import PersonSkill as PersonSkillModel
from core.skills.types import PersonSkill


@strawberry.type(description="An honour, e.g. 全国劳动模范 / NATIONAL / 2015.")
class Honour:
    title: str
    level: HonourLevel
    year: int
    issuer: str
    awarded_by: AwardedBy | None = strawberry.field(
        description="Who recorded the honour, for which organisation; null when the system did."
    )

    @classmethod
    def from_model(cls, row: models.Honour) -> Self:
        return cls(
            title=row.title, level=row.level, year=row.year, issuer=row.issuer,
            awarded_by=AwardedBy.of(row.awarded_by_organisation_id, row.awarded_by_account_id),
        )


@strawberry.type(description="A person's place in an organisation.")
class Membership:
    role: MembershipRole
    joined_at: datetime
    organisation_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: models.Membership) -> Self:
        return cls(role=row.role, joined_at=row.joined_at, organisation_id=row.organisation_id)

    @strawberry.field
    async def organisation(self, info: Info) -> Organisation:
        row = await info.context.loaders.by_id(OrganisationModel).load(self.organisation_id)
        assert row is not None  # the foreign key guarantees it
        return Organisation.from_model(row)


@strawberry.type(description="An organisation's invitation to a person, who accepts or declines it.")
class MembershipInvitation(ModelNode):
    id: relay.NodeID[int]
    role: MembershipRole = strawberry.field(description="The role the person gets on accepting.")
    status: InvitationStatus
    invited_at: datetime
    responded_at: datetime | None
    person_id: strawberry.Private[int]
    organisation_id: strawberry.Private[int]
    invited_by_account_id: strawberry.Private[int | None]

    @classmethod
    def model(cls) -> type[models.MembershipInvitation]:
        return models.MembershipInvitation

    @classmethod
    async def can_see(cls, ctx: Context, row: models.MembershipInvitation) -> bool:
        """The invited person, admins of the inviting organisation, superusers (``node`` too)."""
        return await can_see_invitation(ctx, row)

    @classmethod
    def from_model(cls, row: models.MembershipInvitation) -> Self:
        return cls(
            id=row.id, role=row.role, status=row.status,
            invited_at=row.invited_at, responded_at=row.responded_at, person_id=row.person_id,
            organisation_id=row.organisation_id, invited_by_account_id=row.invited_by_account_id,
        )

    @strawberry.field
    async def person(self, info: Info) -> Person:
        row = await info.context.loaders.by_id(models.Person).load(self.person_id)
        assert row is not None  # the foreign key guarantees it
        return Person.from_model(row)

    @strawberry.field(description="The inviting organisation.")
    async def organisation(self, info: Info) -> Organisation:
        row = await info.context.loaders.by_id(OrganisationModel).load(self.organisation_id)
        assert row is not None  # the foreign key guarantees it
        return Organisation.from_model(row)

    @strawberry.field(description="The admin who sent it; null when the system did.")
    async def invited_by(self, info: Info) -> Person | None:
        row = await account_person(info, self.invited_by_account_id)
        return Person.from_model(row) if row else None


async def visible_invitations(info: Info, rows: list[models.MembershipInvitation]) -> list[MembershipInvitation]:
    """The invitations the viewer may see: their own, and those of organisations they manage."""
    person_id = info.context.viewer.person_id
    return [
        MembershipInvitation.from_model(row)
        for row in rows
        if (person_id is not None and row.person_id == person_id)
        or await can_manage_org(info.context, row.organisation_id)
    ]


@strawberry.type(description="A worker, master craftsman, expert or apprentice.")
class Person(ModelNode):
    id: relay.NodeID[int]
    name: str
    bio: str
    stored_phone: strawberry.Private[str]
    stored_email: strawberry.Private[str]

    @classmethod
    def model(cls) -> type[models.Person]:
        return models.Person

    @classmethod
    def from_model(cls, row: models.Person) -> Self:
        return cls(
            id=row.id, name=row.name, bio=row.bio, stored_phone=row.phone, stored_email=row.email
        )

    @strawberry.field(description="Visible to the person and admins of their organisations.")
    async def phone(self, info: Info) -> str | None:
        return self.stored_phone if await can_see_contact(info.context, self.id) else None

    @strawberry.field(description="Visible to the person and admins of their organisations.")
    async def email(self, info: Info) -> str | None:
        return self.stored_email if await can_see_contact(info.context, self.id) else None

    @strawberry.field
    async def honours(self, info: Info) -> list[Honour]:
        loader = info.context.loaders.children(models.Honour, "person_id", order_by=("-year", "id"))
        return [Honour.from_model(row) for row in await loader.load(self.id)]

    @strawberry.field(description="Skills with levels, best level first.")
    async def skills(self, info: Info) -> list[PersonSkill]:
        # The skill comes joined: `skill` then resolves without another await per level.
        loader = info.context.loaders.children(
            PersonSkillModel, "person_id", order_by=("level", "id"), related=("skill",)
        )
        return [PersonSkill.from_model(row, row.skill) for row in await loader.load(self.id)]

    @strawberry.field(
        description="Growth record (成长档案), newest first, from core and every plugin (honours, "
        "levels, apprenticeships, training, …): each entry only where the viewer may see its subject. "
        "Answered for one person per request; null for any other person in the same request.",
        metadata=order_sensitive(),
    )
    async def growth(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> GrowthConnection | None:
        return await growth_page(info, self.id, first, after)

    @strawberry.field
    async def memberships(self, info: Info) -> list[Membership]:
        # The organisations come in the same statement: `memberships { organisation }` is free.
        loader = info.context.loaders.children(models.Membership, "person_id", related=("organisation",))
        return [Membership.from_model(row) for row in await loader.load(self.id)]

    @strawberry.field(
        description="Pending invitations to join organisations: all of them for the person, those "
        "of the organisations they manage for admins, none for anyone else."
    )
    async def invitations(self, info: Info) -> list[MembershipInvitation]:
        loader = info.context.loaders.children(
            models.MembershipInvitation, "person_id", status=models.InvitationStatus.PENDING
        )
        return await visible_invitations(info, await loader.load(self.id))
