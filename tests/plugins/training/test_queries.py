"""Statement counts do not grow with list length (N=10 against N=100)."""

from __future__ import annotations

from datetime import timedelta

from core.people.models import Person
from plugins.training.models import (
    EnrolmentStatus,
    TrainingCertificate,
    TrainingCourse,
    TrainingCourseTrainer,
    TrainingEnrolment,
    TrainingSession,
)
from tests.plugins.training.conftest import School
from tests.support import GraphQLClient, User, count_statements

NESTED = """query($id: ID!) { node(id: $id) { ... on Organisation {
  trainingCourses(first: 100) { totalCount edges { node {
    title skill { name } organisation { name } trainers { name }
    sessions { edges { node {
      startsAt seatsTaken waitlistLength myEnrolment { status }
      enrolments { totalCount edges { node {
        status waitlistPosition person { name } certificate { verificationCode valid }
      } } }
    } } }
  } } } } } }"""

MINE = """{ me { calendarUrl certificates { course { title } }
  enrolments(first: 100) { totalCount edges { node {
    status session { startsAt venue course { title organisation { name } } } } } } } }"""


async def _build(school: School, learner: User, courses: int) -> None:
    """``courses`` courses, each with 2 sessions of 3 enrolments (one with a certificate)."""
    people = [await Person.create(name=f"学员{i}") for i in range(3)]
    start = school.rt.now() + timedelta(days=1)
    for c in range(courses):
        course = await TrainingCourse.create(organisation=school.org, title=f"课程{c}", hours=8, published=True)
        await TrainingCourseTrainer.create(course=course, person_id=school.trainer.person.id)  # type: ignore[union-attr]
        for s in range(2):
            session = await TrainingSession.create(course=course, organisation=school.org, starts_at=start,
                                                   ends_at=start + timedelta(hours=2), capacity=2, venue="A",
                                                   seats_taken=2, waitlist_length=1)
            states = [EnrolmentStatus.ATTENDED, EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED]
            rows = [TrainingEnrolment(session=session, person=p, status=st, enrolled_at=start,
                                      waitlist_position=1 if st == EnrolmentStatus.WAITLISTED else None)
                    for p, st in zip(people, states, strict=True)]
            await TrainingEnrolment.bulk_create(rows)
            first = await TrainingEnrolment.get(session=session, person=people[0])
            await TrainingCertificate.create(holder=people[0], course=course, organisation=school.org,
                                             enrolment=first, code=f"Q{course.id:07d}{s:08d}", issued_at=start)
            if s == 0:
                await TrainingEnrolment.create(session=session, person_id=learner.person.id,  # type: ignore[union-attr]
                                               status=EnrolmentStatus.CONFIRMED, enrolled_at=start)


async def _count(gql: GraphQLClient, query: str, user: User, variables: dict | None = None) -> tuple[int, dict]:
    heavy = gql.with_settings(max_query_cost=10**6)  # 100 courses: above the production cost limit
    with count_statements() as counter:
        data = await heavy(query, variables, user=user)
    await heavy.http.aclose()
    return counter.count, data


async def test_courses_sessions_enrolments_take_fixed_statements(school: School) -> None:
    [learner] = await school.learners(1)
    await type(school.course).filter(id=school.course.id).delete()
    await _build(school, learner, 10)
    few, data = await _count(school.gql, NESTED, school.trainer, {"id": school.org_id})
    assert data["node"]["trainingCourses"]["totalCount"] == 10
    await _build(school, learner, 90)
    many, data = await _count(school.gql, NESTED, school.trainer, {"id": school.org_id})
    courses = data["node"]["trainingCourses"]
    assert courses["totalCount"] == 100
    sessions = [s["node"] for c in courses["edges"] for s in c["node"]["sessions"]["edges"]]
    assert len(sessions) == 200 and all(s["enrolments"]["totalCount"] >= 3 for s in sessions)
    assert many == few, (few, many)
    assert few <= 11  # pinned: no new statement per request either


async def test_my_training_takes_fixed_statements(school: School) -> None:
    [learner] = await school.learners(1)
    await _build(school, learner, 10)
    few, data = await _count(school.gql, MINE, learner)
    assert data["me"]["enrolments"]["totalCount"] == 10
    await _build(school, learner, 90)
    many, data = await _count(school.gql, MINE, learner)
    assert data["me"]["enrolments"]["totalCount"] == 100
    assert many == few, (few, many)
    assert few <= 6
