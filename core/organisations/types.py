"""GraphQL types of organisations and alliances."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.context import Context, Info
from core.enums import (
    AllianceRole,
    InvitationStatus,
    MembershipRole,
    OrganisationKind,
    OrganisationLevel,
    StudioStatus,
)
from core.nodes import ModelNode
from core.organisations import models
from core.people.models import InvitationStatus as Status
from core.people.models import Membership
from core.people.models import MembershipInvitation as MembershipInvitationModel
from core.people.models import Person as PersonModel
from core.relay import (
    Connection,
    PageInfo,
    build_loaded_page,
    build_page,
    page_window,
    paginate_list,
)

if TYPE_CHECKING:
    from core.audit.types import AuditEntry
    from core.people.types import MembershipInvitation, Person

PersonRef = Annotated["Person", strawberry.lazy("core.people.types")]
MembershipInvitationRef = Annotated["MembershipInvitation", strawberry.lazy("core.people.types")]
AuditEntryRef = Annotated["AuditEntry", strawberry.lazy("core.audit.types")]


def _person_type() -> type[Person]:
    # Imported late: people.types refers back to Organisation.
    from core.people.types import Person

    return Person


@strawberry.type(description="A union, enterprise, school, institute, studio or alliance.")
class Organisation(ModelNode):
    id: relay.NodeID[int]
    name: str
    kind: OrganisationKind
    level: OrganisationLevel | None
    region: str
    industry: str
    description: str
    charter: str = strawberry.field(description="Alliance charter (联盟章程); empty for others.")
    status: StudioStatus | None = strawberry.field(description="Studios only.")
    founded: date | None = strawberry.field(description="When it was founded (成立日期); null if unknown.")
    specialties: list[str] = strawberry.field(description="What it is known for (特色方向), e.g. 焊接机器人.")
    parent_id: strawberry.Private[int | None]
    leader_id: strawberry.Private[int | None]

    @classmethod
    def model(cls) -> type[models.Organisation]:
        return models.Organisation

    @classmethod
    def from_model(cls, row: models.Organisation) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            kind=row.kind,
            level=row.level,
            region=row.region,
            industry=row.industry,
            description=row.description,
            charter=row.charter,
            status=row.status,
            founded=row.founded,
            specialties=list(row.specialties or []),
            parent_id=row.parent_id,
            leader_id=row.leader_id,
        )

    @strawberry.field
    async def parent(self, info: Info) -> Organisation | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders.by_id(models.Organisation).load(self.parent_id)
        return Organisation.from_model(row) if row else None

    @strawberry.field(description="Studio leader (领衔人).")
    async def leader(self, info: Info) -> PersonRef | None:
        if self.leader_id is None:
            return None
        row = await info.context.loaders.by_id(PersonModel).load(self.leader_id)
        return _person_type().from_model(row) if row else None

    @strawberry.field
    async def children(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Organisation]:
        rows = await info.context.loaders.children(models.Organisation, "parent_id").load(self.id)
        return paginate_list(rows, first, after, Organisation.from_model)

    @strawberry.field(description="How many people are members (directly, not of organisations below).")
    async def member_count(self, info: Info) -> int:
        from core.organisations.directory import member_counts

        return await member_counts(info.context).load(self.id)

    @strawberry.field(description="People in this organisation, with their role on each edge.")
    async def members(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> MemberConnection:
        offset, limit = page_window(first, after)
        # Only this page's memberships are read (a window per organisation, core.loaders.page),
        # with their people joined in the same statement.
        page = await info.context.loaders.page(
            Membership, "organisation_id", offset, limit, related=("person",)
        ).load(self.id)
        people = await info.context.loaders.by_id(PersonModel).load_many([m.person_id for m in page.rows])
        by_id = {p.id: p for p in people if p is not None}
        person = _person_type()
        return build_loaded_page(
            MemberConnection, MemberEdge, page.rows, offset, page.total,
            lambda m: {"node": person.from_model(by_id[m.person_id]), "role": m.role},
        )

    @strawberry.field(description="Alliances this organisation belongs to.")
    async def alliances(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> AllianceConnection:
        loader = info.context.loaders.children(models.AllianceMembership, "organisation_id")
        rows = await loader.load(self.id)
        return await _alliance_page(info, rows, first, after, lambda m: m.alliance_id)

    @strawberry.field(description="For an alliance: its member organisations.")
    async def alliance_members(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> AllianceConnection:
        loader = info.context.loaders.children(models.AllianceMembership, "alliance_id")
        rows = await loader.load(self.id)
        return await _alliance_page(info, rows, first, after, lambda m: m.organisation_id)

    @strawberry.field(description="Pending invitations this organisation sent to people (its admins only).")
    async def invitations(self, info: Info) -> list[MembershipInvitationRef]:
        from core.people.types import MembershipInvitation
        from core.permissions import can_manage_org

        if not await can_manage_org(info.context, self.id):
            return []
        loader = info.context.loaders.children(MembershipInvitationModel, "organisation_id", status=Status.PENDING)
        return [MembershipInvitation.from_model(row) for row in await loader.load(self.id)]

    @strawberry.field(
        description="Pending alliance invitations this organisation sent (as an alliance) or received "
        "(admins of this organisation only)."
    )
    async def alliance_invitations(self, info: Info) -> list[AllianceInvitation]:
        from core.permissions import can_manage_org

        if not await can_manage_org(info.context, self.id):
            return []
        loaders = info.context.loaders
        sent = await loaders.children(models.AllianceInvitation, "alliance_id", status=Status.PENDING).load(self.id)
        received = await loaders.children(
            models.AllianceInvitation, "organisation_id", status=Status.PENDING
        ).load(self.id)
        return [AllianceInvitation.from_model(row) for row in sorted(sent + received, key=lambda r: r.id)]

    @strawberry.field(
        description="Security-relevant actions about this organisation, newest first (docs/audit.md): "
        "admins of it or of an ancestor, and superusers; null for others. `action` filters by one "
        "action, or by a family when it ends in a dot (`membership.`)."
    )
    async def audit_log(
        self, info: Info, first: int | None = None, after: str | None = None, action: str | None = None
    ) -> Connection[AuditEntryRef] | None:
        from core.audit.queries import organisation_log

        return await organisation_log(info, self.id, first, after, action)

    @strawberry.field(description="Plugins switched on for this organisation.")
    async def enabled_plugins(self, info: Info) -> list[str]:
        loader = info.context.loaders.children(
            models.OrganisationPlugin, "organisation_id", enabled=True
        )
        installed = info.context.rt.registry.activity_plugins
        return [row.plugin for row in await loader.load(self.id) if row.plugin in installed]

    @strawberry.field(
        description="Every installed plugin with its state here; `settings` (the effective values) "
        "only for admins of this organisation, null for others."
    )
    async def plugins(self, info: Info) -> list[OrganisationPluginState]:
        from core.organisations.activation import effective_settings
        from core.permissions import can_manage_org

        registry = info.context.rt.registry
        rows = await info.context.loaders.children(models.OrganisationPlugin, "organisation_id").load(self.id)
        by_name = {row.plugin: row for row in rows}
        admin = await can_manage_org(info.context, self.id)
        states = []
        for name in registry.activity_plugins:
            row = by_name.get(name)
            settings = effective_settings(registry, name, row.settings if row else {}) if admin else None
            states.append(OrganisationPluginState(
                name=name,
                enabled=bool(row and row.enabled),
                settings=JSON(settings.model_dump(mode="json")) if settings is not None else None,
            ))
        return states

    @strawberry.field(
        description="Studios: every change of `status` (风险提示, 摘牌, restored), newest first; "
        "empty for other organisations."
    )
    async def status_history(self, info: Info) -> list[StudioStatusChange]:
        loader = info.context.loaders.children(models.StudioStatusChange, "organisation_id", order_by=("-at", "-id"))
        return [StudioStatusChange.from_model(row) for row in await loader.load(self.id)]


@strawberry.type(description="One change of a studio's status, with the reason given.")
class StudioStatusChange:
    from_status: StudioStatus | None
    to_status: StudioStatus
    reason: str
    at: datetime

    @classmethod
    def from_model(cls, row: models.StudioStatusChange) -> Self:
        return cls(from_status=row.from_status, to_status=row.to_status, reason=row.reason, at=row.at)


@strawberry.type(description="An alliance's invitation to an organisation, whose admins accept or decline it.")
class AllianceInvitation(ModelNode):
    id: relay.NodeID[int]
    role: AllianceRole = strawberry.field(description="The role the organisation gets on accepting.")
    status: InvitationStatus
    invited_at: datetime
    responded_at: datetime | None
    alliance_id: strawberry.Private[int]
    organisation_id: strawberry.Private[int]

    @classmethod
    def model(cls) -> type[models.AllianceInvitation]:
        return models.AllianceInvitation

    @classmethod
    async def can_see(cls, ctx: Context, row: models.AllianceInvitation) -> bool:
        """Admins of the alliance and of the invited organisation, superusers (``node`` too)."""
        from core.organisations.invitations import can_see_invitation

        return await can_see_invitation(ctx, row)

    @classmethod
    def from_model(cls, row: models.AllianceInvitation) -> Self:
        return cls(
            id=row.id, role=row.role, status=row.status,
            invited_at=row.invited_at, responded_at=row.responded_at, alliance_id=row.alliance_id,
            organisation_id=row.organisation_id,
        )

    @strawberry.field
    async def alliance(self, info: Info) -> Organisation:
        row = await info.context.loaders.by_id(models.Organisation).load(self.alliance_id)
        assert row is not None  # the foreign key guarantees it
        return Organisation.from_model(row)

    @strawberry.field(description="The invited organisation.")
    async def organisation(self, info: Info) -> Organisation:
        row = await info.context.loaders.by_id(models.Organisation).load(self.organisation_id)
        assert row is not None  # the foreign key guarantees it
        return Organisation.from_model(row)


@strawberry.type(description="An installed plugin as one organisation has it.")
class OrganisationPluginState:
    name: str
    enabled: bool
    settings: JSON | None = strawberry.field(description="Effective settings; admins only.")


async def _alliance_page(
    info: Info,
    rows: list[models.AllianceMembership],
    first: int | None,
    after: str | None,
    other_side: Callable[[models.AllianceMembership], int],
) -> AllianceConnection:
    offset, limit = page_window(first, after)
    orgs = await info.context.loaders.by_id(models.Organisation).load_many(
        [other_side(m) for m in rows[offset : offset + limit]]
    )
    by_id = {o.id: o for o in orgs if o is not None}
    return build_page(
        AllianceConnection, AllianceEdge, rows, offset, limit,
        lambda m: {"node": Organisation.from_model(by_id[other_side(m)]), "role": m.role},
    )


@strawberry.type
class MemberEdge:
    cursor: str
    role: MembershipRole
    node: PersonRef


@strawberry.type
class MemberConnection:
    edges: list[MemberEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class AllianceEdge:
    cursor: str
    role: AllianceRole
    node: Organisation


@strawberry.type
class AllianceConnection:
    edges: list[AllianceEdge]
    page_info: PageInfo
    total_count: int
