"""``record``: append one audit entry, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from core.audit.models import ACTION_MAX, AuditEntry
from core.auth.models import Account
from core.context import Viewer
from core.relay import to_global_id
from core.runtime import Runtime

# Keys whose values never go into an entry, at any depth: credentials are not audit data.
SECRET_KEYS = frozenset({"password", "password_hash", "secret", "token", "access_token", "refresh_token", "token_hash"})
REDACTED = "[redacted]"


@dataclass(frozen=True)
class Actor:
    """Who acted: an account and its person; both None for the system."""

    account_id: int | None = None
    person_id: int | None = None

    @classmethod
    def of(cls, viewer: Viewer) -> Actor:
        return cls(viewer.account_id, viewer.person_id)


SYSTEM = Actor()


def target(type_name: str, pk: int) -> str:
    """The global ID of what was acted on (``Person:<n>`` encoded as clients see it)."""
    return to_global_id(type_name, pk)


def _plain(value: Any) -> Any:
    """JSON values: enums by value, dates as ISO text; credentials (by key, at any depth) redacted."""
    if isinstance(value, Mapping):
        return {str(key): REDACTED if str(key).lower() in SECRET_KEYS else _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


async def record(
    rt: Runtime | None,
    *,
    actor: Actor | Viewer,
    organisation_id: int | None,
    action: str,
    target: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Call it inside the transaction that makes the change (``in_transaction``
    puts this insert on the same connection), after the change succeeded: then the entry and the
    change commit together or not at all. ``before``/``after`` hold only the values that changed.
    ``rt`` gives the clock (None: the wall clock, for code that runs without a runtime).
    """
    if not action or len(action) > ACTION_MAX:
        raise ValueError(f"audit action must be 1-{ACTION_MAX} characters: {action!r}")
    person_id = actor.person_id
    if person_id is None and actor.account_id is not None:
        account = await Account.get_or_none(id=actor.account_id)
        person_id = account.person_id if account is not None else None
    return await AuditEntry.create(
        occurred_at=rt.now() if rt is not None else datetime.now(UTC),
        actor_account_id=actor.account_id,
        actor_person_id=person_id,
        organisation_id=organisation_id,
        action=action,
        target=target,
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
    )
