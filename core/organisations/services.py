"""Rules for organisations and alliances, callable without GraphQL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypedDict

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import audit, errors
from core.context import Context
from core.errors import UserInputError
from core.lookups import require_organisation, require_person
from core.organisations.invitations import mark_accepted, require_alliance_pair
from core.organisations.models import (
    AllianceMembership,
    AllianceRole,
    Organisation,
    OrganisationKind,
    OrganisationLevel,
    StudioStatus,
)
from core.permissions import can_manage_org, lineage, require_manage_org, require_may_name
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
    founded: date | None = None
    specialties: list[str] | None = None


class OrganisationValues(TypedDict, total=False):
    """Checked column values to write; a missing key leaves the column as it is."""

    name: str
    kind: OrganisationKind
    level: OrganisationLevel
    region: str
    industry: str
    description: str
    charter: str
    status: StudioStatus | None
    parent_id: int | None
    leader_id: int | None
    founded: date
    specialties: list[str]


TextColumn = Literal["region", "industry", "description", "charter"]
TEXT_LIMITS: tuple[tuple[TextColumn, int], ...] = (
    ("region", SHORT_MAX),
    ("industry", SHORT_MAX),
    ("description", DESCRIPTION_MAX),
    ("charter", CHARTER_MAX),
)


def _check_fields(checks: Checks, data: OrganisationData, creating: bool) -> OrganisationValues:
    values: OrganisationValues = {}
    if creating or data.name is not None:
        values["name"] = checks.text(data.name, "name", NAME_MAX, single_line=True)
    for column, limit in TEXT_LIMITS:
        text: str | None = getattr(data, column)
        if text is not None:
            values[column] = checks.text(text, column, limit, required=False)
    if data.level is not None:
        values["level"] = data.level
    if data.founded is not None:
        values["founded"] = data.founded
    if data.specialties is not None:
        values["specialties"] = _specialties(checks, data.specialties)
    return values


def _specialties(checks: Checks, entries: list[str]) -> list[str]:
    """Trimmed, single-line, non-blank, without repeats; at most SPECIALTIES_MAX of them."""
    from core.organisations.directory import SPECIALTIES_MAX, SPECIALTY_MAX

    if len(entries) > SPECIALTIES_MAX:
        checks.add(errors.OUT_OF_RANGE, f"`specialties` has more than {SPECIALTIES_MAX} entries", "specialties")
        return []
    cleaned = [checks.text(entry, "specialties", SPECIALTY_MAX, single_line=True) for entry in entries]
    return list(dict.fromkeys(cleaned))


LONG_TEXTS = ("description", "charter")
REFERENCES = {"parent_id": ("parent", "Organisation"), "leader_id": ("leader", "Person")}


def _audited(values: Mapping[str, Any]) -> dict[str, Any]:
    """Audit values: references as global IDs; long texts only as "it changed"."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in LONG_TEXTS:
            out[f"{key}Changed"] = True
        elif key in REFERENCES:
            name, type_name = REFERENCES[key]
            out[name] = audit.target(type_name, value) if value is not None else None
        elif isinstance(value, date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


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
        await require_may_name(ctx, data.leader_id, "leaderId")
    kind = data.kind or OrganisationKind.ENTERPRISE
    status = data.status if kind == OrganisationKind.STUDIO else None
    if data.status is not None and kind != OrganisationKind.STUDIO:
        raise UserInputError(errors.BAD_USER_INPUT, "Only studios have a status", "status")
    values["kind"] = kind
    values["status"] = status or (StudioStatus.ACTIVE if kind == OrganisationKind.STUDIO else None)
    values["parent_id"] = data.parent_id
    values["leader_id"] = data.leader_id
    async with in_transaction():
        org = await Organisation.create(**values)
        await audit.record(ctx.rt, actor=ctx.viewer, organisation_id=org.id, action="organisation.created",
                           target=audit.target("Organisation", org.id), after=_audited(values))
    return org


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
        if data.leader_id is not None and data.leader_id != org.leader_id:
            await require_person(data.leader_id, "leaderId")
            await require_may_name(ctx, data.leader_id, "leaderId")
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
        changed = {key: value for key, value in values.items() if getattr(org, key) != value}
        if changed:
            await Organisation.filter(id=org_id).update(**changed)
            await audit.record(ctx.rt, actor=ctx.viewer, organisation_id=org_id, action="organisation.updated",
                               target=audit.target("Organisation", org_id),
                               before=_audited({key: getattr(org, key) for key in changed}), after=_audited(changed))
    return await Organisation.get(id=org_id)


async def join_alliance(
    ctx: Context, alliance_id: int, org_id: int, role: AllianceRole
) -> AllianceMembership:
    """Directly, for callers who manage both the alliance and the organisation (superusers
    included). Alliance admins who do not manage the organisation invite it (``allianceInvite``,
    ``INVITATION_REQUIRED`` here); an organisation's admins cannot join without the alliance."""
    await require_alliance_pair(alliance_id, org_id)
    await require_manage_org(ctx, alliance_id, "allianceId")
    if not await can_manage_org(ctx, org_id):
        raise UserInputError(
            errors.INVITATION_REQUIRED,
            "The organisation's admins must accept: invite it (allianceInvite)",
            "organisationId",
        )
    try:
        async with in_transaction():
            membership = await AllianceMembership.create(
                alliance_id=alliance_id, organisation_id=org_id, role=role
            )
            await audit.record(ctx.rt, actor=ctx.viewer, organisation_id=alliance_id, action="alliance.joined",
                               target=audit.target("Organisation", org_id), after={"role": role})
    except IntegrityError:
        # The unique (alliance, organisation) constraint decides races between two joins.
        raise UserInputError(
            errors.ALREADY_MEMBER, "This organisation is already in the alliance", "organisationId"
        ) from None
    await mark_accepted(ctx.rt, alliance_id, org_id)
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
    async with in_transaction():
        membership = await AllianceMembership.select_for_update().get_or_none(
            alliance_id=alliance_id, organisation_id=org_id
        )
        if membership is None:
            raise UserInputError(errors.NOT_MEMBER, "This organisation is not in the alliance", "organisationId")
        await AllianceMembership.filter(id=membership.id).delete()
        await audit.record(ctx.rt, actor=ctx.viewer, organisation_id=alliance_id, action="alliance.left",
                           target=audit.target("Organisation", org_id), before={"role": membership.role})
