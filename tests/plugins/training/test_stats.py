"""Organisation.trainingStats(year): sessions held, attendances (人次), hours, certificates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.organisations.models import OrganisationKind, OrganisationPlugin
from plugins.training.models import (
    EnrolmentStatus,
    SessionStatus,
    TrainingCertificate,
    TrainingEnrolment,
    TrainingSession,
)
from tests.plugins.training.conftest import School, enable, make_course
from tests.support import Clock, count_statements, gid, make_org

STATS = """query($id: ID!, $y: Int!) { node(id: $id) { ... on Organisation {
  trainingStats(year: $y) { year sessions attendances hours certificates } } } }"""


async def _session(school: School, starts_at: datetime, hours: float, attended: int, no_show: int = 0,
                   status: SessionStatus = SessionStatus.SCHEDULED, course=None) -> TrainingSession:  # type: ignore[no-untyped-def]
    course = course or school.course
    session = await TrainingSession.create(course=course, organisation_id=course.organisation_id,
                                           starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
                                           capacity=50, venue="实训楼", status=status)
    people = await school.learners(attended + no_show)
    for i, user in enumerate(people):
        state = EnrolmentStatus.ATTENDED if i < attended else EnrolmentStatus.NO_SHOW
        enrolment = await TrainingEnrolment.create(session=session, person_id=user.person.id,  # type: ignore[union-attr]
                                                   status=state, enrolled_at=starts_at)
        if state == EnrolmentStatus.ATTENDED and i == 0:
            await TrainingCertificate.create(holder_id=user.person.id, course=course,  # type: ignore[union-attr]
                                             organisation_id=course.organisation_id, enrolment=enrolment,
                                             code=f"C{session.id:015d}", issued_at=starts_at + timedelta(days=1))
    return session


async def _stats(school: School, year: int, org_id: int | None = None) -> dict:
    data = await school.gql(STATS, {"id": gid("Organisation", org_id or school.org.id), "y": year})
    return data["node"]["trainingStats"]


async def test_counts_sessions_held_attendances_hours_and_certificates(school: School, clock: Clock) -> None:
    clock.set(datetime(2025, 7, 1, tzinfo=UTC))
    await _session(school, datetime(2025, 3, 1, 1, tzinfo=UTC), 8, attended=12, no_show=2,
                   status=SessionStatus.COMPLETED)
    await _session(school, datetime(2025, 5, 10, 1, tzinfo=UTC), 2.5, attended=3)  # ended, not completed
    await _session(school, datetime(2025, 6, 1, 1, tzinfo=UTC), 3, attended=0, status=SessionStatus.CANCELLED)
    await _session(school, datetime(2025, 8, 1, 1, tzinfo=UTC), 4, attended=0)  # still to come
    await _session(school, datetime(2024, 6, 1, 1, tzinfo=UTC), 6, attended=5, status=SessionStatus.COMPLETED)
    assert await _stats(school, 2025) == {"year": 2025, "sessions": 2, "attendances": 15, "hours": 10.5,
                                          "certificates": 2}
    assert await _stats(school, 2024) == {"year": 2024, "sessions": 1, "attendances": 5, "hours": 6.0,
                                          "certificates": 1}
    assert await _stats(school, 2023) == {"year": 2023, "sessions": 0, "attendances": 0, "hours": 0.0,
                                          "certificates": 0}


async def test_years_follow_the_organisation_s_time_zone(school: School, clock: Clock) -> None:
    clock.set(datetime(2025, 3, 1, tzinfo=UTC))
    # 2025-01-01 01:00 in Beijing is still 2024 in UTC.
    await _session(school, datetime(2024, 12, 31, 17, tzinfo=UTC), 2, attended=4, status=SessionStatus.COMPLETED)
    assert (await _stats(school, 2025))["sessions"] == 1
    assert (await _stats(school, 2024))["sessions"] == 0
    await OrganisationPlugin.filter(organisation=school.org).update(settings={"timezone": "UTC"})
    assert (await _stats(school, 2024))["sessions"] == 1


async def test_stats_for_many_organisations_take_a_fixed_number_of_statements(school: School, clock: Clock) -> None:
    clock.set(datetime(2025, 7, 1, tzinfo=UTC))
    query = """{ organisations(first: 100) { edges { node {
      name trainingStats(year: 2025) { sessions attendances } } } } }"""

    async def add_orgs(count: int) -> None:
        for i in range(count):
            org = await make_org(f"企业{i}", OrganisationKind.ENTERPRISE)
            await enable(org)
            course = await make_course(org)
            await _session(school, datetime(2025, 3, 1, tzinfo=UTC), 2, attended=1, course=course)

    await add_orgs(3)
    with count_statements() as few:
        data = await school.gql(query)
    await add_orgs(12)
    with count_statements() as many:
        data = await school.gql(query)
    nodes = [edge["node"] for edge in data["organisations"]["edges"]]
    counted = [node["trainingStats"] for node in nodes if node["name"] != school.org.name]
    assert counted == [{"sessions": 1, "attendances": 1}] * 15
    assert many.count == few.count
    assert few.count <= 6  # pinned


async def test_year_out_of_range_is_refused(school: School) -> None:
    errors = await school.gql.errors(STATS, {"id": school.org_id, "y": 99})
    assert errors[0]["extensions"]["code"] == "OUT_OF_RANGE"
