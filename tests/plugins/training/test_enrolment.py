"""Seats, the waitlist, promotion on cancel, idempotency and every enrolment error code."""

from __future__ import annotations

from datetime import timedelta

from core.organisations.models import OrganisationPlugin
from core.people.models import Membership, MembershipRole
from core.runtime import Runtime
from plugins.training import seats
from plugins.training.models import EnrolmentStatus, SessionStatus, TrainingEnrolment, TrainingSession
from tests.plugins.training.conftest import CANCEL, ENROL, Recorder, School, enrolments, make_course, renew
from tests.support import GraphQLClient, gid

SESSION_STATE = """query($id: ID!) { node(id: $id) { ... on TrainingSession {
  capacity seatsTaken seatsLeft waitlistLength status } } }"""
CANCEL_SESSION = """
mutation($input: TrainingSessionCancelInput!) { trainingSessionCancel(input: $input) {
  session { id status cancelReason } sessions { id } errors { code message } } }"""


async def _state(school: School, session: TrainingSession) -> dict:
    data = await school.gql(SESSION_STATE, {"id": gid("TrainingSession", session.id)}, user=school.admin)
    return data["node"]


def _queue(rows: list[TrainingEnrolment]) -> list[tuple[int, int | None]]:
    return [(r.person_id, r.waitlist_position) for r in rows if r.status == EnrolmentStatus.WAITLISTED]


async def test_enrol_takes_a_seat_then_the_waitlist(school: School) -> None:
    session = await school.session(capacity=2)
    people = await school.learners(4)
    results = [await school.enrol(session, user) for user in people]
    assert [(r["enrolment"]["status"], r["enrolment"]["waitlistPosition"]) for r in results] == [
        ("CONFIRMED", None), ("CONFIRMED", None), ("WAITLISTED", 1), ("WAITLISTED", 2)]
    assert all(r["errors"] == [] for r in results)
    state = await _state(school, session)
    assert state == {"capacity": 2, "seatsTaken": 2, "seatsLeft": 0, "waitlistLength": 2, "status": "SCHEDULED"}


async def test_enrolling_twice_returns_the_same_enrolment_with_a_warning(school: School) -> None:
    session = await school.session(capacity=1)
    [user] = await school.learners(1)
    first = await school.enrol(session, user)
    second = await school.enrol(session, user)
    assert second["enrolment"] == first["enrolment"]
    assert [e["code"] for e in second["errors"]] == ["ALREADY_ENROLLED"]
    assert len(await enrolments(session)) == 1
    assert (await _state(school, session))["seatsTaken"] == 1


async def test_cancelling_a_seat_promotes_the_first_waiting_and_renumbers(
    school: School, recording_gql: GraphQLClient, recorder: Recorder
) -> None:
    session = await school.session(capacity=1)
    people = await school.learners(4)
    ids = [(await school.enrol(session, user))["enrolment"]["id"] for user in people]

    data = await recording_gql(CANCEL, {"e": ids[0]}, user=people[0])
    assert data["trainingEnrolmentCancel"] == {"enrolment": {"id": ids[0], "status": "CANCELLED"}, "errors": []}

    rows = {r.person_id: r for r in await enrolments(session)}
    promoted = rows[people[1].person.id]  # type: ignore[union-attr]
    assert promoted.status == EnrolmentStatus.CONFIRMED and promoted.waitlist_position is None
    assert promoted.confirmed_at is not None
    assert _queue(list(rows.values())) == [(people[2].person.id, 1), (people[3].person.id, 2)]  # type: ignore[union-attr]
    assert (await _state(school, session))["seatsTaken"] == 1
    assert (await _state(school, session))["waitlistLength"] == 2

    [event] = recorder.named("training.waitlist_promoted")
    assert event.organisation_id == school.org.id
    assert event.payload["enrolmentId"] == ids[1]
    assert event.payload["personId"] == people[1].person_gid
    assert event.payload["status"] == "CONFIRMED"
    assert len(recorder.named("training.enrolment_cancelled")) == 1


async def test_leaving_the_waitlist_moves_everyone_behind_up(school: School) -> None:
    session = await school.session(capacity=1)
    people = await school.learners(4)
    ids = [(await school.enrol(session, user))["enrolment"]["id"] for user in people]
    await school.gql(CANCEL, {"e": ids[2]}, user=people[2])  # position 2 of 3 leaves
    rows = await enrolments(session)
    assert _queue(rows) == [(people[1].person.id, 1), (people[3].person.id, 2)]  # type: ignore[union-attr]
    assert (await _state(school, session))["waitlistLength"] == 2


