"""People, accounts, memberships, honours, skills and contact privacy."""

from __future__ import annotations

from core.auth.models import Account
from core.auth.services import create_account
from core.people.models import Honour, Membership, MembershipRole, Person
from core.skills.models import PersonSkill, Skill
from tests.support import GraphQLClient, gid, make_org

NEW_PERSON = """
mutation NewPerson($input: PersonCreateInput!) {
  personCreate(input: $input) { person { id name } errors { code message field } }
}"""
WHO = "query Who { me { id name skills { skill { name } level } honours { title level year } } }"
NEW_SKILL = """
mutation NewSkill($name: String!, $cat: String) {
  skillCreate(input: {name: $name, category: $cat}) { skill { id name } errors { code message field } }
}"""
SET_SKILL = """
mutation SetSkill($p: ID!, $s: ID!, $l: Int!) {
  personSkillSet(input: {personId: $p, skillId: $s, level: $l}) { person { id } errors { code message field } }
}"""
LOGIN = """mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
  accessToken me { name } errors { code } } }"""


async def test_admin_creates_a_person_with_an_account_who_can_sign_in(gql: GraphQLClient) -> None:
    studio = await make_org("王建国劳模创新工作室")
    admin = await gql.user("管理员", org=studio, role=MembershipRole.ADMIN)
    data = (await gql(NEW_PERSON, {"input": {"name": "李小明", "organisationId": gid("Organisation", studio.id),
                                             "role": "MEMBER", "username": "lixiaoming", "password": "apprentice-1"}},
                      user=admin))["personCreate"]
    assert data["errors"] == [] and data["person"]["name"] == "李小明"
    membership = await Membership.get(person__name="李小明")
    assert membership.organisation_id == studio.id and membership.role == MembershipRole.MEMBER
    login = (await gql(LOGIN, {"u": "lixiaoming", "p": "apprentice-1"}))["login"]
    assert login["me"]["name"] == "李小明"


async def test_a_taken_username_writes_nothing(gql: GraphQLClient) -> None:
    studio = await make_org("工作室")
    admin = await gql.user("管理员", org=studio, role=MembershipRole.ADMIN)
    await create_account("taken", "password-1", None)
    data = (await gql(NEW_PERSON, {"input": {"name": "重名", "organisationId": gid("Organisation", studio.id),
                                             "username": "taken", "password": "password-2"}}, user=admin))
    assert data["personCreate"]["errors"] == [{"code": "USERNAME_TAKEN", "message": "This username is taken",
                                               "field": "username"}]
    assert not await Person.filter(name="重名").exists()
    assert await Membership.filter(organisation=studio).count() == 1  # only the admin


async def test_person_create_checks_input_and_permission(gql: GraphQLClient) -> None:
    studio = await make_org("工作室")
    member = await gql.user("职工", org=studio)
    admin = await gql.user("管理员", org=studio, role=MembershipRole.ADMIN)
    org_id = gid("Organisation", studio.id)
    refused = (await gql(NEW_PERSON, {"input": {"name": "甲", "organisationId": org_id}}, user=member))
    assert refused["personCreate"]["errors"][0]["code"] == "PERMISSION_DENIED"
    short = (await gql(NEW_PERSON, {"input": {"name": "乙", "organisationId": org_id, "username": "yi",
                                              "password": "short"}}, user=admin))
    assert short["personCreate"]["errors"][0]["field"] == "username"
    no_password = (await gql(NEW_PERSON, {"input": {"name": "丙", "organisationId": org_id, "username": "bing_1"}},
                             user=admin))
    assert no_password["personCreate"]["errors"] == [
        {"code": "BLANK", "message": "Give both username and password, or neither", "field": "password"}]
    anonymous = (await gql(NEW_PERSON, {"input": {"name": "丁", "organisationId": org_id}}))
    assert anonymous["personCreate"]["errors"][0]["code"] == "UNAUTHENTICATED"
    assert await Person.filter(name__in=["甲", "乙", "丙", "丁"]).count() == 0


async def test_who_shows_my_skills_and_honours(gql: GraphQLClient) -> None:
    user = await gql.user("王建国")
    weld = await Skill.create(name="焊接", category="机械制造")
    await PersonSkill.create(person=user.person, skill=weld, level=1)
    await Honour.create(person=user.person, title="全国劳动模范", level="NATIONAL", year=2015)
    data = (await gql(WHO, user=user))["me"]
    assert data["name"] == "王建国"
    assert data["skills"] == [{"skill": {"name": "焊接"}, "level": 1}]
    assert data["honours"] == [{"title": "全国劳动模范", "level": "NATIONAL", "year": 2015}]


async def test_skill_levels_expose_number_grade_and_chinese_name(gql: GraphQLClient) -> None:
    user = await gql.user("王建国")
    await PersonSkill.create(person=user.person, skill=await Skill.create(name="钳工"), level=5)
    data = await gql("{ me { skills { level grade levelName } } }", user=user)
    assert data["me"]["skills"] == [{"level": 5, "grade": "JUNIOR_WORKER", "levelName": "初级工"}]


