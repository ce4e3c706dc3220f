"""Per-request DataLoaders of the forum plugin, made through ``ctx.loaders``.

Each ``<rows>_by_<key>(ctx, key)`` answers one key and batches every key asked for in the same
tick into one query; they return model rows (or plain figures), never GraphQL types.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.expressions import Q
from tortoise.functions import Count

from core.context import Context
from core.loaders import Page
from core.people.models import Person
from plugins.forum.models import (
    ForumMention,
    ForumPost,
    ForumReaction,
    ForumRsvp,
    ForumSalon,
    ForumSalonMaterial,
    ForumSalonSpeaker,
    ForumThread,
    ReactionKind,
    RsvpResponse,
)


async def speakers_by_salon(ctx: Context, salon_id: int) -> list[Person]:
    """In programme order."""
    links = await ctx.loaders.children(ForumSalonSpeaker, "salon_id", order_by=("position", "id")).load(salon_id)
    people = await ctx.loaders.by_id(Person).load_many([link.person_id for link in links])
    return [p for p in people if p is not None]


async def materials_by_salon(ctx: Context, salon_id: int) -> list[ForumSalonMaterial]:
    return await ctx.loaders.children(ForumSalonMaterial, "salon_id").load(salon_id)


async def rsvps_by_salon(ctx: Context, salon_id: int, response: RsvpResponse | None) -> list[ForumRsvp]:
    if response is None:
        return await ctx.loaders.children(ForumRsvp, "salon_id").load(salon_id)
    return await ctx.loaders.children(ForumRsvp, "salon_id", response=response).load(salon_id)


async def viewer_rsvp_by_salon(ctx: Context, salon_id: int) -> ForumRsvp | None:
    """The signed-in person's own answer for each salon."""
    person_id = ctx.viewer.person_id
    if person_id is None:
        return None

    async def load(salon_ids: Sequence[int]) -> list[ForumRsvp | None]:
        rows = await ForumRsvp.filter(person_id=person_id, salon_id__in=list(set(salon_ids)))
        by_salon = {row.salon_id: row for row in rows}
        return [by_salon.get(sid) for sid in salon_ids]

    loader = ctx.loaders.get(("forum.viewer_rsvp_by_salon", person_id), lambda: DataLoader(load_fn=load))
    return await loader.load(salon_id)


async def salons_by_person(ctx: Context, person_id: int, response: RsvpResponse | None) -> list[ForumSalon]:
    """Salons the person answered (with ``response`` if given), soonest first."""
    salons = ctx.loaders.by_id(ForumSalon)

    async def load(person_ids: Sequence[int]) -> list[list[ForumSalon]]:
        query = ForumRsvp.filter(person_id__in=list(set(person_ids))).select_related("salon")
        if response is not None:
            query = query.filter(response=response)
        groups: dict[int, list[ForumSalon]] = defaultdict(list)
        for row in await query:
            salons.prime(row.salon.id, row.salon)
            groups[row.person_id].append(row.salon)
        for rows in groups.values():
            rows.sort(key=lambda s: (s.starts_at, s.id))
        return [groups.get(pid, []) for pid in person_ids]

    loader = ctx.loaders.get(("forum.salons_by_person", response), lambda: DataLoader(load_fn=load))
    return await loader.load(person_id)


async def threads_by_salon(ctx: Context, salon_id: int) -> list[ForumThread]:
    """Pinned first, then the most recently active."""
    return await ctx.loaders.children(ForumThread, "salon_id", order_by=("-pinned", "-last_activity_at", "-id")).load(
        salon_id
    )


@dataclass(frozen=True)
class PostReactions:
    """A post's reactions as a screen shows them: how many of each kind, and the viewer's."""

    counts: dict[ReactionKind, int]
    mine: tuple[ReactionKind, ...]


async def reactions_by_post(ctx: Context, post_id: int) -> PostReactions:
    """Counts and the viewer's own kinds for every post on the page in one grouped query
    (``reactionCounts`` and ``myReactions`` share it: one statement for both fields)."""
    person_id = ctx.viewer.person_id

    async def load(post_ids: Sequence[int]) -> list[PostReactions]:
        query = ForumReaction.filter(post_id__in=list(set(post_ids))).annotate(count=Count("id"))
        fields = ["post_id", "kind", "count"]
        if person_id is not None:
            query = query.annotate(mine=Count("id", _filter=Q(person_id=person_id)))
            fields.append("mine")
        counts: dict[int, dict[ReactionKind, int]] = defaultdict(dict)
        mine: dict[int, set[ReactionKind]] = defaultdict(set)
        for row in await query.group_by("post_id", "kind").values(*fields):
            kind = ReactionKind(row["kind"])
            counts[row["post_id"]][kind] = row["count"]
            if row.get("mine"):
                mine[row["post_id"]].add(kind)
        return [
            PostReactions(counts.get(pid, {}), tuple(k for k in ReactionKind if k in mine.get(pid, ())))
            for pid in post_ids
        ]

    loader = ctx.loaders.get("forum.reactions_by_post", lambda: DataLoader(load_fn=load))
    return await loader.load(post_id)


async def mentioned_by_post(ctx: Context, post_id: int) -> list[Person]:
    links = await ctx.loaders.children(ForumMention, "post_id").load(post_id)
    people = await ctx.loaders.by_id(Person).load_many([link.person_id for link in links])
    return [p for p in people if p is not None]


async def posts_page_by_thread(ctx: Context, thread_id: int, offset: int, limit: int) -> Page[ForumPost]:
    """A thread's page of posts, oldest first, and how many it has: one windowed statement for
    every thread on the page (``core.loaders.load_pages``), never one per thread."""
    page = await ctx.loaders.page(
        ForumPost, "thread_id", offset, limit, order_by=("id",), related=("author",)
    ).load(thread_id)
    posts = ctx.loaders.by_id(ForumPost)
    for row in page.rows:
        posts.prime(row.id, row)  # a reply's `replyTo` on the same page costs nothing more
    return page


async def thread_of_post(ctx: Context, post: ForumPost) -> ForumThread:
    row = await ctx.loaders.by_id(ForumThread).load(post.thread_id)
    assert row is not None  # the foreign key guarantees it
    return row


async def salons_by_organisation(
    ctx: Context, org_id: int, start: datetime | None, end: datetime | None
) -> list[ForumSalon]:
    """In start order, within [start, end) when given; one query for every organisation on the page."""
    filters: dict[str, Any] = {}
    if start is not None:
        filters["starts_at__gte"] = start
    if end is not None:
        filters["starts_at__lt"] = end
    return await ctx.loaders.children(ForumSalon, "organisation_id", order_by=("starts_at", "id"), **filters).load(
        org_id
    )


async def threads_page_by_organisation(ctx: Context, org_id: int, offset: int, limit: int) -> Page[ForumThread]:
    """A board's page of threads, pinned first, then the most recently active, and how many it
    has: one windowed statement for every board on the page, never every thread of each."""
    order = ("-pinned", "-last_activity_at", "-id")
    return await ctx.loaders.page(ForumThread, "organisation_id", offset, limit, order_by=order).load(org_id)
