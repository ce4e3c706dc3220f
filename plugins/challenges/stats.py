"""Figures: ``challengeStats`` for an organisation and a year, the yearly studio metrics
(``studio_metrics`` hook) and the growth record entries (``growth_items`` hook).

``challengeStats(organisationId, year)`` counts the problems of the organisation *and everything
under it* (a city federation sees its whole city), i.e. problems posted there or taken by a team
from there (a studio, or a service team of an organisation there):

- ``posted``: opened in the year; ``taken``: first team accepted in the year; ``solved``:
  solved in the year, with their ``economicBenefit`` (yuan) summed;
- ``serviceVisits`` (场次), ``workersTrained`` (人次), ``visitHours``: visits dated in the year,
  on those problems or made by teams from there;
- ``chains``: the same figures per industry chain.

Years are calendar years in China Standard Time (``core.plugin_api.year_bounds``). Each figure
set is a fixed number of statements whatever the number of problems or organisations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from tortoise.expressions import Q, Subquery

from core.plugin_api import GrowthItem, StudioMetric, year_bounds
from core.relay import to_global_id
from plugins.challenges import access
from plugins.challenges.models import Bid, BidStatus, Problem, ProblemSolver, ServiceVisit

FIRST_YEAR = 1950
LAST_YEAR = 2200


@dataclass
class Figures:
    posted: int = 0
    taken: int = 0
    solved: int = 0
    economic_benefit: int = 0
    service_visits: int = 0
    workers_trained: int = 0
    visit_hours: float = 0.0


@dataclass
class YearFigures:
    total: Figures = field(default_factory=Figures)
    chains: dict[str, Figures] = field(default_factory=dict)


def _in(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


async def challenge_stats(org_id: int, year: int) -> YearFigures:
    start, end = year_bounds(year)
    subtree = list(await access.descendants({org_id}))
    taken_here = Subquery(Bid.filter(organisation_id__in=subtree, status=BidStatus.ACCEPTED).values("problem_id"))
    counted = Q(organisation_id__in=subtree) | Q(id__in=taken_here)
    rows = (
        await Problem.filter(counted)
        .filter(
            Q(opened_at__gte=start, opened_at__lt=end)
            | Q(taken_at__gte=start, taken_at__lt=end)
            | Q(solved_at__gte=start, solved_at__lt=end)
        )
        .values("industry_chain", "opened_at", "taken_at", "solved_at", "economic_benefit")
    )
    visits = await ServiceVisit.filter(
        Q(organisation_id__in=subtree) | Q(problem_id__in=Subquery(Problem.filter(counted).values("id"))),
        date__gte=date(year, 1, 1),
        date__lt=date(year + 1, 1, 1),
    ).values("problem__industry_chain", "hours", "workers_trained")
    found = YearFigures()

    def add(chain: str) -> list[Figures]:
        return [found.total, found.chains.setdefault(chain, Figures())]

    for row in rows:
        for figures in add(row["industry_chain"] or ""):
            figures.posted += _in(row["opened_at"], start, end)
            figures.taken += _in(row["taken_at"], start, end)
            if _in(row["solved_at"], start, end):
                figures.solved += 1
                figures.economic_benefit += int(row["economic_benefit"] or 0)
    for visit in visits:
        for figures in add(visit["problem__industry_chain"] or ""):
            figures.service_visits += 1
            figures.workers_trained += int(visit["workers_trained"])
            figures.visit_hours = round(figures.visit_hours + float(visit["hours"]), 2)
    return found


async def studio_metrics(organisation_ids: list[int], year: int) -> dict[int, dict[str, int]]:
    """What teams of these organisations did in the year: problems solved, service visits and
    workers trained; two statements. The economic benefit of a solved problem is not reported
    here: the assessment plugin records it as the solving studios' achievement (from
    ``challenges.problem_solved``) and reports it from there, so it is counted once."""
    start, end = year_bounds(year)
    ids = list(set(organisation_ids))
    metrics: dict[int, dict[str, int]] = {org_id: defaultdict(int) for org_id in ids}
    solved = await Bid.filter(
        organisation_id__in=ids or [0],
        status=BidStatus.ACCEPTED,
        problem__solved_at__gte=start,
        problem__solved_at__lt=end,
    ).values_list("organisation_id", "problem_id")
    seen: set[tuple[int, int]] = set()
    for org_id, problem_id in solved:
        if (org_id, problem_id) in seen:
            continue
        seen.add((org_id, problem_id))
        metrics[int(org_id)][StudioMetric.PROBLEMS_SOLVED] += 1
    for org_id, trained in await ServiceVisit.filter(
        organisation_id__in=ids or [0], date__gte=date(year, 1, 1), date__lt=date(year + 1, 1, 1)
    ).values_list("organisation_id", "workers_trained"):
        metrics[int(org_id)][StudioMetric.SERVICE_VISITS] += 1
        metrics[int(org_id)][StudioMetric.WORKERS_TRAINED] += int(trained)
    return {org_id: dict(figures) for org_id, figures in metrics.items() if figures}


async def growth_items(person_id: int, before: datetime | None, limit: int) -> list[GrowthItem]:
    """Problems the person helped solve, newest first (one statement)."""
    query = ProblemSolver.filter(person_id=person_id)
    if before is not None:
        query = query.filter(solved_at__lte=before)
    rows = (
        await query.order_by("-solved_at", "-id")
        .limit(max(limit, 0))
        .values_list("problem_id", "solved_at", "problem__title")
    )
    return [
        GrowthItem(
            at=solved_at,
            kind="challenges.problem_solved",
            title=f"参与解决技术难题:{title}",
            subject=to_global_id("Problem", int(problem_id)),
        )
        for problem_id, solved_at, title in rows
    ]
