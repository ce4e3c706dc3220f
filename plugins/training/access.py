"""Who may do what in training, memoised per request so list fields stay batched.

- managers (``core.permissions.can_manage_org`` on the course's organisation) do everything;
- trainers of a course also show check-in codes, complete sessions and record assessments;
- a person sees their own enrolments and certificates, and so do admins of their organisations.
"""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from core import errors
from core.context import Context
from core.errors import UserInputError
from core.permissions import can_manage_org, can_see_contact, managed_org_ids
from plugins.training import errors as training_errors
from plugins.training.models import TrainingCourseTrainer

PLUGIN = "training"


async def can_manage(ctx: Context, org_id: int) -> bool:
    """``can_manage_org``, asked once per organisation per request."""
    if ctx.viewer.is_superuser:
        return True
    if not await managed_org_ids(ctx):
        return False

    async def load(org_ids: Sequence[int]) -> list[bool]:
        return [await can_manage_org(ctx, org_id) for org_id in org_ids]

    loader = ctx.loaders.get("training.can_manage", lambda: DataLoader(load_fn=load))
    return await loader.load(org_id)


async def taught_course_ids(ctx: Context) -> frozenset[int]:
    """Courses the viewer teaches, read once per request."""
    person_id = ctx.viewer.person_id
    if person_id is None:
        return frozenset()

    async def load(keys: Sequence[int]) -> list[frozenset[int]]:
        ids = await TrainingCourseTrainer.filter(person_id=keys[0]).values_list("course_id", flat=True)
        return [frozenset(ids)]

    loader = ctx.loaders.get("training.taught_course_ids", lambda: DataLoader(load_fn=load))
    return await loader.load(person_id)


async def can_teach(ctx: Context, course_id: int, org_id: int) -> bool:
    return course_id in await taught_course_ids(ctx) or await can_manage(ctx, org_id)


def require_signed_in(ctx: Context) -> None:
    if not ctx.viewer.is_authenticated:
        raise UserInputError(errors.UNAUTHENTICATED, "Sign in first", None)


def require_person(ctx: Context) -> int:
    """The viewer's person id; accounts without a person (some superusers) cannot train."""
    require_signed_in(ctx)
    if ctx.viewer.person_id is None:
        raise UserInputError(training_errors.NO_PERSON, "This account is not linked to a person", None)
    return ctx.viewer.person_id


async def require_manage(ctx: Context, org_id: int, field: str | None) -> None:
    require_signed_in(ctx)
    if not await can_manage(ctx, org_id):
        raise UserInputError(errors.PERMISSION_DENIED, "You may not manage training of this organisation", field)


async def require_teach(ctx: Context, course_id: int, org_id: int, field: str | None) -> None:
    require_signed_in(ctx)
    if not await can_teach(ctx, course_id, org_id):
        raise UserInputError(errors.PERMISSION_DENIED, "Only trainers of this course may do this", field)


async def can_see_record(ctx: Context, person_id: int) -> bool:
    """A person's enrolments and certificates: the same people who see their contact details
    (the person, superusers, admins of their organisations); batched by core."""
    return await can_see_contact(ctx, person_id)
