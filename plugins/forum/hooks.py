"""Hook wiring of the forum plugin: models, schema parts, settings, demo data, notices and records."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from core import hookimpl
from core.organisations.types import Organisation
from core.people.types import Person
from core.plugin_api import DemoData, DomainEvent, GrowthItem, ModelApp, Notice, TypeExtension
from plugins.forum import demo as demo_module
from plugins.forum import notices
from plugins.forum.mutations import ForumMutations
from plugins.forum.queries import ForumQueries
from plugins.forum.settings import ForumSettings
from plugins.forum.subscriptions import ForumSubscriptions
from plugins.forum.types import OrganisationForumFields, PersonForumFields, SalonMaterial


@hookimpl
def register_models() -> ModelApp:
    return ModelApp(label="forum", models=["plugins.forum.models"], migrations="plugins.forum.migrations")


@hookimpl
def register_queries() -> list[type]:
    return [ForumQueries]


@hookimpl
def register_mutations() -> list[type]:
    return [ForumMutations]


@hookimpl
def register_subscriptions() -> list[type]:
    return [ForumSubscriptions]


@hookimpl
def register_types() -> list[type]:
    # Materials are also reachable on their own through node(id:).
    return [SalonMaterial]


@hookimpl
def extend_types() -> list[TypeExtension]:
    return [
        TypeExtension(target=Person, fields=PersonForumFields),
        TypeExtension(target=Organisation, fields=OrganisationForumFields),
    ]


@hookimpl
def organisation_settings() -> type[ForumSettings]:
    return ForumSettings


@hookimpl
def register_demo() -> Callable[[DemoData], Awaitable[None]]:
    return demo_module.load


@hookimpl
def notifications(event: DomainEvent) -> Awaitable[list[Notice]]:
    return notices.notices_for(event)


@hookimpl
def studio_metrics(organisation_ids: list[int], year: int) -> Awaitable[dict[int, dict[str, int]]]:
    return notices.salons_held(organisation_ids, year)


@hookimpl
def growth_items(person_id: int, before: datetime | None, limit: int) -> Awaitable[list[GrowthItem]]:
    return notices.spoken_at(person_id, before, limit)
