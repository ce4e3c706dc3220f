"""The operations the mobile app sends work verbatim (issue 11), each exact document."""

from __future__ import annotations

from datetime import timedelta

from tests.plugins.challenges.conftest import City
from tests.support import count_statements, gid

POST = """mutation Post($input: ProblemCreateInput!) { problemCreate(input: $input) { problem { id status } errors { code message field } } }"""  # noqa: E501 (verbatim)
BOARD = """query Board($first: Int, $chain: String) { problems(status: OPEN, industryChain: $chain, first: $first) {
  totalCount edges { node { id title urgency reward organisation { name } skills { skill { name } minLevel } bidCount } } } }"""  # noqa: E501 (verbatim)
MATCHES = """query Matches($p: ID!) { problemMatches(problemId: $p, first: 10) { score reasons
  candidate { __typename ... on Person { id name } ... on Organisation { id name } ... on ServiceTeam { id name } } } }"""  # noqa: E501 (verbatim)
BID = """mutation Bid($input: BidCreateInput!) { bidCreate(input: $input) { bid { id status } errors { code message field } } }"""  # noqa: E501 (verbatim)
SELECT = """mutation Select($b: ID!) { bidAccept(input: {id: $b}) { bid { id status } problem { id status } errors { code message } } }"""  # noqa: E501 (verbatim)
VISIT = """mutation Visit($input: ServiceVisitLogInput!) { serviceVisitLog(input: $input) { visit { id hours workersTrained } errors { code message field } } }"""  # noqa: E501 (verbatim)
SOLVE = """mutation Solve($input: ProblemOutcomeAcceptInput!) { problemOutcomeAccept(input: $input) { problem { id status rating economicBenefit } errors { code message } } }"""  # noqa: E501 (verbatim)


async def test_the_mobile_flow_verbatim(city: City) -> None:
    gql = city.gql
    posted = await gql(
        POST,
        {
            "input": {
                "organisationId": gid("Organisation", city.factory.id),
                "title": "大型结构件焊接变形控制",
                "industryChain": "高端装备",
                "urgency": "HIGH",
                "reward": 50000,
                "visibility": "PUBLIC",
                "skills": [{"skillId": gid("Skill", city.weld.id), "minLevel": 2}],
            }
        },
        user=city.poster,
    )
    problem = posted["problemCreate"]["problem"]
    assert posted["problemCreate"]["errors"] == [] and problem["status"] == "OPEN"

    board = await gql(BOARD, {"first": 10, "chain": "高端装备"})
    assert board["problems"]["totalCount"] == 1
    assert board["problems"]["edges"][0]["node"] == {
        "id": problem["id"],
        "title": "大型结构件焊接变形控制",
        "urgency": "HIGH",
        "reward": 50000,
        "organisation": {"name": "海州精密机械有限公司"},
        "skills": [{"skill": {"name": "焊接"}, "minLevel": 2}],
        "bidCount": 0,
    }
    assert (await gql(BOARD, {"first": 10, "chain": "汽车"}))["problems"]["totalCount"] == 0
    assert (await gql(BOARD, {"first": 10, "chain": None}))["problems"]["totalCount"] == 1

    offer = await city.studio_offer()
    assert city.wang.person is not None
    person_offer = await city.offer(city.wang, kind="PERSON", title="王建国:焊接工艺", industryChain="高端装备")
    matches = (await gql(MATCHES, {"p": problem["id"]}, user=city.poster))["problemMatches"]
    candidates = {(m["candidate"]["__typename"], m["candidate"]["name"]) for m in matches}
    assert candidates == {("Organisation", "王建国劳模创新工作室"), ("Person", "王建国")}
    assert all(0 <= m["score"] <= 100 and m["reasons"] for m in matches)
    assert person_offer

    bid = (
        await gql(
            BID,
            {
                "input": {
                    "problemId": problem["id"],
                    "offerId": offer,
                    "plan": "反变形加分段退焊",
                    "memberIds": [city.member_b.person_gid],
                    "timeline": "六周",
                }
            },
            user=city.wang,
        )
    )["bidCreate"]
    assert bid["errors"] == [] and bid["bid"]["status"] == "PENDING"
    assert (await gql(BOARD, {"first": 10, "chain": "高端装备"}))["problems"]["edges"][0]["node"]["bidCount"] == 1

    selected = (await gql(SELECT, {"b": bid["bid"]["id"]}, user=city.poster))["bidAccept"]
    assert selected == {
        "bid": {"id": bid["bid"]["id"], "status": "ACCEPTED"},
        "problem": {"id": problem["id"], "status": "IN_PROGRESS"},
        "errors": [],
    }

    today = city.rt.now().date()
    visit = (
        await gql(
            VISIT,
            {
                "input": {
                    "bidId": bid["bid"]["id"],
                    "date": str(today - timedelta(days=1)),
                    "hours": 6.5,
                    "people": 3,
                    "workersTrained": 18,
                    "notes": "现场指导",
                }
            },
            user=city.member_b,
        )
    )["serviceVisitLog"]
    assert visit["errors"] == [] and visit["visit"]["hours"] == 6.5 and visit["visit"]["workersTrained"] == 18

    submit = """mutation($b: ID!) { problemOutcomeSubmit(input: {bidId: $b, summary: "旁弯降至2mm以内"}) {
      outcome { status } errors { code } } }"""
    assert (await gql(submit, {"b": bid["bid"]["id"]}, user=city.wang))["problemOutcomeSubmit"] == {
        "outcome": {"status": "SUBMITTED"},
        "errors": [],
    }
    solved = (
        await gql(SOLVE, {"input": {"id": problem["id"], "rating": 5, "economicBenefit": 1200000}}, user=city.poster)
    )["problemOutcomeAccept"]
    assert solved == {
        "problem": {"id": problem["id"], "status": "SOLVED", "rating": 5, "economicBenefit": 1200000},
        "errors": [],
    }


async def test_the_board_counts_standing_bids_in_four_statements(city: City) -> None:
    """Signed out, the Board takes four statements whatever the page holds: the page with its
    total (one statement), the organisations, the skill needs with their skills, and the bid
    counts (counted in SQL: withdrawn and declined bids are not standing)."""
    from plugins.challenges.models import Bid, BidStatus

    problems = [await city.post(visibility="PUBLIC", title=f"难题{i}") for i in range(3)]
    offer = await city.studio_offer()
    for problem in problems:
        made = await city.bid(problem, offer)
        assert made["errors"] == [], made
    bids = list(await Bid.all().order_by("id"))
    assert len(bids) == 3
    await Bid.filter(id=bids[1].id).update(status=BidStatus.WITHDRAWN)
    await Bid.filter(id=bids[2].id).update(status=BidStatus.DECLINED)
    client = city.gql.with_settings(max_query_cost=10**6)
    try:
        await client(BOARD, {"first": 10, "chain": "高端装备"})  # warm-up: start-up reads are not the request's
        with count_statements() as counter:
            board = await client(BOARD, {"first": 10, "chain": "高端装备"})
    finally:
        await client.http.aclose()
    assert counter.count == 4, counter.statements
    assert board["problems"]["totalCount"] == 3
    by_title = {edge["node"]["title"]: edge["node"]["bidCount"] for edge in board["problems"]["edges"]}
    assert by_title == {"难题0": 1, "难题1": 0, "难题2": 0}
