"""Courses and sessions: creating and changing them; the lookups and checks the rule modules share.

Seats, the waitlist and session changes that move people are in ``seats.py``, check-in in
``checkin.py``, assessment and certificates in ``certificates.py``, feeds in ``calendar.py``.
Everywhere, ``rule(rt, ...)`` does the work without any permission check (callable without
GraphQL) and ``rule_as(ctx, ...)`` checks the viewer's permission (``access.py``), then calls it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tortoise.transactions import in_transaction

from core import errors, lookups
from core.context import Context
from core.errors import UserInputError
from core.organisations.activation import plugin_settings
from core.people.models import Person
from core.runtime import Runtime
from core.skills.models import Skill
from core.validation import Checks
from plugins.training import PLUGIN
from plugins.training import errors as training_errors
from plugins.training.access import require_manage
from plugins.training.models import (
    SessionStatus,
    TrainingCourse,
    TrainingCourseTrainer,
    TrainingEnrolment,
    TrainingSession,
)
from plugins.training.settings import TrainingSettings

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
VENUE_MAX = 200
URL_MAX = 500
REASON_MAX = 500
MAX_HOURS = 1000.0
MAX_VALID_MONTHS = 240
MAX_CAPACITY = 10_000
MAX_OCCURRENCES = 52
MAX_TRAINERS = 20
MAX_LENGTH = timedelta(days=14)
MAX_AHEAD = timedelta(days=5 * 365)


async def settings_for(rt: Runtime, org_id: int) -> TrainingSettings:
    return await plugin_settings(rt, org_id, TrainingSettings, PLUGIN)


def zone(name: object) -> ZoneInfo:
    """The organisation's time zone; an unknown name falls back to UTC."""
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass
class CourseFields:
    """Course attributes; on update only the names in ``given`` change."""

    title: str | None = None
    description: str | None = None
    hours: float | None = None
    skill_id: int | None = None
    target_level: int | None = None
    certificate_valid_months: int | None = None
    published: bool | None = None
    trainer_ids: list[int] | None = None
    given: set[str] = field(default_factory=set)


async def require_course(course_id: int, field: str = "courseId") -> TrainingCourse:
    course = await TrainingCourse.get_or_none(id=course_id)
    if course is None:
        raise UserInputError(errors.NOT_FOUND, f"No training course with this `{field}`", field)
    return course


async def require_session(session_id: int, field: str = "sessionId") -> TrainingSession:
    session = await TrainingSession.get_or_none(id=session_id)
    if session is None:
        raise UserInputError(errors.NOT_FOUND, f"No training session with this `{field}`", field)
    return session


async def require_enrolment(enrolment_id: int, field: str = "enrolmentId") -> TrainingEnrolment:
    enrolment = await TrainingEnrolment.get_or_none(id=enrolment_id)
    if enrolment is None:
        raise UserInputError(errors.NOT_FOUND, f"No enrolment with this `{field}`", field)
    return enrolment


