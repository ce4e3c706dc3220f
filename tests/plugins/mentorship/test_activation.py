"""Where an organisation has switched mentorship off, the host refuses every mentorship mutation
(``PLUGIN_DISABLED``) before the plugin runs, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.utils.str_converters import to_camel_case

from plugins.mentorship.models import MentoringSession, MentorLoad, Mentorship, Milestone
from plugins.mentorship.mutations import MentorshipMutations
from tests.plugins.mentorship.conftest import ACCEPT, World
from tests.support import User

PLUGIN_DISABLE = """
mutation Off($org: ID!) { pluginDisable(input: {organisationId: $org, plugin: "mentorship"}) { errors { code } } }"""
PAYLOAD = "errors { code field }"
OPERATIONS = {
    "mentorshipDecline": ("MentorshipDeclineInput", "mentorship { id }"),
    "mentorshipCancel": ("MentorshipCancelInput", "mentorship { id }"),
    "mentorshipTerminate": ("MentorshipTerminateInput", "mentorship { id }"),
    "mentorshipComplete": ("MentorshipCompleteInput", "mentorship { id }"),
    "mentorshipMilestoneAdd": ("MentorshipMilestoneAddInput", "milestone { id }"),
    "mentorshipMilestoneComplete": ("MentorshipMilestoneCompleteInput", "milestone { id }"),
    "mentorshipMilestoneApprove": ("MentorshipMilestoneApproveInput", "milestone { id }"),
    "mentorshipSessionLog": ("MentorshipSessionLogInput", "session { id }"),
}


def operation(name: str) -> str:
    input_type, noun = OPERATIONS[name]
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {noun} {PAYLOAD} }} }}"


async def snapshot() -> list[Any]:
    """Everything the plugin has written."""
    return [
        await Mentorship.all().order_by("id").values(),
        await Milestone.all().order_by("id").values(),
        await MentoringSession.all().order_by("id").values(),
        await MentorLoad.all().order_by("id").values(),
    ]


async def _switch_off(world: World) -> None:
    off = await world.gql(PLUGIN_DISABLE, {"org": world.studio_id}, user=world.admin)
    assert off["pluginDisable"]["errors"] == []


async def test_propose_and_accept_are_refused_and_write_nothing(world: World) -> None:
    proposed = await world.proposed()
    newcomer = await world.person("新学徒", level=5)
    await _switch_off(world)
    before = await snapshot()

    payload = await world.propose(newcomer, apprentice=newcomer)
    assert payload["mentorship"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("PLUGIN_DISABLED", "organisationId")]
    accepted = (await world.gql(ACCEPT, {"id": proposed}, user=world.apprentice))["mentorshipAccept"]
    assert accepted["mentorship"] is None
    assert [e["code"] for e in accepted["errors"]] == ["PLUGIN_DISABLED"]
    assert await snapshot() == before


@pytest.fixture
async def switched_off(world: World) -> dict[str, Any]:
    """A proposed and an active agreement with a done milestone, then the plugin switched off."""
    proposed = await world.proposed(apprentice=await world.person("待签学徒", level=5))
    active = await world.active()
    add = await world.gql(operation("mentorshipMilestoneAdd"),
                          {"input": {"mentorshipId": active, "title": "掌握平焊"}}, user=world.mentor)
    milestone = add["mentorshipMilestoneAdd"]["milestone"]["id"]
    done = await world.gql(operation("mentorshipMilestoneComplete"), {"input": {"id": milestone}},
                           user=world.apprentice)
    assert done["mentorshipMilestoneComplete"]["errors"] == []
    await _switch_off(world)
    return {"proposed": proposed, "active": active, "milestone": milestone}


def _calls(world: World, ids: dict[str, Any]) -> list[tuple[str, dict[str, Any], User, str]]:
    """Each mutation with input that would succeed while the plugin is on, by who may do it."""
    today = str(world.gql.rt.now().date())
    return [
        ("mentorshipDecline", {"id": ids["proposed"]}, world.admin, "id"),
        ("mentorshipCancel", {"id": ids["proposed"]}, world.mentor, "id"),
        ("mentorshipTerminate", {"id": ids["active"], "reason": "调岗"}, world.mentor, "id"),
        ("mentorshipComplete", {"id": ids["active"], "score": 90, "comment": "出师"}, world.mentor, "id"),
        ("mentorshipMilestoneAdd", {"mentorshipId": ids["active"], "title": "立焊"}, world.mentor, "mentorshipId"),
        ("mentorshipMilestoneComplete", {"id": ids["milestone"]}, world.apprentice, "id"),
        ("mentorshipMilestoneApprove", {"id": ids["milestone"]}, world.mentor, "id"),
        ("mentorshipSessionLog", {"mentorshipId": ids["active"], "date": today, "hours": 2, "topic": "参数调试"},
         world.apprentice, "mentorshipId"),
    ]


async def test_every_other_mutation_is_refused_and_writes_nothing(
    world: World, switched_off: dict[str, Any]
) -> None:
    before = await snapshot()
    calls = _calls(world, switched_off)
    # With propose and accept above: every mutation of the plugin.
    fields = MentorshipMutations.__strawberry_definition__.fields  # type: ignore[attr-defined]
    assert {to_camel_case(f.name) for f in fields} == {"mentorshipPropose", "mentorshipAccept",
                                                      *(name for name, *_ in calls)}
    for name, variables, user, field in calls:
        data = (await world.gql(operation(name), {"input": variables}, user=user))[name]
        assert data["errors"] == [{"code": "PLUGIN_DISABLED", "field": field}], name
        assert all(value is None for key, value in data.items() if key != "errors"), name
    assert await snapshot() == before
