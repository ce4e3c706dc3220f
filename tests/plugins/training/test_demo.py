"""Demo data: a school and an enterprise with training, past and future sessions."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from core.organisations.models import OrganisationPlugin
from core.runtime import Runtime
from host.demo import load_demo
from plugins.training.certificates import status_of
from plugins.training.models import (
    CertificateStatus,
    EnrolmentStatus,
    SessionStatus,
    TrainingCertificate,
    TrainingCourse,
    TrainingEnrolment,
    TrainingSession,
)
from plugins.training.stats import stats_for


async def test_hook_register_demo(rt: Runtime) -> None:
    demo = await load_demo(rt)
    assert demo is not None
    school, heavy = demo.organisations["school"], demo.organisations["heavy"]
    enabled = {row.organisation_id for row in await OrganisationPlugin.filter(plugin="training", enabled=True)}
    assert enabled == {school.id, heavy.id}

    courses = await TrainingCourse.filter(organisation=school)
    assert len(courses) >= 3 and any(not c.published for c in courses)
    now = datetime.now(UTC)
    sessions = await TrainingSession.filter(organisation=school)
    past = [s for s in sessions if s.ends_at < now]
    future = [s for s in sessions if s.starts_at > now and s.status == SessionStatus.SCHEDULED]
    assert past and all(s.status == SessionStatus.COMPLETED for s in past)
    assert len(future) >= 3 and any(s.series_id for s in future)

    for session in await TrainingSession.all():  # the counters agree with the rows
        rows = await TrainingEnrolment.filter(session=session)
        counts = Counter(r.status for r in rows)
        seated = counts[EnrolmentStatus.CONFIRMED] + counts[EnrolmentStatus.ATTENDED] + counts[EnrolmentStatus.NO_SHOW]
        assert (session.seats_taken, session.waitlist_length) == (seated, counts[EnrolmentStatus.WAITLISTED])
        assert session.seats_taken <= session.capacity
        positions = sorted(r.waitlist_position for r in rows if r.status == EnrolmentStatus.WAITLISTED)
        assert positions == list(range(1, len(positions) + 1))
    assert await TrainingEnrolment.filter(status=EnrolmentStatus.WAITLISTED).exists()

    statuses = {status_of(c.expires_at, c.revoked_at, now) for c in await TrainingCertificate.all()}
    assert {CertificateStatus.VALID, CertificateStatus.EXPIRED} <= statuses
    held = past[0]
    [stats] = await stats_for(rt, [(school.id, held.starts_at.year)])
    assert stats.sessions >= 1 and stats.attendances >= 9 and stats.certificates >= 1
