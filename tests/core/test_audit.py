"""The audit log (issue 8, item 5): one entry per security-relevant change, written in the
change's transaction, never changed afterwards, read by the organisation's admins."""

from __future__ import annotations

from typing import Any

import pytest
from tortoise import connections

from core import audit
from core.audit.models import AppendOnly, AuditEntry
from core.auth import services as auth
from core.auth import tokens
from core.auth.models import RefreshToken
from core.context import Viewer
from core.organisations.models import AllianceMembership, Organisation, OrganisationKind
from core.people.models import Membership, MembershipRole, Person
from core.runtime import Runtime
from core.skills.models import PersonSkill, Skill
from core.skills.services import record_skill_level
from tests.support import Clock, GraphQLClient, User, count_statements, gid, make_org

MEMBERSHIP_SET = """mutation($p: ID!, $o: ID!, $r: MembershipRole) {
  membershipSet(input: {personId: $p, organisationId: $o, role: $r}) { errors { code field } } }"""
PERSON_CREATE = """mutation($o: ID!) {
  personCreate(input: {name: "新职工", organisationId: $o, username: "newbie", password: "long-enough-1"}) {
    person { id } errors { code } } }"""
INVITE = """mutation($o: ID!, $p: ID!) {
  membershipInvite(input: {organisationId: $o, personId: $p, role: ADMIN}) { invitation { id } errors { code } } }"""
ACCEPT = "mutation($i: ID!) { membershipAccept(input: {id: $i}) { errors { code } } }"
DECLINE = "mutation($i: ID!) { membershipDecline(input: {id: $i}) { errors { code } } }"
CANCEL = "mutation($i: ID!) { membershipInviteCancel(input: {id: $i}) { errors { code } } }"
ALLIANCE_INVITE = """mutation($a: ID!, $o: ID!) {
  allianceInvite(input: {allianceId: $a, organisationId: $o}) { invitation { id } errors { code } } }"""
ALLIANCE_ACCEPT = "mutation($i: ID!) { allianceInvitationAccept(input: {id: $i}) { errors { code } } }"
ALLIANCE_DECLINE = "mutation($i: ID!) { allianceInvitationDecline(input: {id: $i}) { errors { code } } }"
ALLIANCE_CANCEL = "mutation($i: ID!) { allianceInvitationCancel(input: {id: $i}) { errors { code } } }"
JOIN = """mutation($a: ID!, $o: ID!) {
  allianceJoin(input: {allianceId: $a, organisationId: $o, role: LEAD}) { errors { code field } } }"""
LEAVE = "mutation($a: ID!, $o: ID!) { allianceLeave(input: {allianceId: $a, organisationId: $o}) { errors { code } } }"
SKILL_SET = """mutation($p: ID!, $s: ID!, $l: Int!) {
  personSkillSet(input: {personId: $p, skillId: $s, level: $l}) { errors { code field } } }"""
HONOUR = """mutation($p: ID!, $y: Int!) {
  honourAdd(input: {personId: $p, title: "劳动模范", level: MUNICIPAL, year: $y}) { errors { code field } } }"""
ENABLE = "mutation($o: ID!) { pluginEnable(input: {organisationId: $o, plugin: \"training\"}) { errors { code } } }"
DISABLE = "mutation($o: ID!) { pluginDisable(input: {organisationId: $o, plugin: \"training\"}) { errors { code } } }"
CONFIGURE = """mutation($o: ID!, $s: JSON!) {
  pluginConfigure(input: {organisationId: $o, plugin: "training", settings: $s}) { errors { code field } } }"""
ORG_CREATE = """mutation($p: ID) { organisationCreate(input: {name: "新工作室", kind: STUDIO, parentId: $p}) {
  organisation { id } errors { code } } }"""
ORG_UPDATE = """mutation($i: ID!, $l: ID) { organisationUpdate(input: {id: $i, name: "改名", leaderId: $l}) {
  errors { code } } }"""
