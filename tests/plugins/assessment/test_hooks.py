"""Each hook the assessment plugin implements, through the host (``test_hook_<hook>``)."""

from __future__ import annotations

import asyncio
import inspect
from datetime import UTC, date, datetime, timedelta

import pytest

from core.organisations.metrics import studio_metrics
from core.organisations.models import Organisation, OrganisationKind, OrganisationLevel, StudioStatus
from core.people.models import MembershipRole, Person
from core.plugin_api import DomainEvent, Notice, StudioMetric
from core.relay import to_global_id
from core.runtime import Runtime
from core.skills.models import Skill
from host.demo import load_demo
from host.testing import GraphQLClient, gid
from plugins.assessment.models import Achievement, AchievementKind, AssessmentResult, StudioAssessment
from plugins.mentorship.models import Mentorship, MentorshipStatus
from plugins.training.models import EnrolmentStatus, SessionStatus, TrainingCourse, TrainingEnrolment, TrainingSession
from tests.plugins.assessment.conftest import World


async def test_hook_studio_metrics(world: World) -> None:
    """This plugin's figures (achievements), mentorship's and training's, added up by the host."""
    studio, other = world.municipal, world.district
    people = list(await Person.filter(memberships__organisation_id=studio.id))
    await Achievement.create(
        organisation=studio,
        title="焊接操作法",
        kind=AchievementKind.OPERATING_METHOD,
        year=2025,
        direct_benefit=100,
        indirect_benefit=20,
    )
    await Achievement.create(organisation=studio, title="论文", kind=AchievementKind.PAPER, year=2025)
    await Achievement.create(organisation=other, title="去年的成果", kind=AchievementKind.SOFTWARE, year=2024)
    skill = await Skill.create(name="焊接")
    for ended in (datetime(2025, 12, 31, 15, 59, tzinfo=UTC), datetime(2025, 12, 31, 16, 1, tzinfo=UTC)):
        # 23:59 and 00:01 in China Standard Time: only the first is in 2025.
        await Mentorship.create(
            mentor=people[0],
            apprentice=people[1],
            organisation=studio,
            skill=skill,
            planned_start=date(2025, 1, 1),
            status=MentorshipStatus.COMPLETED,
            ended_at=ended,
        )
    course = await TrainingCourse.create(organisation=studio, title="安全培训", hours=4, published=True)
    starts = datetime(2025, 5, 1, 1, tzinfo=UTC)
    held = await TrainingSession.create(
        course=course,
        organisation=studio,
        capacity=5,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        status=SessionStatus.COMPLETED,
    )
    await TrainingSession.create(
        course=course,
        organisation=studio,
        capacity=5,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        status=SessionStatus.CANCELLED,
    )
    for person in people:
        await TrainingEnrolment.create(session=held, person=person, status=EnrolmentStatus.ATTENDED, enrolled_at=starts)

    found = await studio_metrics(world.rt, [studio.id, other.id], 2025)
    assert {
        name: found[studio.id][name]
        for name in (
            StudioMetric.ACHIEVEMENTS,
            StudioMetric.INNOVATION_PROJECTS,
            StudioMetric.ECONOMIC_BENEFIT,
            StudioMetric.APPRENTICES_GRADUATED,
            StudioMetric.TRAINING_SESSIONS,
            StudioMetric.TRAINING_ATTENDANCES,
        )
    } == {
        "achievements": 2,
        "innovation_projects": 1,
        "economic_benefit": 120,
        "apprentices_graduated": 1,
        "training_sessions": 1,
        "training_attendances": 2,
    }
    assert sum(found[other.id].values()) == 0
    assert (await studio_metrics(world.rt, [other.id], 2024))[other.id][StudioMetric.ACHIEVEMENTS] == 1


async def _notices(world: World, event: DomainEvent) -> list[Notice]:
    """Every plugin's answer to the hook, awaited where a plugin answers asynchronously."""
    found: list[Notice] = []
    for answer in world.rt.registry.pm.hook.notifications(event=event):
        found.extend((await answer if inspect.isawaitable(answer) else answer) or [])
    return found


async def test_hook_notifications(world: World) -> None:
    """Assessment events become one notice for the studio's leader; other events none."""
    world.figures.set(world.municipal, 2024, problems_solved=2, achievements=1)
    world.figures.set(world.company, 2024, problems_solved=1)
    await world.results(2024)
    [event] = [e for e in world.figures.events if e.name.startswith("assessment.")]
    assert event.name == "assessment.risk_warning"
    assert world.leader.person is not None
    row = await StudioAssessment.get(organisation_id=world.district.id, year=2024)
    assert await _notices(world, event) == [
        Notice(
            recipient_id=world.leader.person.id,
            kind="assessment.risk_warning",
            subject=to_global_id("StudioAssessment", row.id),
            summary="李红梅技能大师工作室2024年度考核未达标,已被风险提示",
        )
    ]
    # Running again with the same result notifies nobody again.
    await world.results(2024)
    assert len([e for e in world.figures.events if e.name.startswith("assessment.")]) == 1
    other = DomainEvent("training.enrolled", {"leaderId": 1}, subject="x")
    assert await _notices(world, other) == []


