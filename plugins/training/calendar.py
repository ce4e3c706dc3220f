"""Private iCalendar (RFC 5545) feeds of a person's confirmed sessions.

The URL carries a signed token ``<person id>-<version>-<signature>``, where the signature is
``HMAC-SHA256(secret_key, "training.calendar:<person id>:<version>")`` (128 bits, hex). Nothing
secret is stored: ``TrainingCalendarFeed.version`` (1 when no row exists) says which version is
current, and ``trainingCalendarReset`` bumps it, revoking every older URL.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from icalendar import Calendar, Event
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core.context import Context
from core.organisations.models import Organisation
from core.people.models import Person
from core.runtime import Runtime
from core.settings import Settings
from core.urls import public_base_url
from plugins.training.access import require_act_for
from plugins.training.models import (
    EnrolmentStatus,
    SessionStatus,
    TrainingCalendarFeed,
    TrainingCourse,
    TrainingEnrolment,
    TrainingSession,
)

ROUTE_PATH = "/training/calendar/{token}.ics"
FIRST_VERSION = 1
# Sessions that ended longer ago than this drop out of the feed.
HISTORY = timedelta(days=180)
LISTED = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.ATTENDED)
PRODID = "-//Guildhall//Training//ZH"
TOKEN = re.compile(r"([0-9]{1,12})-([0-9]{1,9})-([0-9a-f]{32})")


def _signature(secret: str, person_id: int, version: int) -> str:
    message = f"training.calendar:{person_id}:{version}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def feed_token(secret: str, person_id: int, version: int) -> str:
    return f"{person_id}-{version}-{_signature(secret, person_id, version)}"


def feed_url(settings: Settings, person_id: int, version: int, request: HTTPConnection | None = None) -> str:
    """Absolute: on ``GUILDHALL_PUBLIC_URL``, else on the host ``request`` came to (core.urls)."""
    token = feed_token(settings.secret_key, person_id, version)
    return public_base_url(settings, request) + ROUTE_PATH.format(token=token)


async def current_version(person_id: int) -> int:
    row = await TrainingCalendarFeed.get_or_none(person_id=person_id)
    return row.version if row else FIRST_VERSION


async def person_for_token(settings: Settings, token: str) -> int | None:
    """The person whose current feed token this is; None for anything else."""
    match = TOKEN.fullmatch(token)
    if match is None:
        return None
    person_id, version = int(match[1]), int(match[2])
    if not hmac.compare_digest(_signature(settings.secret_key, person_id, version), match[3]):
        return None
    if version != await current_version(person_id):
        return None
    return person_id


async def reset_feed(rt: Runtime, person_id: int) -> int:
    """Revoke the person's feed URL; returns the new version."""
    if not await TrainingCalendarFeed.filter(person_id=person_id).update(version=F("version") + 1):
        try:
            async with in_transaction():
                await TrainingCalendarFeed.create(person_id=person_id, version=FIRST_VERSION + 1)
        except IntegrityError:  # created concurrently: bump that row instead
            await TrainingCalendarFeed.filter(person_id=person_id).update(version=F("version") + 1)
    return await current_version(person_id)


async def reset_feed_as(ctx: Context, person_id: int | None) -> tuple[int, int]:
    """Reset the viewer's feed, or ``person_id``'s by an admin of that person: (person, version)."""
    person_id = await require_act_for(ctx, person_id, "You may not manage this person")
    return person_id, await reset_feed(ctx.rt, person_id)


def _description(course: TrainingCourse, organisation: Organisation | None, session: TrainingSession) -> str:
    lines = [f"主办: {organisation.name}" if organisation else "", f"学时: {course.hours:g}"]
    if session.online_url:
        lines.append(f"线上: {session.online_url}")
    if course.description:
        lines.append(course.description)
    return "\n".join(line for line in lines if line)


async def build_feed(rt: Runtime, person_id: int) -> bytes:
    """The person's confirmed (and attended) sessions as an RFC 5545 calendar."""
    person = await Person.get(id=person_id)
    since = rt.now() - HISTORY
    enrolments = await TrainingEnrolment.filter(person_id=person_id, status__in=list(LISTED))
    by_session = {e.session_id: e for e in enrolments}
    sessions = await TrainingSession.filter(
        id__in=list(by_session), ends_at__gte=since, status__not=SessionStatus.CANCELLED
    ).order_by("starts_at", "id")
    courses = {c.id: c for c in await TrainingCourse.filter(id__in={s.course_id for s in sessions})}
    organisations = {o.id: o for o in await Organisation.filter(id__in={s.organisation_id for s in sessions})}
    # Event UIDs must not change with the host a feed is fetched on.
    host = urlparse(rt.settings.public_url or "").hostname or "guildhall"

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"技能培训 · {person.name}")
    calendar.add("x-wr-timezone", "UTC")
    calendar.add("x-published-ttl", timedelta(hours=1))
    for session in sessions:
        course = courses[session.course_id]
        enrolment = by_session[session.id]
        event = Event()
        event.add("uid", f"training-session-{session.id}@{host}")
        # No METHOD: DTSTAMP is when the entry last changed, which keeps the feed (and ETag) stable.
        event.add("dtstamp", max(_utc(session.updated_at), _utc(enrolment.updated_at)))
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("summary", course.title)
        if session.venue:
            event.add("location", session.venue)
        if session.online_url:
            event.add("url", session.online_url)
        event.add("description", _description(course, organisations.get(session.organisation_id), session))
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body


def _utc(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


async def calendar_feed(request: Request) -> Response:
    rt: Runtime = request.app.state.rt
    person_id = await person_for_token(rt.settings, request.path_params["token"])
    if person_id is None or not await Person.exists(id=person_id):
        return PlainTextResponse("No such calendar", status_code=404)
    body = await build_feed(rt, person_id)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=300"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = 'inline; filename="training.ics"'
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


def routes() -> list[Route]:
    return [Route(ROUTE_PATH, calendar_feed, methods=["GET"], name="training_calendar")]
