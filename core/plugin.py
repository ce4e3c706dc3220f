"""Core's own hook implementations: core contributes to the schema like any plugin."""

from __future__ import annotations

from core import hookimpl
from core.auth.mutations import AuthMutations
from core.organisations.mutations import OrganisationMutations
from core.organisations.queries import OrganisationQueries
from core.people.mutations import PeopleMutations
from core.people.queries import PeopleQueries
from core.queries import CoreQueries
from core.skills.mutations import SkillMutations
from core.skills.queries import SkillQueries
from core.subscriptions import CoreSubscriptions


@hookimpl
def register_queries() -> list[type]:
    return [CoreQueries, OrganisationQueries, PeopleQueries, SkillQueries]


@hookimpl
def register_mutations() -> list[type]:
    return [AuthMutations, OrganisationMutations, PeopleMutations, SkillMutations]


@hookimpl
def register_subscriptions() -> list[type]:
    return [CoreSubscriptions]
