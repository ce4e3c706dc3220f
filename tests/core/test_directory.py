"""The directory: people and organisations found by honour, skill, level, place, tree and alliance
(Chinese text), on SQLite and PostgreSQL alike, in a constant number of statements."""

from __future__ import annotations

from datetime import date
from typing import Any

from core.organisations.models import AllianceMembership, Organisation, OrganisationKind, OrganisationLevel
from core.people.models import Honour, HonourLevel, Membership, MembershipRole, Person
from core.skills.models import PersonSkill, Skill
from tests.support import GraphQLClient, count_statements, gid, make_org


def people_query(args: str) -> str:
    return f"{{ people(first: 50{', ' + args if args else ''}) {{ totalCount edges {{ node {{ name }} }} }} }}"


def orgs_query(args: str) -> str:
    return f"{{ organisations(first: 50, {args}) {{ totalCount edges {{ node {{ name }} }} }} }}"


async def names(gql: GraphQLClient, args: str, variables: dict[str, Any] | None = None) -> list[str]:
    data = await gql(people_query(args), variables)
    assert data["people"]["totalCount"] == len(data["people"]["edges"])
    return [edge["node"]["name"] for edge in data["people"]["edges"]]


async def org_names(gql: GraphQLClient, args: str) -> list[str]:
    data = await gql(orgs_query(args))
    return [edge["node"]["name"] for edge in data["organisations"]["edges"]]


async def _world() -> dict[str, Any]:
    """A federation with a union, an enterprise with two studios, a school, an alliance of the
    enterprise's studio and the school; people with honours and levels."""
    fed = await make_org("海州市总工会", OrganisationKind.FEDERATION, level=OrganisationLevel.MUNICIPAL,
                         region="海州市")
    union = await make_org("海州市机械冶金工会", OrganisationKind.INDUSTRY_UNION, parent=fed, region="海州市",
                           industry="机械冶金")
    heavy = await make_org("海州重工集团", parent=union, region="海州市", industry="装备制造")
    welding = await make_org("王建国劳模创新工作室", OrganisationKind.STUDIO, parent=heavy, region="海州市",
                             industry="装备制造", level=OrganisationLevel.MUNICIPAL, status="ACTIVE",
                             description="焊接机器人与特种焊接攻关")
    cnc = await make_org("数控加工技能大师工作室", OrganisationKind.STUDIO, parent=heavy, region="海州市",
                         industry="装备制造", level=OrganisationLevel.DISTRICT, status="WARNED",
                         description="五轴数控加工")
    school = await make_org("海州技师学院", OrganisationKind.SCHOOL, region="东港区", industry="职业教育")
    alliance = await make_org("海州市劳模工匠创新工作室联盟", OrganisationKind.ALLIANCE, region="海州市")
    await AllianceMembership.create(alliance=alliance, organisation=welding)
    await AllianceMembership.create(alliance=alliance, organisation=school)
    weld, cut = await Skill.create(name="焊接"), await Skill.create(name="数控加工")

    async def person(name: str, org: Organisation, **extra: Any) -> Person:
        row = await Person.create(name=name, **extra)
        await Membership.create(person=row, organisation=org, role=MembershipRole.MEMBER)
        return row

    wang = await person("王建国", welding, phone="13912345678", email="wang@example.cn")
    li = await person("李小明", welding)
    zhang = await person("张华", cnc)
    zhao = await person("赵敏", school)
    await person("孙强", union)
    await Honour.create(person=wang, title="全国劳动模范", level=HonourLevel.NATIONAL, year=2015)
    await Honour.create(person=wang, title="齐鲁大工匠", level=HonourLevel.PROVINCIAL, year=2019)
    await Honour.create(person=zhang, title="大国工匠", level=HonourLevel.NATIONAL, year=2021)
    await Honour.create(person=zhao, title="海州市劳动模范", level=HonourLevel.MUNICIPAL, year=2020)
    await PersonSkill.create(person=wang, skill=weld, level=1)
    await PersonSkill.create(person=li, skill=weld, level=4)
    await PersonSkill.create(person=zhang, skill=cut, level=1)
    await PersonSkill.create(person=zhao, skill=weld, level=2)
    return {"fed": fed, "union": union, "heavy": heavy, "welding": welding, "cnc": cnc, "school": school,
            "alliance": alliance, "weld": weld, "cut": cut}


# Pinned first: what the directory could not do before.

async def test_people_of_an_alliance_are_the_people_of_its_member_organisations(gql: GraphQLClient) -> None:
    w = await _world()
    assert sorted(await names(gql, f'organisationId: "{gid("Organisation", w["alliance"].id)}"')) == [
        "李小明", "王建国", "赵敏"]
    assert sorted(await names(gql, f'allianceId: "{gid("Organisation", w["alliance"].id)}"')) == [
        "李小明", "王建国", "赵敏"]


