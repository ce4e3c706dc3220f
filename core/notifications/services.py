"""Delivering notices: ask every plugin, store them in one statement, push them to each recipient.

``deliver(rt, event)`` runs from ``core.events.emit`` after ``on_event``, so after the event's
transaction committed:

1. every ``notifications`` implementation is called on its own (a plugin that raises, or answers
   something that is not a list of valid ``Notice`` s, is logged and skipped: the other plugins'
   notices are kept); awaitables are awaited;
2. notices are checked and bounded: a malformed one is logged and dropped, the summary is made
   one line of at most ``SUMMARY_MAX`` characters, a notice to its own actor is dropped, repeats
   (same recipient, kind and subject) are merged, notices to people who do not exist are
   dropped, and an event makes at most ``MAX_PER_EVENT`` notices;
3. one transaction with one multi-row ``INSERT … RETURNING``; then one ``DELETE`` of whatever
   is beyond each recipient's newest ``notification_retention`` (index ``(recipient_id, id)``),
   whose failure (two deliveries pruning the same rows at once) is logged and left to the next;
4. each stored notification is published on its recipient's channel
   (``notifications:person:<id>``) through the process's shared pub/sub connection.

Nothing here raises: the change that caused the event has already been committed.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from core.notifications.models import KIND_MAX, SUBJECT_MAX, SUMMARY_MAX, Notification
from core.people.models import Person
from core.plugin_api import DomainEvent, Notice
from core.pubsub import publish
from core.relay import parse_global_id
from core.runtime import Runtime

log = logging.getLogger(__name__)

MAX_PER_EVENT = 1000
KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_SPACES = re.compile(r"\s+")
COLUMNS = ("recipient_id", "kind", "subject", "actor_id", "summary", "created_at")


def person_channel(person_id: int) -> str:
    """The channel a person's new notifications are published on."""
    return f"notifications:person:{person_id}"