async def _check_course(checks: Checks, data: CourseFields, creating: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    wanted = (lambda name: True) if creating else data.given.__contains__
    if wanted("title"):
        values["title"] = checks.text(data.title, "title", TITLE_MAX)
    if wanted("description"):
        values["description"] = checks.text(data.description, "description", DESCRIPTION_MAX, required=False)
    if wanted("hours"):
        if data.hours is None or not 0 < data.hours <= MAX_HOURS:
            checks.add(errors.OUT_OF_RANGE, f"`hours` must be more than 0 and at most {MAX_HOURS:g}", "hours")
        values["hours"] = data.hours
    if wanted("target_level"):
        if data.target_level is not None:
            checks.in_range(data.target_level, "targetLevel", 1, 5)
        values["target_level"] = data.target_level
    if wanted("certificate_valid_months"):
        if data.certificate_valid_months is not None:
            checks.in_range(data.certificate_valid_months, "certificateValidMonths", 1, MAX_VALID_MONTHS)
        values["certificate_valid_months"] = data.certificate_valid_months
    if wanted("published") and data.published is not None:
        values["published"] = data.published
    if wanted("skill_id"):
        if data.skill_id is not None and not await Skill.exists(id=data.skill_id):
            checks.add(errors.NOT_FOUND, "No skill with this `skillId`", "skillId")
        values["skill_id"] = data.skill_id
    if data.trainer_ids is not None and wanted("trainer_ids"):
        trainers = set(data.trainer_ids)
        if len(trainers) > MAX_TRAINERS:
            checks.add(errors.OUT_OF_RANGE, f"A course has at most {MAX_TRAINERS} trainers", "trainerIds")
        elif await Person.filter(id__in=list(trainers)).count() != len(trainers):
            checks.add(errors.NOT_FOUND, "`trainerIds` names a person who does not exist", "trainerIds")
    return values


async def _set_trainers(course_id: int, trainer_ids: list[int]) -> None:
    await TrainingCourseTrainer.filter(course_id=course_id).delete()
    await TrainingCourseTrainer.bulk_create(
        [TrainingCourseTrainer(course_id=course_id, person_id=pid) for pid in dict.fromkeys(trainer_ids)]
    )


async def create_course(rt: Runtime, org_id: int, data: CourseFields) -> TrainingCourse:
    """A course of ``org_id``, published unless ``data.published`` is False."""
    await lookups.require_organisation(org_id)
    checks = Checks()
    values = await _check_course(checks, data, creating=True)
    checks.raise_if_any()
    values["published"] = True if data.published is None else data.published
    async with in_transaction():
        course = await TrainingCourse.create(organisation_id=org_id, **values)
        await _set_trainers(course.id, data.trainer_ids or [])
    return course


async def create_course_as(ctx: Context, org_id: int, data: CourseFields) -> TrainingCourse:
    """Managers of the organisation."""
    await lookups.require_organisation(org_id)
    await require_manage(ctx, org_id, "organisationId")
    return await create_course(ctx.rt, org_id, data)


async def update_course(rt: Runtime, course_id: int, data: CourseFields) -> TrainingCourse:
    """Change the names in ``data.given``; ``trainer_ids`` replaces the trainers."""
    course = await require_course(course_id, "id")
    checks = Checks()
    values = await _check_course(checks, data, creating=False)
    checks.raise_if_any()
    async with in_transaction():
        if values:
            course.update_from_dict(values)
            await course.save()
        if "trainer_ids" in data.given and data.trainer_ids is not None:
            await _set_trainers(course.id, data.trainer_ids)
    return course


async def update_course_as(ctx: Context, course_id: int, data: CourseFields) -> TrainingCourse:
    """Managers of the course's organisation."""
    course = await require_course(course_id, "id")
    await require_manage(ctx, course.organisation_id, "id")
    return await update_course(ctx.rt, course_id, data)


@dataclass
class SessionFields:
    starts_at: datetime
    ends_at: datetime
    capacity: int
    venue: str | None = None
    online_url: str | None = None
    occurrences: int = 1


def check_times(checks: Checks, starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        field_name = "startsAt" if starts_at.tzinfo is None else "endsAt"
        checks.add(training_errors.TIMEZONE_REQUIRED, "Times must include a UTC offset", field_name)
        return
    if ends_at <= starts_at:
        checks.add(training_errors.INVALID_TIME_RANGE, "`endsAt` must be after `startsAt`", "endsAt")
    elif ends_at - starts_at > MAX_LENGTH:
        checks.add(training_errors.INVALID_TIME_RANGE, f"A session lasts at most {MAX_LENGTH.days} days", "endsAt")
    if starts_at <= now:
        checks.add(training_errors.IN_THE_PAST, "`startsAt` must be in the future", "startsAt")
    elif starts_at - now > MAX_AHEAD:
        checks.add(errors.OUT_OF_RANGE, f"`startsAt` must be within {MAX_AHEAD.days} days", "startsAt")


def check_place(checks: Checks, venue: str | None, online_url: str | None) -> tuple[str, str]:
    venue_text = checks.text(venue, "venue", VENUE_MAX, required=False)
    url = checks.text(online_url, "onlineUrl", URL_MAX, required=False)
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            checks.add(training_errors.INVALID_URL, "`onlineUrl` must be an http(s) URL", "onlineUrl")
    if not venue_text and not url:
        checks.add(errors.BLANK, "Give a `venue` or an `onlineUrl`", "venue")
    return venue_text, url


async def create_sessions(rt: Runtime, course_id: int, data: SessionFields) -> list[TrainingSession]:
    """One session, or ``occurrences`` sessions a week apart sharing a series id."""
    course = await require_course(course_id)
    checks = Checks()
    check_times(checks, data.starts_at, data.ends_at, rt.now())
    checks.in_range(data.capacity, "capacity", 1, MAX_CAPACITY)
    checks.in_range(data.occurrences, "occurrences", 1, MAX_OCCURRENCES)
    venue, url = check_place(checks, data.venue, data.online_url)
    checks.raise_if_any()
    series_id = uuid.uuid4().hex if data.occurrences > 1 else None
    starts_at, ends_at = data.starts_at.astimezone(UTC), data.ends_at.astimezone(UTC)
    async with in_transaction():
        return [
            await TrainingSession.create(
                course_id=course.id,
                organisation_id=course.organisation_id,
                starts_at=starts_at + timedelta(weeks=week),
                ends_at=ends_at + timedelta(weeks=week),
                capacity=data.capacity,
                venue=venue,
                online_url=url,
                series_id=series_id,
            )
            for week in range(data.occurrences)
        ]


async def create_sessions_as(ctx: Context, course_id: int, data: SessionFields) -> list[TrainingSession]:
    """Managers of the course's organisation."""
    course = await require_course(course_id)
    await require_manage(ctx, course.organisation_id, "courseId")
    return await create_sessions(ctx.rt, course_id, data)


async def series_after(session: TrainingSession) -> list[int]:
    """Ids of this session and the later ones of its series still scheduled."""
    if session.series_id is None:
        return [session.id]
    later = await TrainingSession.filter(
        series_id=session.series_id, starts_at__gt=session.starts_at, status=SessionStatus.SCHEDULED
    ).order_by("starts_at").values("id")
    return [session.id, *(row["id"] for row in later)]
