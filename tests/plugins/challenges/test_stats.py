"""challengeStats: problems posted, taken and solved, visits (场次), workers trained (人次) and
economic benefit, for an organisation and everything under it, per industry chain."""

from __future__ import annotations

from datetime import timedelta

from plugins.challenges.models import Problem
from tests.plugins.challenges.conftest import SOLVE, SUBMIT, City
from tests.support import count_statements, gid

STATS = """query($o: ID!, $y: Int!) { challengeStats(organisationId: $o, year: $y) { year posted solved
  total { posted taken solved economicBenefit serviceVisits workersTrained visitHours }
  chains { industryChain posted taken solved economicBenefit serviceVisits workersTrained } } }"""
VISIT = """mutation($input: ServiceVisitLogInput!) { serviceVisitLog(input: $input) { errors { code } } }"""


async def test_yearly_figures_for_the_poster_the_solver_and_the_city(city: City) -> None:
    year = city.rt.now().year
    problem, bid = await city.taken()
    await city.post(title="汽车难题", industryChain="汽车")
    await city.post(title="草稿", publish=False)
    day = str(city.rt.now().date() - timedelta(days=1))
    for trained in (12, 8):
        await city.gql(
            VISIT,
            {"input": {"bidId": bid, "date": day, "hours": 3.5, "people": 2, "workersTrained": trained}},
            user=city.wang,
        )
    await city.gql(SUBMIT, {"b": bid, "s": "方案"}, user=city.wang)
    await city.gql(SOLVE, {"input": {"id": problem, "rating": 4, "economicBenefit": 300_000}}, user=city.poster)
    figures = {
        "posted": 2,
        "taken": 1,
        "solved": 1,
        "economicBenefit": 300_000,
        "serviceVisits": 2,
        "workersTrained": 20,
        "visitHours": 7.0,
    }
    for org in (city.factory, city.studio_b, city.fed):
        stats = (await city.gql(STATS, {"o": gid("Organisation", org.id), "y": year}))["challengeStats"]
        expected = figures if org is not city.studio_b else {**figures, "posted": 1}  # the solver took one
        assert stats["total"] == expected, org.name
        assert (stats["posted"], stats["solved"]) == (expected["posted"], 1)
    city_stats = (await city.gql(STATS, {"o": gid("Organisation", city.fed.id), "y": year}))["challengeStats"]
    assert [c["industryChain"] for c in city_stats["chains"]] == ["汽车", "高端装备"]
    assert city_stats["chains"][0] == {
        "industryChain": "汽车",
        "posted": 1,
        "taken": 0,
        "solved": 0,
        "economicBenefit": 0,
        "serviceVisits": 0,
        "workersTrained": 0,
    }
    outsider = (await city.gql(STATS, {"o": gid("Organisation", city.outsider_org.id), "y": year}))["challengeStats"]
    assert outsider["total"]["posted"] == 0 and outsider["chains"] == []
    last_year = (await city.gql(STATS, {"o": gid("Organisation", city.fed.id), "y": year - 1}))["challengeStats"]
    assert last_year["total"]["solved"] == 0
    errors = await city.gql.errors(STATS, {"o": gid("Organisation", city.fed.id), "y": 1800})
    assert errors[0]["extensions"] == {"code": "OUT_OF_RANGE", "field": "year"}
    assert await Problem.all().count() == 3  # the draft counts nowhere


async def test_stats_take_a_fixed_number_of_statements(city: City) -> None:
    year = city.rt.now().year
    await city.taken()
    with count_statements() as few:
        await city.gql(STATS, {"o": gid("Organisation", city.fed.id), "y": year})
    for i in range(15):
        await city.taken(title=f"难题{i}")
    with count_statements() as many:
        await city.gql(STATS, {"o": gid("Organisation", city.fed.id), "y": year})
    assert few.count == many.count
