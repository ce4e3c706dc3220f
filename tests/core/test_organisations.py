"""Organisations and alliances: the mobile app's operations, permissions and bad input."""

from __future__ import annotations

from core.organisations.models import AllianceMembership, Organisation, OrganisationKind
from core.people.models import MembershipRole
from tests.support import GraphQLClient, gid, make_org

ORGS = """
query Orgs($first: Int, $after: String, $kind: OrganisationKind) {
  organisations(first: $first, after: $after, kind: $kind) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id name kind level parent { id name } } }
  }
}"""
NEW_ORG = """
mutation NewOrg($input: OrganisationCreateInput!) {
  organisationCreate(input: $input) { organisation { id name kind } errors { code message field } }
}"""
JOIN = """
mutation Join($a: ID!, $o: ID!) {
  allianceJoin(input: {allianceId: $a, organisationId: $o, role: MEMBER}) {
    organisation { id alliances(first: 10) { totalCount } } errors { code message field }
  }
}"""
UPDATE = """
mutation($input: OrganisationUpdateInput!) {
  organisationUpdate(input: $input) { organisation { id name parent { name } } errors { code field } }
}"""


async def test_orgs_query_pages_with_cursors_and_filters(gql: GraphQLClient) -> None:
    fed = await make_org("海州市总工会", OrganisationKind.FEDERATION)
    for i in range(5):
        await make_org(f"企业{i}", parent=fed)
    page1 = (await gql(ORGS, {"first": 2, "kind": "ENTERPRISE"}))["organisations"]
    assert page1["totalCount"] == 5 and page1["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["name"] for e in page1["edges"]] == ["企业0", "企业1"]
    assert page1["edges"][0]["node"]["parent"]["name"] == "海州市总工会"
    page3 = (await gql(ORGS, {"first": 2, "after": page1["pageInfo"]["endCursor"], "kind": "ENTERPRISE"}))
    names = [e["node"]["name"] for e in page3["organisations"]["edges"]]
    assert names == ["企业2", "企业3"]


async def test_first_above_one_hundred_is_an_error_naming_the_argument(gql: GraphQLClient) -> None:
    [error] = await gql.errors("{ organisations(first: 101) { totalCount } }")
    assert error["extensions"] == {"code": "OUT_OF_RANGE", "field": "first"}


async def test_search_and_parent_filters(gql: GraphQLClient) -> None:
    fed = await make_org("海州市总工会", OrganisationKind.FEDERATION)
    await make_org("海州重工", parent=fed)
    await make_org("东港汽车")
    data = await gql("query($p: ID) { a: organisations(search: \"重工\") { totalCount } "
                     "b: organisations(parentId: $p) { edges { node { name } } } }", {"p": gid("Organisation", fed.id)})
    assert data["a"]["totalCount"] == 1
    assert data["b"]["edges"] == [{"node": {"name": "海州重工"}}]


async def test_superuser_creates_an_organisation(gql: GraphQLClient) -> None:
    admin = await gql.superuser()
    data = (await gql(NEW_ORG, {"input": {"name": " 海州市总工会 ", "kind": "FEDERATION", "level": "MUNICIPAL",
                                          "region": "海州市"}}, user=admin))["organisationCreate"]
    assert data["errors"] == []
    assert data["organisation"]["name"] == "海州市总工会"
    assert await Organisation.filter(name="海州市总工会", region="海州市").exists()


async def test_org_admin_creates_children_but_members_cannot(gql: GraphQLClient) -> None:
    parent = await make_org("海州重工")
    admin = await gql.user("管理员", org=parent, role=MembershipRole.ADMIN)
    member = await gql.user("职工", org=parent)
    variables = {
        "input": {"name": "王建国劳模创新工作室", "kind": "STUDIO", "parentId": gid("Organisation", parent.id)}
    }
    ok = (await gql(NEW_ORG, variables, user=admin))["organisationCreate"]
    assert ok["errors"] == [] and ok["organisation"]["kind"] == "STUDIO"
    refused = (await gql(NEW_ORG, variables, user=member))["organisationCreate"]
    assert refused["organisation"] is None
    assert refused["errors"] == [{"code": "PERMISSION_DENIED", "message": "You may not manage this organisation",
                                  "field": "parentId"}]
    assert await Organisation.filter(kind=OrganisationKind.STUDIO).count() == 1


async def test_admin_of_an_ancestor_manages_descendants(gql: GraphQLClient) -> None:
    fed = await make_org("总工会", OrganisationKind.FEDERATION)
    firm = await make_org("企业", parent=fed)
    fed_admin = await gql.user("总工会管理员", org=fed, role=MembershipRole.ADMIN)
    data = (await gql(UPDATE, {"input": {"id": gid("Organisation", firm.id), "name": "海州重工"}}, user=fed_admin))
    assert data["organisationUpdate"]["errors"] == []
    assert (await Organisation.get(id=firm.id)).name == "海州重工"


async def test_blank_and_too_long_names_are_reported_per_field(gql: GraphQLClient) -> None:
    admin = await gql.superuser()
    blank = (await gql(NEW_ORG, {"input": {"name": "   ", "kind": "ENTERPRISE", "region": "x" * 101}}, user=admin))
    assert blank["organisationCreate"]["errors"] == [
        {"code": "BLANK", "message": "`name` must not be blank", "field": "name"},
        {"code": "TOO_LONG", "message": "`region` is longer than 100 characters", "field": "region"},
    ]
    long = (await gql(NEW_ORG, {"input": {"name": "名" * 201, "kind": "ENTERPRISE"}}, user=admin))
    assert long["organisationCreate"]["errors"][0]["code"] == "TOO_LONG"
    assert await Organisation.all().count() == 0


async def test_unknown_enum_value_is_a_coded_error_naming_the_field(gql: GraphQLClient) -> None:
    admin = await gql.superuser()
    [error] = await gql.errors(NEW_ORG, {"input": {"name": "x", "kind": "FACTORY"}}, user=admin)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "kind"}
    assert "FACTORY" in error["message"]


