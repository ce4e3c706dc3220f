"""Test data for any GraphQL type, made generically: a small registry of per-type factories.

The schema-wide statement-count test (``host.testing.nplusone``) nests every list field of every
``Node`` type under ``nodes(ids:)`` at 10 and 100 rows, so it needs, for each such type, rows
whose fields have something to show. A factory makes ``count`` rows of one GraphQL type inside a
``World`` (one studio, its parent union and an alliance it leads, every plugin switched on) and
answers their primary keys; *extenders* add a plugin's data to rows another factory made (the
training plugin gives every ``Organisation`` a course, so ``Organisation.trainingCourses`` has
rows to check).

Factories are test code, never production code. Core's are here; a plugin ships its own in its
tests, in a module with ``def guildhall_factories(factories: Factories) -> None`` that the
``guildhall_factories`` ini option names (``tests.plugins.{plugin}.factories`` by default; the
``{plugin}`` part is filled with each loaded plugin's name). A type without a factory is an
error (``MissingFactory``), never a skipped check.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.audit.models import AuditEntry
from core.organisations.models import (
    AllianceInvitation,
    AllianceMembership,
    AllianceRole,
    Organisation,
    OrganisationKind,
    OrganisationPlugin,
    StudioStatus,
)
from core.people.models import Honour, HonourLevel, Membership, MembershipInvitation, MembershipRole, Person
from core.relay import to_global_id
from core.skills.models import PersonSkill, Skill

Factory = Callable[["World", int], Awaitable[list[int]]]
Extender = Callable[["World", list[int]], Awaitable[None]]
Arguments = Callable[["World"], dict[str, Any]]
DEFAULT_MODULES = ("tests.plugins.{plugin}.factories",)


class MissingFactory(LookupError):
    """A GraphQL type has list fields to check but nobody said how to make its rows."""


@dataclass
class World:
    """Where factories build: ``org`` (a studio under ``union``, leading ``alliance``) with every
    plugin switched on, ``skill`` and ``person``; the member and admin viewers of the
    statement-count test belong to ``org``."""

    factories: Factories
    union: Organisation
    org: Organisation
    alliance: Organisation
    skill: Skill
    person: Person  # a bare member of ``org`` (a trainer, an enrolled person…), made by no factory
    plugins: tuple[str, ...]
    now: datetime
    serial: int = 0
    made: dict[str, list[int]] = field(default_factory=dict)

    def name(self, prefix: str) -> str:
        """A name no other row of this world has (unique columns)."""
        self.serial += 1
        return f"{prefix}{self.serial}"

    async def make(self, type_name: str, count: int) -> list[int]:
        """``count`` rows of ``type_name`` through its factory and extenders."""
        return await self.factories.make(self, type_name, count)

    async def enable_plugins(self, org_ids: Iterable[int]) -> None:
        await OrganisationPlugin.bulk_create(
            [OrganisationPlugin(organisation_id=org_id, plugin=name) for org_id in org_ids for name in self.plugins]
        )

    @classmethod
    async def create(cls, factories: Factories, plugins: Sequence[str], now: datetime) -> World:
        union = await Organisation.create(name="机械冶金工会", kind=OrganisationKind.INDUSTRY_UNION)
        org = await Organisation.create(
            name="李明焊接创新工作室", kind=OrganisationKind.STUDIO, parent=union, status=StudioStatus.ACTIVE
        )
        alliance = await Organisation.create(name="焊接创新联盟", kind=OrganisationKind.ALLIANCE)
        await AllianceMembership.create(alliance=alliance, organisation=org, role=AllianceRole.LEAD)
        skill = await Skill.create(name="焊接")
        person = await Person.create(name="王师傅")
        await Membership.create(person=person, organisation=org)
        world = cls(factories, union, org, alliance, skill, person, tuple(plugins), now)
        await world.enable_plugins([union.id, org.id, alliance.id])
        return world


class Factories:
    """Factories and extenders by GraphQL type name."""

    def __init__(self) -> None:
        self._factories: dict[str, Factory] = {}
        self._extenders: dict[str, list[Extender]] = {}
        self._arguments: dict[str, Arguments] = {}
        self._unsized: dict[str, str] = {}

    def factory(self, type_name: str) -> Callable[[Factory], Factory]:
        """Decorator: ``@factories.factory("TrainingCourse") async def make(world, count) -> ids``."""

        def register(make: Factory) -> Factory:
            if type_name in self._factories:
                raise ValueError(f"two factories for {type_name}")
            self._factories[type_name] = make
            return make

        return register

    def extender(self, type_name: str) -> Callable[[Extender], Extender]:
        """Decorator: ``@factories.extender("Organisation") async def add(world, ids) -> None`` adds a
        plugin's rows to rows of a type another plugin (or core) makes."""

        def register(extend: Extender) -> Extender:
            self._extenders.setdefault(type_name, []).append(extend)
            return extend

        return register

    def arguments(self, field: str, given: Arguments) -> None:
        """Values for the required arguments of ``Type.field`` (``"Organisation.trainingStats"``)
        in a world, e.g. ``lambda world: {"year": world.now.year}``."""
        self._arguments[field] = given

    def arguments_for(self, field: str, world: World) -> dict[str, Any]:
        given = self._arguments.get(field)
        return {} if given is None else given(world)

    def unsized(self, field: str, reason: str) -> None:
        """A list with no length this test can vary: a root list without ``first``
        (``Query.installedPlugins``: the registry, no rows), or a list under a root object no
        parent list reaches (``AssessmentStats.groups``: a report, whose cost its plugin's own
        test checks against the number of studios). ``reason`` says why, and where it is checked."""
        self._unsized[field] = reason

    def unsized_reason(self, field: str) -> str | None:
        return self._unsized.get(field)

    def __contains__(self, type_name: object) -> bool:
        return type_name in self._factories

    async def make(self, world: World, type_name: str, count: int) -> list[int]:
        make = self._factories.get(type_name)
        if make is None:
            raise MissingFactory(
                f"no test-data factory for {type_name}: register one with @factories.factory({type_name!r}) "
                "in the plugin's tests (see host/testing/factories.py)"
            )
        ids = await make(world, count)
        assert len(ids) == count, f"the {type_name} factory made {len(ids)} rows, not {count}"
        for extend in self._extenders.get(type_name, []):
            await extend(world, ids)
        world.made.setdefault(type_name, []).extend(ids)
        return ids

    def load(self, module_name: str) -> None:
        """Add the factories of a module that defines ``guildhall_factories(factories)``."""
        module = importlib.import_module(module_name)
        module.guildhall_factories(self)


