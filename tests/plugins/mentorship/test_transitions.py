"""The agreement's status machine, who may act, and every rule of a proposal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.audit.models import AuditEntry
from core.organisations.models import OrganisationKind
from core.people.models import MembershipRole
from core.relay import decode_id, to_global_id
from core.skills.models import PersonSkill
from plugins.mentorship import services
from plugins.mentorship.models import Mentorship as MentorshipModel
from tests.plugins.mentorship.conftest import (
    ACCEPT,
    CANCEL,
    DECLINE,
    TERMINATE,
    World,
    codes,
    enable,
    set_level,
)
from tests.support import gid, make_org

DETAIL = """
query Detail($id: ID!) { node(id: $id) { ... on Mentorship {
  status mentorSignedAt apprenticeSignedAt startedAt endedAt endReason score comment raisedLevel
  createdBy { name } mentor { name } apprentice { name } organisation { name } skill { name }
} } }"""
PLUGIN_DISABLE = """
mutation Off($org: ID!) { pluginDisable(input: {organisationId: $org, plugin: "mentorship"}) { errors { code } } }"""


async def detail(world: World, mentorship_id: str) -> dict[str, Any]:
    """As the organisation's admin: the private fields are the pair's and the admins' (test_privacy)."""
    return (await world.gql(DETAIL, {"id": mentorship_id}, user=world.admin))["node"]


# -- proposing and accepting -------------------------------------------------------------------


async def test_mentor_proposes_and_apprentice_accepts(world: World) -> None:
    payload = await world.propose(world.mentor)
    assert payload["errors"] == []
    assert payload["mentorship"]["status"] == "PROPOSED"
    mentorship_id = payload["mentorship"]["id"]
    row = await detail(world, mentorship_id)
    assert row["mentorSignedAt"] is not None and row["apprenticeSignedAt"] is None
    assert row["createdBy"]["name"] == "王建国"
    names = (row["mentor"]["name"], row["apprentice"]["name"], row["skill"]["name"])
    assert names == ("王建国", "李小军", "焊接")

    accepted = await world.act(ACCEPT, mentorship_id, world.apprentice)
    assert accepted == {"mentorship": {"id": mentorship_id, "status": "ACTIVE"}, "errors": []}
    row = await detail(world, mentorship_id)
    assert row["apprenticeSignedAt"] is not None and row["startedAt"] is not None


async def test_apprentice_proposes_and_mentor_accepts(world: World) -> None:
    mentorship_id = await world.proposed(by=world.apprentice)
    assert (await detail(world, mentorship_id))["apprenticeSignedAt"] is not None
    payload = await world.act(ACCEPT, mentorship_id, world.mentor)
    assert payload["mentorship"]["status"] == "ACTIVE"


@pytest.mark.parametrize("proposer", ["mentor", "apprentice"])
async def test_the_proposer_cannot_accept_their_own_proposal(world: World, proposer: str) -> None:
    who = getattr(world, proposer)
    mentorship_id = await world.proposed(by=who)
    payload = await world.act(ACCEPT, mentorship_id, who)
    assert codes(payload) == ["PERMISSION_DENIED"]


async def test_a_party_who_is_also_admin_signs_only_their_own_side(world: World) -> None:
    leader = await world.person("王领衔", level=1, role=MembershipRole.LEADER)
    mentorship_id = await world.proposed(by=leader, mentor=leader)
    assert codes(await world.act(ACCEPT, mentorship_id, leader)) == ["PERMISSION_DENIED"]
    assert codes(await world.act(CANCEL, mentorship_id, world.apprentice)) == ["PERMISSION_DENIED"]


async def test_admin_proposal_needs_both_people_to_sign(world: World) -> None:
    mentorship_id = await world.proposed(by=world.admin)
    row = await detail(world, mentorship_id)
    assert row["mentorSignedAt"] is None and row["apprenticeSignedAt"] is None
    first = await world.act(ACCEPT, mentorship_id, world.mentor)
    assert first["mentorship"]["status"] == "PROPOSED"
    assert codes(await world.act(ACCEPT, mentorship_id, world.mentor)) == ["PERMISSION_DENIED"]
    second = await world.act(ACCEPT, mentorship_id, world.apprentice)
    assert second["mentorship"]["status"] == "ACTIVE"


async def test_an_admin_cannot_sign_for_the_other_side(world: World) -> None:
    # Changed by issue 8: admins no longer countersign; only the apprentice signs for themself.
    mentorship_id = await world.proposed(by=world.mentor)
    assert codes(await world.act(ACCEPT, mentorship_id, world.admin)) == ["PERMISSION_DENIED"]
    row = await detail(world, mentorship_id)
    assert row["status"] == "PROPOSED" and row["apprenticeSignedAt"] is None


