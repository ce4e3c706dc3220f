"""The notification inbox (issue 10): stored from every plugin's ``notifications`` hook, listed on
``me.notifications`` only while the subject is visible, marked read, bounded, pushed live."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pluggy
import pytest
import uvicorn
import websockets

from core import hookimpl
from core.events import emit
from core.notifications.models import Notification
from core.notifications.queries import encode_cursor
from core.notifications.services import person_channel
from core.organisations import invitations as alliance_invitations
from core.organisations.models import AllianceRole, Organisation, OrganisationKind
from core.people.models import MembershipRole, Person
from core.plugin_api import DomainEvent, Notice
from core.pubsub import hub_for
from core.runtime import Runtime
from core.skills.models import PersonSkill, Skill
from host.app import create_app
from host.plugins import build_plugin_manager
from plugins.mentorship import services as mentorship
from plugins.training import seats
from plugins.training.models import TrainingCourse, TrainingSession
from tests.core.test_app import _free_port, _Server
from tests.support import GraphQLClient, User, client_for, count_statements, gid, make_org, runtime_with, with_settings

INBOX = """query($first: Int, $after: String, $unread: Boolean) {
  me { notifications(first: $first, after: $after, unreadOnly: $unread) {
    totalCount unreadCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id kind summary readAt createdAt subject { id } actor { name } } } } } }"""
MARK = """mutation($ids: [ID!], $all: Boolean) { notificationsMarkRead(input: {ids: $ids, all: $all}) {
  marked unreadCount errors { code field } } }"""


class Notifier:
    """``test.notify``: a notice for each person in ``to`` about ``subject``, by ``actor``."""

    @hookimpl
    def notifications(self, event: DomainEvent) -> list[Notice]:
        if event.name != "test.notify":
            return []
        p = event.payload
        return [
            Notice(
                recipient_id=r,
                kind=p.get("kind", "test.noticed"),
                subject=p["subject"],
                actor_id=p.get("actor"),
                summary=p.get("summary", "测试"),
            )
            for r in p["to"]
        ]


class Broken:
    @hookimpl
    async def notifications(self, event: DomainEvent) -> list[Notice]:
        raise RuntimeError("this plugin is broken")


class Sloppy:
    @hookimpl
    def notifications(self, event: DomainEvent) -> list[Any]:
        return [
            "not a notice",
            Notice(recipient_id=1, kind="Bad Kind", subject="x"),
            Notice(recipient_id=1, kind="sloppy.x", subject="not-a-global-id"),
        ]


@pytest.fixture
def nrt(rt: Runtime) -> Runtime:
    pm: pluggy.PluginManager = build_plugin_manager(None, entry_points=False)
    pm.register(Broken(), name="broken")  # before and after the good one
    pm.register(Notifier(), name="notifier")
    pm.register(Sloppy(), name="sloppy")
    pm.check_pending()
    return runtime_with(rt, pm)


@pytest.fixture
async def api(nrt: Runtime) -> AsyncIterator[GraphQLClient]:
    client = client_for(nrt)
    yield client
    await client.http.aclose()


async def notify(rt: Runtime, to: list[User], subject: str, actor: User | None = None, **payload: Any) -> None:
    ids = [u.person.id for u in to if u.person is not None]
    actor_id = actor.person.id if actor is not None and actor.person is not None else None
    await emit(rt, DomainEvent("test.notify", {"to": ids, "subject": subject, "actor": actor_id, **payload}))


async def inbox(api: GraphQLClient, user: User, **variables: Any) -> dict[str, Any]:
    return dict((await api(INBOX, variables, user=user))["me"]["notifications"])


# Storing ------------------------------------------------------------------------------------------


async def test_notices_are_stored_in_one_insert_and_never_for_their_actor(
    nrt: Runtime, api: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    org = await make_org("海州重工")
    people = [await api.user(f"工人{i}", org=org) for i in range(4)]
    actor = people[0]
    with count_statements() as counter, caplog.at_level(logging.WARNING):
        await notify(nrt, people, gid("Organisation", org.id), actor=actor, summary="王师傅提了一个问题")
    inserts = [s for s in counter.statements if "INTO core_notification" in s or 'INTO "core_notification"' in s]
    assert len(inserts) == 1
    rows = await Notification.all().order_by("id")
    assert [r.recipient_id for r in rows] == [p.person.id for p in people[1:]]  # type: ignore[union-attr]
    assert {r.actor_id for r in rows} == {actor.person.id}  # type: ignore[union-attr]
    # A failing plugin and a sloppy one lose their own notices only, and say so in the log.
    assert "notifications hook of broken failed" in caplog.text
    assert caplog.text.count("notifications hook of sloppy: notice dropped") == 3
    assert (await inbox(api, actor))["totalCount"] == 0
    page = await inbox(api, people[1])
    assert page["totalCount"] == page["unreadCount"] == 1
    node = page["edges"][0]["node"]
    assert node["kind"] == "test.noticed" and node["actor"] == {"name": "工人0"} and node["readAt"] is None
    assert node["subject"] == {"id": gid("Organisation", org.id)} and node["summary"] == "王师傅提了一个问题"


async def test_summaries_are_one_bounded_line_and_repeats_are_merged(nrt: Runtime, api: GraphQLClient) -> None:
    org = await make_org()
    reader = await api.user("读者", org=org)
    long = "第一行\n\t第二行" + "长" * 300
    await notify(nrt, [reader, reader], gid("Organisation", org.id), summary=long)
    [row] = await Notification.all()
    assert len(row.summary) == 200 and row.summary.startswith("第一行 第二行长") and row.summary.endswith("…")


async def test_notices_to_people_who_do_not_exist_are_skipped(nrt: Runtime, api: GraphQLClient) -> None:
    org = await make_org()
    reader = await api.user("读者", org=org)
    assert reader.person is not None
    await emit(
        nrt, DomainEvent("test.notify", {"to": [reader.person.id, 999_999], "subject": gid("Organisation", org.id)})
    )
    assert [r.recipient_id for r in await Notification.all()] == [reader.person.id]


async def test_each_person_keeps_only_their_newest(nrt: Runtime, api: GraphQLClient) -> None:
    small = with_settings(nrt, notification_retention=3)
    org = await make_org()
    a, b = await api.user("甲", org=org), await api.user("乙", org=org)
    for i in range(5):
        await notify(small, [a], gid("Organisation", org.id), summary=f"第{i}条")
    await notify(small, [b], gid("Organisation", org.id), summary="乙的")
    assert a.person is not None and b.person is not None
    kept = await Notification.filter(recipient_id=a.person.id).order_by("-id").values_list("summary", flat=True)
    assert kept == ["第4条", "第3条", "第2条"]
    assert await Notification.filter(recipient_id=b.person.id).count() == 1
    page = await inbox(client_for(small), a)
    assert [e["node"]["summary"] for e in page["edges"]] == ["第4条", "第3条", "第2条"]


async def test_concurrent_deliveries_to_one_person_all_arrive_within_the_cap(nrt: Runtime, api: GraphQLClient) -> None:
    small = with_settings(nrt, notification_retention=5)
    org = await make_org()
    reader = await api.user("读者", org=org)
    assert reader.person is not None
    subject = gid("Organisation", org.id)
    await asyncio.gather(*(notify(small, [reader], subject, summary=f"第{i}条") for i in range(12)))
    newest = await Notification.filter(recipient_id=reader.person.id).order_by("-id").limit(5)
    await notify(small, [reader], subject, summary="最后")  # prunes whatever a collision left
    kept = await Notification.filter(recipient_id=reader.person.id).order_by("-id")
    assert [r.summary for r in kept] == ["最后"] + [r.summary for r in newest[:4]]


# Reading ------------------------------------------------------------------------------------------


async def test_only_the_person_reads_their_inbox(nrt: Runtime, api: GraphQLClient) -> None:
    org = await make_org()
    reader, other = await api.user("读者", org=org), await api.user("旁人", org=org)
    admin = await api.superuser()
    await notify(nrt, [reader], gid("Organisation", org.id))
    query = "query($id: ID!) { node(id: $id) { ... on Person { notifications { totalCount } } } }"
    for viewer in (other, admin, None):
        assert (await api(query, {"id": reader.person_gid}, user=viewer))["node"] == {"notifications": None}
    assert (await api(query, {"id": reader.person_gid}, user=reader))["node"] == {"notifications": {"totalCount": 1}}
    assert (await api("{ me { id } }"))["me"] is None


async def test_newest_first_with_cursors_that_do_not_shift(nrt: Runtime, api: GraphQLClient) -> None:
    org = await make_org()
    reader = await api.user("读者", org=org)
    for i in range(5):
        await notify(nrt, [reader], gid("Organisation", org.id), summary=f"第{i}条")
    first = await inbox(api, reader, first=2)
    assert [e["node"]["summary"] for e in first["edges"]] == ["第4条", "第3条"]
    assert first["pageInfo"]["hasNextPage"] and not first["pageInfo"]["hasPreviousPage"]
    await notify(nrt, [reader], gid("Organisation", org.id), summary="新的")  # arrives while paging
    second = await inbox(api, reader, first=2, after=first["pageInfo"]["endCursor"])
    assert [e["node"]["summary"] for e in second["edges"]] == ["第2条", "第1条"]
    assert second["totalCount"] == 6 and second["pageInfo"]["hasPreviousPage"]
    last = await inbox(api, reader, first=2, after=second["pageInfo"]["endCursor"])
    assert [e["node"]["summary"] for e in last["edges"]] == ["第0条"] and not last["pageInfo"]["hasNextPage"]
    errors = await api.errors(INBOX, {"after": "bm90LWEtY3Vyc29y"}, user=reader)
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
    errors = await api.errors(INBOX, {"first": 101}, user=reader)
    assert errors[0]["extensions"]["code"] == "OUT_OF_RANGE"


async def test_a_notification_shows_only_while_its_subject_is_visible(nrt: Runtime, api: GraphQLClient) -> None:
    org = await make_org()
    reader = await api.user("学员", org=org)
    course = await TrainingCourse.create(organisation=org, title="焊接入门", hours=8, published=True)
    await notify(nrt, [reader], gid("TrainingCourse", course.id), summary="课程更新")
    await notify(nrt, [reader], gid("Organisation", org.id), summary="工作室")
    shown = await inbox(api, reader)
    assert [e["node"]["summary"] for e in shown["edges"]] == ["工作室", "课程更新"] and shown["unreadCount"] == 2
    # A draft course is seen only by its trainers and admins: the notice about it is hidden.
    await TrainingCourse.filter(id=course.id).update(published=False)
    hidden = await inbox(api, reader)
    assert [e["node"]["summary"] for e in hidden["edges"]] == ["工作室"]
    assert hidden["unreadCount"] == 1 and hidden["totalCount"] == 2  # stored ones; hidden ones do not count
    assert (await inbox(api, reader, unread=True))["unreadCount"] == 1
    # Gone is hidden too; visible again, it comes back.
    await TrainingCourse.filter(id=course.id).update(published=True)
    assert (await inbox(api, reader))["unreadCount"] == 2
    await TrainingCourse.filter(id=course.id).delete()
    assert [e["node"]["summary"] for e in (await inbox(api, reader))["edges"]] == ["工作室"]


async def test_unread_count_is_of_the_newest_hundred(nrt: Runtime, api: GraphQLClient) -> None:
    org = await make_org()
    reader = await api.user("读者", org=org)
    for _ in range(3):
        await emit(
            nrt,
            DomainEvent(
                "test.notify",
                {
                    "to": [reader.person.id] * 1,
                    "subject": gid("Organisation", org.id),  # type: ignore[union-attr]
                    "kind": "test.batch",
                },
            ),
        )
    assert (await inbox(api, reader, first=0))["unreadCount"] == 3
    assert reader.person is not None
    await Notification.bulk_create(
        [
            Notification(
                recipient_id=reader.person.id,
                kind="test.many",
                subject=gid("Organisation", org.id),
                created_at=nrt.now(),
            )
            for _ in range(120)
        ]
    )
    page = await inbox(api, reader, first=0)
    assert page["unreadCount"] == 100 and page["totalCount"] == 123 and page["edges"] == []


# Marking read -------------------------------------------------------------------------------------


async def test_mark_read_changes_only_one_s_own(nrt: Runtime, api: GraphQLClient) -> None:
    org = await make_org()
    reader, other = await api.user("读者", org=org), await api.user("旁人", org=org)
    for i in range(3):
        await notify(nrt, [reader], gid("Organisation", org.id), summary=f"第{i}条")
    await notify(nrt, [other], gid("Organisation", org.id), summary="旁人的")
    mine = [e["node"]["id"] for e in (await inbox(api, reader))["edges"]]
    theirs = [e["node"]["id"] for e in (await inbox(api, other))["edges"]]
    # Another person's ID is ignored exactly like an unknown one: no error, nothing changes.
    done = await api(MARK, {"ids": [mine[0], *theirs, gid("Notification", 99_999)]}, user=reader)
    assert done["notificationsMarkRead"] == {"marked": 1, "unreadCount": 2, "errors": []}
    assert (await inbox(api, other))["unreadCount"] == 1
    again = await api(MARK, {"ids": [mine[0]]}, user=reader)
    assert again["notificationsMarkRead"]["marked"] == 0
    page = await inbox(api, reader)
    assert [e["node"]["readAt"] is not None for e in page["edges"]] == [True, False, False]
    assert (await inbox(api, reader, unread=True))["totalCount"] == 2
    everything = await api(MARK, {"all": True}, user=reader)
    assert everything["notificationsMarkRead"] == {"marked": 2, "unreadCount": 0, "errors": []}
    assert (await inbox(api, other))["unreadCount"] == 1


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({}, "BAD_USER_INPUT"),
        ({"ids": [], "all": True}, "BAD_USER_INPUT"),
        ({"ids": ["bm90LWFuLWlk"]}, "INVALID_ID"),
        ({"ids": [gid("Person", 1)]}, "INVALID_ID"),
        ({"ids": [gid("Notification", i) for i in range(1, 102)]}, "TOO_MANY_IDS"),
    ],
)
async def test_mark_read_refuses_bad_input(api: GraphQLClient, variables: dict[str, Any], code: str) -> None:
    reader = await api.user("读者")
    payload = (await api(MARK, variables, user=reader))["notificationsMarkRead"]
    assert payload["errors"] == [{"code": code, "field": "ids"}] and payload["marked"] == 0


async def test_mark_read_needs_a_signed_in_viewer(api: GraphQLClient) -> None:
    payload = (await api(MARK, {"all": True}))["notificationsMarkRead"]
    assert payload["errors"] == [{"code": "UNAUTHENTICATED", "field": None}]


# Statements ---------------------------------------------------------------------------------------


async def test_a_page_takes_the_same_statements_whatever_its_size(nrt: Runtime, api: GraphQLClient) -> None:
    org = await make_org()
    course = await TrainingCourse.create(organisation=org, title="课程", hours=8, published=True)

    async def statements(count: int) -> int:
        reader = await api.user(f"读者{count}", org=org)
        for i in range(count):
            actor = await api.user(f"同事{count}-{i}", org=org)
            subject = [gid("Organisation", org.id), actor.person_gid, gid("TrainingCourse", course.id)][i % 3]
            await notify(nrt, [reader], subject, actor=actor)
        with count_statements() as counter:
            page = await inbox(api, reader, first=50)
        assert len(page["edges"]) == count
        return counter.count

    assert await statements(3) == await statements(30)


# What core and the plugins notify -----------------------------------------------------------------


async def _kinds(person: Person) -> list[tuple[str, str, int | None]]:
    rows = await Notification.filter(recipient_id=person.id).order_by("id")
    return [(r.kind, r.subject, r.actor_id) for r in rows]


async def test_an_invitation_to_join_notifies_the_person(gql: GraphQLClient) -> None:
    org = await make_org("海州重工")
    admin = await gql.user("管理员", org=org, role=MembershipRole.ADMIN)
    invited = await gql.user("新人")
    assert invited.person is not None and admin.person is not None
    invite = """mutation($o: ID!, $p: ID!) { membershipInvite(input: {organisationId: $o, personId: $p}) {
      invitation { id } errors { code } } }"""
    answer = (await gql(invite, {"o": gid("Organisation", org.id), "p": invited.person_gid}, user=admin))[
        "membershipInvite"
    ]
    assert answer["errors"] == []
    invitation_id = answer["invitation"]["id"]
    assert await _kinds(invited.person) == [("membership.invited", invitation_id, admin.person.id)]
    assert await _kinds(admin.person) == []
    page = await inbox(gql, invited)
    assert page["edges"][0]["node"]["summary"] == "海州重工 邀请你加入"
    # The notice opens the invitation itself, which the invited person may see.
    assert page["edges"][0]["node"]["subject"] == {"id": invitation_id}


async def test_an_alliance_invitation_notifies_the_invited_organisation_s_admins(
    rt: Runtime, gql: GraphQLClient
) -> None:
    alliance = await make_org("长三角工匠联盟", OrganisationKind.ALLIANCE)
    studio = await make_org("王建国工作室")
    lead = await gql.user("联盟秘书", org=alliance, role=MembershipRole.ADMIN)
    admin, leader = (
        await gql.user("管理员", org=studio, role=MembershipRole.ADMIN),
        await gql.user("负责人", org=studio, role=MembershipRole.LEADER),
    )
    member = await gql.user("成员", org=studio)
    invitation = await alliance_invitations.invite(
        rt,
        alliance_id=alliance.id,
        organisation_id=studio.id,
        role=AllianceRole.MEMBER,
        invited_by_account_id=lead.account_id,
    )
    assert lead.person is not None
    for person in (admin.person, leader.person):
        assert person is not None
        assert await _kinds(person) == [("alliance.invited", gid("AllianceInvitation", invitation.id), lead.person.id)]
    assert member.person is not None and await _kinds(member.person) == []
    assert await _kinds(lead.person) == []
    page = await inbox(gql, admin)
    assert page["edges"][0]["node"]["summary"] == "长三角工匠联盟 邀请 王建国工作室 加入联盟"
    assert page["edges"][0]["node"]["subject"] == {"id": gid("AllianceInvitation", invitation.id)}


async def test_a_proposed_mentorship_notifies_the_party_who_did_not_propose(rt: Runtime, gql: GraphQLClient) -> None:
    org = await make_org()
    mentor, apprentice = await gql.user("李师傅", org=org), await gql.user("小王", org=org)
    admin = await gql.user("管理员", org=org, role=MembershipRole.ADMIN)
    assert mentor.person is not None and apprentice.person is not None and admin.person is not None
    skills = [await Skill.create(name=name) for name in ("焊接", "钳工")]
    for skill in skills:
        await PersonSkill.create(person=mentor.person, skill=skill, level=1)
        await PersonSkill.create(person=apprentice.person, skill=skill, level=4)
    m = await mentorship.propose(
        rt, mentorship.ProposeData(mentor.person.id, apprentice.person.id, org.id, skills[0].id), mentor.person.id
    )
    subject = gid("Mentorship", m.id)
    assert await _kinds(apprentice.person) == [("mentorship.proposed", subject, mentor.person.id)]
    assert await _kinds(mentor.person) == []
    page = await inbox(gql, apprentice)
    assert page["edges"][0]["node"]["summary"] == "李师傅提议收你为徒，学习焊接"
    # Proposed by an admin, neither party proposed: both are told.
    m2 = await mentorship.propose(
        rt, mentorship.ProposeData(mentor.person.id, apprentice.person.id, org.id, skills[1].id), admin.person.id
    )
    assert (await _kinds(mentor.person))[-1] == ("mentorship.proposed", gid("Mentorship", m2.id), admin.person.id)
    assert (await _kinds(apprentice.person))[-1] == ("mentorship.proposed", gid("Mentorship", m2.id), admin.person.id)
    assert await _kinds(admin.person) == []
    assert (await inbox(gql, mentor))["edges"][0]["node"]["summary"] == "管理员提议你收小王为徒，学习钳工"


async def test_a_waitlist_promotion_notifies_the_promoted(rt: Runtime, gql: GraphQLClient) -> None:
    org = await make_org()
    first, waiting = await gql.user("先到", org=org), await gql.user("候补", org=org)
    assert first.person is not None and waiting.person is not None
    course = await TrainingCourse.create(organisation=org, title="数控车床", hours=8, published=True)
    session = await TrainingSession.create(
        course=course,
        organisation_id=org.id,
        capacity=1,
        starts_at=rt.now() + timedelta(days=1),
        ends_at=rt.now() + timedelta(days=1, hours=2),
    )
    seat = (await seats.enrol(rt, session.id, first.person.id)).enrolment
    queued = (await seats.enrol(rt, session.id, waiting.person.id)).enrolment
    assert await _kinds(waiting.person) == []
    await seats.cancel_enrolment(rt, seat.id)
    assert await _kinds(waiting.person) == [("training.waitlist_promoted", gid("TrainingEnrolment", queued.id), None)]
    assert await _kinds(first.person) == []
    page = await inbox(gql, waiting)
    assert page["edges"][0]["node"]["summary"] == "候补转正：你已获得「数控车床」的名额"
    assert page["edges"][0]["node"]["subject"] == {"id": gid("TrainingEnrolment", queued.id)}


# Live ---------------------------------------------------------------------------------------------

SUBSCRIBE = "subscription { notificationAdded { id kind summary readAt subject { id } actor { name } } }"


@pytest.fixture
async def server(nrt: Runtime) -> AsyncIterator[str]:
    """A real uvicorn server on loopback with the test plugins, sharing the database and Redis."""
    app = create_app(nrt.settings, nrt.registry, nrt, manage_services=False)
    port = _free_port()
    served = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(served.serve())
    listening = asyncio.create_task(served.listening.wait())
    await asyncio.wait([task, listening], return_when=asyncio.FIRST_COMPLETED)
    listening.cancel()
    assert served.started, "uvicorn did not start"
    yield f"127.0.0.1:{port}"
    served.should_exit = True
    await task


async def _subscribe(address: str, user: User | None) -> websockets.ClientConnection:
    ws = await websockets.connect(f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"])
    init = {"authorization": f"Bearer {user.token}"} if user is not None else {}
    await ws.send(json.dumps({"type": "connection_init", "payload": init}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    return ws


async def _until_listening(rt: Runtime, person_id: int) -> None:
    hub = hub_for(rt.redis, rt.settings.subscription_queue_size)

    async def listening() -> None:
        while not (hub.connected and hub.channels.get(person_channel(person_id))):  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    await asyncio.wait_for(listening(), 5)


async def test_notification_added_over_websocket_brings_one_s_own_visible_ones(
    server: str, nrt: Runtime, api: GraphQLClient
) -> None:
    org = await make_org()
    reader, other, actor = (
        await api.user("读者", org=org),
        await api.user("旁人", org=org),
        await api.user("同事", org=org),
    )
    assert reader.person is not None
    draft = await TrainingCourse.create(organisation=org, title="草稿", hours=8, published=False)
    ws = await _subscribe(server, reader)
    try:
        await _until_listening(nrt, reader.person.id)
        await notify(nrt, [other], gid("Organisation", org.id), summary="别人的")
        await notify(nrt, [reader], gid("TrainingCourse", draft.id), summary="看不见的")
        await notify(nrt, [reader, actor], gid("Organisation", org.id), actor=actor, summary="给你的")
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert message["type"] == "next"
        [stored] = await Notification.filter(recipient_id=reader.person.id, summary="给你的")
        assert message["payload"]["data"]["notificationAdded"] == {
            "id": gid("Notification", stored.id),
            "kind": "test.noticed",
            "summary": "给你的",
            "readAt": None,
            "subject": {"id": gid("Organisation", org.id)},
            "actor": {"name": "同事"},
        }
        with pytest.raises(TimeoutError):  # nothing else was for this viewer
            await asyncio.wait_for(ws.recv(), 0.3)
    finally:
        await ws.close()


async def test_notification_added_needs_a_signed_in_person(server: str) -> None:
    ws = await _subscribe(server, None)
    try:
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert message["type"] in {"error", "next"}
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    finally:
        await ws.close()


async def test_organisations_get_no_notices_of_their_own(rt: Runtime) -> None:
    # Organisations are not recipients: an invitation to an organisation without admins tells nobody.
    alliance = await make_org("联盟", OrganisationKind.ALLIANCE)
    studio = await make_org("工作室")
    await alliance_invitations.invite(
        rt, alliance_id=alliance.id, organisation_id=studio.id, role=AllianceRole.MEMBER, invited_by_account_id=None
    )
    assert await Notification.all().count() == 0
    assert await Organisation.all().count() == 2


BADGE = """query($first: Int, $after: String) { me { notifications(first: $first, after: $after) {
  unreadCount edges { node { subject { id } } } } } }"""
NO_BADGE = """query($first: Int) { me { notifications(first: $first) { edges { node { subject { id } } } } } }"""
BADGE_IN_FRAGMENT = """query { me { notifications(first: 3) { ...Badge edges { node { id } } } } }
fragment Badge on NotificationConnection { unreadCount }"""


async def test_the_badge_rides_on_the_first_page_and_agrees_with_later_pages(
    nrt: Runtime, api: GraphQLClient
) -> None:
    """On the first page the badge's unread subjects come in the page's own statement and go
    through the policy in the page's batch: no statement more than the page without the badge.
    A stale subject (its organisation deleted) and read notifications do not count."""
    orgs = [await make_org(f"企业{i}") for i in range(8)]
    reader = await api.user("读者")
    for org in orgs:
        await notify(nrt, [reader], gid("Organisation", org.id))
    assert reader.person is not None
    rows = list(await Notification.filter(recipient_id=reader.person.id).order_by("-id"))
    await Notification.filter(id__in=[rows[0].id, rows[1].id]).update(read_at=nrt.now())  # the two newest
    await Organisation.filter(id=orgs[0].id).delete()  # the oldest one's subject: stale, unread
    expected = 8 - 2 - 1

    with count_statements() as with_badge:
        first = (await api(BADGE, {"first": 3}, user=reader))["me"]["notifications"]
    with count_statements() as without_badge:
        await api(NO_BADGE, {"first": 3}, user=reader)
    assert first["unreadCount"] == expected
    assert with_badge.count == without_badge.count, (with_badge.statements, without_badge.statements)

    cursor = encode_cursor(rows[2].id)  # a later page reads the badge apart, to the same figure
    later = (await api(BADGE, {"first": 3, "after": cursor}, user=reader))["me"]["notifications"]
    assert later["unreadCount"] == expected
    fragment = (await api(BADGE_IN_FRAGMENT, {}, user=reader))["me"]["notifications"]
    assert fragment["unreadCount"] == expected