LOG = """query($o: ID!, $first: Int, $after: String, $action: String) { node(id: $o) { ... on Organisation {
  auditLog(first: $first, after: $after, action: $action) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id occurredAt action target before after actor { id name } organisation { name } } } } } }"""
ROOT_LOG = """query($o: ID) { auditLog(organisationId: $o) { totalCount nodes { action organisation { name } } } }"""


def entry(row: AuditEntry) -> dict[str, Any]:
    return {"actor": row.actor_person_id, "org": row.organisation_id, "action": row.action,
            "target": row.target, "before": row.before, "after": row.after}


async def new_entries(since: int = 0) -> list[dict[str, Any]]:
    """Entries with an id above ``since``, oldest first."""
    return [entry(row) for row in await AuditEntry.filter(id__gt=since).order_by("id")]


async def last_id() -> int:
    row = await AuditEntry.all().order_by("-id").first()
    return row.id if row else 0


def pid(user: User) -> int:
    assert user.person is not None
    return user.person.id


class World:
    def __init__(self, a: Organisation, b: Organisation, a_admin: User, b_admin: User, member: User) -> None:
        self.a, self.b, self.a_admin, self.b_admin, self.member = a, b, a_admin, b_admin, member

    def org(self, org: Organisation) -> str:
        return gid("Organisation", org.id)


@pytest.fixture
async def world(gql: GraphQLClient) -> World:
    a = await make_org("甲企业")
    b = await make_org("乙企业")
    return World(a, b, await gql.user("甲管理员", org=a, role=MembershipRole.ADMIN),
                 await gql.user("乙管理员", org=b, role=MembershipRole.ADMIN), await gql.user("甲职工", org=a))


# Memberships ----------------------------------------------------------------------------------------


async def test_membership_role_change_and_removal(gql: GraphQLClient, world: World) -> None:
    w = world
    ids = {"p": w.member.person_gid, "o": w.org(w.a)}
    assert (await gql(MEMBERSHIP_SET, {**ids, "r": "ADMIN"}, user=w.a_admin))["membershipSet"]["errors"] == []
    assert (await gql(MEMBERSHIP_SET, {**ids, "r": "ADMIN"}, user=w.a_admin))["membershipSet"]["errors"] == []
    assert (await gql(MEMBERSHIP_SET, {**ids, "r": None}, user=w.a_admin))["membershipSet"]["errors"] == []
    common = {"actor": pid(w.a_admin), "org": w.a.id, "target": w.member.person_gid}
    assert await new_entries() == [
        {**common, "action": "membership.role_changed", "before": {"role": "MEMBER"}, "after": {"role": "ADMIN"}},
        {**common, "action": "membership.removed", "before": {"role": "ADMIN"}, "after": None},
    ]  # the repeated role change changed nothing: no entry


async def test_person_created_in_an_organisation_with_an_account(gql: GraphQLClient, world: World) -> None:
    w = world
    data = (await gql(PERSON_CREATE, {"o": w.org(w.a)}, user=w.a_admin))["personCreate"]
    assert data["errors"] == []
    person = data["person"]["id"]
    added, account = await new_entries()
    assert added == {"actor": pid(w.a_admin), "org": w.a.id, "action": "membership.added", "target": person,
                     "before": None, "after": {"role": "MEMBER", "new": True}}
    assert account["action"] == "account.created" and account["org"] == w.a.id
    assert account["actor"] == pid(w.a_admin) and account["before"] is None
    assert account["after"] == {"username": "newbie", "superuser": False, "person": person}
    row = await AuditEntry.get(action="account.created")
    assert "long-enough-1" not in str(row.after) and "argon" not in str(row.after)


async def test_superuser_adds_directly(gql: GraphQLClient, world: World) -> None:
    w = world
    root = await gql.superuser()
    ids = {"p": w.member.person_gid, "o": w.org(w.b), "r": "LEADER"}
    assert (await gql(MEMBERSHIP_SET, ids, user=root))["membershipSet"]["errors"] == []
    assert await new_entries() == [{"actor": pid(root), "org": w.b.id, "action": "membership.added",
                                    "target": w.member.person_gid, "before": None, "after": {"role": "LEADER"}}]


