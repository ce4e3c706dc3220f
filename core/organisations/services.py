"""Rules for organisations and alliances, callable without GraphQL."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import errors
from core.context import Context
from core.errors import UserInputError
from core.organisations.models import (
    AllianceMembership,
    AllianceRole,
    Organisation,
    OrganisationKind,
    OrganisationLevel,
    StudioStatus,
)
from core.permissions import can_manage_org, lineage, require_manage_org
from core.lookups import require_organisation, require_person
from core.validation import Checks

NAME_MAX = 200
SHORT_MAX = 100
DESCRIPTION_MAX = 5000
CHARTER_MAX = 20000


@dataclass
class OrganisationData:
    """Fields of a create or update; None means "leave as it is" on update."""

    name: str | None = None
    kind: OrganisationKind | None = None
    level: OrganisationLevel | None = None
    region: str | None = None
    industry: str | None = None
    description: str | None = None
    charter: str | None = None
    status: StudioStatus | None = None
    parent_id: int | None = None
    leader_id: int | None = None
    clear_parent: bool = False


def _check_fields(checks: Checks, data: OrganisationData, creating: bool) -> dict[str, object]:
    values: dict[str, object] = {}
    if creating or data.name is not None:
        values["name"] = checks.text(data.name, "name", NAME_MAX, single_line=True)
    for attr, field, limit in (
        ("region", "region", SHORT_MAX),
        ("industry", "industry", SHORT_MAX),
        ("description", "description", DESCRIPTION_MAX),
        ("charter", "charter", CHARTER_MAX),
    ):
        if getattr(data, attr) is not None:
            values[attr] = checks.text(getattr(data, attr), field, limit, required=False)
    if data.level is not None:
        values["level"] = data.level
    return values


async def create_organisation(ctx: Context, data: OrganisationData) -> Organisation:
    checks = Checks()
    values = _check_fields(checks, data, creating=True)
    checks.raise_if_any()
    if data.parent_id is None:
        if not ctx.viewer.is_superuser:
            raise UserInputError(
                errors.PERMISSION_DENIED, "Only superusers create top-level organisations", "parentId"
            )
    else:
        await require_organisation(data.parent_id, "parentId")
        await require_manage_org(ctx, data.parent_id, "parentId")
    if data.leader_id is not None:
        await require_person(data.leader_id, "leaderId")
    kind = data.kind or OrganisationKind.ENTERPRISE
    status = data.status if kind == OrganisationKind.STUDIO else None
    if data.status is not None and kind != OrganisationKind.STUDIO:
        raise UserInputError(errors.BAD_USER_INPUT, "Only studios have a status", "status")
    return await Organisation.create(
        **values,
        kind=kind,
        status=status or (StudioStatus.ACTIVE if kind == OrganisationKind.STUDIO else None),
        parent_id=data.parent_id,
        leader_id=data.leader_id,
    )


async def update_organisation(ctx: Context, org_id: int, data: OrganisationData) -> Organisation:
    checks = Checks()
    values = _check_fields(checks, data, creating=False)
    checks.raise_if_any()
    await require_organisation(org_id, "id")
    await require_manage_org(ctx, org_id, "id")
    async with in_transaction():
        org = await Organisation.select_for_update().get(id=org_id)
        if data.status is not None:
            if org.kind != OrganisationKind.STUDIO:
                raise UserInputError(errors.BAD_USER_INPUT, "Only studios have a status", "status")
            values["status"] = data.status
        if data.leader_id is not None:
            await require_person(data.leader_id, "leaderId")
            values["leader_id"] = data.leader_id
        if data.clear_parent:
            if not ctx.viewer.is_superuser:
                raise UserInputError(
                    errors.PERMISSION_DENIED, "Only superusers make an organisation top-level", "parentId"
                )
            values["parent_id"] = None
        elif data.parent_id is not None and data.parent_id != org.parent_id:
            await require_organisation(data.parent_id, "parentId")
            await require_manage_org(ctx, data.parent_id, "parentId")
            if any(a.id == org.id for a in await lineage(ctx, data.parent_id)):
                raise UserInputError(
                    errors.CYCLE, "The new parent is this organisation or one of its descendants", "parentId"
                )
            values["parent_id"] = data.parent_id
        if values:
            await Organisation.filter(id=org_id).update(**values)
    ctx.loaders.clear()
    return await Organisation.get(id=org_id)


async def join_alliance(
    ctx: Context, alliance_id: int, org_id: int, role: AllianceRole
) -> AllianceMembership:
    alliance = await require_organisation(alliance_id, "allianceId")
    if alliance.kind != OrganisationKind.ALLIANCE:
        raise UserInputError(errors.NOT_AN_ALLIANCE, "This organisation is not an alliance", "allianceId")
    await require_organisation(org_id, "organisationId")
    if org_id == alliance_id:
        raise UserInputError(errors.CYCLE, "An alliance cannot join itself", "organisationId")
    await require_manage_org(ctx, alliance_id, "allianceId")
    try:
        async with in_transaction():
            membership = await AllianceMembership.create(
                alliance_id=alliance_id, organisation_id=org_id, role=role
            )
    except IntegrityError:
        # The unique (alliance, organisation) constraint decides races between two joins.
        raise UserInputError(
            errors.ALREADY_MEMBER, "This organisation is already in the alliance", "organisationId"
        ) from None
    ctx.loaders.clear()
    return membership


async def leave_alliance(ctx: Context, alliance_id: int, org_id: int) -> None:
    await require_organisation(alliance_id, "allianceId")
    await require_organisation(org_id, "organisationId")
    if not ctx.viewer.is_authenticated:
        raise UserInputError(errors.UNAUTHENTICATED, "Sign in first", None)
    if not (await can_manage_org(ctx, alliance_id) or await can_manage_org(ctx, org_id)):
        raise UserInputError(
            errors.PERMISSION_DENIED, "Only admins of the alliance or of the member may do this", "allianceId"
        )
    deleted = await AllianceMembership.filter(alliance_id=alliance_id, organisation_id=org_id).delete()
    if not deleted:
        raise UserInputError(errors.NOT_MEMBER, "This organisation is not in the alliance", "organisationId")
    ctx.loaders.clear()
