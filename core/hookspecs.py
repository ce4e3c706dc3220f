"""Every hook a Guildhall plugin can implement.

The ``register_*``, ``extend_types`` and ``organisation_settings`` hooks are asked once, when the
host builds its registry at start-up (``host.registry.build_registry``); what they return is
frozen there and never asked for again on the request path. ``startup``, ``shutdown`` and
``on_event`` are actions, called through pluggy when they happen. pluggy calls hooks
synchronously: hooks marked "may return an awaitable" can be ``async def`` and the host awaits
the result. Implementations may accept fewer arguments than the spec. Core registers itself
through these same hooks (``core/plugin.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from core import hookspec

if TYPE_CHECKING:
    from datetime import datetime

    from starlette.applications import Starlette
    from starlette.routing import BaseRoute

    from core.plugin_api import (
        DemoData,
        DomainEvent,
        GrowthItem,
        ModelApp,
        Notice,
        PluginSettings,
        TypeExtension,
    )


@hookspec
def register_models() -> ModelApp | None:
    """Return the plugin's Tortoise app (label, model modules, migrations package).

    Foreign keys into core use strings such as ``"core.Person"``; the label is also the
    argument of ``guildhall makemigrations LABEL``.
    """


@hookspec
def register_queries() -> list[type]:
    """Return strawberry types whose fields are merged into ``Query``.

    A field name used by two plugins is a start-up error.
    """


@hookspec
def register_mutations() -> list[type]:
    """Return strawberry types whose fields are merged into ``Mutation``.

    Mutations follow ``nounVerb(input:) -> NounVerbPayload``. Each mutation of an activity plugin
    declares the organisation it acts in (``metadata=in_organisation(...)``, ``in_owner_of(...)``
    or ``in_no_organisation()`` from ``core.plugin_api``); the host then refuses it with
    ``PLUGIN_DISABLED`` where the plugin is off, turns a ``UserInputError`` raised by a service
    into the payload's ``errors``, and clears the request's loaders after it ran.
    """


@hookspec
def register_subscriptions() -> list[type]:
    """Return strawberry types whose async-generator fields are merged into ``Subscription``.

    Subscriptions check what the viewer may see per event.
    """


@hookspec
def register_types() -> list[type]:
    """Return extra strawberry types the schema must contain though no field returns them.

    E.g. ``Node`` types only reachable through ``node(id:)``.
    """


@hookspec
def extend_types() -> list[TypeExtension]:
    """Return fields to add to core types (e.g. ``Person.mentorships``).

    The fields exist only in the schema being built, so two schemas with different plugin sets
    never share them. A clash with an existing field is a start-up error naming both sides.
    List and connection fields on ``Organisation`` are empty where the plugin is switched off.
    """


@hookspec
def register_routes() -> list[BaseRoute]:
    """Return Starlette routes to mount in the app (e.g. a calendar feed).

    """


@hookspec
def organisation_settings() -> type[PluginSettings]:
    """Return the pydantic model (a ``PluginSettings`` subclass) of the plugin's per-organisation
    settings: defaults, ranges and validators.

    ``pluginConfigure`` validates against it and answers field-level errors; admins read the
    effective values on ``Organisation.plugins``; services read them with
    ``core.organisations.activation.plugin_settings``.
    """


@hookspec
def startup(app: Starlette) -> Awaitable[None] | None:
    """Run when the app starts, after the database and Redis are ready. May return an awaitable."""


@hookspec
def shutdown(app: Starlette) -> Awaitable[None] | None:
    """Run when the app stops, before connections close. May return an awaitable."""


@hookspec
def register_demo() -> Callable[[DemoData], Awaitable[None]]:
    """Return an async function that adds the plugin's demo data; ``demo`` names what core and
    the plugins before it created.

    ``guildhall demo`` runs them in registration order (core first), only for an empty database,
    inside one transaction.
    """


@hookspec
def on_event(event: DomainEvent) -> Awaitable[None] | None:
    """Observe a domain event (e.g. ``training.waitlist_promoted``) after its transaction commits.

    May return an awaitable. Errors are logged and do not undo the event.
    """


@hookspec
def notifications(event: DomainEvent) -> Awaitable[list[Notice]] | list[Notice] | None:
    """Turn a domain event into notices for people (e.g. ``forum.post_created`` -> the mentioned).

    Called by core (``core.events.emit``, after ``on_event``) once the event's transaction
    committed, each plugin on its own: an error is logged and loses only that plugin's notices.
    Core drops malformed notices and those to their own actor, stores the rest in one statement
    in each recipient's inbox (``me.notifications``, newest ``notification_retention`` kept),
    pushes them on ``notificationAdded`` and shows them only while the recipient may see the
    notice's subject. May return an awaitable. Answer ``None`` or ``[]`` for events of other
    plugins. docs/plugins.md lists the kinds.
    """


@hookspec
def studio_metrics(
    organisation_ids: list[int], year: int
) -> Awaitable[dict[int, dict[str, int]]] | dict[int, dict[str, int]]:
    """What each of these organisations (studios) did in ``year``: ``{id: {metric: figure}}``.

    Names are ``core.plugin_api.StudioMetric`` where one fits; the year is
    ``core.plugin_api.year_bounds(year)``. Batched: a fixed number of SQL statements whatever
    the number of ids. Figures for the same name from several plugins are added up; missing
    ids or names count 0. May return an awaitable.
    """


@hookspec
def growth_items(
    person_id: int, before: datetime | None, limit: int
) -> Awaitable[list[GrowthItem]] | list[GrowthItem]:
    """Up to ``limit`` entries of the person's growth record with ``at <= before`` (all when
    ``before`` is None), newest first, in a fixed number of SQL statements.

    Core merges every plugin's entries into ``Person.growth`` and shows each only where the
    viewer may see its subject. May return an awaitable.
    """
