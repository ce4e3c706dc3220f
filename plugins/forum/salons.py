"""Salons: creating, changing, cancelling, recording what was held, and RSVPs with capacity.

Race-freedom: an RSVP locks the salon row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
transactions are serialised), reads the person's RSVP and writes it and the salon's three
counters in the same transaction, so GOING never passes ``capacity`` and the counters always
equal the rows. The unique (salon, person) constraint backs it.

Domain events, emitted after commit with the salon as ``subject``: ``forum.salon_created``,
``forum.salon_updated``, ``forum.salon_cancelled``, ``forum.salon_held`` (summary recorded),
``forum.salon_materials_changed`` and ``forum.salon_rsvp`` (the counters only, never who).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from tortoise.transactions import in_transaction

from core import errors, lookups
from core.context import Context
from core.errors import UserInputError
from core.events import emit
from core.people.models import Person
from core.plugin_api import DomainEvent
from core.runtime import Runtime
from core.validation import Checks
from plugins.forum import errors as forum_errors
from plugins.forum.access import require_moderate, require_person
from plugins.forum.models import (
    ForumRsvp,
    ForumSalon,
    ForumSalonMaterial,
    ForumSalonSpeaker,
    RsvpResponse,
    SalonStatus,
)
from plugins.forum.services import TITLE_MAX, gid, require_salon

TOPIC_MAX = 200
DESCRIPTION_MAX = 5000
SUMMARY_MAX = 20_000
VENUE_MAX = 200
URL_MAX = 500
REASON_MAX = 500
MAX_CAPACITY = 100_000
MAX_SPEAKERS = 20
MAX_MATERIALS = 30
MAX_LENGTH = timedelta(days=7)
MAX_AHEAD = timedelta(days=3 * 365)

COUNTER = {
    RsvpResponse.GOING: "going_count",
    RsvpResponse.INTERESTED: "interested_count",
    RsvpResponse.NOT_GOING: "not_going_count",
}


@dataclass
class SalonFields:
    """Salon attributes; on update only the names in ``given`` change."""

    title: str | None = None
    topic: str | None = None
    description: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    venue: str | None = None
    online_url: str | None = None
    capacity: int | None = None
    speaker_ids: list[int] | None = None
    given: set[str] = field(default_factory=set)


def check_url(checks: Checks, value: str | None, field_name: str, required: bool = False) -> str:
    url = checks.text(value, field_name, URL_MAX, required=required, single_line=True)
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            checks.add(forum_errors.INVALID_URL, f"`{field_name}` must be an http(s) URL", field_name)
    return url


def _check_times(checks: Checks, starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> None:
    if starts_at is None or ends_at is None:
        checks.add(errors.BLANK, "Give both `startsAt` and `endsAt`", "startsAt" if starts_at is None else "endsAt")
        return
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        name = "startsAt" if starts_at.tzinfo is None else "endsAt"
        checks.add(forum_errors.TIMEZONE_REQUIRED, "Times must include a UTC offset", name)
        return
    if ends_at <= starts_at:
        checks.add(forum_errors.INVALID_TIME_RANGE, "`endsAt` must be after `startsAt`", "endsAt")
    elif ends_at - starts_at > MAX_LENGTH:
        checks.add(forum_errors.INVALID_TIME_RANGE, f"A salon lasts at most {MAX_LENGTH.days} days", "endsAt")
    if starts_at <= now:
        checks.add(forum_errors.IN_THE_PAST, "`startsAt` must be in the future", "startsAt")
    elif starts_at - now > MAX_AHEAD:
        checks.add(errors.OUT_OF_RANGE, f"`startsAt` must be within {MAX_AHEAD.days} days", "startsAt")


async def _check_salon(
    checks: Checks, data: SalonFields, creating: bool, now: datetime, current: ForumSalon | None = None
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    wanted = (lambda name: True) if creating else data.given.__contains__
    if wanted("title"):
        values["title"] = checks.text(data.title, "title", TITLE_MAX, single_line=True)
    if wanted("topic"):
        values["topic"] = checks.text(data.topic, "topic", TOPIC_MAX, required=False, single_line=True)
    if wanted("description"):
        values["description"] = checks.text(data.description, "description", DESCRIPTION_MAX, required=False)
    if wanted("starts_at") or wanted("ends_at"):
        starts_at = data.starts_at if wanted("starts_at") else (current.starts_at if current else None)
        ends_at = data.ends_at if wanted("ends_at") else (current.ends_at if current else None)
        _check_times(checks, starts_at, ends_at, now)
        if starts_at is not None and ends_at is not None and starts_at.tzinfo and ends_at.tzinfo:
            values["starts_at"], values["ends_at"] = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    if wanted("venue"):
        values["venue"] = checks.text(data.venue, "venue", VENUE_MAX, required=False, single_line=True)
    if wanted("online_url"):
        values["online_url"] = check_url(checks, data.online_url, "onlineUrl")
    venue = values.get("venue", current.venue if current else "")
    url = values.get("online_url", current.online_url if current else "")
    if (wanted("venue") or wanted("online_url")) and not venue and not url:
        checks.add(errors.BLANK, "Give a `venue` or an `onlineUrl`", "venue")
    if wanted("capacity"):
        if data.capacity is not None:
            checks.in_range(data.capacity, "capacity", 1, MAX_CAPACITY)
        values["capacity"] = data.capacity
    if data.speaker_ids is not None and wanted("speaker_ids"):
        speakers = set(data.speaker_ids)
        if len(speakers) > MAX_SPEAKERS:
            checks.add(errors.OUT_OF_RANGE, f"A salon has at most {MAX_SPEAKERS} speakers", "speakerIds")
        elif await Person.filter(id__in=list(speakers)).count() != len(speakers):
            checks.add(errors.NOT_FOUND, "`speakerIds` names a person who does not exist", "speakerIds")
    return values


async def _set_speakers(salon_id: int, speaker_ids: list[int]) -> None:
    await ForumSalonSpeaker.filter(salon_id=salon_id).delete()
    await ForumSalonSpeaker.bulk_create(
        [
            ForumSalonSpeaker(salon_id=salon_id, person_id=pid, position=i)
            for i, pid in enumerate(dict.fromkeys(speaker_ids))
        ]
    )


def _salon_event(name: str, salon: ForumSalon, actor_id: int | None, **extra: Any) -> DomainEvent:
    payload = {
        "salonId": gid("Salon", salon.id),
        "title": salon.title,
        "status": salon.status.value,
        "startsAt": salon.starts_at.isoformat(),
        "goingCount": salon.going_count,
        "interestedCount": salon.interested_count,
        "notGoingCount": salon.not_going_count,
        "actorId": gid("Person", actor_id) if actor_id else None,
        **extra,
    }
    return DomainEvent(name, payload, salon.organisation_id, subject=gid("Salon", salon.id))


def _require_open(salon: ForumSalon, field_name: str) -> None:
    if salon.status == SalonStatus.CANCELLED:
        raise UserInputError(forum_errors.SALON_CANCELLED, "This salon was cancelled", field_name)
    if salon.status == SalonStatus.HELD:
        raise UserInputError(forum_errors.SALON_HELD, "This salon has already been held", field_name)


async def create_salon(rt: Runtime, org_id: int, data: SalonFields, creator_id: int | None) -> ForumSalon:
    await lookups.require_organisation(org_id)
    checks = Checks()
    values = await _check_salon(checks, data, creating=True, now=rt.now())
    checks.raise_if_any()
    async with in_transaction():
        salon = await ForumSalon.create(organisation_id=org_id, created_by_id=creator_id, **values)
        await _set_speakers(salon.id, data.speaker_ids or [])
    await emit(rt, _salon_event("forum.salon_created", salon, creator_id))
    return salon


async def create_salon_as(ctx: Context, org_id: int, data: SalonFields) -> ForumSalon:
    """Admins (moderators) of the organisation or alliance."""
    await lookups.require_organisation(org_id)
    await require_moderate(ctx, org_id, "organisationId")
    return await create_salon(ctx.rt, org_id, data, ctx.viewer.person_id)


async def update_salon(rt: Runtime, salon_id: int, data: SalonFields, actor_id: int | None) -> ForumSalon:
    """Change the names in ``data.given`` of a scheduled salon; ``speaker_ids`` replaces the speakers.
    Capacity never drops below the people already GOING."""
    salon = await require_salon(salon_id, "id")
    _require_open(salon, "id")
    checks = Checks()
    values = await _check_salon(checks, data, creating=False, now=rt.now(), current=salon)
    checks.raise_if_any()
    async with in_transaction():
        salon = await ForumSalon.select_for_update().get(id=salon_id)
        _require_open(salon, "id")
        capacity = values.get("capacity")
        if capacity is not None and capacity < salon.going_count:
            raise UserInputError(
                errors.OUT_OF_RANGE, f"{salon.going_count} people are going: `capacity` cannot be less", "capacity"
            )
        if values:
            salon.update_from_dict(values)
            await salon.save()
        if "speaker_ids" in data.given and data.speaker_ids is not None:
            await _set_speakers(salon.id, data.speaker_ids)
    changed = sorted(data.given)
    await emit(rt, _salon_event("forum.salon_updated", salon, actor_id, changed=changed))
    return salon


async def update_salon_as(ctx: Context, salon_id: int, data: SalonFields) -> ForumSalon:
    salon = await require_salon(salon_id, "id")
    await require_moderate(ctx, salon.organisation_id, "id")
    return await update_salon(ctx.rt, salon_id, data, ctx.viewer.person_id)


async def cancel_salon(rt: Runtime, salon_id: int, reason: str | None, actor_id: int | None) -> ForumSalon:
    salon = await require_salon(salon_id, "id")
    checks = Checks()
    reason_text = checks.text(reason, "reason", REASON_MAX, required=False)
    checks.raise_if_any()
    async with in_transaction():
        salon = await ForumSalon.select_for_update().get(id=salon_id)
        _require_open(salon, "id")
        salon.status, salon.cancel_reason, salon.cancelled_at = SalonStatus.CANCELLED, reason_text, rt.now()
        await salon.save(update_fields=["status", "cancel_reason", "cancelled_at", "updated_at"])
    await emit(rt, _salon_event("forum.salon_cancelled", salon, actor_id, reason=reason_text))
    return salon


async def cancel_salon_as(ctx: Context, salon_id: int, reason: str | None) -> ForumSalon:
    salon = await require_salon(salon_id, "id")
    await require_moderate(ctx, salon.organisation_id, "id")
    return await cancel_salon(ctx.rt, salon_id, reason, ctx.viewer.person_id)


def _require_ended(salon: ForumSalon, now: datetime, field_name: str) -> None:
    if salon.status == SalonStatus.CANCELLED:
        raise UserInputError(forum_errors.SALON_CANCELLED, "This salon was cancelled", field_name)
    if salon.ends_at > now:
        raise UserInputError(forum_errors.SALON_NOT_ENDED, "Record what was held once the salon has ended", field_name)


async def record_summary(rt: Runtime, salon_id: int, summary: str | None, actor_id: int | None) -> ForumSalon:
    """The summary (纪要) of an ended salon, which marks it HELD."""
    salon = await require_salon(salon_id, "id")
    _require_ended(salon, rt.now(), "id")
    checks = Checks()
    text = checks.text(summary, "summary", SUMMARY_MAX)
    checks.raise_if_any()
    first = salon.status != SalonStatus.HELD
    salon.summary, salon.status = text, SalonStatus.HELD
    if first:
        salon.held_at = rt.now()
    await salon.save(update_fields=["summary", "status", "held_at", "updated_at"])
    await emit(rt, _salon_event("forum.salon_held", salon, actor_id, first=first))
    return salon


async def record_summary_as(ctx: Context, salon_id: int, summary: str | None) -> ForumSalon:
    salon = await require_salon(salon_id, "id")
    await require_moderate(ctx, salon.organisation_id, "id")
    return await record_summary(ctx.rt, salon_id, summary, ctx.viewer.person_id)


async def add_material(
    rt: Runtime, salon_id: int, title: str | None, url: str | None, actor_id: int | None
) -> ForumSalon:
    """A link (slides, recording, article) on an ended salon."""
    salon = await require_salon(salon_id)
    _require_ended(salon, rt.now(), "salonId")
    checks = Checks()
    title_text = checks.text(title, "title", TITLE_MAX, single_line=True)
    url_text = check_url(checks, url, "url", required=True)
    checks.raise_if_any()
    async with in_transaction():
        await ForumSalon.select_for_update().get(id=salon.id)
        if await ForumSalonMaterial.filter(salon_id=salon.id).count() >= MAX_MATERIALS:
            raise UserInputError(errors.OUT_OF_RANGE, f"A salon has at most {MAX_MATERIALS} materials", "salonId")
        await ForumSalonMaterial.create(salon_id=salon.id, title=title_text, url=url_text)
    await emit(rt, _salon_event("forum.salon_materials_changed", salon, actor_id))
    return salon


async def add_material_as(ctx: Context, salon_id: int, title: str | None, url: str | None) -> ForumSalon:
    salon = await require_salon(salon_id)
    await require_moderate(ctx, salon.organisation_id, "salonId")
    return await add_material(ctx.rt, salon_id, title, url, ctx.viewer.person_id)


async def remove_material(rt: Runtime, material_id: int, actor_id: int | None) -> ForumSalon:
    material = await ForumSalonMaterial.get_or_none(id=material_id)
    if material is None:
        raise UserInputError(errors.NOT_FOUND, "No salon material with this `id`", "id")
    await material.delete()
    salon = await require_salon(material.salon_id)
    await emit(rt, _salon_event("forum.salon_materials_changed", salon, actor_id))
    return salon


async def remove_material_as(ctx: Context, material_id: int) -> ForumSalon:
    material = await ForumSalonMaterial.get_or_none(id=material_id)
    if material is None:
        raise UserInputError(errors.NOT_FOUND, "No salon material with this `id`", "id")
    salon = await require_salon(material.salon_id)
    await require_moderate(ctx, salon.organisation_id, "id")
    return await remove_material(ctx.rt, material_id, ctx.viewer.person_id)


# RSVP ----------------------------------------------------------------------------------------


async def rsvp(rt: Runtime, salon_id: int, person_id: int, response: RsvpResponse) -> ForumSalon:
    """Set the person's answer; GOING is refused with ``SALON_FULL`` at capacity (race-free)."""
    await require_salon(salon_id)
    now = rt.now()
    async with in_transaction():
        salon = await ForumSalon.select_for_update().get(id=salon_id)
        _require_open(salon, "salonId")
        if salon.ends_at <= now:
            raise UserInputError(forum_errors.SALON_ENDED, "This salon has ended", "salonId")
        current = await ForumRsvp.get_or_none(salon_id=salon.id, person_id=person_id)
        before = current.response if current else None
        if before == response:
            return salon
        if response == RsvpResponse.GOING and salon.capacity is not None and salon.going_count >= salon.capacity:
            raise UserInputError(forum_errors.SALON_FULL, "This salon is full", "response")
        if current is None:
            await ForumRsvp.create(salon_id=salon.id, person_id=person_id, response=response)
        else:
            await ForumRsvp.filter(id=current.id).update(response=response, updated_at=now)
        counts = {name: getattr(salon, name) for name in COUNTER.values()}
        if before is not None:
            counts[COUNTER[before]] -= 1
        counts[COUNTER[response]] += 1
        await ForumSalon.filter(id=salon.id).update(**counts)
        salon.update_from_dict(counts)
    await emit(rt, _salon_event("forum.salon_rsvp", salon, None))
    return salon


async def rsvp_as(ctx: Context, salon_id: int, response: RsvpResponse) -> ForumSalon:
    """Anyone signed in with a person: salons are open events."""
    person_id = require_person(ctx)
    return await rsvp(ctx.rt, salon_id, person_id, response)
