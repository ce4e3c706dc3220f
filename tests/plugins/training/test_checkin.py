"""Check-in: a rotating code, valid from 30 minutes before the start to the end."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from core.errors import UserInputError
from core.runtime import Runtime
from plugins.training import checkin
from plugins.training.checkin import STEP_SECONDS, code_for, step_at
from plugins.training.models import EnrolmentStatus, SessionStatus, TrainingEnrolment, TrainingSession
from tests.plugins.training.conftest import CHECK_IN, School, renew
from tests.support import Clock, User, gid

CODE = """query($s: ID!) { trainingCheckInCode(sessionId: $s) {
  open code qrPayload refreshAt expiresAt opensAt closesAt } }"""


async def _code(school: School, session: TrainingSession, user: User | None = None) -> dict:
    viewer = renew(school.gql, user or school.trainer)
    data = await school.gql(CODE, {"s": gid("TrainingSession", session.id)}, user=viewer)
    return data["trainingCheckInCode"]


async def _check_in(school: School, session: TrainingSession, user: User, code: str) -> dict:
    variables = {"s": gid("TrainingSession", session.id), "c": code}
    data = await school.gql(CHECK_IN, variables, user=renew(school.gql, user))
    return data["trainingCheckIn"]


def _code_at(rt: Runtime, session: TrainingSession, steps_back: int = 0) -> str:
    return code_for(rt.settings.secret_key, session.id, step_at(rt.now()) - steps_back)


async def test_window_opens_30_minutes_before_and_closes_at_the_end(school: School, clock: Clock) -> None:
    session = await school.session(starts_in=timedelta(hours=1), hours=2)
    [learner] = await school.learners(1)
    await school.enrol(session, learner)

    clock.advance(minutes=29)  # 31 minutes before the start
    shown = await _code(school, session)
    assert shown["open"] is False and shown["code"] is None and shown["qrPayload"] is None
    assert shown["opensAt"] == (session.starts_at - timedelta(minutes=30)).isoformat()
    assert shown["closesAt"] == session.ends_at.isoformat()
    early = await _check_in(school, session, learner, _code_at(school.rt, session))
    assert early["errors"][0]["code"] == "CHECK_IN_CLOSED"

    clock.advance(minutes=1)  # exactly 30 minutes before
    shown = await _code(school, session)
    assert shown["open"] is True and len(shown["code"]) == 6 and shown["code"].isdigit()
    assert shown["code"] in shown["qrPayload"]
    done = await _check_in(school, session, learner, shown["code"])
    assert done["errors"] == [] and done["enrolment"]["status"] == "ATTENDED"
    row = await TrainingEnrolment.get(session_id=session.id)
    assert row.checked_in_at == school.rt.now()


async def test_after_the_end_check_in_is_closed(school: School, clock: Clock) -> None:
    session = await school.session(starts_in=timedelta(hours=1), hours=1)
    [learner] = await school.learners(1)
    await school.enrol(session, learner)
    clock.advance(hours=2, seconds=1)
    shown = await _code(school, session)
    assert shown["open"] is False
    late = await _check_in(school, session, learner, _code_at(school.rt, session))
    assert late["errors"][0]["code"] == "CHECK_IN_CLOSED"
    clock.advance(seconds=-1)  # the last second of the session still counts
    assert (await _check_in(school, session, learner, _code_at(school.rt, session)))["errors"] == []


async def test_codes_rotate_and_the_previous_one_is_still_accepted(school: School, clock: Clock) -> None:
    session = await school.session(starts_in=timedelta(minutes=10), hours=2)
    people = await school.learners(3)
    for user in people:
        await school.enrol(session, user)
    shown = await _code(school, session)
    assert shown["refreshAt"] is not None and shown["expiresAt"] is not None
    old_code = shown["code"]

    clock.advance(seconds=STEP_SECONDS)  # next step: the previous code still works
    assert (await _code(school, session))["code"] != old_code
    assert (await _check_in(school, session, people[0], old_code))["errors"] == []

    clock.advance(seconds=STEP_SECONDS)  # two steps on: it has expired
    expired = await _check_in(school, session, people[1], old_code)
    assert [e["code"] for e in expired["errors"]] == ["INVALID_CODE"]
    for garbage in ("not-a-code", "验证码一二三", ""):
        wrong = await _check_in(school, session, people[1], garbage)
        assert [e["code"] for e in wrong["errors"]] == ["INVALID_CODE"]
    assert (await _check_in(school, session, people[2], _code_at(school.rt, session)))["errors"] == []


async def test_codes_differ_between_sessions(school: School) -> None:
    a = await school.session(starts_in=timedelta(minutes=5))
    b = await school.session(starts_in=timedelta(minutes=5))
    [learner] = await school.learners(1)
    await school.enrol(a, learner)
    assert _code_at(school.rt, a) != _code_at(school.rt, b)
    result = await _check_in(school, a, learner, _code_at(school.rt, b))
    assert [e["code"] for e in result["errors"]] == ["INVALID_CODE"]


async def test_only_confirmed_seats_check_in(school: School) -> None:
    session = await school.session(starts_in=timedelta(minutes=5), capacity=1)
    seated, waiting, outsider = await school.learners(3)
    await school.enrol(session, seated)
    await school.enrol(session, waiting)
    code = _code_at(school.rt, session)
    assert [e["code"] for e in (await _check_in(school, session, waiting, code))["errors"]] == ["WAITLISTED"]
    assert [e["code"] for e in (await _check_in(school, session, outsider, code))["errors"]] == ["NOT_ENROLLED"]
    first = await _check_in(school, session, seated, code)
    again = await _check_in(school, session, seated, code)
    assert again["enrolment"] == first["enrolment"]
    assert [e["code"] for e in again["errors"]] == ["ALREADY_CHECKED_IN"]
    statuses = {r.person_id: r.status for r in await TrainingEnrolment.filter(session_id=session.id)}
    assert statuses[waiting.person.id] == EnrolmentStatus.WAITLISTED  # type: ignore[union-attr]


async def test_cancelled_sessions_and_strangers(school: School) -> None:
    session = await school.session(starts_in=timedelta(minutes=5))
    [learner] = await school.learners(1)
    await school.enrol(session, learner)
    errors = await school.gql.errors(CODE, {"s": gid("TrainingSession", session.id)}, user=learner)
    assert errors[0]["extensions"]["code"] == "PERMISSION_DENIED"
    errors = await school.gql.errors(CODE, {"s": gid("TrainingSession", session.id)})
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await _code(school, session, school.admin))["open"] is True  # managers may show it too
    await TrainingSession.filter(id=session.id).update(status=SessionStatus.CANCELLED)
    result = await _check_in(school, session, learner, _code_at(school.rt, session))
    assert [e["code"] for e in result["errors"]] == ["SESSION_CANCELLED"]


async def test_guessing_is_rate_limited(school: School) -> None:
    session = await school.session(starts_in=timedelta(minutes=5))
    [learner] = await school.learners(1)
    await school.enrol(session, learner)
    right = _code_at(school.rt, session)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    codes = [(await _check_in(school, session, learner, wrong))["errors"][0]["code"] for _ in range(10)]
    assert codes == ["INVALID_CODE"] * 10
    blocked = await _check_in(school, session, learner, right)
    assert [e["code"] for e in blocked["errors"]] == ["RATE_LIMITED"]


async def test_the_window_follows_the_organisation_setting(school: School, clock: Clock) -> None:
    configure = """mutation($o: ID!) { pluginConfigure(input: {organisationId: $o, plugin: "training",
      settings: {check_in_opens_minutes: 60}}) { settings errors { code } } }"""
    data = await school.gql(configure, {"o": school.org_id}, user=school.admin)
    assert data["pluginConfigure"]["errors"] == []
    session = await school.session(starts_in=timedelta(minutes=59))
    [learner] = await school.learners(1)
    await school.enrol(session, learner)
    assert (await _code(school, session))["open"] is True
    assert (await _check_in(school, session, learner, _code_at(school.rt, session)))["errors"] == []


async def test_parallel_guesses_cannot_pass_the_limit(school: School) -> None:
    session = await school.session(starts_in=timedelta(minutes=5))
    [learner] = await school.learners(1)
    assert learner.person is not None
    person_id = learner.person.id
    await school.enrol(session, learner)
    wrong = f"{(int(_code_at(school.rt, session)) + 1) % 1_000_000:06d}"

    async def attempt() -> str:
        try:
            await checkin.check_in(school.rt, session.id, person_id, wrong)
        except UserInputError as exc:
            return exc.errors[0].code
        return "ACCEPTED"

    codes = Counter(await asyncio.gather(*(attempt() for _ in range(30))))
    assert codes == {"INVALID_CODE": 10, "RATE_LIMITED": 20}


async def test_right_codes_do_not_count_as_failures(school: School) -> None:
    session = await school.session(starts_in=timedelta(minutes=5), capacity=2)
    [learner] = await school.learners(1)
    await school.enrol(session, learner)
    right = _code_at(school.rt, session)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(9):
        await _check_in(school, session, learner, wrong)
    for _ in range(3):  # checked in, then ALREADY_CHECKED_IN: none of these is a failure
        assert (await _check_in(school, session, learner, right))["enrolment"]["status"] == "ATTENDED"
    assert [e["code"] for e in (await _check_in(school, session, learner, wrong))["errors"]] == ["INVALID_CODE"]
    assert [e["code"] for e in (await _check_in(school, session, learner, right))["errors"]] == ["RATE_LIMITED"]
