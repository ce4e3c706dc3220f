"""Progress of an agreement: milestones (done by the apprentice, approved by the mentor) and the
session log (带徒记录).

=====================  ===============================================================
milestone add          mentor, apprentice, admin; while PROPOSED or ACTIVE
milestone complete     the apprentice; while ACTIVE; open → done
milestone approve      the mentor; while ACTIVE; done → approved (only these count)
session log            mentor, apprentice, admin; while ACTIVE; 0 < hours ≤ 24
=====================  ===============================================================
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from core import errors as core_errors
from core.context import Context
from core.errors import UserInputError
from core.events import emit
from core.validation import Checks
from plugins.mentorship import errors
from plugins.mentorship.models import (
    OPEN_STATUSES,
    MentoringSession,
    Mentorship,
    MentorshipStatus,
    Milestone,
)
from plugins.mentorship.services import denied, event, open_for_work

TITLE_MAX = 200
TEXT_MAX = 4000
MAX_HOURS = Decimal(24)
# A session date is a calendar day where the user is, which may be tomorrow in UTC (UTC+14).
LATEST_TIMEZONE = timedelta(hours=14)


def not_active(m: Mentorship, what: str, field: str) -> UserInputError:
    return UserInputError(
        errors.MENTORSHIP_NOT_ACTIVE, f"{what} needs an ACTIVE mentorship; this one is {m.status.value}", field
    )


async def add_milestone(
    ctx: Context, mentorship_id: int, title: str, description: str | None = None, due_date: date | None = None
) -> Milestone:
    checks = Checks()
    clean_title = checks.text(title, "title", TITLE_MAX)
    clean_description = checks.text(description, "description", TEXT_MAX, required=False)
    checks.raise_if_any()
    m, actor = await open_for_work(ctx, mentorship_id, "mentorshipId")
    if not actor.is_party and not actor.is_admin:
        raise denied("Only the mentor, the apprentice or an admin may add milestones", "mentorshipId")
    if m.status not in OPEN_STATUSES:
        raise not_active(m, "Adding a milestone", "mentorshipId")
    milestone = await Milestone.create(
        mentorship_id=m.id,
        title=clean_title,
        description=clean_description,
        due_date=due_date,
        created_by_id=actor.person_id,
    )
    ctx.loaders.clear()
    return milestone


async def _milestone(milestone_id: int) -> Milestone:
    milestone = await Milestone.get_or_none(id=milestone_id)
    if milestone is None:
        raise UserInputError(core_errors.NOT_FOUND, "No milestone with this `id`", "id")
    return milestone


async def complete_milestone(ctx: Context, milestone_id: int) -> Milestone:
    """The apprentice says a milestone is done; it counts once the mentor approves it."""
    milestone = await _milestone(milestone_id)
    m, actor = await open_for_work(ctx, milestone.mentorship_id)
    if not actor.is_apprentice:
        raise denied("Only the apprentice marks a milestone done")
    if m.status is not MentorshipStatus.ACTIVE:
        raise not_active(m, "Completing a milestone", "id")
    done = await Milestone.filter(id=milestone.id, done_at__isnull=True).update(done_at=ctx.rt.now())
    if not done:
        raise UserInputError(errors.INVALID_TRANSITION, "This milestone is done already", "id")
    ctx.loaders.clear()
    return await Milestone.get(id=milestone.id)


async def approve_milestone(ctx: Context, milestone_id: int) -> Milestone:
    milestone = await _milestone(milestone_id)
    m, actor = await open_for_work(ctx, milestone.mentorship_id)
    if not actor.is_mentor:
        raise denied("Only the mentor approves a milestone")
    if m.status is not MentorshipStatus.ACTIVE:
        raise not_active(m, "Approving a milestone", "id")
    approved = await Milestone.filter(
        id=milestone.id, done_at__isnull=False, approved_at__isnull=True
    ).update(approved_at=ctx.rt.now())
    if not approved:
        state = "approved already" if milestone.approved_at else "not marked done by the apprentice yet"
        raise UserInputError(errors.INVALID_TRANSITION, f"This milestone is {state}", "id")
    ctx.loaders.clear()
    milestone = await Milestone.get(id=milestone.id)
    await emit(ctx.rt, event("milestone_approved", m, milestoneTitle=milestone.title))
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
    ctx: Context, mentorship_id: int, day: date, hours: float, topic: str, notes: str | None = None
) -> MentoringSession:
    checks = Checks()
    clean_hours = _hours(hours, checks)
    clean_topic = checks.text(topic, "topic", TITLE_MAX)
    clean_notes = checks.text(notes, "notes", TEXT_MAX, required=False)
    if day > (ctx.rt.now() + LATEST_TIMEZONE).date():
        checks.add(core_errors.OUT_OF_RANGE, "`date` must not be in the future", "date")
    checks.raise_if_any()
    m, actor = await open_for_work(ctx, mentorship_id, "mentorshipId")
    if not actor.is_party and not actor.is_admin:
        raise denied("Only the mentor, the apprentice or an admin may log sessions", "mentorshipId")
    if m.status is not MentorshipStatus.ACTIVE:
        raise not_active(m, "Logging a session", "mentorshipId")
    session = await MentoringSession.create(
        mentorship_id=m.id,
        date=day,
        hours=clean_hours,
        topic=clean_topic,
        notes=clean_notes,
        logged_by_id=actor.person_id,
    )
    ctx.loaders.clear()
    await emit(ctx.rt, event("session_logged", m, hours=float(clean_hours)))
    return session
