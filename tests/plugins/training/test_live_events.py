"""Issue 8: training events reach a subscriber only as far as the query API would show them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.people.models import Membership
from plugins.training import seats
from tests.live_events import Subscription, open_subscription
from tests.plugins.training.conftest import School, make_course, make_session


@pytest.fixture
async def subscriptions() -> AsyncIterator[list[Subscription]]:
    opened: list[Subscription] = []
    yield opened
    for sub in opened:
        await sub.close()


async def test_a_member_gets_public_events_but_not_anothers_enrolment(
    school: School, subscriptions: list[Subscription]
) -> None:
    learner, member = await school.learners(2)
    for user in (learner, member):
        await Membership.create(person_id=user.person.id, organisation=school.org)  # type: ignore[union-attr]
    subs = {name: await open_subscription(subscriptions, school.rt, user, school.org)
            for name, user in (("learner", learner), ("member", member), ("admin", school.admin))}
    session = await school.session()
    await seats.enrol(school.rt, session.id, learner.person.id)  # type: ignore[union-attr]
    await seats.cancel_session(school.rt, session.id, "设备检修")

    mine = await subs["learner"].next()
    assert mine["name"] == "training.enrolled" and mine["payload"]["personId"] == learner.person_gid
    seen_by_member = await subs["member"].next()
    assert seen_by_member["name"] == "training.session_cancelled"  # the enrolment never reached it
    assert "enrolments" not in seen_by_member["payload"] and seen_by_member["payload"]["reason"] == "设备检修"
    assert (await subs["admin"].next())["name"] == "training.enrolled"
    cancelled = await subs["admin"].next()
    assert [e["personId"] for e in cancelled["payload"]["enrolments"]] == [learner.person_gid]


async def test_events_about_drafts_reach_only_managers_and_trainers(
    school: School, subscriptions: list[Subscription]
) -> None:
    [member] = await school.learners(1)
    await Membership.create(person_id=member.person.id, organisation=school.org)  # type: ignore[union-attr]
    member_sub = await open_subscription(subscriptions, school.rt, member, school.org)
    trainer_sub = await open_subscription(subscriptions, school.rt, school.trainer, school.org)
    assert school.trainer.person is not None
    draft = await make_course(school.org, published=False, title="草稿", trainers=(school.trainer.person,))
    hidden = await make_session(school.rt, draft)
    shown = await school.session()
    await seats.cancel_session(school.rt, hidden.id, "草稿取消")
    await seats.cancel_session(school.rt, shown.id, "公开取消")
    assert (await member_sub.next())["payload"]["reason"] == "公开取消"
    assert (await trainer_sub.next())["payload"]["reason"] == "草稿取消"
