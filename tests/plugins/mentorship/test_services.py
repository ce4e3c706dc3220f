"""The rules as plain functions over the runtime, and the ``*_as`` wrappers that check the viewer."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from strawberry.dataloader import DataLoader

from core.context import Context, Viewer
from core.errors import UserInputError
from core.skills.models import PersonSkill
from plugins.mentorship import matching, progress, services
from plugins.mentorship.models import MentoringSession, MentorLoad, Mentorship, MentorshipStatus, Milestone
from tests.plugins.mentorship.conftest import World
from tests.support import User


def context(world: World, user: User | None) -> Context:
    viewer = Viewer() if user is None else Viewer(account_id=user.account_id, person_id=user.person.id)
    return Context(rt=world.gql.rt, viewer=viewer)


def proposal(world: World) -> services.ProposeData:
    return services.ProposeData(
        mentor_id=world.mentor.person.id, apprentice_id=world.apprentice.person.id,
        organisation_id=world.studio.id, skill_id=world.skill.id, goals="  掌握焊接基本功 ",
    )


async def test_the_rules_run_an_agreement_without_graphql(world: World) -> None:
    rt = world.gql.rt
    mentor_id, apprentice_id = world.mentor.person.id, world.apprentice.person.id

    proposed = await services.propose(rt, proposal(world), mentor_id)
    row = await Mentorship.get(id=proposed.id)
    assert row.status is MentorshipStatus.PROPOSED and row.goals == "掌握焊接基本功"
    assert row.planned_start == rt.now().date() and row.created_by_id == mentor_id
    assert row.mentor_signed_at is not None and row.apprentice_signed_at is None

    active = await services.accept(rt, proposed.id, apprentice_id)
    assert active.status is MentorshipStatus.ACTIVE
    assert (await MentorLoad.get(mentor_id=mentor_id, organisation_id=world.studio.id)).active == 1

    milestone = await progress.add_milestone(rt, proposed.id, "掌握平焊", by=mentor_id)
    await progress.complete_milestone(rt, milestone.id)
    approved = await progress.approve_milestone(rt, milestone.id)
    assert approved.done_at is not None and approved.approved_at is not None
    session = await progress.log_session(rt, proposed.id, rt.now().date(), 2.5, "立焊操作示范", by=apprentice_id)
    assert (await MentoringSession.get(id=session.id)).hours == Decimal("2.50")
    assert session.logged_by_id == apprentice_id

    done = await services.complete(rt, proposed.id, 90, "准予出师", raise_level=True)
    assert (done.status, done.score, done.raised_level) == (MentorshipStatus.COMPLETED, 90, 3)
    assert (await PersonSkill.get(person_id=apprentice_id, skill_id=world.skill.id)).level == 3
    assert (await MentorLoad.get(mentor_id=mentor_id, organisation_id=world.studio.id)).active == 0


async def test_nobody_signs_for_a_party(world: World) -> None:
    # Changed by issue 8: the rule had a countersign for admins; each party now signs itself.
    rt = world.gql.rt
    proposed = await services.propose(rt, proposal(world), None)  # e.g. a superuser without a person
    assert proposed.mentor_signed_at is None and proposed.apprentice_signed_at is None
    with pytest.raises(UserInputError) as refused:
        await services.accept(rt, proposed.id, None)
    assert [e.code for e in refused.value.errors] == ["PERMISSION_DENIED"]
    await services.accept(rt, proposed.id, world.mentor.person.id)
    active = await services.accept(rt, proposed.id, world.apprentice.person.id)
    assert active.status is MentorshipStatus.ACTIVE
    assert active.apprentice_signed_at == active.started_at


async def test_the_rules_still_refuse_what_the_state_does_not_allow(world: World) -> None:
    rt = world.gql.rt
    proposed = await services.propose(rt, proposal(world), world.mentor.person.id)
    with pytest.raises(UserInputError) as refused:
        await services.terminate(rt, proposed.id, "提前结束")
    assert [e.code for e in refused.value.errors] == ["INVALID_TRANSITION"]
    with pytest.raises(UserInputError) as missing:
        await services.cancel(rt, 999_999)
    assert [(e.code, e.field) for e in missing.value.errors] == [("NOT_FOUND", "id")]
    with pytest.raises(UserInputError) as dated:
        await progress.log_session(rt, proposed.id, rt.now().date() + timedelta(days=3), 1, "")
    assert sorted(e.code for e in dated.value.errors) == ["BLANK", "OUT_OF_RANGE"]
    assert (await Mentorship.get(id=proposed.id)).status is MentorshipStatus.PROPOSED


async def test_rule_as_refuses_a_viewer_without_permission(world: World) -> None:
    rt = world.gql.rt
    proposed = await services.propose(rt, proposal(world), world.mentor.person.id)
    stranger = context(world, world.stranger)

    with pytest.raises(UserInputError) as refused:
        await services.accept_as(stranger, proposed.id)
    assert [(e.code, e.field) for e in refused.value.errors] == [("PERMISSION_DENIED", "id")]
    with pytest.raises(UserInputError) as refused:
        await services.propose_as(stranger, proposal(world))
    assert [(e.code, e.field) for e in refused.value.errors] == [("PERMISSION_DENIED", "organisationId")]
    # The mentor proposed: only the apprentice or an admin may decline, only the proposer cancel.
    with pytest.raises(UserInputError) as refused:
        await services.decline_as(context(world, world.mentor), proposed.id)
    assert [e.code for e in refused.value.errors] == ["PERMISSION_DENIED"]
    with pytest.raises(UserInputError) as refused:
        await services.cancel_as(context(world, world.apprentice), proposed.id)
    assert [e.code for e in refused.value.errors] == ["PERMISSION_DENIED"]

    row = await Mentorship.get(id=proposed.id)
    assert row.status is MentorshipStatus.PROPOSED and row.apprentice_signed_at is None
    assert await Mentorship.all().count() == 1


async def test_rule_as_refuses_progress_to_the_wrong_side(world: World) -> None:
    rt = world.gql.rt
    proposed = await services.propose(rt, proposal(world), world.mentor.person.id)
    await services.accept(rt, proposed.id, world.apprentice.person.id)
    milestone = await progress.add_milestone(rt, proposed.id, "掌握平焊", by=world.mentor.person.id)

    with pytest.raises(UserInputError) as refused:
        await progress.complete_milestone_as(context(world, world.mentor), milestone.id)
    assert [e.code for e in refused.value.errors] == ["PERMISSION_DENIED"]
    with pytest.raises(UserInputError) as refused:
        await progress.log_session_as(context(world, world.stranger), proposed.id, rt.now().date(), 1, "参数调试")
    assert [(e.code, e.field) for e in refused.value.errors] == [("PERMISSION_DENIED", "mentorshipId")]
    assert (await Milestone.get(id=milestone.id)).done_at is None
    assert await MentoringSession.all().count() == 0


async def test_rule_as_asks_anonymous_viewers_to_sign_in(world: World) -> None:
    proposed = await services.propose(world.gql.rt, proposal(world), world.mentor.person.id)
    anonymous = context(world, None)
    with pytest.raises(UserInputError) as refused:
        await services.accept_as(anonymous, proposed.id)
    assert [(e.code, e.field) for e in refused.value.errors] == [("UNAUTHENTICATED", None)]
    with pytest.raises(UserInputError) as refused:
        await matching.suggest_mentors_as(anonymous, world.apprentice.person.id, world.skill.id, 5)
    assert [e.code for e in refused.value.errors] == ["UNAUTHENTICATED"]


async def test_rule_as_acts_for_a_permitted_viewer_and_leaves_the_loaders_alone(world: World) -> None:
    ctx = context(world, world.apprentice)
    loader: DataLoader[int, int] = ctx.loaders.get("probe", lambda: DataLoader(load_fn=_echo))
    proposed = await services.propose_as(ctx, proposal(world))
    assert proposed.created_by_id == world.apprentice.person.id and proposed.apprentice_signed_at is not None
    accepted = await services.accept_as(context(world, world.mentor), proposed.id)
    assert accepted.status is MentorshipStatus.ACTIVE
    # Services never clear the request's loaders: the host does, once, after a mutation.
    assert ctx.loaders.get("probe", lambda: DataLoader(load_fn=_echo)) is loader


async def _echo(keys: list[int]) -> list[int]:
    return keys
