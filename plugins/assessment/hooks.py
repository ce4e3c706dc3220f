"""Hook wiring of the assessment plugin: models, schema, routes, settings, events, notices,
metrics and demo data; no logic."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.routing import BaseRoute

from core import hookimpl
from core.organisations.types import Organisation
from core.people.types import Person
from core.plugin_api import DemoData, DomainEvent, ModelApp, Notice, TypeExtension
from plugins.assessment import demo as demo_module
from plugins.assessment import events, exports, notices, stats
from plugins.assessment.mutations import AssessmentMutations
from plugins.assessment.queries import AssessmentQueries
from plugins.assessment.settings import AssessmentSettings
from plugins.assessment.types import (
    Achievement,
    OrganisationAssessmentFields,
    PersonAssessmentFields,
    StudioAssessment,
)


@hookimpl
def register_models() -> ModelApp:
    return ModelApp(
        label="assessment", models=["plugins.assessment.models"], migrations="plugins.assessment.migrations"
    )


@hookimpl
def register_queries() -> list[type]:
    return [AssessmentQueries]


@hookimpl
def register_mutations() -> list[type]:
    return [AssessmentMutations]


@hookimpl
def register_types() -> list[type]:
    # Reachable through node(id:) and as the subjects of events and notices.
    return [Achievement, StudioAssessment]


@hookimpl
def extend_types() -> list[TypeExtension]:
    return [
        TypeExtension(target=Person, fields=PersonAssessmentFields),
        TypeExtension(target=Organisation, fields=OrganisationAssessmentFields),
    ]


@hookimpl
def register_routes() -> list[BaseRoute]:
    return list(exports.routes())


@hookimpl
def organisation_settings() -> type[AssessmentSettings]:
    return AssessmentSettings


@hookimpl
def on_event(event: DomainEvent) -> Awaitable[Any] | None:
    return events.observe(event)


@hookimpl
def notifications(event: DomainEvent) -> list[Notice]:
    return notices.notices_for(event)


@hookimpl
def studio_metrics(organisation_ids: list[int], year: int) -> Awaitable[dict[int, dict[str, int]]]:
    return stats.achievement_metrics(organisation_ids, year)


@hookimpl
def register_demo() -> Callable[[DemoData], Awaitable[None]]:
    return demo_module.load
