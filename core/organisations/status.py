"""A studio's status (ACTIVE / WARNED / DELISTED) and its history.

Plugins (the yearly assessment) change ``Organisation.status`` only through ``change_status``:
it locks the organisation row, writes the change to ``StudioStatusChange`` and to the audit log in
the same transaction, and does nothing when the studio already has that status.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from core import audit, errors
from core.audit.services import Actor
from core.context import Viewer
from core.errors import UserInputError
from core.organisations.models import Organisation, OrganisationKind, StudioStatus, StudioStatusChange
from core.relay import MAX_KEY
from core.runtime import Runtime

REASON_MAX = 1000


async def change_status(
    rt: Runtime,
    org_id: int,
    to: StudioStatus,
    *,
    reason: str = "",
    actor: Actor | Viewer | None = None,
    field: str = "organisationId",
) -> StudioStatusChange | None:
    """Set the studio's status to ``to``; answers the change, or None when it already was ``to``.

    Raises ``NOT_FOUND`` for no organisation and ``NOT_A_STUDIO`` for one that is not a studio.
    Runs in the caller's transaction when there is one (a savepoint), else in its own.
    """
    actor = actor or audit.SYSTEM
    async with in_transaction():
        org = (await Organisation.select_for_update().get_or_none(id=org_id)) if 0 < org_id <= MAX_KEY else None
        if org is None:
            raise UserInputError(errors.NOT_FOUND, f"No organisation with this `{field}`", field)
        if org.kind != OrganisationKind.STUDIO:
            raise UserInputError(errors.NOT_A_STUDIO, "Only studios have a status", field)
        if org.status == to:
            return None
        await Organisation.filter(id=org_id).update(status=to)
        change = await StudioStatusChange.create(
            organisation_id=org_id,
            from_status=org.status,
            to_status=to,
            reason=reason[:REASON_MAX],
            changed_by_account_id=actor.account_id,
            at=rt.now(),
        )
        await audit.record(
            rt,
            actor=actor,
            organisation_id=org_id,
            action="organisation.status_changed",
            target=audit.target("Organisation", org_id),
            before={"status": org.status},
            after={"status": to, "reason": reason[:REASON_MAX]},
        )
    return change
