"""Threads, posts, reactions and moderation; the lookups, checks and events the rule modules share.

Salons and RSVPs are in ``salons.py``, mention resolution in ``mentions.py``. Everywhere,
``rule(rt, ...)`` does the work without any permission check (callable without GraphQL) and
``rule_as(ctx, ...)`` checks the viewer's permission (``access.py``), then calls it.

Domain events, emitted after commit with the object as ``subject`` (so core's per-event policy
applies): ``forum.thread_created``, ``forum.thread_updated`` (locked / pinned),
``forum.post_created``, ``forum.post_edited``, ``forum.post_hidden``; salons in ``salons.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core import errors, lookups
from core.context import Context
from core.errors import UserInputError
from core.events import emit
from core.organisations.activation import plugin_settings
from core.people.models import Person
from core.plugin_api import DomainEvent
from core.relay import to_global_id
from core.runtime import Runtime
from core.validation import Checks, has_control_characters
from plugins.forum import PLUGIN, mentions
from plugins.forum import errors as forum_errors
from plugins.forum.access import can_moderate, require_moderate, require_post
from plugins.forum.models import ForumMention, ForumPost, ForumReaction, ForumSalon, ForumThread, ReactionKind
from plugins.forum.settings import ForumSettings

TITLE_MAX = 200
BODY_MAX = 10_000
REASON_MAX = 500


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


async def settings_for(rt: Runtime, org_id: int) -> ForumSettings:
    return await plugin_settings(rt, org_id, ForumSettings, PLUGIN)


async def require_thread(thread_id: int, field: str = "threadId") -> ForumThread:
    thread = await ForumThread.get_or_none(id=thread_id)
    if thread is None:
        raise UserInputError(errors.NOT_FOUND, f"No forum thread with this `{field}`", field)
    return thread


async def require_post_row(post_id: int, field: str = "postId") -> ForumPost:
    post = await ForumPost.get_or_none(id=post_id)
    if post is None:
        raise UserInputError(errors.NOT_FOUND, f"No forum post with this `{field}`", field)
    return post


async def require_salon(salon_id: int, field: str = "salonId") -> ForumSalon:
    salon = await ForumSalon.get_or_none(id=salon_id)
    if salon is None:
        raise UserInputError(errors.NOT_FOUND, f"No salon with this `{field}`", field)
    return salon


def check_body(checks: Checks, body: str | None, field: str = "body") -> str:
    """The body exactly as given (plain text, never trimmed or rendered), if it is acceptable."""
    text = body or ""
    if not text.strip():
        checks.add(errors.BLANK, f"`{field}` must not be blank", field)
    elif len(text) > BODY_MAX:
        checks.add(errors.TOO_LONG, f"`{field}` is longer than {BODY_MAX} characters", field)
    elif has_control_characters(text):
        checks.add(errors.INVALID_CHARACTERS, f"`{field}` must not contain control characters", field)
    return text


def check_mentions(checks: Checks, body: str, field: str = "body") -> list[str]:
    runs = mentions.candidates(body)
    if len(runs) > mentions.MAX_MENTIONS:
        checks.add(forum_errors.TOO_MANY_MENTIONS, f"A post mentions at most {mentions.MAX_MENTIONS} people", field)
    return runs


async def _post_payload(
    post: ForumPost, thread: ForumThread, mentioned: list[int], reply_author: int | None
) -> dict[str, Any]:
    """What a post event says: IDs, the thread's title and the author's name, never the body."""
    names = await Person.filter(id=post.author_id).values_list("name", flat=True)
    return {
        "postId": gid("ForumPost", post.id),
        "threadId": gid("ForumThread", thread.id),
        "threadTitle": thread.title,
        "authorId": gid("Person", post.author_id),
        "authorName": str(names[0]) if names else "",
        "replyToId": gid("ForumPost", post.reply_to_id) if post.reply_to_id else None,
        "replyToAuthorId": gid("Person", reply_author) if reply_author else None,
        "mentionedIds": [gid("Person", pid) for pid in mentioned],
    }


def _thread_event(name: str, thread: ForumThread, actor_id: int | None, **extra: Any) -> DomainEvent:
    payload = {
        "threadId": gid("ForumThread", thread.id),
        "title": thread.title,
        "locked": thread.locked,
        "pinned": thread.pinned,
        "actorId": gid("Person", actor_id) if actor_id else None,
        **extra,
    }
    return DomainEvent(name, payload, thread.organisation_id, subject=gid("ForumThread", thread.id))


async def _insert_post(
    thread: ForumThread, author_id: int, body: str, reply_to_id: int | None, mentioned: list[int], now: Any
) -> ForumPost:
    """Inside the caller's transaction: the post, its mentions and the thread's activity."""
    post = await ForumPost.create(
        thread_id=thread.id, author_id=author_id, body=body, reply_to_id=reply_to_id, created_at=now
    )
    await ForumMention.bulk_create([ForumMention(post_id=post.id, person_id=pid) for pid in mentioned])
    await ForumThread.filter(id=thread.id).update(post_count=F("post_count") + 1, last_activity_at=now)
    return post


# Threads -------------------------------------------------------------------------------------


@dataclass
class Created:
    thread: ForumThread
    post: ForumPost


async def create_thread(
    rt: Runtime, org_id: int, author_id: int, title: str | None, body: str | None, salon_id: int | None
) -> Created:
    """A thread on ``org_id``'s board, opened by its first post."""
    await lookups.require_organisation(org_id)
    checks = Checks()
    title_text = checks.text(title, "title", TITLE_MAX, single_line=True)
    body_text = check_body(checks, body)
    runs = check_mentions(checks, body_text)
    if salon_id is not None:
        salon = await require_salon(salon_id)
        if salon.organisation_id != org_id:
            checks.add(forum_errors.SALON_NOT_ON_BOARD, "The salon belongs to another board", "salonId")
    checks.raise_if_any()
    mentioned = await mentions.resolve(runs, org_id, None)
    now = rt.now()
    async with in_transaction():
        thread = await ForumThread.create(
            organisation_id=org_id,
            salon_id=salon_id,
            title=title_text,
            author_id=author_id,
            last_activity_at=now,
            created_at=now,
        )
        post = await _insert_post(thread, author_id, body_text, None, mentioned, now)
    await thread.refresh_from_db()
    await emit(rt, _thread_event("forum.thread_created", thread, author_id))
    await emit(
        rt,
        DomainEvent(
            "forum.post_created",
            await _post_payload(post, thread, mentioned, None),
            org_id,
            subject=gid("ForumPost", post.id),
        ),
    )
    return Created(thread, post)


