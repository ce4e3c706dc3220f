"""Mutations of the training plugin: ``nounVerb(input:) -> NounVerbPayload { errors, <noun> }``.

Each resolver decodes IDs, calls one ``*_as`` service and wraps the result; the host refuses
organisations without training (``PLUGIN_DISABLED``), turns a service's ``UserInputError`` into
the payload's ``errors`` and clears the request's loaders afterwards. ``ALREADY_ENROLLED`` and
``ALREADY_CHECKED_IN`` are warnings: the payload carries the existing enrolment next to them.
"""

# strawberry types its decorators with arguments as ``Any``; the resolvers themselves are typed.

from __future__ import annotations

from datetime import datetime

import strawberry

from core.context import Info
from core.errors import UserError
from core.mutations import Payload
from core.plugin_api import in_no_organisation, in_organisation, in_owner_of
from core.relay import decode_id, decode_optional_id
from plugins.training import calendar, certificates, checkin, seats, services
from plugins.training import errors as training_errors
from plugins.training.models import TrainingCourse as CourseModel
from plugins.training.models import TrainingEnrolment as EnrolmentModel
from plugins.training.models import TrainingSession as SessionModel
from plugins.training.types import TrainingCertificate, TrainingCourse, TrainingEnrolment, TrainingSession


def _given(value: object) -> bool:
    return value is not strawberry.UNSET


# Courses ------------------------------------------------------------------------------------


@strawberry.input
class TrainingCourseCreateInput:
    organisation_id: strawberry.ID
    title: str
    hours: float
    description: str | None = None
    skill_id: strawberry.ID | None = None
    target_level: int | None = strawberry.field(default=None, description="1 (高级技师) … 5 (初级工).")
    certificate_valid_months: int | None = strawberry.field(
        default=None, description="Months a certificate stays valid (e.g. 24); null: never expires."
    )
    published: bool = strawberry.field(default=True, description="false keeps the course a draft.")
    trainer_ids: list[strawberry.ID] | None = None


@strawberry.input
class TrainingCourseUpdateInput:
    id: strawberry.ID
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    hours: float | None = strawberry.UNSET
    skill_id: strawberry.ID | None = strawberry.UNSET
    target_level: int | None = strawberry.UNSET
    certificate_valid_months: int | None = strawberry.UNSET
    published: bool | None = strawberry.UNSET
    trainer_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the trainers."
    )


@strawberry.type
class TrainingCourseCreatePayload(Payload):
    course: TrainingCourse | None = None


@strawberry.type
class TrainingCourseUpdatePayload(Payload):
    course: TrainingCourse | None = None


# Sessions -----------------------------------------------------------------------------------


@strawberry.input
class TrainingSessionCreateInput:
    course_id: strawberry.ID
    starts_at: datetime = strawberry.field(description="With a UTC offset.")
    ends_at: datetime
    capacity: int
    venue: str | None = None
    online_url: str | None = None
    occurrences: int = strawberry.field(
        default=1, description="Weekly recurrence: how many sessions, a week apart (1 = one session)."
    )


@strawberry.input
class TrainingSessionUpdateInput:
    id: strawberry.ID
    capacity: int | None = strawberry.field(
        default=strawberry.UNSET, description="More seats promote people from the waitlist at once."
    )
    venue: str | None = strawberry.UNSET
    online_url: str | None = strawberry.UNSET


@strawberry.input
class TrainingSessionCancelInput:
    id: strawberry.ID
    reason: str | None = None
    whole_series: bool = strawberry.field(
        default=False, description="Also cancel the later sessions of its weekly series."
    )


@strawberry.input
class TrainingSessionCompleteInput:
    id: strawberry.ID


@strawberry.type
class TrainingSessionCreatePayload(Payload):
    session: TrainingSession | None = strawberry.field(default=None, description="The first session.")
    sessions: list[TrainingSession] = strawberry.field(
        default_factory=list, description="Every session created (several for a weekly series)."
    )


@strawberry.type
class TrainingSessionUpdatePayload(Payload):
    session: TrainingSession | None = None


@strawberry.type
class TrainingSessionCancelPayload(Payload):
    session: TrainingSession | None = None
    sessions: list[TrainingSession] = strawberry.field(
        default_factory=list, description="Every session cancelled by this call."
    )


@strawberry.type
class TrainingSessionCompletePayload(Payload):
    session: TrainingSession | None = None


# Enrolment, check-in, assessment ------------------------------------------------------------


@strawberry.input
class TrainingEnrolInput:
    session_id: strawberry.ID
    person_id: strawberry.ID | None = strawberry.field(
        default=None, description="Enrol someone else (admins of their organisation); default: yourself."
    )


@strawberry.input
class TrainingEnrolmentCancelInput:
    id: strawberry.ID