async def test_cancelling_twice_is_harmless(school: School) -> None:
    session = await school.session(capacity=1)
    people = await school.learners(2)
    ids = [(await school.enrol(session, user))["enrolment"]["id"] for user in people]
    await school.gql(CANCEL, {"e": ids[0]}, user=people[0])
    again = (await school.gql(CANCEL, {"e": ids[0]}, user=people[0]))["trainingEnrolmentCancel"]
    assert again == {"enrolment": {"id": ids[0], "status": "CANCELLED"}, "errors": []}
    assert (await _state(school, session))["seatsTaken"] == 1  # the promotion happened once


async def test_re_enrolling_after_cancelling_reuses_the_row_at_the_back(school: School) -> None:
    session = await school.session(capacity=1)
    people = await school.learners(2)
    first = (await school.enrol(session, people[0]))["enrolment"]["id"]
    await school.enrol(session, people[1])
    await school.gql(CANCEL, {"e": first}, user=people[0])
    again = await school.enrol(session, people[0])
    assert again["errors"] == []
    assert again["enrolment"] == {"id": first, "status": "WAITLISTED", "waitlistPosition": 1}
    assert len(await enrolments(session)) == 2


async def test_enrol_error_codes(school: School, gql: GraphQLClient, clock) -> None:  # type: ignore[no-untyped-def]
    [user] = await school.learners(1)
    session = await school.session(starts_in=timedelta(hours=1))

    async def code(session_id: str, who=user) -> str:  # type: ignore[no-untyped-def]
        data = await gql(ENROL, {"s": session_id}, user=who)
        assert data["trainingEnrol"]["enrolment"] is None
        [error] = data["trainingEnrol"]["errors"]
        return error["code"]

    sid = gid("TrainingSession", session.id)
    assert await code(sid, who=None) == "UNAUTHENTICATED"
    assert await code(gid("Person", 1)) == "INVALID_ID"
    assert await code(gid("TrainingSession", 999_999)) == "NOT_FOUND"

    draft = await school.session(capacity=3)
    await type(school.course).filter(id=school.course.id).update(published=False)
    assert await code(gid("TrainingSession", draft.id)) == "COURSE_NOT_PUBLISHED"
    await type(school.course).filter(id=school.course.id).update(published=True)

    await TrainingSession.filter(id=draft.id).update(status=SessionStatus.CANCELLED)
    assert await code(gid("TrainingSession", draft.id)) == "SESSION_CANCELLED"

    clock.advance(hours=1)
    user = renew(gql, user)
    assert await code(sid, who=user) == "SESSION_STARTED"

    await OrganisationPlugin.filter(organisation=school.org).update(enabled=False)
    assert await code(sid, who=user) == "PLUGIN_DISABLED"

    from core.auth.models import Account

    account = await Account.create(username="no-person", password_hash="x")
    nobody = type(user)(None, gql.token_for(account.id, None), account.id)
    await OrganisationPlugin.filter(organisation=school.org).update(enabled=True)
    assert await code(gid("TrainingSession", (await school.session()).id), who=nobody) == "NO_PERSON"


async def test_cancel_error_codes(school: School, clock) -> None:  # type: ignore[no-untyped-def]
    session = await school.session(capacity=1, starts_in=timedelta(hours=2))
    owner, stranger = await school.learners(2)
    enrolment_id = (await school.enrol(session, owner))["enrolment"]["id"]

    async def code(who, eid: str = enrolment_id) -> str:  # type: ignore[no-untyped-def]
        data = (await school.gql(CANCEL, {"e": eid}, user=who))["trainingEnrolmentCancel"]
        return data["errors"][0]["code"]

    assert await code(stranger) == "PERMISSION_DENIED"
    assert await code(None) == "UNAUTHENTICATED"
    assert await code(owner, gid("TrainingEnrolment", 999_999)) == "NOT_FOUND"
    assert await code(owner, gid("TrainingSession", session.id)) == "INVALID_ID"
    clock.advance(hours=2)
    assert await code(renew(school.gql, owner)) == "SESSION_STARTED"