async def test_id_of_the_wrong_type_is_invalid_id(gql: GraphQLClient) -> None:
    admin = await gql.superuser()
    wrong = gid("Person", admin.person.id)  # type: ignore[union-attr]
    data = (await gql(NEW_ORG, {"input": {"name": "x", "kind": "STUDIO", "parentId": wrong}}, user=admin))
    assert data["organisationCreate"]["errors"] == [
        {"code": "INVALID_ID", "message": "`parentId` must be the ID of a Organisation", "field": "parentId"}
    ]
    garbage = (await gql(NEW_ORG, {"input": {"name": "x", "kind": "STUDIO", "parentId": "not-an-id"}}, user=admin))
    assert garbage["organisationCreate"]["errors"][0]["code"] == "INVALID_ID"


async def test_a_parent_that_would_make_a_cycle_is_refused(gql: GraphQLClient) -> None:
    admin = await gql.superuser()
    top = await make_org("总工会", OrganisationKind.FEDERATION)
    mid = await make_org("产业工会", OrganisationKind.INDUSTRY_UNION, parent=top)
    low = await make_org("企业", parent=mid)
    for new_parent in (low, top):
        data = await gql(UPDATE, {"input": {"id": gid("Organisation", top.id), "name": "改名",
                                             "parentId": gid("Organisation", new_parent.id)}}, user=admin)
        assert data["organisationUpdate"]["errors"] == [{"code": "CYCLE", "field": "parentId"}]
    # Nothing half-written: the rename in the same input did not happen either.
    assert (await Organisation.get(id=top.id)).name == "总工会"


async def test_null_parent_makes_an_organisation_top_level(gql: GraphQLClient) -> None:
    admin = await gql.superuser()
    top = await make_org("总工会", OrganisationKind.FEDERATION)
    child = await make_org("企业", parent=top)
    data = await gql(UPDATE, {"input": {"id": gid("Organisation", child.id), "parentId": None}}, user=admin)
    assert data["organisationUpdate"]["organisation"]["parent"] is None