@strawberry.input
class TrainingCheckInInput:
    session_id: strawberry.ID
    code: str


@strawberry.input
class TrainingAssessInput:
    enrolment_id: strawberry.ID
    passed: bool
    score: float | None = strawberry.field(default=None, description="0 … 100.")


@strawberry.input
class TrainingCalendarResetInput:
    person_id: strawberry.ID | None = strawberry.field(
        default=None, description="Revoke someone else's feed (admins of their organisation); default: yours."
    )


@strawberry.type
class TrainingEnrolPayload(Payload):
    enrolment: TrainingEnrolment | None = None


@strawberry.type
class TrainingEnrolmentCancelPayload(Payload):
    enrolment: TrainingEnrolment | None = None


@strawberry.type
class TrainingCheckInPayload(Payload):
    enrolment: TrainingEnrolment | None = None


@strawberry.type
class TrainingAssessPayload(Payload):
    enrolment: TrainingEnrolment | None = None
    certificate: TrainingCertificate | None = None


@strawberry.type
class TrainingCalendarResetPayload(Payload):
    calendar_url: str | None = strawberry.field(
        default=None, description="The new feed URL; only for the person themself."
    )


COURSE_FIELDS = ("title", "description", "hours", "skill_id", "target_level", "certificate_valid_months",
                 "published", "trainer_ids")


def _course_fields(input: TrainingCourseCreateInput | TrainingCourseUpdateInput) -> services.CourseFields:
    """The input as service fields; ``given`` names what an update sets (UNSET is left out)."""
    values = {name: getattr(input, name) for name in COURSE_FIELDS}
    given = {name for name, value in values.items() if _given(value)}
    values = {name: (value if _given(value) else None) for name, value in values.items()}
    values["skill_id"] = decode_optional_id(values["skill_id"], "Skill", "skillId")
    if values["trainer_ids"] is not None:
        values["trainer_ids"] = [decode_id(t, "Person", "trainerIds") for t in values["trainer_ids"]]
    return services.CourseFields(**values, given=given)


