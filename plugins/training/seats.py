"""Seats and the waitlist: enrolling, cancelling, promotion, and session changes that move people.

Race-freedom: every write that changes a session's enrolments first locks the session row
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite transactions are serialised by Tortoise), then
reads and writes the enrolments and the session's ``seats_taken`` / ``waitlist_length``
counters in the same transaction. The unique (session, person) constraint backs idempotency.

Waitlist positions are always 1..N in queue order: whoever leaves the waitlist (promoted or
cancelled), everyone behind moves up one in the same transaction.

Domain events are emitted after commit:
``training.enrolled``, ``training.enrolment_cancelled``, ``training.waitlist_promoted``,
``training.session_cancelled``, ``training.session_completed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core import errors
from core.context import Context
from core.errors import UserInputError
from core.events import emit
from core.plugin_api import DomainEvent
from core.relay import to_global_id
from core.runtime import Runtime
from core.validation import Checks
from plugins.training import errors as training_errors
from plugins.training.access import (
    require_act_for,
    require_cancel_enrolment,
    require_manage,
    require_signed_in,
    require_teach,
)
from plugins.training.models import (
    EnrolmentStatus,
    SessionStatus,
    TrainingCourse,
    TrainingEnrolment,
    TrainingSession,
)
from plugins.training.services import (
    MAX_CAPACITY,
    REASON_MAX,
    check_place,
    require_enrolment,
    require_session,
    series_after,
)


@dataclass
class Enrolled:
    enrolment: TrainingEnrolment
    # False: the person already had an enrolment, returned as it is (ALREADY_ENROLLED).
    created: bool


def _gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


def _enrolment_event(name: str, enrolment: TrainingEnrolment, session: TrainingSession) -> DomainEvent:
    """An event about an enrolment: only those who may see the enrolment receive it."""
    return DomainEvent(
        name,
        _event_payload(enrolment, session),
        session.organisation_id,
        subject=_gid("TrainingEnrolment", enrolment.id),
        audience=(enrolment.person_id,),
    )


def _event_payload(enrolment: TrainingEnrolment, session: TrainingSession) -> dict[str, Any]:
    return {
        "enrolmentId": _gid("TrainingEnrolment", enrolment.id),
        "sessionId": _gid("TrainingSession", session.id),
        "courseId": _gid("TrainingCourse", session.course_id),
        "personId": _gid("Person", enrolment.person_id),
        "status": enrolment.status.value,
        "waitlistPosition": enrolment.waitlist_position,
        "startsAt": session.starts_at.isoformat(),
    }


async def _lock_session(session_id: int, field: str = "id") -> TrainingSession:
    """The session row, locked until the transaction ends."""
    session = await TrainingSession.select_for_update().get_or_none(id=session_id)
    if session is None:
        raise UserInputError(errors.NOT_FOUND, f"No training session with this `{field}`", field)
    return session


async def _save_counters(session: TrainingSession) -> None:
    await TrainingSession.filter(id=session.id).update(
        seats_taken=session.seats_taken, waitlist_length=session.waitlist_length
    )


async def _close_gap(session_id: int, after_position: int) -> None:
    """Everyone waiting behind ``after_position`` moves up one place."""
    await TrainingEnrolment.filter(
        session_id=session_id, status=EnrolmentStatus.WAITLISTED, waitlist_position__gt=after_position
    ).update(waitlist_position=F("waitlist_position") - 1)


async def _promote(session: TrainingSession, now: datetime) -> list[TrainingEnrolment]:
    """Fill free seats from the head of the waitlist; the caller holds the session lock."""
    free = session.capacity - session.seats_taken
    if free <= 0 or session.waitlist_length == 0:
        return []
    promoted = list(
        await TrainingEnrolment.filter(session_id=session.id, status=EnrolmentStatus.WAITLISTED)
        .order_by("waitlist_position")
        .limit(free)
    )
    if not promoted:
        return []
    await TrainingEnrolment.filter(id__in=[e.id for e in promoted]).update(
        status=EnrolmentStatus.CONFIRMED, waitlist_position=None, confirmed_at=now
    )
    for row in promoted:
        row.status, row.waitlist_position, row.confirmed_at = EnrolmentStatus.CONFIRMED, None, now
    await TrainingEnrolment.filter(session_id=session.id, status=EnrolmentStatus.WAITLISTED).update(
        waitlist_position=F("waitlist_position") - len(promoted)
    )
    session.seats_taken += len(promoted)
    session.waitlist_length -= len(promoted)
    return promoted


async def _emit_promotions(rt: Runtime, session: TrainingSession, promoted: list[TrainingEnrolment]) -> None:
    for row in promoted:
        await emit(rt, _enrolment_event("training.waitlist_promoted", row, session))


async def enrol(rt: Runtime, session_id: int, person_id: int) -> Enrolled:
    """Give ``person_id`` a seat, or the next waitlist position when the session is full.

    Idempotent: a person with an enrolment gets it back (``created=False``); one who
    cancelled before gets their row back at the end of the queue.
    """
    session = await require_session(session_id)
    course = await TrainingCourse.get(id=session.course_id)
    if not course.published:
        raise UserInputError(
            training_errors.COURSE_NOT_PUBLISHED, "This course is not open for enrolment yet", "sessionId"
        )
    now = rt.now()
    try:
        async with in_transaction():
            session = await _lock_session(session_id, "sessionId")
            existing = await TrainingEnrolment.get_or_none(session_id=session_id, person_id=person_id)
            if existing is not None and existing.status != EnrolmentStatus.CANCELLED:
                return Enrolled(existing, created=False)
            if session.status == SessionStatus.CANCELLED:
                raise UserInputError(training_errors.SESSION_CANCELLED, "This session was cancelled", "sessionId")
            if session.status == SessionStatus.COMPLETED or now >= session.starts_at:
                raise UserInputError(training_errors.SESSION_STARTED, "This session has already started", "sessionId")
            values: dict[str, Any]
            if session.seats_taken < session.capacity:
                session.seats_taken += 1
                values = {"status": EnrolmentStatus.CONFIRMED, "waitlist_position": None, "confirmed_at": now}
            else:
                session.waitlist_length += 1
                values = {"status": EnrolmentStatus.WAITLISTED, "waitlist_position": session.waitlist_length,
                          "confirmed_at": None}
            values.update(enrolled_at=now, cancelled_at=None, checked_in_at=None)
            if existing is not None:
                existing.update_from_dict(values)
                await existing.save()
                enrolment = existing
            else:
                enrolment = await TrainingEnrolment.create(session_id=session_id, person_id=person_id, **values)
            await _save_counters(session)
    except IntegrityError:
        # Only reachable without the row lock: the unique (session, person) pair held.
        existing = await TrainingEnrolment.get_or_none(session_id=session_id, person_id=person_id)
        if existing is None:
            raise
        return Enrolled(existing, created=False)
    await emit(rt, _enrolment_event("training.enrolled", enrolment, session))
    return Enrolled(enrolment, created=True)


async def enrol_as(ctx: Context, session_id: int, person_id: int | None = None) -> Enrolled:
    """``enrol`` the viewer, or ``person_id`` by someone who manages that person."""
    person_id = await require_act_for(ctx, person_id, "You may not enrol this person")
    return await enrol(ctx.rt, session_id, person_id)


async def cancel_enrolment(rt: Runtime, enrolment_id: int) -> TrainingEnrolment:
    """Cancel before the session starts; a freed seat goes to the head of the waitlist at once."""
    row = await require_enrolment(enrolment_id, "id")
    now = rt.now()
    promoted: list[TrainingEnrolment] = []
    async with in_transaction():
        session = await _lock_session(row.session_id)
        enrolment = await TrainingEnrolment.get(id=enrolment_id)
        if enrolment.status == EnrolmentStatus.CANCELLED:
            return enrolment
        if enrolment.status in (EnrolmentStatus.ATTENDED, EnrolmentStatus.NO_SHOW):
            raise UserInputError(training_errors.ATTENDANCE_RECORDED, "Attendance is already recorded", "id")
        if session.status == SessionStatus.COMPLETED or now >= session.starts_at:
            raise UserInputError(training_errors.SESSION_STARTED, "This session has already started", "id")
        was = enrolment.status
        position = enrolment.waitlist_position
        enrolment.update_from_dict(
            {"status": EnrolmentStatus.CANCELLED, "waitlist_position": None, "cancelled_at": now}
        )
        await enrolment.save()
        if was == EnrolmentStatus.CONFIRMED:
            session.seats_taken -= 1
            promoted = await _promote(session, now)
        else:
            session.waitlist_length -= 1
            await _close_gap(session.id, position or 0)
        await _save_counters(session)
    cancelled = _enrolment_event("training.enrolment_cancelled", enrolment, session)
    await emit(rt, cancelled)
    await _emit_promotions(rt, session, promoted)
    return enrolment


async def cancel_enrolment_as(ctx: Context, enrolment_id: int) -> TrainingEnrolment:
    """The person themself, managers of the session's organisation, or admins of the person."""
    require_signed_in(ctx)
    await require_cancel_enrolment(ctx, await require_enrolment(enrolment_id, "id"))
    return await cancel_enrolment(ctx.rt, enrolment_id)


