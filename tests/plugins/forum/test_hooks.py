"""The forum's hooks through the host: registration, settings, and the notices, studio figures and
growth entries it answers (the notices from the very events its services emit)."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core import hookimpl
from core.db import tortoise_config
from core.organisations.activation import plugin_settings
from core.plugin_api import DomainEvent, GrowthItem, Notice, StudioMetric
from core.registry import Registry
from core.runtime import Runtime
from host.plugins import build_plugin_manager
from host.registry import build_registry
from plugins.forum import salons, services
from plugins.forum.models import ForumSalon, ForumSalonSpeaker, RsvpResponse, SalonStatus
from plugins.forum.settings import ForumSettings
from schema import build_schema, print_sdl
from tests.plugins.forum.conftest import Board
from tests.support import gid, make_org, runtime_with


class Recorder:
    """A throwaway plugin that records every domain event it observes."""

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    @hookimpl
    def on_event(self, event: DomainEvent) -> None:
        self.events.append(event)


@pytest.fixture
def recorded(rt: Runtime, registry: Registry) -> tuple[Runtime, Recorder]:
    """A runtime with the same plugins plus a recorder of events."""
    recorder = Recorder()
    pm = build_plugin_manager(list(registry.activity_plugins), entry_points=False)
    pm.register(recorder, name="recorder")
    return runtime_with(rt, pm), recorder


async def _notices(rt: Runtime, event: DomainEvent) -> list[Notice]:
    """What every plugin's ``notifications`` hook answers for ``event``, as core asks it."""
    found: list[Notice] = []
    for result in rt.registry.pm.hook.notifications(event=event):
        found += (await result) if inspect.isawaitable(result) else (result or [])
    return found


def test_hook_register_models(registry: Registry) -> None:
    app = tortoise_config("sqlite://:memory:", registry.model_apps)["apps"]["forum"]
    assert app["models"] == ["plugins.forum.models"] and app["migrations"] == "plugins.forum.migrations"


def test_hook_register_queries(registry: Registry) -> None:
    sdl = print_sdl(build_schema(registry))
    assert "salons(organisationId: ID!, from: DateTime = null, to: DateTime = null, status: SalonStatus" in sdl
    assert "forumThreads(organisationId: ID!, salonId: ID = null" in sdl


def test_hook_register_mutations(registry: Registry) -> None:
    sdl = print_sdl(build_schema(registry))
    for name in (
        "salonCreate",
        "salonUpdate",
        "salonCancel",
        "salonRsvp",
        "salonSummarySet",
        "salonMaterialAdd",
        "salonMaterialRemove",
        "forumThreadCreate",
        "forumThreadLock",
        "forumThreadPin",
        "forumPostCreate",
        "forumPostEdit",
        "forumPostHide",
        "forumPostReact",
    ):
        title = name[0].upper() + name[1:]
        assert f"{name}(input: {title}Input!): {title}Payload!" in sdl
    assert "forumPostUnreact(input: ForumPostReactInput!): ForumPostUnreactPayload!" in sdl


def test_hook_register_subscriptions(registry: Registry) -> None:
    sdl = print_sdl(build_schema(registry))
    assert "forumPostAdded(threadId: ID!): ForumPost!" in sdl and "salonUpdated(salonId: ID!): Salon!" in sdl


def test_hook_register_types(registry: Registry) -> None:
    assert "type SalonMaterial implements Node {" in print_sdl(build_schema(registry))


def test_hook_extend_types(registry: Registry) -> None:
    with_forum = print_sdl(build_schema(registry))
    without = print_sdl(build_schema(build_registry(build_plugin_manager([], entry_points=False))))
    for field in (
        "salons(response: RsvpResponse = null",
        "threads(first: Int = null, after: String = null): ForumThreadConnection!",
        "salons(from: DateTime = null",
    ):
        assert field in with_forum and field not in without


async def test_hook_organisation_settings(rt: Runtime) -> None:
    assert await plugin_settings(rt, (await make_org()).id, ForumSettings, "forum") == ForumSettings(
        edit_window_hours=24
    )