async def test_admin_of_a_parent_organisation_may_propose(world: World) -> None:
    enterprise = await make_org("海州重工")
    world.studio.parent = enterprise
    await world.studio.save()
    boss = await world.gql.user("集团管理员", org=enterprise, role=MembershipRole.ADMIN)
    payload = await world.propose(boss)
    assert payload["errors"] == []


async def test_superuser_may_propose_but_not_sign(world: World) -> None:
    # Changed by issue 8: a superuser proposes on the pair's behalf; the pair signs.
    root = await world.gql.superuser()
    mentorship_id = await world.proposed(by=root)
    assert codes(await world.act(ACCEPT, mentorship_id, root)) == ["PERMISSION_DENIED"]
    assert (await world.act(ACCEPT, mentorship_id, world.mentor))["mentorship"]["status"] == "PROPOSED"
    assert (await world.act(ACCEPT, mentorship_id, world.apprentice))["mentorship"]["status"] == "ACTIVE"


async def test_strangers_may_not_propose_or_act(world: World) -> None:
    assert codes(await world.propose(world.stranger)) == ["PERMISSION_DENIED"]
    proposed = await world.proposed()
    for operation in (ACCEPT, DECLINE, CANCEL):
        assert codes(await world.act(operation, proposed, world.stranger)) == ["PERMISSION_DENIED"]
    active = await world.active(apprentice=await world.person("赵学徒", level=5))
    assert codes(await world.act(TERMINATE, active, world.stranger, reason="无")) == ["PERMISSION_DENIED"]
    assert codes(await world.complete(active, world.stranger)) == ["PERMISSION_DENIED"]


async def test_anonymous_callers_must_sign_in(world: World) -> None:
    payload = (await world.gql(
        "mutation($i: MentorshipProposeInput!) { mentorshipPropose(input: $i) { errors { code } } }",
        {"i": {"mentorId": world.mentor.person_gid, "apprenticeId": world.apprentice.person_gid,
               "organisationId": world.studio_id, "skillId": world.skill_id}},
    ))["mentorshipPropose"]
    assert codes(payload) == ["UNAUTHENTICATED"]


# -- declining, cancelling, terminating, completing --------------------------------------------


async def test_the_other_side_declines(world: World) -> None:
    mentorship_id = await world.proposed(by=world.mentor)
    assert codes(await world.act(DECLINE, mentorship_id, world.mentor)) == ["PERMISSION_DENIED"]
    payload = await world.gql(
        'mutation($id: ID!) { mentorshipDecline(input: {id: $id, reason: "时间冲突"}) {'
        " mentorship { status endReason } } }",
        {"id": mentorship_id}, user=world.apprentice,
    )
    assert payload["mentorshipDecline"]["mentorship"] == {"status": "DECLINED", "endReason": "时间冲突"}


async def test_admin_declines(world: World) -> None:
    mentorship_id = await world.proposed(by=world.mentor)
    assert (await world.act(DECLINE, mentorship_id, world.admin))["mentorship"]["status"] == "DECLINED"


async def test_the_proposer_cancels(world: World) -> None:
    mentorship_id = await world.proposed(by=world.apprentice)
    assert codes(await world.act(CANCEL, mentorship_id, world.mentor)) == ["PERMISSION_DENIED"]
    assert (await world.act(CANCEL, mentorship_id, world.apprentice))["mentorship"]["status"] == "CANCELLED"


async def test_admin_cancels(world: World) -> None:
    mentorship_id = await world.proposed(by=world.mentor)
    assert (await world.act(CANCEL, mentorship_id, world.admin))["mentorship"]["status"] == "CANCELLED"


@pytest.mark.parametrize("who", ["mentor", "apprentice", "admin"])
async def test_either_side_or_admin_terminates_with_a_reason(world: World, who: str) -> None:
    mentorship_id = await world.active()
    blank = await world.act(TERMINATE, mentorship_id, getattr(world, who), reason="  ")
    assert blank["errors"] == [{"code": "BLANK", "message": "`reason` must not be blank", "field": "reason"}]
    payload = await world.act(TERMINATE, mentorship_id, getattr(world, who), reason="徒弟调岗")
    assert payload["mentorship"] == {"id": mentorship_id, "status": "TERMINATED", "endReason": "徒弟调岗"}


