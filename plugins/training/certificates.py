"""Assessment and certificates: issuing, expiry, revocation and public verification.

A certificate's code is 16 characters of Crockford base32 from ``secrets`` (80 bits: not
guessable), unique in the database and shown as ``XXXX-XXXX-XXXX-XXXX``. Verification accepts
any case, spaces and dashes, and the usual look-alikes (O for 0, I and L for 1).

``verify`` answers only what a verifier needs: status (VALID / EXPIRED / REVOKED / UNKNOWN),
holder name, course title, issuing organisation and dates; an unknown code gives UNKNOWN with
every detail null.
"""

from __future__ import annotations

import calendar
import secrets
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from core import errors
from core.context import Context
from core.errors import UserInputError
from core.events import emit
from core.organisations.models import Organisation
from core.people.models import Person
from core.plugin_api import DomainEvent
from core.relay import to_global_id
from core.runtime import Runtime
from core.validation import Checks
from plugins.training import errors as training_errors
from plugins.training.access import require_teach
from plugins.training.models import (
    CertificateStatus,
    EnrolmentStatus,
    TrainingCertificate,
    TrainingCourse,
    TrainingEnrolment,
    TrainingSession,
)
from plugins.training.services import require_enrolment

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
MAX_SCORE = 100.0


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(given: str) -> str | None:
    code = "".join(ch for ch in given.upper() if ch not in " -").translate(_LOOKALIKES)
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def display_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def add_months(when: datetime, months: int) -> datetime:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = when.month - 1 + months
    year, month = when.year + index // 12, index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def expiry_for(course: TrainingCourse, issued_at: datetime) -> datetime | None:
    if course.certificate_valid_months is None:
        return None
    return add_months(issued_at, course.certificate_valid_months)


def status_of(expires_at: datetime | None, revoked_at: datetime | None, now: datetime) -> CertificateStatus:
    if revoked_at is not None:
        return CertificateStatus.REVOKED
    if expires_at is not None and expires_at <= now:
        return CertificateStatus.EXPIRED
    return CertificateStatus.VALID


@dataclass(frozen=True)
class Assessed:
    enrolment: TrainingEnrolment
    # The enrolment's certificate after the assessment (revoked when the result became a fail).
    certificate: TrainingCertificate | None
    issued: bool


async def assess(rt: Runtime, enrolment_id: int, passed: bool, score: float | None) -> Assessed:
    """Record pass/fail and a score for an ATTENDED enrolment.

    A pass issues the certificate (once per enrolment; a later pass keeps its code and dates and
    updates the score); a fail after a pass revokes it.
    """
    enrolment = await require_enrolment(enrolment_id)
    if enrolment.status != EnrolmentStatus.ATTENDED:
        raise UserInputError(training_errors.NOT_ATTENDED, "Only attended enrolments are assessed", "enrolmentId")
    checks = Checks()
    if score is not None and not 0 <= score <= MAX_SCORE:
        checks.add(errors.OUT_OF_RANGE, f"`score` must be between 0 and {MAX_SCORE:g}", "score")
    checks.raise_if_any()
    course = await TrainingCourse.get(sessions__id=enrolment.session_id)
    now = rt.now()
    issued = False
    async with in_transaction():
        enrolment = await TrainingEnrolment.select_for_update().get(id=enrolment_id)
        enrolment.update_from_dict({"passed": passed, "score": score, "assessed_at": now})
        await enrolment.save(update_fields=["passed", "score", "assessed_at", "updated_at"])
        certificate = await TrainingCertificate.get_or_none(enrolment_id=enrolment_id)
        if passed and certificate is None:
            certificate = await TrainingCertificate.create(
                holder_id=enrolment.person_id, course_id=course.id, organisation_id=course.organisation_id,
                enrolment_id=enrolment.id, code=new_code(), score=score, issued_at=now,
                expires_at=expiry_for(course, now),
            )
            issued = True
        elif passed and certificate is not None:
            certificate.update_from_dict({"score": score, "revoked_at": None})
            await certificate.save(update_fields=["score", "revoked_at"])
        elif certificate is not None and certificate.revoked_at is None:
            certificate.revoked_at = now
            await certificate.save(update_fields=["revoked_at"])
    if issued and certificate is not None:
        await emit(rt, DomainEvent("training.certificate_issued", {
            "certificateId": to_global_id("TrainingCertificate", certificate.id),
            "courseId": to_global_id("TrainingCourse", course.id),
            "personId": to_global_id("Person", enrolment.person_id),
            "expiresAt": certificate.expires_at.isoformat() if certificate.expires_at else None,
        }, course.organisation_id, subject=to_global_id("TrainingCertificate", certificate.id),
            audience=(enrolment.person_id,)))
    return Assessed(enrolment, certificate, issued)


async def assess_as(ctx: Context, enrolment_id: int, passed: bool, score: float | None) -> Assessed:
    """Trainers of the enrolment's course and managers of its organisation."""
    enrolment = await require_enrolment(enrolment_id)
    await require_teach(ctx, await TrainingSession.get(id=enrolment.session_id), "enrolmentId")
    return await assess(ctx.rt, enrolment_id, passed, score)


@dataclass(frozen=True)
class Verification:
    status: CertificateStatus
    holder_name: str | None = None
    course_title: str | None = None
    organisation_name: str | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None


async def verify(rt: Runtime, given: str) -> Verification:
    """Public: anyone holding a code can check it, without signing in."""
    code = normalise_code(given)
    certificate = await TrainingCertificate.get_or_none(code=code) if code else None
    if certificate is None:
        return Verification(CertificateStatus.UNKNOWN)
    holder = await Person.get(id=certificate.holder_id)
    course = await TrainingCourse.get(id=certificate.course_id)
    organisation = await Organisation.get(id=certificate.organisation_id)
    return Verification(
        status=status_of(certificate.expires_at, certificate.revoked_at, rt.now()),
        holder_name=holder.name,
        course_title=course.title,
        organisation_name=organisation.name,
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
    )
