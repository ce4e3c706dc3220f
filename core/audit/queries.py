"""Reading the audit log: an organisation's (its admins) and the whole deployment's (superusers)."""

from __future__ import annotations

import re

import strawberry
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from core import errors
from core.audit import models
from core.audit.types import AuditEntry
from core.context import Info
from core.errors import PublicError
from core.permissions import can_manage_org
from core.relay import Connection, decode_query_id, paginate_queryset, to_global_id

ACTION_FILTER = re.compile(r"^[a-z_]+(\.[a-z_]+)*\.?$")


def _newest_first(queryset: QuerySet[models.AuditEntry], action: str | None) -> QuerySet[models.AuditEntry]:
    """``action``: one action (``membership.invited``), or a family when it ends in a dot (``membership.``)."""
    if action is not None:
        if len(action) > models.ACTION_MAX or not ACTION_FILTER.match(action):
            raise PublicError("`action` is a dotted action name, e.g. membership.invited", errors.BAD_USER_INPUT,
                              "action")
        queryset = queryset.filter(action__startswith=action) if action.endswith(".") else queryset.filter(
            action=action)
    return queryset.order_by("-occurred_at", "-id")


def _about(org_id: int) -> QuerySet[models.AuditEntry]:
    return models.AuditEntry.filter(Q(organisation_id=org_id) | Q(target=to_global_id("Organisation", org_id)))


async def organisation_log(info: Info, org_id: int, first: int | None, after: str | None,
                           action: str | None) -> Connection[AuditEntry] | None:
    """Entries about an organisation: those recorded for it, and those whose target it is (an
    alliance it joined or left). Admins of it or of an ancestor, and superusers; null for others."""
    if not await can_manage_org(info.context, org_id):
        return None
    return await paginate_queryset(_newest_first(_about(org_id), action), first, after, AuditEntry.from_model)


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description="The whole audit log, newest first, or one organisation's (as `Organisation.auditLog`); "
        "superusers only: `PERMISSION_DENIED` for others (admins read `Organisation.auditLog`)."
    )
    async def audit_log(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        action: str | None = None,
        organisation_id: strawberry.ID | None = None,
    ) -> Connection[AuditEntry]:
        viewer = info.context.require_viewer()
        if not viewer.is_superuser:
            raise PublicError("Only superusers read the whole audit log", errors.PERMISSION_DENIED)
        queryset = models.AuditEntry.all()
        if organisation_id is not None:
            queryset = _about(decode_query_id(organisation_id, "Organisation", "organisationId"))
        return await paginate_queryset(_newest_first(queryset, action), first, after, AuditEntry.from_model)