async def test_admin_of_the_school_may_cancel_someone_else(school: School) -> None:
    session = await school.session(capacity=1)
    [owner] = await school.learners(1)
    eid = (await school.enrol(session, owner))["enrolment"]["id"]
    data = (await school.gql(CANCEL, {"e": eid}, user=school.admin))["trainingEnrolmentCancel"]
    assert data["enrolment"]["status"] == "CANCELLED"


async def test_admins_enrol_their_own_people(school: School, gql: GraphQLClient) -> None:
    session = await school.session()
    worker = await gql.user("赵立新", org=school.org)
    [stranger] = await school.learners(1)
    enrol_other = """mutation($s: ID!, $p: ID!) { trainingEnrol(input: {sessionId: $s, personId: $p}) {
      enrolment { status person { name } } errors { code } } }"""
    variables = {"s": gid("TrainingSession", session.id), "p": worker.person_gid}
    done = (await gql(enrol_other, variables, user=school.admin))["trainingEnrol"]
    assert done == {"enrolment": {"status": "CONFIRMED", "person": {"name": "赵立新"}}, "errors": []}
    denied = (await gql(enrol_other, variables, user=stranger))["trainingEnrol"]
    assert [e["code"] for e in denied["errors"]] == ["PERMISSION_DENIED"]


async def test_cancelling_a_session_cancels_its_enrolments_with_notice(
    school: School, recording_gql: GraphQLClient, recorder: Recorder
) -> None:
    session = await school.session(capacity=1)
    people = await school.learners(3)
    for user in people:
        await school.enrol(session, user)
    variables = {"input": {"id": gid("TrainingSession", session.id), "reason": "讲师临时出差"}}
    data = (await recording_gql(CANCEL_SESSION, variables, user=school.admin))["trainingSessionCancel"]
    assert data["session"]["status"] == "CANCELLED" and data["session"]["cancelReason"] == "讲师临时出差"
    assert {r.status for r in await enrolments(session)} == {EnrolmentStatus.CANCELLED}
    assert all(r.waitlist_position is None for r in await enrolments(session))
    [event] = recorder.named("training.session_cancelled")
    assert sorted(e["personId"] for e in event.payload["enrolments"]) == sorted(u.person_gid for u in people)
    assert (await school.enrol(session, people[0]))["errors"][0]["code"] == "SESSION_CANCELLED"


async def test_session_cancel_errors_and_series(school: School, clock) -> None:  # type: ignore[no-untyped-def]
    [stranger] = await school.learners(1)
    session = await school.session(starts_in=timedelta(hours=1))
    variables = {"input": {"id": gid("TrainingSession", session.id)}}
    denied = (await school.gql(CANCEL_SESSION, variables, user=stranger))["trainingSessionCancel"]
    assert denied["errors"][0]["code"] == "PERMISSION_DENIED"

    series = [await school.session(starts_in=timedelta(days=1, weeks=w), series_id="s1") for w in range(3)]
    variables = {"input": {"id": gid("TrainingSession", series[1].id), "wholeSeries": True}}
    data = (await school.gql(CANCEL_SESSION, variables, user=school.admin))["trainingSessionCancel"]
    assert [s["id"] for s in data["sessions"]] == [gid("TrainingSession", s.id) for s in series[1:]]
    statuses = [s.status for s in await TrainingSession.filter(series_id="s1").order_by("starts_at")]
    assert statuses == [SessionStatus.SCHEDULED, SessionStatus.CANCELLED, SessionStatus.CANCELLED]

    clock.advance(hours=1)
    variables = {"input": {"id": gid("TrainingSession", session.id)}}
    late = (await school.gql(CANCEL_SESSION, variables, user=renew(school.gql, school.admin)))["trainingSessionCancel"]
    assert late["errors"][0]["code"] == "SESSION_STARTED"


async def test_more_capacity_promotes_from_the_waitlist(school: School) -> None:
    session = await school.session(capacity=1)
    people = await school.learners(4)
    for user in people:
        await school.enrol(session, user)
    update = """mutation($input: TrainingSessionUpdateInput!) { trainingSessionUpdate(input: $input) {
      session { capacity seatsTaken waitlistLength } errors { code field } } }"""
    sid = gid("TrainingSession", session.id)
    data = (await school.gql(update, {"input": {"id": sid, "capacity": 3}}, user=school.admin))["trainingSessionUpdate"]
    assert data == {"session": {"capacity": 3, "seatsTaken": 3, "waitlistLength": 1}, "errors": []}
    assert _queue(await enrolments(session)) == [(people[3].person.id, 1)]  # type: ignore[union-attr]
    data = (await school.gql(update, {"input": {"id": sid, "capacity": 2}}, user=school.admin))["trainingSessionUpdate"]
    assert data["errors"] == [{"code": "OUT_OF_RANGE", "field": "capacity"}]