@strawberry.type
class TrainingMutations:
    @strawberry.mutation(
        description="Create a course (managers of an organisation with training enabled).",
        metadata=in_organisation("input.organisation_id"),
    )
    async def training_course_create(self, info: Info, input: TrainingCourseCreateInput) -> TrainingCourseCreatePayload:
        org_id = decode_id(input.organisation_id, "Organisation", "organisationId")
        course = await services.create_course_as(info.context, org_id, _course_fields(input))
        return TrainingCourseCreatePayload(course=TrainingCourse.from_model(course))

    @strawberry.mutation(
        description="Change a course, publish or unpublish it, replace its trainers.",
        metadata=in_owner_of(CourseModel, "TrainingCourse"),
    )
    async def training_course_update(self, info: Info, input: TrainingCourseUpdateInput) -> TrainingCourseUpdatePayload:
        course_id = decode_id(input.id, "TrainingCourse", "id")
        course = await services.update_course_as(info.context, course_id, _course_fields(input))
        return TrainingCourseUpdatePayload(course=TrainingCourse.from_model(course))

    @strawberry.mutation(
        description="Schedule a session, or a weekly series with `occurrences`.",
        metadata=in_owner_of(CourseModel, "TrainingCourse", "input.course_id"),
    )
    async def training_session_create(
        self, info: Info, input: TrainingSessionCreateInput
    ) -> TrainingSessionCreatePayload:
        course_id = decode_id(input.course_id, "TrainingCourse", "courseId")
        data = services.SessionFields(
            starts_at=input.starts_at, ends_at=input.ends_at, capacity=input.capacity,
            venue=input.venue, online_url=input.online_url, occurrences=input.occurrences,
        )
        rows = await services.create_sessions_as(info.context, course_id, data)
        nodes = [TrainingSession.from_model(row) for row in rows]
        return TrainingSessionCreatePayload(session=nodes[0], sessions=nodes)

    @strawberry.mutation(
        description="Change a session's capacity or place before it ends.",
        metadata=in_owner_of(SessionModel, "TrainingSession"),
    )
    async def training_session_update(
        self, info: Info, input: TrainingSessionUpdateInput
    ) -> TrainingSessionUpdatePayload:
        session_id = decode_id(input.id, "TrainingSession", "id")
        changes = seats.SessionChanges(
            capacity=None if input.capacity is strawberry.UNSET else input.capacity,
            venue=None if input.venue is strawberry.UNSET else input.venue,
            online_url=None if input.online_url is strawberry.UNSET else input.online_url,
            given={name for name in ("capacity", "venue", "online_url") if _given(getattr(input, name))},
        )
        row = await seats.update_session_as(info.context, session_id, changes)
        return TrainingSessionUpdatePayload(session=TrainingSession.from_model(row))

    @strawberry.mutation(
        description="Cancel a session before it starts; its enrolments are cancelled with notice.",
        metadata=in_owner_of(SessionModel, "TrainingSession"),
    )
    async def training_session_cancel(
        self, info: Info, input: TrainingSessionCancelInput
    ) -> TrainingSessionCancelPayload:
        session_id = decode_id(input.id, "TrainingSession", "id")
        rows = await seats.cancel_session_as(info.context, session_id, input.reason, input.whole_series)
        nodes = [TrainingSession.from_model(row) for row in rows]
        return TrainingSessionCancelPayload(session=nodes[0], sessions=nodes)

    @strawberry.mutation(
        description="Close a started session: unchecked seats become NO_SHOW.",
        metadata=in_owner_of(SessionModel, "TrainingSession"),
    )
    async def training_session_complete(
        self, info: Info, input: TrainingSessionCompleteInput
    ) -> TrainingSessionCompletePayload:
        session_id = decode_id(input.id, "TrainingSession", "id")
        row = await seats.complete_session_as(info.context, session_id)
        return TrainingSessionCompletePayload(session=TrainingSession.from_model(row))

    @strawberry.mutation(
        description="Take a seat, or a waitlist place when the session is full.",
        metadata=in_owner_of(SessionModel, "TrainingSession", "input.session_id"),
    )
    async def training_enrol(self, info: Info, input: TrainingEnrolInput) -> TrainingEnrolPayload:
        session_id = decode_id(input.session_id, "TrainingSession", "sessionId")
        person_id = decode_optional_id(input.person_id, "Person", "personId")
        result = await seats.enrol_as(info.context, session_id, person_id)
        node = TrainingEnrolment.from_model(result.enrolment)
        if result.created:
            return TrainingEnrolPayload(enrolment=node)
        warning = UserError(
            code=training_errors.ALREADY_ENROLLED, message="Already enrolled in this session", field="sessionId"
        )
        return TrainingEnrolPayload(enrolment=node, errors=[warning])

    @strawberry.mutation(
        description="Give up a seat or waitlist place; the first waiting is promoted.",
        metadata=in_owner_of(EnrolmentModel, "TrainingEnrolment", organisation="session__organisation_id"),
    )
    async def training_enrolment_cancel(
        self, info: Info, input: TrainingEnrolmentCancelInput
    ) -> TrainingEnrolmentCancelPayload:
        enrolment_id = decode_id(input.id, "TrainingEnrolment", "id")
        row = await seats.cancel_enrolment_as(info.context, enrolment_id)
        return TrainingEnrolmentCancelPayload(enrolment=TrainingEnrolment.from_model(row))

    @strawberry.mutation(
        description="Check in with the code the trainer shows.",
        metadata=in_owner_of(SessionModel, "TrainingSession", "input.session_id"),
    )
    async def training_check_in(self, info: Info, input: TrainingCheckInInput) -> TrainingCheckInPayload:
        session_id = decode_id(input.session_id, "TrainingSession", "sessionId")
        row, already = await checkin.check_in_as(info.context, session_id, input.code)
        node = TrainingEnrolment.from_model(row)
        if not already:
            return TrainingCheckInPayload(enrolment=node)
        warning = UserError(
            code=training_errors.ALREADY_CHECKED_IN, message="Already checked in", field="sessionId"
        )
        return TrainingCheckInPayload(enrolment=node, errors=[warning])

    @strawberry.mutation(
        description="Record pass/fail and a score for an attended enrolment; a pass issues a certificate.",
        metadata=in_owner_of(
            EnrolmentModel, "TrainingEnrolment", "input.enrolment_id", organisation="session__organisation_id"
        ),
    )
    async def training_assess(self, info: Info, input: TrainingAssessInput) -> TrainingAssessPayload:
        enrolment_id = decode_id(input.enrolment_id, "TrainingEnrolment", "enrolmentId")
        result = await certificates.assess_as(info.context, enrolment_id, input.passed, input.score)
        certificate = TrainingCertificate.from_model(result.certificate) if result.certificate else None
        return TrainingAssessPayload(enrolment=TrainingEnrolment.from_model(result.enrolment), certificate=certificate)

    @strawberry.mutation(
        description="Revoke a calendar feed URL (every older URL stops working).",
        metadata=in_no_organisation(),
    )
    async def training_calendar_reset(
        self, info: Info, input: TrainingCalendarResetInput
    ) -> TrainingCalendarResetPayload:
        person_id = decode_optional_id(input.person_id, "Person", "personId")
        person_id, version = await calendar.reset_feed_as(info.context, person_id)
        if person_id != info.context.viewer.person_id:
            return TrainingCalendarResetPayload()  # an admin revoked it: the URL stays the person's secret
        url = calendar.feed_url(info.context.rt.settings, person_id, version, info.context.request)
        return TrainingCalendarResetPayload(calendar_url=url)
