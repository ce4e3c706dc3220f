"""Assessment issues certificates; anyone can verify them; they expire and can be revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plugins.training.certificates import add_months, display_code, normalise_code
from plugins.training.models import EnrolmentStatus, TrainingCertificate, TrainingEnrolment, TrainingSession
from tests.plugins.training.conftest import ASSESS, VERIFY, School, make_course, make_session, renew
from tests.support import Clock, GraphQLClient, User, gid


async def _attended(school: School, session: TrainingSession, user: User) -> str:
    """An enrolment that checked in (set directly: check-in has its own tests)."""
    row = await TrainingEnrolment.create(session=session, person_id=user.person.id,  # type: ignore[union-attr]
                                         status=EnrolmentStatus.ATTENDED, enrolled_at=school.rt.now())
    return gid("TrainingEnrolment", row.id)


async def _assess(school: School, enrolment_id: str, passed: bool, score: float | None = 90,
                  by: User | None = None) -> dict:
    variables = {"input": {"enrolmentId": enrolment_id, "passed": passed, "score": score}}
    return (await school.gql(ASSESS, variables, user=renew(school.gql, by or school.trainer)))["trainingAssess"]


async def test_a_pass_issues_a_certificate_that_verifies(school: School, gql: GraphQLClient) -> None:
    session = await school.session()
    [learner] = await school.learners(1, name="陈春燕")
    enrolment_id = await _attended(school, session, learner)
    result = await _assess(school, enrolment_id, True, 88.5)
    assert result["errors"] == []
    assert result["enrolment"] == {"id": enrolment_id, "passed": True, "score": 88.5}
    certificate = result["certificate"]
    assert certificate["status"] == "VALID" and certificate["expiresAt"] is None
    code = certificate["verificationCode"]
    assert len(code) == 19 and code.count("-") == 3

    found = (await gql(VERIFY, {"c": code}))["certificateVerify"]  # anonymous
    row = await TrainingCertificate.get(holder_id=learner.person.id)  # type: ignore[union-attr]
    assert found == {"valid": True, "expired": False, "holderName": "陈春燕1", "courseTitle": "焊接安全作业培训",
                     "issuedAt": row.issued_at.isoformat(), "expiresAt": None}
    assert row.issued_at == school.rt.now()


async def test_certificates_expire_after_the_course_s_months(school: School, gql: GraphQLClient,
                                                             clock: Clock) -> None:
    clock.set(datetime(2024, 1, 31, 9, tzinfo=UTC))
    course = await make_course(school.org, valid_months=24, trainers=(school.trainer.person,),  # type: ignore[arg-type]
                               title="电工作业安全")
    session = await make_session(school.rt, course)
    [learner] = await school.learners(1)
    certificate = (await _assess(school, await _attended(school, session, learner), True))["certificate"]
    assert certificate["expiresAt"] == "2026-01-31T09:00:00+00:00"

    clock.set(datetime(2026, 1, 31, 8, 59, tzinfo=UTC))
    found = (await gql(VERIFY, {"c": certificate["verificationCode"]}))["certificateVerify"]
    assert (found["valid"], found["expired"]) == (True, False)
    clock.set(datetime(2026, 1, 31, 9, tzinfo=UTC))
    found = (await gql(VERIFY, {"c": certificate["verificationCode"]}))["certificateVerify"]
    assert (found["valid"], found["expired"]) == (False, True)
    assert found["courseTitle"] == "电工作业安全" and found["expiresAt"] == "2026-01-31T09:00:00+00:00"


async def test_unknown_codes_say_nothing(gql: GraphQLClient) -> None:
    query = """query($c: String!) { certificateVerify(code: $c) {
      status valid expired holderName courseTitle organisationName issuedAt expiresAt } }"""
    for code in ("ABCD-EFGH-JKMN-PQRS", "", "not a code at all"):
        found = (await gql(query, {"c": code}))["certificateVerify"]
        assert found == {"status": "UNKNOWN", "valid": False, "expired": False, "holderName": None,
                         "courseTitle": None, "organisationName": None, "issuedAt": None, "expiresAt": None}


async def test_verification_exposes_nothing_else_about_the_holder(gql: GraphQLClient) -> None:
    query = '{ __type(name: "CertificateVerification") { fields { name } } }'
    names = {f["name"] for f in (await gql(query))["__type"]["fields"]}
    assert names == {"status", "valid", "expired", "holderName", "courseTitle", "organisationName",
                     "issuedAt", "expiresAt"}


async def test_codes_are_forgiving_to_type(school: School, gql: GraphQLClient) -> None:
    session = await school.session()
    [learner] = await school.learners(1)
    code = (await _assess(school, await _attended(school, session, learner), True))["certificate"]["verificationCode"]
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert (await gql(VERIFY, {"c": typed}))["certificateVerify"]["valid"] is True
    assert normalise_code("0000-1111-2222-333U") is None  # U is not in the alphabet
    assert display_code("ABCDEFGHJKMNPQRS") == "ABCD-EFGH-JKMN-PQRS"


async def test_a_fail_issues_nothing_and_a_later_fail_revokes(school: School, gql: GraphQLClient) -> None:
    session = await school.session()
    first, second = await school.learners(2)
    failed = await _assess(school, await _attended(school, session, first), False, 40)
    assert failed["certificate"] is None and failed["enrolment"]["passed"] is False
    assert await TrainingCertificate.filter(holder_id=first.person.id).count() == 0  # type: ignore[union-attr]

    enrolment_id = await _attended(school, session, second)
    code = (await _assess(school, enrolment_id, True, 75))["certificate"]["verificationCode"]
    again = await _assess(school, enrolment_id, True, 80)
    assert again["certificate"]["verificationCode"] == code  # one certificate per enrolment
    revoked = await _assess(school, enrolment_id, False, 30)
    assert revoked["certificate"]["status"] == "REVOKED"
    found = (await gql(VERIFY, {"c": code}))["certificateVerify"]
    assert (found["valid"], found["expired"]) == (False, False)
    assert await TrainingCertificate.all().count() == 1


async def test_assessment_errors(school: School) -> None:
    session = await school.session()
    learner, stranger = await school.learners(2)
    attended = await _attended(school, session, learner)
    confirmed = (await school.enrol(await school.session(), stranger))["enrolment"]["id"]

    async def code(enrolment_id: str, by: User, score: float | None = 90) -> list[str]:
        return [e["code"] for e in (await _assess(school, enrolment_id, True, score, by))["errors"]]

    assert await code(attended, stranger) == ["PERMISSION_DENIED"]
    assert await code(confirmed, school.trainer) == ["NOT_ATTENDED"]
    assert await code(attended, school.trainer, 101) == ["OUT_OF_RANGE"]
    assert await code(gid("TrainingEnrolment", 999_999), school.trainer) == ["NOT_FOUND"]
    assert await code(gid("TrainingSession", 1), school.trainer) == ["INVALID_ID"]
    assert await code(attended, school.admin) == []  # managers may assess too


async def test_certificates_on_the_person_are_private(school: School, gql: GraphQLClient) -> None:
    session = await school.session()
    learner, other = await school.learners(2)
    await _assess(school, await _attended(school, session, learner), True)
    query = """query($id: ID!) { node(id: $id) { ... on Person { certificates {
      verificationCode valid course { title } holder { name } } } } }"""
    mine = (await gql(query, {"id": learner.person_gid}, user=learner))["node"]["certificates"]
    assert [c["course"]["title"] for c in mine] == ["焊接安全作业培训"]
    assert (await gql(query, {"id": learner.person_gid}, user=other))["node"]["certificates"] is None


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(datetime(2024, 1, 31, tzinfo=UTC), 1) == datetime(2024, 2, 29, tzinfo=UTC)
    assert add_months(datetime(2023, 11, 30, tzinfo=UTC), 3) == datetime(2024, 2, 29, tzinfo=UTC)
    assert add_months(datetime(2024, 2, 29, tzinfo=UTC), 24) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2024, 5, 15, tzinfo=UTC), 12) - datetime(2024, 5, 15, tzinfo=UTC) == timedelta(days=365)
