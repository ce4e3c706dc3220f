"""GraphQL types of the training plugin, and the fields it adds to ``Person`` and ``Organisation``.

Relations go through the per-request loaders (``loaders.py``); who sees what is ``access.py``.
"""

# strawberry types its decorators with arguments as ``Any``; the resolvers themselves are typed.

from __future__ import annotations

from datetime import datetime
from typing import Self
from urllib.parse import urlencode

import strawberry
from strawberry import relay

from core import errors
from core.context import Context, Info
from core.errors import UserInputError
from core.nodes import ModelNode
from core.organisations.models import Organisation as OrganisationModel
from core.organisations.types import Organisation
from core.people.models import Person as PersonModel
from core.people.types import Person
from core.relay import Connection, paginate_list, to_global_id
from core.skills.models import Skill as SkillModel
from core.skills.models import SkillGrade
from core.skills.types import Skill
from plugins.training import models
from plugins.training.access import (
    can_see_calendar,
    can_see_certificate,
    can_see_course,
    can_see_enrolment,
    can_see_record,
    can_see_session,
    can_teach,
    visible_certificates,
    visible_enrolments,
)
from plugins.training.calendar import FIRST_VERSION, feed_url
from plugins.training.certificates import Verification, display_code, status_of
from plugins.training.checkin import CheckInCode
from plugins.training.loaders import (
    calendar_version_by_person,
    certificate_by_enrolment,
    certificates_by_holder,
    courses_by_organisation,
    enrolments_by_person,
    enrolments_by_session,
    sessions_by_course,
    sessions_by_series,
    stats_by_organisation_year,
    trainers_by_course,
    viewer_enrolment_by_session,
)
from plugins.training.models import CertificateStatus, EnrolmentStatus, SessionStatus
from plugins.training.stats import FIRST_YEAR, LAST_YEAR, YearStats

# The GraphQL enums are the model enums: strawberry.enum registers the GraphQL definition on the
# model enum class itself, so fields are annotated with the model enums.
strawberry.enum(SessionStatus, name="TrainingSessionStatus", description="Where a session stands.")
strawberry.enum(
    EnrolmentStatus,
    name="TrainingEnrolmentStatus",
    description="A seat (CONFIRMED, then ATTENDED or NO_SHOW), a waitlist place, or CANCELLED.",
)
strawberry.enum(CertificateStatus, name="CertificateStatus", description="What a certificate verification found.")

QR_SCHEME = "guildhall://training/check-in"


@strawberry.type(description="A training course (e.g. 焊接安全作业培训) run as sessions.")
class TrainingCourse(ModelNode):
    id: relay.NodeID[int]
    title: str
    description: str
    hours: float = strawberry.field(description="Course hours (学时).")
    target_level: int | None = strawberry.field(
        description="Level the course prepares for: 1 (高级技师) … 5 (初级工)."
    )
    certificate_valid_months: int | None = strawberry.field(
        description="Months a certificate stays valid; null: it never expires."
    )
    published: bool = strawberry.field(description="Only published courses take enrolments.")
    organisation_id: strawberry.Private[int]
    skill_id: strawberry.Private[int | None]

    @classmethod
    def model(cls) -> type[models.TrainingCourse]:
        return models.TrainingCourse

    @classmethod
    async def can_see(cls, ctx: Context, row: models.TrainingCourse) -> bool:
        return await can_see_course(ctx, row)

    @classmethod
    def from_model(cls, row: models.TrainingCourse) -> Self:
        return cls(
            id=row.id, title=row.title, description=row.description, hours=row.hours,
            target_level=row.target_level, certificate_valid_months=row.certificate_valid_months,
            published=row.published, organisation_id=row.organisation_id, skill_id=row.skill_id,
        )

    @strawberry.field
    async def organisation(self, info: Info) -> Organisation:
        row = await info.context.loaders.by_id(OrganisationModel).load(self.organisation_id)
        assert row is not None  # the foreign key guarantees it
        return Organisation.from_model(row)

    @strawberry.field
    async def skill(self, info: Info) -> Skill | None:
        if self.skill_id is None:
            return None
        row = await info.context.loaders.by_id(SkillModel).load(self.skill_id)
        return Skill.from_model(row) if row else None

    @strawberry.field(description="`targetLevel` as an enum value.")
    def target_grade(self) -> SkillGrade | None:
        return None if self.target_level is None else SkillGrade(self.target_level)

    @strawberry.field
    async def trainers(self, info: Info) -> list[Person]:
        return [Person.from_model(p) for p in await trainers_by_course(info.context, self.id)]

    @strawberry.field(description="Sessions in start order, cancelled ones included.")
    async def sessions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[TrainingSession]:
        return paginate_list(await sessions_by_course(info.context, self.id), first, after, TrainingSession.from_model)