async def create_thread_as(
    ctx: Context, org_id: int, title: str | None, body: str | None, salon_id: int | None
) -> Created:
    """Members of the board's community and its moderators."""
    await lookups.require_organisation(org_id)
    author_id = await require_post(ctx, org_id, "organisationId")
    return await create_thread(ctx.rt, org_id, author_id, title, body, salon_id)


async def set_thread_flags(
    rt: Runtime, thread_id: int, actor_id: int | None, *, locked: bool | None = None, pinned: bool | None = None
) -> ForumThread:
    thread = await require_thread(thread_id, "id")
    changes: dict[str, bool] = {}
    if locked is not None and locked != thread.locked:
        changes["locked"] = locked
    if pinned is not None and pinned != thread.pinned:
        changes["pinned"] = pinned
    if not changes:
        return thread
    await ForumThread.filter(id=thread.id).update(**changes)
    thread.update_from_dict(changes)
    await emit(rt, _thread_event("forum.thread_updated", thread, actor_id, changed=sorted(changes)))
    return thread


async def set_thread_flags_as(
    ctx: Context, thread_id: int, *, locked: bool | None = None, pinned: bool | None = None
) -> ForumThread:
    """Moderators of the thread's board."""
    thread = await require_thread(thread_id, "id")
    await require_moderate(ctx, thread.organisation_id, "id")
    return await set_thread_flags(ctx.rt, thread_id, ctx.viewer.person_id, locked=locked, pinned=pinned)


# Posts ---------------------------------------------------------------------------------------


async def create_post(
    rt: Runtime,
    thread_id: int,
    author_id: int,
    body: str | None,
    reply_to_id: int | None,
    *,
    may_post_when_locked: bool = False,
) -> ForumPost:
    """A post in a thread; a locked thread refuses it unless ``may_post_when_locked`` (moderators)."""
    thread = await require_thread(thread_id)
    checks = Checks()
    body_text = check_body(checks, body)
    runs = check_mentions(checks, body_text)
    reply_author: int | None = None
    if reply_to_id is not None:
        replied = await ForumPost.get_or_none(id=reply_to_id)
        if replied is None:
            checks.add(errors.NOT_FOUND, "No forum post with this `replyToId`", "replyToId")
        elif replied.thread_id != thread.id:
            checks.add(forum_errors.REPLY_NOT_IN_THREAD, "A reply must be to a post of the same thread", "replyToId")
        else:
            reply_author = replied.author_id
    checks.raise_if_any()
    mentioned = await mentions.resolve(runs, thread.organisation_id, thread.id)
    now = rt.now()
    async with in_transaction():
        # Locked under the thread's row, so a post cannot slip in beside a concurrent lock.
        locked_row = await ForumThread.select_for_update().get(id=thread.id)
        if locked_row.locked and not may_post_when_locked:
            raise UserInputError(forum_errors.THREAD_LOCKED, "This thread is locked", "threadId")
        post = await _insert_post(locked_row, author_id, body_text, reply_to_id, mentioned, now)
    await emit(
        rt,
        DomainEvent(
            "forum.post_created",
            await _post_payload(post, locked_row, mentioned, reply_author),
            thread.organisation_id,
            subject=gid("ForumPost", post.id),
        ),
    )
    return post


async def create_post_as(ctx: Context, thread_id: int, body: str | None, reply_to_id: int | None) -> ForumPost:
    """Members of the board's community; moderators also in locked threads."""
    thread = await require_thread(thread_id)
    author_id = await require_post(ctx, thread.organisation_id, "threadId")
    moderator = await can_moderate(ctx, thread.organisation_id)
    return await create_post(ctx.rt, thread_id, author_id, body, reply_to_id, may_post_when_locked=moderator)