@dataclass
class SessionChanges:
    capacity: int | None = None
    venue: str | None = None
    online_url: str | None = None
    given: set[str] = field(default_factory=set)


async def update_session(rt: Runtime, session_id: int, changes: SessionChanges) -> TrainingSession:
    """Change capacity or place; more seats promote from the waitlist in the same transaction."""
    now = rt.now()
    promoted: list[TrainingEnrolment] = []
    async with in_transaction():
        session = await _lock_session(session_id)
        if session.status != SessionStatus.SCHEDULED:
            code = training_errors.SESSION_CANCELLED if session.status == SessionStatus.CANCELLED \
                else training_errors.SESSION_COMPLETED
            raise UserInputError(code, f"This session is {session.status.value.lower()}", "id")
        checks = Checks()
        if "venue" in changes.given or "online_url" in changes.given:
            venue = changes.venue if "venue" in changes.given else session.venue
            url = changes.online_url if "online_url" in changes.given else session.online_url
            session.venue, session.online_url = check_place(checks, venue, url)
        if "capacity" in changes.given and changes.capacity is not None:
            if changes.capacity < session.seats_taken:
                checks.add(errors.OUT_OF_RANGE,
                           f"`capacity` cannot go below the {session.seats_taken} seats already taken", "capacity")
            else:
                checks.in_range(changes.capacity, "capacity", 1, MAX_CAPACITY)
            session.capacity = changes.capacity
        checks.raise_if_any()
        await TrainingSession.filter(id=session.id).update(
            capacity=session.capacity, venue=session.venue, online_url=session.online_url
        )
        if now < session.starts_at:
            promoted = await _promote(session, now)
            await _save_counters(session)
    await _emit_promotions(rt, session, promoted)
    return session


