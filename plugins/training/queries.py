"""Root query fields of the training plugin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

import strawberry
from tortoise.expressions import Q

from core.context import Info
from core.errors import PublicError, UserInputError
from core.relay import Connection, decode_query_id, paginate_queryset, to_global_id
from plugins.training import checkin
from plugins.training import errors as training_errors
from plugins.training.access import can_manage, taught_course_ids
from plugins.training.certificates import CertificateStatus as Status
from plugins.training.certificates import verify
from plugins.training.models import TrainingSession as SessionModel
from plugins.training.types import (
    CertificateVerification,
    TrainingCheckInCode,
    TrainingSession,
    TrainingSessionStatus,
)

QR_SCHEME = "guildhall://training/check-in"


def _public(exc: UserInputError) -> PublicError:
    error = exc.errors[0]
    return PublicError(error.message, error.code, error.field)


def _utc(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise PublicError(f"`{field}` must include a UTC offset", training_errors.TIMEZONE_REQUIRED, field)
    return value.astimezone(UTC)


@strawberry.type
class TrainingQueries:
    @strawberry.field(
        description="An organisation's sessions in start order, optionally from / to a time "
        "(by start). Sessions of draft courses only for managers and their trainers."
    )
    async def training_sessions(
        self,
        info: Info,
        organisation_id: strawberry.ID,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        status: TrainingSessionStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[TrainingSession]:
        org_id = decode_query_id(organisation_id, "Organisation", "organisationId")
        queryset = SessionModel.filter(organisation_id=org_id)
        if from_ is not None:
            queryset = queryset.filter(starts_at__gte=_utc(from_, "from"))
        if to is not None:
            queryset = queryset.filter(starts_at__lt=_utc(to, "to"))
        if status is not None:
            queryset = queryset.filter(status=status)
        if not await can_manage(info.context, org_id):
            taught = list(await taught_course_ids(info.context))
            queryset = queryset.filter(Q(course__published=True) | Q(course_id__in=taught or [0]))
        return await paginate_queryset(queryset.order_by("starts_at", "id"), first, after, TrainingSession.from_model)

    @strawberry.field(description="The current check-in code of a session (its trainers and managers).")
    async def training_check_in_code(self, info: Info, session_id: strawberry.ID) -> TrainingCheckInCode:
        pk = decode_query_id(session_id, "TrainingSession", "sessionId")
        try:
            current = await checkin.current_code(info.context, pk)
        except UserInputError as exc:
            raise _public(exc) from None
        payload = None
        if current.code is not None:
            payload = f"{QR_SCHEME}?{urlencode({'sessionId': to_global_id('TrainingSession', pk), 'code': current.code})}"
        return TrainingCheckInCode(
            open=current.code is not None, code=current.code, qr_payload=payload, refresh_at=current.refresh_at,
            expires_at=current.expires_at, opens_at=current.opens_at, closes_at=current.closes_at,
        )

    @strawberry.field(description="Check a certificate's code; works without signing in.")
    async def certificate_verify(self, info: Info, code: str) -> CertificateVerification:
        found = await verify(info.context.rt, code)
        return CertificateVerification(
            status=found.status,
            valid=found.status == Status.VALID,
            expired=found.status == Status.EXPIRED,
            holder_name=found.holder_name,
            course_title=found.course_title,
            organisation_name=found.organisation_name,
            issued_at=found.issued_at,
            expires_at=found.expires_at,
        )