async def test_search_finds_honours_titles_and_skills_not_only_names(gql: GraphQLClient) -> None:
    await _world()
    assert sorted(await names(gql, 'search: "劳模"')) == ["王建国", "赵敏"]  # 劳模 is short for 劳动模范
    assert sorted(await names(gql, 'search: "工匠"')) == ["张华", "王建国"]
    assert sorted(await names(gql, 'search: "高级技师"')) == ["张华", "王建国"]  # grade title, level 1
    assert sorted(await names(gql, 'search: "技师"')) == ["张华", "王建国", "赵敏"]  # 高级技师 and 技师
    assert sorted(await names(gql, 'search: "焊接"')) == ["李小明", "王建国", "赵敏"]
    assert await names(gql, 'search: "小明"') == ["李小明"]
    # Every word must match somewhere.
    assert await names(gql, 'search: "焊接 全国"') == ["王建国"]


async def test_search_never_matches_contact_details(gql: GraphQLClient) -> None:
    await _world()
    assert await names(gql, 'search: "13912345678"') == []
    assert await names(gql, 'search: "wang@example"') == []
    # LIKE wildcards are text, not patterns.
    assert await names(gql, 'search: "%"') == []
    assert await names(gql, 'search: "_"') == []


async def test_people_filters_combine(gql: GraphQLClient) -> None:
    w = await _world()
    assert sorted(await names(gql, "honourLevel: NATIONAL")) == ["张华", "王建国"]
    assert await names(gql, 'honourLevel: NATIONAL, honourTitle: "劳模"') == ["王建国"]
    assert await names(gql, 'honourTitle: "大国工匠"') == ["张华"]
    weld = gid("Skill", w["weld"].id)
    assert sorted(await names(gql, f'skillId: "{weld}"')) == ["李小明", "王建国", "赵敏"]
    assert sorted(await names(gql, f'skillId: "{weld}", minLevel: 2')) == ["王建国", "赵敏"]
    assert sorted(await names(gql, "minLevel: 1")) == ["张华", "王建国"]
    # The subtree of the union: its own people and those of the enterprise's studios.
    union = gid("Organisation", w["union"].id)
    assert sorted(await names(gql, f'organisationId: "{union}"')) == ["孙强", "张华", "李小明", "王建国"]
    assert sorted(await names(gql, f'organisationId: "{union}", minLevel: 1')) == ["张华", "王建国"]
    assert await names(gql, 'region: "东港"') == ["赵敏"]
    assert sorted(await names(gql, 'region: "海州市"')) == ["孙强", "张华", "李小明", "王建国"]


async def test_people_sorted_by_level_then_honour_or_by_name(gql: GraphQLClient) -> None:
    w = await _world()
    # Level 1 first; of the two at level 1, both national; 张华 and 王建国 tie on honour: by name.
    by_level = await names(gql, "orderBy: LEVEL")
    assert by_level[:2] == sorted(["张华", "王建国"]) and by_level[2:] == ["赵敏", "李小明", "孙强"]
    # In one skill: levels in that skill count.
    weld = gid("Skill", w["weld"].id)
    assert await names(gql, f'skillId: "{weld}", orderBy: LEVEL') == ["王建国", "赵敏", "李小明"]
    assert await names(gql, "orderBy: NAME") == sorted(["王建国", "李小明", "张华", "赵敏", "孙强"])


async def test_honour_breaks_ties_between_equal_levels(gql: GraphQLClient) -> None:
    org = await make_org("工作室", OrganisationKind.STUDIO)
    skill = await Skill.create(name="钳工")
    for name, honour in (("甲", HonourLevel.MUNICIPAL), ("乙", HonourLevel.NATIONAL), ("丙", None)):
        person = await Person.create(name=name)
        await Membership.create(person=person, organisation=org)
        await PersonSkill.create(person=person, skill=skill, level=2)
        if honour is not None:
            await Honour.create(person=person, title="劳动模范", level=honour, year=2020)
    assert await names(gql, "orderBy: LEVEL") == ["乙", "甲", "丙"]


async def test_directory_arguments_are_bounded(gql: GraphQLClient) -> None:
    too_long = await gql.errors(people_query('search: "' + "工" * 101 + '"'))
    assert too_long[0]["extensions"]["code"] == "TOO_LONG" and too_long[0]["extensions"]["field"] == "search"
    many = await gql.errors(people_query('search: "一 二 三 四 五 六"'))
    assert many[0]["extensions"]["code"] == "OUT_OF_RANGE"
    level = await gql.errors(people_query("minLevel: 6"))
    assert level[0]["extensions"] == {"code": "OUT_OF_RANGE", "field": "minLevel"} | {
        k: v for k, v in level[0]["extensions"].items() if k not in ("code", "field")}
    region = await gql.errors(orgs_query('region: "' + "区" * 101 + '"'))
    assert region[0]["extensions"]["field"] == "region"
    bad_id = await gql.errors(people_query('allianceId: "nope"'))
    assert bad_id[0]["extensions"]["code"] == "INVALID_ID"


