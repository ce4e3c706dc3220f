"""The achievements library (成果库, 成果超市): recording, awards, promotion, proposals, the shop's
filters, solved challenges arriving as events, and the statement count of a page."""

from __future__ import annotations

from typing import Any

from core.events import emit
from core.organisations.models import AllianceMembership, OrganisationKind
from core.people.models import Membership, MembershipRole
from core.plugin_api import DomainEvent
from host.testing import User, count_statements, gid, make_org
from plugins.assessment.models import Achievement, AchievementContributor, AchievementSource
from tests.plugins.assessment.conftest import World

CREATE = """
mutation($input: AchievementCreateInput!) {
  achievementCreate(input: $input) {
    achievement { id title kind patentNumber year industryChain directBenefit indirectBenefit economicBenefit
      promoted source organisation { name } contributors { name } }
    errors { code field }
  }
}"""
AWARD = """
mutation($input: AchievementAwardAddInput!) {
  achievementAwardAdd(input: $input) { award { name level rank year } achievement { awards { name } }
    errors { code field } }
}"""
PROMOTE = """
mutation($input: AchievementPromoteInput!) {
  achievementPromote(input: $input) { achievement { promoted promotionNote promotedAt } errors { code field } }
}"""
PROPOSALS = """
mutation($input: ProposalTallySetInput!) {
  proposalTallySet(input: $input) { tally { year quarter received adopted adoptionRate } errors { code field } }
}"""
SHOP = """
query($filter: AchievementFilter, $first: Int) {
  achievements(filter: $filter, first: $first) {
    totalCount
    edges { node { title promoted year organisation { name } contributors { name } awards { name rank } } }
  }
}"""


async def _create(world: World, user: User | None = None, **fields: Any) -> dict[str, Any]:
    values = {
        "organisationId": gid("Organisation", world.municipal.id),
        "title": "焊接变形预控新工艺",
        "kind": "NEW_PROCESS",
        "year": 2025,
        **fields,
    }
    payload: dict[str, Any] = (await world.gql(CREATE, {"input": values}, user=user or world.studio_admin))[
        "achievementCreate"
    ]
    return payload


async def test_an_admin_records_an_achievement_with_its_people(world: World) -> None:
    assert world.member.person is not None and world.studio_admin.person is not None
    payload = await _create(
        world,
        kind="INVENTION_PATENT",
        patentNumber="ZL202310456789.1",
        title="一种厚板焊缝自动跟踪装置",
        directBenefit=3_500_000,
        indirectBenefit=2e7,
        contributorIds=[world.member.person_gid, world.studio_admin.person_gid],
    )
    assert payload["errors"] == []
    achievement = payload["achievement"]
    assert achievement["patentNumber"] == "ZL202310456789.1" and achievement["industryChain"] == "焊接"
    assert achievement["economicBenefit"] == 23_500_000 and achievement["source"] == "MANUAL"
    assert sorted(p["name"] for p in achievement["contributors"]) == ["王建国", "陈海涛"]
    person = "query($id: ID!) { node(id: $id) { ... on Person { achievements { title } } } }"
    assert (await world.gql(person, {"id": world.member.person_gid}))["node"]["achievements"] == [
        {"title": "一种厚板焊缝自动跟踪装置"}
    ]
    # An admin of the federation records too (admins up the tree).
    assert (await _create(world, user=world.fed_admin, title="王建国高强钢焊接操作法"))["errors"] == []


