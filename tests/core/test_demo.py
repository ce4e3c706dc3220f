"""Demo data: a believable alliance, loaded once."""

from __future__ import annotations

from typing import Any

from core.auth.models import Account
from core.organisations.models import AllianceMembership, AllianceRole, Organisation, OrganisationKind
from core.people.models import Honour, Person
from core.runtime import Runtime
from core.skills.models import PersonSkill
from host.demo import load_demo
from tests.support import GraphQLClient


async def test_demo_loads_the_alliance_world_once(rt: Runtime) -> None:
    demo = await load_demo(rt)
    assert demo is not None
    kinds = await Organisation.all().values_list("kind", flat=True)
    # Core's four studios, and the assessment demo's eight more (a federation of twelve).
    assert kinds.count(OrganisationKind.STUDIO) == 12
    assert kinds.count(OrganisationKind.ENTERPRISE) == 2
    assert {OrganisationKind.FEDERATION, OrganisationKind.INDUSTRY_UNION, OrganisationKind.SCHOOL,
            OrganisationKind.ALLIANCE} <= set(kinds)
    alliance = await Organisation.get(kind=OrganisationKind.ALLIANCE)
    assert "自愿、共建、共享" in alliance.charter
    assert await AllianceMembership.filter(alliance=alliance, role=AllianceRole.LEAD).count() == 1
    assert 40 <= await Person.all().count() <= 60
    assert await Honour.filter(title="全国劳动模范").exists()
    assert await PersonSkill.filter(level=1).count() >= 2
    studios = await Organisation.filter(kind=OrganisationKind.STUDIO)
    assert all(studio.leader_id is not None for studio in studios)
    assert {username for username, _, _ in demo.accounts} <= set(await Account.all().values_list("username", flat=True))

    assert await load_demo(rt) is None
    assert await Organisation.filter(kind=OrganisationKind.ALLIANCE).count() == 1


async def test_every_demo_account_signs_in_and_worker1_answers_the_pending_invitation(
    rt: Runtime, gql: GraphQLClient
) -> None:
    demo = await load_demo(rt)
    assert demo is not None
    login = """mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
      accessToken errors { code } } }"""
    tokens = {}
    for username, password, _ in demo.accounts:
        signed_in = (await gql(login, {"u": username, "p": password}))["login"]
        assert signed_in["errors"] == [], username
        tokens[username] = signed_in["accessToken"]

    async def as_user(username: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await gql.http.post("/graphql", json={"query": query, "variables": variables or {}},
                                       headers={"Authorization": f"Bearer {tokens[username]}"})
        body = response.json()
        assert "errors" not in body, body
        return dict(body["data"])

    mine = "{ me { name invitations { id status organisation { name } invitedBy { name } } } }"
    for username in tokens:
        me = (await as_user(username, mine))["me"]
        assert username == "admin" or me["name"]
    [invitation] = (await as_user("worker1", mine))["me"]["invitations"]
    assert invitation["organisation"] == {"name": "海州市高级技工学校"}
    assert invitation["invitedBy"] == {"name": "吴秀英"} and invitation["status"] == "PENDING"
    accept = ("mutation($i: ID!) { membershipAccept(input: {id: $i}) { "
              "person { memberships { organisation { name } } } errors { code } } }")
    accepted = (await as_user("worker1", accept, {"i": invitation["id"]}))["membershipAccept"]
    assert accepted["errors"] == []
    assert {"organisation": {"name": "海州市高级技工学校"}} in accepted["person"]["memberships"]
