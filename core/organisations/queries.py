"""Root query fields for organisations."""

from __future__ import annotations

import strawberry

from core.context import Info
from core.enums import OrganisationKind, OrganisationLevel, StudioStatus
from core.organisations.directory import OrganisationFilter, organisations_queryset
from core.organisations.types import Organisation
from core.relay import Connection, decode_query_id, paginate_queryset


def _optional_org(value: strawberry.ID | None, field: str) -> int | None:
    return None if value is None else decode_query_id(value, "Organisation", field)


@strawberry.type
class OrganisationQueries:
    @strawberry.field(
        description="The organisation directory, by id (newest last). `search` (at most 100 "
        "characters, 5 words, each must match) looks in names and descriptions; `region` and "
        "`industry` (the industry chain) match by contained text; `parentId` gives direct "
        "children, `ancestorId` everything below; `allianceId` the alliance's members and "
        "everything below them. Filters combine with AND."
    )
    async def organisations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        kind: OrganisationKind | None = None,
        search: str | None = None,
        parent_id: strawberry.ID | None = None,
        level: OrganisationLevel | None = None,
        region: str | None = None,
        industry: str | None = None,
        status: StudioStatus | None = None,
        ancestor_id: strawberry.ID | None = None,
        alliance_id: strawberry.ID | None = None,
    ) -> Connection[Organisation]:
        data = OrganisationFilter(
            kind=kind,
            level=level,
            region=region,
            industry=industry,
            status=status,
            search=search,
            parent_id=_optional_org(parent_id, "parentId"),
            ancestor_id=_optional_org(ancestor_id, "ancestorId"),
            alliance_id=_optional_org(alliance_id, "allianceId"),
        )
        return await paginate_queryset(organisations_queryset(data), first, after, Organisation.from_model)
