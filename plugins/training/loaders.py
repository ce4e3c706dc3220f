"""Per-request DataLoaders of the training plugin, kept on ``info.context.loaders``.

Plain parent → children lists use core's ``loaders.children``; these are the ones that need
more: an order across a relation, the viewer's own rows, or aggregates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from core.context import Context
from core.people.models import Person
from plugins.training.models import (
    EnrolmentStatus,
    TrainingCalendarFeed,
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


async def enrolments_of_session(
    ctx: Context, session_id: int, status: EnrolmentStatus | None
) -> list[TrainingEnrolment]:
    """``TrainingEnrolmentsBySessionLoader``: one query for every session on the page."""
    filters = {} if status is None else {"status": status}
    rows = await ctx.loaders.children(TrainingEnrolment, "session_id", **filters).load(session_id)
    return sorted(rows, key=session_order)


async def enrolments_of_person(
    ctx: Context, person_id: int, status: EnrolmentStatus | None
) -> list[TrainingEnrolment]:
    """``TrainingEnrolmentsByPersonLoader``: newest session first; the sessions read with them
    are handed to the session loader so ``enrolment { session }`` costs nothing more."""
    sessions = ctx.loaders.by_id(TrainingSession)

    async def load(person_ids: Sequence[int]) -> list[list[TrainingEnrolment]]:
        query = TrainingEnrolment.filter(person_id__in=list(set(person_ids))).select_related("session")
        if status is not None:
            query = query.filter(status=status)
        groups: dict[int, list[TrainingEnrolment]] = defaultdict(list)
        for row in await query:
            sessions.prime(row.session.id, row.session)
            groups[row.person_id].append(row)
        for rows in groups.values():
            rows.sort(key=lambda r: (r.session.starts_at, r.id), reverse=True)
        return [groups.get(pid, []) for pid in person_ids]

    loader = ctx.loaders.get(("training.enrolments_of_person", status), lambda: DataLoader(load_fn=load))
    return await loader.load(person_id)


async def my_enrolment(ctx: Context, session_id: int) -> TrainingEnrolment | None:
    """``TrainingEnrolmentBySessionForViewerLoader``: the viewer's own row in each session."""
    person_id = ctx.viewer.person_id
    if person_id is None:
        return None

    async def load(session_ids: Sequence[int]) -> list[TrainingEnrolment | None]:
        rows = await TrainingEnrolment.filter(person_id=person_id, session_id__in=list(set(session_ids)))
        by_session = {row.session_id: row for row in rows}
        return [by_session.get(sid) for sid in session_ids]

    loader = ctx.loaders.get(("training.my_enrolment", person_id), lambda: DataLoader(load_fn=load))
    return await loader.load(session_id)


async def trainers_of_course(ctx: Context, course_id: int) -> list[Person]:
    links = await ctx.loaders.children(TrainingCourseTrainer, "course_id").load(course_id)
    people = await ctx.loaders.by_id(Person).load_many([link.person_id for link in links])
    return [p for p in people if p is not None]


async def calendar_version(ctx: Context, person_id: int) -> int | None:
    rows = await ctx.loaders.children(TrainingCalendarFeed, "person_id").load(person_id)
    return rows[0].version if rows else None


async def year_stats(ctx: Context, org_id: int, year: int) -> YearStats:
    """``TrainingStatsByOrganisationYearLoader``."""

    async def load(keys: Sequence[tuple[int, int]]) -> list[YearStats]:
        return await stats_for(ctx.rt, keys)

    loader = ctx.loaders.get("training.year_stats", lambda: DataLoader(load_fn=load))
    return await loader.load((org_id, year))
