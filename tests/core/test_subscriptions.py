"""Issue 8: live events follow the access policy, per subscriber and per event (``schema.subscribe``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.events import emit
from core.people.models import Membership, MembershipRole
from core.plugin_api import DomainEvent
from core.relay import to_global_id
from core.runtime import Runtime
from tests.live_events import Subscription, open_subscription
from tests.support import GraphQLClient, make_org


@pytest.fixture
async def subscriptions() -> AsyncIterator[list[Subscription]]:
    opened: list[Subscription] = []
    yield opened
    for sub in opened:
        await sub.close()


async def test_strangers_and_anonymous_callers_are_refused(
    gql: GraphQLClient, rt: Runtime, subscriptions: list[Subscription]
) -> None:
    org = await make_org("王建国劳模创新工作室")
    other = await make_org("别的工作室")
    for user, code in (
        (None, "UNAUTHENTICATED"),
        (await gql.user("路人甲"), "PERMISSION_DENIED"),
        (await gql.user("外厂管理员", org=other, role=MembershipRole.ADMIN), "PERMISSION_DENIED"),
    ):
        sub = Subscription(rt, user, org)
        subscriptions.append(sub)
        refused = await sub.open()
        assert refused is not None and refused.errors is not None
        assert refused.errors[0].extensions is not None and refused.errors[0].extensions["code"] == code


async def test_members_admins_of_an_ancestor_and_superusers_may_subscribe(
    gql: GraphQLClient, rt: Runtime, subscriptions: list[Subscription]
) -> None:
    parent = await make_org("海州重工")
    org = await make_org("工作室", parent=parent)
    for user in (
        await gql.user("成员", org=org),
        await gql.user("集团管理员", org=parent, role=MembershipRole.ADMIN),
        await gql.superuser(),
    ):
        await open_subscription(subscriptions, rt, user, org)


async def test_events_without_a_subject_reach_only_their_audience_and_admins(
    gql: GraphQLClient, rt: Runtime, subscriptions: list[Subscription]
) -> None:
    org = await make_org("工作室")
    member, named = await gql.user("成员", org=org), await gql.user("当事人", org=org)
    admin = await gql.user("管理员", org=org, role=MembershipRole.ADMIN)
    subs = {name: await open_subscription(subscriptions, rt, u, org)
            for name, u in (("成员", member), ("当事人", named), ("管理员", admin))}
    assert named.person is not None
    await emit(rt, DomainEvent("x.private", {"n": 1}, org.id, audience=(named.person.id,)))
    await emit(rt, DomainEvent("x.public", {"n": 2}, org.id, subject=to_global_id("Organisation", org.id)))
    assert (await subs["成员"].next())["name"] == "x.public"
    assert (await subs["当事人"].next())["name"] == "x.private"
    assert (await subs["管理员"].next())["name"] == "x.private"


async def test_a_member_removed_after_subscribing_stops_receiving(
    gql: GraphQLClient, rt: Runtime, subscriptions: list[Subscription]
) -> None:
    org = await make_org("工作室")
    leaving, staying = await gql.user("离开", org=org), await gql.user("留下", org=org)
    gone = await open_subscription(subscriptions, rt, leaving, org)
    kept = await open_subscription(subscriptions, rt, staying, org)
    await Membership.filter(person_id=leaving.person.id).delete()  # type: ignore[union-attr]
    subject = to_global_id("Organisation", org.id)
    await emit(rt, DomainEvent("x.first", {}, org.id, subject=subject))
    assert (await kept.next())["name"] == "x.first"
    await Membership.create(person_id=leaving.person.id, organisation=org)  # type: ignore[union-attr]
    await emit(rt, DomainEvent("x.second", {}, org.id, subject=subject))
    assert (await gone.next())["name"] == "x.second"  # x.first was never delivered to it


async def test_unknown_or_foreign_subjects_are_not_delivered(
    gql: GraphQLClient, rt: Runtime, subscriptions: list[Subscription]
) -> None:
    org = await make_org("工作室")
    sub = await open_subscription(subscriptions, rt, await gql.superuser(), org)
    await emit(rt, DomainEvent("x.gone", {}, org.id, subject=to_global_id("Organisation", 999_999)))
    await emit(rt, DomainEvent("x.untyped", {}, org.id, subject=to_global_id("NoSuchType", 1)))
    await emit(rt, DomainEvent("x.bad", {}, org.id, subject="not a global id"))
    await emit(rt, DomainEvent("x.ok", {}, org.id, subject=to_global_id("Organisation", org.id)))
    assert (await sub.next())["name"] == "x.ok"
