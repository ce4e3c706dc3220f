"""Plain data that plugins hand to the host through hooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ModelApp:
    """A plugin's Tortoise app: its own label, model modules and migrations package."""

    label: str
    models: list[str]
    migrations: str


@dataclass(frozen=True)
class TypeExtension:
    """Fields of the strawberry type ``fields`` appended to the core type ``target``.

    The resolvers receive the core type's instance as ``self`` (e.g. a ``Person``).
    """

    target: type
    fields: type


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened, observable by every plugin (``on_event``) and by subscribers."""

    name: str
    payload: dict[str, Any] = field(default_factory=dict)
    organisation_id: int | None = None


@dataclass
class DemoData:
    """What the core demo created, by key, so plugins can build on it."""

    organisations: dict[str, Any] = field(default_factory=dict)
    people: dict[str, Any] = field(default_factory=dict)
    skills: dict[str, Any] = field(default_factory=dict)
    # (username, password, who) lines printed by `guildhall demo`.
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