async def test_only_the_mentor_completes(world: World) -> None:
    # Changed by issue 8: admins no longer complete an agreement (nor raise levels through it).
    mentorship_id = await world.active()
    assert codes(await world.complete(mentorship_id, world.admin)) == ["PERMISSION_DENIED"]
    payload = await world.complete(mentorship_id, world.mentor, score=88, comment="基本功扎实")
    assert payload == {"mentorship": {"id": mentorship_id, "status": "COMPLETED"}, "errors": []}
    row = await detail(world, mentorship_id)
    assert (row["score"], row["comment"], row["raisedLevel"]) == (88, "基本功扎实", None)
    assert row["endedAt"] is not None


async def test_the_apprentice_cannot_complete(world: World) -> None:
    mentorship_id = await world.active()
    assert codes(await world.complete(mentorship_id, world.apprentice)) == ["PERMISSION_DENIED"]


async def test_completion_checks_score_and_comment(world: World) -> None:
    mentorship_id = await world.active()
    payload = await world.complete(mentorship_id, world.mentor, score=101, comment="")
    assert sorted(codes(payload)) == ["BLANK", "OUT_OF_RANGE"]
    assert codes(await world.complete(mentorship_id, world.mentor, score=-1)) == ["OUT_OF_RANGE"]
    assert (await world.complete(mentorship_id, world.mentor, score=0))["mentorship"]["status"] == "COMPLETED"


async def test_completion_raises_the_apprentice_one_grade(world: World) -> None:
    mentorship_id = await world.active()
    await world.complete(mentorship_id, world.mentor, raise_level=True)
    assert (await detail(world, mentorship_id))["raisedLevel"] == 3
    record = await PersonSkill.get(person_id=world.apprentice.person.id, skill=world.skill)
    assert record.level == 3
    # The level says where it came from: this agreement, its organisation, the mentor's account.
    agreement = await MentorshipModel.get(id=decode_id(mentorship_id, "Mentorship", "id"))
    assert record.source == f"mentorship:{agreement.id}"
    assert record.awarded_by_organisation_id == agreement.organisation_id
    assert record.awarded_by_account_id == world.mentor.account_id
    entries = await AuditEntry.filter(action="skill.level_set", organisation_id=agreement.organisation_id)
    assert [entry.after["level"] for entry in entries] == [3]


async def test_completion_gives_a_first_level_to_a_beginner(world: World) -> None:
    beginner = await world.person("新学徒")
    mentorship_id = await world.active(apprentice=beginner)
    await world.complete(mentorship_id, world.mentor, raise_level=True)
    assert (await PersonSkill.get(person_id=beginner.person.id, skill=world.skill)).level == 5


async def test_raising_never_goes_above_the_mentor(world: World) -> None:
    close = await world.person("差一级", level=2)
    mentorship_id = await world.active(apprentice=close)
    await world.complete(mentorship_id, world.mentor, raise_level=True)
    assert (await PersonSkill.get(person_id=close.person.id, skill=world.skill)).level == 1

    # The apprentice caught up with the mentor meanwhile: nothing to raise.
    master = await world.person("技师师傅", level=2)
    caught_up = await world.person("追上了", level=3)
    mentorship_id = await world.active(mentor=master, apprentice=caught_up)
    await set_level(caught_up.person, world.skill, 2)
    await world.complete(mentorship_id, master, raise_level=True)
    assert (await detail(world, mentorship_id))["raisedLevel"] is None
    assert (await PersonSkill.get(person_id=caught_up.person.id, skill=world.skill)).level == 2


# -- every refused transition ------------------------------------------------------------------


async def _in_state(world: World, state: str) -> str:
    apprentice = await world.person(f"学徒{state}", level=5)
    if state == "PROPOSED":
        return await world.proposed(apprentice=apprentice)
    mentorship_id = await world.active(apprentice=apprentice)
    if state == "COMPLETED":
        await world.complete(mentorship_id, world.mentor)
    elif state == "TERMINATED":
        await world.act(TERMINATE, mentorship_id, world.admin, reason="提前结束")
    return mentorship_id


async def _ended_before_start(world: World, state: str) -> str:
    mentorship_id = await world.proposed(apprentice=await world.person(f"学徒{state}", level=5))
    await world.act(DECLINE if state == "DECLINED" else CANCEL, mentorship_id, world.admin)
    return mentorship_id