def load_factories(plugins: Iterable[str], modules: Iterable[str] = DEFAULT_MODULES) -> Factories:
    """Core's factories and those of each plugin's factory module that exists (a module pattern
    may contain ``{plugin}``); a plugin without one simply contributes none."""
    factories = Factories()
    core_factories(factories)
    for pattern in modules:
        for name in sorted(set(plugins)) if "{plugin}" in pattern else [""]:
            module_name = pattern.format(plugin=name)
            try:
                importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name is not None and module_name.startswith(exc.name):
                    continue  # no such module: the plugin brings no factories
                raise
            factories.load(module_name)
    return factories


# Core's types -------------------------------------------------------------------------------------


def core_factories(factories: Factories) -> None:
    factories.unsized("Query.installedPlugins", "answered from the plugin registry, no rows read")

    @factories.factory("Skill")
    async def skills(world: World, count: int) -> list[int]:
        names = [world.name("技能") for _ in range(count)]
        await Skill.bulk_create([Skill(name=name, category="制造") for name in names])
        return [s.id for s in await Skill.filter(name__in=names).order_by("id")]

    @factories.factory("Person")
    async def people(world: World, count: int) -> list[int]:
        """Members of the world's studio, each with a level, an honour and a pending invitation."""
        names = [world.name("职工") for _ in range(count)]
        await Person.bulk_create([Person(name=name, phone="13800000000", email="a@b.cn") for name in names])
        ids = [p.id for p in await Person.filter(name__in=names).order_by("id")]
        await Membership.bulk_create([Membership(person_id=i, organisation_id=world.org.id) for i in ids])
        await PersonSkill.bulk_create(
            [
                PersonSkill(person_id=i, skill_id=world.skill.id, level=3, awarded_by_organisation_id=world.org.id)
                for i in ids
            ]
        )
        await Honour.bulk_create(
            [
                Honour(
                    person_id=i,
                    title="五一劳动奖章",
                    level=HonourLevel.PROVINCIAL,
                    year=2020,
                    awarded_by_organisation_id=world.org.id,
                )
                for i in ids
            ]
        )
        await MembershipInvitation.bulk_create(
            [MembershipInvitation(person_id=i, organisation_id=world.alliance.id, invited_at=world.now) for i in ids]
        )
        return ids

    @factories.factory("MembershipInvitation")
    async def membership_invitations(world: World, count: int) -> list[int]:
        """The pending invitation (to the world's alliance) each new person gets."""
        people = await world.make("Person", count)
        rows = await MembershipInvitation.filter(person_id__in=people).order_by("person_id")
        return [row.id for row in rows]

    @factories.factory("AllianceInvitation")
    async def alliance_invitations(world: World, count: int) -> list[int]:
        """The invitation to the world's alliance each new organisation gets."""
        orgs = await world.make("Organisation", count)
        rows = await AllianceInvitation.filter(organisation_id__in=orgs).order_by("organisation_id")
        return [row.id for row in rows]

    @factories.factory("Organisation")
    async def organisations(world: World, count: int) -> list[int]:
        """Studios under the world's studio (so its admin manages them), each with a child, a leader,
        two members, an alliance membership, invitations both ways, audit entries and every plugin."""
        names = [world.name("工作室") for _ in range(count)]
        await Organisation.bulk_create(
            [
                Organisation(
                    name=name, kind=OrganisationKind.STUDIO, parent_id=world.org.id, status=StudioStatus.ACTIVE
                )
                for name in names
            ]
        )
        ids = [o.id for o in await Organisation.filter(name__in=names).order_by("id")]
        await Organisation.bulk_create(
            [Organisation(name=world.name("班组"), kind=OrganisationKind.STUDIO, parent_id=i) for i in ids]
        )
        await world.enable_plugins(ids)
        people = await world.make("Person", count)
        await Membership.bulk_create(
            [
                Membership(person_id=p, organisation_id=o, role=MembershipRole.ADMIN)
                for o, p in zip(ids, people, strict=True)
            ]
        )
        for o, p in zip(ids, people, strict=True):
            await Organisation.filter(id=o).update(leader_id=p)
        await AllianceMembership.bulk_create(
            [AllianceMembership(alliance_id=world.alliance.id, organisation_id=o) for o in ids]
        )
        await MembershipInvitation.bulk_create(
            [
                MembershipInvitation(person_id=world.made["Person"][0], organisation_id=o, invited_at=world.now)
                for o in ids
            ]
        )
        await AllianceInvitation.bulk_create(
            [AllianceInvitation(alliance_id=world.alliance.id, organisation_id=o, invited_at=world.now) for o in ids]
        )
        await AuditEntry.bulk_create(
            [
                AuditEntry(
                    occurred_at=world.now,
                    organisation_id=o,
                    action="organisation.updated",
                    target=to_global_id("Organisation", o),
                    actor_person_id=p,
                    after={"name": "x"},
                )
                for o, p in zip(ids, people, strict=True)
            ]
        )
        return ids