async def test_join_an_alliance_once_and_leave_it(gql: GraphQLClient) -> None:
    alliance = await make_org("联盟", OrganisationKind.ALLIANCE, charter="自愿、共建、共享")
    studio = await make_org("工作室", OrganisationKind.STUDIO)
    admin = await gql.superuser()
    ids = {"a": gid("Organisation", alliance.id), "o": gid("Organisation", studio.id)}
    joined = (await gql(JOIN, ids, user=admin))["allianceJoin"]
    assert joined["errors"] == [] and joined["organisation"]["alliances"]["totalCount"] == 1
    twice = (await gql(JOIN, ids, user=admin))["allianceJoin"]
    assert twice["errors"] == [{"code": "ALREADY_MEMBER", "message": "This organisation is already in the alliance",
                                "field": "organisationId"}]
    assert await AllianceMembership.all().count() == 1
    members = await gql("query($a: ID!) { node(id: $a) { ... on Organisation { charter allianceMembers "
                        "{ totalCount edges { role node { name } } } } } }", {"a": ids["a"]})
    assert members["node"]["allianceMembers"]["edges"] == [{"role": "MEMBER", "node": {"name": "工作室"}}]
    left = await gql("mutation($a: ID!, $o: ID!) { allianceLeave(input: {allianceId: $a, organisationId: $o}) "
                     "{ organisation { alliances { totalCount } } errors { code } } }", ids, user=admin)
    assert left["allianceLeave"] == {"organisation": {"alliances": {"totalCount": 0}}, "errors": []}


async def test_joining_something_that_is_not_an_alliance(gql: GraphQLClient) -> None:
    firm = await make_org("企业")
    studio = await make_org("工作室", OrganisationKind.STUDIO)
    admin = await gql.superuser()
    data = (await gql(JOIN, {"a": gid("Organisation", firm.id), "o": gid("Organisation", studio.id)}, user=admin))
    assert data["allianceJoin"]["errors"][0] == {"code": "NOT_AN_ALLIANCE", "field": "allianceId",
                                                 "message": "This organisation is not an alliance"}


async def test_admins_of_the_lead_member_manage_the_alliance(gql: GraphQLClient) -> None:
    alliance = await make_org("联盟", OrganisationKind.ALLIANCE)
    lead = await make_org("牵头工作室", OrganisationKind.STUDIO)
    other = await make_org("成员工作室", OrganisationKind.STUDIO)
    await AllianceMembership.create(alliance=alliance, organisation=lead, role="LEAD")
    lead_admin = await gql.user("领衔人", org=lead, role=MembershipRole.LEADER)
    outsider = await gql.user("路人", org=other, role=MembershipRole.ADMIN)
    ids = {"a": gid("Organisation", alliance.id), "o": gid("Organisation", other.id)}
    assert (await gql(JOIN, ids, user=outsider))["allianceJoin"]["errors"][0]["code"] == "PERMISSION_DENIED"
    # Consent (issue 8): the lead's admins invite; the member's admins accept.
    assert (await gql(JOIN, ids, user=lead_admin))["allianceJoin"]["errors"][0]["code"] == "INVITATION_REQUIRED"
    invite = ("mutation($a: ID!, $o: ID!) { allianceInvite(input: {allianceId: $a, organisationId: $o}) "
              "{ invitation { id } errors { code } } }")
    invited = (await gql(invite, ids, user=lead_admin))["allianceInvite"]
    assert invited["errors"] == []
    accept = "mutation($i: ID!) { allianceInvitationAccept(input: {id: $i}) { errors { code } } }"
    assert (await gql(accept, {"i": invited["invitation"]["id"]}, user=outsider))["allianceInvitationAccept"] == {
        "errors": []}
    assert await AllianceMembership.filter(alliance=alliance, organisation=other).exists()


async def test_node_and_nodes_resolve_any_type_in_order(gql: GraphQLClient) -> None:
    org = await make_org("海州重工")
    user = await gql.user("王建国", org=org)
    ids = [user.person_gid, gid("Organisation", org.id), gid("Organisation", 999)]
    data = await gql("query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }", {"ids": ids})
    assert [n and n["__typename"] for n in data["nodes"]] == ["Person", "Organisation", None]
    assert data["nodes"][0]["id"] == ids[0]
    assert (await gql("query($id: ID!) { node(id: $id) { id } }", {"id": gid("Nothing", 1)}))["node"] is None
