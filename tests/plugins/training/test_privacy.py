"""Issue 8: drafts, enrolments and certificates stay private through node/nodes as through lists."""

from __future__ import annotations

import pytest

from core.organisations.models import OrganisationKind
from core.people.models import Membership, MembershipRole
from plugins.training.models import EnrolmentStatus, TrainingCertificate, TrainingEnrolment
from tests.plugins.training.conftest import School, enable, make_course, make_session
from tests.support import User, gid, make_org

COURSE = "query($id: ID!) { node(id: $id) { ... on TrainingCourse { title published } } }"
SESSION = "query($id: ID!) { node(id: $id) { ... on TrainingSession { venue course { title } } } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
ENROLMENT = "query($id: ID!) { node(id: $id) { ... on TrainingEnrolment { status } } }"
CERTIFICATE = "query($id: ID!) { node(id: $id) { ... on TrainingCertificate { verificationCode } } }"
PERSON = """query($id: ID!) { node(id: $id) { ... on Person {
  enrolments { totalCount } certificates { id } } } }"""


async def _draft(school: School) -> tuple[str, str]:
    assert school.trainer.person is not None
    draft = await make_course(school.org, published=False, title="未发布课程", trainers=(school.trainer.person,))
    session = await make_session(school.rt, draft)
    return gid("TrainingCourse", draft.id), gid("TrainingSession", session.id)


async def test_draft_courses_and_their_sessions_are_hidden_from_node(school: School) -> None:
    course_id, session_id = await _draft(school)
    [member] = await school.learners(1)
    await Membership.create(person_id=member.person.id, organisation=school.org)  # type: ignore[union-attr]
    for who in (None, member):
        assert (await school.gql(COURSE, {"id": course_id}, user=who))["node"] is None
        assert (await school.gql(SESSION, {"id": session_id}, user=who))["node"] is None
        assert (await school.gql(NODES, {"ids": [course_id, session_id]}, user=who))["nodes"] == [None, None]
    for who in (school.admin, school.trainer):
        assert (await school.gql(COURSE, {"id": course_id}, user=who))["node"]["title"] == "未发布课程"
        assert (await school.gql(SESSION, {"id": session_id}, user=who))["node"]["course"]["title"] == "未发布课程"
    published = gid("TrainingCourse", school.course.id)
    assert (await school.gql(COURSE, {"id": published}))["node"]["published"] is True


@pytest.fixture
async def records(school: School) -> tuple[User, str, str]:
    """A learner with an attended, passed enrolment and its certificate."""
    session = await school.session()
    [learner] = await school.learners(1)
    assert learner.person is not None
    enrolment = await TrainingEnrolment.create(
        session=session, person_id=learner.person.id, status=EnrolmentStatus.ATTENDED, enrolled_at=school.rt.now()
    )
    certificate = await TrainingCertificate.create(
        enrolment=enrolment, holder_id=learner.person.id, course_id=school.course.id,
        organisation_id=school.org.id, code="ABCDEFGHJKLMNPQR", issued_at=school.rt.now(),
    )
    return learner, gid("TrainingEnrolment", enrolment.id), gid("TrainingCertificate", certificate.id)


async def test_enrolments_and_certificates_are_for_the_person_and_the_owning_admins(
    school: School, records: tuple[User, str, str]
) -> None:
    learner, enrolment_id, certificate_id = records
    # An admin of another organisation the learner also belongs to does not own these records.
    elsewhere = await make_org("别的企业", OrganisationKind.ENTERPRISE)
    await enable(elsewhere)
    await Membership.create(person_id=learner.person.id, organisation=elsewhere)  # type: ignore[union-attr]
    other_admin = await school.gql.user("外企管理员", org=elsewhere, role=MembershipRole.ADMIN)
    [stranger] = await school.learners(1, name="路人")
    for who in (None, stranger, other_admin):
        assert (await school.gql(ENROLMENT, {"id": enrolment_id}, user=who))["node"] is None
        assert (await school.gql(CERTIFICATE, {"id": certificate_id}, user=who))["node"] is None
        assert (await school.gql(NODES, {"ids": [enrolment_id, certificate_id]}, user=who))["nodes"] == [None, None]
    # Through the person: null for strangers, nothing of the school's for the other admin.
    assert (await school.gql(PERSON, {"id": learner.person_gid}, user=stranger))["node"] == {
        "enrolments": None, "certificates": None}
    assert (await school.gql(PERSON, {"id": learner.person_gid}, user=other_admin))["node"] == {
        "enrolments": {"totalCount": 0}, "certificates": []}
    for who in (learner, school.admin):
        assert (await school.gql(ENROLMENT, {"id": enrolment_id}, user=who))["node"] == {"status": "ATTENDED"}
        assert (await school.gql(CERTIFICATE, {"id": certificate_id}, user=who))["node"] is not None
        person = (await school.gql(PERSON, {"id": learner.person_gid}, user=who))["node"]
        assert person["enrolments"] == {"totalCount": 1} and person["certificates"] == [{"id": certificate_id}]
