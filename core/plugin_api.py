"""What plugins hand to the host through hooks, and what the host promises them back.

Import paths for plugin authors: hook markers from ``core`` (``from core import hookimpl``),
these data types and declarations from ``core.plugin_api``.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, cast
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict
from tortoise.models import Model

if TYPE_CHECKING:
    from core.organisations.models import Organisation
    from core.people.models import Person
    from core.skills.models import Skill


class PluginError(RuntimeError):
    """A plugin set that cannot start: unknown hook, duplicate field, missing declaration."""


@dataclass(frozen=True)
class ModelApp:
    """A plugin's Tortoise app: its own label, model modules and migrations package."""

    label: str
    models: list[str]
    migrations: str


@dataclass(frozen=True)
class TypeExtension:
    """Fields of the strawberry type ``fields`` appended to the core type ``target``.

    Resolvers take the core object as ``parent: strawberry.Parent[Person]`` (or ``self``).
    List fields added to ``Organisation`` are empty for organisations that have not switched
    the plugin on: the host guards them.
    """

    target: type
    fields: type


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened, observable by every plugin (``on_event``) and by subscribers."""

    name: str
    payload: dict[str, Any] = field(default_factory=dict)
    organisation_id: int | None = None
    # What the event is about, as a global ID: a subscriber receives the event only if
    # ``node(id: subject)`` would show it the subject (``core.subscriptions``).
    subject: str | None = None
    # Payload keys only for viewers who see the subject's private fields (``ModelNode.can_see_private``).
    private: tuple[str, ...] = ()
    # People the event is about: without a subject, they (and the organisation's admins) receive it.
    audience: tuple[int, ...] = ()


@dataclass(frozen=True)
class Notice:
    """One notification for one person, made from a domain event by a ``notifications`` hook.

    Core's inbox stores it, pushes it on ``notificationAdded`` and lists it on
    ``me.notifications`` only while the recipient may still see ``subject`` (``node(id:)``'s
    policy). A notice whose recipient is its actor is dropped, and so is a malformed one (a
    ``kind`` that is not a dotted name of at most 64 characters, a ``subject`` that is not a
    global ID); the summary is made one line and cut to 200 characters.
    """

    recipient_id: int  # a Person id
    kind: str  # namespaced by plugin, e.g. "forum.mentioned", "training.waitlist_promoted"
    subject: str  # global ID of what the notice links to
    actor_id: int | None = None  # the Person who caused it, if any
    summary: str = ""  # one short line for the list (longer ones are cut to 200 characters)


class StudioMetric:
    """Standard names for ``studio_metrics`` figures, so that assessment targets can refer to them.

    Plugins may add their own names (namespaced, e.g. ``"forum.threads"``); figures for the same
    name from several plugins are added up.
    """

    INNOVATION_PROJECTS = "innovation_projects"
    PROBLEMS_SOLVED = "problems_solved"
    SERVICE_VISITS = "service_visits"
    WORKERS_TRAINED = "workers_trained"
    APPRENTICES_GRADUATED = "apprentices_graduated"
    TRAINING_SESSIONS = "training_sessions"
    TRAINING_ATTENDANCES = "training_attendances"
    SALONS_HELD = "salons_held"
    ACHIEVEMENTS = "achievements"
    ECONOMIC_BENEFIT = "economic_benefit"  # yuan


# Studio years are calendar years in China Standard Time, whatever the server's zone.
STUDIO_YEAR_ZONE = ZoneInfo("Asia/Shanghai")


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[start, end) of ``year`` in China Standard Time, as UTC datetimes for ``studio_metrics``
    and statistics: UTC because SQLite compares stored timestamps (kept in UTC) as text."""
    return (
        datetime(year, 1, 1, tzinfo=STUDIO_YEAR_ZONE).astimezone(UTC),
        datetime(year + 1, 1, 1, tzinfo=STUDIO_YEAR_ZONE).astimezone(UTC),
    )


@dataclass(frozen=True)
class GrowthItem:
    """One entry of a person's growth record (``growth_items`` hook), e.g. a graduation."""

    at: datetime
    kind: str  # namespaced by plugin, e.g. "mentorship.graduated", "core.honour"
    title: str  # one short line, Chinese where the data is
    subject: str | None = None  # global ID it links to; the entry shows only if the viewer may see it


@dataclass
class DemoData:
    """What the demo created so far, by key, so each plugin's demo builds on core's."""

    organisations: dict[str, Organisation] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    skills: dict[str, Skill] = field(default_factory=dict)
    # (username, password, who) lines printed by `guildhall demo`.
    accounts: list[tuple[str, str, str]] = field(default_factory=list)


