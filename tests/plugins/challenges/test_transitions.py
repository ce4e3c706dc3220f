"""Every transition allowed and refused, and every error code, through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.organisations.models import OrganisationPlugin
from core.people.models import MembershipRole
from plugins.challenges.models import Problem, ProblemStatus
from tests.plugins.challenges.conftest import ACCEPT, BID, DECLINE, POST, SOLVE, SUBMIT, City
from tests.support import User, gid

PUBLISH = "mutation($p: ID!) { problemPublish(input: {id: $p}) { problem { status } errors { code field } } }"
WITHDRAW = """mutation($p: ID!) { problemWithdraw(input: {id: $p, reason: "另有安排"}) { problem {
  status closeReason } errors { code field } } }"""
CLOSE = """mutation($p: ID!, $r: String!) { problemClose(input: {id: $p, reason: $r}) { problem {
  status closeReason } errors { code field } } }"""
WITHDRAW_BID = "mutation($b: ID!) { bidWithdraw(input: {id: $b}) { bid { status } errors { code field } } }"
ADD = """mutation($p: ID!) { problemMilestoneAdd(input: {problemId: $p, title: "工艺评定"}) { milestone {
  id status } errors { code field } } }"""
DONE = "mutation($m: ID!) { problemMilestoneComplete(input: {id: $m}) { milestone { status } errors { code field } } }"
APPROVE = """mutation($m: ID!) { problemMilestoneApprove(input: {id: $m}) { milestone { status } errors {
  code field } } }"""
VISIT = """mutation($input: ServiceVisitLogInput!) { serviceVisitLog(input: $input) { visit { id } errors {
  code field } } }"""
RETURN = """mutation($p: ID!, $r: String!) { problemOutcomeReturn(input: {id: $p, reason: $r}) { outcome {
  status returnReason } problem { status } errors { code field } } }"""
TEAM = """mutation($input: ServiceTeamCreateInput!) { serviceTeamCreate(input: $input) { team {
  id name } errors { code field } } }"""
OFFER_UPDATE = """mutation($o: ID!, $a: Boolean!) { offerUpdate(input: {id: $o, active: $a}) { offer {
  active } errors { code field } } }"""


async def run(city: City, query: str, variables: dict[str, Any], user: User | None) -> dict[str, Any]:
    data = await city.gql(query, variables, user=user)
    return dict(next(iter(data.values())))


def codes(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["code"], e.get("field")) for e in payload["errors"]]


def base(city: City, **fields: Any) -> dict[str, Any]:
    return {
        "organisationId": gid("Organisation", city.factory.id),
        "title": "难题",
        "industryChain": "高端装备",
        **fields,
    }


async def test_draft_publish_withdraw_close(city: City) -> None:
    draft = await city.post(publish=False)
    assert (await Problem.get(title="大型结构件焊接变形控制")).status == ProblemStatus.DRAFT
    assert await run(city, PUBLISH, {"p": draft}, city.poster) == {"problem": {"status": "OPEN"}, "errors": []}
    refused = await run(city, PUBLISH, {"p": draft}, city.poster)
    assert codes(refused) == [("INVALID_TRANSITION", "id")]

    other = await city.post(publish=False)
    assert (await run(city, WITHDRAW, {"p": other}, city.poster))["problem"]["status"] == "WITHDRAWN"
    assert codes(await run(city, WITHDRAW, {"p": other}, city.poster)) == [("INVALID_TRANSITION", "id")]
    assert codes(await run(city, PUBLISH, {"p": other}, city.poster)) == [("INVALID_TRANSITION", "id")]
    assert (await run(city, WITHDRAW, {"p": draft}, city.poster))["problem"] == {
        "status": "WITHDRAWN",
        "closeReason": "另有安排",
    }

    still_draft = await city.post(publish=False)
    assert codes(await run(city, CLOSE, {"p": still_draft, "r": "不做了"}, city.poster)) == [
        ("INVALID_TRANSITION", "id")
    ]
    open_problem = await city.post()
    assert codes(await run(city, CLOSE, {"p": open_problem, "r": "  "}, city.poster)) == [("BLANK", "reason")]
    closed = await run(city, CLOSE, {"p": open_problem, "r": "企业调整计划"}, city.poster)
    assert closed["problem"] == {"status": "CLOSED", "closeReason": "企业调整计划"}
    assert codes(await run(city, WITHDRAW, {"p": open_problem}, city.poster)) == [("INVALID_TRANSITION", "id")]

    working, _ = await city.taken()
    assert codes(await run(city, WITHDRAW, {"p": working}, city.poster)) == [("INVALID_TRANSITION", "id")]
    assert (await run(city, CLOSE, {"p": working, "r": "无法解决"}, city.poster))["problem"]["status"] == "CLOSED"


async def test_who_may_post_and_decide(city: City) -> None:
    payload = await run(city, POST, {"input": base(city)}, city.own_worker)
    assert codes(payload) == [("PERMISSION_DENIED", "organisationId")]
    assert codes(await run(city, POST, {"input": base(city)}, None)) == [("UNAUTHENTICATED", None)]
    # The plugin must be on for the posting organisation.
    off = await run(city, POST, {"input": base(city, organisationId=gid("Organisation", city.ent_b.id))}, city.poster)
    assert codes(off) == [("PLUGIN_DISABLED", "organisationId")]
    await OrganisationPlugin.filter(organisation_id=city.factory.id).update(enabled=False)
    assert codes(await run(city, POST, {"input": base(city)}, city.poster)) == [("PLUGIN_DISABLED", "organisationId")]
    await OrganisationPlugin.filter(organisation_id=city.factory.id).update(enabled=True)
    # Admins of an ancestor post for it too.
    fed_admin = await city.gql.user("周文博", org=city.fed, role=MembershipRole.ADMIN)
    assert (await run(city, POST, {"input": base(city)}, fed_admin))["problem"]["status"] == "OPEN"

    problem = await city.post()
    for query, variables in ((PUBLISH, {"p": problem}), (CLOSE, {"p": problem, "r": "x"})):
        assert codes(await run(city, query, variables, city.own_worker)) == [("PERMISSION_DENIED", "id")]
    # Someone who cannot see it is told it does not exist.
    assert codes(await run(city, CLOSE, {"p": problem, "r": "x"}, city.outsider)) == [("NOT_FOUND", "id")]


async def test_input_errors_name_their_fields(city: City) -> None:
    past = str(city.rt.now().date() - timedelta(days=1))
    bad = base(
        city,
        title=" ",
        industryChain="航天",
        reward=-1,
        deadline=past,
        attachments=[{"title": "图纸", "url": "ftp://example.com/a"}],
        skills=[{"skillId": gid("Skill", city.weld.id), "minLevel": 6}],
    )
    assert sorted(codes(await run(city, POST, {"input": bad}, city.poster))) == sorted(
        [
            ("BLANK", "title"),
            ("UNKNOWN_INDUSTRY_CHAIN", "industryChain"),
            ("OUT_OF_RANGE", "reward"),
            ("IN_THE_PAST", "deadline"),
            ("INVALID_URL", "attachments.url"),
            ("OUT_OF_RANGE", "skills.minLevel"),
        ]
    )
    twice = base(city, skills=[{"skillId": gid("Skill", city.weld.id), "minLevel": 2}] * 2)
    assert codes(await run(city, POST, {"input": twice}, city.poster)) == [("DUPLICATE", "skills.skillId")]
    missing = base(city, skills=[{"skillId": gid("Skill", 999), "minLevel": 2}])
    assert codes(await run(city, POST, {"input": missing}, city.poster)) == [("NOT_FOUND", "skills.skillId")]
    wrong = base(city, organisationId=gid("Person", 1))
    assert codes(await run(city, POST, {"input": wrong}, city.poster)) == [("INVALID_ID", "organisationId")]
    far = base(city, deadline=str(city.rt.now().date() + timedelta(days=6 * 365)))
    assert codes(await run(city, POST, {"input": far}, city.poster)) == [("OUT_OF_RANGE", "deadline")]
    # The federation's chains apply to the organisations under it; an empty list accepts any.
    await OrganisationPlugin.filter(organisation_id=city.fed.id).update(settings={})
    assert (await run(city, POST, {"input": base(city, industryChain="航天")}, city.poster))["errors"] == []


async def test_bids_accept_decline_withdraw(city: City) -> None:
    problem = await city.post()
    offer = await city.studio_offer()
    first = await city.bid(problem, offer)
    assert first["errors"] == [] and first["bid"]["status"] == "PENDING"
    assert codes(await city.bid(problem, offer)) == [("DUPLICATE", "offerId")]
    # Only the offer's owner bids with it.
    assert codes(await city.bid(problem, offer, user=city.member_b)) == [("PERMISSION_DENIED", "offerId")]
    anonymous = await run(city, BID, {"input": {"problemId": problem, "offerId": offer, "plan": "x"}}, None)
    assert codes(anonymous) == [("UNAUTHENTICATED", None)]
    # Withdraw (the owner only), then bid again: the same row reopens.
    bid_id = first["bid"]["id"]
    assert codes(await run(city, WITHDRAW_BID, {"b": bid_id}, city.poster)) == [("PERMISSION_DENIED", "id")]
    assert (await run(city, WITHDRAW_BID, {"b": bid_id}, city.wang))["bid"]["status"] == "WITHDRAWN"
    assert codes(await run(city, WITHDRAW_BID, {"b": bid_id}, city.wang)) == [("INVALID_TRANSITION", "id")]
    again = await city.bid(problem, offer)
    assert again["bid"] == {"id": bid_id, "status": "PENDING"}

    person_offer = await city.offer(city.member_b, kind="PERSON", title="焊接", industryChain="高端装备")
    second = (await city.bid(problem, person_offer, user=city.member_b))["bid"]["id"]
    # Deciding is the poster's.
    refused = await run(city, ACCEPT, {"b": bid_id}, city.wang)
    assert [e["code"] for e in refused["errors"]] == ["PERMISSION_DENIED"]
    assert codes(await run(city, DECLINE, {"b": second, "r": " "}, city.poster)) == [("BLANK", "reason")]
    accepted = await run(city, ACCEPT, {"b": bid_id}, city.poster)
    assert accepted["bid"]["status"] == "ACCEPTED" and accepted["problem"]["status"] == "IN_PROGRESS"
    assert [e["code"] for e in (await run(city, ACCEPT, {"b": bid_id}, city.poster))["errors"]] == [
        "INVALID_TRANSITION"
    ]
    # max_teams is 1: a second team is refused.
    assert [e["code"] for e in (await run(city, ACCEPT, {"b": second}, city.poster))["errors"]] == ["TEAMS_FULL"]
    declined = await run(city, DECLINE, {"b": second, "r": "名额已满"}, city.poster)
    assert declined["bid"] == {"id": second, "status": "DECLINED", "declineReason": "名额已满"}
    assert codes(await run(city, DECLINE, {"b": second, "r": "x"}, city.poster)) == [("INVALID_TRANSITION", "id")]
    assert codes(await run(city, DECLINE, {"b": bid_id, "r": "x"}, city.poster)) == [("INVALID_TRANSITION", "id")]
    assert codes(await run(city, WITHDRAW_BID, {"b": bid_id}, city.wang)) == [("INVALID_TRANSITION", "id")]


async def test_max_teams_setting_allows_more_teams(city: City) -> None:
    await OrganisationPlugin.filter(organisation_id=city.factory.id).update(settings={"max_teams": 2})
    problem = await city.post()
    offers = [
        await city.studio_offer(),
        await city.offer(city.member_b, kind="PERSON", title="焊接", industryChain="高端装备"),
    ]
    third = await city.offer(city.outsider, kind="PERSON", title="外援")
    bids = [
        (await city.bid(problem, offers[0]))["bid"]["id"],
        (await city.bid(problem, offers[1], user=city.member_b))["bid"]["id"],
    ]
    for bid in bids:
        result = await run(city, ACCEPT, {"b": bid}, city.poster)
        assert result["errors"] == [] and result["problem"]["status"] == "IN_PROGRESS"
    # Full now: no more bids on it (the outsider cannot see it, the others already bid).
    assert codes(await city.bid(problem, third, user=city.outsider)) == [("NOT_FOUND", "problemId")]


async def test_own_organisation_rule(city: City) -> None:
    problem = await city.post()
    own = await city.offer(city.own_worker, kind="PERSON", title="本厂焊工")
    assert codes(await city.bid(problem, own, user=city.own_worker)) == [("OWN_ORGANISATION", "offerId")]
    studio_offer = await city.offer(
        city.poster, kind="STUDIO", title="本厂工作室", organisationId=gid("Organisation", city.factory_studio.id)
    )
    assert codes(await city.bid(problem, studio_offer, user=city.poster)) == [("OWN_ORGANISATION", "offerId")]
    await OrganisationPlugin.filter(organisation_id=city.factory.id).update(settings={"allow_own_members": True})
    assert (await city.bid(problem, own, user=city.own_worker))["errors"] == []
    # Inactive offers do not bid.
    await run(city, OFFER_UPDATE, {"o": studio_offer, "a": False}, city.poster)
    assert codes(await city.bid(problem, studio_offer, user=city.poster)) == [("OFFER_INACTIVE", "offerId")]
    assert codes(await run(city, OFFER_UPDATE, {"o": own, "a": False}, city.wang)) == [("PERMISSION_DENIED", "id")]
    # Closed problems take no bids.
    await run(city, CLOSE, {"p": problem, "r": "暂缓"}, city.poster)
    assert codes(await city.bid(problem, await city.studio_offer())) == [("INVALID_TRANSITION", "problemId")]


async def test_milestones(city: City) -> None:
    open_problem = await city.post()
    assert codes(await run(city, ADD, {"p": open_problem}, city.poster)) == [("INVALID_TRANSITION", "problemId")]
    problem, _ = await city.taken()
    assert codes(await run(city, ADD, {"p": problem}, city.own_worker)) == [("NOT_ON_TEAM", "problemId")]
    assert codes(await run(city, ADD, {"p": problem}, city.outsider)) == [("NOT_FOUND", "problemId")]
    by_team = await run(city, ADD, {"p": problem}, city.member_b)
    milestone = (await run(city, ADD, {"p": problem}, city.poster))["milestone"]["id"]
    assert by_team["errors"] == []
    assert codes(await run(city, APPROVE, {"m": milestone}, city.poster)) == [("INVALID_TRANSITION", "id")]
    assert codes(await run(city, DONE, {"m": milestone}, city.poster)) == [("NOT_ON_TEAM", "id")]
    assert (await run(city, DONE, {"m": milestone}, city.wang))["milestone"]["status"] == "DONE"
    assert codes(await run(city, DONE, {"m": milestone}, city.wang)) == [("INVALID_TRANSITION", "id")]
    assert codes(await run(city, APPROVE, {"m": milestone}, city.wang)) == [("PERMISSION_DENIED", "id")]
    assert (await run(city, APPROVE, {"m": milestone}, city.poster))["milestone"]["status"] == "APPROVED"
    assert codes(await run(city, APPROVE, {"m": milestone}, city.poster)) == [("INVALID_TRANSITION", "id")]


async def test_service_visits(city: City) -> None:
    problem, bid = await city.taken()
    today = city.rt.now().date()
    visit = {"bidId": bid, "date": str(today), "hours": 4, "people": 2, "workersTrained": 12}
    assert (await run(city, VISIT, {"input": visit}, city.member_b))["errors"] == []
    assert codes(await run(city, VISIT, {"input": visit}, city.poster)) == [("NOT_ON_TEAM", "bidId")]
    assert codes(await run(city, VISIT, {"input": visit}, city.outsider)) == [("NOT_ON_TEAM", "bidId")]
    bad = {**visit, "date": str(today + timedelta(days=1)), "hours": 0, "people": 0, "workersTrained": -1}
    assert sorted(codes(await run(city, VISIT, {"input": bad}, city.wang))) == [
        ("OUT_OF_RANGE", "date"),
        ("OUT_OF_RANGE", "hours"),
        ("OUT_OF_RANGE", "people"),
        ("OUT_OF_RANGE", "workersTrained"),
    ]
    # A pending bid's people are not the team.
    other = await city.post()
    pending = (await city.bid(other, await city.studio_offer()))["bid"]["id"]
    assert codes(await run(city, VISIT, {"input": {**visit, "bidId": pending}}, city.wang)) == [
        ("NOT_ON_TEAM", "bidId")
    ]
    assert problem


async def test_outcome_submit_return_accept(city: City) -> None:
    problem, bid = await city.taken()
    solve = {"id": problem, "rating": 5, "economicBenefit": 1000}
    assert [e["code"] for e in (await run(city, SOLVE, {"input": solve}, city.poster))["errors"]] == ["NO_OUTCOME"]
    assert codes(await run(city, RETURN, {"p": problem, "r": "x"}, city.poster)) == [("NO_OUTCOME", "id")]
    assert codes(await run(city, SUBMIT, {"b": bid, "s": "方案"}, city.poster)) == [("NOT_ON_TEAM", "bidId")]
    assert (await run(city, SUBMIT, {"b": bid, "s": "方案"}, city.wang))["outcome"]["status"] == "SUBMITTED"
    assert codes(await run(city, SUBMIT, {"b": bid, "s": "方案二"}, city.wang)) == [("OUTCOME_PENDING", "bidId")]
    assert codes(await run(city, RETURN, {"p": problem, "r": ""}, city.poster)) == [("BLANK", "reason")]
    assert codes(await run(city, RETURN, {"p": problem, "r": "补充数据"}, city.wang)) == [("PERMISSION_DENIED", "id")]
    returned = await run(city, RETURN, {"p": problem, "r": "补充数据"}, city.poster)
    assert returned["outcome"] == {"status": "RETURNED", "returnReason": "补充数据"}
    assert returned["problem"]["status"] == "IN_PROGRESS"
    assert (await run(city, SUBMIT, {"b": bid, "s": "方案二"}, city.wang))["errors"] == []
    wrong = await run(city, SOLVE, {"input": {**solve, "rating": 6, "economicBenefit": -1}}, city.poster)
    assert sorted(e["code"] for e in wrong["errors"]) == ["OUT_OF_RANGE", "OUT_OF_RANGE"]
    assert [e["code"] for e in (await run(city, SOLVE, {"input": solve}, city.wang))["errors"]] == ["PERMISSION_DENIED"]
    solved = await run(city, SOLVE, {"input": solve}, city.poster)
    assert solved["problem"]["status"] == "SOLVED"
    assert [e["code"] for e in (await run(city, SOLVE, {"input": solve}, city.poster))["errors"]] == [
        "INVALID_TRANSITION"
    ]
    assert codes(await run(city, SUBMIT, {"b": bid, "s": "再交"}, city.wang)) == [("INVALID_TRANSITION", "bidId")]
    assert codes(await run(city, CLOSE, {"p": problem, "r": "x"}, city.poster)) == [("INVALID_TRANSITION", "id")]


async def test_service_teams_and_offers(city: City) -> None:
    fed_admin = await city.gql.user("周文博", org=city.fed, role=MembershipRole.ADMIN)
    assert city.wang.person is not None and city.member_b.person is not None
    team = {
        "organisationId": gid("Organisation", city.fed.id),
        "name": "高端装备产业链劳模工匠服务队",
        "leaderId": city.wang.person_gid,
        "industryChain": "高端装备",
        "memberIds": [city.member_b.person_gid],
    }
    assert codes(await run(city, TEAM, {"input": team}, city.wang)) == [("PERMISSION_DENIED", "organisationId")]
    unhonoured = {**team, "leaderId": city.member_b.person_gid}
    assert codes(await run(city, TEAM, {"input": unhonoured}, fed_admin)) == [("LEADER_NOT_HONOURED", "leaderId")]
    assert codes(await run(city, TEAM, {"input": {**team, "industryChain": "航天"}}, fed_admin)) == [
        ("UNKNOWN_INDUSTRY_CHAIN", "industryChain")
    ]
    made = await run(city, TEAM, {"input": team}, fed_admin)
    assert made["errors"] == [] and made["team"]["name"] == "高端装备产业链劳模工匠服务队"
    # The leader publishes the team's offer; a member may not; a studio's offer needs its admin.
    team_offer = {"kind": "TEAM", "title": "服务队", "teamId": made["team"]["id"]}
    assert codes(await run(city, OFFER_TEAM, {"input": team_offer}, city.member_b)) == [("PERMISSION_DENIED", "kind")]
    assert (await run(city, OFFER_TEAM, {"input": team_offer}, city.wang))["errors"] == []
    studio = {"kind": "STUDIO", "title": "工作室", "organisationId": gid("Organisation", city.studio_b.id)}
    assert codes(await run(city, OFFER_TEAM, {"input": studio}, city.member_b)) == [("PERMISSION_DENIED", "kind")]
    assert codes(await run(city, OFFER_TEAM, {"input": {"kind": "TEAM", "title": "x"}}, city.wang)) == [
        ("BLANK", "teamId")
    ]
    other = {"kind": "PERSON", "title": "代发", "personId": city.wang.person_gid}
    assert codes(await run(city, OFFER_TEAM, {"input": other}, city.member_b)) == [("PERMISSION_DENIED", "kind")]


OFFER_TEAM = """mutation($input: OfferCreateInput!) { offerCreate(input: $input) { offer { id } errors {
  code field } } }"""


async def test_lengths_dates_and_lists_of_bids_and_offers(city: City) -> None:
    too_long = await run(city, POST, {"input": base(city, title="难" * 201)}, city.poster)
    assert codes(too_long) == [("TOO_LONG", "title")]
    problem = await city.post()
    offer = await city.studio_offer()
    yesterday = str(city.rt.now().date() - timedelta(days=1))
    late = await city.bid(problem, offer, finishBy=yesterday, plan="")
    assert sorted(codes(late)) == [("BLANK", "plan"), ("IN_THE_PAST", "finishBy")]
    ghost = await city.bid(problem, offer, memberIds=[gid("Person", 9999)])
    assert codes(ghost) == [("NOT_FOUND", "memberIds")]
    many = {"kind": "PERSON", "title": "专长", "specialties": [f"专长{i}" for i in range(21)]}
    assert codes(await run(city, OFFER_TEAM, {"input": many}, city.member_b)) == [("OUT_OF_RANGE", "specialties")]