async def test_invitation_lifecycle(gql: GraphQLClient, world: World) -> None:
    w = world
    ids = {"o": w.org(w.b), "p": w.member.person_gid}
    first = (await gql(INVITE, ids, user=w.b_admin))["membershipInvite"]["invitation"]["id"]
    assert (await gql(DECLINE, {"i": first}, user=w.member))["membershipDecline"]["errors"] == []
    assert (await gql(INVITE, ids, user=w.b_admin))["membershipInvite"]["errors"] == []
    assert (await gql(CANCEL, {"i": first}, user=w.b_admin))["membershipInviteCancel"]["errors"] == []
    assert (await gql(INVITE, ids, user=w.b_admin))["membershipInvite"]["errors"] == []
    assert (await gql(ACCEPT, {"i": first}, user=w.member))["membershipAccept"]["errors"] == []
    assert (await gql(ACCEPT, {"i": first}, user=w.member))["membershipAccept"]["errors"] == []  # no change
    invited = {"actor": pid(w.b_admin), "org": w.b.id, "action": "membership.invited",
               "target": w.member.person_gid, "before": None, "after": {"invitation": first, "role": "ADMIN"}}

    def decided(actor: User, action: str, status: str) -> dict[str, Any]:
        return {"actor": pid(actor), "org": w.b.id, "action": action, "target": w.member.person_gid,
                "before": {"status": "PENDING"}, "after": {"invitation": first, "status": status, "role": "ADMIN"}}

    assert await new_entries() == [
        invited, decided(w.member, "membership.declined", "DECLINED"),
        invited, decided(w.b_admin, "membership.invitation_cancelled", "CANCELLED"),
        invited, decided(w.member, "membership.accepted", "ACCEPTED"),
    ]


async def test_failing_mutations_write_no_entry(gql: GraphQLClient, world: World) -> None:
    w = world
    refused = await gql(MEMBERSHIP_SET, {"p": w.member.person_gid, "o": w.org(w.b), "r": "ADMIN"}, user=w.b_admin)
    assert refused["membershipSet"]["errors"] == [{"code": "INVITATION_REQUIRED", "field": "personId"}]
    stranger = await gql(MEMBERSHIP_SET, {"p": w.member.person_gid, "o": w.org(w.a), "r": None}, user=w.b_admin)
    assert stranger["membershipSet"]["errors"] == [{"code": "PERMISSION_DENIED", "field": "organisationId"}]
    bad_year = (await gql(HONOUR, {"p": w.member.person_gid, "y": 1800}, user=w.a_admin))["honourAdd"]
    assert bad_year["errors"] == [{"code": "OUT_OF_RANGE", "field": "year"}]
    assert (await gql(ENABLE, {"o": w.org(w.a)}, user=w.a_admin))["pluginEnable"]["errors"] == []
    since = await last_id()
    bad = (await gql(CONFIGURE, {"o": w.org(w.a), "s": {"check_in_opens_minutes": -1}}, user=w.a_admin))
    assert bad["pluginConfigure"]["errors"][0]["code"] == "INVALID_SETTING"
    assert (await gql(JOIN, {"a": w.org(w.a), "o": w.org(w.b)}, user=w.a_admin))["allianceJoin"]["errors"] == [
        {"code": "NOT_AN_ALLIANCE", "field": "allianceId"}]
    assert await new_entries(since) == []
    assert [e["action"] for e in await new_entries()] == ["plugin.enabled"]


