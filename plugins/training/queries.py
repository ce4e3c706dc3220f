"""Root query fields of the training plugin. A ``UserInputError`` from a service or a check here
becomes a top-level error with the same code and field (the host's ``QueryErrors`` guard)."""

# strawberry types its decorators with arguments as ``Any``; the resolvers themselves are typed.

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry

from core.context import Info
from core.errors import UserInputError
from core.plugin_api import in_organisation
from core.relay import Connection, decode_id, paginate_queryset
from plugins.training import checkin
from plugins.training import errors as training_errors
from plugins.training.access import visible_sessions
from plugins.training.certificates import verify
from plugins.training.models import SessionStatus
from plugins.training.models import TrainingSession as SessionModel
from plugins.training.types import CertificateVerification, TrainingCheckInCode, TrainingSession


def _utc(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise UserInputError(training_errors.TIMEZONE_REQUIRED, f"`{field}` must include a UTC offset", field)
    return value.astimezone(UTC)


@strawberry.type
class TrainingQueries:
    @strawberry.field(
        description="An organisation's sessions in start order, optionally from / to a time "
        "(by start). Sessions of draft courses only for managers and their trainers. Empty where "
        "the organisation has training switched off.",
        metadata=in_organisation("organisation_id"),
    )
    async def training_sessions(
        self,
        info: Info,
        organisation_id: strawberry.ID,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        status: SessionStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[TrainingSession]:
        org_id = decode_id(organisation_id, "Organisation", "organisationId")
        queryset = SessionModel.filter(organisation_id=org_id)
        if from_ is not None:
            queryset = queryset.filter(starts_at__gte=_utc(from_, "from"))
        if to is not None:
            queryset = queryset.filter(starts_at__lt=_utc(to, "to"))
        if status is not None:
            queryset = queryset.filter(status=status)
        queryset = queryset.filter(await visible_sessions(info.context, org_id))
        return await paginate_queryset(queryset.order_by("starts_at", "id"), first, after, TrainingSession.from_model)

    @strawberry.field(description="The current check-in code of a session (its trainers and managers).")
    async def training_check_in_code(self, info: Info, session_id: strawberry.ID) -> TrainingCheckInCode:
        pk = decode_id(session_id, "TrainingSession", "sessionId")
        return TrainingCheckInCode.from_code(await checkin.current_code_as(info.context, pk))

    @strawberry.field(description="Check a certificate's code; works without signing in.")
    async def certificate_verify(self, info: Info, code: str) -> CertificateVerification:
        return CertificateVerification.from_verification(await verify(info.context.rt, code))
