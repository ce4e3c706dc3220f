"""Hook wiring of the training plugin: models, schema, routes, settings and demo data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from starlette.routing import BaseRoute

from core import hookimpl
from core.organisations.types import Organisation
from core.people.types import Person
from core.plugin_api import DemoData, DomainEvent, GrowthItem, ModelApp, Notice, TypeExtension
from plugins.training import calendar, notices, stats
from plugins.training import demo as demo_module
from plugins.training.mutations import TrainingMutations
from plugins.training.queries import TrainingQueries
from plugins.training.settings import TrainingSettings
from plugins.training.types import OrganisationTrainingFields, PersonTrainingFields


@hookimpl
def register_models() -> ModelApp:
    return ModelApp(label="training", models=["plugins.training.models"], migrations="plugins.training.migrations")


@hookimpl
def register_queries() -> list[type]:
    return [TrainingQueries]


@hookimpl
def register_mutations() -> list[type]:
    return [TrainingMutations]


@hookimpl
def extend_types() -> list[TypeExtension]:
    return [
        TypeExtension(target=Person, fields=PersonTrainingFields),
        TypeExtension(target=Organisation, fields=OrganisationTrainingFields),
    ]


@hookimpl
def register_routes() -> list[BaseRoute]:
    return list(calendar.routes())


@hookimpl
def organisation_settings() -> type[TrainingSettings]:
    return TrainingSettings


@hookimpl
def register_demo() -> Callable[[DemoData], Awaitable[None]]:
    return demo_module.load


@hookimpl
def studio_metrics(organisation_ids: list[int], year: int) -> Awaitable[dict[int, dict[str, int]]]:
    return stats.studio_metrics(organisation_ids, year)


@hookimpl
def notifications(event: DomainEvent) -> Awaitable[list[Notice]]:
    return notices.notices(event)


@hookimpl
def growth_items(person_id: int, before: datetime | None, limit: int) -> Awaitable[list[GrowthItem]]:
    from plugins.training import growth

    return growth.growth_items(person_id, before, limit)
