"""Nobody acts for the parties of a mentorship (issue 8): the plan, the log and the sign-offs are
the mentor's and the apprentice's own. An admin of the organisation holding it (or a superuser)
may end it only as an administrative act: with a reason, audited, and shown to both parties."""

# ruff: noqa: F811  (the ``world`` fixture is imported from the mentorship tests)
from __future__ import annotations

from typing import Any

from core.audit.models import AuditEntry
from core.people.models import MembershipRole
from plugins.mentorship.models import MentoringSession, Mentorship, Milestone
from plugins.mentorship.progress import approve_milestone, complete_milestone
from tests.plugins.mentorship.conftest import TERMINATE, World, codes, world  # noqa: F401
from tests.support import make_org

ADD = """mutation($id: ID!) { mentorshipMilestoneAdd(input: {mentorshipId: $id, title: "焊缝"}) {
  milestone { id } errors { code field } } }"""
LOG = """mutation($id: ID!, $date: Date!) {
  mentorshipSessionLog(input: {mentorshipId: $id, date: $date, hours: 2, topic: "焊接"}) {
    session { id } errors { code field } } }"""
DONE = """mutation($id: ID!) { mentorshipMilestoneComplete(input: {id: $id}) { errors { code field } } }"""
APPROVE = """mutation($id: ID!) { mentorshipMilestoneApprove(input: {id: $id}) { errors { code field } } }"""
DETAIL = """query($id: ID!) { node(id: $id) { ... on Mentorship { status endReason } } }"""


async def _payload(world: World, query: str, by: Any, **variables: Any) -> dict[str, Any]:
    return dict(next(iter((await world.gql(query, variables, user=by)).values())))


async def test_admins_do_not_plan_or_log_for_the_pair(world: World) -> None:
    mentorship_id = await world.active()
    superuser = await world.gql.superuser()
    today = str(world.gql.rt.now().date())
    for admin in (world.admin, superuser):
        added = await _payload(world, ADD, admin, id=mentorship_id)
        assert added["errors"] == [{"code": "PERMISSION_DENIED", "field": "mentorshipId"}]
        logged = await _payload(world, LOG, admin, id=mentorship_id, date=today)
        assert logged["errors"] == [{"code": "PERMISSION_DENIED", "field": "mentorshipId"}]
    assert await Milestone.all().count() == 0 and await MentoringSession.all().count() == 0
    # The parties themselves still do.
    assert (await _payload(world, ADD, world.apprentice, id=mentorship_id))["errors"] == []
    assert (await _payload(world, LOG, world.mentor, id=mentorship_id, date=today))["errors"] == []


async def test_admins_neither_mark_done_nor_approve_milestones(world: World) -> None:
    mentorship_id = await world.active()
    milestone_id = (await _payload(world, ADD, world.mentor, id=mentorship_id))["milestone"]["id"]
    refused = [{"code": "PERMISSION_DENIED", "field": "id"}]
    assert (await _payload(world, DONE, world.admin, id=milestone_id))["errors"] == refused
    assert (await _payload(world, DONE, world.mentor, id=milestone_id))["errors"] == refused
    assert (await _payload(world, DONE, world.apprentice, id=milestone_id))["errors"] == []
    assert (await _payload(world, APPROVE, world.admin, id=milestone_id))["errors"] == refused
    assert (await _payload(world, APPROVE, world.apprentice, id=milestone_id))["errors"] == refused
    milestone = await Milestone.get()
    assert milestone.done_at is not None and milestone.approved_at is None


async def test_an_admin_terminates_only_as_an_audited_administrative_act(world: World) -> None:
    mentorship_id = await world.active()
    blank = await world.act(TERMINATE, mentorship_id, world.admin, reason=" ")
    assert codes(blank) == ["BLANK"] and blank["errors"][0]["field"] == "reason"
    assert await AuditEntry.filter(action="mentorship.terminated_by_admin").count() == 0

    ended = await world.act(TERMINATE, mentorship_id, world.admin, reason="工作室撤销")
    assert ended["errors"] == [] and ended["mentorship"]["status"] == "TERMINATED"
    entry = await AuditEntry.get(action="mentorship.terminated_by_admin")
    row = await Mentorship.get()
    assert entry.organisation_id == row.organisation_id and entry.target == mentorship_id
    assert entry.actor_account_id == world.admin.account_id
    assert entry.before == {"status": "ACTIVE"} and entry.after == {"status": "TERMINATED", "reason": "工作室撤销"}
    # Both parties read why it ended; a stranger reads that it ended, not why.
    for party in (world.mentor, world.apprentice):
        seen = (await world.gql(DETAIL, {"id": mentorship_id}, user=party))["node"]
        assert seen == {"status": "TERMINATED", "endReason": "工作室撤销"}
    assert (await world.gql(DETAIL, {"id": mentorship_id}, user=world.stranger))["node"]["endReason"] is None


async def test_a_party_terminating_is_no_administrative_act(world: World) -> None:
    mentorship_id = await world.active()
    assert (await world.act(TERMINATE, mentorship_id, world.apprentice, reason="调岗"))["errors"] == []
    assert await AuditEntry.filter(action__startswith="mentorship.").count() == 0


async def test_admins_of_other_organisations_do_not_terminate(world: World) -> None:
    mentorship_id = await world.active()
    elsewhere = await make_org("别的企业")
    other_admin = await world.gql.user("别处管理员", org=elsewhere, role=MembershipRole.ADMIN)
    refused = await world.act(TERMINATE, mentorship_id, other_admin, reason="越权")
    assert refused["errors"] == [
        {"code": "PERMISSION_DENIED", "message": refused["errors"][0]["message"], "field": "id"}
    ]
    assert (await Mentorship.get()).status.value == "ACTIVE"


async def test_the_rules_themselves_stay_callable_without_a_viewer(world: World) -> None:
    """The plain rules (``progress.*``) take no viewer: the demo and repairs use them."""
    mentorship_id = await world.active()
    milestone_id = (await _payload(world, ADD, world.mentor, id=mentorship_id))["milestone"]["id"]
    row = await Milestone.get()
    await complete_milestone(world.gql.rt, row.id)
    assert (await approve_milestone(world.gql.rt, row.id)).approved_at is not None
    assert milestone_id
