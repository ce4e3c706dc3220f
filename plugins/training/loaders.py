"""Per-request DataLoaders of the training plugin, made through ``ctx.loaders``.

Each ``<rows>_by_<key>(ctx, key)`` answers one key and batches every key asked for in the same
tick into one query; they return model rows (or ``YearStats`` figures), never GraphQL types.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from strawberry.dataloader import DataLoader
from tortoise.queryset import QuerySet

from core import prepared
from core.context import Context
from core.people.models import Person
from plugins.training.models import (
    EnrolmentStatus,
    TrainingCalendarFeed,
    TrainingCertificate,
    TrainingCourse,
    TrainingCourseTrainer,
    TrainingEnrolment,
    TrainingSession,
)
from plugins.training.stats import YearStats, stats_for

# Seats first, then the waitlist in queue order, then everyone else.
_STATUS_ORDER = {
    EnrolmentStatus.ATTENDED: 0,
    EnrolmentStatus.CONFIRMED: 0,
    EnrolmentStatus.NO_SHOW: 0,
    EnrolmentStatus.WAITLISTED: 1,
    EnrolmentStatus.CANCELLED: 2,
}


def session_order(row: TrainingEnrolment) -> tuple[int, int, int]:
    return (_STATUS_ORDER[row.status], row.waitlist_position or 0, row.id)


async def courses_by_organisation(ctx: Context, org_id: int) -> list[TrainingCourse]:
    return await ctx.loaders.children(TrainingCourse, "organisation_id").load(org_id)


async def sessions_by_course(ctx: Context, course_id: int) -> list[TrainingSession]:
    """In start order, cancelled ones included."""
    return await ctx.loaders.children(TrainingSession, "course_id", order_by=("starts_at", "id")).load(course_id)


async def sessions_by_series(ctx: Context, series_id: str) -> list[TrainingSession]:
    """The sessions of a weekly series, in start order."""

    async def load(series_ids: Sequence[str]) -> list[list[TrainingSession]]:
        groups: dict[str, list[TrainingSession]] = defaultdict(list)
        rows = await TrainingSession.filter(series_id__in=list(set(series_ids))).order_by("starts_at", "id")
        for row in rows:
            if row.series_id is not None:
                groups[row.series_id].append(row)
        return [groups.get(key, []) for key in series_ids]

    loader = ctx.loaders.get("training.sessions_by_series", lambda: DataLoader(load_fn=load))
    return await loader.load(series_id)


async def trainers_by_course(ctx: Context, course_id: int) -> list[Person]:
    links = await ctx.loaders.children(TrainingCourseTrainer, "course_id").load(course_id)
    people = await ctx.loaders.by_id(Person).load_many([link.person_id for link in links])
    return [p for p in people if p is not None]


async def enrolments_by_session(
    ctx: Context, session_id: int, status: EnrolmentStatus | None
) -> list[TrainingEnrolment]:
    """Seats first, then the waitlist in queue order, then cancelled ones."""
    if status is None:
        loader = ctx.loaders.children(TrainingEnrolment, "session_id")
    else:
        loader = ctx.loaders.children(TrainingEnrolment, "session_id", status=status)
    return sorted(await loader.load(session_id), key=session_order)


async def enrolments_by_person(
    ctx: Context, person_id: int, status: EnrolmentStatus | None
) -> list[TrainingEnrolment]:
    """Newest session first; the sessions and their courses read with them are handed to the id
    loaders so ``enrolment { session { course } }`` costs nothing more."""
    sessions = ctx.loaders.by_id(TrainingSession)
    courses = ctx.loaders.by_id(TrainingCourse)

    def of_people(ids: list[int]) -> QuerySet[TrainingEnrolment]:
        query = TrainingEnrolment.filter(person_id__in=ids).select_related("session__course")
        return query.filter(status=status) if status is not None else query

    async def load(person_ids: Sequence[int]) -> list[list[TrainingEnrolment]]:
        key = ("training.enrolments_by_person", status)
        groups: dict[int, list[TrainingEnrolment]] = defaultdict(list)
        for row in await prepared.select(key, TrainingEnrolment, person_ids, of_people):
            sessions.prime(row.session.id, row.session)
            courses.prime(row.session.course.id, row.session.course)
            groups[row.person_id].append(row)
        for rows in groups.values():
            rows.sort(key=lambda r: (r.session.starts_at, r.id), reverse=True)
        return [groups.get(pid, []) for pid in person_ids]

    loader = ctx.loaders.get(("training.enrolments_by_person", status), lambda: DataLoader(load_fn=load))
    return await loader.load(person_id)


async def viewer_enrolment_by_session(ctx: Context, session_id: int) -> TrainingEnrolment | None:
    """The signed-in person's own row in each session."""
    person_id = ctx.viewer.person_id
    if person_id is None:
        return None

    async def load(session_ids: Sequence[int]) -> list[TrainingEnrolment | None]:
        rows = await TrainingEnrolment.filter(person_id=person_id, session_id__in=list(set(session_ids)))
        by_session = {row.session_id: row for row in rows}
        return [by_session.get(sid) for sid in session_ids]

    loader = ctx.loaders.get(("training.viewer_enrolment_by_session", person_id), lambda: DataLoader(load_fn=load))
    return await loader.load(session_id)


async def certificates_by_holder(ctx: Context, person_id: int) -> list[TrainingCertificate]:
    """Newest first."""
    loader = ctx.loaders.children(TrainingCertificate, "holder_id", order_by=("-issued_at", "-id"))
    return await loader.load(person_id)


async def certificate_by_enrolment(ctx: Context, enrolment_id: int) -> TrainingCertificate | None:
    rows = await ctx.loaders.children(TrainingCertificate, "enrolment_id").load(enrolment_id)
    return rows[0] if rows else None


async def calendar_version_by_person(ctx: Context, person_id: int) -> int | None:
    """The person's feed version; None while they have never reset it."""
    rows = await ctx.loaders.children(TrainingCalendarFeed, "person_id").load(person_id)
    return rows[0].version if rows else None


async def stats_by_organisation_year(ctx: Context, org_id: int, year: int) -> YearStats:
    """Every (organisation, year) on the page in one batch (``stats.stats_for``)."""

    async def load(keys: Sequence[tuple[int, int]]) -> list[YearStats]:
        return await stats_for(ctx.rt, keys)

    loader = ctx.loaders.get("training.stats_by_organisation_year", lambda: DataLoader(load_fn=load))
    return await loader.load((org_id, year))
