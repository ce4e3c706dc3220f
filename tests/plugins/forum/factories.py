"""Test-data factories of the forum plugin (``host.testing.factories``): salons with speakers,
materials, RSVPs and a thread; threads with posts (a reply, a hidden one, reactions, mentions);
and the salons and threads every ``Organisation`` and the RSVPs every ``Person`` gets."""

from __future__ import annotations

from datetime import timedelta

from core.relay import to_global_id
from host.testing.factories import Factories, World
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
    SalonStatus,
)

POSTS_PER_THREAD = 3


async def _salons(world: World, org_ids: list[int]) -> list[int]:
    """A scheduled salon per organisation with two speakers, a material, the world's person GOING
    and a thread about it."""
    titles = [world.name("焊接变形控制沙龙") for _ in org_ids]
    start = world.now + timedelta(days=7)
    await ForumSalon.bulk_create(
        [
            ForumSalon(
                organisation_id=o,
                title=t,
                topic="焊接变形",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                venue="三楼会议室",
                capacity=50,
                status=SalonStatus.SCHEDULED,
                going_count=1,
            )
            for o, t in zip(org_ids, titles, strict=True)
        ]
    )
    ids = [s.id for s in await ForumSalon.filter(title__in=titles).order_by("id")]
    speaker = world.made["Person"][0] if world.made.get("Person") else world.person.id
    await ForumSalonSpeaker.bulk_create(
        [ForumSalonSpeaker(salon_id=s, person_id=world.person.id, position=0) for s in ids]
        + (
            [ForumSalonSpeaker(salon_id=s, person_id=speaker, position=1) for s in ids]
            if speaker != world.person.id
            else []
        )
    )
    await ForumSalonMaterial.bulk_create(
        [ForumSalonMaterial(salon_id=s, title="讲稿", url="https://example.cn/slides.pdf") for s in ids]
    )
    await ForumRsvp.bulk_create(
        [ForumRsvp(salon_id=s, person_id=world.person.id, response=RsvpResponse.GOING) for s in ids]
    )
    await _threads(world, org_ids, salon_ids=ids)
    return ids


async def _threads(world: World, org_ids: list[int], salon_ids: list[int] | None = None) -> list[int]:
    """A thread per organisation (about the matching salon, if given), with posts."""
    titles = [world.name("焊缝气孔怎么办") for _ in org_ids]
    salons: list[int | None] = list(salon_ids) if salon_ids is not None else [None] * len(org_ids)
    await ForumThread.bulk_create(
        [
            ForumThread(
                organisation_id=o,
                salon_id=s,
                title=t,
                author_id=world.person.id,
                post_count=POSTS_PER_THREAD,
                last_activity_at=world.now,
                created_at=world.now,
            )
            for o, s, t in zip(org_ids, salons, titles, strict=True)
        ]
    )
    ids = [t.id for t in await ForumThread.filter(title__in=titles).order_by("id")]
    await _posts(world, [t for t in ids for _ in range(POSTS_PER_THREAD)])
    return ids


async def _posts(world: World, thread_ids: list[int]) -> list[int]:
    """A post in each given thread; every post after a thread's first replies to the one before it,
    every third is hidden; each has a reaction of two kinds and mentions the world's person."""
    author = world.made["Person"][0] if world.made.get("Person") else world.person.id
    first = await ForumPost.filter().order_by("-id").first()
    since = first.id if first else 0
    await ForumPost.bulk_create(
        [
            ForumPost(
                thread_id=t,
                author_id=author,
                body=f"@王师傅 试试预热 {i}",
                created_at=world.now,
                hidden=i % 3 == 2,
                hidden_reason="广告" if i % 3 == 2 else "",
                hidden_at=world.now if i % 3 == 2 else None,
                hidden_by_id=world.person.id if i % 3 == 2 else None,
            )
            for i, t in enumerate(thread_ids)
        ]
    )
    rows = await ForumPost.filter(id__gt=since).order_by("id")
    assert len(rows) == len(thread_ids)
    previous: dict[int, int] = {}
    for row in rows:
        if row.thread_id in previous:
            row.reply_to_id = previous[row.thread_id]
        previous[row.thread_id] = row.id
    replies = [row for row in rows if row.reply_to_id is not None]
    if replies:
        await ForumPost.bulk_update(replies, fields=["reply_to_id"])
    ids = [row.id for row in rows]
    await ForumReaction.bulk_create(
        [
            ForumReaction(post_id=p, person_id=world.person.id, kind=kind)
            for p in ids
            for kind in (ReactionKind.LIKE, ReactionKind.THANKS)
        ]
    )
    await ForumMention.bulk_create([ForumMention(post_id=p, person_id=world.person.id) for p in ids])
    return ids


def guildhall_factories(factories: Factories) -> None:
    def on_board(world: World) -> dict[str, str]:
        return {"organisationId": to_global_id("Organisation", world.org.id)}

    factories.arguments("Query.salons", on_board)
    factories.arguments("Query.forumThreads", on_board)

    @factories.factory("Salon")
    async def salons(world: World, count: int) -> list[int]:
        return await _salons(world, [world.org.id] * count)

    @factories.factory("SalonMaterial")
    async def materials(world: World, count: int) -> list[int]:
        [salon] = await _salons(world, [world.org.id])
        await ForumSalonMaterial.bulk_create(
            [
                ForumSalonMaterial(salon_id=salon, title=world.name("录像"), url="https://example.cn/v")
                for _ in range(count)
            ]
        )
        return [m.id for m in await ForumSalonMaterial.filter(salon_id=salon).order_by("id")][-count:]

    @factories.factory("ForumThread")
    async def threads(world: World, count: int) -> list[int]:
        return await _threads(world, [world.org.id] * count)

    @factories.factory("ForumPost")
    async def posts(world: World, count: int) -> list[int]:
        [thread] = await _threads(world, [world.org.id])
        return await _posts(world, [thread] * count)

    @factories.extender("Organisation")
    async def organisation_boards(world: World, org_ids: list[int]) -> None:
        await _salons(world, org_ids)
        await _threads(world, org_ids)

    @factories.extender("Person")
    async def person_rsvps(world: World, person_ids: list[int]) -> None:
        [salon] = await _salons(world, [world.org.id])
        await ForumRsvp.bulk_create(
            [ForumRsvp(salon_id=salon, person_id=p, response=RsvpResponse.INTERESTED) for p in person_ids]
        )