async def test_skill_create_and_set_level(gql: GraphQLClient) -> None:
    studio = await make_org("工作室")
    admin = await gql.user("管理员", org=studio, role=MembershipRole.ADMIN)
    worker = await gql.user("职工", org=studio)
    created = (await gql(NEW_SKILL, {"name": "焊接", "cat": "机械制造"}, user=admin))["skillCreate"]
    assert created["errors"] == []
    again = (await gql(NEW_SKILL, {"name": " 焊接 "}, user=admin))["skillCreate"]
    assert again["errors"] == [{"code": "DUPLICATE", "message": "A skill with this name exists", "field": "name"}]
    by_worker = (await gql(NEW_SKILL, {"name": "钳工"}, user=worker))["skillCreate"]
    assert by_worker["errors"][0]["code"] == "PERMISSION_DENIED"

    variables = {"p": worker.person_gid, "s": created["skill"]["id"], "l": 3}
    assert (await gql(SET_SKILL, variables, user=admin))["personSkillSet"]["errors"] == []
    assert (await gql(SET_SKILL, {**variables, "l": 2}, user=admin))["personSkillSet"]["errors"] == []
    assert await PersonSkill.filter(person_id=worker.person.id).values_list("level", flat=True) == [2]  # type: ignore[union-attr]
    bad = (await gql(SET_SKILL, {**variables, "l": 6}, user=admin))["personSkillSet"]["errors"]
    assert bad == [{"code": "OUT_OF_RANGE", "message": "`level` must be between 1 and 5", "field": "level"}]
    self_set = (await gql(SET_SKILL, {**variables, "l": 1}, user=worker))["personSkillSet"]["errors"]
    assert self_set[0]["code"] == "PERMISSION_DENIED"


async def test_skills_search_and_people_filters(gql: GraphQLClient) -> None:
    studio = await make_org("工作室")
    weld = await Skill.create(name="焊接")
    await Skill.create(name="数控加工")
    a = await gql.user("甲", org=studio)
    await gql.user("乙")
    await PersonSkill.create(person=a.person, skill=weld, level=2)
    data = await gql("query($s: ID!, $o: ID!) { skills(search: \"焊\") { totalCount } "
                     "bySkill: people(skillId: $s) { edges { node { name } } } "
                     "byOrg: people(organisationId: $o) { totalCount } "
                     "byName: people(search: \"乙\") { totalCount } }",
                     {"s": gid("Skill", weld.id), "o": gid("Organisation", studio.id)})
    assert data["skills"]["totalCount"] == 1
    assert data["bySkill"]["edges"] == [{"node": {"name": "甲"}}]
    assert data["byOrg"]["totalCount"] == 1 and data["byName"]["totalCount"] == 1


async def test_contact_details_only_for_self_and_admins(gql: GraphQLClient) -> None:
    studio = await make_org("工作室")
    worker = await gql.user("职工", org=studio)
    await Person.filter(id=worker.person.id).update(phone="13800000000")  # type: ignore[union-attr]
    admin = await gql.user("管理员", org=studio, role=MembershipRole.ADMIN)
    stranger = await gql.user("路人", org=await make_org("别处"), role=MembershipRole.ADMIN)
    query = "query($id: ID!) { node(id: $id) { ... on Person { phone } } }"
    variables = {"id": worker.person_gid}
    assert (await gql(query, variables, user=worker))["node"]["phone"] == "13800000000"
    assert (await gql(query, variables, user=admin))["node"]["phone"] == "13800000000"
    assert (await gql(query, variables, user=stranger))["node"]["phone"] is None
    assert (await gql(query, variables))["node"]["phone"] is None


async def test_person_update_by_self_and_membership_set(gql: GraphQLClient) -> None:
    studio = await make_org("工作室")
    worker = await gql.user("职工", org=studio)
    admin = await gql.user("管理员", org=studio, role=MembershipRole.ADMIN)
    update = ("mutation($i: PersonUpdateInput!) { personUpdate(input: $i) { person { name bio } "
              "errors { code field } } }")
    mine = await gql(update, {"i": {"id": worker.person_gid, "bio": "焊接十年"}}, user=worker)
    assert mine["personUpdate"] == {"person": {"name": "职工", "bio": "焊接十年"}, "errors": []}
    other = await gql(update, {"i": {"id": admin.person_gid, "bio": "x"}}, user=worker)
    assert other["personUpdate"]["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]

    membership = ("mutation($p: ID!, $o: ID!, $r: MembershipRole) { membershipSet(input: "
                  "{personId: $p, organisationId: $o, role: $r}) { person { memberships { role } } errors { code } } }")
    ids = {"p": worker.person_gid, "o": gid("Organisation", studio.id)}
    promoted = await gql(membership, {**ids, "r": "ADMIN"}, user=admin)
    assert promoted["membershipSet"] == {"person": {"memberships": [{"role": "ADMIN"}]}, "errors": []}
    removed = await gql(membership, {**ids, "r": None}, user=admin)
    assert removed["membershipSet"]["person"]["memberships"] == []


async def test_honour_add_checks_year_and_permission(gql: GraphQLClient) -> None:
    studio = await make_org("工作室")
    worker = await gql.user("职工", org=studio)
    admin = await gql.user("管理员", org=studio, role=MembershipRole.ADMIN)
    add = ("mutation($i: HonourAddInput!) { honourAdd(input: $i) { honour { title } errors { code field } } }")
    base = {"personId": worker.person_gid, "title": "海州工匠", "level": "MUNICIPAL", "issuer": "海州市总工会"}
    assert (await gql(add, {"i": {**base, "year": 2023}}, user=admin))["honourAdd"]["errors"] == []
    assert (await gql(add, {"i": {**base, "year": 1800}}, user=admin))["honourAdd"]["errors"] == [
        {"code": "OUT_OF_RANGE", "field": "year"}]
    assert (await gql(add, {"i": {**base, "year": 2023}}, user=worker))["honourAdd"]["errors"][0]["code"] == \
        "PERMISSION_DENIED"
    assert await Honour.filter(person_id=worker.person.id).count() == 1  # type: ignore[union-attr]


async def test_accounts_are_argon2_hashed(gql: GraphQLClient) -> None:
    await create_account("hashme", "plain-password", None)
    stored = (await Account.get(username="hashme")).password_hash
    assert stored.startswith("$argon2id$") and "plain-password" not in stored
