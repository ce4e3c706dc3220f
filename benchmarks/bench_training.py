"""Training: 200 concurrent enrolments into 30 seats, cancellations with promotion, the nested
courses → sessions → enrolments query, and the calendar feed, through the service and the app."""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import timedelta

import httpx

from core.auth.models import Account
from core.auth.tokens import issue_access_token
from core.organisations.models import Organisation, OrganisationKind, OrganisationPlugin
from core.people.models import Membership, MembershipRole, Person
from core.relay import to_global_id
from core.runtime import Runtime
from host.app import create_app
from plugins.training import seats
from plugins.training.calendar import feed_url
from plugins.training.models import EnrolmentStatus, TrainingCourse, TrainingEnrolment, TrainingSession

NESTED = """query($id: ID!) { node(id: $id) { ... on Organisation {
  trainingCourses(first: 100) { totalCount edges { node { title trainers { name }
    sessions(first: 20) { edges { node { startsAt seatsTaken waitlistLength
      enrolments(first: 50) { totalCount edges { node { status waitlistPosition person { name } } } }
    } } } } } } } } }"""


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _summary(timings: list[float]) -> str:
    ordered = sorted(timings)
    return f"median {_ms(statistics.median(ordered))}, p90 {_ms(ordered[int(len(ordered) * 0.9) - 1])}"


async def _people(prefix: str, count: int) -> list[int]:
    await Person.bulk_create([Person(name=f"{prefix}{i}") for i in range(count)])
    return list(await Person.filter(name__startswith=prefix).order_by("id").values_list("id", flat=True))


async def _session(rt: Runtime, course: TrainingCourse, capacity: int, days: int = 7) -> TrainingSession:
    start = rt.now() + timedelta(days=days)
    return await TrainingSession.create(course=course, organisation_id=course.organisation_id, starts_at=start,
                                        ends_at=start + timedelta(hours=3), capacity=capacity, venue="实训楼")


async def _enrolment_race(rt: Runtime, course: TrainingCourse) -> None:
    session = await _session(rt, course, capacity=30)
    people = await _people("抢座", 200)
    start = time.perf_counter()
    await asyncio.gather(*(seats.enrol(rt, session.id, pid) for pid in people))
    elapsed = time.perf_counter() - start
    confirmed = await TrainingEnrolment.filter(session=session, status=EnrolmentStatus.CONFIRMED).count()
    waiting = await TrainingEnrolment.filter(session=session, status=EnrolmentStatus.WAITLISTED).count()
    assert (confirmed, waiting) == (30, 170), (confirmed, waiting)
    print(f"200 concurrent enrolments into 30 seats: {_ms(elapsed)} total, {_ms(elapsed / 200)} each "
          f"(30 confirmed, 170 waitlisted)")

    leaving = list(await TrainingEnrolment.filter(session=session, status=EnrolmentStatus.CONFIRMED)
                   .limit(20).values_list("id", flat=True))
    start = time.perf_counter()
    await asyncio.gather(*(seats.cancel_enrolment(rt, eid) for eid in leaving))
    elapsed = time.perf_counter() - start
    print(f"20 concurrent cancellations, each promoting and renumbering a 170-long waitlist: "
          f"{_ms(elapsed)} total, {_ms(elapsed / 20)} each")


async def _seed_nested(rt: Runtime, org: Organisation, courses: int, sessions: int, enrolled: int) -> None:
    people = await _people("学员", enrolled)
    for c in range(courses):
        course = await TrainingCourse.create(organisation=org, title=f"课程{c}", hours=16, published=True)
        for s in range(sessions):
            session = await _session(rt, course, capacity=enrolled, days=s + 1)
            await TrainingEnrolment.bulk_create([
                TrainingEnrolment(session=session, person_id=pid, status=EnrolmentStatus.CONFIRMED,
                                  enrolled_at=rt.now()) for pid in people])
            await TrainingSession.filter(id=session.id).update(seats_taken=enrolled)


async def _time(client: httpx.AsyncClient, body: dict[str, object], headers: dict[str, str], runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = await client.post("/graphql", json=body, headers=headers)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200 and "errors" not in response.json(), response.text[:500]
    return timings


async def main(rt: Runtime) -> None:
    org = await Organisation.create(name="海州市高级技工学校", kind=OrganisationKind.SCHOOL)
    await OrganisationPlugin.create(organisation=org, plugin="training")
    race_course = await TrainingCourse.create(organisation=org, title="抢座课程", hours=8, published=True)
    await _enrolment_race(rt, race_course)
    await TrainingCourse.filter(id=race_course.id).delete()

    await _seed_nested(rt, org, courses=50, sessions=4, enrolled=30)
    admin = await Person.create(name="吴秀英")
    await Membership.create(person=admin, organisation=org, role=MembershipRole.ADMIN)
    account = await Account.create(username="bench-admin", password_hash="x", person=admin)
    token = issue_access_token(rt.settings.secret_key, rt.now(), 3600, account.id, admin.id, False)
    headers = {"Authorization": f"Bearer {token}"}
    app = create_app(rt.settings, rt.registry, rt, manage_services=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        body = {"query": NESTED, "variables": {"id": to_global_id("Organisation", org.id)}}
        timings = await _time(client, body, headers, runs=10)
        print(f"trainingCourses(50){{sessions(4){{enrolments(30){{person}}}}}} (6,000 enrolments): {_summary(timings)}")

        learner = (await Person.filter(name__startswith="学员").order_by("id").first())
        assert learner is not None
        path = "/" + feed_url(rt.settings, learner.id, 1).split("/", 3)[3]
        feed = []
        for _ in range(20):
            start = time.perf_counter()
            response = await client.get(path)
            feed.append(time.perf_counter() - start)
            assert response.status_code == 200
        print(f"calendar feed with 200 sessions: {_summary(feed)}")