async def test_an_entry_that_cannot_be_written_undoes_the_change(
    rt: Runtime, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    skill = await Skill.create(name="焊接")

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        await record_skill_level(rt, person_id=pid(world.member), skill_id=skill.id, level=3,
                                 organisation_id=world.a.id, awarded_by_account_id=world.a_admin.account_id,
                                 source=None)
    assert not await PersonSkill.exists(person_id=pid(world.member))


# Alliances -----------------------------------------------------------------------------------------


async def test_alliance_invitations_join_and_leave(gql: GraphQLClient) -> None:
    alliance = await make_org("联盟", OrganisationKind.ALLIANCE)
    lead = await make_org("牵头工作室", OrganisationKind.STUDIO)
    studio = await make_org("工作室", OrganisationKind.STUDIO)
    await AllianceMembership.create(alliance=alliance, organisation=lead, role="LEAD")
    lead_admin = await gql.user("领衔人", org=lead, role=MembershipRole.LEADER)
    studio_admin = await gql.user("工作室管理员", org=studio, role=MembershipRole.ADMIN)
    root = await gql.superuser()
    ids = {"a": gid("Organisation", alliance.id), "o": gid("Organisation", studio.id)}
    invitation = (await gql(ALLIANCE_INVITE, ids, user=lead_admin))["allianceInvite"]["invitation"]["id"]
    assert (await gql(ALLIANCE_DECLINE, {"i": invitation}, user=studio_admin))["allianceInvitationDecline"][
        "errors"] == []
    await gql(ALLIANCE_INVITE, ids, user=lead_admin)
    assert (await gql(ALLIANCE_CANCEL, {"i": invitation}, user=lead_admin))["allianceInvitationCancel"][
        "errors"] == []
    await gql(ALLIANCE_INVITE, ids, user=lead_admin)
    assert (await gql(ALLIANCE_ACCEPT, {"i": invitation}, user=studio_admin))["allianceInvitationAccept"][
        "errors"] == []
    assert (await gql(LEAVE, ids, user=studio_admin))["allianceLeave"]["errors"] == []
    assert (await gql(JOIN, ids, user=root))["allianceJoin"]["errors"] == []
    target = ids["o"]
    invited = {"actor": pid(lead_admin), "org": alliance.id, "action": "alliance.invited", "target": target,
               "before": None, "after": {"invitation": invitation, "role": "MEMBER"}}

    def decided(actor: User, action: str, status: str) -> dict[str, Any]:
        return {"actor": pid(actor), "org": alliance.id, "action": action, "target": target,
                "before": {"status": "PENDING"}, "after": {"invitation": invitation, "status": status,
                                                           "role": "MEMBER"}}

    assert await new_entries() == [
        invited, decided(studio_admin, "alliance.declined", "DECLINED"),
        invited, decided(lead_admin, "alliance.invitation_cancelled", "CANCELLED"),
        invited, decided(studio_admin, "alliance.accepted", "ACCEPTED"),
        {"actor": pid(studio_admin), "org": alliance.id, "action": "alliance.left", "target": target,
         "before": {"role": "MEMBER"}, "after": None},
        {"actor": pid(root), "org": alliance.id, "action": "alliance.joined", "target": target,
         "before": None, "after": {"role": "LEAD"}},
    ]
    # The member organisation's admins read what concerns it in its own log.
    log = (await gql(LOG, {"o": ids["o"]}, user=studio_admin))["node"]["auditLog"]
    assert log["totalCount"] == 8 and log["nodes"][0]["action"] == "alliance.joined"
    assert log["nodes"][0]["organisation"] == {"name": "联盟"}


# Levels, honours, plugins, organisations, accounts -----------------------------------------------


async def test_skill_levels_and_honours(gql: GraphQLClient, world: World, rt: Runtime) -> None:
    w = world
    skill = await Skill.create(name="钳工")
    ids = {"p": w.member.person_gid, "s": gid("Skill", skill.id)}
    assert (await gql(SKILL_SET, {**ids, "l": 4}, user=w.a_admin))["personSkillSet"]["errors"] == []
    assert (await gql(SKILL_SET, {**ids, "l": 3}, user=w.a_admin))["personSkillSet"]["errors"] == []
    await record_skill_level(rt, person_id=pid(w.member), skill_id=skill.id, level=2, organisation_id=None,
                             awarded_by_account_id=None, source="mentorship:7")
    assert (await gql(HONOUR, {"p": w.member.person_gid, "y": 2020}, user=w.a_admin))["honourAdd"]["errors"] == []
    org = w.org(w.a)
    level = {"skill": ids["s"], "source": None, "organisation": org}
    set_4, set_3, by_system, honour = await new_entries()
    assert set_4 == {"actor": pid(w.a_admin), "org": w.a.id, "action": "skill.level_set", "target": ids["p"],
                     "before": None, "after": {**level, "level": 4}}
    assert set_3["before"] == {**level, "level": 4} and set_3["after"] == {**level, "level": 3}
    assert by_system == {"actor": None, "org": None, "action": "skill.level_set", "target": ids["p"],
                         "before": {**level, "level": 3},
                         "after": {"skill": ids["s"], "level": 2, "source": "mentorship:7", "organisation": None}}
    assert honour["action"] == "honour.added" and honour["actor"] == pid(w.a_admin) and honour["org"] == w.a.id
    assert honour["before"] is None and honour["after"]["honour"].startswith("SG9ub3VyO")  # Honour:<n>
    assert {k: v for k, v in honour["after"].items() if k != "honour"} == {
        "title": "劳动模范", "level": "MUNICIPAL", "year": 2020, "issuer": ""}


async def test_plugins_enabled_configured_disabled(gql: GraphQLClient, world: World) -> None:
    w = world
    o = {"o": w.org(w.a)}
    assert (await gql(ENABLE, o, user=w.a_admin))["pluginEnable"]["errors"] == []
    assert (await gql(ENABLE, o, user=w.a_admin))["pluginEnable"]["errors"] == []  # already on: no entry
    configured = await gql(CONFIGURE, {**o, "s": {"check_in_opens_minutes": 45}}, user=w.a_admin)
    assert configured["pluginConfigure"]["errors"] == []
    assert (await gql(DISABLE, o, user=w.a_admin))["pluginDisable"]["errors"] == []
    assert (await gql(DISABLE, o, user=w.a_admin))["pluginDisable"]["errors"] == []
    common = {"actor": pid(w.a_admin), "org": w.a.id, "target": o["o"]}
    assert await new_entries() == [
        {**common, "action": "plugin.enabled", "before": {"plugin": "training", "enabled": False},
         "after": {"plugin": "training", "enabled": True}},
        {**common, "action": "plugin.configured",
         "before": {"plugin": "training", "settings": {"check_in_opens_minutes": None}},
         "after": {"plugin": "training", "settings": {"check_in_opens_minutes": 45}}},
        {**common, "action": "plugin.disabled", "before": {"plugin": "training", "enabled": True},
         "after": {"plugin": "training", "enabled": False}},
    ]


async def test_organisation_created_and_moved(gql: GraphQLClient, world: World) -> None:
    w = world
    created = (await gql(ORG_CREATE, {"p": w.org(w.a)}, user=w.a_admin))["organisationCreate"]
    studio = created["organisation"]["id"]
    update = {"i": studio, "l": w.member.person_gid}
    assert (await gql(ORG_UPDATE, update, user=w.a_admin))["organisationUpdate"]["errors"] == []
    made, changed = await new_entries()
    assert made["action"] == "organisation.created" and made["target"] == studio and made["before"] is None
    assert made["after"] == {"name": "新工作室", "kind": "STUDIO", "status": "ACTIVE", "parent": w.org(w.a),
                             "leader": None}
    assert changed["action"] == "organisation.updated"
    assert changed["before"] == {"name": "新工作室", "leader": None}
    assert changed["after"] == {"name": "改名", "leader": w.member.person_gid}


async def test_token_family_revocations_and_logout(rt: Runtime, clock: Clock) -> None:
    person = await Person.create(name="职工")
    person_gid = gid("Person", person.id)
    account = await auth.create_account("worker", "long-enough-1", person.id)
    pair = await auth.login(rt, "worker", "long-enough-1", "127.0.0.1")
    await auth.refresh(rt, pair.refresh_token)
    clock.advance(seconds=rt.settings.refresh_reuse_grace_seconds + 1)  # past the grace of a double refresh
    with pytest.raises(Exception, match="not valid"):
        await auth.refresh(rt, pair.refresh_token)  # reused: the whole family is revoked
    second = await auth.login(rt, "worker", "long-enough-1", "127.0.0.1")
    viewer = Viewer(account.id, person.id)
    await auth.logout(rt, viewer, second.refresh_token, all_sessions=True)
    target = gid("Account", account.id)
    created, revoked, logout = await new_entries()
    assert created == {"actor": None, "org": None, "action": "account.created", "target": target, "before": None,
                       "after": {"username": "worker", "superuser": False, "person": person_gid}}
    family = (await RefreshToken.get(token_hash=tokens.digest(pair.refresh_token))).family
    assert revoked == {"actor": None, "org": None, "action": "auth.token_family_revoked", "target": target,
                       "before": None, "after": {"family": family, "reason": "reuse"}}
    assert logout["action"] == "auth.logout" and logout["actor"] == person.id
    assert logout["after"]["allSessions"] is True
    for row in await AuditEntry.all():
        text = str(row.after)
        assert pair.refresh_token not in text and second.refresh_token not in text and "long-enough-1" not in text


# Append-only ----------------------------------------------------------------------------------------


async def test_entries_cannot_be_changed_or_removed_through_the_model(rt: Runtime) -> None:
    row = await audit.record(rt, actor=audit.SYSTEM, organisation_id=None, action="test.made", target="x")
    row.action = "test.forged"
    with pytest.raises(AppendOnly):
        await row.save()
    with pytest.raises(AppendOnly):
        await row.delete()
    with pytest.raises(AppendOnly):
        await AuditEntry.filter(id=row.id).update(action="test.forged")
    with pytest.raises(AppendOnly):
        await AuditEntry.filter(id=row.id).delete()
    with pytest.raises(AppendOnly):
        await AuditEntry.bulk_update([row], fields=["action"])
    assert [e["action"] for e in await new_entries()] == ["test.made"]


@pytest.mark.postgres
async def test_postgres_refuses_update_and_delete_in_sql(rt: Runtime) -> None:
    await audit.record(rt, actor=audit.SYSTEM, organisation_id=None, action="test.made", target="x")
    conn = connections.get("default")
    for sql in ("UPDATE core_audit_entry SET action = 'test.forged'", "DELETE FROM core_audit_entry"):
        with pytest.raises(Exception, match="append-only"):
            await conn.execute_query(sql)
    assert [e["action"] for e in await new_entries()] == ["test.made"]


def test_credentials_never_enter_an_entry() -> None:
    from core.audit.services import _plain

    assert _plain({"password": "x", "nested": [{"refresh_token": "y", "ok": 1}]}) == {
        "password": "[redacted]", "nested": [{"refresh_token": "[redacted]", "ok": 1}]}


# Reading -------------------------------------------------------------------------------------------


async def test_who_reads_an_organisations_log(gql: GraphQLClient, world: World) -> None:
    w = world
    child = await make_org("甲子企业", parent=w.a)
    child_admin = await gql.user("子管理员", org=child, role=MembershipRole.ADMIN)
    plain_member = await gql.user("甲职工二", org=w.a)
    await gql(MEMBERSHIP_SET, {"p": w.member.person_gid, "o": w.org(w.a), "r": "ADMIN"}, user=w.a_admin)
    root = await gql.superuser()
    for reader in (w.a_admin, root):
        log = (await gql(LOG, {"o": w.org(w.a)}, user=reader))["node"]["auditLog"]
        assert log["totalCount"] == 1
        assert log["nodes"][0]["actor"] == {"id": w.a_admin.person_gid, "name": "甲管理员"}
        assert log["nodes"][0]["target"] == w.member.person_gid
    for outsider in (w.b_admin, child_admin, plain_member, None):
        assert (await gql(LOG, {"o": w.org(w.a)}, user=outsider))["node"]["auditLog"] is None
    # An ancestor's admins read a descendant's log.
    await gql(MEMBERSHIP_SET, {"p": child_admin.person_gid, "o": gid("Organisation", child.id), "r": "LEADER"},
              user=child_admin)
    assert (await gql(LOG, {"o": gid("Organisation", child.id)}, user=w.a_admin))["node"]["auditLog"][
        "totalCount"] == 1

    assert (await gql(ROOT_LOG, {}, user=root))["auditLog"]["totalCount"] == 2
    assert (await gql(ROOT_LOG, {"o": w.org(w.a)}, user=root))["auditLog"]["nodes"] == [
        {"action": "membership.role_changed", "organisation": {"name": "甲企业"}}]
    denied = await gql.errors(ROOT_LOG, {}, user=w.a_admin)
    assert denied[0]["extensions"]["code"] == "PERMISSION_DENIED" and denied[0]["message"]
    anonymous = await gql.errors(ROOT_LOG, {})
    assert anonymous[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def _fill(rt: Runtime, clock: Clock, org: Organisation, actors: list[User], count: int) -> None:
    for n in range(count):
        actor = actors[n % len(actors)]
        clock.advance(seconds=1)
        await audit.record(rt, actor=audit.Actor(actor.account_id, pid(actor)), organisation_id=org.id,
                           action="membership.role_changed" if n % 2 else "plugin.enabled",
                           target=gid("Person", n + 1), after={"n": n})


async def test_pages_newest_first_and_filtered(gql: GraphQLClient, rt: Runtime, clock: Clock, world: World) -> None:
    w = world
    await _fill(rt, clock, w.a, [w.a_admin], 25)
    first = (await gql(LOG, {"o": w.org(w.a), "first": 10}, user=w.a_admin))["node"]["auditLog"]
    assert first["totalCount"] == 25 and first["pageInfo"]["hasNextPage"]
    assert [e["after"]["n"] for e in first["nodes"]] == list(range(24, 14, -1))
    page = {"o": w.org(w.a), "first": 10, "after": first["pageInfo"]["endCursor"]}
    second = (await gql(LOG, page, user=w.a_admin))["node"]["auditLog"]
    assert [e["after"]["n"] for e in second["nodes"]] == list(range(14, 4, -1))
    only = (await gql(LOG, {"o": w.org(w.a), "action": "plugin.enabled"}, user=w.a_admin))["node"]["auditLog"]
    assert only["totalCount"] == 13 and {e["action"] for e in only["nodes"]} == {"plugin.enabled"}
    family = (await gql(LOG, {"o": w.org(w.a), "action": "membership."}, user=w.a_admin))["node"]["auditLog"]
    assert family["totalCount"] == 12
    bad = await gql.errors(LOG, {"o": w.org(w.a), "action": "x\x00" + "y" * 500}, user=w.a_admin)
    assert bad[0]["extensions"] == {"code": "INVALID_CHARACTERS", "field": "action"}
    unknown = await gql.errors(LOG, {"o": w.org(w.a), "action": "y" * 500}, user=w.a_admin)
    assert unknown[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "action"}
    assert len(bad[0]["message"]) < 100


async def test_statements_do_not_grow_with_the_page(
    gql: GraphQLClient, rt: Runtime, clock: Clock, world: World
) -> None:
    w = world
    actors = [await gql.user(f"管理员{n}", org=w.a, role=MembershipRole.ADMIN) for n in range(5)]
    await _fill(rt, clock, w.a, actors, 50)
    counts = []
    for size in (10, 50):
        with count_statements() as counter:
            log = (await gql(LOG, {"o": w.org(w.a), "first": size}, user=w.a_admin))["node"]["auditLog"]
        assert len(log["nodes"]) == size and all(e["actor"] for e in log["nodes"])
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


async def test_membership_rows_match_the_log(gql: GraphQLClient, world: World) -> None:
    """What the log says happened, happened (and the other way round)."""
    w = world
    await gql(MEMBERSHIP_SET, {"p": w.member.person_gid, "o": w.org(w.a), "r": "LEADER"}, user=w.a_admin)
    row = await Membership.get(person_id=pid(w.member), organisation_id=w.a.id)
    [logged] = await new_entries()
    assert logged["after"] == {"role": row.role.value}