async def test_completing_a_session_records_no_shows(school: School, clock) -> None:  # type: ignore[no-untyped-def]
    session = await school.session(capacity=1, starts_in=timedelta(hours=1))
    people = await school.learners(2)
    for user in people:
        await school.enrol(session, user)
    complete = """mutation($id: ID!) { trainingSessionComplete(input: {id: $id}) {
      session { status } errors { code } } }"""
    sid = gid("TrainingSession", session.id)
    early = (await school.gql(complete, {"id": sid}, user=school.trainer))["trainingSessionComplete"]
    assert early["errors"] == [{"code": "SESSION_NOT_STARTED"}]
    clock.advance(hours=3)
    denied = (await school.gql(complete, {"id": sid}, user=renew(school.gql, people[0])))["trainingSessionComplete"]
    assert denied["errors"] == [{"code": "PERMISSION_DENIED"}]
    done = (await school.gql(complete, {"id": sid}, user=renew(school.gql, school.trainer)))["trainingSessionComplete"]
    assert done == {"session": {"status": "COMPLETED"}, "errors": []}
    assert [r.status for r in await enrolments(session)] == [EnrolmentStatus.NO_SHOW, EnrolmentStatus.CANCELLED]


async def test_service_is_callable_without_graphql(school: School, rt: Runtime) -> None:
    session = await school.session(capacity=1)
    people = await school.learners(2)
    results = [await seats.enrol(rt, session.id, u.person.id) for u in people]  # type: ignore[union-attr]
    assert [r.enrolment.status for r in results] == [EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED]
    assert all(r.created for r in results)
    await seats.cancel_enrolment(rt, results[0].enrolment.id)
    assert (await TrainingEnrolment.get(id=results[1].enrolment.id)).status == EnrolmentStatus.CONFIRMED


async def test_enrolments_are_private_to_the_person_and_their_admins(school: School, gql: GraphQLClient) -> None:
    session = await school.session(capacity=1)
    worker = await gql.user("赵立新", org=school.org)
    [other] = await school.learners(1)
    await school.enrol(session, worker)
    await school.enrol(session, other)
    query = """query($id: ID!) { node(id: $id) { ... on Person {
      enrolments { totalCount edges { node { status } } }
      confirmed: enrolments(status: CONFIRMED) { totalCount } } } }"""
    mine = (await gql(query, {"id": worker.person_gid}, user=worker))["node"]
    assert mine["enrolments"]["totalCount"] == 1 and mine["confirmed"]["totalCount"] == 1
    assert (await gql(query, {"id": worker.person_gid}, user=school.admin))["node"]["enrolments"]["totalCount"] == 1
    assert (await gql(query, {"id": worker.person_gid}, user=other))["node"]["enrolments"] is None
    waiting = (await gql(query, {"id": other.person_gid}, user=other))["node"]
    assert waiting["confirmed"]["totalCount"] == 0


async def test_session_enrolments_show_everyone_only_to_trainers(school: School) -> None:
    session = await school.session(capacity=1)
    people = await school.learners(3)
    for user in people:
        await school.enrol(session, user)
    query = """query($id: ID!) { node(id: $id) { ... on TrainingSession {
      enrolments { edges { node { status waitlistPosition person { name } } } }
      myEnrolment { status waitlistPosition } } } }"""
    variables = {"id": gid("TrainingSession", session.id)}
    trainer_view = (await school.gql(query, variables, user=school.trainer))["node"]
    assert [e["node"]["waitlistPosition"] for e in trainer_view["enrolments"]["edges"]] == [None, 1, 2]
    assert trainer_view["myEnrolment"] is None
    own = (await school.gql(query, variables, user=people[2]))["node"]
    assert [e["node"]["person"]["name"] for e in own["enrolments"]["edges"]] == ["学员3"]
    assert own["myEnrolment"] == {"status": "WAITLISTED", "waitlistPosition": 2}