async def test_hook_on_event(world: World) -> None:
    from core.events import emit

    payload = {
        "problemId": "P1",
        "title": "液压系统泄漏攻关",
        "organisationId": world.enterprise.id,
        "solverOrganisationIds": [world.company.id],
        "solverPersonIds": [],
        "economicBenefit": 80_000,
        "solvedAt": "2025-03-01T08:00:00+08:00",
        "industryChain": "装备制造",
    }
    await emit(world.rt, DomainEvent("challenges.problem_solved", payload, organisation_id=world.enterprise.id))
    row = await Achievement.get(organisation_id=world.company.id)
    assert (row.title, row.year, row.direct_benefit, row.industry_chain) == (
        "液压系统泄漏攻关",
        2025,
        80_000,
        "装备制造",
    )


async def test_hook_organisation_settings(world: World) -> None:
    configure = (
        'mutation($o: ID!, $s: JSON!) { pluginConfigure(input: {organisationId: $o, plugin: "assessment", '
        "settings: $s}) { settings errors { code field } } }"
    )
    org = gid("Organisation", world.federation.id)
    ok = await world.gql(
        configure, {"o": org, "s": {"district": {"problems_solved": 4, "salons_held": 2}}}, user=world.fed_admin
    )
    assert ok["pluginConfigure"]["errors"] == []
    assert ok["pluginConfigure"]["settings"]["district"]["problems_solved"] == 4
    assert ok["pluginConfigure"]["settings"]["municipal"]["problems_solved"] == 2  # kept
    bad = await world.gql(
        configure, {"o": org, "s": {"district": {"problems_solved": -1, "visits": 3}}}, user=world.fed_admin
    )
    assert sorted(e["field"] for e in bad["pluginConfigure"]["errors"]) == [
        "settings.district.problems_solved",
        "settings.district.visits",
    ]
    # The new targets apply: the district studio now needs four problems solved.
    world.figures.set(world.district, 2024, problems_solved=3, salons_held=2)
    assert (await world.results(2024))["李红梅技能大师工作室"] == "RISK_WARNING"


async def test_hook_register_demo(rt: Runtime, gql: GraphQLClient) -> None:
    demo = await load_demo(rt)
    assert demo is not None
    federation = demo.organisations["federation"]
    studios = await Organisation.filter(kind=OrganisationKind.STUDIO)
    assert len(studios) == 12
    levels = [s.level for s in studios]
    assert {level: levels.count(level) for level in set(levels)} == {
        OrganisationLevel.MUNICIPAL: 4,
        OrganisationLevel.DISTRICT: 4,
        OrganisationLevel.ENTERPRISE: 4,
    }
    [warned] = [s for s in studios if s.status == StudioStatus.WARNED]
    assert warned.name == "马玉兰质量攻关创新工作室"
    assert await StudioAssessment.filter(result=AssessmentResult.RISK_WARNING).count() == 1
    assert await StudioAssessment.filter(federation=federation).count() == 12
    assert await Achievement.filter(promoted=True).count() == 2
    assert await Achievement.all().count() >= 15
    # The federation's admin reads the figures of the twelve studios.
    admin = await gql.user("管理员", org=federation, role=MembershipRole.ADMIN)
    query = "query($f: ID!) { federationStats(federationId: $f, year: %d) { totals { studios warnedStudios } } }"
    year = max(a.year for a in await Achievement.all())
    data = await gql(query % year, {"f": gid("Organisation", federation.id)}, user=admin)
    assert data["federationStats"]["totals"] == {"studios": 12, "warnedStudios": 1}


@pytest.mark.postgres
async def test_concurrent_runs_double_nothing(world: World) -> None:
    world.figures.set(world.municipal, 2024, problems_solved=2, achievements=1)
    await world.results(2024)
    world.figures.set(world.municipal, 2025, problems_solved=2, achievements=1)
    from core.organisations.models import StudioStatusChange
    from plugins.assessment import assessment

    before = await StudioStatusChange.all().count()
    runs = await asyncio.gather(*(assessment.run(world.rt, world.federation.id, 2025) for _ in range(8)))
    assert all(len(rows) == 3 for rows in runs)
    assert await StudioAssessment.filter(year=2025).count() == 3
    # Each studio's status changed at most once (district: WARNED already; company: WARNED already).
    assert await StudioStatusChange.all().count() == before
    proposals = [e for e in world.figures.events if e.name == "assessment.delisting_proposed"]
    assert len(proposals) == 2  # district and company, once each
