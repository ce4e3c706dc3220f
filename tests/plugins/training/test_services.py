"""The rules without GraphQL: ``rule(rt, ...)`` does the work for plain ids; ``rule_as(ctx, ...)``
adds the viewer's permission and nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.context import ANONYMOUS, Context, Viewer
from core.errors import UserInputError
from core.runtime import Runtime
from plugins.training import certificates, checkin, seats, services
from plugins.training.checkin import code_for, step_at
from plugins.training.models import (
    CertificateStatus,
    EnrolmentStatus,
    SessionStatus,
    TrainingCourse,
    TrainingEnrolment,
    TrainingSession,
)
from tests.plugins.training.conftest import School
from tests.support import User


def _ctx(rt: Runtime, user: User | None) -> Context:
    if user is None:
        return Context(rt=rt, viewer=ANONYMOUS)
    return Context(rt=rt, viewer=Viewer(account_id=user.account_id, person_id=user.person.id if user.person else None))


def _codes(exc: pytest.ExceptionInfo[UserInputError]) -> list[tuple[str, str | None]]:
    return [(error.code, error.field) for error in exc.value.errors]


async def test_a_course_runs_from_creation_to_certificate_without_graphql(school: School, rt: Runtime) -> None:
    [learner] = await school.learners(1)
    assert learner.person is not None
    course = await services.create_course(
        rt, school.org.id, services.CourseFields(title="数控车床编程", hours=40, certificate_valid_months=24)
    )
    start = rt.now() + timedelta(minutes=10)
    [session] = await services.create_sessions(
        rt, course.id, services.SessionFields(starts_at=start, ends_at=start + timedelta(hours=2), capacity=5,
                                              venue="数控实训中心"),
    )
    enrolled = await seats.enrol(rt, session.id, learner.person.id)
    assert enrolled.created and enrolled.enrolment.status == EnrolmentStatus.CONFIRMED

    code = code_for(rt.settings.secret_key, session.id, step_at(rt.now()))
    enrolment, already = await checkin.check_in(rt, session.id, learner.person.id, code)
    assert enrolment.status == EnrolmentStatus.ATTENDED and already is False

    assessed = await certificates.assess(rt, enrolment.id, passed=True, score=88)
    assert assessed.issued and assessed.certificate is not None
    found = await certificates.verify(rt, certificates.display_code(assessed.certificate.code))
    assert (found.status, found.holder_name, found.course_title) == (CertificateStatus.VALID, "学员1", "数控车床编程")


async def test_rules_raise_the_same_errors_as_the_api(school: School, rt: Runtime) -> None:
    [learner] = await school.learners(1)
    assert learner.person is not None
    with pytest.raises(UserInputError) as missing:
        await seats.enrol(rt, 999_999, learner.person.id)
    assert _codes(missing) == [("NOT_FOUND", "sessionId")]
    with pytest.raises(UserInputError) as invalid:
        await services.create_course(rt, school.org.id, services.CourseFields(title=" ", hours=0))
    assert _codes(invalid) == [("BLANK", "title"), ("OUT_OF_RANGE", "hours")]
    assert await TrainingCourse.filter(organisation=school.org).count() == 1  # the fixture's only


async def test_rule_as_refuses_a_viewer_without_permission(school: School, rt: Runtime) -> None:
    [stranger] = await school.learners(1)
    session = await school.session()
    fields = services.CourseFields(title="焊接工艺", hours=8)

    with pytest.raises(UserInputError) as denied:
        await services.create_course_as(_ctx(rt, stranger), school.org.id, fields)
    assert _codes(denied) == [("PERMISSION_DENIED", "organisationId")]
    with pytest.raises(UserInputError) as anonymous:
        await services.create_course_as(_ctx(rt, None), school.org.id, fields)
    assert _codes(anonymous) == [("UNAUTHENTICATED", None)]
    with pytest.raises(UserInputError) as trainer:  # trainers teach; only managers cancel
        await seats.cancel_session_as(_ctx(rt, school.trainer), session.id)
    assert _codes(trainer) == [("PERMISSION_DENIED", "id")]
    with pytest.raises(UserInputError) as code:
        await checkin.current_code_as(_ctx(rt, stranger), session.id)
    assert _codes(code) == [("PERMISSION_DENIED", "sessionId")]

    assert await TrainingCourse.filter(organisation=school.org).count() == 1
    assert (await TrainingSession.get(id=session.id)).status == SessionStatus.SCHEDULED


async def test_rule_as_acts_for_the_viewer_when_allowed(school: School, rt: Runtime) -> None:
    [owner, stranger] = await school.learners(2)
    assert owner.person is not None
    session = await school.session()
    enrolled = await seats.enrol_as(_ctx(rt, owner), session.id)
    assert enrolled.enrolment.person_id == owner.person.id

    with pytest.raises(UserInputError) as denied:
        await seats.cancel_enrolment_as(_ctx(rt, stranger), enrolled.enrolment.id)
    assert _codes(denied) == [("PERMISSION_DENIED", "id")]
    assert (await TrainingEnrolment.get(id=enrolled.enrolment.id)).status == EnrolmentStatus.CONFIRMED

    cancelled = await seats.cancel_enrolment_as(_ctx(rt, school.admin), enrolled.enrolment.id)
    assert cancelled.status == EnrolmentStatus.CANCELLED