def one_line(text: str, limit: int = SUMMARY_MAX) -> str:
    """``text`` on one line (runs of whitespace and control characters become one space), cut to
    ``limit`` characters with a final "…"."""
    text = _SPACES.sub(" ", "".join(c if c.isprintable() else " " for c in text)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _problem(notice: object) -> str | None:
    """What is wrong with something a hook answered as a notice, or None."""
    if not isinstance(notice, Notice):
        return f"not a Notice: {type(notice).__name__}"
    # Plugins are not type-checked against us: read the fields as whatever they hold.
    fields: dict[str, Any] = dict(vars(notice))
    recipient, kind, subject, actor = fields["recipient_id"], fields["kind"], fields["subject"], fields["actor_id"]
    if type(recipient) is not int or recipient <= 0:
        return "recipient_id is not a person id"
    if not isinstance(kind, str) or len(kind) > KIND_MAX or not KIND.match(kind):
        return f"kind {kind!r} is not a dotted name such as plugin.what"
    if not isinstance(subject, str) or len(subject) > SUBJECT_MAX or parse_global_id(subject) is None:
        return "subject is not a global ID"
    if actor is not None and (type(actor) is not int or actor <= 0):
        return "actor_id is not a person id"
    if not isinstance(fields["summary"], str):
        return "summary is not text"
    return None


def _checked(notice: object, plugin: str) -> Notice | None:
    """The notice with its summary made one bounded line, or None (logged) when it is malformed."""
    problem = _problem(notice)
    if problem is not None:
        log.warning("notifications hook of %s: notice dropped (%s)", plugin, problem)
        return None
    assert isinstance(notice, Notice)
    summary = one_line(notice.summary)
    return notice if summary == notice.summary else replace(notice, summary=summary)


async def _answers(rt: Runtime, plugin: str, names: list[str], event: DomainEvent) -> list[Any]:
    """One plugin's answers, through a pluggy hook caller (so tracing and wrappers apply)."""
    pm = rt.registry.pm
    others = [pm.get_plugin(other) for other in names if other != plugin]
    answers = []
    for result in pm.subset_hook_caller("notifications", remove_plugins=others)(event=event):
        answers.append(await result if inspect.isawaitable(result) else result)
    return answers


async def collect(rt: Runtime, event: DomainEvent) -> list[Notice]:
    """Every plugin's notices for ``event``, in registration order (core first); each plugin is
    asked on its own, so one plugin's failure loses only its own notices."""
    pm = rt.registry.pm
    implementers = {impl.plugin_name for impl in pm.hook.notifications.get_hookimpls()}
    names = [name for name, _ in pm.list_name_plugin()]
    notices: list[Notice] = []
    for plugin in names:
        if plugin not in implementers:
            continue
        try:
            answers = await _answers(rt, plugin, names, event)
        except Exception:
            log.exception("notifications hook of %s failed for %s", plugin, event.name)
            continue
        for answer in answers:
            if answer is None:
                continue
            if not isinstance(answer, list | tuple):
                log.warning("notifications hook of %s answered %s, not a list", plugin, type(answer).__name__)
                continue
            notices.extend(n for n in (_checked(item, plugin) for item in answer) if n is not None)
    return notices


def _kept(notices: Iterable[Notice]) -> list[Notice]:
    """Without notices to their own actor and repeats; at most ``MAX_PER_EVENT``."""
    seen: set[tuple[int, str, str]] = set()
    kept: list[Notice] = []
    for notice in notices:
        key = (notice.recipient_id, notice.kind, notice.subject)
        if notice.recipient_id == notice.actor_id or key in seen:
            continue
        seen.add(key)
        kept.append(notice)
    if len(kept) > MAX_PER_EVENT:
        log.warning("%d notices for one event; the first %d kept", len(kept), MAX_PER_EVENT)
        kept = kept[:MAX_PER_EVENT]
    return kept


def _placeholders(conn: BaseDBAsyncClient, rows: int, width: int) -> str:
    postgres = conn.capabilities.dialect == "postgres"
    groups = []
    for row in range(rows):
        marks = (f"${row * width + column + 1}" if postgres else "?" for column in range(width))
        groups.append(f"({', '.join(marks)})")
    return ", ".join(groups)


async def _insert(conn: BaseDBAsyncClient, notices: Sequence[Notice], now: datetime) -> list[Notification]:
    """One multi-row INSERT … RETURNING id (PostgreSQL, SQLite 3.35+)."""
    created_at = Notification._meta.fields_map["created_at"].to_db_value(now, Notification)
    values: list[Any] = []
    for n in notices:
        values += [n.recipient_id, n.kind, n.subject, n.actor_id, n.summary, created_at]
    sql = (
        f"INSERT INTO core_notification ({', '.join(COLUMNS)}) VALUES "
        f"{_placeholders(conn, len(notices), len(COLUMNS))} RETURNING id"
    )
    rows = await conn.execute_query_dict(sql, values)
    # Rows come back in VALUES order on both databases.
    return [
        Notification(
            id=row["id"],
            recipient_id=n.recipient_id,
            kind=n.kind,
            subject=n.subject,
            actor_id=n.actor_id,
            summary=n.summary,
            created_at=now,
            read_at=None,
        )
        for row, n in zip(rows, notices, strict=True)
    ]


async def _prune(conn: BaseDBAsyncClient, recipient_ids: Iterable[int], keep: int) -> None:
    """Delete whatever is beyond each recipient's newest ``keep`` notifications: one statement
    that reads at most ``keep`` + new rows per recipient, along the ``(recipient_id, id)`` index."""
    ids = ", ".join(str(int(i)) for i in sorted(set(recipient_ids)))
    await conn.execute_query(
        "DELETE FROM core_notification WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER "
        "(PARTITION BY recipient_id ORDER BY id DESC) AS newest FROM core_notification "
        f"WHERE recipient_id IN ({ids})) AS ranked WHERE newest > {int(keep)})"
    )


async def store(rt: Runtime, notices: Sequence[Notice]) -> list[Notification]:
    """Notices (already checked) in their recipients' inboxes: people who do not exist are
    skipped; one INSERT in a transaction, then one retention DELETE."""
    kept = _kept(notices)
    if not kept:
        return []
    existing = set(
        cast("list[int]", await Person.filter(id__in={n.recipient_id for n in kept}).values_list("id", flat=True))
    )
    kept = [n for n in kept if n.recipient_id in existing]
    if not kept:
        return []
    async with in_transaction() as conn:
        stored = await _insert(conn, kept, rt.now())
    # After the commit, on its own: concurrent deliveries to one person may collide on the same
    # old rows (a deadlock victim on PostgreSQL); the notices stay stored and the next delivery prunes.
    try:
        async with in_transaction() as conn:
            await _prune(conn, existing, rt.settings.notification_retention)
    except Exception:
        log.warning("notification retention not applied this time", exc_info=True)
    return stored


def message(row: Notification) -> str:
    """What ``notificationAdded`` receives for one stored notification."""
    return json.dumps(
        {
            "id": row.id,
            "kind": row.kind,
            "subject": row.subject,
            "actorId": row.actor_id,
            "summary": row.summary,
            "createdAt": row.created_at.isoformat(),
        },
        ensure_ascii=False,
    )


async def deliver(rt: Runtime, event: DomainEvent) -> list[Notification]:
    """Ask, store, publish (see the module's docstring). Never raises."""
    try:
        notices = await collect(rt, event)
        stored = await store(rt, notices) if notices else []
    except Exception:
        log.exception("notifications for %s not stored", event.name)
        return []
    for row in stored:
        await publish(rt.redis, person_channel(row.recipient_id), message(row))
    return stored


async def mark_read(rt: Runtime, person_id: int, ids: Sequence[int] | None) -> int:
    """Mark the person's own unread notifications read: those in ``ids`` (others' and unknown
    ids are ignored), or all of them when ``ids`` is None. One UPDATE; answers how many changed."""
    queryset = Notification.filter(recipient_id=person_id, read_at__isnull=True)
    if ids is not None:
        if not ids:
            return 0
        queryset = queryset.filter(id__in=list(set(ids)))
    return await queryset.update(read_at=rt.now())
