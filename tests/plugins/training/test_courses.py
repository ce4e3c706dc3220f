"""Courses and sessions: the mobile app's operations verbatim, validation, drafts, series."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from core.organisations.models import OrganisationKind
from core.people.models import MembershipRole
from core.skills.models import Skill
from plugins.training.models import TrainingCourse, TrainingCourseTrainer, TrainingSession
from tests.plugins.training.conftest import School, make_course
from tests.support import GraphQLClient, gid, make_org

NEW_COURSE = """
mutation NewCourse($input: TrainingCourseCreateInput!) {   # {organisationId, title, skillId, description, hours, certificateValidMonths}
  trainingCourseCreate(input: $input) { course { id title } errors { code message field } }
}"""  # noqa: E501 (the app's operation, verbatim)
NEW_SESSION = """
mutation NewSession($input: TrainingSessionCreateInput!) { # {courseId, startsAt, endsAt, capacity, venue}
  trainingSessionCreate(input: $input) { session { id capacity seatsTaken } errors { code message field } }
}"""
UPDATE_COURSE = """mutation($input: TrainingCourseUpdateInput!) { trainingCourseUpdate(input: $input) {
  course { title published hours targetLevel targetGrade trainers { name } } errors { code field } } }"""


def _course_input(school: School, skill: Skill, **over: object) -> dict:
    return {"organisationId": school.org_id, "title": "数控车床编程与操作", "skillId": gid("Skill", skill.id),
            "description": "中级工培训", "hours": 40, "certificateValidMonths": 24, **over}


def _session_input(school: School, course_id: str, **over: object) -> dict:
    start = school.rt.now() + timedelta(days=3)
    return {"courseId": course_id, "startsAt": start.isoformat(), "endsAt": (start + timedelta(hours=4)).isoformat(),
            "capacity": 30, "venue": "数控实训中心", **over}


async def test_the_mobile_flow_creates_a_course_and_a_session(school: School) -> None:
    skill = await Skill.create(name="数控加工")
    data = await school.gql(NEW_COURSE, {"input": _course_input(school, skill)}, user=school.admin)
    created = data["trainingCourseCreate"]
    assert created["errors"] == [] and created["course"]["title"] == "数控车床编程与操作"
    course = await TrainingCourse.get(title="数控车床编程与操作")
    assert (course.skill_id, course.hours, course.certificate_valid_months) == (skill.id, 40, 24)
    assert course.published is True

    data = await school.gql(NEW_SESSION, {"input": _session_input(school, created["course"]["id"])}, user=school.admin)
    session = data["trainingSessionCreate"]
    assert session["errors"] == [] and session["session"]["capacity"] == 30 and session["session"]["seatsTaken"] == 0


async def test_course_create_errors(school: School, gql: GraphQLClient) -> None:
    skill = await Skill.create(name="焊接")
    member = await gql.user("钱德胜", org=school.org, role=MembershipRole.MEMBER)
    other = await make_org("未开通的企业", OrganisationKind.ENTERPRISE)
    other_admin = await gql.user("孙国栋", org=other, role=MembershipRole.ADMIN)

    async def codes(user, **over: object) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
        data = await gql(NEW_COURSE, {"input": _course_input(school, skill, **over)}, user=user)
        assert data["trainingCourseCreate"]["course"] is None
        return [(e["code"], e["field"]) for e in data["trainingCourseCreate"]["errors"]]

    assert await codes(None) == [("UNAUTHENTICATED", None)]
    assert await codes(member) == [("PERMISSION_DENIED", "organisationId")]
    assert await codes(other_admin, organisationId=gid("Organisation", other.id)) == [
        ("PLUGIN_DISABLED", "organisationId")]
    assert await codes(school.admin, organisationId=gid("Organisation", 999_999)) == [
        ("NOT_FOUND", "organisationId")]
    assert await codes(school.admin, skillId=gid("Person", 1)) == [("INVALID_ID", "skillId")]
    assert await codes(school.admin, title=" ", hours=0, certificateValidMonths=0, targetLevel=6,
                       skillId=gid("Skill", 999)) == [
        ("BLANK", "title"), ("OUT_OF_RANGE", "hours"), ("OUT_OF_RANGE", "targetLevel"),
        ("OUT_OF_RANGE", "certificateValidMonths"), ("NOT_FOUND", "skillId")]
    assert await codes(school.admin, trainerIds=[gid("Person", 999_999)]) == [("NOT_FOUND", "trainerIds")]
    assert await TrainingCourse.filter(organisation=school.org).count() == 1  # only the fixture's


async def test_updating_publishes_and_replaces_trainers(school: School, gql: GraphQLClient) -> None:
    new_trainer = await gql.user("王建国")
    skill = await Skill.create(name="焊接")
    variables = {"input": {"id": school.course_id, "published": False, "targetLevel": 3,
                           "trainerIds": [new_trainer.person_gid], "skillId": gid("Skill", skill.id)}}
    data = (await gql(UPDATE_COURSE, variables, user=school.admin))["trainingCourseUpdate"]
    assert data == {"course": {"title": "焊接安全作业培训", "published": False, "hours": 16.0, "targetLevel": 3,
                               "targetGrade": "SENIOR_WORKER", "trainers": [{"name": "王建国"}]}, "errors": []}
    assert (await TrainingCourse.get(id=school.course.id)).skill_id == skill.id
    assert await TrainingCourseTrainer.filter(course_id=school.course.id).count() == 1
    denied = (await gql(UPDATE_COURSE, {"input": {"id": school.course_id, "title": "x"}},
                        user=school.trainer))["trainingCourseUpdate"]
    assert denied["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]
    blank = (await gql(UPDATE_COURSE, {"input": {"id": school.course_id, "title": ""}},
                       user=school.admin))["trainingCourseUpdate"]
    assert blank["errors"] == [{"code": "BLANK", "field": "title"}]


async def test_session_create_errors(school: School, gql: GraphQLClient) -> None:
    async def codes(user=school.admin, **over: object) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
        data = await gql(NEW_SESSION, {"input": _session_input(school, school.course_id, **over)}, user=user)
        return [(e["code"], e["field"]) for e in data["trainingSessionCreate"]["errors"]]

    now = school.rt.now()
    assert await codes(school.trainer) == [("PERMISSION_DENIED", "courseId")]
    assert await codes(courseId=gid("TrainingCourse", 999)) == [("NOT_FOUND", "courseId")]
    assert await codes(startsAt="2030-01-01T09:00:00") == [("TIMEZONE_REQUIRED", "startsAt")]
    day_later, hour_later = (now + timedelta(days=1)).isoformat(), (now + timedelta(hours=1)).isoformat()
    assert await codes(startsAt=day_later, endsAt=hour_later) == [("INVALID_TIME_RANGE", "endsAt")]
    two_ago, one_ago = (now - timedelta(hours=2)).isoformat(), (now - timedelta(hours=1)).isoformat()
    assert await codes(startsAt=two_ago, endsAt=one_ago) == [("IN_THE_PAST", "startsAt")]
    assert await codes(startsAt="2199-12-25T09:00:00+00:00", endsAt="2199-12-25T10:00:00+00:00", occurrences=2) == [
        ("OUT_OF_RANGE", "startsAt")]
    assert await codes(endsAt=(now + timedelta(days=20)).isoformat()) == [("INVALID_TIME_RANGE", "endsAt")]
    assert await codes(capacity=0, occurrences=60) == [("OUT_OF_RANGE", "capacity"), ("OUT_OF_RANGE", "occurrences")]
    assert await codes(venue="", onlineUrl=None) == [("BLANK", "venue")]
    assert await codes(venue="", onlineUrl="ftp://example.cn/x") == [("INVALID_URL", "onlineUrl")]
    errors = await gql.errors(NEW_SESSION, {"input": {"courseId": "x", "startsAt": "nope", "endsAt": "x",
                                                      "capacity": 1}}, user=school.admin)
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await TrainingSession.all().count() == 0


async def test_a_weekly_series_creates_sessions_a_week_apart(school: School) -> None:
    query = """mutation($input: TrainingSessionCreateInput!) { trainingSessionCreate(input: $input) {
      sessions { id startsAt seriesId series { id } } errors { code } } }"""
    variables = {"input": _session_input(school, school.course_id, occurrences=4,
                                         onlineUrl="https://meeting.example.cn/robot", venue=None)}
    data = (await school.gql(query, variables, user=school.admin))["trainingSessionCreate"]
    sessions = data["sessions"]
    assert data["errors"] == [] and len(sessions) == 4
    assert len({s["seriesId"] for s in sessions}) == 1 and sessions[0]["seriesId"]
    rows = await TrainingSession.all().order_by("starts_at")
    assert [b.starts_at - a.starts_at for a, b in pairwise(rows)] == [timedelta(weeks=1)] * 3
    assert [s["id"] for s in sessions[2]["series"]] == [s["id"] for s in sessions]


async def test_drafts_are_shown_to_managers_and_their_trainers_only(school: School, gql: GraphQLClient) -> None:
    await make_course(school.org, published=False, title="模具设计进阶班", trainers=(school.trainer.person,))  # type: ignore[arg-type]
    [stranger] = await school.learners(1)
    query = """query($id: ID!) { node(id: $id) { ... on Organisation {
      trainingCourses { totalCount edges { node { title published } } } } } }"""

    async def titles(user) -> list[str]:  # type: ignore[no-untyped-def]
        data = await gql(query, {"id": school.org_id}, user=user)
        return [e["node"]["title"] for e in data["node"]["trainingCourses"]["edges"]]

    assert await titles(school.admin) == ["焊接安全作业培训", "模具设计进阶班"]
    assert await titles(school.trainer) == ["焊接安全作业培训", "模具设计进阶班"]
    assert await titles(stranger) == ["焊接安全作业培训"]
    assert await titles(None) == ["焊接安全作业培训"]


async def test_training_sessions_filters_by_time_and_hides_drafts(school: School, gql: GraphQLClient) -> None:
    draft = await make_course(school.org, published=False, title="草稿课程")
    now = school.rt.now()
    for days in (1, 5, 9):
        await school.session(starts_in=timedelta(days=days))
    await TrainingSession.create(course=draft, organisation=school.org, starts_at=now + timedelta(days=2),
                                 ends_at=now + timedelta(days=2, hours=1), capacity=1, venue="A")
    query = """query($o: ID!, $from: DateTime, $to: DateTime) {
      trainingSessions(organisationId: $o, from: $from, to: $to) {
        totalCount edges { node { startsAt course { title } } } } }"""
    everything = (await gql(query, {"o": school.org_id}, user=school.admin))["trainingSessions"]
    assert everything["totalCount"] == 4
    public = (await gql(query, {"o": school.org_id}))["trainingSessions"]
    assert public["totalCount"] == 3
    window = {"o": school.org_id, "from": (now + timedelta(days=3)).isoformat(),
              "to": (now + timedelta(days=9)).isoformat()}
    assert (await gql(query, window))["trainingSessions"]["totalCount"] == 1
    errors = await gql.errors(query, {"o": school.org_id, "from": "2030-01-01T00:00:00"})
    assert errors[0]["extensions"]["code"] == "TIMEZONE_REQUIRED"
    errors = await gql.errors(query, {"o": school.course_id})
    assert errors[0]["extensions"]["code"] == "INVALID_ID"
