"""The hooks the rest of the platform reads: notifications, studio metrics, growth records, and
the ``challenges.problem_solved`` event the alliance plugin turns into an achievement."""

from __future__ import annotations

import inspect
from datetime import timedelta
from typing import Any

from core.organisations.models import OrganisationPlugin
from core.plugin_api import DomainEvent, GrowthItem, Notice, StudioMetric
from core.relay import decode_id
from core.runtime import Runtime
from plugins.challenges import notices
from tests.plugins.challenges.conftest import DECLINE, SOLVE, SUBMIT, City, Recorder
from tests.support import count_statements, gid

VISIT = """mutation($input: ServiceVisitLogInput!) { serviceVisitLog(input: $input) { errors { code } } }"""
ADD = 'mutation($p: ID!) { problemMilestoneAdd(input: {problemId: $p, title: "工艺评定"}) { milestone { id } } }'
DONE = "mutation($m: ID!) { problemMilestoneComplete(input: {id: $m}) { errors { code } } }"
APPROVE = "mutation($m: ID!) { problemMilestoneApprove(input: {id: $m}) { errors { code } } }"
RETURN = 'mutation($p: ID!) { problemOutcomeReturn(input: {id: $p, reason: "补充"}) { errors { code } } }'


async def _all(results: list[Any]) -> list[Any]:
    return [await r if inspect.isawaitable(r) else r for r in results]


async def hook_notices(rt: Runtime, event: DomainEvent) -> list[Notice]:
    """What every loaded plugin's ``notifications`` hook answers, through the host's manager."""
    found: list[Notice] = []
    for result in await _all(rt.registry.pm.hook.notifications(event=event)):
        found += result or []
    return found


async def solve_flow(city: City) -> tuple[str, str]:
    """Post, bid, accept, a visit, a milestone done and approved, an outcome returned then accepted."""
    problem, bid = await city.taken(visibility="PUBLIC")
    day = str(city.rt.now().date() - timedelta(days=2))
    visit = {"bidId": bid, "date": day, "hours": 8, "people": 3, "workersTrained": 25}
    assert (await city.gql(VISIT, {"input": visit}, user=city.wang))["serviceVisitLog"]["errors"] == []
    milestone = (await city.gql(ADD, {"p": problem}, user=city.poster))["problemMilestoneAdd"]["milestone"]["id"]
    await city.gql(DONE, {"m": milestone}, user=city.member_b)
    await city.gql(APPROVE, {"m": milestone}, user=city.poster)
    await city.gql(SUBMIT, {"b": bid, "s": "初稿"}, user=city.wang)
    await city.gql(RETURN, {"p": problem}, user=city.poster)
    await city.gql(SUBMIT, {"b": bid, "s": "定稿"}, user=city.wang)
    solved = await city.gql(
        SOLVE, {"input": {"id": problem, "rating": 5, "economicBenefit": 1_200_000}}, user=city.poster
    )
    assert solved["problemOutcomeAccept"]["errors"] == []
    return problem, bid


async def test_hook_notifications(recording: City, recorder: Recorder) -> None:
    city = recording
    assert city.wang.person and city.member_b.person and city.poster.person and city.outsider.person
    await OrganisationPlugin.filter(organisation_id=city.factory.id).update(settings={"match_notify_threshold": 30})
    await city.offer(city.member_b, kind="PERSON", title="焊接", industryChain="高端装备")  # scores 32 + 15
    await city.offer(city.outsider, kind="PERSON", title="外援")  # scores 5: not told
    await city.studio_offer()
    loser = await city.post(title="另一个难题")
    declined = (await city.bid(loser, await city.studio_offer()))["bid"]["id"]
    await city.gql(DECLINE, {"b": declined, "r": "方案不符"}, user=city.poster)
    problem, _ = await solve_flow(city)
    subject = problem
    by_event: dict[str, list[tuple[int, str]]] = {}
    for event in recorder.events:
        if event.payload.get("problemId") != subject and event.name != "challenges.bid_declined":
            continue
        made = await hook_notices(city.rt, event)
        assert all(n.subject == event.payload["problemId"] and len(n.summary) <= 200 for n in made)
        by_event.setdefault(event.name, []).extend((n.recipient_id, n.kind) for n in made)
    wang, member, poster = city.wang.person.id, city.member_b.person.id, city.poster.person.id
    assert sorted(by_event["challenges.problem_opened"]) == sorted(
        [(member, "challenges.problem_matched"), (wang, "challenges.problem_matched")]
    )
    assert by_event["challenges.bid_created"] == [(poster, "challenges.bid_received")]
    assert by_event["challenges.bid_declined"] == [(wang, "challenges.bid_declined")]
    assert by_event["challenges.bid_accepted"] == [(wang, "challenges.bid_accepted")]
    assert by_event["challenges.milestone_done"] == [(poster, "challenges.milestone_done")]
    assert sorted(by_event["challenges.milestone_approved"]) == sorted(
        [(wang, "challenges.milestone_approved"), (member, "challenges.milestone_approved")]
    )
    assert by_event["challenges.outcome_submitted"] == [(poster, "challenges.outcome_submitted")] * 2
    assert sorted(p for p, _ in by_event["challenges.outcome_returned"]) == sorted([wang, member])
    assert sorted(p for p, _ in by_event["challenges.problem_solved"]) == sorted([wang, member])
    declined_notice = await notices.notices_for(recorder.named("challenges.bid_declined")[0])
    assert declined_notice[0].summary == "揭榜未获选:另一个难题(方案不符)"
    # Other plugins' events, and events about problems gone, give nothing.
    assert await hook_notices(city.rt, DomainEvent("training.enrolled", {"problemId": subject})) == []
    assert await notices.notices_for(DomainEvent("challenges.bid_created", {"problemId": gid("Problem", 999)})) == []


