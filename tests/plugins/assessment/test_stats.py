"""federationStats / allianceStats and their Excel and CSV exports: the figures of every plugin
(mentorship, training, this plugin, and a test plugin), grouping, permissions, statement counts,
and files that hold exactly what the query answers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

from openpyxl import load_workbook

from core.organisations.models import AllianceMembership, OrganisationKind, OrganisationLevel, StudioStatus
from core.people.models import Honour, HonourLevel, Membership, MembershipRole, Person
from core.skills.models import Skill
from host.testing import count_statements, gid, make_org
from plugins.assessment.models import Achievement, AchievementKind
from plugins.assessment.stats import COLUMNS
from plugins.mentorship.models import Mentorship, MentorshipStatus
from plugins.training.models import EnrolmentStatus, SessionStatus, TrainingCourse, TrainingEnrolment, TrainingSession
from tests.plugins.assessment.conftest import World, studio

ROW = " ".join(
    [
        "key",
        "label",
        "studios",
        "municipalStudios",
        "districtStudios",
        "enterpriseStudios",
        "activeStudios",
        "warnedStudios",
        "delistedStudios",
        "members",
        "honours",
        "apprenticesGraduated",
        "trainingSessions",
        "trainingAttendances",
        "salonsHeld",
        "problemsSolved",
        "achievements",
        "economicBenefit",
    ]
)
FEDERATION = f"""
query($id: ID!, $year: Int!, $by: StatsGroupBy!) {{
  federationStats(federationId: $id, year: $year, groupBy: $by) {{
    year groupBy organisation {{ name }} totals {{ {ROW} }} groups {{ {ROW} }}
  }}
}}"""
ALLIANCE = f"""
query($id: ID!, $year: Int!, $by: StatsGroupBy!) {{
  allianceStats(allianceId: $id, year: $year, groupBy: $by) {{ totals {{ {ROW} }} groups {{ {ROW} }} }}
}}"""
FIELDS = [
    "studios",
    "municipalStudios",
    "districtStudios",
    "enterpriseStudios",
    "activeStudios",
    "warnedStudios",
    "delistedStudios",
    "members",
    "honours",
    "apprenticesGraduated",
    "trainingSessions",
    "trainingAttendances",
    "salonsHeld",
    "problemsSolved",
    "achievements",
    "economicBenefit",
]


async def _activity(world: World) -> None:
    """2025 in the municipal studio: a training session with two attendances, a graduated
    apprentice, an achievement; honours of its members; figures of the test plugin."""
    people = list(await Person.filter(memberships__organisation_id=world.municipal.id))
    await Honour.create(person=people[0], title="全国劳动模范", level=HonourLevel.NATIONAL, year=2015)
    await Honour.create(person=people[0], title="大国工匠", level=HonourLevel.NATIONAL, year=2026)  # later: not yet
    course = await TrainingCourse.create(
        organisation=world.municipal, title="焊接安全作业培训", hours=8, published=True
    )
    starts = datetime(2025, 3, 1, 1, tzinfo=UTC)
    session = await TrainingSession.create(
        course=course,
        organisation=world.municipal,
        capacity=10,
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        status=SessionStatus.COMPLETED,
    )
    for person in people:
        await TrainingEnrolment.create(
            session=session, person=person, status=EnrolmentStatus.ATTENDED, enrolled_at=starts
        )
    skill = await Skill.create(name="焊接")
    await Mentorship.create(
        mentor=people[0],
        apprentice=people[1],
        organisation=world.municipal,
        skill=skill,
        planned_start=date(2024, 9, 1),
        status=MentorshipStatus.COMPLETED,
        ended_at=datetime(2025, 8, 1, tzinfo=UTC),
    )
    await Achievement.create(
        organisation=world.municipal,
        title="一种厚板焊缝自动跟踪装置",
        kind=AchievementKind.INVENTION_PATENT,
        patent_number="ZL1",
        year=2025,
        direct_benefit=3_000_000_000,
        indirect_benefit=5,
    )
    world.figures.set(world.municipal, 2025, problems_solved=4, salons_held=2)
    world.figures.set(world.district, 2025, problems_solved=1)
    await type(world.district).filter(id=world.district.id).update(status=StudioStatus.WARNED)


async def _stats(world: World, by: str = "REGION", user: Any = None) -> dict[str, Any]:
    data = await world.gql(
        FEDERATION,
        {"id": gid("Organisation", world.federation.id), "year": 2025, "by": by},
        user=user or world.fed_admin,
    )
    result: dict[str, Any] = data["federationStats"]
    return result


async def test_federation_figures_come_from_every_plugin_and_group(world: World) -> None:
    await _activity(world)
    stats = await _stats(world)
    totals = stats["totals"]
    assert {name: totals[name] for name in FIELDS} == {
        "studios": 3,
        "municipalStudios": 1,
        "districtStudios": 1,
        "enterpriseStudios": 1,
        "activeStudios": 2,
        "warnedStudios": 1,
        "delistedStudios": 0,
        "members": 3,
        "honours": 1,
        "apprenticesGraduated": 1,
        "trainingSessions": 1,
        "trainingAttendances": 2,
        "salonsHeld": 2,
        "problemsSolved": 5,
        "achievements": 1,
        "economicBenefit": 3_000_000_005,
    }
    assert totals["label"] == "合计" and stats["organisation"] == {"name": "海州市总工会"}
    regions = {row["key"]: row for row in stats["groups"]}
    assert set(regions) == {"海州市", "东港区"}
    assert (regions["东港区"]["studios"], regions["东港区"]["problemsSolved"], regions["海州市"]["members"]) == (
        2,
        1,
        2,
    )
    levels = {row["key"]: row["label"] for row in (await _stats(world, "STUDIO_LEVEL"))["groups"]}
    assert levels == {"MUNICIPAL": "市级", "DISTRICT": "区级", "ENTERPRISE": "企业级"}
    chains = {row["key"] for row in (await _stats(world, "INDUSTRY_CHAIN"))["groups"]}
    assert chains == {"焊接", "数控加工", "汽车NVH"}


async def test_alliance_figures_cover_its_members_and_what_is_below_them(world: World) -> None:
    await _activity(world)
    alliance = await make_org("海州市机械行业创新工作室联盟", OrganisationKind.ALLIANCE)
    await AllianceMembership.create(alliance=alliance, organisation=world.district)
    await AllianceMembership.create(alliance=alliance, organisation=world.enterprise)  # and the studios below it
    admin = await world.gql.user("联盟秘书长", org=alliance, role=MembershipRole.ADMIN)
    data = await world.gql(
        ALLIANCE, {"id": gid("Organisation", alliance.id), "year": 2025, "by": "STUDIO_LEVEL"}, user=admin
    )
    assert data["allianceStats"]["totals"]["studios"] == 3
    assert data["allianceStats"]["totals"]["problemsSolved"] == 5
    errors = await world.gql.errors(
        ALLIANCE, {"id": gid("Organisation", alliance.id), "year": 2025, "by": "REGION"}, user=world.other_admin
    )
    assert errors[0]["extensions"] == {"code": "PERMISSION_DENIED", "field": "allianceId"}
    errors = await world.gql.errors(
        ALLIANCE, {"id": gid("Organisation", world.federation.id), "year": 2025, "by": "REGION"}, user=world.fed_admin
    )
    assert errors[0]["extensions"] == {"code": "NOT_AN_ALLIANCE", "field": "allianceId"}


async def test_only_admins_of_the_federation_read_its_figures(world: World) -> None:
    variables = {"id": gid("Organisation", world.federation.id), "year": 2025, "by": "REGION"}
    for user, code in (
        (world.other_admin, "PERMISSION_DENIED"),
        (world.studio_admin, "PERMISSION_DENIED"),
        (None, "UNAUTHENTICATED"),
    ):
        errors = await world.gql.errors(FEDERATION, variables, user=user)
        assert errors[0]["extensions"]["code"] == code
    errors = await world.gql.errors(FEDERATION, {**variables, "year": 1800}, user=world.fed_admin)
    assert errors[0]["extensions"] == {"code": "OUT_OF_RANGE", "field": "year"}
    errors = await world.gql.errors(
        FEDERATION, {**variables, "id": gid("Organisation", world.enterprise.id)}, user=world.fed_admin
    )
    assert errors[0]["extensions"] == {"code": "NOT_A_FEDERATION", "field": "federationId"}


async def test_a_report_costs_the_same_whatever_the_number_of_studios(world: World) -> None:
    await _activity(world)

    async def statements() -> int:
        with count_statements() as counter:
            await _stats(world)
        return counter.count

    few = await statements()
    for i in range(9):
        new = await studio(f"新建工作室{i}", OrganisationLevel.DISTRICT, world.enterprise, region=f"区{i}")
        await Membership.create(person=world.member.person, organisation=new)
        world.figures.set(new, 2025, problems_solved=i)
    assert await statements() == few


def _expected(stats: dict[str, Any]) -> list[list[Any]]:
    return [[row["label"], *(int(row[name]) for name in FIELDS)] for row in [*stats["groups"], stats["totals"]]]


async def test_exports_hold_the_figures_of_the_query(world: World) -> None:
    await _activity(world)
    for by, group_header in (("REGION", "地区"), ("STUDIO_LEVEL", "工作室级别")):
        stats = await _stats(world, by)
        params = {"organisationId": gid("Organisation", world.federation.id), "year": "2025", "groupBy": by}
        headers = {"Authorization": f"Bearer {world.fed_admin.token}"}
        response = await world.gql.http.get("/assessment/stats.xlsx", params=params, headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in response.headers["content-disposition"]
        book = load_workbook(io.BytesIO(response.content))
        sheet = book["统计"]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert rows[0] == [group_header, *(title for _, title in COLUMNS)]
        assert rows[0][1:4] == ["工作室数", "市级工作室", "区级工作室"]
        assert rows[1:] == _expected(stats)
        assert book["说明"]["B1"].value == "海州市总工会2025年度职工创新工作室统计"

        response = await world.gql.http.get("/assessment/stats.csv", params=params, headers=headers)
        assert response.status_code == 200 and response.content.startswith("\ufeff".encode())
        lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert lines[0][0] == group_header and lines[0][-1] == "经济效益(元)"
        assert [[line[0], *map(int, line[1:])] for line in lines[1:]] == _expected(stats)


async def test_exports_need_an_admin_of_the_federation(world: World) -> None:
    http = world.gql.http
    params = {"organisationId": gid("Organisation", world.federation.id), "year": "2025"}

    async def status(path: str = "/assessment/stats.xlsx", token: str | None = None, **changes: str) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await http.get(path, params={**params, **changes}, headers=headers)
        body = response.json()
        return response.status_code, body["errors"][0]["code"]

    assert await status() == (401, "UNAUTHENTICATED")
    assert await status(token="not-a-token") == (401, "INVALID_TOKEN")
    assert await status(token=world.other_admin.token) == (403, "PERMISSION_DENIED")
    assert await status(token=world.studio_admin.token) == (403, "PERMISSION_DENIED")
    assert await status(token=world.fed_admin.token, groupBy="CITY") == (400, "BAD_USER_INPUT")
    assert await status(token=world.fed_admin.token, year="今年") == (400, "BAD_USER_INPUT")
    assert await status(token=world.fed_admin.token, year="1800") == (400, "OUT_OF_RANGE")
    assert await status(token=world.fed_admin.token, organisationId="bad") == (400, "INVALID_ID")
    assert await status(token=world.fed_admin.token, organisationId=gid("Organisation", 999_999)) == (404, "NOT_FOUND")
    assert await status("/assessment/stats.pdf", token=world.fed_admin.token) == (404, "NOT_FOUND")


async def test_exports_keep_formula_looking_names_as_text(world: World) -> None:
    # A region (or name) written by another organisation's admin must never run in Excel.
    evil = '=HYPERLINK("http://evil.example","点击")'
    world.municipal.region = evil
    await world.municipal.save(update_fields=["region"])
    params = {"organisationId": gid("Organisation", world.federation.id), "year": "2025", "groupBy": "REGION"}
    headers = {"Authorization": f"Bearer {world.fed_admin.token}"}
    response = await world.gql.http.get("/assessment/stats.xlsx", params=params, headers=headers)
    sheet = load_workbook(io.BytesIO(response.content))["统计"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2) if row[0].value == evil]
    assert len(cells) == 1 and cells[0].data_type == "s"
    response = await world.gql.http.get("/assessment/stats.csv", params=params, headers=headers)
    labels = [line[0] for line in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))]
    assert "'" + evil in labels and evil not in labels
