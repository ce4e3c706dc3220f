"""Fields the training plugin adds to core types (``extend_types``); ``self`` is the core object."""

from __future__ import annotations

import strawberry

from core import errors
from core.context import Info
from core.errors import PublicError
from core.relay import Connection, paginate_list
from plugins.training.access import can_see_record
from plugins.training.calendar import FIRST_VERSION, feed_url
from plugins.training.loaders import calendar_version, enrolments_of_person, year_stats
from plugins.training.models import TrainingCertificate as CertificateModel
from plugins.training.models import TrainingCourse as CourseModel
from plugins.training.stats import FIRST_YEAR, LAST_YEAR
from plugins.training.types import (
    TrainingCertificate,
    TrainingCourse,
    TrainingEnrolment,
    TrainingEnrolmentStatus,
    TrainingStats,
    visible_courses,
)


@strawberry.type
class PersonTrainingFields:
    @strawberry.field(
        description="Training enrolments, newest session first; visible to the person and admins "
        "of their organisations (null for others)."
    )
    async def enrolments(
        self,
        info: Info,
        status: TrainingEnrolmentStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[TrainingEnrolment] | None:
        if not await can_see_record(info.context, self.id):  # type: ignore[attr-defined]
            return None
        rows = await enrolments_of_person(info.context, self.id, status)  # type: ignore[attr-defined]
        return paginate_list(rows, first, after, TrainingEnrolment.from_model)

    @strawberry.field(
        description="Training certificates, newest first; visible to the person and admins of "
        "their organisations (null for others)."
    )
    async def certificates(self, info: Info) -> list[TrainingCertificate] | None:
        person_id: int = self.id  # type: ignore[attr-defined]
        if not await can_see_record(info.context, person_id):
            return None
        loader = info.context.loaders.children(CertificateModel, "holder_id", order_by=("-issued_at", "-id"))
        return [TrainingCertificate.from_model(row) for row in await loader.load(person_id)]

    @strawberry.field(
        description="Private iCalendar feed of the person's confirmed sessions; only the person "
        "sees it (null for others). `trainingCalendarReset` revokes it."
    )
    async def calendar_url(self, info: Info) -> str | None:
        person_id: int = self.id  # type: ignore[attr-defined]
        if info.context.viewer.person_id != person_id:
            return None
        version = await calendar_version(info.context, person_id) or FIRST_VERSION
        return feed_url(info.context.rt.settings, person_id, version)


@strawberry.type
class OrganisationTrainingFields:
    @strawberry.field(description="Training courses; drafts only for managers and their trainers.")
    async def training_courses(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[TrainingCourse]:
        org_id: int = self.id  # type: ignore[attr-defined]
        rows = await info.context.loaders.children(CourseModel, "organisation_id").load(org_id)
        rows = await visible_courses(info, org_id, rows)
        return paginate_list(rows, first, after, TrainingCourse.from_model)

    @strawberry.field(description="Sessions held, attendances (人次), hours and certificates in a year.")
    async def training_stats(self, info: Info, year: int) -> TrainingStats:
        if not FIRST_YEAR <= year < LAST_YEAR:
            raise PublicError(f"`year` must be between {FIRST_YEAR} and {LAST_YEAR - 1}", errors.OUT_OF_RANGE, "year")
        stats = await year_stats(info.context, self.id, year)  # type: ignore[attr-defined]
        return TrainingStats(
            year=year, sessions=stats.sessions, attendances=stats.attendances, hours=stats.hours,
            certificates=stats.certificates,
        )
