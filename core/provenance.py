"""``AwardedBy``: who recorded a skill level or an honour, and for which organisation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from core.auth.models import Account
from core.context import Info
from core.organisations.models import Organisation as OrganisationModel
from core.organisations.types import Organisation
from core.people.models import Person as PersonModel

if TYPE_CHECKING:
    from core.people.types import Person

PersonRef = Annotated["Person", strawberry.lazy("core.people.types")]


async def account_person(info: Info, account_id: int | None) -> PersonModel | None:
    """The person behind an account, through the request's loaders."""
    if account_id is None:
        return None
    account = await info.context.loaders.by_id(Account).load(account_id)
    if account is None or account.person_id is None:
        return None
    return await info.context.loaders.by_id(PersonModel).load(account.person_id)


@strawberry.type(description="Who recorded a level or an honour: the organisation and its admin.")
class AwardedBy:
    organisation_id: strawberry.Private[int | None]
    account_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, organisation_id: int | None, account_id: int | None) -> Self | None:
        """None for records the system made (the demo, or rows older than provenance)."""
        if organisation_id is None and account_id is None:
            return None
        return cls(organisation_id=organisation_id, account_id=account_id)

    @strawberry.field(description="The organisation it was recorded for; null when a superuser acted for none.")
    async def organisation(self, info: Info) -> Organisation | None:
        if self.organisation_id is None:
            return None
        row = await info.context.loaders.by_id(OrganisationModel).load(self.organisation_id)
        return Organisation.from_model(row) if row else None

    @strawberry.field(description="The person whose account recorded it; null for the system.")
    async def person(self, info: Info) -> PersonRef | None:
        from core.people.types import Person

        row = await account_person(info, self.account_id)
        return Person.from_model(row) if row else None
