"""Root query fields for organisations."""

from __future__ import annotations

import strawberry

from core.context import Info
from core.enums import OrganisationKind
from core.organisations import models
from core.organisations.types import Organisation
from core.relay import Connection, decode_query_id, paginate_queryset


@strawberry.type
class OrganisationQueries:
    @strawberry.field(description="Organisations by id, filtered; newest last.")
    async def organisations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        kind: OrganisationKind | None = None,
        search: str | None = None,
        parent_id: strawberry.ID | None = None,
    ) -> Connection[Organisation]:
        queryset = models.Organisation.all()
        if kind is not None:
            queryset = queryset.filter(kind=kind)
        if search and search.strip():
            queryset = queryset.filter(name__icontains=search.strip())
        if parent_id is not None:
            queryset = queryset.filter(parent_id=decode_query_id(parent_id, "Organisation", "parentId"))
        return await paginate_queryset(queryset.order_by("id"), first, after, Organisation.from_model)
