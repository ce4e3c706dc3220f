"""GraphQL types of the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry.scalars import JSON

from core.audit import models
from core.context import Info
from core.organisations.models import Organisation as OrganisationModel
from core.organisations.types import Organisation
from core.people.models import Person as PersonModel
from core.relay import to_global_id

if TYPE_CHECKING:
    from core.people.types import Person

PersonRef = Annotated["Person", strawberry.lazy("core.people.types")]


@strawberry.type(description="One security-relevant action, as it happened; entries never change.")
class AuditEntry:
    id: strawberry.ID = strawberry.field(description="Global ID (`AuditEntry:<n>`).")
    occurred_at: datetime
    action: str = strawberry.field(description="Stable dotted name, e.g. `membership.invited` (docs/audit.md).")
    target: strawberry.ID = strawberry.field(description="Global ID of what was acted on.")
    before: JSON | None = strawberry.field(description="The changed values before; null for a creation.")
    after: JSON | None = strawberry.field(description="The changed values after; null for a removal.")
    actor_person_id: strawberry.Private[int | None]
    organisation_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, row: models.AuditEntry) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("AuditEntry", row.id)), occurred_at=row.occurred_at, action=row.action,
            target=strawberry.ID(row.target),
            before=JSON(row.before) if row.before is not None else None,
            after=JSON(row.after) if row.after is not None else None,
            actor_person_id=row.actor_person_id, organisation_id=row.organisation_id,
        )

    @strawberry.field(description="The person who acted; null when the system (or an account without a person) did.")
    async def actor(self, info: Info) -> PersonRef | None:
        from core.people.types import Person

        if self.actor_person_id is None:
            return None
        row = await info.context.loaders.by_id(PersonModel).load(self.actor_person_id)
        return Person.from_model(row) if row else None

    @strawberry.field(description="The organisation the action concerns; null for account-wide actions.")
    async def organisation(self, info: Info) -> Organisation | None:
        if self.organisation_id is None:
            return None
        row = await info.context.loaders.by_id(OrganisationModel).load(self.organisation_id)
        return Organisation.from_model(row) if row else None
