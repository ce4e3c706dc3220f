"""Nothing lost or doubled under concurrency (real PostgreSQL: run by `make test-real`)."""

from __future__ import annotations

import asyncio

import pytest

from core.auth.models import RefreshToken
from core.auth.services import create_account
from core.organisations import invitations as alliance_invitations
from core.organisations.models import AllianceMembership, AllianceRole, OrganisationKind, OrganisationPlugin
from core.people.models import InvitationStatus, Membership, MembershipInvitation, MembershipRole, Person
from core.runtime import Runtime
from core.skills.models import PersonSkill, Skill
from core.skills.services import record_skill_level
from host.plugins import build_plugin_manager
from tests.core.throwaway import EchoPlugin
from tests.support import GraphQLClient, client_for, gid, make_org, runtime_with

pytestmark = pytest.mark.postgres

JOIN = """mutation($a: ID!, $o: ID!) { allianceJoin(input: {allianceId: $a, organisationId: $o}) {
  errors { code } } }"""


async def test_concurrent_joins_make_one_membership(gql: GraphQLClient) -> None:
    alliance = await make_org("联盟", OrganisationKind.ALLIANCE)
    studio = await make_org("工作室", OrganisationKind.STUDIO)
    admin = await gql.superuser()
    ids = {"a": gid("Organisation", alliance.id), "o": gid("Organisation", studio.id)}
    results = await asyncio.gather(*(gql(JOIN, ids, user=admin) for _ in range(10)))
    codes = sorted(error["code"] for r in results for error in r["allianceJoin"]["errors"])
    assert codes == ["ALREADY_MEMBER"] * 9
    assert await AllianceMembership.filter(alliance=alliance).count() == 1


async def test_concurrent_refreshes_with_one_token_share_one_successor(gql: GraphQLClient) -> None:
    person = await Person.create(name="王建国")
    await create_account("racer", "secret-pass", person.id)
    login = await gql('mutation { login(input: {username: "racer", password: "secret-pass"}) { refreshToken } }')
    token = login["login"]["refreshToken"]
    refresh = "mutation($t: String!) { tokenRefresh(input: {refreshToken: $t}) { refreshToken errors { code } } }"
    results = await asyncio.gather(*(gql(refresh, {"t": token}) for _ in range(8)))
    # One wins the rotation; the others (same app, within the grace) get its very pair.
    assert all(not r["tokenRefresh"]["errors"] for r in results)
    assert len({r["tokenRefresh"]["refreshToken"] for r in results}) == 1
    assert await RefreshToken.filter(revoked_at=None).count() == 2  # the spent token and one successor


async def test_concurrent_plugin_enables_and_memberships_do_not_double(rt: Runtime) -> None:
    pm = build_plugin_manager([], entry_points=False)
    pm.register(EchoPlugin(), name="echo")
    gql = client_for(runtime_with(rt, pm))
    school = await make_org("学校", OrganisationKind.SCHOOL)
    admin = await gql.superuser()
    worker = await gql.user("学员")
    enable = "mutation($o: ID!) { pluginEnable(input: {organisationId: $o, plugin: \"echo\"}) { errors { code } } }"
    member = ("mutation($p: ID!, $o: ID!) { membershipSet(input: {personId: $p, organisationId: $o, role: MEMBER}) "
              "{ errors { code } } }")
    org = gid("Organisation", school.id)
    results = await asyncio.gather(*(gql(enable, {"o": org}, user=admin) for _ in range(8)),
                                   *(gql(member, {"p": worker.person_gid, "o": org}, user=admin) for _ in range(8)))
    assert all(not next(iter(r.values()))["errors"] for r in results)
    assert await OrganisationPlugin.filter(organisation=school).count() == 1
    assert await Membership.filter(organisation=school, role=MembershipRole.MEMBER).count() == 1
    await gql.http.aclose()


async def test_concurrent_accepts_make_one_membership_and_invites_one_row(gql: GraphQLClient) -> None:
    home = await make_org("甲企业")
    school = await make_org("学校", OrganisationKind.SCHOOL)
    admin = await gql.user("学校管理员", org=school, role=MembershipRole.ADMIN)
    person = await gql.user("甲职工", org=home)
    invite = ("mutation($o: ID!, $p: ID!) { membershipInvite(input: {organisationId: $o, personId: $p}) "
              "{ invitation { id } errors { code } } }")
    ids = {"o": gid("Organisation", school.id), "p": person.person_gid}
    invited = await asyncio.gather(*(gql(invite, ids, user=admin) for _ in range(8)))
    assert all(not r["membershipInvite"]["errors"] for r in invited)
    assert len({r["membershipInvite"]["invitation"]["id"] for r in invited}) == 1
    assert await MembershipInvitation.all().count() == 1
    accept = "mutation($i: ID!) { membershipAccept(input: {id: $i}) { invitation { status } errors { code } } }"
    invitation = {"i": invited[0]["membershipInvite"]["invitation"]["id"]}
    results = await asyncio.gather(*(gql(accept, invitation, user=person) for _ in range(10)))
    assert all(r["membershipAccept"] == {"invitation": {"status": "ACCEPTED"}, "errors": []} for r in results)
    assert await Membership.filter(organisation=school).count() == 2  # the admin and the person, once


async def test_concurrent_alliance_accepts_and_level_records_do_not_double(gql: GraphQLClient, rt: Runtime) -> None:
    alliance = await make_org("联盟", OrganisationKind.ALLIANCE)
    studio = await make_org("工作室", OrganisationKind.STUDIO)
    invitation = await alliance_invitations.invite(rt, alliance_id=alliance.id, organisation_id=studio.id,
                                                   role=AllianceRole.MEMBER, invited_by_account_id=None)
    accepted = await asyncio.gather(*(alliance_invitations.accept(rt, invitation.id) for _ in range(8)))
    assert {row.status for row in accepted} == {InvitationStatus.ACCEPTED}
    assert await AllianceMembership.filter(alliance=alliance).count() == 1
    person = await Person.create(name="学员")
    skill = await Skill.create(name="焊接")
    await asyncio.gather(*(record_skill_level(rt, person_id=person.id, skill_id=skill.id, level=level,
                                              organisation_id=studio.id, awarded_by_account_id=None,
                                              source=f"test:{level}") for level in (1, 2, 3, 4, 5) * 2))
    [row] = await PersonSkill.filter(person=person)
    assert row.source == f"test:{row.level}"
