"""Live forum updates over graphql-transport-ws: ``forumPostAdded`` and ``salonUpdated``, per-event
visibility, and delivery across two ``guildhall serve`` processes sharing PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
import websockets

from core.events import emit, organisation_channel
from core.plugin_api import DomainEvent
from core.pubsub import hub_for
from core.runtime import Runtime
from host.app import create_app
from host.testing.servers import ServerLauncher, free_port
from plugins.forum import salons, services
from plugins.forum.models import RsvpResponse
from tests.plugins.forum.conftest import POST, Board
from tests.support import User, gid

LIVE = "subscription Live($t: ID!) { forumPostAdded(threadId: $t) { id body author { name } } }"
SALON = "subscription($s: ID!) { salonUpdated(salonId: $s) { id status goingCount venue } }"
HIDDEN = "subscription($t: ID!) { forumPostAdded(threadId: $t) { id hidden body } }"


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.listening.set()


@pytest.fixture
async def server(rt: Runtime) -> AsyncIterator[str]:
    """A real uvicorn server on loopback in this process, sharing the test database and Redis."""
    app = create_app(rt.settings, rt.registry, rt, manage_services=False)
    port = free_port()
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    listening = asyncio.create_task(server.listening.wait())
    await asyncio.wait([task, listening], return_when=asyncio.FIRST_COMPLETED)
    listening.cancel()
    assert server.started, "uvicorn did not start"
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    await task


class Live:
    """One graphql-transport-ws connection with one subscription."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, address: str, user: User | None, query: str, variables: dict[str, Any]) -> Live:
        ws = await websockets.connect(f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"])
        init = {"authorization": f"Bearer {user.token}"} if user else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": init}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}))
        return cls(ws)

    async def next(self) -> dict[str, Any]:
        message = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        return dict(message["payload"]["data"])

    async def close(self) -> None:
        await self.ws.close()


async def _until_listening(rt: Runtime, org_id: int, count: int) -> None:
    """Until this process's shared pub/sub connection has ``count`` local subscribers on the channel."""
    hub = hub_for(rt.redis, rt.settings.subscription_queue_size)
    channel = organisation_channel(org_id)

    async def listening() -> None:
        while not (hub.connected and len(hub.channels.get(channel, ())) >= count):  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    await asyncio.wait_for(listening(), 10)


async def test_posts_arrive_over_graphql_transport_ws(server: str, board: Board) -> None:
    thread = await board.thread()
    anonymous = await Live.open(server, None, LIVE, {"t": thread})
    member = await Live.open(server, board.li, LIVE, {"t": thread})
    other_thread = await board.thread(title="别的话题")
    try:
        await _until_listening(board.rt, board.studio.id, 2)
        # One pub/sub connection for the process, however many subscribe.
        assert hub_for(board.rt.redis, board.rt.settings.subscription_queue_size).channels.keys() == {
            organisation_channel(board.studio.id)
        }
        await board.post(other_thread, "别处的帖子不推送")
        made = (await board.post(thread, "伺服过载先查润滑 @李红梅"))["post"]
        expected = {
            "forumPostAdded": {"id": made["id"], "body": "伺服过载先查润滑 @李红梅", "author": {"name": "王建国"}}
        }
        assert await anonymous.next() == expected
        assert await member.next() == expected
    finally:
        await anonymous.close()
        await member.close()


async def test_each_event_is_shown_as_the_viewer_may_see_it_then(server: str, board: Board) -> None:
    """A post hidden before its event is delivered arrives hidden, in full to moderators."""
    assert board.wang.person and board.admin.person
    thread = await board.thread()
    anonymous = await Live.open(server, None, HIDDEN, {"t": thread})
    moderator = await Live.open(server, board.admin, HIDDEN, {"t": thread})
    try:
        await _until_listening(board.rt, board.studio.id, 2)
        from core.relay import parse_global_id

        parsed = parse_global_id(thread)
        assert parsed is not None
        post = await services.create_post(board.rt, parsed[1], board.wang.person.id, "广告", None)
        first = {"forumPostAdded": {"id": gid("ForumPost", post.id), "hidden": False, "body": "广告"}}
        assert await anonymous.next() == first and await moderator.next() == first
        await services.hide_post(board.rt, post.id, board.admin.person.id, True, "广告")
        # The same event delivered again (late, or re-published): the policy applies as of now.
        await emit(
            board.rt,
            DomainEvent(
                "forum.post_created",
                {"postId": gid("ForumPost", post.id), "threadId": thread},
                board.studio.id,
                subject=gid("ForumPost", post.id),
            ),
        )
        assert await anonymous.next() == {
            "forumPostAdded": {"id": gid("ForumPost", post.id), "hidden": True, "body": None}
        }
        assert await moderator.next() == {
            "forumPostAdded": {"id": gid("ForumPost", post.id), "hidden": True, "body": "广告"}
        }
    finally:
        await anonymous.close()
        await moderator.close()


async def test_salon_updates_arrive_with_counts_and_changes(server: str, board: Board) -> None:
    assert board.wang.person and board.admin.person
    salon = await board.salon(capacity=5)
    live = await Live.open(server, None, SALON, {"s": gid("Salon", salon.id)})
    try:
        await _until_listening(board.rt, board.studio.id, 1)
        await salons.rsvp(board.rt, salon.id, board.wang.person.id, RsvpResponse.GOING)
        assert (await live.next())["salonUpdated"] == {
            "id": gid("Salon", salon.id),
            "status": "SCHEDULED",
            "goingCount": 1,
            "venue": "职工活动中心",
        }
        await salons.update_salon(board.rt, salon.id, salons.SalonFields(venue="三楼会议室", given={"venue"}), None)
        assert (await live.next())["salonUpdated"]["venue"] == "三楼会议室"
        await salons.cancel_salon(board.rt, salon.id, "设备检修", board.admin.person.id)
        assert (await live.next())["salonUpdated"]["status"] == "CANCELLED"
    finally:
        await live.close()


async def test_unknown_threads_and_bad_ids_are_refused(server: str, board: Board) -> None:
    for variables, code in (({"t": gid("ForumThread", 999_999)}, "NOT_FOUND"), ({"t": "bm9wZQ=="}, "INVALID_ID")):
        live = await Live.open(server, None, LIVE, variables)
        try:
            message = json.loads(await asyncio.wait_for(live.ws.recv(), 10))
            errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
            assert errors[0]["extensions"]["code"] == code
        finally:
            await live.close()


# Two server processes -----------------------------------------------------------------------


@pytest.mark.postgres
async def test_a_post_through_one_process_reaches_a_subscriber_of_another(
    board: Board, rt: Runtime, guildhall_servers: ServerLauncher
) -> None:
    thread = await board.thread()
    a, b = guildhall_servers.start(), guildhall_servers.start()
    live = await Live.open(f"127.0.0.1:{a.port}", board.li, LIVE, {"t": thread})
    try:
        channel = organisation_channel(board.studio.id)

        async def subscribed() -> None:  # process A's single pub/sub connection listens on Redis
            while not (await rt.redis.pubsub_numsub(channel))[0][1]:  # type: ignore[no-untyped-call]  # noqa: ASYNC110 (a state in another process)
                await asyncio.sleep(0.05)

        await asyncio.wait_for(subscribed(), 10)
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"{b.http}/graphql",
                json={"query": POST, "variables": {"t": thread, "b": "两个进程之间也能收到", "r": None}},
                headers={"Authorization": f"Bearer {board.wang.token}"},
            )
        made = response.json()["data"]["forumPostCreate"]
        assert made["errors"] == []
        assert await live.next() == {
            "forumPostAdded": {
                "id": made["post"]["id"],
                "body": "两个进程之间也能收到",
                "author": {"name": "王建国"},
            }
        }
    finally:
        await live.close()


async def test_forum_events_reach_organisation_events_with_the_reason_for_moderators_only(board: Board) -> None:
    from tests.live_events import Subscription, open_subscription

    assert board.wang.person and board.admin.person
    opened: list[Subscription] = []
    try:
        member = await open_subscription(opened, board.rt, board.li, board.studio)
        moderator = await open_subscription(opened, board.rt, board.admin, board.studio)
        created = await services.create_thread(board.rt, board.studio.id, board.wang.person.id, "话题", "内容", None)
        for sub in (member, moderator):
            assert (await sub.next())["name"] == "forum.thread_created"
            posted = await sub.next()
            assert posted["name"] == "forum.post_created" and "body" not in posted["payload"]
            assert posted["payload"]["authorName"] == "王建国"
        await services.hide_post(board.rt, created.post.id, board.admin.person.id, True, "广告")
        assert (await member.next())["payload"] == {
            "postId": gid("ForumPost", created.post.id),
            "threadId": gid("ForumThread", created.thread.id),
        }
        assert (await moderator.next())["payload"]["reason"] == "广告"
    finally:
        for sub in opened:
            await sub.close()
