"""Who may see and do what in training (the training policy; ``docs/permissions.md`` states it as
a table); every check is memoised per request so list fields stay batched.

- managers (``core.permissions.can_manage_org`` on the course's organisation) do everything;
- trainers of a course also see its drafts, show check-in codes, complete sessions and assess;
- draft courses and their sessions are seen only by managers and the course's trainers, through
  lists, ``node``/``nodes`` and live events alike;
- an enrolment is seen by the person, and by the trainers and managers of the session's course
  (the organisation that owns it); a certificate by its holder, the course's trainers and
  managers of the issuing organisation; anyone may check a code with ``certificateVerify``;
- a person's lists (``Person.enrolments``, ``Person.certificates``) show each viewer the records
  above they may see, and are null for viewers who see none and are not admins of one of the
  person's organisations;
- only the person reads their calendar URL; admins of a person may revoke it, enrol them and
  cancel their enrolments.

``can_*`` answer a question; ``require_*`` raise ``UserInputError`` (UNAUTHENTICATED,
PERMISSION_DENIED, or NOT_FOUND for the person acted for) naming the input field.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from strawberry.dataloader import DataLoader
from tortoise.expressions import Q

from core import errors, lookups
from core.context import Context
from core.errors import UserInputError
from core.permissions import can_manage_org, can_manage_person, can_see_contact
from plugins.training import errors as training_errors
from plugins.training.models import (
    TrainingCertificate,
    TrainingCourse,
    TrainingCourseTrainer,
    TrainingEnrolment,
    TrainingSession,
)


async def can_manage(ctx: Context, org_id: int) -> bool:
    """``can_manage_org`` (one set read per request, no statement per call)."""
    return await can_manage_org(ctx, org_id)


async def taught_course_ids(ctx: Context) -> frozenset[int]:
    """Courses the viewer teaches, read once per request."""
    person_id = ctx.viewer.person_id
    if person_id is None:
        return frozenset()

    async def load(keys: Sequence[int]) -> list[frozenset[int]]:
        rows = await TrainingCourseTrainer.filter(person_id=keys[0]).values("course_id")
        return [frozenset(row["course_id"] for row in rows)]

    loader = ctx.loaders.get("training.taught_course_ids", lambda: DataLoader(load_fn=load))
    return await loader.load(person_id)


async def can_teach(ctx: Context, course_id: int, org_id: int) -> bool:
    return course_id in await taught_course_ids(ctx) or await can_manage(ctx, org_id)


async def can_see_course(ctx: Context, course: TrainingCourse) -> bool:
    """Published courses for everyone; drafts for managers and the course's trainers."""
    return course.published or await can_teach(ctx, course.id, course.organisation_id)


async def can_see_session(ctx: Context, session: TrainingSession) -> bool:
    """As its course: sessions of drafts only for managers and the draft's trainers."""
    course = await ctx.loaders.by_id(TrainingCourse).load(session.course_id)
    return course is not None and await can_see_course(ctx, course)


async def visible_sessions(ctx: Context, org_id: int) -> Q:
    """A filter on ``TrainingSession`` keeping what the viewer may list in ``org_id``: sessions of
    drafts only for managers and the draft's trainers."""
    if await can_manage(ctx, org_id):
        return Q()
    taught = list(await taught_course_ids(ctx))
    return Q(course__published=True) | Q(course_id__in=taught or [0])


async def can_see_record(ctx: Context, person_id: int) -> bool:
    """A person's enrolments and certificates: the same people who see their contact details
    (the person, superusers, admins of their organisations); batched by core."""
    return await can_see_contact(ctx, person_id)


async def can_see_enrolment(ctx: Context, enrolment: TrainingEnrolment) -> bool:
    """The person, and the trainers and managers of the session's course (its organisation)."""
    if ctx.viewer.person_id == enrolment.person_id or ctx.viewer.is_superuser:
        return True
    if not ctx.viewer.is_authenticated:
        return False
    session = await ctx.loaders.by_id(TrainingSession).load(enrolment.session_id)
    return session is not None and await can_teach(ctx, session.course_id, session.organisation_id)


async def can_see_certificate(ctx: Context, certificate: TrainingCertificate) -> bool:
    """The holder, and the course's trainers and managers of the issuing organisation
    (``certificateVerify`` is for anyone)."""
    if ctx.viewer.person_id == certificate.holder_id or ctx.viewer.is_superuser:
        return True
    if not ctx.viewer.is_authenticated:
        return False
    return await can_teach(ctx, certificate.course_id, certificate.organisation_id)


async def visible_enrolments(ctx: Context, rows: Sequence[TrainingEnrolment]) -> list[TrainingEnrolment]:
    """The rows the viewer may see, checked together so the loaders batch."""
    shown = await asyncio.gather(*(can_see_enrolment(ctx, row) for row in rows))
    return [row for row, ok in zip(rows, shown, strict=True) if ok]


async def visible_certificates(
    ctx: Context, rows: Sequence[TrainingCertificate]
) -> list[TrainingCertificate]:
    shown = await asyncio.gather(*(can_see_certificate(ctx, row) for row in rows))
    return [row for row, ok in zip(rows, shown, strict=True) if ok]


def can_see_calendar(ctx: Context, person_id: int) -> bool:
    """The feed URL is a secret of the person's alone (admins may only revoke it)."""
    return ctx.viewer.person_id == person_id


def require_signed_in(ctx: Context) -> None:
    if not ctx.viewer.is_authenticated:
        raise UserInputError(errors.UNAUTHENTICATED, "Sign in first", None)


def require_person(ctx: Context) -> int:
    """The viewer's person id; accounts without a person (some superusers) cannot train."""
    require_signed_in(ctx)
    if ctx.viewer.person_id is None:
        raise UserInputError(training_errors.NO_PERSON, "This account is not linked to a person", None)
    return ctx.viewer.person_id


async def require_act_for(ctx: Context, person_id: int | None, denied: str) -> int:
    """The person an operation is for: the viewer (``person_id`` None or their own), or a person
    the viewer manages (``core.permissions.can_manage_person``); ``denied`` is the refusal."""
    if person_id is None or person_id == ctx.viewer.person_id:
        return require_person(ctx)
    require_signed_in(ctx)
    await lookups.require_person(person_id)
    if not await can_manage_person(ctx, person_id):
        raise UserInputError(errors.PERMISSION_DENIED, denied, "personId")
    return person_id


async def require_manage(ctx: Context, org_id: int, field: str | None) -> None:
    require_signed_in(ctx)
    if not await can_manage(ctx, org_id):
        raise UserInputError(errors.PERMISSION_DENIED, "You may not manage training of this organisation", field)


async def require_teach(ctx: Context, session: TrainingSession, field: str | None) -> None:
    """Trainers of the session's course and managers of its organisation."""
    require_signed_in(ctx)
    if not await can_teach(ctx, session.course_id, session.organisation_id):
        raise UserInputError(errors.PERMISSION_DENIED, "Only trainers of this course may do this", field)


async def require_cancel_enrolment(ctx: Context, enrolment: TrainingEnrolment) -> None:
    """The person themself, managers of the session's organisation, or admins of the person."""
    require_signed_in(ctx)
    if enrolment.person_id == ctx.viewer.person_id:
        return
    session = await ctx.loaders.by_id(TrainingSession).load(enrolment.session_id)
    if session is not None and await can_manage(ctx, session.organisation_id):
        return
    if await can_manage_person(ctx, enrolment.person_id):
        return
    raise UserInputError(errors.PERMISSION_DENIED, "You may not cancel this enrolment", "id")