ACTIONS = ["accept", "decline", "cancel", "complete", "terminate"]
ALLOWED = {
    "PROPOSED": {"accept", "decline", "cancel"},
    "ACTIVE": {"complete", "terminate"},
    "COMPLETED": set(),
    "DECLINED": set(),
    "CANCELLED": set(),
    "TERMINATED": set(),
}
REFUSED = [(state, action) for state, allowed in ALLOWED.items() for action in ACTIONS if action not in allowed]


async def _do(world: World, action: str, mentorship_id: str) -> dict[str, Any]:
    # Completing is the mentor's, signing the apprentice's (the mentor proposed): issue 8.
    if action == "complete":
        return await world.complete(mentorship_id, world.mentor)
    if action == "accept":
        apprentice = (await world.gql(
            "query($id: ID!) { node(id: $id) { ... on Mentorship { apprentice { id } } } }", {"id": mentorship_id}
        ))["node"]["apprentice"]["id"]
        by = world.users.get(apprentice, world.apprentice)
        return await world.act(ACCEPT, mentorship_id, by)
    operation = {"decline": DECLINE, "cancel": CANCEL, "terminate": TERMINATE}[action]
    extra = {"reason": "无"} if action == "terminate" else {}
    return await world.act(operation, mentorship_id, world.admin, **extra)


@pytest.mark.parametrize(("state", "action"), REFUSED)
async def test_refused_transitions(world: World, state: str, action: str) -> None:
    if state in ("DECLINED", "CANCELLED"):
        mentorship_id = await _ended_before_start(world, state)
    else:
        mentorship_id = await _in_state(world, state)
    assert (await detail(world, mentorship_id))["status"] == state
    payload = await _do(world, action, mentorship_id)
    assert codes(payload) == ["INVALID_TRANSITION"]
    assert (await detail(world, mentorship_id))["status"] == state


@pytest.mark.parametrize(
    ("state", "action", "target"),
    [("PROPOSED", "accept", "ACTIVE"), ("PROPOSED", "decline", "DECLINED"), ("PROPOSED", "cancel", "CANCELLED"),
     ("ACTIVE", "complete", "COMPLETED"), ("ACTIVE", "terminate", "TERMINATED")],
)
async def test_allowed_transitions(world: World, state: str, action: str, target: str) -> None:
    mentorship_id = await _in_state(world, state)
    payload = await _do(world, action, mentorship_id)
    assert payload["errors"] == [] and payload["mentorship"]["status"] == target


# -- the rules of a proposal ---------------------------------------------------------------------


async def test_self_mentorship_is_refused(world: World) -> None:
    payload = await world.propose(world.mentor, apprentice=world.mentor)
    assert payload["errors"][0]["code"] == "SELF_MENTORSHIP"
    assert payload["errors"][0]["field"] == "apprenticeId"


async def test_one_open_agreement_per_pair_and_skill(world: World) -> None:
    first = await world.proposed()
    assert codes(await world.propose(world.apprentice)) == ["DUPLICATE_MENTORSHIP"]
    await world.act(ACCEPT, first, world.apprentice)
    assert codes(await world.propose(world.admin)) == ["DUPLICATE_MENTORSHIP"]
    await world.complete(first, world.mentor)
    assert (await world.propose(world.mentor))["errors"] == []


async def test_a_declined_pair_may_propose_again(world: World) -> None:
    first = await world.proposed()
    await world.act(DECLINE, first, world.apprentice)
    assert (await world.propose(world.mentor))["errors"] == []


async def test_the_same_pair_may_work_on_another_skill(world: World) -> None:
    from core.skills.models import Skill

    other = await Skill.create(name="钳工")
    await set_level(world.mentor.person, other, 2)
    await world.proposed()
    payload = await world.propose(world.mentor, skillId=gid("Skill", other.id))
    assert payload["errors"] == []


@pytest.mark.parametrize(("mentor_level", "apprentice_level"), [(4, 4), (5, 4), (None, 4), (None, None)])
async def test_the_mentor_must_be_better_in_the_skill(
    world: World, mentor_level: int | None, apprentice_level: int | None
) -> None:
    mentor = await world.person("候选师傅", level=mentor_level)
    apprentice = await world.person("候选徒弟", level=apprentice_level)
    payload = await world.propose(mentor, mentor=mentor, apprentice=apprentice)
    assert codes(payload) == ["MENTOR_NOT_QUALIFIED"]


async def test_any_level_is_better_than_none(world: World) -> None:
    mentor = await world.person("初级师傅", level=5)
    apprentice = await world.person("零基础")
    assert (await world.propose(mentor, mentor=mentor, apprentice=apprentice))["errors"] == []


