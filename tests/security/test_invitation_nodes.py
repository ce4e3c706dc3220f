"""Invitations are nodes: ``node(id:)`` shows them to who may see them, and to nobody else."""

from __future__ import annotations

from core.organisations.models import AllianceInvitation, AllianceRole, OrganisationKind
from core.people import invitations
from core.people.models import InvitationStatus, MembershipRole
from core.runtime import Runtime
from host.testing.support import GraphQLClient, User, gid, make_org

NODE = """query($id: ID!) { node(id: $id) { id ... on MembershipInvitation { status role person { name } }
  ... on AllianceInvitation { status alliance { name } organisation { name } } } }"""
INVITE = """mutation($o: ID!, $p: ID!) { membershipInvite(input: {organisationId: $o, personId: $p}) {
  invitation { id status } errors { code } } }"""


async def _node(gql: GraphQLClient, node_id: str, user: User | None) -> object:
    return (await gql(NODE, {"id": node_id}, user=user))["node"]


async def test_membership_invitation_node(gql: GraphQLClient, rt: Runtime) -> None:
    org, other = await make_org("甲"), await make_org("乙")
    admin = await gql.user("甲管理员", org=org, role=MembershipRole.ADMIN)
    invited = await gql.user("被邀请者", org=other)
    other_admin = await gql.user("乙管理员", org=other, role=MembershipRole.ADMIN)
    member = await gql.user("甲组员", org=org)
    sent = await gql(INVITE, {"o": gid("Organisation", org.id), "p": invited.person_gid}, user=admin)
    invitation_id = sent["membershipInvite"]["invitation"]["id"]
    assert invitation_id == gid("MembershipInvitation", 1)
    expected = {"id": invitation_id, "status": "PENDING", "role": "MEMBER", "person": {"name": "被邀请者"}}
    for viewer in (invited, admin, await gql.superuser()):
        assert await _node(gql, invitation_id, viewer) == expected
    # The invited person's own organisation does not read invitations others send them.
    for viewer in (None, member, other_admin):
        assert await _node(gql, invitation_id, viewer) is None
    await invitations.decline(rt, 1)
    assert (await _node(gql, invitation_id, invited)) == {**expected, "status": "DECLINED"}


async def test_alliance_invitation_node(gql: GraphQLClient, rt: Runtime) -> None:
    alliance = await make_org("联盟", OrganisationKind.ALLIANCE)
    invited, bystander = await make_org("受邀企业"), await make_org("旁观企业")
    alliance_admin = await gql.user("联盟管理员", org=alliance, role=MembershipRole.ADMIN)
    invited_admin = await gql.user("受邀管理员", org=invited, role=MembershipRole.ADMIN)
    invited_member = await gql.user("受邀组员", org=invited)
    bystander_admin = await gql.user("旁观管理员", org=bystander, role=MembershipRole.ADMIN)
    row = await AllianceInvitation.create(
        alliance=alliance,
        organisation=invited,
        role=AllianceRole.MEMBER,
        status=InvitationStatus.PENDING,
        invited_at=rt.now(),
    )
    node_id = gid("AllianceInvitation", row.id)
    expected = {"id": node_id, "status": "PENDING", "alliance": {"name": "联盟"}, "organisation": {"name": "受邀企业"}}
    for viewer in (alliance_admin, invited_admin):
        assert await _node(gql, node_id, viewer) == expected
    for viewer in (None, invited_member, bystander_admin):
        assert await _node(gql, node_id, viewer) is None