# Settings -------------------------------------------------------------------------------------


class PluginSettings(BaseModel):
    """Base of a plugin's per-organisation settings (``organisation_settings`` hook).

    Every field needs a default; use pydantic constraints (``Field(ge=1, le=50)``) and
    ``TimeZoneName`` so that ``pluginConfigure`` refuses bad values field by field.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _known_time_zone(name: str) -> str:
    if name not in _time_zones():
        raise ValueError(f"{name!r} is not a known time zone (an IANA name such as Asia/Shanghai)")
    ZoneInfo(name)  # loads, so a listed but broken zone fails here rather than on use
    return name


TimeZoneName = Annotated[str, AfterValidator(_known_time_zone)]
"""An IANA time zone name, checked with ``zoneinfo`` (``Mars/Olympus`` is refused)."""


# Activation ------------------------------------------------------------------------------------

ACTS_IN = "guildhall.acts_in"
"""Key of the ``ActsIn`` declaration in a strawberry field's ``metadata``."""

OrganisationOf = Callable[[dict[str, Any]], Awaitable[int | None]]


@dataclass(frozen=True)
class ActsIn:
    """Which organisation an operation acts in, found from the resolver's arguments.

    ``organisation_of`` answers None when it cannot tell (a bad or unknown ID): the resolver
    then runs and reports that problem itself. ``organisation_of=None`` declares an operation
    that acts in no organisation (e.g. the viewer's own calendar feed).
    """

    organisation_of: OrganisationOf | None
    field: str | None = None
    # What the declaration reads, for documentation and the tests that walk every operation.
    path: str | None = None
    type_name: str | None = None
    model: type[Model] | None = None


def _argument(arguments: dict[str, Any], path: str) -> Any:
    value: Any = arguments
    for name in path.split("."):
        value = value.get(name) if isinstance(value, dict) else getattr(value, name, None)
        if value is None:
            return None
    return value


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _pk_of(value: Any, type_name: str) -> int | None:
    from core.errors import UserInputError
    from core.relay import decode_id

    try:
        return decode_id(value, type_name, "id")
    except UserInputError:
        return None


def in_organisation(path: str = "input.organisation_id") -> dict[str, ActsIn]:
    """Field metadata: the operation acts in the organisation whose global ID is at ``path``
    (dotted Python names of the resolver's arguments)."""

    async def organisation_of(arguments: dict[str, Any]) -> int | None:
        return _pk_of(_argument(arguments, path), "Organisation")

    from core.organisations.models import Organisation

    return {ACTS_IN: ActsIn(organisation_of, _camel(path.rsplit(".", 1)[-1]), path, "Organisation", Organisation)}


def in_owner_of(
    model: type[Model], type_name: str, path: str = "input.id", organisation: str = "organisation_id"
) -> dict[str, ActsIn]:
    """Field metadata: the operation acts in the organisation that owns the ``model`` row whose
    global ID (of ``type_name``) is at ``path``; ``organisation`` is the column or a related
    lookup such as ``session__organisation_id``."""

    async def organisation_of(arguments: dict[str, Any]) -> int | None:
        pk = _pk_of(_argument(arguments, path), type_name)
        if pk is None:
            return None
        found = await model.filter(pk=pk).values_list(organisation, flat=True)
        # flat=True answers the column's values; tortoise types every values_list() as tuples.
        return cast("int", found[0]) if found else None

    return {ACTS_IN: ActsIn(organisation_of, _camel(path.rsplit(".", 1)[-1]), path, type_name, model)}


LIST_SIZE = "guildhall.list_size"
"""Key of a list field's fixed bound in its ``metadata`` (``list_size``), read by the query cost."""


def list_size(items: int) -> dict[str, int]:
    """Field metadata: this list never has more than ``items`` entries (e.g. one per enum value),
    so the query cost counts ``items`` for it rather than a default page."""
    return {LIST_SIZE: items}


ORDER_SENSITIVE = "guildhall.order_sensitive"
"""Key of ``order_sensitive()`` in a field's ``metadata``, read by the compiled executor."""


def order_sensitive() -> dict[str, bool]:
    """Field metadata: the field's answer depends on the order in which the fields of a request
    are resolved (``Person.growth`` answers for the first person asked only). Documents that
    select it run on graphql-core's executor, whose order is the reference, never on a compiled
    plan (``schema/compiled.py``), which resolves level by level."""
    return {ORDER_SENSITIVE: True}


def in_no_organisation() -> dict[str, ActsIn]:
    """Field metadata: the operation belongs to the viewer, not to an organisation."""
    return {ACTS_IN: ActsIn(None)}
