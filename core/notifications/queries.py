"""Reading the inbox: pages of ``Person.notifications`` and the unread badge.

Each notification is shown only while its recipient may see its subject: the subjects of a page
go through ``core.queries.visible_nodes`` together (what ``nodes(ids:)`` would answer, batched
per type), so a page takes the same number of statements whatever its size: one COUNT, one
SELECT, the subjects' loaders, and one Person load for the actors.

Cursors are keyset cursors (``n:<id>``: the next page starts below that id), so notifications
arriving while a client pages do not shift the pages it has not read yet.
"""

from __future__ import annotations

import base64

from core import errors
from core.context import Info
from core.errors import PublicError
from core.notifications import models
from core.notifications.types import Notification, NotificationConnection
from core.queries import visible_nodes
from core.relay import MAX_PAGE, Edge, PageInfo, canonical_int, page_window, strict_b64decode

UNREAD_SCAN = 100  # the badge counts over the newest this many unread notifications


def encode_cursor(notification_id: int) -> str:
    return base64.b64encode(f"n:{notification_id}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """The notification id in an ``after`` cursor; anything else is ``BAD_USER_INPUT``."""
    kind, _, value = (strict_b64decode(cursor) or "").partition(":")
    found = canonical_int(value) if kind == "n" else None
    if found is None:
        raise PublicError("`after` is not a cursor of `notifications`", errors.BAD_USER_INPUT, "after")
    return found


async def inbox_page(
    info: Info, person_id: int, unread_only: bool | None, first: int | None, after: str | None
) -> NotificationConnection:
    _, limit = page_window(first, None)  # checks `first` (0 .. MAX_PAGE)
    assert limit <= MAX_PAGE
    queryset = models.Notification.filter(recipient_id=person_id)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    total = await queryset.count()
    if after is not None:
        queryset = queryset.filter(id__lt=decode_cursor(after))
    rows = list(await queryset.order_by("-id").limit(limit + 1)) if limit else []
    has_next = len(rows) > limit
    rows = rows[:limit]
    subjects = await visible_nodes(info, [row.subject for row in rows])
    edges = [
        Edge(cursor=encode_cursor(row.id), node=Notification.from_model(row, subject))
        for row, subject in zip(rows, subjects, strict=True)
        if subject is not None
    ]
    # Cursors of the stored rows, so that a page whose last rows are hidden still moves on.
    return NotificationConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=after is not None,
            start_cursor=encode_cursor(rows[0].id) if rows else None,
            end_cursor=encode_cursor(rows[-1].id) if rows else None,
        ),
        total_count=total,
        person_id=person_id,
    )


async def unread_count(info: Info, person_id: int) -> int:
    """Unread notifications the person may see, among their newest ``UNREAD_SCAN`` unread."""
    subjects = await (
        models.Notification.filter(recipient_id=person_id, read_at__isnull=True)
        .order_by("-id")
        .limit(UNREAD_SCAN)
        .values_list("subject", flat=True)
    )
    found = await visible_nodes(info, [str(subject) for subject in subjects])
    return sum(1 for node in found if node is not None)
