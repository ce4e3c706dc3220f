"""Core's own hook implementations: core registers its models, schema parts and demo through the
same hooks as any plugin."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from core import hookimpl
from core.audit.queries import AuditQueries
from core.auth.mutations import AuthMutations
from core.db import CORE_APP
from core.notifications.mutations import NotificationMutations
from core.notifications.notices import core_notices
from core.notifications.subscriptions import NotificationSubscriptions
from core.notifications.types import PersonNotificationFields
from core.organisations.mutations import OrganisationMutations
from core.organisations.queries import OrganisationQueries
from core.people.mutations import PeopleMutations
from core.people.queries import PeopleQueries
from core.people.types import Person
from core.plugin_api import DemoData, DomainEvent, GrowthItem, ModelApp, Notice, TypeExtension
from core.queries import CoreQueries
from core.skills.mutations import SkillMutations
from core.skills.queries import SkillQueries
from core.subscriptions import CoreSubscriptions


@hookimpl
def register_models() -> ModelApp:
    return CORE_APP


@hookimpl
def register_queries() -> list[type]:
    return [CoreQueries, OrganisationQueries, PeopleQueries, SkillQueries, AuditQueries]


@hookimpl
def register_mutations() -> list[type]:
    return [AuthMutations, OrganisationMutations, PeopleMutations, SkillMutations, NotificationMutations]


@hookimpl
def register_subscriptions() -> list[type]:
    return [CoreSubscriptions, NotificationSubscriptions]


@hookimpl
def extend_types() -> list[TypeExtension]:
    return [TypeExtension(target=Person, fields=PersonNotificationFields)]


@hookimpl
def notifications(event: DomainEvent) -> Awaitable[list[Notice]]:
    return core_notices(event)


@hookimpl
def register_demo() -> Callable[[DemoData], Awaitable[None]]:
    from core.demo import load_core_demo

    return load_core_demo


@hookimpl
def growth_items(person_id: int, before: datetime | None, limit: int) -> Awaitable[list[GrowthItem]]:
    from core.people.growth import core_growth_items

    return core_growth_items(person_id, before, limit)
