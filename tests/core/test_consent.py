"""Consent (issue 8), written as an attacker: organisation B's admin against a person of A.

Membership of another organisation is an invitation the person answers; name, contact details
and bio are the person's own; levels and honours are set by admins of the person's
organisations and record who set them, for which organisation.
"""

from __future__ import annotations

from typing import Any

import pytest

from core import errors
from core.organisations.models import AllianceInvitation, AllianceMembership, Organisation, OrganisationKind
from core.people import invitations
from core.people.models import (
    Honour,
    InvitationStatus,
    Membership,
    MembershipInvitation,
    MembershipRole,
    Person,
)
from core.runtime import Runtime
from core.skills.models import PersonSkill, Skill
from core.skills.services import record_skill_level
from tests.support import GraphQLClient, User, gid, make_org

MEMBERSHIP_SET = """mutation($p: ID!, $o: ID!, $r: MembershipRole) {
  membershipSet(input: {personId: $p, organisationId: $o, role: $r}) { person { id } errors { code field } } }"""
INVITE = """mutation($o: ID!, $p: ID!, $r: MembershipRole) {
  membershipInvite(input: {organisationId: $o, personId: $p, role: $r}) {
    invitation { id role status organisation { name } person { name } invitedBy { name } }
    errors { code field } } }"""
ANSWER = """mutation($i: ID!) {
  accept: membershipAccept(input: {id: $i}) {
    invitation { status } person { memberships { role } } errors { code field } } }"""
DECLINE = """mutation($i: ID!) {
  membershipDecline(input: {id: $i}) { invitation { status } errors { code field } } }"""
CANCEL = """mutation($i: ID!) {
  membershipInviteCancel(input: {id: $i}) { invitation { status } errors { code field } } }"""
CONTACT = "query($id: ID!) { node(id: $id) { ... on Person { name phone email } } }"
UPDATE = """mutation($i: PersonUpdateInput!) { personUpdate(input: $i) { person { name } errors { code field } } }"""
SET_SKILL = """mutation($p: ID!, $s: ID!, $l: Int!, $o: ID) {
  personSkillSet(input: {personId: $p, skillId: $s, level: $l, organisationId: $o}) { errors { code field } } }"""
HONOUR = """mutation($i: HonourAddInput!) {
  honourAdd(input: $i) {
    honour { title awardedBy { organisation { name } person { name } } } errors { code field } } }"""
SKILLS = """query($id: ID!) { node(id: $id) { ... on Person {
  skills { level source awardedBy { organisation { name } person { name } } }
  honours { title awardedBy { organisation { name } person { name } } } } } }"""
INVITATIONS = "query($id: ID!) { node(id: $id) { ... on Person { invitations { id status organisation { name } } } } }"


class World:
    """Organisations A and B, each with an admin; a person of A with contact details."""

    def __init__(self, a: Organisation, b: Organisation, a_admin: User, b_admin: User, person: User) -> None:
        self.a, self.b, self.a_admin, self.b_admin, self.person = a, b, a_admin, b_admin, person

    @property
    def person_id(self) -> int:
        assert self.person.person is not None
        return self.person.person.id

    def ids(self, org: Organisation | None = None, **more: Any) -> dict[str, Any]:
        return {"p": self.person.person_gid, "o": gid("Organisation", (org or self.b).id), **more}


@pytest.fixture
async def world(gql: GraphQLClient) -> World:
    a = await make_org("甲企业")
    b = await make_org("乙企业")
    a_admin = await gql.user("甲管理员", org=a, role=MembershipRole.ADMIN)
    b_admin = await gql.user("乙管理员", org=b, role=MembershipRole.ADMIN)
    person = await gql.user("甲职工", org=a)
    await Person.filter(id=person.person.id).update(phone="13800000001", email="a@example.cn")  # type: ignore[union-attr]
    return World(a, b, a_admin, b_admin, person)


async def _invite(gql: GraphQLClient, w: World, role: str = "MEMBER") -> str:
    data = (await gql(INVITE, w.ids(r=role), user=w.b_admin))["membershipInvite"]
    assert data["errors"] == []
    return str(data["invitation"]["id"])