async def test_problem_solved_event_payload(recording: City, recorder: Recorder) -> None:
    city = recording
    problem, _ = await solve_flow(city)
    [event] = recorder.named("challenges.problem_solved")
    assert city.wang.person and city.member_b.person
    payload = dict(event.payload)
    solved_at = payload.pop("solvedAt")
    assert payload == {
        "problemId": problem,
        "title": "大型结构件焊接变形控制",
        "organisationId": city.factory.id,
        "solverOrganisationIds": [city.studio_b.id],
        "solverPersonIds": sorted([city.wang.person.id, city.member_b.person.id]),
        "economicBenefit": 1_200_000,
        "industryChain": "高端装备",
    }
    assert solved_at == city.rt.now().isoformat()
    assert event.subject == problem and event.organisation_id == city.factory.id


async def test_hook_studio_metrics(city: City) -> None:
    year = city.rt.now().year
    await solve_flow(city)

    async def metrics(ids: list[int], for_year: int) -> dict[int, dict[str, int]]:
        merged: dict[int, dict[str, int]] = {}
        for result in await _all(city.rt.registry.pm.hook.studio_metrics(organisation_ids=ids, year=for_year)):
            for org_id, figures in (result or {}).items():
                for name, value in figures.items():
                    merged.setdefault(org_id, {})[name] = merged.get(org_id, {}).get(name, 0) + value
        return merged

    found = await metrics([city.studio_b.id, city.factory.id], year)
    ours = {StudioMetric.PROBLEMS_SOLVED: 1, StudioMetric.SERVICE_VISITS: 1, StudioMetric.WORKERS_TRAINED: 25}
    assert {name: found[city.studio_b.id][name] for name in ours} == ours
    # The benefit is counted once: as the solving studio's achievement (assessment plugin), not here too.
    expected_benefit = 1_200_000 if "assessment" in city.rt.registry.activity_plugins else 0
    assert found[city.studio_b.id].get(StudioMetric.ECONOMIC_BENEFIT, 0) == expected_benefit
    assert city.factory.id not in found  # the poster solved nothing
    assert await metrics([city.studio_b.id], year - 1) == {}
    # Batched: the same statements for one id or many.
    from plugins.challenges import stats

    with count_statements() as one:
        await stats.studio_metrics([city.studio_b.id], year)
    with count_statements() as many:
        await stats.studio_metrics([city.studio_b.id, *range(10_000, 10_300)], year)
    assert one.count == many.count == 2


async def test_hook_growth_items(city: City) -> None:
    problem, _ = await solve_flow(city)
    assert city.member_b.person and city.outsider.person
    results = await _all(
        city.rt.registry.pm.hook.growth_items(person_id=city.member_b.person.id, before=None, limit=10)
    )
    items: list[GrowthItem] = [
        item for result in results for item in (result or []) if item.kind.startswith("challenges.")
    ]
    assert [(i.kind, i.title, i.subject) for i in items] == [
        ("challenges.problem_solved", "参与解决技术难题:大型结构件焊接变形控制", problem)
    ]
    assert items[0].at == city.rt.now()
    earlier = city.rt.now() - timedelta(days=1)
    assert [
        r
        for r in await _all(
            city.rt.registry.pm.hook.growth_items(person_id=city.member_b.person.id, before=earlier, limit=10)
        )
        for r in (r or [])
        if r.kind.startswith("challenges.")
    ] == []
    nobody = await _all(city.rt.registry.pm.hook.growth_items(person_id=city.outsider.person.id, before=None, limit=5))
    assert [i for r in nobody for i in (r or []) if i.kind.startswith("challenges.")] == []
    assert decode_id(problem, "Problem", "id") > 0
