"""Rules for people, memberships and honours, callable without GraphQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypedDict

from tortoise.transactions import in_transaction

from core import audit, errors
from core.auth.services import create_account
from core.context import Context
from core.errors import UserInputError
from core.lookups import require_organisation, require_person
from core.people.models import Honour, HonourLevel, Membership, MembershipRole, Person
from core.permissions import awarding_organisation, can_add_directly, require_manage_org, require_signed_in
from core.runtime import Runtime
from core.validation import Checks

NAME_MAX = 100
BIO_MAX = 2000
PHONE_MAX = 40
EMAIL_MAX = 200
TITLE_MAX = 100
ISSUER_MAX = 200
FIRST_HONOUR_YEAR = 1950


@dataclass
class NewPerson:
    name: str
    organisation_id: int | None = None
    role: MembershipRole = MembershipRole.MEMBER
    username: str | None = None
    password: str | None = None
    bio: str = ""
    phone: str = ""
    email: str = ""


class ProfileValues(TypedDict, total=False):
    """Checked profile columns to write; a missing key leaves the column as it is."""

    name: str
    bio: str
    phone: str
    email: str


def _check_profile(checks: Checks, name: str | None, bio: str | None, phone: str | None,
                   email: str | None, creating: bool) -> ProfileValues:
    values: ProfileValues = {}
    if creating or name is not None:
        values["name"] = checks.text(name, "name", NAME_MAX, single_line=True)
    optional: tuple[tuple[Literal["bio", "phone", "email"], str | None, int], ...] = (
        ("bio", bio, BIO_MAX), ("phone", phone, PHONE_MAX), ("email", email, EMAIL_MAX)
    )
    for column, value, limit in optional:
        if value is not None:
            values[column] = checks.text(value, column, limit, required=False)
    return values


async def create_person(ctx: Context, data: NewPerson) -> Person:
    checks = Checks()
    values = _check_profile(checks, data.name, data.bio, data.phone, data.email, creating=True)
    if bool(data.username) != bool(data.password):
        missing = "password" if data.username else "username"
        checks.add(errors.BLANK, "Give both username and password, or neither", missing)
    checks.raise_if_any()
    if data.organisation_id is None:
        if not ctx.viewer.is_superuser:
            raise UserInputError(
                errors.PERMISSION_DENIED, "Only superusers create people outside an organisation", "organisationId"
            )
    else:
        await require_organisation(data.organisation_id)
        await require_manage_org(ctx, data.organisation_id)
    async with in_transaction():
        person = await Person.create(**values)
        if data.organisation_id is not None:
            await Membership.create(person_id=person.id, organisation_id=data.organisation_id, role=data.role)
            await audit.record(ctx.rt, actor=ctx.viewer, organisation_id=data.organisation_id,
                               action="membership.added", target=audit.target("Person", person.id),
                               after={"role": data.role, "new": True})
        if data.username and data.password:
            await create_account(data.username.strip(), data.password, person.id, rt=ctx.rt, actor=ctx.viewer,
                                 organisation_id=data.organisation_id)
    return person


async def update_person(ctx: Context, person_id: int, name: str | None, bio: str | None,
                       phone: str | None, email: str | None) -> Person:
    checks = Checks()
    values = _check_profile(checks, name, bio, phone, email, creating=False)
    checks.raise_if_any()
    await require_person(person_id, "id")
    require_signed_in(ctx)
    # Name, contact details and bio are the person's own: admins do not rewrite them.
    if ctx.viewer.person_id != person_id and not ctx.viewer.is_superuser:
        raise UserInputError(errors.PERMISSION_DENIED, "Only the person changes their profile", "id")
    async with in_transaction():
        current = await Person.select_for_update().get(id=person_id)
        changed = {key: value for key, value in values.items() if getattr(current, key) != value}
        if changed:
            await Person.filter(id=person_id).update(**changed)
            before: dict[str, object] = {}
            after: dict[str, object] = {}
            for key, value in changed.items():
                if key == "bio":  # long free text: that it changed, not the text
                    after["bioChanged"] = True
                else:
                    before[key], after[key] = getattr(current, key), value
            await audit.record(ctx.rt, actor=ctx.viewer, organisation_id=None, action="person.updated",
                               target=audit.target("Person", person_id), before=before or None, after=after)
    return await Person.get(id=person_id)


async def set_membership(ctx: Context, person_id: int, org_id: int, role: MembershipRole | None) -> None:
    """Give a person a role in an organisation; no role removes them.

    Changing the role of a member, or removing them: admins of the organisation. Adding someone
    who is not a member yet: superusers, or admins who manage every organisation the person is
    already in (``can_add_directly``); anyone else gets ``INVITATION_REQUIRED`` (membershipInvite).
    """
    await require_person(person_id)
    await require_organisation(org_id)
    await require_manage_org(ctx, org_id)
    member = await Membership.exists(person_id=person_id, organisation_id=org_id)
    if role is not None and not member and not await can_add_directly(ctx, person_id):
        raise UserInputError(
            errors.INVITATION_REQUIRED,
            "This person is not in your organisations: invite them (membershipInvite) to join",
            "personId",
        )
    before: dict[str, MembershipRole] | None = None
    after: dict[str, MembershipRole] | None = None
    async with in_transaction():
        current = await Membership.select_for_update().get_or_none(person_id=person_id, organisation_id=org_id)
        if current is None and role is not None:
            # Insert-or-nothing: of concurrent adds, one creates the row and the others set its role.
            await Membership.bulk_create(
                [Membership(person_id=person_id, organisation_id=org_id, role=role)], ignore_conflicts=True
            )
            await Membership.filter(person_id=person_id, organisation_id=org_id).update(role=role)
            action, after = "membership.added", {"role": role}
        elif current is None or current.role == role:
            return  # nothing changes: no entry
        elif role is None:
            await Membership.filter(id=current.id).delete()
            action, before = "membership.removed", {"role": current.role}
        else:
            await Membership.filter(id=current.id).update(role=role)
            action, before, after = "membership.role_changed", {"role": current.role}, {"role": role}
        await audit.record(ctx.rt, actor=ctx.viewer, organisation_id=org_id, action=action,
                           target=audit.target("Person", person_id), before=before, after=after)


def _check_honour(rt: Runtime, title: str, issuer: str | None, year: int) -> tuple[str, str]:
    checks = Checks()
    clean_title = checks.text(title, "title", TITLE_MAX, single_line=True)
    clean_issuer = checks.text(issuer, "issuer", ISSUER_MAX, required=False, single_line=True)
    checks.in_range(year, "year", FIRST_HONOUR_YEAR, rt.now().year)
    checks.raise_if_any()
    return clean_title, clean_issuer


async def record_honour(rt: Runtime, *, person_id: int, title: str, level: HonourLevel, year: int,
                        issuer: str | None, organisation_id: int | None,
                        awarded_by_account_id: int | None) -> Honour:
    """Record an honour with its provenance (no permission check: callers decide who may)."""
    clean_title, clean_issuer = _check_honour(rt, title, issuer, year)
    await require_person(person_id)
    if organisation_id is not None:
        await require_organisation(organisation_id)
    async with in_transaction():
        honour = await Honour.create(
            person_id=person_id, title=clean_title, level=level, year=year, issuer=clean_issuer,
            awarded_by_organisation_id=organisation_id, awarded_by_account_id=awarded_by_account_id,
        )
        await audit.record(rt, actor=audit.Actor(awarded_by_account_id), organisation_id=organisation_id,
                           action="honour.added", target=audit.target("Person", person_id),
                           after={"honour": audit.target("Honour", honour.id), "title": clean_title, "level": level,
                                  "year": year, "issuer": clean_issuer})
    return honour


async def add_honour(ctx: Context, person_id: int, title: str, level: HonourLevel, year: int,
                     issuer: str | None, organisation_id: int | None = None) -> Honour:
    """Honours are official: admins of an organisation the person is in record them, in its name;
    people do not award themselves."""
    _check_honour(ctx.rt, title, issuer, year)
    await require_person(person_id)
    if organisation_id is not None:
        await require_organisation(organisation_id)
    awarding = await awarding_organisation(ctx, person_id, organisation_id)
    return await record_honour(
        ctx.rt, person_id=person_id, title=title, level=level, year=year, issuer=issuer,
        organisation_id=awarding, awarded_by_account_id=ctx.viewer.account_id,
    )
