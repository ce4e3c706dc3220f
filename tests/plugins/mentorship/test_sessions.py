"""The session log (带徒记录): only on ACTIVE agreements, 0 < hours ≤ 24, private to the pair."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.plugins.mentorship.conftest import World, codes
from tests.support import User

LOG = """
mutation Log($input: MentorshipSessionLogInput!) {
  mentorshipSessionLog(input: $input) { session { id hours } errors { code message field } }
}"""
SESSIONS = """
query($id: ID!) { node(id: $id) { ... on Mentorship {
  sessionHours sessions { totalCount nodes { date hours topic notes loggedBy { name } } } } } }"""


async def log(world: World, mentorship_id: str, by: User, **fields: Any) -> dict[str, Any]:
    session = {
        "mentorshipId": mentorship_id,
        "date": str(world.gql.rt.now().date()),
        "hours": 2.5,
        "topic": "立焊操作示范",
        "notes": "重点纠正焊枪角度",
        **fields,
    }
    return (await world.gql(LOG, {"input": session}, user=by))["mentorshipSessionLog"]


@pytest.mark.parametrize("who", ["mentor", "apprentice"])
async def test_either_side_logs_a_session(world: World, who: str) -> None:
    mentorship_id = await world.active()
    payload = await log(world, mentorship_id, getattr(world, who))
    assert payload["errors"] == []
    assert payload["session"]["hours"] == 2.5 and payload["session"]["id"]


async def test_the_log_lists_sessions_and_totals_hours(world: World) -> None:
    mentorship_id = await world.active()
    today = world.gql.rt.now().date()
    await log(world, mentorship_id, world.mentor, date=str(today - timedelta(days=7)), hours=3, topic="安全规程")
    await log(world, mentorship_id, world.apprentice, date=str(today), hours=1.25, topic="参数调试", notes="")
    data = (await world.gql(SESSIONS, {"id": mentorship_id}, user=world.mentor))["node"]
    assert data["sessionHours"] == 4.25
    assert data["sessions"]["totalCount"] == 2
    assert data["sessions"]["nodes"] == [
        {"date": str(today), "hours": 1.25, "topic": "参数调试", "notes": "", "loggedBy": {"name": "李小军"}},
        {"date": str(today - timedelta(days=7)), "hours": 3.0, "topic": "安全规程",
         "notes": "重点纠正焊枪角度", "loggedBy": {"name": "王建国"}},
    ]


@pytest.mark.parametrize("hours", [0, -1, 0.001, 24.01, 100])
async def test_hours_must_be_above_zero_and_at_most_24(world: World, hours: float) -> None:
    mentorship_id = await world.active()
    payload = await log(world, mentorship_id, world.mentor, hours=hours)
    assert payload["errors"] == [
        {"code": "OUT_OF_RANGE", "message": "`hours` must be more than 0 and at most 24", "field": "hours"}
    ]


async def test_a_full_day_is_allowed(world: World) -> None:
    mentorship_id = await world.active()
    assert (await log(world, mentorship_id, world.mentor, hours=24))["session"]["hours"] == 24.0


async def test_sessions_are_logged_only_on_active_agreements(world: World) -> None:
    proposed = await world.proposed()
    assert codes(await log(world, proposed, world.mentor)) == ["MENTORSHIP_NOT_ACTIVE"]
    active = await world.active(apprentice=await world.person("学徒乙", level=5))
    await world.complete(active, world.mentor)
    payload = await log(world, active, world.mentor)
    assert payload["errors"][0]["code"] == "MENTORSHIP_NOT_ACTIVE"
    assert payload["errors"][0]["field"] == "mentorshipId"


async def test_strangers_may_not_log(world: World) -> None:
    mentorship_id = await world.active()
    assert codes(await log(world, mentorship_id, world.stranger)) == ["PERMISSION_DENIED"]


async def test_topic_and_date_are_checked(world: World) -> None:
    mentorship_id = await world.active()
    future = str(world.gql.rt.now().date() + timedelta(days=3))
    payload = await log(world, mentorship_id, world.mentor, topic="", date=future)
    assert sorted((e["code"], e["field"]) for e in payload["errors"]) == [
        ("BLANK", "topic"), ("OUT_OF_RANGE", "date"),
    ]


async def test_the_log_is_private_to_the_pair_and_admins(world: World) -> None:
    mentorship_id = await world.active()
    await log(world, mentorship_id, world.mentor)
    for who in (world.mentor, world.apprentice, world.admin):
        data = await world.gql(SESSIONS, {"id": mentorship_id}, user=who)
        assert data["node"]["sessions"]["totalCount"] == 1
    for who in (world.stranger, None):
        data = await world.gql(SESSIONS, {"id": mentorship_id}, user=who)
        assert data["node"]["sessions"] is None
        assert data["node"]["sessionHours"] is None  # issue 8: the hours come from the private log