async def test_every_error_code_of_recording(world: World) -> None:
    assert world.leader.person is not None
    cases: list[tuple[dict[str, Any], list[dict[str, str]]]] = [
        ({"kind": "UTILITY_MODEL_PATENT"}, [{"code": "PATENT_NUMBER_REQUIRED", "field": "patentNumber"}]),
        ({"title": " "}, [{"code": "BLANK", "field": "title"}]),
        ({"title": "长" * 201}, [{"code": "TOO_LONG", "field": "title"}]),
        ({"year": 1900}, [{"code": "OUT_OF_RANGE", "field": "year"}]),
        (
            {"directBenefit": -1, "indirectBenefit": 0.5},
            [{"code": "OUT_OF_RANGE", "field": "directBenefit"}, {"code": "OUT_OF_RANGE", "field": "indirectBenefit"}],
        ),
        ({"contributorIds": [world.leader.person_gid]}, [{"code": "NOT_MEMBER", "field": "contributorIds"}]),
        ({"contributorIds": [gid("Person", 999_999)]}, [{"code": "NOT_FOUND", "field": "contributorIds"}]),
        ({"contributorIds": ["bad"]}, [{"code": "INVALID_ID", "field": "contributorIds"}]),
    ]
    for fields, expected in cases:
        assert (await _create(world, **fields))["errors"] == expected, fields
    # Only studios hold achievements; only admins record them; only where assessment is on.
    superuser = await world.gql.superuser()
    enterprise = await make_org("东港汽车零部件有限公司")
    from core.organisations.models import OrganisationPlugin

    await OrganisationPlugin.create(organisation=enterprise, plugin="assessment")
    assert (await _create(world, user=superuser, organisationId=gid("Organisation", enterprise.id)))["errors"] == [
        {"code": "NOT_A_STUDIO", "field": "organisationId"}
    ]
    assert (await _create(world, user=world.member))["errors"] == [
        {"code": "PERMISSION_DENIED", "field": "organisationId"}
    ]
    assert (await _create(world, user=world.other_admin))["errors"] == [
        {"code": "PERMISSION_DENIED", "field": "organisationId"}
    ]
    off = await make_org("未开通工作室", OrganisationKind.STUDIO, world.enterprise)
    assert (await _create(world, user=superuser, organisationId=gid("Organisation", off.id)))["errors"] == [
        {"code": "PLUGIN_DISABLED", "field": "organisationId"}
    ]
    assert await Achievement.all().count() == 0


