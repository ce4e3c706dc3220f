"""Who may see and do what in assessment (``docs/permissions.md`` states it as a table); every
check is memoised per request so list fields stay batched.

- achievements, their people and awards, and proposal tallies are public (the 成果超市); admins
  of the studio (``can_manage_org``: its own admins and those of every organisation above it)
  record them;
- promoting an achievement to competitions: admins of a federation above the studio;
- a studio's assessments: admins of the studio (so also of its federation) and its leader;
- running the assessment, deciding a delisting, the statistics and their exports: admins of the
  federation (or alliance) in question.

``can_*`` answer a question; ``require_*`` raise ``UserInputError`` (UNAUTHENTICATED,
PERMISSION_DENIED) naming the input field.
"""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from core import errors
from core.context import Context
from core.errors import UserInputError
from core.organisations.models import Organisation, OrganisationKind
from core.permissions import can_manage_org, lineage, managed_org_ids
from plugins.assessment.models import StudioAssessment


async def can_manage(ctx: Context, org_id: int) -> bool:
    """``can_manage_org``, asked once per organisation per request."""
    if ctx.viewer.is_superuser:
        return True
    if not await managed_org_ids(ctx):
        return False

    async def load(org_ids: Sequence[int]) -> list[bool]:
        return [await can_manage_org(ctx, org_id) for org_id in org_ids]

    loader = ctx.loaders.get("assessment.can_manage", lambda: DataLoader(load_fn=load))
    return await loader.load(org_id)


async def can_promote(ctx: Context, studio_id: int) -> bool:
    """Admins of a federation above the studio (or of one above that), and superusers."""
    if ctx.viewer.is_superuser:
        return True
    if not await managed_org_ids(ctx):
        return False
    for org in await lineage(ctx, studio_id):
        if org.kind == OrganisationKind.FEDERATION and await can_manage(ctx, org.id):
            return True
    return False


async def can_see_assessment(ctx: Context, row: StudioAssessment) -> bool:
    """The studio's leader and its admins (admins of its federation among them)."""
    if not ctx.viewer.is_authenticated:
        return False
    studio = await ctx.loaders.by_id(Organisation).load(row.organisation_id)
    if studio is not None and studio.leader_id is not None and studio.leader_id == ctx.viewer.person_id:
        return True
    return await can_manage(ctx, row.organisation_id)


def require_signed_in(ctx: Context) -> None:
    if not ctx.viewer.is_authenticated:
        raise UserInputError(errors.UNAUTHENTICATED, "Sign in first", None)


async def require_manage(ctx: Context, org_id: int, field: str | None, what: str = "this organisation") -> None:
    require_signed_in(ctx)
    if not await can_manage(ctx, org_id):
        raise UserInputError(errors.PERMISSION_DENIED, f"Only admins of {what} may do this", field)


async def require_promote(ctx: Context, studio_id: int, field: str | None) -> None:
    require_signed_in(ctx)
    if not await can_promote(ctx, studio_id):
        raise UserInputError(
            errors.PERMISSION_DENIED,
            "Only admins of a federation above this studio may promote its achievements",
            field,
        )
