"""Demo data: 海州市 (a 烟台-like city) with service teams for two industry chains and a dozen
problems at every stage; what the demo shows is consistent with the rules."""

from __future__ import annotations

from collections import Counter

from core.context import Context, Viewer
from core.organisations.models import OrganisationPlugin
from core.runtime import Runtime
from host.demo import load_demo
from plugins.challenges import matching, stats
from plugins.challenges.models import (
    Bid,
    BidStatus,
    Offer,
    OfferKind,
    Outcome,
    OutcomeStatus,
    Problem,
    ProblemSolver,
    ProblemStatus,
    ServiceTeam,
    ServiceVisit,
)
from schema.build import build_schema


async def test_demo_has_a_city_at_every_stage(rt: Runtime) -> None:
    demo = await load_demo(rt)
    assert demo is not None
    teams = await ServiceTeam.all()
    assert sorted(t.industry_chain for t in teams) == ["汽车", "高端装备"]
    stages = Counter(p.status for p in await Problem.all())
    assert sum(stages.values()) >= 12 and set(stages) == set(ProblemStatus)
    assert {o.kind for o in await Offer.all()} == set(OfferKind)
    assert await OrganisationPlugin.filter(plugin="challenges", enabled=True).count() >= 9

    for problem in await Problem.all():  # the counters and timestamps agree with the rows
        accepted = await Bid.filter(problem=problem, status=BidStatus.ACCEPTED).count()
        assert problem.teams == accepted
        assert (problem.opened_at is None) == (problem.status == ProblemStatus.DRAFT)
        if problem.status == ProblemStatus.SOLVED:
            assert problem.rating and problem.economic_benefit and await ProblemSolver.exists(problem=problem)
            assert await Outcome.exists(problem=problem, status=OutcomeStatus.ACCEPTED)
        if problem.status == ProblemStatus.IN_PROGRESS:
            assert accepted >= 1
    assert await Outcome.exists(status=OutcomeStatus.RETURNED) and await Outcome.exists(status=OutcomeStatus.SUBMITTED)
    assert await ServiceVisit.all().count() >= 4

    # The federation's figures cover the city.
    fed = demo.organisations["federation"]
    for year in {v.date.year for v in await ServiceVisit.all()}:
        figures = await stats.challenge_stats(fed.id, year)
        assert figures.total.service_visits >= 1 and figures.total.workers_trained >= 1
    # Matching the open PUBLIC problem ranks the welding studio first, with reasons.
    weld = await Problem.get(title="大型结构件焊接变形控制")
    [best] = await matching.problem_matches(weld.id, 1)
    assert best.kind in (OfferKind.STUDIO, OfferKind.TEAM) and best.score >= 60 and best.reasons
    # The board answers anonymous callers with PUBLIC problems only.
    schema = build_schema(rt.registry, rt.settings)
    result = await schema.execute(
        "{ problems(first: 50) { totalCount edges { node { visibility status } } } }",
        context_value=Context(rt=rt, viewer=Viewer()),
    )
    assert result.errors is None and result.data is not None
    nodes = [e["node"] for e in result.data["problems"]["edges"]]
    assert nodes and {n["visibility"] for n in nodes} == {"PUBLIC"} and "DRAFT" not in {n["status"] for n in nodes}