async def test_hook_notifications(board: Board, recorded: tuple[Runtime, Recorder]) -> None:
    rt, recorder = recorded
    wang, li, admin, partner = (u.person for u in (board.wang, board.li, board.admin, board.partner))
    assert wang and li and admin and partner
    created = await services.create_thread(rt, board.studio.id, wang.id, "焊接变形", "@李红梅 你怎么看?", None)
    thread, first = created.thread, created.post
    reply = await services.create_post(rt, thread.id, li.id, "我觉得先看夹具 @王建国", first.id)
    plain = await services.create_post(rt, thread.id, admin.id, "同意", reply.id)
    edited = await services.edit_post(rt, plain.id, admin.id, "同意 @王建国 @李红梅")
    assert edited.edited_at is not None
    by_name = {e.name: e for e in recorder.events}
    posts = [e for e in recorder.events if e.name == "forum.post_created"]
    assert [e.subject for e in posts] == [gid("ForumPost", p.id) for p in (first, reply, plain)]

    assert await _notices(rt, posts[0]) == [
        Notice(li.id, "forum.mentioned", gid("ForumPost", first.id), wang.id, "王建国在「焊接变形」中提到了你")
    ]
    # Wang is both mentioned and replied to: one notice (the mention), not two.
    assert await _notices(rt, posts[1]) == [
        Notice(wang.id, "forum.mentioned", gid("ForumPost", reply.id), li.id, "李红梅在「焊接变形」中提到了你")
    ]
    assert await _notices(rt, posts[2]) == [
        Notice(li.id, "forum.reply", gid("ForumPost", plain.id), admin.id, "周文博回复了你在「焊接变形」中的帖子")
    ]
    # An edit notifies only the newly mentioned.
    assert {(n.recipient_id, n.kind) for n in await _notices(rt, by_name["forum.post_edited"])} == {
        (wang.id, "forum.mentioned"),
        (li.id, "forum.mentioned"),
    }

    salon = await salons.create_salon(
        rt,
        board.studio.id,
        salons.SalonFields(
            title="焊接机器人沙龙",
            starts_at=rt.now() + timedelta(days=2),
            ends_at=rt.now() + timedelta(days=2, hours=2),
            venue="活动中心",
            capacity=5,
        ),
        admin.id,
    )
    await salons.rsvp(rt, salon.id, wang.id, RsvpResponse.GOING)
    await salons.rsvp(rt, salon.id, li.id, RsvpResponse.INTERESTED)
    await salons.rsvp(rt, salon.id, partner.id, RsvpResponse.NOT_GOING)
    await salons.update_salon(rt, salon.id, salons.SalonFields(venue="三楼会议室", given={"venue"}), admin.id)
    await salons.cancel_salon(rt, salon.id, "设备检修", admin.id)
    by_name = {e.name: e for e in recorder.events}
    subject = gid("Salon", salon.id)
    assert await _notices(rt, by_name["forum.salon_updated"]) == [
        Notice(wang.id, "forum.salon_changed", subject, admin.id, "你报名的沙龙「焊接机器人沙龙」有变更"),
        Notice(li.id, "forum.salon_changed", subject, admin.id, "你报名的沙龙「焊接机器人沙龙」有变更"),
    ]
    cancelled = await _notices(rt, by_name["forum.salon_cancelled"])
    assert [(n.recipient_id, n.kind) for n in cancelled] == [
        (wang.id, "forum.salon_cancelled"),
        (li.id, "forum.salon_cancelled"),
    ]
    # Events that are not about people's inboxes answer nothing.
    for name in ("forum.thread_created", "forum.salon_created", "forum.salon_rsvp"):
        assert await _notices(rt, by_name[name]) == []
    assert await _notices(rt, DomainEvent("training.enrolled", {"x": 1}, board.studio.id)) == []
    assert all(len(n.summary) <= 200 for n in cancelled)


