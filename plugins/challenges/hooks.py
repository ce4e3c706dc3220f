"""Hook wiring of the challenges plugin: models, schema, settings, demo data, notifications,
studio metrics and growth records; no logic."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from core import hookimpl
from core.organisations.types import Organisation
from core.people.types import Person
from core.plugin_api import DemoData, DomainEvent, GrowthItem, ModelApp, Notice, TypeExtension
from plugins.challenges import demo, notices, stats
from plugins.challenges.mutations import ChallengesMutations
from plugins.challenges.queries import ChallengesQueries
from plugins.challenges.settings import ChallengesSettings
from plugins.challenges.types import (
    Bid,
    OrganisationChallengesFields,
    PersonChallengesFields,
    ProblemMilestone,
    ProblemOutcome,
    ServiceVisit,
)


@hookimpl
def register_models() -> ModelApp:
    return ModelApp(
        label="challenges", models=["plugins.challenges.models"], migrations="plugins.challenges.migrations"
    )


@hookimpl
def register_queries() -> list[type]:
    return [ChallengesQueries]


@hookimpl
def register_mutations() -> list[type]:
    return [ChallengesMutations]


@hookimpl
def register_types() -> list[type]:
    # Reachable through node(id:) (and notices' subjects) as well as through problems.
    return [Bid, ProblemMilestone, ProblemOutcome, ServiceVisit]


@hookimpl
def extend_types() -> list[TypeExtension]:
    return [
        TypeExtension(target=Organisation, fields=OrganisationChallengesFields),
        TypeExtension(target=Person, fields=PersonChallengesFields),
    ]


@hookimpl
def organisation_settings() -> type[ChallengesSettings]:
    return ChallengesSettings


@hookimpl
def register_demo() -> Callable[[DemoData], Awaitable[None]]:
    return demo.load


@hookimpl
def notifications(event: DomainEvent) -> Awaitable[list[Notice]]:
    return notices.notices_for(event)


@hookimpl
def studio_metrics(organisation_ids: list[int], year: int) -> Awaitable[dict[int, dict[str, int]]]:
    return stats.studio_metrics(organisation_ids, year)


@hookimpl
def growth_items(person_id: int, before: datetime | None, limit: int) -> Awaitable[list[GrowthItem]]:
    return stats.growth_items(person_id, before, limit)
