"""GraphQL types of the training plugin; every relation goes through per-request loaders."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from core.context import Info
from core.enums import SkillGrade
from core.nodes import ModelNode
from core.organisations.models import Organisation as OrganisationModel
from core.organisations.types import Organisation
from core.people.models import Person as PersonModel
from core.people.types import Person
from core.relay import Connection, paginate_list
from core.skills.models import Skill as SkillModel
from core.skills.types import Skill
from plugins.training import models
from plugins.training.access import can_manage, can_see_record, can_teach, taught_course_ids
from plugins.training.certificates import CertificateStatus as CertificateStatusEnum
from plugins.training.certificates import display_code, status_of
from plugins.training.loaders import enrolments_of_session, my_enrolment, trainers_of_course

TrainingSessionStatus = strawberry.enum(
    models.SessionStatus, name="TrainingSessionStatus", description="Where a session stands."
)
TrainingEnrolmentStatus = strawberry.enum(
    models.EnrolmentStatus,
    name="TrainingEnrolmentStatus",
    description="A seat (CONFIRMED, then ATTENDED or NO_SHOW), a waitlist place, or CANCELLED.",
)
CertificateStatus = strawberry.enum(
    CertificateStatusEnum, name="CertificateStatus", description="What a certificate verification found."
)


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
        return [Person.from_model(p) for p in await trainers_of_course(info.context, self.id)]

    @strawberry.field(description="Sessions in start order, cancelled ones included.")
    async def sessions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[TrainingSession]:
        loader = info.context.loaders.children(models.TrainingSession, "course_id", order_by=("starts_at", "id"))
        return paginate_list(await loader.load(self.id), first, after, TrainingSession.from_model)


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
    status: TrainingSessionStatus
    series_id: str | None = strawberry.field(description="Shared by sessions of one weekly series.")
    cancel_reason: str
    cancelled_at: datetime | None
    course_id: strawberry.Private[int]
    organisation_id: strawberry.Private[int]

    @classmethod
    def model(cls) -> type[models.TrainingSession]:
        return models.TrainingSession

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
        loader = info.context.loaders.children(models.TrainingSession, "series_id", order_by=("starts_at", "id"))
        return [TrainingSession.from_model(row) for row in await loader.load(self.series_id)]

    @strawberry.field(
        description="Seats first, then the waitlist in order. Trainers and managers see everyone; "
        "others only their own enrolment."
    )
    async def enrolments(
        self,
        info: Info,
        status: TrainingEnrolmentStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[TrainingEnrolment]:
        rows = await enrolments_of_session(info.context, self.id, status)
        if not await can_teach(info.context, self.course_id, self.organisation_id):
            rows = [row for row in rows if row.person_id == info.context.viewer.person_id]
        return paginate_list(rows, first, after, TrainingEnrolment.from_model)

    @strawberry.field(description="The signed-in person's enrolment in this session, if any.")
    async def my_enrolment(self, info: Info) -> TrainingEnrolment | None:
        row = await my_enrolment(info.context, self.id)
        return TrainingEnrolment.from_model(row) if row else None


async def _enrolment_visible(info: Info, row: models.TrainingEnrolment) -> bool:
    ctx = info.context
    if ctx.viewer.person_id == row.person_id or ctx.viewer.is_superuser:
        return True
    session = await ctx.loaders.by_id(models.TrainingSession).load(row.session_id)
    if session is not None and await can_teach(ctx, session.course_id, session.organisation_id):
        return True
    return await can_see_record(ctx, row.person_id)


@strawberry.type(description="A person's seat or waitlist place in a session.")
class TrainingEnrolment(ModelNode):
    id: relay.NodeID[int]
    status: TrainingEnrolmentStatus
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
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        keys = [int(i) if str(i).isdigit() else 0 for i in node_ids]
        rows = await info.context.loaders.by_id(models.TrainingEnrolment).load_many(keys)
        return [
            cls.from_model(row) if row is not None and await _enrolment_visible(info, row) else None
            for row in rows
        ]

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
        rows = await info.context.loaders.children(models.TrainingCertificate, "enrolment_id").load(self.id)
        return TrainingCertificate.from_model(rows[0]) if rows else None


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
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        keys = [int(i) if str(i).isdigit() else 0 for i in node_ids]
        rows = await info.context.loaders.by_id(models.TrainingCertificate).load_many(keys)
        return [
            cls.from_model(row) if row is not None and await can_see_record(info.context, row.holder_id) else None
            for row in rows
        ]

    def _row_status(self, info: Info) -> CertificateStatusEnum:
        return status_of(self.expires_at, self.revoked_at, info.context.rt.now())

    @strawberry.field(description="The public code for `certificateVerify`, as XXXX-XXXX-XXXX-XXXX.")
    def verification_code(self) -> str:
        return display_code(self.code)

    @strawberry.field
    def status(self, info: Info) -> CertificateStatus:
        return self._row_status(info)

    @strawberry.field
    def valid(self, info: Info) -> bool:
        return self._row_status(info) == CertificateStatusEnum.VALID

    @strawberry.field
    def expired(self, info: Info) -> bool:
        return self._row_status(info) == CertificateStatusEnum.EXPIRED

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


@strawberry.type(description="The rotating check-in code of a session, for trainers to show (e.g. as a QR).")
class TrainingCheckInCode:
    open: bool = strawberry.field(description="Whether check-in is open now.")
    code: str | None = strawberry.field(description="Six digits; null while check-in is closed.")
    qr_payload: str | None = strawberry.field(description="What to encode in the QR code.")
    refresh_at: datetime | None = strawberry.field(description="When the next code replaces this one.")
    expires_at: datetime | None = strawberry.field(description="When this code stops being accepted.")
    opens_at: datetime
    closes_at: datetime


@strawberry.type(description="Training counted over one calendar year.")
class TrainingStats:
    year: int
    sessions: int = strawberry.field(description="Sessions held (场次): not cancelled, ended or completed.")
    attendances: int = strawberry.field(description="Checked-in seats in those sessions (人次).")
    hours: float = strawberry.field(description="Training hours delivered: the summed length of those sessions.")
    certificates: int = strawberry.field(description="Certificates issued and not revoked.")


async def visible_courses(info: Info, org_id: int, rows: list[models.TrainingCourse]) -> list[models.TrainingCourse]:
    """Managers see drafts; trainers see their own; everyone else published courses only."""
    if await can_manage(info.context, org_id):
        return rows
    taught = await taught_course_ids(info.context)
    return [row for row in rows if row.published or row.id in taught]
