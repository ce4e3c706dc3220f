"""Hook wiring of the mentorship plugin: models, schema parts, settings, demo data; no logic."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from core import hookimpl
from core.organisations.types import Organisation
from core.people.types import Person
from core.plugin_api import DemoData, DomainEvent, GrowthItem, ModelApp, Notice, TypeExtension
from plugins.mentorship import demo, notices, stats
from plugins.mentorship.mutations import MentorshipMutations
from plugins.mentorship.queries import MentorshipQueries
from plugins.mentorship.settings import MentorshipSettings
from plugins.mentorship.types import (
    MentorshipMilestone,
    OrganisationMentorshipFields,
    PersonMentorshipFields,
)


@hookimpl
def register_models() -> ModelApp:
    return ModelApp(
        label="mentorship",
        models=["plugins.mentorship.models"],
        migrations="plugins.mentorship.migrations",
    )


@hookimpl
def register_queries() -> list[type]:
    return [MentorshipQueries]


@hookimpl
def register_mutations() -> list[type]:
    return [MentorshipMutations]


@hookimpl
def register_types() -> list[type]:
    # Milestones are also reachable on their own through node(id:).
    return [MentorshipMilestone]


@hookimpl
def extend_types() -> list[TypeExtension]:
    return [
        TypeExtension(target=Person, fields=PersonMentorshipFields),
        TypeExtension(target=Organisation, fields=OrganisationMentorshipFields),
    ]


@hookimpl
def organisation_settings() -> type[MentorshipSettings]:
    return MentorshipSettings


@hookimpl
def register_demo() -> Callable[[DemoData], Awaitable[None]]:
    return demo.load


@hookimpl
def studio_metrics(organisation_ids: list[int], year: int) -> Awaitable[dict[int, dict[str, int]]]:
    return stats.studio_metrics(organisation_ids, year)


@hookimpl
def notifications(event: DomainEvent) -> Awaitable[list[Notice]]:
    return notices.notices(event)


@hookimpl
def growth_items(person_id: int, before: datetime | None, limit: int) -> Awaitable[list[GrowthItem]]:
    from plugins.mentorship import growth

    return growth.growth_items(person_id, before, limit)