async def _held(org_id: int, when: datetime, status: SalonStatus = SalonStatus.HELD) -> ForumSalon:
    return await ForumSalon.create(
        organisation_id=org_id,
        title=f"沙龙{when:%m%d}",
        starts_at=when,
        ends_at=when + timedelta(hours=2),
        venue="活动中心",
        status=status,
    )


async def test_hook_studio_metrics(board: Board, rt: Runtime) -> None:
    from tests.support import count_statements

    other = await make_org("张志强工匠创新工作室")
    beijing_new_year = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)  # 2026-01-01 00:30 in China
    await _held(board.studio.id, datetime(2025, 3, 1, tzinfo=UTC))
    await _held(board.studio.id, datetime(2025, 12, 31, 15, 0, tzinfo=UTC))  # still 2025 in China
    await _held(board.studio.id, beijing_new_year)
    await _held(board.studio.id, datetime(2025, 6, 1, tzinfo=UTC), SalonStatus.CANCELLED)
    await _held(board.studio.id, datetime(2025, 7, 1, tzinfo=UTC), SalonStatus.SCHEDULED)
    await _held(other.id, datetime(2025, 9, 1, tzinfo=UTC))
    ids = [board.studio.id, other.id, board.alliance.id]

    async def ask(year: int) -> dict[int, dict[str, int]]:
        merged: dict[int, dict[str, int]] = {}
        for result in rt.registry.pm.hook.studio_metrics(organisation_ids=ids, year=year):
            answer = (await result) if inspect.isawaitable(result) else result
            for org_id, figures in (answer or {}).items():
                for name, value in figures.items():
                    merged.setdefault(org_id, {})[name] = merged.get(org_id, {}).get(name, 0) + value
        return merged

    figures = await ask(2025)
    assert figures[board.studio.id][StudioMetric.SALONS_HELD] == 2
    assert figures[other.id][StudioMetric.SALONS_HELD] == 1
    assert figures.get(board.alliance.id, {}).get(StudioMetric.SALONS_HELD, 0) == 0
    assert (await ask(2026))[board.studio.id][StudioMetric.SALONS_HELD] == 1
    from plugins.forum.notices import salons_held

    many = [(await make_org(f"工作室{i}")).id for i in range(5)]
    with count_statements() as few:
        await salons_held(ids, 2025)
    with count_statements() as more:
        await salons_held(ids + many, 2025)
    assert few.count == more.count == 1


async def test_hook_growth_items(board: Board, rt: Runtime) -> None:
    assert board.wang.person is not None
    wang_id = board.wang.person.id
    times = [datetime(2025, month, 10, 6, tzinfo=UTC) for month in (3, 5, 9)]
    for when in times:
        salon = await _held(board.studio.id, when)
        await ForumSalonSpeaker.create(salon=salon, person_id=wang_id)
    upcoming = await _held(board.studio.id, datetime(2030, 1, 1, tzinfo=UTC), SalonStatus.SCHEDULED)
    await ForumSalonSpeaker.create(salon=upcoming, person_id=wang_id)

    async def ask(**kwargs: Any) -> list[GrowthItem]:
        items: list[GrowthItem] = []
        for result in rt.registry.pm.hook.growth_items(person_id=wang_id, **kwargs):
            items += (await result) if inspect.isawaitable(result) else result
        return [item for item in items if item.kind.startswith("forum.")]

    newest = await ask(before=None, limit=2)
    assert [item.at for item in newest] == [times[2], times[1]]
    assert newest[0].kind == "forum.spoke" and newest[0].title == "在论坛沙龙「沙龙0910」主讲"
    assert newest[0].subject is not None and newest[0].subject.startswith("U2Fsb24")  # Salon:…
    assert [item.at for item in await ask(before=times[1], limit=10)] == [times[1], times[0]]
    assert await ask(before=None, limit=0) == []
    assert board.li.person is not None
    others = rt.registry.pm.hook.growth_items(person_id=board.li.person.id, before=None, limit=5)
    assert [
        x for r in others for x in ((await r) if inspect.isawaitable(r) else r) if x.kind.startswith("forum.")
    ] == []