async def test_qualification_is_checked_again_on_acceptance(world: World) -> None:
    mentorship_id = await world.proposed()
    await set_level(world.apprentice.person, world.skill, 1)
    assert codes(await world.act(ACCEPT, mentorship_id, world.apprentice)) == ["MENTOR_NOT_QUALIFIED"]
    assert (await detail(world, mentorship_id))["status"] == "PROPOSED"


async def test_the_organisation_must_enable_the_plugin(world: World) -> None:
    other = await make_org("未启用的工作室", kind=OrganisationKind.STUDIO)
    mentor = await world.gql.user("外厂师傅", org=other)
    await set_level(mentor.person, world.skill, 1)
    payload = await world.propose(mentor, mentor=mentor, organisationId=gid("Organisation", other.id))
    assert codes(payload) == ["PLUGIN_DISABLED"]


async def test_switching_the_plugin_off_stops_work_but_keeps_data(world: World) -> None:
    mentorship_id = await world.proposed()
    off = await world.gql(PLUGIN_DISABLE, {"org": world.studio_id}, user=world.admin)
    assert off["pluginDisable"]["errors"] == []
    assert codes(await world.act(ACCEPT, mentorship_id, world.apprentice)) == ["PLUGIN_DISABLED"]
    assert (await detail(world, mentorship_id))["status"] == "PROPOSED"


async def test_both_of_them_must_belong_to_the_organisation(world: World) -> None:
    # Changed by issue 8: one member used to be enough.
    elsewhere = await make_org("别的工作室", kind=OrganisationKind.STUDIO)
    await enable(elsewhere)
    payload = await world.propose(world.mentor, organisationId=gid("Organisation", elsewhere.id))
    assert codes(payload) == ["NOT_MEMBER"]
    child = await make_org("下属工作室", kind=OrganisationKind.STUDIO, parent=elsewhere)
    visitor = await world.gql.user("下属学徒", org=child)
    payload = await world.propose(
        world.mentor, apprentice=visitor, organisationId=gid("Organisation", elsewhere.id)
    )
    assert codes(payload) == ["NOT_MEMBER"]
    # Belonging to an organisation under it is enough, for each of them.
    master = await world.gql.user("下属师傅", org=child)
    await set_level(master.person, world.skill, 1)
    payload = await world.propose(
        master, mentor=master, apprentice=visitor, organisationId=gid("Organisation", elsewhere.id)
    )
    assert payload["errors"] == []


async def test_unknown_and_malformed_ids(world: World) -> None:
    payload = await world.propose(world.mentor, skillId=gid("Skill", 999))
    assert payload["errors"][0] == {"code": "NOT_FOUND", "message": "No skill with this `skillId`", "field": "skillId"}
    payload = await world.propose(world.mentor, mentorId=gid("Organisation", world.studio.id))
    assert payload["errors"][0]["code"] == "INVALID_ID" and payload["errors"][0]["field"] == "mentorId"
    assert codes(await world.act(ACCEPT, to_global_id("Mentorship", 999), world.mentor)) == ["NOT_FOUND"]


async def test_planned_end_must_follow_the_start(world: World) -> None:
    payload = await world.propose(world.mentor, plannedStart="2030-05-01", plannedEnd="2030-04-30")
    assert payload["errors"] == [
        {"code": "OUT_OF_RANGE", "message": "`plannedEnd` must be after the start", "field": "plannedEnd"}
    ]


async def test_transitions_emit_domain_events(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, dict[str, Any], int | None]] = []

    async def record(rt: object, event: Any) -> None:
        seen.append((event.name, event.payload, event.organisation_id))

    monkeypatch.setattr(services, "emit", record)
    mentorship_id = await world.active()
    await world.complete(mentorship_id, world.mentor, score=95)
    assert [name for name, _, _ in seen] == ["mentorship.proposed", "mentorship.accepted", "mentorship.completed"]
    _, payload, org_id = seen[-1]
    assert payload["mentorshipId"] == mentorship_id and payload["score"] == 95
    assert org_id == world.studio.id


async def test_events_reach_the_organisation_channel(world: World) -> None:
    from core.events import organisation_channel

    pubsub = world.gql.rt.redis.pubsub()
    await pubsub.subscribe(organisation_channel(world.studio.id))
    try:
        await world.proposed()
        message = None
        for _ in range(10):
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
            if message is not None:
                break
        assert message is not None
        body = json.loads(message["data"])
        assert body["name"] == "mentorship.proposed" and body["payload"]["status"] == "PROPOSED"
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()
