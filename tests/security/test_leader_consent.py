"""Found by the matrix: an admin of B created an organisation under B naming a person of A its
leader, without the person's consent. Naming a leader now needs the consent adding them would
(``core.permissions.require_may_name``): the person themselves, or an admin who manages every
organisation the person is in; otherwise ``INVITATION_REQUIRED``."""

from __future__ import annotations

from core.organisations.models import Organisation
from core.people.models import MembershipRole
from host.testing.support import GraphQLClient, gid, make_org

CREATE = """mutation($parent: ID!, $leader: ID!) {
  organisationCreate(input: {name: "新工作室", kind: STUDIO, parentId: $parent, leaderId: $leader}) {
    organisation { leader { name } } errors { code field } } }"""
UPDATE = """mutation($id: ID!, $leader: ID!) { organisationUpdate(input: {id: $id, leaderId: $leader}) {
  organisation { leader { name } } errors { code field } } }"""


async def test_naming_a_leader_needs_the_persons_consent(gql: GraphQLClient) -> None:
    a, b = await make_org("甲"), await make_org("乙")
    a_person = await gql.user("甲师傅", org=a)
    b_admin = await gql.user("乙管理员", org=b, role=MembershipRole.ADMIN)
    b_person = await gql.user("乙组员", org=b)
    refused = [{"code": "INVITATION_REQUIRED", "field": "leaderId"}]
    created = await gql(CREATE, {"parent": gid("Organisation", b.id), "leader": a_person.person_gid}, user=b_admin)
    assert created["organisationCreate"]["errors"] == refused
    assert await Organisation.all().count() == 2
    updated = await gql(UPDATE, {"id": gid("Organisation", b.id), "leader": a_person.person_gid}, user=b_admin)
    assert updated["organisationUpdate"]["errors"] == refused
    assert (await Organisation.get(id=b.id)).leader_id is None
    # B's own people, and the admin themselves, B's admin names freely.
    for leader in (b_person, b_admin):
        ok = await gql(UPDATE, {"id": gid("Organisation", b.id), "leader": leader.person_gid}, user=b_admin)
        assert ok["organisationUpdate"]["errors"] == [], ok
    assert b_admin.person is not None
    assert (await Organisation.get(id=b.id)).leader_id == b_admin.person.id
