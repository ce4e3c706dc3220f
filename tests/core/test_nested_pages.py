"""Nested connections are cut in SQL: ``members(first: N)`` reads only each organisation's page
(a window per parent, ``core.loaders.load_pages``), with the same totals and cursors as before."""

from __future__ import annotations

from core.loaders import load_pages
from core.organisations.models import Organisation, OrganisationKind
from core.people.models import Membership, MembershipRole, Person
from core.relay import encode_cursor
from tests.support import GraphQLClient, count_statements, gid, make_org

MEMBERS = """
query($parent: ID, $first: Int, $after: String) { organisations(first: 10, parentId: $parent) { edges { node {
  name members(first: $first, after: $after) { totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor role node { name } } } } } } }
"""


async def _orgs(sizes: dict[str, int]) -> tuple[Organisation, dict[str, Organisation]]:
    parent = await make_org("总工会", OrganisationKind.FEDERATION)
    orgs = {}
    for name, size in sizes.items():
        org = orgs[name] = await make_org(name, parent=parent)
        people = [await Person.create(name=f"{name}{i:02d}") for i in range(size)]
        await Membership.bulk_create(
            [
                Membership(person=p, organisation=org, role=MembershipRole.ADMIN if i == 0 else MembershipRole.MEMBER)
                for i, p in enumerate(people)
            ]
        )
    return parent, orgs


async def _pages(gql: GraphQLClient, parent: Organisation, first: int, after: str | None) -> dict[str, dict]:
    data = await gql(MEMBERS, {"parent": gid("Organisation", parent.id), "first": first, "after": after})
    return {edge["node"]["name"]: edge["node"]["members"] for edge in data["organisations"]["edges"]}


async def test_each_organisation_gets_its_own_page_total_and_cursors(gql: GraphQLClient) -> None:
    parent, _ = await _orgs({"甲": 25, "乙": 3, "丙": 0})
    pages = await _pages(gql, parent, 20, None)
    assert pages["甲"]["totalCount"] == 25
    assert [e["node"]["name"] for e in pages["甲"]["edges"]] == [f"甲{i:02d}" for i in range(20)]
    assert pages["甲"]["edges"][0]["role"] == "ADMIN" and pages["甲"]["edges"][1]["role"] == "MEMBER"
    assert [e["cursor"] for e in pages["甲"]["edges"]] == [encode_cursor(i) for i in range(20)]
    assert pages["甲"]["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": encode_cursor(0),
        "endCursor": encode_cursor(19),
    }
    assert pages["乙"]["totalCount"] == 3 and len(pages["乙"]["edges"]) == 3
    assert not pages["乙"]["pageInfo"]["hasNextPage"]
    assert pages["丙"] == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
    }


async def test_later_pages_empty_pages_and_first_zero_keep_the_totals(gql: GraphQLClient) -> None:
    parent, _ = await _orgs({"甲": 25, "乙": 3, "丙": 0})
    later = await _pages(gql, parent, 10, encode_cursor(19))
    assert [e["node"]["name"] for e in later["甲"]["edges"]] == [f"甲{i:02d}" for i in range(20, 25)]
    assert later["甲"]["pageInfo"]["hasPreviousPage"] and not later["甲"]["pageInfo"]["hasNextPage"]
    assert later["甲"]["edges"][0]["cursor"] == encode_cursor(20)
    # Past the end of 乙 (3 members): no rows, but its total is still known.
    assert later["乙"]["totalCount"] == 3 and later["乙"]["edges"] == []
    assert later["丙"]["totalCount"] == 0
    none = await _pages(gql, parent, 0, None)
    assert {name: (p["totalCount"], p["edges"]) for name, p in none.items()} == {
        "甲": (25, []),
        "乙": (3, []),
        "丙": (0, []),
    }


async def test_only_the_page_rows_are_read_in_one_statement(gql: GraphQLClient) -> None:
    _, orgs = await _orgs({"甲": 30, "乙": 12, "丙": 0})
    ids = [orgs["甲"].id, orgs["乙"].id, orgs["丙"].id]
    with count_statements() as counter:
        pages, people = await load_pages(Membership, "organisation_id", ids, 5, 4, related=("person",))
    assert counter.count == 1
    expected = (await Membership.filter(organisation=orgs["甲"]).order_by("id").select_related("person"))[5:9]
    assert [m.person_id for m in pages[orgs["甲"].id].rows] == [m.person_id for m in expected]
    # The page's people came joined in the same statement, whole rows, one per membership.
    by_id = {p.id: p for p in people}
    assert [by_id[m.person_id].name for m in pages[orgs["甲"].id].rows] == [m.person.name for m in expected]
    assert len(people) == 4 + 4  # 甲's page and 乙's (12 members, rows 6 to 9)
    assert (pages[orgs["甲"].id].total, pages[orgs["乙"].id].total) == (30, 12)
    assert orgs["丙"].id not in pages  # no rows at all: the loader answers an empty page
    # Descending order and a filter, as a child list with a status would use.
    admins, _ = await load_pages(Membership, "organisation_id", ids, 0, 5, order_by=("-id",),
                                 role=MembershipRole.ADMIN)
    assert {k: (len(v.rows), v.total) for k, v in admins.items()} == {orgs["甲"].id: (1, 1), orgs["乙"].id: (1, 1)}


async def test_the_statement_count_stays_the_same_for_ten_and_hundred_members(gql: GraphQLClient) -> None:
    small, _ = await _orgs({"小甲": 10, "小乙": 10})
    large, _ = await _orgs({"大甲": 100, "大乙": 100})
    counts = []
    for parent in (small, large):
        with count_statements() as counter:
            await _pages(gql, parent, 20, None)
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