async def edit_post(rt: Runtime, post_id: int, editor_id: int, body: str | None) -> ForumPost:
    """The author, within the board's edit window (24 hours by default); keeps ``edited_at``."""
    post = await require_post_row(post_id, "id")
    thread = await require_thread(post.thread_id)
    if post.author_id != editor_id:
        raise UserInputError(errors.PERMISSION_DENIED, "Only the author may edit a post", "id")
    if post.hidden:
        raise UserInputError(forum_errors.POST_HIDDEN, "A hidden post cannot be edited", "id")
    if thread.locked:
        raise UserInputError(forum_errors.THREAD_LOCKED, "This thread is locked", "id")
    window = timedelta(hours=(await settings_for(rt, thread.organisation_id)).edit_window_hours)
    now = rt.now()
    if now - post.created_at > window:
        raise UserInputError(forum_errors.EDIT_WINDOW_CLOSED, "Posts can be edited only shortly after posting", "id")
    checks = Checks()
    body_text = check_body(checks, body)
    runs = check_mentions(checks, body_text)
    checks.raise_if_any()
    mentioned = await mentions.resolve(runs, thread.organisation_id, thread.id)
    async with in_transaction():
        # flat=True: ids, not the tuples tortoise's types say
        before = set(cast("list[int]", await ForumMention.filter(post_id=post.id).values_list("person_id", flat=True)))
        await ForumMention.filter(post_id=post.id).delete()
        await ForumMention.bulk_create([ForumMention(post_id=post.id, person_id=pid) for pid in mentioned])
        await ForumPost.filter(id=post.id).update(body=body_text, edited_at=now)
    post.body, post.edited_at = body_text, now
    payload = await _post_payload(post, thread, mentioned, None)
    payload["newlyMentionedIds"] = [gid("Person", pid) for pid in mentioned if pid not in before]
    await emit(rt, DomainEvent("forum.post_edited", payload, thread.organisation_id, subject=gid("ForumPost", post.id)))
    return post


async def edit_post_as(ctx: Context, post_id: int, body: str | None) -> ForumPost:
    post = await require_post_row(post_id, "id")
    thread = await require_thread(post.thread_id)
    editor_id = await require_post(ctx, thread.organisation_id, "id")
    return await edit_post(ctx.rt, post_id, editor_id, body)


async def hide_post(rt: Runtime, post_id: int, moderator_id: int | None, hidden: bool, reason: str | None) -> ForumPost:
    """Hide (with a reason) or show again; the moderator and time are kept while hidden."""
    post = await require_post_row(post_id, "id")
    checks = Checks()
    reason_text = checks.text(reason, "reason", REASON_MAX, required=hidden)
    checks.raise_if_any()
    if hidden:
        values: dict[str, Any] = {
            "hidden": True,
            "hidden_reason": reason_text,
            "hidden_at": rt.now(),
            "hidden_by_id": moderator_id,
        }
    else:
        values = {"hidden": False, "hidden_reason": "", "hidden_at": None, "hidden_by_id": None}
    await ForumPost.filter(id=post.id).update(**values)
    post.update_from_dict(values)
    thread = await require_thread(post.thread_id)
    await emit(
        rt,
        DomainEvent(
            "forum.post_hidden" if hidden else "forum.post_shown",
            {"postId": gid("ForumPost", post.id), "threadId": gid("ForumThread", thread.id), "reason": reason_text},
            thread.organisation_id,
            subject=gid("ForumPost", post.id),
            private=("reason",),
        ),
    )
    return post


async def hide_post_as(ctx: Context, post_id: int, hidden: bool, reason: str | None) -> ForumPost:
    """Moderators of the post's board."""
    post = await require_post_row(post_id, "id")
    thread = await require_thread(post.thread_id)
    await require_moderate(ctx, thread.organisation_id, "id")
    return await hide_post(ctx.rt, post_id, ctx.viewer.person_id, hidden, reason)


# Reactions -----------------------------------------------------------------------------------


async def react(rt: Runtime, post_id: int, person_id: int, kind: ReactionKind, on: bool = True) -> ForumPost:
    """Add (idempotent: one of each kind per person) or take back a reaction."""
    post = await require_post_row(post_id)
    if on:
        if post.hidden:
            raise UserInputError(forum_errors.POST_HIDDEN, "A hidden post takes no reactions", "postId")
        await ForumReaction.bulk_create(
            [ForumReaction(post_id=post.id, person_id=person_id, kind=kind)], ignore_conflicts=True
        )
    else:
        await ForumReaction.filter(post_id=post.id, person_id=person_id, kind=kind).delete()
    return post


async def react_as(ctx: Context, post_id: int, kind: ReactionKind, on: bool = True) -> ForumPost:
    """Members of the board's community (as posting)."""
    post = await require_post_row(post_id)
    thread = await require_thread(post.thread_id)
    person_id = await require_post(ctx, thread.organisation_id, "postId")
    return await react(ctx.rt, post_id, person_id, kind, on)
