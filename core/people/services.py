"""Rules for people, memberships and honours, callable without GraphQL."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import errors
from core.auth.services import create_account
from core.context import Context
from core.errors import UserInputError
from core.people.models import Honour, HonourLevel, Membership, MembershipRole, Person
from core.permissions import require_manage_org, require_manage_person
from core.lookups import require_organisation, require_person
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


def _check_profile(checks: Checks, name: str | None, bio: str | None, phone: str | None,
                   email: str | None, creating: bool) -> dict[str, str]:
    values = {}
    if creating or name is not None:
        values["name"] = checks.text(name, "name", NAME_MAX, single_line=True)
    for attr, value, limit in (("bio", bio, BIO_MAX), ("phone", phone, PHONE_MAX), ("email", email, EMAIL_MAX)):
        if value is not None:
            values[attr] = checks.text(value, attr, limit, required=False)
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
        if data.username and data.password:
            await create_account(data.username.strip(), data.password, person.id)
    return person


async def update_person(ctx: Context, person_id: int, name: str | None, bio: str | None,
                       phone: str | None, email: str | None) -> Person:
    checks = Checks()
    values = _check_profile(checks, name, bio, phone, email, creating=False)
    checks.raise_if_any()
    await require_person(person_id, "id")
    if ctx.viewer.person_id != person_id:
        await require_manage_person(ctx, person_id, "id")
    if values:
        await Person.filter(id=person_id).update(**values)
    ctx.loaders.clear()
    return await Person.get(id=person_id)


async def set_membership(ctx: Context, person_id: int, org_id: int, role: MembershipRole | None) -> None:
    """Give a person a role in an organisation; no role removes them."""
    await require_person(person_id)
    await require_organisation(org_id)
    await require_manage_org(ctx, org_id)
    if role is None:
        await Membership.filter(person_id=person_id, organisation_id=org_id).delete()
    elif not await Membership.filter(person_id=person_id, organisation_id=org_id).update(role=role):
        try:
            async with in_transaction():
                await Membership.create(person_id=person_id, organisation_id=org_id, role=role)
        except IntegrityError:
            # A concurrent request added the membership first; ours only sets the role.
            await Membership.filter(person_id=person_id, organisation_id=org_id).update(role=role)
    ctx.loaders.clear()


async def add_honour(ctx: Context, person_id: int, title: str, level: HonourLevel, year: int,
                     issuer: str | None) -> Honour:
    checks = Checks()
    clean_title = checks.text(title, "title", TITLE_MAX, single_line=True)
    clean_issuer = checks.text(issuer, "issuer", ISSUER_MAX, required=False, single_line=True)
    checks.in_range(year, "year", FIRST_HONOUR_YEAR, ctx.rt.now().year)
    checks.raise_if_any()
    await require_person(person_id)
    # Honours are official: admins record them, people do not award themselves.
    await require_manage_person(ctx, person_id)
    honour = await Honour.create(
        person_id=person_id, title=clean_title, level=level, year=year, issuer=clean_issuer
    )
    ctx.loaders.clear()
    return honour
