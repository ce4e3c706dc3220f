"""The organisation directory: studios and other bodies by kind, level, place, industry chain,
standing, position in the tree and alliance (its members and everything below them), found by name or description.

``organisations(...)`` applies ``OrganisationFilter`` to one queryset (one COUNT, one SELECT per
page); subtrees and alliances are subqueries (``core.directory``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.expressions import Q, RawSQL
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from core.context import Context
from core.directory import alliance_sql, descendants_sql, filter_text, search_terms
from core.organisations import models
from core.people.models import Membership

SPECIALTIES_MAX = 20  # entries of a studio's specialties
SPECIALTY_MAX = 50  # characters of one


@dataclass
class OrganisationFilter:
    kind: models.OrganisationKind | None = None
    level: models.OrganisationLevel | None = None
    region: str | None = None
    industry: str | None = None
    status: models.StudioStatus | None = None
    parent_id: int | None = None
    ancestor_id: int | None = None
    alliance_id: int | None = None
    search: str | None = None


def organisations_queryset(data: OrganisationFilter) -> QuerySet[models.Organisation]:
    """Organisations matching every given filter, by id."""
    queryset = models.Organisation.all()
    if data.kind is not None:
        queryset = queryset.filter(kind=data.kind)
    if data.level is not None:
        queryset = queryset.filter(level=data.level)
    if data.status is not None:
        queryset = queryset.filter(status=data.status)
    region = filter_text(data.region, "region")
    if region is not None:
        queryset = queryset.filter(region__icontains=region)
    industry = filter_text(data.industry, "industry")
    if industry is not None:
        queryset = queryset.filter(industry__icontains=industry)
    if data.parent_id is not None:
        queryset = queryset.filter(parent_id=data.parent_id)
    if data.ancestor_id is not None:
        queryset = queryset.filter(id__in=RawSQL(descendants_sql(data.ancestor_id)))
    if data.alliance_id is not None:
        queryset = queryset.filter(id__in=RawSQL(alliance_sql(data.alliance_id)))
    for term in search_terms(data.search):
        queryset = queryset.filter(Q(name__icontains=term) | Q(description__icontains=term))
    return queryset.order_by("id")


def member_counts(ctx: Context) -> DataLoader[int, int]:
    """Members of each organisation (direct memberships), counted in one grouped query."""

    async def load(ids: Sequence[int]) -> list[int]:
        rows: list[dict[str, Any]] = (
            await Membership.filter(organisation_id__in=list(set(ids)))
            .annotate(members=Count("id"))
            .group_by("organisation_id")
            .values("organisation_id", "members")
        )
        counts = {row["organisation_id"]: row["members"] for row in rows}
        return [int(counts.get(i, 0)) for i in ids]

    return ctx.loaders.get(("organisation_member_count",), lambda: DataLoader(load_fn=load))
