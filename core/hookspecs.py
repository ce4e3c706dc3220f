"""Every hook a Guildhall plugin can implement.

pluggy calls hooks synchronously. Hooks marked "may return an awaitable" can be ``async def``;
the host awaits the result. Implementations may accept fewer arguments than the spec.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from core import hookspec

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.routing import BaseRoute

    from core.plugin_api import DemoData, DomainEvent, ModelApp, TypeExtension


@hookspec
def register_models() -> ModelApp | None:
    """Return the plugin's Tortoise app (label, model modules, migrations package).

    Called once when the database is configured, before migrations run.
    Foreign keys into core use strings such as ``"core.Person"``.
    """


@hookspec
def register_queries() -> list[type]:
    """Return strawberry types whose fields are merged into ``Query``.

    Called once per schema build. A field name used by two plugins is a start-up error.
    """


@hookspec
def register_mutations() -> list[type]:
    """Return strawberry types whose fields are merged into ``Mutation``.

    Called once per schema build. Mutations follow ``nounVerb(input:) -> NounVerbPayload``.
    """


@hookspec
def register_subscriptions() -> list[type]:
    """Return strawberry types whose async-generator fields are merged into ``Subscription``.

    Called once per schema build.
    """


@hookspec
def register_types() -> list[type]:
    """Return extra strawberry types the schema must contain though no field returns them.

    Called once per schema build (e.g. ``Node`` types only reachable through ``node(id:)``).
    """


@hookspec
def extend_types() -> list[TypeExtension]:
    """Return fields to add to core types (e.g. ``Person.mentorships``).

    Called once per schema build. The fields exist only in the schema being built, so two
    schemas with different plugin sets never share them. A clash with an existing field is a
    start-up error naming both sides.
    """


@hookspec
def register_routes() -> list[BaseRoute]:
    """Return Starlette routes to mount in the app (e.g. a calendar feed).

    Called once when the app is created.
    """


@hookspec
def organisation_settings() -> dict[str, Any]:
    """Return the plugin's per-organisation settings with their default values.

    Called when settings are read or changed; stored values override these defaults, and a
    stored value must have the same type as its default.
    """


@hookspec
def startup(app: Starlette) -> Awaitable[None] | None:
    """Run when the app starts, after the database and Redis are ready. May return an awaitable."""


@hookspec
def shutdown(app: Starlette) -> Awaitable[None] | None:
    """Run when the app stops, before connections close. May return an awaitable."""


@hookspec
def load_demo_data(demo: DemoData) -> Awaitable[None] | None:
    """Add the plugin's demo data on top of the core demo; ``demo`` names what core created.

    Called by ``guildhall demo`` only for an empty database, inside its transaction.
    May return an awaitable.
    """


@hookspec
def on_event(event: DomainEvent) -> Awaitable[None] | None:
    """Observe a domain event (e.g. ``training.waitlist_promoted``) after its transaction commits.

    May return an awaitable. Errors are logged and do not undo the event.
    """