@strawberry.type(description="One sitting of a course, with seats and a waitlist.")
class TrainingSession(ModelNode):
    id: relay.NodeID[int]
    starts_at: datetime
    ends_at: datetime
    venue: str
    online_url: str
    capacity: int
    seats_taken: int
    waitlist_length: int
    status: SessionStatus
    series_id: str | None = strawberry.field(description="Shared by sessions of one weekly series.")
    cancel_reason: str
    cancelled_at: datetime | None
    course_id: strawberry.Private[int]
    organisation_id: strawberry.Private[int]

    @classmethod
    def model(cls) -> type[models.TrainingSession]:
        return models.TrainingSession

    @classmethod
    async def can_see(cls, ctx: Context, row: models.TrainingSession) -> bool:
        return await can_see_session(ctx, row)

    @classmethod
    async def can_see_private(cls, ctx: Context, row: models.TrainingSession) -> bool:
        """Everyone's enrolments in the session: its trainers and managers."""
        return await can_teach(ctx, row.course_id, row.organisation_id)

    @classmethod
    def from_model(cls, row: models.TrainingSession) -> Self:
        return cls(
            id=row.id, starts_at=row.starts_at, ends_at=row.ends_at, venue=row.venue, online_url=row.online_url,
            capacity=row.capacity, seats_taken=row.seats_taken, waitlist_length=row.waitlist_length,
            status=row.status, series_id=row.series_id, cancel_reason=row.cancel_reason,
            cancelled_at=row.cancelled_at, course_id=row.course_id, organisation_id=row.organisation_id,
        )

    @strawberry.field
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @strawberry.field
    async def course(self, info: Info) -> TrainingCourse:
        row = await info.context.loaders.by_id(models.TrainingCourse).load(self.course_id)
        assert row is not None  # the foreign key guarantees it
        return TrainingCourse.from_model(row)

    @strawberry.field
    async def organisation(self, info: Info) -> Organisation:
        row = await info.context.loaders.by_id(OrganisationModel).load(self.organisation_id)
        assert row is not None
        return Organisation.from_model(row)

    @strawberry.field(description="Other sessions of the same weekly series, in start order.")
    async def series(self, info: Info) -> list[TrainingSession]:
        if self.series_id is None:
            return []
        return [TrainingSession.from_model(row) for row in await sessions_by_series(info.context, self.series_id)]

    @strawberry.field(
        description="Seats first, then the waitlist in order. Trainers and managers see everyone; "
        "others only their own enrolment."
    )
    async def enrolments(
        self,
        info: Info,
        status: EnrolmentStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[TrainingEnrolment]:
        rows = await enrolments_by_session(info.context, self.id, status)
        if not await can_teach(info.context, self.course_id, self.organisation_id):
            rows = [row for row in rows if row.person_id == info.context.viewer.person_id]
        return paginate_list(rows, first, after, TrainingEnrolment.from_model)

    @strawberry.field(description="The signed-in person's enrolment in this session, if any.")
    async def my_enrolment(self, info: Info) -> TrainingEnrolment | None:
        row = await viewer_enrolment_by_session(info.context, self.id)
        return TrainingEnrolment.from_model(row) if row else None


@strawberry.type(description="A person's seat or waitlist place in a session.")
class TrainingEnrolment(ModelNode):
    id: relay.NodeID[int]
    status: EnrolmentStatus
    waitlist_position: int | None = strawberry.field(description="1 … N while WAITLISTED, else null.")
    enrolled_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    checked_in_at: datetime | None
    passed: bool | None = strawberry.field(description="The assessment; null until assessed.")
    score: float | None
    assessed_at: datetime | None
    session_id: strawberry.Private[int]
    person_id: strawberry.Private[int]

    @classmethod
    def model(cls) -> type[models.TrainingEnrolment]:
        return models.TrainingEnrolment

    @classmethod
    def from_model(cls, row: models.TrainingEnrolment) -> Self:
        return cls(
            id=row.id, status=row.status, waitlist_position=row.waitlist_position, enrolled_at=row.enrolled_at,
            confirmed_at=row.confirmed_at, cancelled_at=row.cancelled_at, checked_in_at=row.checked_in_at,
            passed=row.passed, score=row.score, assessed_at=row.assessed_at,
            session_id=row.session_id, person_id=row.person_id,
        )

    @classmethod
    async def can_see(cls, ctx: Context, row: models.TrainingEnrolment) -> bool:
        return await can_see_enrolment(ctx, row)

    @strawberry.field
    async def session(self, info: Info) -> TrainingSession:
        row = await info.context.loaders.by_id(models.TrainingSession).load(self.session_id)
        assert row is not None
        return TrainingSession.from_model(row)

    @strawberry.field
    async def person(self, info: Info) -> Person:
        row = await info.context.loaders.by_id(PersonModel).load(self.person_id)
        assert row is not None
        return Person.from_model(row)

    @strawberry.field(description="Issued when the assessment is a pass.")
    async def certificate(self, info: Info) -> TrainingCertificate | None:
        row = await certificate_by_enrolment(info.context, self.id)
        return TrainingCertificate.from_model(row) if row and await can_see_certificate(info.context, row) else None


@strawberry.type(description="A certificate of a passed course; anyone can check its code.")
class TrainingCertificate(ModelNode):
    id: relay.NodeID[int]
    score: float | None
    issued_at: datetime
    expires_at: datetime | None = strawberry.field(description="Null: it never expires.")
    revoked_at: datetime | None
    code: strawberry.Private[str]
    holder_id: strawberry.Private[int]
    course_id: strawberry.Private[int]
    organisation_id: strawberry.Private[int]

    @classmethod
    def model(cls) -> type[models.TrainingCertificate]:
        return models.TrainingCertificate

    @classmethod
    def from_model(cls, row: models.TrainingCertificate) -> Self:
        return cls(
            id=row.id, score=row.score, issued_at=row.issued_at, expires_at=row.expires_at,
            revoked_at=row.revoked_at, code=row.code, holder_id=row.holder_id, course_id=row.course_id,
            organisation_id=row.organisation_id,
        )

    @classmethod
    async def can_see(cls, ctx: Context, row: models.TrainingCertificate) -> bool:
        return await can_see_certificate(ctx, row)

    def _row_status(self, info: Info) -> CertificateStatus:
        return status_of(self.expires_at, self.revoked_at, info.context.rt.now())

    @strawberry.field(description="The public code for `certificateVerify`, as XXXX-XXXX-XXXX-XXXX.")
    def verification_code(self) -> str:
        return display_code(self.code)

    @strawberry.field
    def status(self, info: Info) -> CertificateStatus:
        return self._row_status(info)

    @strawberry.field
    def valid(self, info: Info) -> bool:
        return self._row_status(info) == CertificateStatus.VALID

    @strawberry.field
    def expired(self, info: Info) -> bool:
        return self._row_status(info) == CertificateStatus.EXPIRED

    @strawberry.field
    async def holder(self, info: Info) -> Person:
        row = await info.context.loaders.by_id(PersonModel).load(self.holder_id)
        assert row is not None
        return Person.from_model(row)

    @strawberry.field
    async def course(self, info: Info) -> TrainingCourse:
        row = await info.context.loaders.by_id(models.TrainingCourse).load(self.course_id)
        assert row is not None
        return TrainingCourse.from_model(row)

    @strawberry.field(description="The issuing organisation.")
    async def organisation(self, info: Info) -> Organisation:
        row = await info.context.loaders.by_id(OrganisationModel).load(self.organisation_id)
        assert row is not None
        return Organisation.from_model(row)


@strawberry.type(description="What `certificateVerify` tells anyone about a code; nothing else about the holder.")
class CertificateVerification:
    status: CertificateStatus
    valid: bool = strawberry.field(description="Issued, not revoked and not expired.")
    expired: bool
    holder_name: str | None = strawberry.field(description="Null for an unknown code, as are the others.")
    course_title: str | None
    organisation_name: str | None
    issued_at: datetime | None
    expires_at: datetime | None

    @classmethod
    def from_verification(cls, found: Verification) -> Self:
        return cls(
            status=found.status, valid=found.status == CertificateStatus.VALID,
            expired=found.status == CertificateStatus.EXPIRED, holder_name=found.holder_name,
            course_title=found.course_title, organisation_name=found.organisation_name,
            issued_at=found.issued_at, expires_at=found.expires_at,
        )


@strawberry.type(description="The rotating check-in code of a session, for trainers to show (e.g. as a QR).")
class TrainingCheckInCode:
    open: bool = strawberry.field(description="Whether check-in is open now.")
    code: str | None = strawberry.field(description="Six digits; null while check-in is closed.")
    qr_payload: str | None = strawberry.field(description="What to encode in the QR code.")
    refresh_at: datetime | None = strawberry.field(description="When the next code replaces this one.")
    expires_at: datetime | None = strawberry.field(description="When this code stops being accepted.")
    opens_at: datetime
    closes_at: datetime

    @classmethod
    def from_code(cls, current: CheckInCode) -> Self:
        payload = None
        if current.code is not None:
            session_gid = to_global_id("TrainingSession", current.session_id)
            payload = f"{QR_SCHEME}?{urlencode({'sessionId': session_gid, 'code': current.code})}"
        return cls(
            open=current.code is not None, code=current.code, qr_payload=payload, refresh_at=current.refresh_at,
            expires_at=current.expires_at, opens_at=current.opens_at, closes_at=current.closes_at,
        )


@strawberry.type(description="Training counted over one calendar year.")
class TrainingStats:
    year: int
    sessions: int = strawberry.field(description="Sessions held (场次): not cancelled, ended or completed.")
    attendances: int = strawberry.field(description="Checked-in seats in those sessions (人次).")
    hours: float = strawberry.field(description="Training hours delivered: the summed length of those sessions.")
    certificates: int = strawberry.field(description="Certificates issued and not revoked.")

    @classmethod
    def from_figures(cls, year: int, figures: YearStats) -> Self:
        return cls(
            year=year, sessions=figures.sessions, attendances=figures.attendances, hours=figures.hours,
            certificates=figures.certificates,
        )


# Fields on core types (``extend_types``) ---------------------------------------------------------


@strawberry.type
class PersonTrainingFields:
    @strawberry.field(
        description="Training enrolments, newest session first: all of them for the person; for "
        "others those in sessions they manage or teach; null for people who see none and are not "
        "admins of the person's organisations."
    )
    @staticmethod
    async def enrolments(
        parent: strawberry.Parent[Person],
        info: Info,
        status: EnrolmentStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[TrainingEnrolment] | None:
        rows = await visible_enrolments(info.context, await enrolments_by_person(info.context, parent.id, status))
        if not rows and not await can_see_record(info.context, parent.id):
            return None
        return paginate_list(rows, first, after, TrainingEnrolment.from_model)

    @strawberry.field(
        description="Training certificates, newest first: all of them for the person; for others "
        "those of courses they manage or teach; null for people who see none and are not admins of "
        "the person's organisations."
    )
    @staticmethod
    async def certificates(parent: strawberry.Parent[Person], info: Info) -> list[TrainingCertificate] | None:
        rows = await visible_certificates(info.context, await certificates_by_holder(info.context, parent.id))
        if not rows and not await can_see_record(info.context, parent.id):
            return None
        return [TrainingCertificate.from_model(row) for row in rows]

    @strawberry.field(
        description="Private iCalendar feed of the person's confirmed sessions; only the person "
        "sees it (null for others). `trainingCalendarReset` revokes it."
    )
    @staticmethod
    async def calendar_url(parent: strawberry.Parent[Person], info: Info) -> str | None:
        if not can_see_calendar(info.context, parent.id):
            return None
        version = await calendar_version_by_person(info.context, parent.id) or FIRST_VERSION
        return feed_url(info.context.rt.settings, parent.id, version, info.context.request)


@strawberry.type
class OrganisationTrainingFields:
    @strawberry.field(description="Training courses; drafts only for managers and their trainers.")
    @staticmethod
    async def training_courses(
        parent: strawberry.Parent[Organisation], info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[TrainingCourse]:
        rows = [row for row in await courses_by_organisation(info.context, parent.id)
                if await can_see_course(info.context, row)]
        return paginate_list(rows, first, after, TrainingCourse.from_model)

    @strawberry.field(description="Sessions held, attendances (人次), hours and certificates in a year.")
    @staticmethod
    async def training_stats(parent: strawberry.Parent[Organisation], info: Info, year: int) -> TrainingStats:
        if not FIRST_YEAR <= year < LAST_YEAR:
            message = f"`year` must be between {FIRST_YEAR} and {LAST_YEAR - 1}"
            raise UserInputError(errors.OUT_OF_RANGE, message, "year")
        return TrainingStats.from_figures(year, await stats_by_organisation_year(info.context, parent.id, year))
