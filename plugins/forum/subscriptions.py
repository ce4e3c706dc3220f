"""Live forum updates over graphql-transport-ws: ``forumPostAdded(threadId)`` and ``salonUpdated(salonId)``.

Both listen on the board organisation's event channel through core's pub/sub hub
(``core.events.listen``: one Redis pub/sub connection per process, whatever the number of
subscribers), so a post created through one server process reaches subscribers connected to
another. Boards are public, so anonymous callers may subscribe. Each event is checked again
when it arrives, with fresh loaders: the row is read anew and shown through the same types and
policy as ``node(id:)`` (a post hidden meanwhile arrives hidden, without its body, except to
moderators; a row gone or not visible is skipped).
"""

# strawberry types its decorators with arguments as ``Any``; the resolvers themselves are typed.

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from core import errors
from core.context import Info
from core.errors import PublicError
from core.events import listen, organisation_channel
from core.loaders import Loaders
from core.relay import decode_query_id, parse_global_id
from plugins.forum import models
from plugins.forum.types import ForumPost, Salon

SALON_EVENTS = frozenset(
    {
        "forum.salon_created",
        "forum.salon_updated",
        "forum.salon_cancelled",
        "forum.salon_held",
        "forum.salon_materials_changed",
        "forum.salon_rsvp",
    }
)


def _pk(value: object, type_name: str) -> int | None:
    parsed = parse_global_id(str(value)) if value is not None else None
    return parsed[1] if parsed is not None and parsed[0] == type_name else None


@strawberry.type
class ForumSubscriptions:
    @strawberry.subscription(description="Posts added to a thread, as each viewer may see them (no sign-in needed).")
    async def forum_post_added(self, info: Info, thread_id: strawberry.ID) -> AsyncGenerator[ForumPost, None]:
        pk = decode_query_id(thread_id, "ForumThread", "threadId")
        thread = await models.ForumThread.get_or_none(id=pk)
        if thread is None:
            raise PublicError("No forum thread with this `threadId`", errors.NOT_FOUND, "threadId")
        async for message in listen(info.context.rt, organisation_channel(thread.organisation_id)):
            if message.get("name") != "forum.post_created":
                continue
            payload = message.get("payload") or {}
            post_id = _pk(payload.get("postId"), "ForumPost")
            if _pk(payload.get("threadId"), "ForumThread") != pk or post_id is None:
                continue
            info.context.loaders = Loaders()  # the policy applies afresh to every event
            row = await info.context.loaders.by_id(models.ForumPost).load(post_id)
            if row is None or not await ForumPost.can_see(info.context, row):
                continue
            yield ForumPost.from_model(row)

    @strawberry.subscription(
        description="A salon as it changes: details, status, RSVP counts, summary and materials (no sign-in needed)."
    )
    async def salon_updated(self, info: Info, salon_id: strawberry.ID) -> AsyncGenerator[Salon, None]:
        pk = decode_query_id(salon_id, "Salon", "salonId")
        salon = await models.ForumSalon.get_or_none(id=pk)
        if salon is None:
            raise PublicError("No salon with this `salonId`", errors.NOT_FOUND, "salonId")
        async for message in listen(info.context.rt, organisation_channel(salon.organisation_id)):
            if message.get("name") not in SALON_EVENTS:
                continue
            if _pk((message.get("payload") or {}).get("salonId"), "Salon") != pk:
                continue
            info.context.loaders = Loaders()
            row = await info.context.loaders.by_id(models.ForumSalon).load(pk)
            if row is None or not await Salon.can_see(info.context, row):
                continue
            yield Salon.from_model(row)
