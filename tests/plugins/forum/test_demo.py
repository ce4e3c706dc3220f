"""Demo data: the alliance's forum with a held salon, an upcoming one and a lively thread."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from core.organisations.models import OrganisationPlugin
from core.runtime import Runtime
from host.demo import load_demo
from plugins.forum.models import ForumPost, ForumRsvp, ForumSalon, ForumThread, RsvpResponse, SalonStatus
from tests.support import client_for, gid


async def test_hook_register_demo(rt: Runtime) -> None:
    demo = await load_demo(rt)
    assert demo is not None
    alliance = demo.organisations["alliance"]
    enabled = {row.organisation_id for row in await OrganisationPlugin.filter(plugin="forum", enabled=True)}
    assert alliance.id in enabled and demo.organisations["studio_wang"].id in enabled

    now = datetime.now(UTC)
    upcoming = await ForumSalon.get(organisation_id=alliance.id, status=SalonStatus.SCHEDULED)
    assert upcoming.starts_at > now and upcoming.capacity is not None
    held = await ForumSalon.get(organisation_id=alliance.id, status=SalonStatus.HELD)
    assert held.summary.startswith("纪要") and held.ends_at < now
    for salon in (upcoming, held):  # the counters agree with the rows, within capacity
        counts = Counter(r.response for r in await ForumRsvp.filter(salon_id=salon.id))
        assert salon.going_count == counts[RsvpResponse.GOING] <= (salon.capacity or 10**6)
        assert salon.interested_count == counts[RsvpResponse.INTERESTED]
    thread = await ForumThread.get(salon_id=upcoming.id)
    posts = await ForumPost.filter(thread_id=thread.id)
    assert thread.post_count == len(posts) >= 8 and any(p.hidden for p in posts) and any(p.reply_to_id for p in posts)

    client = client_for(rt)
    try:
        query = """query($id: ID!) { node(id: $id) { ... on ForumThread { title salon { title speakers { name } }
          posts(first: 20) { totalCount edges { node { body hidden author { name } mentions { name }
          reactionCounts { kind count } } } } } } }"""
        data = (await client(query, {"id": gid("ForumThread", thread.id)}))["node"]
        assert data["salon"]["speakers"] == [{"name": "刘海涛"}, {"name": "张志强"}]
        nodes = [e["node"] for e in data["posts"]["edges"]]
        assert any(n["mentions"] == [{"name": "张志强"}] for n in nodes)
        assert [n for n in nodes if n["hidden"]] == [
            {
                "body": None,
                "hidden": True,
                "author": nodes[8]["author"],
                "mentions": [],
                "reactionCounts": nodes[8]["reactionCounts"],
            }
        ]
        assert sum(c["count"] for n in nodes for c in n["reactionCounts"]) >= 8
    finally:
        await client.http.aclose()
