"""Salons through the API: create, update, cancel, RSVP with capacity, summary and materials."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from plugins.forum.models import ForumRsvp, ForumSalon, ForumSalonSpeaker, RsvpResponse, SalonStatus
from tests.plugins.forum.conftest import RSVP, Board, renew
from tests.support import Clock, User, gid

CREATE = """
mutation($input: SalonCreateInput!) { salonCreate(input: $input) {
  salon { id title topic capacity placesLeft status speakers { name } organisation { name } }
  errors { code field } } }"""
UPDATE = """
mutation($input: SalonUpdateInput!) { salonUpdate(input: $input) {
  salon { id title capacity venue onlineUrl speakers { name } } errors { code field } } }"""
CANCEL = """
mutation($id: ID!, $r: String) { salonCancel(input: {id: $id, reason: $r}) {
  salon { id status cancelReason cancelledAt } errors { code field } } }"""
SUMMARY = """
mutation($id: ID!, $s: String!) { salonSummarySet(input: {id: $id, summary: $s}) {
  salon { id status summary heldAt } errors { code field } } }"""
MATERIAL = """
mutation($id: ID!, $t: String!, $u: String!) { salonMaterialAdd(input: {salonId: $id, title: $t, url: $u}) {
  salon { id materials { id title url } } errors { code field } } }"""
REMOVE = """
mutation($id: ID!) { salonMaterialRemove(input: {id: $id}) { salon { materials { id } } errors { code field } } }"""
READ = """
query($id: ID!) { node(id: $id) { ... on Salon { title goingCount interestedCount notGoingCount myRsvp placesLeft
  rsvps { totalCount edges { node { response person { name } } } } } } }"""


def _input(board: Board, **changes: Any) -> dict[str, Any]:
    now = board.rt.now()
    assert board.wang.person is not None
    values: dict[str, Any] = {
        "organisationId": board.studio_id,
        "title": "焊接机器人应用沙龙",
        "topic": "焊接机器人",
        "startsAt": (now + timedelta(days=3)).isoformat(),
        "endsAt": (now + timedelta(days=3, hours=2)).isoformat(),
        "venue": "职工活动中心",
        "capacity": 2,
        "speakerIds": [board.wang.person_gid],
    }
    values.update(changes)
    return values


async def _create(board: Board, user: User | None = None, **changes: Any) -> dict[str, Any]:
    return dict((await board.gql(CREATE, {"input": _input(board, **changes)}, user=user or board.admin))["salonCreate"])


async def _rsvp(board: Board, salon: str, user: User, response: str) -> dict[str, Any]:
    return dict((await board.gql(RSVP, {"s": salon, "r": response}, user=user))["salonRsvp"])


async def test_admins_create_salons_on_organisations_and_alliances(board: Board) -> None:
    made = await _create(board)
    assert made["errors"] == []
    assert made["salon"]["speakers"] == [{"name": "王建国"}] and made["salon"]["status"] == "SCHEDULED"
    assert made["salon"]["placesLeft"] == 2
    # Admins of the alliance's lead member organisation manage the alliance (core's rule).
    denied = await _create(board, organisationId=board.alliance_id)
    assert denied["errors"] == [{"code": "PERMISSION_DENIED", "field": "organisationId"}]
    superuser = await board.gql.superuser()
    on_alliance = await _create(board, user=superuser, organisationId=board.alliance_id, capacity=None)
    assert on_alliance["errors"] == [] and on_alliance["salon"]["placesLeft"] is None


async def test_members_may_not_create_salons_and_inputs_are_checked(board: Board) -> None:
    assert (await _create(board, user=board.wang))["errors"] == [
        {"code": "PERMISSION_DENIED", "field": "organisationId"}
    ]
    now = board.rt.now()
    bad = await _create(
        board,
        title=" ",
        startsAt=(now - timedelta(hours=1)).isoformat(),
        endsAt=(now - timedelta(hours=2)).isoformat(),
        capacity=0,
        venue="",
        onlineUrl="javascript:alert(1)",
        speakerIds=[gid("Person", 999_999)],
    )
    assert {(e["code"], e["field"]) for e in bad["errors"]} == {
        ("BLANK", "title"),
        ("INVALID_TIME_RANGE", "endsAt"),
        ("IN_THE_PAST", "startsAt"),
        ("OUT_OF_RANGE", "capacity"),
        ("INVALID_URL", "onlineUrl"),
        ("NOT_FOUND", "speakerIds"),
    }
    naive = await _create(board, startsAt="2030-01-01T10:00:00", endsAt="2030-01-01T12:00:00")
    assert naive["errors"] == [{"code": "TIMEZONE_REQUIRED", "field": "startsAt"}]
    assert (await _create(board, venue=None))["errors"] == [{"code": "BLANK", "field": "venue"}]
    assert (await _create(board, organisationId="bm9wZQ=="))["errors"] == [
        {"code": "INVALID_ID", "field": "organisationId"}
    ]


async def test_rsvp_counts_capacity_and_changes_of_mind(board: Board) -> None:
    salon = (await _create(board))["salon"]["id"]
    assert (await _rsvp(board, salon, board.wang, "GOING"))["salon"] == {
        "id": salon,
        "goingCount": 1,
        "interestedCount": 0,
    }
    assert (await _rsvp(board, salon, board.li, "GOING"))["salon"]["goingCount"] == 2
    full = await _rsvp(board, salon, board.partner, "GOING")
    assert full == {"salon": None, "errors": [{"code": "SALON_FULL", "message": "This salon is full"}]}
    # Anyone signed in may answer (salons are open events), INTERESTED does not take a place.
    assert (await _rsvp(board, salon, board.outsider, "INTERESTED"))["salon"]["interestedCount"] == 1
    assert (await _rsvp(board, salon, board.wang, "GOING"))["salon"]["goingCount"] == 2  # the same again
    assert (await _rsvp(board, salon, board.wang, "NOT_GOING"))["salon"]["goingCount"] == 1
    assert (await _rsvp(board, salon, board.partner, "GOING"))["salon"]["goingCount"] == 2
    row = await ForumSalon.get(id=int(await _pk(salon)))
    assert (row.going_count, row.interested_count, row.not_going_count) == (2, 1, 1)
    assert await ForumRsvp.filter(salon_id=row.id).count() == 4
    # Who is going: moderators see everyone, others their own answer only; anonymous nobody.
    admin_view = (await board.gql(READ, {"id": salon}, user=board.admin))["node"]
    assert admin_view["rsvps"]["totalCount"] == 4 and admin_view["myRsvp"] is None
    wang_view = (await board.gql(READ, {"id": salon}, user=board.wang))["node"]
    assert wang_view["rsvps"]["edges"] == [{"node": {"response": "NOT_GOING", "person": {"name": "王建国"}}}]
    assert wang_view["myRsvp"] == "NOT_GOING" and wang_view["placesLeft"] == 0
    assert (await board.gql(READ, {"id": salon}))["node"]["rsvps"]["totalCount"] == 0
    anonymous = await board.gql(RSVP, {"s": salon, "r": "GOING"})
    assert anonymous["salonRsvp"]["errors"][0]["code"] == "UNAUTHENTICATED"


async def _pk(global_id: str) -> int:
    from core.relay import parse_global_id

    parsed = parse_global_id(global_id)
    assert parsed is not None
    return parsed[1]


async def test_update_replaces_speakers_and_keeps_capacity_above_going(board: Board) -> None:
    salon = (await _create(board))["salon"]["id"]
    await _rsvp(board, salon, board.wang, "GOING")
    await _rsvp(board, salon, board.li, "GOING")
    assert board.li.person is not None
    lower = (await board.gql(UPDATE, {"input": {"id": salon, "capacity": 1}}, user=board.admin))["salonUpdate"]
    assert lower["errors"] == [{"code": "OUT_OF_RANGE", "field": "capacity"}]
    changed = (
        await board.gql(
            UPDATE,
            {
                "input": {
                    "id": salon,
                    "capacity": None,
                    "title": "焊接机器人沙龙(扩容)",
                    "speakerIds": [board.li.person_gid],
                    "onlineUrl": "https://m.example.org/1",
                }
            },
            user=board.admin,
        )
    )["salonUpdate"]
    assert changed["errors"] == []
    assert changed["salon"] == {
        "id": salon,
        "title": "焊接机器人沙龙(扩容)",
        "capacity": None,
        "venue": "职工活动中心",
        "onlineUrl": "https://m.example.org/1",
        "speakers": [{"name": "李红梅"}],
    }
    assert await ForumSalonSpeaker.filter(person_id=board.li.person.id).count() == 1
    assert (await _rsvp(board, salon, board.partner, "GOING"))["salon"]["goingCount"] == 3
    denied = (await board.gql(UPDATE, {"input": {"id": salon, "title": "x"}}, user=board.wang))["salonUpdate"]
    assert denied["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]


async def test_cancelled_salons_take_no_answers_or_changes(board: Board) -> None:
    salon = (await _create(board))["salon"]["id"]
    assert (await board.gql(CANCEL, {"id": salon, "r": "设备检修"}, user=board.wang))["salonCancel"]["errors"] == [
        {"code": "PERMISSION_DENIED", "field": "id"}
    ]
    cancelled = (await board.gql(CANCEL, {"id": salon, "r": "设备检修"}, user=board.admin))["salonCancel"]
    assert cancelled["salon"]["status"] == "CANCELLED" and cancelled["salon"]["cancelReason"] == "设备检修"
    again = (await board.gql(CANCEL, {"id": salon, "r": None}, user=board.admin))["salonCancel"]
    assert again["errors"] == [{"code": "SALON_CANCELLED", "field": "id"}]
    assert (await _rsvp(board, salon, board.wang, "GOING"))["errors"][0]["code"] == "SALON_CANCELLED"
    update = (await board.gql(UPDATE, {"input": {"id": salon, "title": "x"}}, user=board.admin))["salonUpdate"]
    assert update["errors"] == [{"code": "SALON_CANCELLED", "field": "id"}]
    summary = (await board.gql(SUMMARY, {"id": salon, "s": "纪要"}, user=board.admin))["salonSummarySet"]
    assert summary["errors"] == [{"code": "SALON_CANCELLED", "field": "id"}]


async def test_summary_and_materials_after_the_salon_has_ended(board: Board, clock: Clock) -> None:
    salon = (await _create(board))["salon"]["id"]
    early = (await board.gql(SUMMARY, {"id": salon, "s": "纪要"}, user=board.admin))["salonSummarySet"]
    assert early["errors"] == [{"code": "SALON_NOT_ENDED", "field": "id"}]
    material = await board.gql(MATERIAL, {"id": salon, "t": "讲稿", "u": "https://example.org/a.pdf"}, user=board.admin)
    assert material["salonMaterialAdd"]["errors"] == [{"code": "SALON_NOT_ENDED", "field": "salonId"}]
    clock.advance(days=3, hours=3)
    board.wang, board.admin = renew(board.gql, board.wang), renew(board.gql, board.admin)
    assert (await _rsvp(board, salon, board.wang, "GOING"))["errors"][0]["code"] == "SALON_ENDED"
    clock.advance(hours=2)
    board.wang, board.admin = renew(board.gql, board.wang), renew(board.gql, board.admin)
    held = (await board.gql(SUMMARY, {"id": salon, "s": "纪要:一、共享设备清单;二、联合攻关。"}, user=board.admin))[
        "salonSummarySet"
    ]
    assert held["errors"] == [] and held["salon"]["status"] == "HELD" and held["salon"]["heldAt"]
    assert (await ForumSalon.get(id=await _pk(salon))).status == SalonStatus.HELD
    assert (await _rsvp(board, salon, board.wang, "GOING"))["errors"][0]["code"] == "SALON_HELD"
    bad = await board.gql(MATERIAL, {"id": salon, "t": "", "u": "ftp://x"}, user=board.admin)
    assert {(e["code"], e["field"]) for e in bad["salonMaterialAdd"]["errors"]} == {
        ("BLANK", "title"),
        ("INVALID_URL", "url"),
    }
    added = await board.gql(MATERIAL, {"id": salon, "t": "讲稿", "u": "https://example.org/a.pdf"}, user=board.admin)
    materials = added["salonMaterialAdd"]["salon"]["materials"]
    assert [(m["title"], m["url"]) for m in materials] == [("讲稿", "https://example.org/a.pdf")]
    denied = await board.gql(REMOVE, {"id": materials[0]["id"]}, user=board.wang)
    assert denied["salonMaterialRemove"]["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]
    removed = await board.gql(REMOVE, {"id": materials[0]["id"]}, user=board.admin)
    assert removed["salonMaterialRemove"] == {"salon": {"materials": []}, "errors": []}
    missing = await board.gql(REMOVE, {"id": materials[0]["id"]}, user=board.admin)
    assert missing["salonMaterialRemove"]["errors"] == [{"code": "NOT_FOUND", "field": "id"}]


async def test_lists_on_organisations_people_and_the_root(board: Board) -> None:
    first = await board.salon(starts_in=timedelta(days=1))
    later = await board.salon(starts_in=timedelta(days=20))
    await board.salon(board.alliance, starts_in=timedelta(days=2))
    assert board.wang.person is not None
    await ForumRsvp.create(salon=first, person=board.wang.person, response=RsvpResponse.GOING)
    await ForumRsvp.create(salon=later, person=board.wang.person, response=RsvpResponse.INTERESTED)
    now = board.rt.now()
    query = """query($o: ID!, $p: ID!, $to: DateTime) {
      organisation: node(id: $o) { ... on Organisation { salons(to: $to) { totalCount } threads { totalCount } } }
      salons(organisationId: $o, status: SCHEDULED) { edges { node { id } } }
      person: node(id: $p) { ... on Person { going: salons(response: GOING) { edges { node { id } } }
        all: salons { totalCount } } } }"""
    variables = {"o": board.studio_id, "p": board.wang.person_gid, "to": (now + timedelta(days=5)).isoformat()}
    mine = await board.gql(query, variables, user=board.wang)
    assert mine["organisation"]["salons"]["totalCount"] == 1
    assert [e["node"]["id"] for e in mine["salons"]["edges"]] == [gid("Salon", first.id), gid("Salon", later.id)]
    assert mine["person"]["going"]["edges"] == [{"node": {"id": gid("Salon", first.id)}}]
    assert mine["person"]["all"]["totalCount"] == 2
    # A person's answers are theirs (and their admins'): others get null.
    assert (await board.gql(query, variables, user=board.partner))["person"]["all"] is None
    assert (await board.gql(query, variables, user=board.admin))["person"]["all"]["totalCount"] == 2
    errors = await board.gql.errors(
        'query($o: ID!) { salons(organisationId: $o, from: "2030-01-01T00:00:00") { totalCount } }',
        {"o": board.studio_id},
    )
    assert errors[0]["extensions"]["code"] == "TIMEZONE_REQUIRED"
