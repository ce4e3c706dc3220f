"""A federation (海州市总工会) with assessment on and three studios, one of each level, under an
enterprise; another federation with its own admin; and a test plugin whose ``studio_metrics``
answers the figures a test sets (``world.figures.set(studio, year, problems_solved=2)``).

The world's client runs on every in-tree plugin plus that test plugin.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from core import hookimpl
from core.organisations.models import Organisation, OrganisationKind, OrganisationLevel, OrganisationPlugin
from core.people.models import MembershipRole
from core.plugin_api import DomainEvent
from core.runtime import Runtime
from host.plugins import build_plugin_manager
from host.testing import GraphQLClient, User, client_for, gid, make_org, runtime_with
from plugins.assessment import PLUGIN

TARGETS = {
    "municipal": {"problems_solved": 2, "achievements": 1},
    "district": {"problems_solved": 1},
    "enterprise": {"problems_solved": 1},
}

RUN = """
mutation($input: AssessmentRunInput!) {
  assessmentRun(input: $input) {
    assessments { id year level result decision shortfalls organisation { name status } }
    errors { code field }
  }
}"""


@dataclass(eq=False)  # hashable by identity, as pluggy needs
class Figures:
    """A test plugin: ``studio_metrics`` answers what the test set, per (studio, year)."""

    table: dict[tuple[int, int], dict[str, int]] = field(default_factory=dict)
    asked: list[tuple[tuple[int, ...], int]] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)

    def set(self, studio: Organisation, year: int, **figures: int) -> None:
        self.table[(studio.id, year)] = figures

    @hookimpl
    def studio_metrics(self, organisation_ids: list[int], year: int) -> dict[int, dict[str, int]]:
        self.asked.append((tuple(organisation_ids), year))
        return {pk: self.table[(pk, year)] for pk in organisation_ids if (pk, year) in self.table}

    @hookimpl
    def on_event(self, event: DomainEvent) -> None:
        self.events.append(event)


@dataclass
class World:
    gql: GraphQLClient
    rt: Runtime
    figures: Figures
    federation: Organisation
    enterprise: Organisation
    municipal: Organisation
    district: Organisation
    company: Organisation  # an enterprise-level studio
    other_federation: Organisation
    fed_admin: User
    other_admin: User
    studio_admin: User  # admin of the municipal studio only
    leader: User  # leader (领衔人) of the district studio
    member: User  # a member of the municipal studio

    @property
    def studios(self) -> list[Organisation]:
        return [self.municipal, self.district, self.company]

    async def run(self, year: int, user: User | None = None, federation: Organisation | None = None) -> dict[str, Any]:
        variables = {"input": {"federationId": gid("Organisation", (federation or self.federation).id), "year": year}}
        payload: dict[str, Any] = (await self.gql(RUN, variables, user=user or self.fed_admin))["assessmentRun"]
        return payload

    async def results(self, year: int) -> dict[str, str]:
        payload = await self.run(year)
        assert payload["errors"] == []
        return {row["organisation"]["name"]: row["result"] for row in payload["assessments"]}


async def studio(name: str, level: OrganisationLevel, parent: Organisation, **fields: Any) -> Organisation:
    org = await make_org(name, OrganisationKind.STUDIO, parent, level=level, status="ACTIVE", **fields)
    await OrganisationPlugin.create(organisation=org, plugin=PLUGIN)
    return org


@pytest.fixture
async def world(rt: Runtime, gql: GraphQLClient) -> AsyncIterator[World]:
    figures = Figures()
    pm = build_plugin_manager(None, entry_points=False)
    pm.register(figures, name="figures")
    client = client_for(runtime_with(rt, pm))
    federation = await make_org(
        "海州市总工会", OrganisationKind.FEDERATION, level=OrganisationLevel.MUNICIPAL, region="海州市"
    )
    await OrganisationPlugin.create(organisation=federation, plugin=PLUGIN, settings=TARGETS)
    enterprise = await make_org("海州重工集团有限公司", parent=federation, region="海州市", industry="装备制造")
    municipal = await studio(
        "王建国劳模创新工作室", OrganisationLevel.MUNICIPAL, enterprise, region="海州市", industry="焊接"
    )
    district = await studio(
        "李红梅技能大师工作室", OrganisationLevel.DISTRICT, enterprise, region="东港区", industry="数控加工"
    )
    company = await studio(
        "张志强工匠创新工作室", OrganisationLevel.ENTERPRISE, enterprise, region="东港区", industry="汽车NVH"
    )
    other = await make_org("临港市总工会", OrganisationKind.FEDERATION, level=OrganisationLevel.MUNICIPAL)
    await OrganisationPlugin.create(organisation=other, plugin=PLUGIN)
    fed_admin = await client.user("周文博", org=federation, role=MembershipRole.ADMIN)
    other_admin = await client.user("吴秀英", org=other, role=MembershipRole.ADMIN)
    studio_admin = await client.user("王建国", org=municipal, role=MembershipRole.LEADER)
    leader = await client.user("李红梅", org=district, role=MembershipRole.LEADER)
    assert leader.person is not None
    await Organisation.filter(id=district.id).update(leader_id=leader.person.id)
    member = await client.user("陈海涛", org=municipal)
    yield World(
        client,
        client.rt,
        figures,
        federation,
        enterprise,
        municipal,
        district,
        company,
        other,
        fed_admin,
        other_admin,
        studio_admin,
        leader,
        member,
    )
    await client.http.aclose()