async def test_enrolment_nodes_are_hidden_from_strangers(school: School) -> None:
    session = await school.session()
    owner, stranger = await school.learners(2)
    eid = (await school.enrol(session, owner))["enrolment"]["id"]
    query = "query($id: ID!) { node(id: $id) { ... on TrainingEnrolment { status } } }"
    assert (await school.gql(query, {"id": eid}, user=owner))["node"] == {"status": "CONFIRMED"}
    assert (await school.gql(query, {"id": eid}, user=school.trainer))["node"] == {"status": "CONFIRMED"}
    assert (await school.gql(query, {"id": eid}, user=stranger))["node"] is None


async def test_members_of_the_school_need_no_special_role_to_enrol(school: School, gql: GraphQLClient) -> None:
    session = await school.session()
    member = await gql.user("钱德胜", org=school.org, role=MembershipRole.MEMBER)
    assert await Membership.filter(person_id=member.person.id).count() == 1  # type: ignore[union-attr]
    assert (await school.enrol(session, member))["enrolment"]["status"] == "CONFIRMED"


async def test_draft_courses_refuse_enrolment_even_for_the_course_s_org(school: School) -> None:
    draft = await make_course(school.org, published=False, title="模具设计进阶班")
    session = await TrainingSession.create(
        course=draft, organisation=school.org, starts_at=school.rt.now() + timedelta(days=1),
        ends_at=school.rt.now() + timedelta(days=1, hours=2), capacity=5, venue="A",
    )
    result = await school.enrol(session, school.admin)
    assert [e["code"] for e in result["errors"]] == ["COURSE_NOT_PUBLISHED"]


async def test_attendance_cannot_be_cancelled(school: School) -> None:
    session = await school.session(starts_in=timedelta(minutes=20))
    [learner] = await school.learners(1)
    eid = (await school.enrol(session, learner))["enrolment"]["id"]
    await TrainingEnrolment.filter(session_id=session.id).update(status=EnrolmentStatus.ATTENDED)
    data = (await school.gql(CANCEL, {"e": eid}, user=learner))["trainingEnrolmentCancel"]
    assert [e["code"] for e in data["errors"]] == ["ATTENDANCE_RECORDED"]


async def test_only_scheduled_sessions_change(school: School) -> None:
    update = """mutation($input: TrainingSessionUpdateInput!) { trainingSessionUpdate(input: $input) {
      session { venue } errors { code field } } }"""
    done = await school.session()
    await TrainingSession.filter(id=done.id).update(status=SessionStatus.COMPLETED)
    gone = await school.session()
    await TrainingSession.filter(id=gone.id).update(status=SessionStatus.CANCELLED)
    live = await school.session()
    for session, expected in ((done, "SESSION_COMPLETED"), (gone, "SESSION_CANCELLED")):
        variables = {"input": {"id": gid("TrainingSession", session.id), "venue": "报告厅"}}
        data = (await school.gql(update, variables, user=school.admin))["trainingSessionUpdate"]
        assert [e["code"] for e in data["errors"]] == [expected]
    variables = {"input": {"id": gid("TrainingSession", live.id), "venue": "报告厅"}}
    assert (await school.gql(update, variables, user=school.admin))["trainingSessionUpdate"] == {
        "session": {"venue": "报告厅"}, "errors": []}


async def test_cancelling_is_refused_once_the_school_disables_training(
    school: School, recording_gql: GraphQLClient, recorder: Recorder
) -> None:
    session = await school.session(capacity=1)
    seated, waiting = await school.learners(2)
    seat = (await school.enrol(session, seated))["enrolment"]["id"]
    await school.enrol(session, waiting)
    before = [(r.status, r.waitlist_position, r.cancelled_at) for r in await enrolments(session)]
    disable = """mutation($o: ID!) { pluginDisable(input: {organisationId: $o, plugin: "training"}) {
      errors { code } } }"""
    assert (await school.gql(disable, {"o": school.org_id}, user=school.admin))["pluginDisable"]["errors"] == []

    data = (await recording_gql(CANCEL, {"e": seat}, user=seated))["trainingEnrolmentCancel"]

    assert data["enrolment"] is None
    assert [e["code"] for e in data["errors"]] == ["PLUGIN_DISABLED"]
    # Nothing written: the seat is kept, nobody was promoted, the counters did not move.
    assert [(r.status, r.waitlist_position, r.cancelled_at) for r in await enrolments(session)] == before
    assert before[1][:2] == (EnrolmentStatus.WAITLISTED, 1)
    row = await TrainingSession.get(id=session.id)
    assert (row.seats_taken, row.waitlist_length) == (1, 1)
    assert recorder.events == []