async def update_session_as(ctx: Context, session_id: int, changes: SessionChanges) -> TrainingSession:
    """Managers of the session's organisation."""
    session = await require_session(session_id, "id")
    await require_manage(ctx, session.organisation_id, "id")
    return await update_session(ctx.rt, session_id, changes)


async def cancel_session(
    rt: Runtime, session_id: int, reason: str | None = None, whole_series: bool = False
) -> list[TrainingSession]:
    """Cancel a session (and optionally the later ones of its series) before it starts; every
    seat and waitlist place in it is cancelled, and each affected person is notified.
    Returns the session asked for first, then the later ones this call cancelled."""
    first = await require_session(session_id, "id")
    checks = Checks()
    reason_text = checks.text(reason, "reason", REASON_MAX, required=False)
    checks.raise_if_any()
    now = rt.now()
    ids = await series_after(first) if whole_series else [first.id]
    cancelled: list[tuple[TrainingSession, list[TrainingEnrolment]]] = []
    async with in_transaction():
        for sid in ids:
            session = await _lock_session(sid)
            if session.status == SessionStatus.CANCELLED:
                continue
            if session.status == SessionStatus.COMPLETED or now >= session.starts_at:
                if sid == first.id:
                    raise UserInputError(training_errors.SESSION_STARTED, "This session has already started", "id")
                continue
            affected = list(await TrainingEnrolment.filter(session_id=sid, status__in=[
                EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED]))
            await TrainingEnrolment.filter(id__in=[e.id for e in affected]).update(
                status=EnrolmentStatus.CANCELLED, waitlist_position=None, cancelled_at=now
            )
            session.update_from_dict({"status": SessionStatus.CANCELLED, "cancelled_at": now,
                                      "cancel_reason": reason_text, "seats_taken": 0, "waitlist_length": 0})
            await session.save()
            cancelled.append((session, affected))
    for session, affected in cancelled:
        payload = {
            "sessionId": _gid("TrainingSession", session.id),
            "courseId": _gid("TrainingCourse", session.course_id),
            "startsAt": session.starts_at.isoformat(),
            "reason": reason_text,
            "enrolments": [
                {"enrolmentId": _gid("TrainingEnrolment", e.id), "personId": _gid("Person", e.person_id),
                 "previousStatus": e.status.value}
                for e in affected
            ],
        }
        await emit(rt, DomainEvent(
            "training.session_cancelled", payload, session.organisation_id,
            subject=_gid("TrainingSession", session.id), private=("enrolments",),
            audience=tuple(e.person_id for e in affected),
        ))
    later = [session for session, _ in cancelled if session.id != first.id]
    return [await TrainingSession.get(id=first.id), *later]