async def test_organisations_filters_and_search(gql: GraphQLClient) -> None:
    w = await _world()
    assert await org_names(gql, "kind: STUDIO, level: MUNICIPAL") == ["王建国劳模创新工作室"]
    assert await org_names(gql, "status: WARNED") == ["数控加工技能大师工作室"]
    assert await org_names(gql, 'region: "东港区"') == ["海州技师学院"]
    assert await org_names(gql, 'kind: STUDIO, industry: "装备"') == ["王建国劳模创新工作室", "数控加工技能大师工作室"]
    assert await org_names(gql, 'search: "焊接机器人"') == ["王建国劳模创新工作室"]  # description
    assert await org_names(gql, 'search: "技能大师"') == ["数控加工技能大师工作室"]  # name
    union = gid("Organisation", w["union"].id)
    assert await org_names(gql, f'ancestorId: "{union}"') == [
        "海州重工集团", "王建国劳模创新工作室", "数控加工技能大师工作室"]
    assert await org_names(gql, f'ancestorId: "{union}", kind: STUDIO, status: ACTIVE') == ["王建国劳模创新工作室"]
    assert await org_names(gql, f'parentId: "{union}"') == ["海州重工集团"]
    alliance = gid("Organisation", w["alliance"].id)
    assert await org_names(gql, f'allianceId: "{alliance}"') == ["王建国劳模创新工作室", "海州技师学院"]


async def test_studio_profile_fields(gql: GraphQLClient) -> None:
    w = await _world()
    admin = await gql.user("管理员", org=w["heavy"], role=MembershipRole.ADMIN)
    update = """mutation($id: ID!, $leader: ID!) { organisationUpdate(input: {id: $id, leaderId: $leader,
      founded: "2012-05-01", specialties: [" 焊接机器人 ", "特种焊接", "焊接机器人"]}) {
      organisation { founded specialties memberCount level leader { name } } errors { code field } } }"""
    wang = await Person.get(name="王建国")
    data = (await gql(update, {"id": gid("Organisation", w["welding"].id), "leader": gid("Person", wang.id)},
                      user=admin))["organisationUpdate"]
    assert data == {"errors": [], "organisation": {
        "founded": "2012-05-01", "specialties": ["焊接机器人", "特种焊接"], "memberCount": 2,
        "level": "MUNICIPAL", "leader": {"name": "王建国"}}}
    row = await Organisation.get(id=w["welding"].id)
    assert row.founded == date(2012, 5, 1) and row.specialties == ["焊接机器人", "特种焊接"]
    bad = """mutation($id: ID!, $s: [String!]) { organisationUpdate(input: {id: $id, specialties: $s}) {
      errors { code field } } }"""
    many = (await gql(bad, {"id": gid("Organisation", w["welding"].id), "s": [str(i) for i in range(21)]},
                      user=admin))["organisationUpdate"]["errors"]
    assert many == [{"code": "OUT_OF_RANGE", "field": "specialties"}]
    long = (await gql(bad, {"id": gid("Organisation", w["welding"].id), "s": ["焊" * 51]},
                      user=admin))["organisationUpdate"]["errors"]
    assert long == [{"code": "TOO_LONG", "field": "specialties"}]


async def test_directory_statements_are_constant(gql: GraphQLClient) -> None:
    """Every filter at once, over a small and a larger alliance: the same statements."""
    skill = await Skill.create(name="电工")
    counts = {}
    for size in (3, 30):
        alliance = await make_org(f"联盟{size}", OrganisationKind.ALLIANCE)
        top = await make_org(f"集团{size}", region="海州市")
        await AllianceMembership.create(alliance=alliance, organisation=top)
        for i in range(size):
            studio = await make_org(f"工作室{size}-{i}", OrganisationKind.STUDIO, parent=top, region="海州市")
            person = await Person.create(name=f"电工{size}-{i}")
            await Membership.create(person=person, organisation=studio)
            await PersonSkill.create(person=person, skill=skill, level=1)
            await Honour.create(person=person, title="全国劳动模范", level=HonourLevel.NATIONAL, year=2020)
        query = (
            "query($a: ID!, $s: ID!) { people(first: 100, allianceId: $a, organisationId: $a, skillId: $s, "
            'minLevel: 2, region: "海州", honourLevel: NATIONAL, honourTitle: "劳模", search: "电工 劳模", '
            "orderBy: LEVEL) { totalCount edges { node { name } } } "
            'organisations(first: 100, allianceId: $a, kind: STUDIO, region: "海州", search: "工作室") '
            "{ totalCount edges { node { name memberCount } } } }"
        )
        heavy = gql.with_settings(max_query_cost=10**6)
        with count_statements() as counter:
            data = await heavy(query, {"a": gid("Organisation", alliance.id), "s": gid("Skill", skill.id)})
        await heavy.http.aclose()
        assert data["people"]["totalCount"] == size and data["organisations"]["totalCount"] == size
        assert all(edge["node"]["memberCount"] == 1 for edge in data["organisations"]["edges"])
        counts[size] = counter.count
    assert counts[3] == counts[30] <= 5, counts
