"""Progress of an agreement: milestones (done by the apprentice, approved by the mentor) and the
session log (带徒记录).

=====================  ===============================================================
milestone add          mentor, apprentice; while PROPOSED or ACTIVE
milestone complete     the apprentice; while ACTIVE; open → done
milestone approve      the mentor; while ACTIVE; done → approved (only these count)
session log            mentor, apprentice; while ACTIVE; 0 < hours ≤ 24
=====================  ===============================================================

Who may is checked by the ``*_as`` wrappers (``access.py``); the rules take the actor's id.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from core import errors as core_errors
from core.context import Context
from core.errors import UserInputError
from core.events import emit
from core.runtime import Runtime
from core.validation import Checks
from plugins.mentorship import access, errors
from plugins.mentorship.models import (
    OPEN_STATUSES,
    MentoringSession,
    Mentorship,
    MentorshipStatus,
    Milestone,
)
from plugins.mentorship.services import event, get_mentorship, mentorship_for

TITLE_MAX = 200
TEXT_MAX = 4000
MAX_HOURS = Decimal(24)
# A session date is a calendar day where the user is, which may be tomorrow in UTC (UTC+14).
LATEST_TIMEZONE = timedelta(hours=14)


def not_active(m: Mentorship, what: str, field: str) -> UserInputError:
    return UserInputError(
        errors.MENTORSHIP_NOT_ACTIVE, f"{what} needs an ACTIVE mentorship; this one is {m.status.value}", field
    )


async def get_milestone(milestone_id: int) -> tuple[Milestone, Mentorship]:
    """The milestone and its agreement, read together."""
    milestone = await Milestone.get_or_none(id=milestone_id).select_related("mentorship")
    if milestone is None:
        raise UserInputError(core_errors.NOT_FOUND, "No milestone with this `id`", "id")
    return milestone, milestone.mentorship


# The rules ---------------------------------------------------------------------------------------


async def add_milestone(
    rt: Runtime,
    mentorship_id: int,
    title: str,
    description: str | None = None,
    due_date: date | None = None,
    *,
    by: int | None = None,
) -> Milestone:
    """A milestone of a PROPOSED or ACTIVE agreement, added by the person ``by``; its
    ``mentorship`` is read with it, as for every milestone and session returned here."""
    checks = Checks()
    clean_title = checks.text(title, "title", TITLE_MAX)
    clean_description = checks.text(description, "description", TEXT_MAX, required=False)
    checks.raise_if_any()
    m = await get_mentorship(mentorship_id, "mentorshipId")
    if m.status not in OPEN_STATUSES:
        raise not_active(m, "Adding a milestone", "mentorshipId")
    return await Milestone.create(
        mentorship=m,
        title=clean_title,
        description=clean_description,
        due_date=due_date,
        created_by_id=by,
    )


async def complete_milestone(rt: Runtime, milestone_id: int) -> Milestone:
    """The apprentice says a milestone is done; it counts once the mentor approves it."""
    milestone, m = await get_milestone(milestone_id)
    if m.status is not MentorshipStatus.ACTIVE:
        raise not_active(m, "Completing a milestone", "id")
    done = await Milestone.filter(id=milestone.id, done_at__isnull=True).update(done_at=rt.now())
    if not done:
        raise UserInputError(errors.INVALID_TRANSITION, "This milestone is done already", "id")
    return await Milestone.get(id=milestone.id).select_related("mentorship")


async def approve_milestone(rt: Runtime, milestone_id: int) -> Milestone:
    """The mentor approves a done milestone: only approved ones count towards progress."""
    milestone, m = await get_milestone(milestone_id)
    if m.status is not MentorshipStatus.ACTIVE:
        raise not_active(m, "Approving a milestone", "id")
    approved = await Milestone.filter(
        id=milestone.id, done_at__isnull=False, approved_at__isnull=True
    ).update(approved_at=rt.now())
    if not approved:
        state = "approved already" if milestone.approved_at else "not marked done by the apprentice yet"
        raise UserInputError(errors.INVALID_TRANSITION, f"This milestone is {state}", "id")
    milestone = await Milestone.get(id=milestone.id).select_related("mentorship")
    await emit(rt, event("milestone_approved", m, milestoneTitle=milestone.title))
    return milestone


def _hours(value: float, checks: Checks) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        hours = Decimal(0)
    if not Decimal(0) < hours <= MAX_HOURS:
        checks.add(core_errors.OUT_OF_RANGE, "`hours` must be more than 0 and at most 24", "hours")
    return hours


async def log_session(
    rt: Runtime,
    mentorship_id: int,
    day: date,
    hours: float,
    topic: str,
    notes: str | None = None,
    *,
    by: int | None = None,
) -> MentoringSession:
    """A session of an ACTIVE agreement, logged by the person ``by``."""
    checks = Checks()
    clean_hours = _hours(hours, checks)
    clean_topic = checks.text(topic, "topic", TITLE_MAX)
    clean_notes = checks.text(notes, "notes", TEXT_MAX, required=False)
    if day > (rt.now() + LATEST_TIMEZONE).date():
        checks.add(core_errors.OUT_OF_RANGE, "`date` must not be in the future", "date")
    checks.raise_if_any()
    m = await get_mentorship(mentorship_id, "mentorshipId")
    if m.status is not MentorshipStatus.ACTIVE:
        raise not_active(m, "Logging a session", "mentorshipId")
    session = await MentoringSession.create(
        mentorship=m,
        date=day,
        hours=clean_hours,
        topic=clean_topic,
        notes=clean_notes,
        logged_by_id=by,
    )
    await emit(rt, event("session_logged", m, hours=float(clean_hours)))
    return session


# As the viewer: the access check, then the rule ------------------------------------------------


async def add_milestone_as(
    ctx: Context, mentorship_id: int, title: str, description: str | None = None, due_date: date | None = None
) -> Milestone:
    await access.require_add_milestone(ctx, await mentorship_for(ctx, mentorship_id, "mentorshipId"))
    return await add_milestone(ctx.rt, mentorship_id, title, description, due_date, by=ctx.viewer.person_id)


async def _milestone_for(ctx: Context, milestone_id: int) -> tuple[Milestone, Mentorship]:
    access.require_signed_in(ctx)
    return await get_milestone(milestone_id)


async def complete_milestone_as(ctx: Context, milestone_id: int) -> Milestone:
    _, m = await _milestone_for(ctx, milestone_id)
    await access.require_complete_milestone(ctx, m)
    return await complete_milestone(ctx.rt, milestone_id)


async def approve_milestone_as(ctx: Context, milestone_id: int) -> Milestone:
    _, m = await _milestone_for(ctx, milestone_id)
    await access.require_approve_milestone(ctx, m)
    return await approve_milestone(ctx.rt, milestone_id)


async def log_session_as(
    ctx: Context, mentorship_id: int, day: date, hours: float, topic: str, notes: str | None = None
) -> MentoringSession:
    await access.require_log_session(ctx, await mentorship_for(ctx, mentorship_id, "mentorshipId"))
    return await log_session(ctx.rt, mentorship_id, day, hours, topic, notes, by=ctx.viewer.person_id)
