"""``personUpdate`` is audited like the other person writes (docs/audit.md): one entry per
change, with the values that changed (the bio only as ``bioChanged``), none for a no-op."""

from __future__ import annotations

from core.audit.models import AuditEntry
from core.people.models import Person
from host.testing.support import GraphQLClient, gid, make_org

UPDATE = """mutation($i: ID!, $phone: String, $bio: String, $name: String) {
  personUpdate(input: {id: $i, phone: $phone, bio: $bio, name: $name}) { errors { code field } } }"""


async def test_person_update_is_audited_with_what_changed(gql: GraphQLClient) -> None:
    org = await make_org()
    user = await gql.user("张三", org=org)
    assert user.person is not None
    await Person.filter(id=user.person.id).update(phone="13800000000")
    variables = {"i": user.person_gid, "phone": "13900000000", "bio": "新的简介", "name": "张三"}
    assert (await gql(UPDATE, variables, user=user))["personUpdate"]["errors"] == []
    entry = await AuditEntry.get(action="person.updated")
    assert entry.target == gid("Person", user.person.id) and entry.organisation_id is None
    assert entry.actor_account_id == user.account_id and entry.actor_person_id == user.person.id
    assert entry.before == {"phone": "13800000000"}
    assert entry.after == {"phone": "13900000000", "bioChanged": True}
    # The same values again change nothing and write no entry; a refused change writes none.
    assert (await gql(UPDATE, variables, user=user))["personUpdate"]["errors"] == []
    other = await gql.user("李四", org=org)
    refused = await gql(UPDATE, {**variables, "phone": "1"}, user=other)
    assert refused["personUpdate"]["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]
    assert await AuditEntry.filter(action="person.updated").count() == 1
