"""Courses, their sessions, enrolments (seats and waitlist), certificates and calendar feeds."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # only for annotations: importing them here would make Tortoise list them in this app
    from core.organisations.models import Organisation
    from core.people.models import Person
    from core.skills.models import Skill


class SessionStatus(str, Enum):
    SCHEDULED = "SCHEDULED"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"


class EnrolmentStatus(str, Enum):
    CONFIRMED = "CONFIRMED"
    WAITLISTED = "WAITLISTED"
    CANCELLED = "CANCELLED"
    ATTENDED = "ATTENDED"
    NO_SHOW = "NO_SHOW"


class CertificateStatus(str, Enum):
    """Not stored: what a certificate is at a given moment (``certificates.status_of``)."""

    VALID = "VALID"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"
    UNKNOWN = "UNKNOWN"


# Enrolments that hold a place (a seat or a waitlist position) in a session still to come.
ACTIVE_STATUSES = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED)


class TrainingCourse(Model):
    # A course an organisation offers (e.g. 焊接安全作业培训), taught by trainers, run as sessions.

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="training_courses", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=200)
    skill: fields.ForeignKeyNullableRelation[Skill] = fields.ForeignKeyField(
        "core.Skill", related_name="training_courses", null=True, on_delete=fields.SET_NULL
    )
    # Level on the five-level scale the course prepares for: 1 (高级技师) to 5 (初级工).
    target_level = fields.SmallIntField(null=True)
    description = fields.TextField(default="")
    hours = fields.FloatField(default=0)
    # Months a certificate of this course stays valid; null: it never expires.
    certificate_valid_months = fields.IntField(null=True)
    published = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    organisation_id: int
    skill_id: int | None

    class Meta:
        table = "training_course"
        indexes = (("organisation_id",),)


class TrainingCourseTrainer(Model):
    # A person teaching a course: may show check-in codes and record assessments.

    id = fields.IntField(primary_key=True)
    course: fields.ForeignKeyRelation[TrainingCourse] = fields.ForeignKeyField(
        "training.TrainingCourse", related_name="trainer_links", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="training_courses_taught", on_delete=fields.CASCADE
    )

    course_id: int
    person_id: int

    class Meta:
        table = "training_course_trainer"
        unique_together = (("course", "person"),)
        indexes = (("person_id",),)


class TrainingSession(Model):
    # One sitting of a course. seats_taken and waitlist_length are counters kept under a row
    # lock on this row by every write that changes enrolments (see seats.py).

    id = fields.IntField(primary_key=True)
    course: fields.ForeignKeyRelation[TrainingCourse] = fields.ForeignKeyField(
        "training.TrainingCourse", related_name="sessions", on_delete=fields.CASCADE
    )
    # The course's organisation, copied so lists and yearly counts filter without a join.
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="training_sessions", on_delete=fields.CASCADE
    )
    starts_at = fields.DatetimeField(db_index=True)
    ends_at = fields.DatetimeField()
    venue = fields.CharField(max_length=200, default="")
    online_url = fields.CharField(max_length=500, default="")
    capacity = fields.IntField()
    seats_taken = fields.IntField(default=0)
    waitlist_length = fields.IntField(default=0)
    status = fields.CharEnumField(SessionStatus, max_length=12, default=SessionStatus.SCHEDULED)
    # Sessions created together by a weekly recurrence share a series id.
    series_id = fields.CharField(max_length=32, null=True, db_index=True)
    cancel_reason = fields.CharField(max_length=500, default="")
    cancelled_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    course_id: int
    organisation_id: int

    class Meta:
        table = "training_session"
        indexes = (("course_id", "starts_at"), ("organisation_id", "starts_at"))


class TrainingEnrolment(Model):
    # A person's place in a session: one row per (session, person), reused when they re-enrol.

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[TrainingSession] = fields.ForeignKeyField(
        "training.TrainingSession", related_name="enrolments", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="training_enrolments", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(EnrolmentStatus, max_length=12)
    # 1..N among the session's WAITLISTED enrolments, null otherwise.
    waitlist_position = fields.IntField(null=True)
    enrolled_at = fields.DatetimeField()
    confirmed_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)
    checked_in_at = fields.DatetimeField(null=True)
    passed = fields.BooleanField(null=True)
    score = fields.FloatField(null=True)
    assessed_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    session_id: int
    person_id: int

    class Meta:
        table = "training_enrolment"
        unique_together = (("session", "person"),)
        indexes = (("session_id", "status"), ("person_id",))


class TrainingCertificate(Model):
    # Issued when an attended enrolment is assessed as passed; verified by its public code.

    id = fields.IntField(primary_key=True)
    holder: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="training_certificates", on_delete=fields.CASCADE
    )
    course: fields.ForeignKeyRelation[TrainingCourse] = fields.ForeignKeyField(
        "training.TrainingCourse", related_name="certificates", on_delete=fields.CASCADE
    )
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="training_certificates", on_delete=fields.CASCADE
    )
    enrolment: fields.OneToOneRelation[TrainingEnrolment] = fields.OneToOneField(
        "training.TrainingEnrolment", related_name="certificate", on_delete=fields.CASCADE
    )
    # 16 characters of Crockford base32 (80 random bits), shown in groups of four.
    code = fields.CharField(max_length=16, unique=True)
    score = fields.FloatField(null=True)
    issued_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    holder_id: int
    course_id: int
    organisation_id: int
    enrolment_id: int

    class Meta:
        table = "training_certificate"
        indexes = (("holder_id",), ("organisation_id", "issued_at"))


class TrainingCalendarFeed(Model):
    # The version of a person's signed calendar feed URL: bumping it revokes older URLs.

    id = fields.IntField(primary_key=True)
    person: fields.OneToOneRelation[Person] = fields.OneToOneField(
        "core.Person", related_name="training_calendar_feed", on_delete=fields.CASCADE
    )
    version = fields.IntField(default=1)
    rotated_at = fields.DatetimeField(auto_now=True)

    person_id: int

    class Meta:
        table = "training_calendar_feed"
