"""The private iCalendar feed: valid RFC 5545, confirmed sessions only, revocable."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

import httpx
from icalendar import Calendar

from core.runtime import Runtime
from plugins.training.calendar import feed_token
from plugins.training.models import SessionStatus, TrainingSession
from tests.plugins.training.conftest import School
from tests.support import GraphQLClient, User

MY_TRAINING = """
query MyTraining { me { calendarUrl enrolments(first: 20) { edges { node {
  status session { startsAt venue course { title } } } } } } }"""
RESET = """mutation($input: TrainingCalendarResetInput!) { trainingCalendarReset(input: $input) {
  calendarUrl errors { code } } }"""


async def _url(gql: GraphQLClient, user: User) -> str:
    return (await gql(MY_TRAINING, user=user))["me"]["calendarUrl"]


async def _fetch(http: httpx.AsyncClient, url: str, **headers: str) -> httpx.Response:
    return await http.get(urlparse(url).path, headers=headers)


async def test_the_feed_lists_confirmed_sessions_and_parses(school: School, http: httpx.AsyncClient,
                                                            rt: Runtime) -> None:
    full = await school.session(capacity=1, starts_in=timedelta(days=2))
    seated = await school.session(starts_in=timedelta(days=1), online_url="https://meeting.example.cn/1")
    dropped = await school.session(starts_in=timedelta(days=3))
    other, learner = await school.learners(2)
    await school.enrol(full, other)
    await school.enrol(full, learner)  # waitlisted: not in the feed
    await school.enrol(seated, learner)
    await school.enrol(dropped, learner)
    await TrainingSession.filter(id=dropped.id).update(status=SessionStatus.CANCELLED)

    data = (await school.gql(MY_TRAINING, user=learner))["me"]
    assert data["calendarUrl"].startswith("http://test/training/calendar/")  # the request's host
    assert len(data["enrolments"]["edges"]) == 3

    response = await _fetch(http, data["calendarUrl"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    [event] = events
    assert str(event["SUMMARY"]) == "焊接安全作业培训"
    assert str(event["LOCATION"]) == "实训楼 302"
    assert str(event["URL"]) == "https://meeting.example.cn/1"
    assert event.decoded("DTSTART") == seated.starts_at and event.decoded("DTEND") == seated.ends_at
    for required in ("UID", "DTSTAMP", "DTSTART"):
        assert required in event
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n") and response.content.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))  # folded as RFC 5545 asks


async def test_only_the_person_sees_their_url(school: School, gql: GraphQLClient) -> None:
    learner, other = await school.learners(2)
    query = "query($id: ID!) { node(id: $id) { ... on Person { calendarUrl } } }"
    assert (await gql(query, {"id": learner.person_gid}, user=learner))["node"]["calendarUrl"]
    assert (await gql(query, {"id": learner.person_gid}, user=other))["node"]["calendarUrl"] is None
    assert (await gql(query, {"id": learner.person_gid}, user=school.admin))["node"]["calendarUrl"] is None


async def test_resetting_revokes_the_old_url(school: School, http: httpx.AsyncClient) -> None:
    [learner] = await school.learners(1)
    old = await _url(school.gql, learner)
    assert (await _fetch(http, old)).status_code == 200
    data = (await school.gql(RESET, {"input": {}}, user=learner))["trainingCalendarReset"]
    new = data["calendarUrl"]
    assert data["errors"] == [] and new != old and new == await _url(school.gql, learner)
    assert (await _fetch(http, old)).status_code == 404
    assert (await _fetch(http, new)).status_code == 200


async def test_admins_can_revoke_a_leaked_url_but_not_read_it(school: School, gql: GraphQLClient,
                                                              http: httpx.AsyncClient) -> None:
    worker = await gql.user("赵立新", org=school.org)
    [stranger] = await school.learners(1)
    old = await _url(gql, worker)
    denied = (await gql(RESET, {"input": {"personId": worker.person_gid}}, user=stranger))["trainingCalendarReset"]
    assert [e["code"] for e in denied["errors"]] == ["PERMISSION_DENIED"]
    assert (await _fetch(http, old)).status_code == 200
    done = (await gql(RESET, {"input": {"personId": worker.person_gid}}, user=school.admin))["trainingCalendarReset"]
    assert done == {"calendarUrl": None, "errors": []}
    assert (await _fetch(http, old)).status_code == 404


async def test_forged_tokens_are_not_found(school: School, http: httpx.AsyncClient, rt: Runtime) -> None:
    [learner] = await school.learners(1)
    person_id = learner.person.id  # type: ignore[union-attr]
    good = urlparse(await _url(school.gql, learner)).path
    forged = feed_token("another-secret-0123456789abcdefghijkl", person_id, 1)
    for path in (f"/training/calendar/{forged}.ics", good.replace(f"/{person_id}-", f"/{person_id + 1}-"),
                 "/training/calendar/garbage.ics", f"/training/calendar/{person_id}-2-{'0' * 32}.ics",
                 f"/training/calendar/²-1-{'0' * 32}.ics", f"/training/calendar/{'9' * 40}-1-{'0' * 32}.ics"):
        assert (await http.get(path)).status_code == 404, path
    assert (await http.get(good)).status_code == 200


async def test_unchanged_feeds_answer_304(school: School, http: httpx.AsyncClient) -> None:
    session = await school.session()
    [learner] = await school.learners(1)
    await school.enrol(session, learner)
    url = await _url(school.gql, learner)
    first = await _fetch(http, url)
    etag = first.headers["etag"]
    assert (await _fetch(http, url, **{"If-None-Match": etag})).status_code == 304
    await TrainingSession.filter(id=session.id).update(venue="报告厅")
    changed = await _fetch(http, url, **{"If-None-Match": etag})
    assert changed.status_code == 200 and "报告厅" in changed.text
