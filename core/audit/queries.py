"""Reading the audit log: an organisation's (its admins) and the whole deployment's (superusers)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import strawberry
from strawberry.dataloader import DataLoader
from tortoise import connections
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from core import errors
from core.audit import models
from core.audit.types import AuditEntry
from core.context import Info
from core.errors import PublicError
from core.permissions import can_manage_org
from core.relay import Connection, build_connection, decode_query_id, page_window, paginate_queryset, to_global_id

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


# One page of entries for each organisation of a batch, in one statement: entries are ranked
# per organisation (newest first) and counted with window functions; the first entry of each
# organisation always comes back to carry the count, even when the page is past it.
_PAGES = """
WITH asked(org, gid) AS (VALUES {asked})
SELECT id, org, n, total FROM (
  SELECT e.id AS id, asked.org AS org,
         ROW_NUMBER() OVER (PARTITION BY asked.org ORDER BY e.occurred_at DESC, e.id DESC) AS n,
         COUNT(*) OVER (PARTITION BY asked.org) AS total
  FROM core_audit_entry e JOIN asked ON (e.organisation_id = asked.org OR e.target = asked.gid)
  {where}
) ranked WHERE n = 1 OR (n > {offset} AND n <= {end})
"""


def _placeholders(dialect: str) -> Callable[[], str]:
    counter = iter(range(1, 10**6))
    return (lambda: f"${next(counter)}") if dialect == "postgres" else (lambda: "?")


async def _pages(org_ids: Sequence[int], offset: int, limit: int,
                 action: str | None) -> dict[int, tuple[int, list[models.AuditEntry]]]:
    """(total, page rows) of the entries about each organisation: two statements in all."""
    conn = connections.get("default")
    mark = _placeholders(conn.capabilities.dialect)
    values: list[object] = []
    asked = []
    for org_id in org_ids:
        asked.append(f"(CAST({mark()} AS INTEGER), CAST({mark()} AS VARCHAR(200)))")
        values += [org_id, to_global_id("Organisation", org_id)]
    where = ""
    if action is not None and action.endswith("."):
        where = f"WHERE substr(e.action, 1, {len(action)}) = {mark()}"
        values.append(action)
    elif action is not None:
        where = f"WHERE e.action = {mark()}"
        values.append(action)
    sql = _PAGES.format(asked=", ".join(asked), where=where, offset=int(offset), end=int(offset) + int(limit))
    _, ranked = await conn.execute_query(sql, values)
    totals = {int(row["org"]): int(row["total"]) for row in ranked}
    shown = [(int(row["org"]), int(row["id"]), int(row["n"])) for row in ranked if offset < row["n"] <= offset + limit]
    entries = {row.id: row for row in await models.AuditEntry.filter(id__in={i for _, i, _ in shown})} if shown else {}
    pages: dict[int, list[tuple[int, models.AuditEntry]]] = {}
    for org_id, entry_id, n in shown:
        pages.setdefault(org_id, []).append((n, entries[entry_id]))
    return {org_id: (totals.get(org_id, 0), [e for _, e in sorted(pages.get(org_id, []), key=lambda p: p[0])])
            for org_id in org_ids}


async def organisation_log(info: Info, org_id: int, first: int | None, after: str | None,
                           action: str | None) -> Connection[AuditEntry] | None:
    """Entries about an organisation: those recorded for it, and those whose target it is (an
    alliance it joined or left). Admins of it or of an ancestor, and superusers; null for others.
    Batched: one page per organisation for every organisation of the request in two statements."""
    if not await can_manage_org(info.context, org_id):
        return None
    if action is not None and (len(action) > models.ACTION_MAX or not ACTION_FILTER.match(action)):
        raise PublicError("`action` is a dotted action name, e.g. membership.invited", errors.BAD_USER_INPUT,
                          "action")
    offset, limit = page_window(first, after)

    async def load(org_ids: Sequence[int]) -> list[tuple[int, list[models.AuditEntry]]]:
        pages = await _pages(list(dict.fromkeys(org_ids)), offset, limit, action)
        return [pages[i] for i in org_ids]

    loader = info.context.loaders.get(("core.audit.pages", offset, limit, action), lambda: DataLoader(load_fn=load))
    total, rows = await loader.load(org_id)
    return build_connection([AuditEntry.from_model(row) for row in rows], offset, limit, total)


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
