"""Root query fields of the forum plugin. A ``UserInputError`` from a check here becomes a
top-level error with the same code and field (the host's ``QueryErrors`` guard). Boards are
public: these answer anonymous callers too."""

# strawberry types its decorators with arguments as ``Any``; the resolvers themselves are typed.

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from core.context import Info
from core.plugin_api import in_organisation
from core.relay import Connection, decode_id, decode_optional_id, paginate_queryset
from plugins.forum.models import ForumSalon, ForumThread, SalonStatus
from plugins.forum.types import ForumThread as ForumThreadType
from plugins.forum.types import Salon, utc_or_error


@strawberry.type
class ForumQueries:
    @strawberry.field(
        description="An organisation's (or alliance's) salons in start order, optionally from / to a "
        "time (by start) and with a status. Empty where the forum is switched off.",
        metadata=in_organisation("organisation_id"),
    )
    async def salons(
        self,
        info: Info,
        organisation_id: strawberry.ID,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        status: SalonStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Salon]:
        org_id = decode_id(organisation_id, "Organisation", "organisationId")
        queryset = ForumSalon.filter(organisation_id=org_id)
        if (start := utc_or_error(from_, "from")) is not None:
            queryset = queryset.filter(starts_at__gte=start)
        if (end := utc_or_error(to, "to")) is not None:
            queryset = queryset.filter(starts_at__lt=end)
        if status is not None:
            queryset = queryset.filter(status=status)
        return await paginate_queryset(queryset.order_by("starts_at", "id"), first, after, Salon.from_model)

    @strawberry.field(
        description="A board's threads (optionally only those about a salon): pinned first, then the "
        "most recently active. Empty where the forum is switched off.",
        metadata=in_organisation("organisation_id"),
    )
    async def forum_threads(
        self,
        info: Info,
        organisation_id: strawberry.ID,
        salon_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ForumThreadType]:
        org_id = decode_id(organisation_id, "Organisation", "organisationId")
        queryset = ForumThread.filter(organisation_id=org_id)
        if (salon_pk := decode_optional_id(salon_id, "Salon", "salonId")) is not None:
            queryset = queryset.filter(salon_id=salon_pk)
        queryset = queryset.order_by("-pinned", "-last_activity_at", "-id")
        return await paginate_queryset(queryset, first, after, ForumThreadType.from_model)
