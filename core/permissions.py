"""Who may manage what. Every check is made in the service that changes the data."""

from __future__ import annotations

from typing import cast

from strawberry.dataloader import DataLoader
from tortoise import connections

from core import errors
from core.context import Context
from core.errors import UserInputError
from core.organisations.models import AllianceRole, Organisation
from core.people.models import Membership, MembershipRole

MANAGING_ROLES = (MembershipRole.ADMIN, MembershipRole.LEADER)


# In one statement: the organisations the viewer is an admin (or leader) of (kind 0), and every
# organisation they may manage (kind 1): those, everything below them, and the alliances one of
# them leads.
_POWERS = """
WITH RECURSIVE managed(id) AS (
  SELECT organisation_id FROM core_membership WHERE person_id = {person} AND role IN ({roles})
), below(id) AS (
  SELECT id FROM managed
  UNION SELECT o.id FROM core_organisation o JOIN below ON o.parent_id = below.id
)
SELECT id, 0 AS kind FROM managed
UNION ALL SELECT id, 1 FROM below
UNION ALL SELECT alliance_id, 1 FROM core_alliance_membership
  WHERE role = '{lead}' AND organisation_id IN (SELECT id FROM managed)
"""
_ROLES = ", ".join(f"'{role.value}'" for role in MANAGING_ROLES)


async def _powers(ctx: Context) -> tuple[frozenset[int], frozenset[int]]:
    """(managed, manageable) organisation ids of the signed-in viewer, read once per request."""
    person_id = ctx.viewer.person_id
    if person_id is None:
        return frozenset(), frozenset()

    async def load(keys: list[int]) -> list[tuple[frozenset[int], frozenset[int]]]:
        conn = connections.get("default")
        mark = "$1" if conn.capabilities.dialect == "postgres" else "?"
        _, rows = await conn.execute_query(
            _POWERS.format(person=mark, roles=_ROLES, lead=AllianceRole.LEAD.value), [keys[0]]
        )
        kinds: tuple[set[int], set[int]] = (set(), set())
        for row in rows:
            kinds[int(row["kind"])].add(int(row["id"]))
        return [(frozenset(kinds[0]), frozenset(kinds[1]))]

    loader = ctx.loaders.get("org_powers", lambda: DataLoader(load_fn=load))
    return await loader.load(person_id)


async def managed_org_ids(ctx: Context) -> frozenset[int]:
    """Organisations the viewer is an admin (or leader) of, read once per request."""
    return (await _powers(ctx))[0]


async def manageable_org_ids(ctx: Context) -> frozenset[int]:
    """Every organisation the viewer may manage, computed once per request: those they are an
    admin (or leader) of, all their descendants, and the alliances one of them leads.

    One statement (a recursive query, shared with ``managed_org_ids``), whatever the number of
    rows a request checks; checks are then set lookups, so a list field may ask
    ``can_manage_org`` row by row without a statement per row.
    """
    return (await _powers(ctx))[1]


async def lineage(ctx: Context, org_id: int) -> list[Organisation]:
    """The organisation and its ancestors, nearest first."""
    chain: list[Organisation] = []
    seen: set[int] = set()
    next_id: int | None = org_id
    loader = ctx.loaders.by_id(Organisation)
    while next_id is not None and next_id not in seen:
        seen.add(next_id)
        org = await loader.load(next_id)
        if org is None:
            break
        chain.append(org)
        next_id = org.parent_id
    return chain


async def can_manage_org(ctx: Context, org_id: int) -> bool:
    """Superusers; admins of the organisation or of any ancestor; for an alliance, admins of a
    lead member. No statement per call: ``manageable_org_ids`` is read once per request."""
    if ctx.viewer.is_superuser:
        return True
    return org_id in await manageable_org_ids(ctx)


def require_signed_in(ctx: Context) -> None:
    if not ctx.viewer.is_authenticated:
        raise UserInputError(errors.UNAUTHENTICATED, "Sign in first", None)


async def require_manage_org(ctx: Context, org_id: int, field: str = "organisationId") -> None:
    require_signed_in(ctx)
    if not await can_manage_org(ctx, org_id):
        raise UserInputError(
            errors.PERMISSION_DENIED, "You may not manage this organisation", field
        )


async def can_manage_person(ctx: Context, person_id: int) -> bool:
    """Superusers, and admins of any organisation the person belongs to (or of its ancestors)."""
    if ctx.viewer.is_superuser:
        return True
    org_ids = await Membership.filter(person_id=person_id).values_list("organisation_id", flat=True)
    for org_id in cast("list[int]", org_ids):  # flat=True: ids, not the tuples tortoise's types say
        if await can_manage_org(ctx, org_id):
            return True
    return False


async def require_manage_person(ctx: Context, person_id: int, field: str = "personId") -> None:
    require_signed_in(ctx)
    if not await can_manage_person(ctx, person_id):
        raise UserInputError(errors.PERMISSION_DENIED, "You may not manage this person", field)


async def can_add_directly(ctx: Context, person_id: int) -> bool:
    """May the viewer put this person in an organisation they manage without the person's consent?

    Superusers; otherwise only when the person is already in at least one organisation and every
    one of them is managed by the viewer (their own subtree). Anyone else is invited.
    """
    if ctx.viewer.is_superuser:
        return True
    memberships = await ctx.loaders.children(Membership, "person_id").load(person_id)
    if not memberships:
        return False
    for membership in memberships:
        if not await can_manage_org(ctx, membership.organisation_id):
            return False
    return True


async def require_may_name(ctx: Context, person_id: int, field: str) -> None:
    """Naming a person in an organisation's record (its leader) ties them to it: the same consent
    as adding them (``can_add_directly``), or the person names themselves."""
    if ctx.viewer.person_id == person_id or await can_add_directly(ctx, person_id):
        return
    raise UserInputError(
        errors.INVITATION_REQUIRED, "This person is not in your organisations: invite them first", field
    )


async def awarding_organisation(ctx: Context, person_id: int, org_id: int | None) -> int | None:
    """The organisation in whose name the viewer records a level or honour of the person.

    Given: the viewer must manage it and the person must belong to it (or to one of its
    descendants). Not given: the first of the person's organisations the viewer manages.
    Superusers may act for no organisation (None).
    """
    require_signed_in(ctx)
    memberships = await ctx.loaders.children(Membership, "person_id").load(person_id)
    if org_id is not None:
        if not await can_manage_org(ctx, org_id):
            raise UserInputError(errors.PERMISSION_DENIED, "You may not manage this organisation", "organisationId")
        for membership in memberships:
            if any(org.id == org_id for org in await lineage(ctx, membership.organisation_id)):
                return org_id
        raise UserInputError(errors.NOT_MEMBER, "This person is not in this organisation", "organisationId")
    for membership in memberships:
        if await can_manage_org(ctx, membership.organisation_id):
            return membership.organisation_id
    if ctx.viewer.is_superuser:
        return None
    raise UserInputError(errors.PERMISSION_DENIED, "You may not manage this person", "personId")


async def can_see_contact(ctx: Context, person_id: int) -> bool:
    """Contact details: the person, superusers, and admins of an organisation the person is in.

    Batched: one membership load per request for all people on the page.
    """
    viewer = ctx.viewer
    if viewer.is_superuser or (viewer.person_id is not None and viewer.person_id == person_id):
        return True
    managed = await managed_org_ids(ctx)
    if not managed:
        return False
    memberships = await ctx.loaders.children(Membership, "person_id").load(person_id)
    return any(m.organisation_id in managed for m in memberships)