async def cancel_session_as(
    ctx: Context, session_id: int, reason: str | None = None, whole_series: bool = False
) -> list[TrainingSession]:
    """Managers of the session's organisation."""
    session = await require_session(session_id, "id")
    await require_manage(ctx, session.organisation_id, "id")
    return await cancel_session(ctx.rt, session_id, reason, whole_series)


async def complete_session(rt: Runtime, session_id: int) -> TrainingSession:
    """Close a session once it has started: unchecked seats become NO_SHOW, the waitlist is
    cancelled. Idempotent."""
    now = rt.now()
    async with in_transaction():
        session = await _lock_session(session_id)
        if session.status == SessionStatus.COMPLETED:
            return session
        if session.status == SessionStatus.CANCELLED:
            raise UserInputError(training_errors.SESSION_CANCELLED, "This session was cancelled", "id")
        if now < session.starts_at:
            raise UserInputError(training_errors.SESSION_NOT_STARTED, "This session has not started yet", "id")
        await TrainingEnrolment.filter(session_id=session_id, status=EnrolmentStatus.CONFIRMED).update(
            status=EnrolmentStatus.NO_SHOW
        )
        await TrainingEnrolment.filter(session_id=session_id, status=EnrolmentStatus.WAITLISTED).update(
            status=EnrolmentStatus.CANCELLED, waitlist_position=None, cancelled_at=now
        )
        session.update_from_dict({"status": SessionStatus.COMPLETED, "completed_at": now, "waitlist_length": 0})
        await session.save()
    attendances = await TrainingEnrolment.filter(session_id=session_id, status=EnrolmentStatus.ATTENDED).count()
    await emit(rt, DomainEvent("training.session_completed", {
        "sessionId": _gid("TrainingSession", session.id),
        "courseId": _gid("TrainingCourse", session.course_id),
        "attendances": attendances,
    }, session.organisation_id, subject=_gid("TrainingSession", session.id)))
    return session


async def complete_session_as(ctx: Context, session_id: int) -> TrainingSession:
    """Trainers of the session's course and managers of its organisation."""
    session = await require_session(session_id, "id")
    await require_teach(ctx, session, "id")
    return await complete_session(ctx.rt, session_id)
