"""Rows a service needs to exist, or a ``NOT_FOUND`` payload error naming the input field.

Keys outside 1 .. 2**31-1 (none can come from ``decode_id``) are not found without a query:
the database would refuse them, not answer "none"."""

from __future__ import annotations

from core import errors
from core.errors import UserInputError
from core.organisations.models import Organisation
from core.people.models import Person
from core.relay import MAX_KEY


async def require_organisation(org_id: int, field: str = "organisationId") -> Organisation:
    org = await Organisation.get_or_none(id=org_id) if 0 < org_id <= MAX_KEY else None
    if org is None:
        raise UserInputError(errors.NOT_FOUND, f"No organisation with this `{field}`", field)
    return org


async def require_person(person_id: int, field: str = "personId") -> Person:
    person = await Person.get_or_none(id=person_id) if 0 < person_id <= MAX_KEY else None
    if person is None:
        raise UserInputError(errors.NOT_FOUND, f"No person with this `{field}`", field)
    return person
