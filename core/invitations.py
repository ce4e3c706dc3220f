"""The lifecycle every invitation shares (memberships, alliances): one row per pair, reopened by
a new invitation, and settled once by a conditional UPDATE of a PENDING row, so concurrent
answers take effect once. What an accepted invitation creates, and what the audit log says,
stays with each kind (``core.people.invitations``, ``core.organisations.invitations``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from tortoise.models import Model

from core import errors
from core.errors import UserInputError
from core.people.models import InvitationStatus

InvitationT = TypeVar("InvitationT", bound=Model)


async def reopen(model: type[InvitationT], pair: dict[str, int], role: Any, now: datetime,
                 invited_by_account_id: int | None) -> InvitationT:
    """The pair's one invitation, PENDING with this role: insert-or-nothing, then one UPDATE, so
    concurrent invitations leave one pending row. Call inside a transaction."""
    await model.bulk_create(
        [model(**pair, role=role, invited_at=now, invited_by_account_id=invited_by_account_id)],
        ignore_conflicts=True,
    )
    await model.filter(**pair).update(
        role=role, status=InvitationStatus.PENDING, invited_at=now,
        invited_by_account_id=invited_by_account_id, responded_at=None,
    )
    return await model.filter(**pair).get()


async def settle(model: type[InvitationT], invitation_id: int, status: InvitationStatus,
                 now: datetime) -> tuple[bool, InvitationT]:
    """Move a PENDING invitation to ``status``: (whether this call changed it, the row). Call
    inside a transaction; ``require_outcome`` after it."""
    changed = await model.filter(id=invitation_id, status=InvitationStatus.PENDING).update(
        status=status, responded_at=now
    )
    return bool(changed), await model.get(id=invitation_id)


def require_outcome(invitation: Any, status: InvitationStatus, changed: bool) -> None:
    """Asking again for the outcome it already has is no error; another outcome is."""
    if not changed and invitation.status != status:
        raise UserInputError(
            errors.INVITATION_NOT_PENDING, f"This invitation was {invitation.status.value.lower()} already", "id"
        )