async def test_awards_promotion_and_proposals(world: World) -> None:
    achievement_id = (await _create(world))["achievement"]["id"]
    award = {
        "achievementId": achievement_id,
        "name": "省职工创新创效竞赛",
        "level": "PROVINCIAL",
        "rank": "一等奖",
        "year": 2025,
    }
    payload = (await world.gql(AWARD, {"input": award}, user=world.studio_admin))["achievementAwardAdd"]
    assert payload["award"] == {"name": "省职工创新创效竞赛", "level": "PROVINCIAL", "rank": "一等奖", "year": 2025}
    assert payload["achievement"]["awards"] == [{"name": "省职工创新创效竞赛"}]
    denied = (await world.gql(AWARD, {"input": award}, user=world.member))["achievementAwardAdd"]
    assert denied["errors"] == [{"code": "PERMISSION_DENIED", "field": "achievementId"}]

    # Promotion to competitions: admins of a federation above the studio only.
    promote = {"input": {"id": achievement_id, "note": "优先推荐参加省级竞赛"}}
    for user in (world.studio_admin, world.other_admin, world.member):
        refused = (await world.gql(PROMOTE, promote, user=user))["achievementPromote"]
        assert refused["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]
    done = (await world.gql(PROMOTE, promote, user=world.fed_admin))["achievementPromote"]
    assert done["achievement"]["promoted"] is True and done["achievement"]["promotionNote"] == "优先推荐参加省级竞赛"
    withdrawn = (await world.gql(PROMOTE, {"input": {"id": achievement_id, "promoted": False}}, user=world.fed_admin))[
        "achievementPromote"
    ]
    assert withdrawn["achievement"] == {"promoted": False, "promotionNote": "", "promotedAt": None}

    tally = {"organisationId": gid("Organisation", world.municipal.id), "year": 2025, "received": 902, "adopted": 902}
    first = (await world.gql(PROPOSALS, {"input": tally}, user=world.studio_admin))["proposalTallySet"]
    assert first["tally"] == {"year": 2025, "quarter": 0, "received": 902, "adopted": 902, "adoptionRate": 1.0}
    again = await world.gql(PROPOSALS, {"input": {**tally, "adopted": 451}}, user=world.studio_admin)
    assert again["proposalTallySet"]["tally"]["adoptionRate"] == 0.5
    bad = {**tally, "adopted": 903, "quarter": 5}
    errors = (await world.gql(PROPOSALS, {"input": bad}, user=world.studio_admin))["proposalTallySet"]["errors"]
    assert errors == [
        {"code": "OUT_OF_RANGE", "field": "quarter"},
        {"code": "ADOPTED_EXCEEDS_RECEIVED", "field": "adopted"},
    ]
    listed = "query($id: ID!) { node(id: $id) { ... on Organisation { proposalTallies { received adopted } } } }"
    assert (await world.gql(listed, {"id": gid("Organisation", world.municipal.id)}))["node"]["proposalTallies"] == [
        {"received": 902, "adopted": 451}
    ]


async def test_the_shop_filters_by_kind_chain_region_year_alliance_and_promotion(world: World) -> None:
    await _create(world, title="焊接变形预控新工艺", year=2024)
    await _create(world, title="王建国高强钢焊接操作法", kind="OPERATING_METHOD", industryChain="装备制造")
    await _create(
        world,
        user=world.leader,
        organisationId=gid("Organisation", world.district.id),
        title="数控刀具寿命预测软件",
        kind="SOFTWARE",
    )
    promoted = (
        await _create(
            world,
            user=world.fed_admin,
            organisationId=gid("Organisation", world.company.id),
            title="NVH异响快速定位新技术",
            kind="NEW_TECHNIQUE",
        )
    )["achievement"]["id"]
    await world.gql(PROMOTE, {"input": {"id": promoted}}, user=world.fed_admin)
    alliance = await make_org("海州市机械行业创新工作室联盟", OrganisationKind.ALLIANCE)
    await AllianceMembership.create(alliance=alliance, organisation=world.district)

    async def titles(**filter: Any) -> list[str]:
        data = await world.gql(SHOP, {"filter": filter})
        return [edge["node"]["title"] for edge in data["achievements"]["edges"]]

    everything = await titles()
    assert everything[0] == "NVH异响快速定位新技术"  # promoted first
    assert len(everything) == 4
    assert await titles(kind="SOFTWARE") == ["数控刀具寿命预测软件"]
    assert await titles(industryChain="装备制造") == ["王建国高强钢焊接操作法"]
    assert sorted(await titles(region="东港")) == ["NVH异响快速定位新技术", "数控刀具寿命预测软件"]
    assert await titles(year=2024) == ["焊接变形预控新工艺"]
    assert await titles(allianceId=gid("Organisation", alliance.id)) == ["数控刀具寿命预测软件"]
    assert await titles(promoted=True) == ["NVH异响快速定位新技术"]
    assert await titles(search="操作法") == ["王建国高强钢焊接操作法"]
    assert len(await titles(organisationId=gid("Organisation", world.enterprise.id))) == 4
    assert await titles(organisationId=gid("Organisation", world.municipal.id), kind="NEW_PROCESS") == [
        "焊接变形预控新工艺"
    ]
    errors = await world.gql.errors(SHOP, {"filter": {"search": "长" * 101}})
    assert errors[0]["extensions"]["code"] == "TOO_LONG"


async def test_a_page_of_the_shop_costs_the_same_whatever_its_size(world: World) -> None:
    assert world.member.person is not None
    studios = [world.municipal, world.district, world.company]
    for i in range(12):
        studio = studios[i % 3]
        await Membership.get_or_create(
            person_id=world.member.person.id, organisation_id=studio.id, defaults={"role": MembershipRole.MEMBER}
        )
        await _create(
            world,
            user=world.fed_admin,
            organisationId=gid("Organisation", studio.id),
            title=f"成果{i}",
            contributorIds=[world.member.person_gid],
        )

    async def statements(first: int) -> int:
        with count_statements() as counter:
            data = await world.gql(SHOP, {"first": first})
        assert len(data["achievements"]["edges"]) == first
        return counter.count

    assert await statements(2) == await statements(12)


async def test_solved_challenges_become_achievements_once(world: World) -> None:
    assert world.member.person is not None and world.leader.person is not None
    payload = {
        "problemId": "Q2hhbGxlbmdlOjc=",
        "title": "大型铸件气孔缺陷攻关",
        "organisationId": world.enterprise.id,
        "solverOrganisationIds": [world.municipal.id, world.district.id, world.enterprise.id],
        "solverPersonIds": [world.member.person.id, world.leader.person.id],
        "economicBenefit": 1_000_001,
        "solvedAt": "2025-06-30T18:00:00+00:00",
        "industryChain": "装备制造",
    }
    event = DomainEvent("challenges.problem_solved", payload, organisation_id=world.enterprise.id)
    for _ in range(3):  # repeated delivery adds nothing
        await emit(world.rt, event)
    rows = await Achievement.filter(source=AchievementSource.CHALLENGE).order_by("organisation_id")
    assert [row.organisation_id for row in rows] == [world.municipal.id, world.district.id]  # studios only
    assert [row.direct_benefit for row in rows] == [500_001, 500_000]
    assert {row.year for row in rows} == {2025} and {row.kind for row in rows} == {"SOLVED_PROBLEM"}
    contributors = await AchievementContributor.all().values_list("achievement_id", "person_id")
    assert sorted(contributors) == sorted([(rows[0].id, world.member.person.id), (rows[1].id, world.leader.person.id)])
    # A malformed event is ignored, not an error.
    await emit(world.rt, DomainEvent("challenges.problem_solved", {"title": "无编号"}))
    assert await Achievement.all().count() == 2
