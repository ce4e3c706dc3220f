"""The forum's notifications (the ``notifications`` hook), studio figures (``studio_metrics``) and
growth-record entries (``growth_items``).

Notices, each linking to its subject by global ID (core shows one only while its recipient may
see the subject, and drops one whose recipient is its actor):

- ``forum.mentioned`` ("王建国在「…」中提到了你"): to each person an @mention resolved to
  (``forum.post_created``, and on ``forum.post_edited`` to those newly mentioned); subject: the post;
- ``forum.reply``: to the author of the post replied to, unless they are also mentioned (one
  notice, not two); subject: the reply;
- ``forum.salon_changed`` / ``forum.salon_cancelled``: to everyone who answered GOING or
  INTERESTED (``forum.salon_updated``, ``forum.salon_cancelled``); subject: the salon.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any, cast

from tortoise.functions import Count

from core.plugin_api import DomainEvent, GrowthItem, Notice, StudioMetric, year_bounds
from core.relay import parse_global_id, to_global_id
from plugins.forum.models import ForumRsvp, ForumSalon, ForumSalonSpeaker, RsvpResponse, SalonStatus

SUMMARY_MAX = 200
TITLE_SHOWN = 60
NAME_SHOWN = 40


def _pk(value: Any, type_name: str) -> int | None:
    parsed = parse_global_id(str(value)) if value else None
    return parsed[1] if parsed is not None and parsed[0] == type_name else None


def _short(text: str) -> str:
    return text if len(text) <= TITLE_SHOWN else text[: TITLE_SHOWN - 1] + "…"


def _line(text: str) -> str:
    return text[:SUMMARY_MAX]


def _post_notices(event: DomainEvent) -> list[Notice]:
    payload = event.payload
    subject = str(payload["postId"])
    actor = _pk(payload.get("authorId"), "Person")
    title = _short(str(payload.get("threadTitle", "")))
    who = str(payload.get("authorName") or "有人")[:NAME_SHOWN]
    key = "newlyMentionedIds" if event.name == "forum.post_edited" else "mentionedIds"
    mentioned = [pk for pk in (_pk(v, "Person") for v in payload.get(key) or []) if pk is not None]
    notices = [
        Notice(
            recipient_id=pk,
            kind="forum.mentioned",
            subject=subject,
            actor_id=actor,
            summary=_line(f"{who}在「{title}」中提到了你"),
        )
        for pk in mentioned
    ]
    replied = _pk(payload.get("replyToAuthorId"), "Person")
    if event.name == "forum.post_created" and replied is not None and replied not in mentioned:
        notices.append(
            Notice(
                recipient_id=replied,
                kind="forum.reply",
                subject=subject,
                actor_id=actor,
                summary=_line(f"{who}回复了你在「{title}」中的帖子"),
            )
        )
    return notices


async def _salon_notices(event: DomainEvent) -> list[Notice]:
    salon_id = _pk(event.payload.get("salonId"), "Salon")
    if salon_id is None:
        return []
    cancelled = event.name == "forum.salon_cancelled"
    people = (
        await ForumRsvp.filter(salon_id=salon_id, response__in=[RsvpResponse.GOING, RsvpResponse.INTERESTED])
        .order_by("id")
        .values_list("person_id", flat=True)
    )
    title = _short(str(event.payload.get("title", "")))
    summary = f"你报名的沙龙「{title}」已取消" if cancelled else f"你报名的沙龙「{title}」有变更"
    return [
        Notice(
            recipient_id=cast("int", pk),  # flat=True: ids, not the tuples tortoise's types say
            kind="forum.salon_cancelled" if cancelled else "forum.salon_changed",
            subject=str(event.payload["salonId"]),
            actor_id=_pk(event.payload.get("actorId"), "Person"),
            summary=_line(summary),
        )
        for pk in people
    ]


async def notices_for(event: DomainEvent) -> list[Notice]:
    """Notices for one domain event; [] for events of others (one statement at most)."""
    if event.name in ("forum.post_created", "forum.post_edited"):
        return _post_notices(event)
    if event.name in ("forum.salon_updated", "forum.salon_cancelled"):
        return await _salon_notices(event)
    return []


async def salons_held(organisation_ids: list[int], year: int) -> dict[int, dict[str, int]]:
    """``{id: {SALONS_HELD: n}}``: salons HELD that started in the year, in one statement."""
    if not organisation_ids:
        return {}
    start, end = (bound.astimezone(UTC) for bound in year_bounds(year))  # stored in UTC (SQLite compares text)
    rows = await (
        ForumSalon.filter(
            organisation_id__in=list(set(organisation_ids)),
            status=SalonStatus.HELD,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .annotate(count=Count("id"))
        .group_by("organisation_id")
        .values("organisation_id", "count")
    )
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        found[row["organisation_id"]][StudioMetric.SALONS_HELD] = row["count"]
    return dict(found)


async def spoken_at(person_id: int, before: datetime | None, limit: int) -> list[GrowthItem]:
    """Salons the person spoke at (HELD), newest first, in one statement."""
    if limit <= 0:
        return []
    query = ForumSalonSpeaker.filter(person_id=person_id, salon__status=SalonStatus.HELD)
    if before is not None:
        query = query.filter(salon__starts_at__lte=before.astimezone(UTC))
    links = await query.select_related("salon").order_by("-salon__starts_at", "-salon_id").limit(limit)
    return [
        GrowthItem(
            at=link.salon.starts_at,
            kind="forum.spoke",
            title=_short(f"在论坛沙龙「{link.salon.title}」主讲"),
            subject=to_global_id("Salon", link.salon.id),
        )
        for link in links
    ]