# What was found: membershipSet let B's admin take over a person of A ------------------------------


async def test_admin_of_b_cannot_add_a_person_of_a_directly(gql: GraphQLClient, world: World) -> None:
    w = world
    data = (await gql(MEMBERSHIP_SET, w.ids(r="MEMBER"), user=w.b_admin))["membershipSet"]
    assert data == {"person": None, "errors": [{"code": "INVITATION_REQUIRED", "field": "personId"}]}
    assert not await Membership.exists(person_id=w.person_id, organisation_id=w.b.id)
    contact = (await gql(CONTACT, {"id": w.person.person_gid}, user=w.b_admin))["node"]
    assert contact == {"name": "甲职工", "phone": None, "email": None}


async def test_admin_of_b_cannot_change_or_award_a_person_of_a(gql: GraphQLClient, world: World) -> None:
    w = world
    skill = await Skill.create(name="焊接")
    stolen = await gql(UPDATE, {"i": {"id": w.person.person_gid, "email": "evil@b.cn", "name": "改名"}}, user=w.b_admin)
    assert stolen["personUpdate"]["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]
    level = await gql(SET_SKILL, w.ids(s=gid("Skill", skill.id), l=1, o=None), user=w.b_admin)
    assert level["personSkillSet"]["errors"] == [{"code": "PERMISSION_DENIED", "field": "personId"}]
    named = await gql(SET_SKILL, w.ids(s=gid("Skill", skill.id), l=1, o=gid("Organisation", w.b.id)), user=w.b_admin)
    assert named["personSkillSet"]["errors"] == [{"code": "NOT_MEMBER", "field": "organisationId"}]
    honour = {"personId": w.person.person_gid, "title": "伪造荣誉", "level": "NATIONAL", "year": 2020}
    assert (await gql(HONOUR, {"i": honour}, user=w.b_admin))["honourAdd"]["errors"][0]["code"] == "PERMISSION_DENIED"
    person = await Person.get(id=w.person_id)
    assert (person.name, person.email) == ("甲职工", "a@example.cn")
    assert not await PersonSkill.exists(person_id=w.person_id)
    assert not await Honour.exists(person_id=w.person_id)


async def test_admins_no_longer_change_their_own_members_profiles(gql: GraphQLClient, world: World) -> None:
    w = world
    refused = await gql(UPDATE, {"i": {"id": w.person.person_gid, "email": "x@a.cn"}}, user=w.a_admin)
    assert refused["personUpdate"]["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]
    superuser = await gql.superuser()
    allowed = await gql(UPDATE, {"i": {"id": w.person.person_gid, "name": "新名字"}}, user=superuser)
    assert allowed["personUpdate"] == {"person": {"name": "新名字"}, "errors": []}
    assert (await Person.get(id=w.person_id)).email == "a@example.cn"


# The invitation and its answers ---------------------------------------------------------------------


async def test_invitation_shows_to_the_person_and_the_inviting_admins_only(gql: GraphQLClient, world: World) -> None:
    w = world
    data = (await gql(INVITE, w.ids(r="ADMIN"), user=w.b_admin))["membershipInvite"]
    assert data["errors"] == []
    assert data["invitation"] == {"id": data["invitation"]["id"], "role": "ADMIN", "status": "PENDING",
                                  "organisation": {"name": "乙企业"}, "person": {"name": "甲职工"},
                                  "invitedBy": {"name": "乙管理员"}}
    mine = await gql("{ me { invitations { id organisation { name } } } }", user=w.person)
    assert mine["me"]["invitations"] == [{"id": data["invitation"]["id"], "organisation": {"name": "乙企业"}}]
    by_b = (await gql(INVITATIONS, {"id": w.person.person_gid}, user=w.b_admin))["node"]["invitations"]
    assert [i["status"] for i in by_b] == ["PENDING"]
    assert (await gql(INVITATIONS, {"id": w.person.person_gid}, user=w.a_admin))["node"]["invitations"] == []
    assert (await gql(INVITATIONS, {"id": w.person.person_gid}))["node"]["invitations"] == []
    org_query = "query($o: ID!) { node(id: $o) { ... on Organisation { invitations { person { name } } } } }"
    org_id = {"o": gid("Organisation", w.b.id)}
    assert (await gql(org_query, org_id, user=w.b_admin))["node"]["invitations"] == [{"person": {"name": "甲职工"}}]
    assert (await gql(org_query, org_id, user=w.a_admin))["node"]["invitations"] == []
    # Pending is not joined: B's admin still cannot read the contact details.
    assert (await gql(CONTACT, {"id": w.person.person_gid}, user=w.b_admin))["node"]["phone"] is None


async def test_after_accepting_b_admin_awards_levels_in_b_s_name(gql: GraphQLClient, world: World) -> None:
    w = world
    skill = await Skill.create(name="焊接")
    invitation = await _invite(gql, w)
    for_someone_else = (await gql(ANSWER, {"i": invitation}, user=w.b_admin))["accept"]
    assert for_someone_else["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]
    assert (await gql(ANSWER, {"i": invitation}, user=w.a_admin))["accept"]["errors"] == [
        {"code": "NOT_FOUND", "field": "id"}]
    assert (await gql(ANSWER, {"i": invitation}))["accept"]["errors"][0]["code"] == "UNAUTHENTICATED"
    assert not await Membership.exists(person_id=w.person_id, organisation_id=w.b.id)

    accepted = (await gql(ANSWER, {"i": invitation}, user=w.person))["accept"]
    assert accepted["errors"] == [] and accepted["invitation"] == {"status": "ACCEPTED"}
    assert sorted(m["role"] for m in accepted["person"]["memberships"]) == ["MEMBER", "MEMBER"]
    again = (await gql(ANSWER, {"i": invitation}, user=w.person))["accept"]
    assert again["errors"] == [] and again["invitation"] == {"status": "ACCEPTED"}
    assert await Membership.filter(person_id=w.person_id, organisation_id=w.b.id).count() == 1

    assert (await gql(CONTACT, {"id": w.person.person_gid}, user=w.b_admin))["node"]["phone"] == "13800000001"
    assert (await gql(SET_SKILL, w.ids(s=gid("Skill", skill.id), l=2, o=None), user=w.b_admin))["personSkillSet"][
        "errors"] == []
    honour = {"personId": w.person.person_gid, "title": "乙企业工匠", "level": "ENTERPRISE", "year": 2024}
    awarded = (await gql(HONOUR, {"i": honour}, user=w.b_admin))["honourAdd"]
    assert awarded["errors"] == []
    by_b = {"organisation": {"name": "乙企业"}, "person": {"name": "乙管理员"}}
    assert awarded["honour"]["awardedBy"] == by_b
    shown = (await gql(SKILLS, {"id": w.person.person_gid}))["node"]
    assert shown["skills"] == [{"level": 2, "source": None, "awardedBy": by_b}]
    assert shown["honours"] == [{"title": "乙企业工匠", "awardedBy": by_b}]
    # Membership gives levels and honours, never the profile.
    email = await gql(UPDATE, {"i": {"id": w.person.person_gid, "email": "evil@b.cn"}}, user=w.b_admin)
    assert email["personUpdate"]["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]


async def test_a_names_its_own_organisation_when_it_awards(gql: GraphQLClient, world: World) -> None:
    w = world
    skill = await Skill.create(name="钳工")
    await _invite(gql, w)
    invitation = await MembershipInvitation.get(person_id=w.person_id)
    await invitations.accept(gql.rt, invitation.id)
    # A's admin cannot act in B's name, even for a person who is in both.
    in_b = await gql(SET_SKILL, w.ids(s=gid("Skill", skill.id), l=3, o=gid("Organisation", w.b.id)), user=w.a_admin)
    assert in_b["personSkillSet"]["errors"] == [{"code": "PERMISSION_DENIED", "field": "organisationId"}]
    in_a = await gql(SET_SKILL, w.ids(s=gid("Skill", skill.id), l=3, o=gid("Organisation", w.a.id)), user=w.a_admin)
    assert in_a["personSkillSet"]["errors"] == []
    row = await PersonSkill.get(person_id=w.person_id)
    assert (row.awarded_by_organisation_id, row.awarded_by_account_id) == (w.a.id, w.a_admin.account_id)


async def test_declining_changes_nothing_and_is_final_until_invited_again(gql: GraphQLClient, world: World) -> None:
    w = world
    invitation = await _invite(gql, w)
    declined = (await gql(DECLINE, {"i": invitation}, user=w.person))["membershipDecline"]
    assert declined == {"invitation": {"status": "DECLINED"}, "errors": []}
    assert (await gql(DECLINE, {"i": invitation}, user=w.person))["membershipDecline"]["errors"] == []
    late = (await gql(ANSWER, {"i": invitation}, user=w.person))["accept"]
    assert late["errors"] == [{"code": "INVITATION_NOT_PENDING", "field": "id"}]
    assert (await gql(CANCEL, {"i": invitation}, user=w.b_admin))["membershipInviteCancel"]["errors"] == [
        {"code": "INVITATION_NOT_PENDING", "field": "id"}]
    assert not await Membership.exists(person_id=w.person_id, organisation_id=w.b.id)
    assert (await gql(CONTACT, {"id": w.person.person_gid}, user=w.b_admin))["node"]["phone"] is None
    assert (await gql("{ me { invitations { id } } }", user=w.person))["me"]["invitations"] == []
    # A new invitation reopens the one row; the person may then accept.
    assert await _invite(gql, w) == invitation
    assert await MembershipInvitation.filter(person_id=w.person_id).count() == 1
    assert (await gql(ANSWER, {"i": invitation}, user=w.person))["accept"]["errors"] == []


async def test_admins_withdraw_invitations_and_only_they_may(gql: GraphQLClient, world: World) -> None:
    w = world
    invitation = await _invite(gql, w)
    by_person = (await gql(CANCEL, {"i": invitation}, user=w.person))["membershipInviteCancel"]
    assert by_person["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]
    by_a = (await gql(CANCEL, {"i": invitation}, user=w.a_admin))["membershipInviteCancel"]
    assert by_a["errors"] == [{"code": "NOT_FOUND", "field": "id"}]
    cancelled = (await gql(CANCEL, {"i": invitation}, user=w.b_admin))["membershipInviteCancel"]
    assert cancelled == {"invitation": {"status": "CANCELLED"}, "errors": []}
    late = (await gql(ANSWER, {"i": invitation}, user=w.person))["accept"]
    assert late["errors"] == [{"code": "INVITATION_NOT_PENDING", "field": "id"}]
    assert not await Membership.exists(person_id=w.person_id, organisation_id=w.b.id)


async def test_invite_checks_who_and_whom(gql: GraphQLClient, world: World) -> None:
    w = world
    member_of_b = await gql.user("乙职工", org=w.b)
    assert (await gql(INVITE, w.ids(), user=member_of_b))["membershipInvite"]["errors"] == [
        {"code": "PERMISSION_DENIED", "field": "organisationId"}]
    assert (await gql(INVITE, w.ids()))["membershipInvite"]["errors"][0]["code"] == "UNAUTHENTICATED"
    already = await gql(INVITE, {"p": member_of_b.person_gid, "o": gid("Organisation", w.b.id)}, user=w.b_admin)
    assert already["membershipInvite"]["errors"] == [{"code": "ALREADY_MEMBER", "field": "personId"}]
    missing = await gql(INVITE, {"p": gid("Person", 9999), "o": gid("Organisation", w.b.id)}, user=w.b_admin)
    assert missing["membershipInvite"]["errors"] == [{"code": "NOT_FOUND", "field": "personId"}]
    bad_id = await gql(ANSWER, {"i": gid("AllianceInvitation", 1)}, user=w.person)
    assert bad_id["accept"]["errors"] == [{"code": "INVALID_ID", "field": "id"}]
    assert not await MembershipInvitation.exists()


# Direct adds that stay allowed -----------------------------------------------------------------------


async def test_direct_add_within_the_managed_subtree_or_by_superusers(gql: GraphQLClient) -> None:
    federation = await make_org("总工会", OrganisationKind.FEDERATION)
    firm = await make_org("企业", parent=federation)
    studio = await make_org("工作室", OrganisationKind.STUDIO, parent=federation)
    elsewhere = await make_org("别处")
    fed_admin = await gql.user("总工会管理员", org=federation, role=MembershipRole.ADMIN)
    inside = await gql.user("企业职工", org=firm)
    also_elsewhere = await gql.user("两处职工", org=firm)
    await Membership.create(person=also_elsewhere.person, organisation=elsewhere)
    nowhere = await gql.user("无组织")
    to_studio = {"o": gid("Organisation", studio.id), "r": "MEMBER"}
    ok = await gql(MEMBERSHIP_SET, {**to_studio, "p": inside.person_gid}, user=fed_admin)
    assert ok["membershipSet"]["errors"] == []
    for outsider in (also_elsewhere, nowhere):
        refused = await gql(MEMBERSHIP_SET, {**to_studio, "p": outsider.person_gid}, user=fed_admin)
        assert refused["membershipSet"]["errors"] == [{"code": "INVITATION_REQUIRED", "field": "personId"}]
    superuser = await gql.superuser()
    direct = await gql(MEMBERSHIP_SET, {**to_studio, "p": nowhere.person_gid}, user=superuser)
    assert direct["membershipSet"]["errors"] == []
    assert await Membership.filter(organisation=studio).count() == 2


# The service other code calls ------------------------------------------------------------------------


async def test_record_skill_level_keeps_its_provenance(gql: GraphQLClient, rt: Runtime, world: World) -> None:
    w = world
    skill = await Skill.create(name="数控加工")
    for level in (4, 3):
        await record_skill_level(rt, person_id=w.person_id, skill_id=skill.id, level=level,
                                 organisation_id=w.a.id, awarded_by_account_id=w.a_admin.account_id,
                                 source="mentorship:12")
    shown = (await gql(SKILLS, {"id": w.person.person_gid}))["node"]["skills"]
    assert shown == [{"level": 3, "source": "mentorship:12",
                      "awardedBy": {"organisation": {"name": "甲企业"}, "person": {"name": "甲管理员"}}}]
    assert await PersonSkill.filter(person_id=w.person_id).count() == 1
    with pytest.raises(errors.UserInputError) as bad:
        await record_skill_level(rt, person_id=w.person_id, skill_id=skill.id, level=0,
                                 organisation_id=None, awarded_by_account_id=None, source="x" * 101)
    assert sorted(e.code for e in bad.value.errors) == ["OUT_OF_RANGE", "TOO_LONG"]
    with pytest.raises(errors.UserInputError) as missing:
        await record_skill_level(rt, person_id=w.person_id, skill_id=9999, level=2,
                                 organisation_id=None, awarded_by_account_id=None, source=None)
    assert missing.value.errors[0].code == "NOT_FOUND"
    system = await record_skill_level(rt, person_id=w.person_id, skill_id=skill.id, level=2,
                                      organisation_id=None, awarded_by_account_id=None, source=None)
    assert (system.level, system.source, system.awarded_by_organisation_id) == (2, "", None)


async def test_an_accept_that_fails_midway_leaves_the_invitation_pending(
    rt: Runtime, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = world
    invitation = await invitations.invite(rt, organisation_id=w.b.id, person_id=w.person_id,
                                          role=MembershipRole.MEMBER, invited_by_account_id=None)

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Membership, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        await invitations.accept(rt, invitation.id)
    monkeypatch.undo()
    assert (await MembershipInvitation.get(id=invitation.id)).status == InvitationStatus.PENDING
    assert not await Membership.exists(person_id=w.person_id, organisation_id=w.b.id)
    await invitations.accept(rt, invitation.id)
    assert await Membership.exists(person_id=w.person_id, organisation_id=w.b.id)


# Alliances ----------------------------------------------------------------------------------------------

JOIN = """mutation($a: ID!, $o: ID!) { allianceJoin(input: {allianceId: $a, organisationId: $o}) {
  errors { code field } } }"""
ALLIANCE_INVITE = """mutation($a: ID!, $o: ID!) { allianceInvite(input: {allianceId: $a, organisationId: $o}) {
  invitation { id status alliance { name } organisation { name } } errors { code field } } }"""
ALLIANCE_ANSWER = """mutation($i: ID!) {
  accept: allianceInvitationAccept(input: {id: $i}) { invitation { status } organisation { alliances { totalCount } }
    errors { code field } } }"""
ALLIANCE_DECLINE = """mutation($i: ID!) { allianceInvitationDecline(input: {id: $i}) {
  invitation { status } errors { code field } } }"""
ALLIANCE_CANCEL = """mutation($i: ID!) { allianceInvitationCancel(input: {id: $i}) {
  invitation { status } errors { code field } } }"""
PENDING = "query($o: ID!) { node(id: $o) { ... on Organisation { allianceInvitations { status role } } } }"


class Alliance:
    def __init__(self, alliance: Organisation, studio: Organisation, lead_admin: User, studio_admin: User) -> None:
        self.alliance, self.studio, self.lead_admin, self.studio_admin = alliance, studio, lead_admin, studio_admin
        self.ids = {"a": gid("Organisation", alliance.id), "o": gid("Organisation", studio.id)}


@pytest.fixture
async def alliance(gql: GraphQLClient) -> Alliance:
    alliance = await make_org("联盟", OrganisationKind.ALLIANCE)
    lead = await make_org("牵头工作室", OrganisationKind.STUDIO)
    studio = await make_org("受邀工作室", OrganisationKind.STUDIO)
    await AllianceMembership.create(alliance=alliance, organisation=lead, role="LEAD")
    lead_admin = await gql.user("领衔人", org=lead, role=MembershipRole.LEADER)
    studio_admin = await gql.user("工作室管理员", org=studio, role=MembershipRole.ADMIN)
    return Alliance(alliance, studio, lead_admin, studio_admin)


async def test_alliance_admin_cannot_add_an_organisation_without_its_consent(
    gql: GraphQLClient, alliance: Alliance
) -> None:
    x = alliance
    forced = (await gql(JOIN, x.ids, user=x.lead_admin))["allianceJoin"]
    assert forced["errors"] == [{"code": "INVITATION_REQUIRED", "field": "organisationId"}]
    # Nor does the organisation's admin walk in without the alliance.
    walked = (await gql(JOIN, x.ids, user=x.studio_admin))["allianceJoin"]
    assert walked["errors"] == [{"code": "PERMISSION_DENIED", "field": "allianceId"}]
    assert not await AllianceMembership.exists(organisation=x.studio)

    invited = (await gql(ALLIANCE_INVITE, x.ids, user=x.lead_admin))["allianceInvite"]
    assert invited["errors"] == [] and invited["invitation"]["status"] == "PENDING"
    assert (await gql(ALLIANCE_INVITE, x.ids, user=x.studio_admin))["allianceInvite"]["errors"] == [
        {"code": "PERMISSION_DENIED", "field": "allianceId"}]
    pending = [{"status": "PENDING", "role": "MEMBER"}]
    assert (await gql(PENDING, {"o": x.ids["o"]}, user=x.studio_admin))["node"]["allianceInvitations"] == pending
    assert (await gql(PENDING, {"o": x.ids["a"]}, user=x.lead_admin))["node"]["allianceInvitations"] == pending
    assert (await gql(PENDING, {"o": x.ids["o"]}, user=x.lead_admin))["node"]["allianceInvitations"] == []
    assert (await gql(PENDING, {"o": x.ids["a"]}))["node"]["allianceInvitations"] == []

    invitation = {"i": invited["invitation"]["id"]}
    self_signed = (await gql(ALLIANCE_ANSWER, invitation, user=x.lead_admin))["accept"]
    assert self_signed["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]
    stranger = await gql.user("路人", org=await make_org("别处"), role=MembershipRole.ADMIN)
    assert (await gql(ALLIANCE_ANSWER, invitation, user=stranger))["accept"]["errors"] == [
        {"code": "NOT_FOUND", "field": "id"}]
    assert not await AllianceMembership.exists(organisation=x.studio)

    accepted = (await gql(ALLIANCE_ANSWER, invitation, user=x.studio_admin))["accept"]
    assert accepted == {"invitation": {"status": "ACCEPTED"}, "organisation": {"alliances": {"totalCount": 1}},
                        "errors": []}
    assert (await gql(ALLIANCE_ANSWER, invitation, user=x.studio_admin))["accept"]["errors"] == []
    assert await AllianceMembership.filter(organisation=x.studio).count() == 1
    again = (await gql(ALLIANCE_INVITE, x.ids, user=x.lead_admin))["allianceInvite"]
    assert again["errors"] == [{"code": "ALREADY_MEMBER", "field": "organisationId"}]


async def test_alliance_invitation_declined_or_withdrawn(gql: GraphQLClient, alliance: Alliance) -> None:
    x = alliance
    first = (await gql(ALLIANCE_INVITE, x.ids, user=x.lead_admin))["allianceInvite"]["invitation"]["id"]
    declined = (await gql(ALLIANCE_DECLINE, {"i": first}, user=x.studio_admin))["allianceInvitationDecline"]
    assert declined == {"invitation": {"status": "DECLINED"}, "errors": []}
    assert (await gql(ALLIANCE_ANSWER, {"i": first}, user=x.studio_admin))["accept"]["errors"] == [
        {"code": "INVITATION_NOT_PENDING", "field": "id"}]
    assert not await AllianceMembership.exists(organisation=x.studio)

    second = (await gql(ALLIANCE_INVITE, x.ids, user=x.lead_admin))["allianceInvite"]["invitation"]["id"]
    assert second == first and await AllianceInvitation.all().count() == 1
    by_member = (await gql(ALLIANCE_CANCEL, {"i": second}, user=x.studio_admin))["allianceInvitationCancel"]
    assert by_member["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]
    withdrawn = (await gql(ALLIANCE_CANCEL, {"i": second}, user=x.lead_admin))["allianceInvitationCancel"]
    assert withdrawn == {"invitation": {"status": "CANCELLED"}, "errors": []}
    assert (await gql(ALLIANCE_DECLINE, {"i": second}, user=x.studio_admin))["allianceInvitationDecline"][
        "errors"] == [{"code": "INVITATION_NOT_PENDING", "field": "id"}]
    firm = await make_org("企业")
    not_alliance = await gql(ALLIANCE_INVITE, {"a": gid("Organisation", firm.id), "o": x.ids["o"]}, user=x.lead_admin)
    assert not_alliance["allianceInvite"]["errors"] == [{"code": "NOT_AN_ALLIANCE", "field": "allianceId"}]


async def test_who_manages_both_sides_joins_directly(gql: GraphQLClient) -> None:
    federation = await make_org("总工会", OrganisationKind.FEDERATION)
    alliance = await make_org("联盟", OrganisationKind.ALLIANCE, parent=federation)
    studio = await make_org("工作室", OrganisationKind.STUDIO, parent=federation)
    fed_admin = await gql.user("总工会管理员", org=federation, role=MembershipRole.ADMIN)
    ids = {"a": gid("Organisation", alliance.id), "o": gid("Organisation", studio.id)}
    pending = (await gql(ALLIANCE_INVITE, ids, user=fed_admin))["allianceInvite"]["invitation"]["id"]
    assert (await gql(JOIN, ids, user=fed_admin))["allianceJoin"]["errors"] == []
    assert await AllianceMembership.filter(alliance=alliance, organisation=studio).count() == 1
    # The direct join settles the invitation that was waiting.
    assert (await gql(ALLIANCE_ANSWER, {"i": pending}, user=fed_admin))["accept"]["invitation"] == {
        "status": "ACCEPTED"}
