"""Reading the inbox: pages of ``Person.notifications`` and the unread badge.

Each notification is shown only while its recipient may see its subject: the subjects of a page
go through ``core.queries.visible_nodes`` together (what ``nodes(ids:)`` would answer, batched
per type), so a page takes the same number of statements whatever its size: one SELECT (counting the
inbox in a subquery), the subjects' loaders, and one Person load for the actors.

Cursors are keyset cursors (``n:<id>``: the next page starts below that id), so notifications
arriving while a client pages do not shift the pages it has not read yet.
"""

from __future__ import annotations

import base64
from typing import Any

from strawberry.types.nodes import SelectedField
from tortoise import connections
from tortoise.expressions import RawSQL

from core import errors
from core.context import Info
from core.errors import PublicError
from core.notifications import models
from core.notifications.types import Notification, NotificationConnection
from core.queries import visible_nodes
from core.relay import MAX_PAGE, Edge, PageInfo, canonical_int, page_window, rows_and_total, strict_b64decode

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
    page = queryset if after is None else queryset.filter(id__lt=decode_cursor(after))
    ordered = page.order_by("-id").limit(limit + 1)
    # The first page carries the badge's unread subjects when the query asks for the badge.
    with_badge = after is None and limit > 0 and _selects(info.selected_fields, "unreadCount")
    if with_badge:
        ordered = ordered.annotate(unread_subjects=RawSQL(_unread_subjects_sql(person_id)))
    rows, total = await rows_and_total(ordered, queryset) if limit else ([], None)
    if total is None:  # an empty page: count apart (nothing to count below a first empty page)
        total = 0 if after is None and limit else await queryset.count()
    has_next = len(rows) > limit
    unread = str(rows[0].unread_subjects or "").split() if with_badge and rows else []  # type: ignore[attr-defined]
    rows = rows[:limit]
    # The page's subjects and the badge's go through the policy together: one batch per type.
    found = await visible_nodes(info, [row.subject for row in rows] + unread)
    subjects = found[: len(rows)]
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
        unread_prefetched=sum(1 for node in found[len(rows) :] if node is not None) if with_badge else None,
    )


def _selects(fields: list[Any], name: str) -> bool:
    """Whether the field being resolved (``info.selected_fields``) asks for its own field ``name``,
    directly or through fragments."""
    return any(_among(field.selections, name) for field in fields)


def _among(selections: list[Any], name: str) -> bool:
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name:
                return True
        elif _among(selection.selections, name):  # a fragment spread or an inline fragment
            return True
    return False


def _unread_subjects_sql(person_id: int) -> str:
    """A scalar subquery: the subjects of the person's newest ``UNREAD_SCAN`` unread
    notifications, space-separated (global IDs hold no spaces)."""
    table = models.Notification._meta.db_table
    newest = (
        f'SELECT "subject" FROM "{table}" WHERE "recipient_id" = {int(person_id)} AND "read_at" IS NULL'
        f' ORDER BY "id" DESC LIMIT {UNREAD_SCAN}'
    )
    joined = "string_agg" if connections.get("default").capabilities.dialect == "postgres" else "group_concat"
    return f"""(SELECT {joined}("subject", ' ') FROM ({newest}) "unread")"""


async def unread_count(info: Info, person_id: int) -> int:
    """Unread notifications the person may see, among their newest ``UNREAD_SCAN`` unread (read
    here only when the page could not carry them: a later page, or a fragment it did not see)."""
    subjects = await (
        models.Notification.filter(recipient_id=person_id, read_at__isnull=True)
        .order_by("-id")
        .limit(UNREAD_SCAN)
        .values_list("subject", flat=True)
    )
    found = await visible_nodes(info, [str(subject) for subject in subjects])
    return sum(1 for node in found if node is not None)
