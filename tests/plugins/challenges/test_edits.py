"""Editing after posting: ``problemUpdate`` (drafts and open problems), ``serviceTeamUpdate``,
``serviceTeamMembersSet`` (with the consent rule of ``docs/consent.md``) and ``offerUpdate``;
every error code, who may and who may not, the event and the bidders' notice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.organisations.models import OrganisationPlugin
from core.people.models import Honour, HonourLevel, Membership, MembershipRole, Person
from core.relay import decode_id
from core.skills.models import Skill
from plugins.challenges.models import Offer, OfferSkill, Problem, ProblemSkill, ServiceTeam, ServiceTeamMember
from tests.plugins.challenges.conftest import City, Recorder
from tests.plugins.challenges.test_hooks import hook_notices
from tests.support import User, count_statements, gid

UPDATE = """mutation($input: ProblemUpdateInput!) { problemUpdate(input: $input) { problem { id title description
  industryChain urgency region reward deadline visibility status attachments { title url }
  skills { skill { name } minLevel } } errors { code message field } } }"""
TEAM = """mutation($input: ServiceTeamCreateInput!) { serviceTeamCreate(input: $input) { team { id } errors {
  code field } } }"""
TEAM_UPDATE = """mutation($input: ServiceTeamUpdateInput!) { serviceTeamUpdate(input: $input) { team { id name
  industryChain region description leader { name } members { name } } errors { code field } } }"""
MEMBERS = """mutation($input: ServiceTeamMembersSetInput!) { serviceTeamMembersSet(input: $input) { team {
  members { name } } errors { code field } } }"""
OFFER_UPDATE = """mutation($input: OfferUpdateInput!) { offerUpdate(input: $input) { offer { id title description
  specialties researchDirections industryChain region availability active skills { name } } errors {
  code field } } }"""
CLOSE = 'mutation($p: ID!) { problemClose(input: {id: $p, reason: "暂缓"}) { errors { code } } }'
WITHDRAW = "mutation($p: ID!) { problemWithdraw(input: {id: $p}) { errors { code } } }"


async def run(city: City, query: str, variables: dict[str, Any], user: User | None) -> dict[str, Any]:
    data = await city.gql(query, variables, user=user)
    return dict(next(iter(data.values())))


def codes(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    return sorted((e["code"], e.get("field")) for e in payload["errors"])


async def edit(city: City, problem: str, user: User | None = None, **fields: Any) -> dict[str, Any]:
    return await run(city, UPDATE, {"input": {"id": problem, **fields}}, city.poster if user is None else user)


# problemUpdate --------------------------------------------------------------------------------


async def test_problem_update_changes_only_what_is_given(city: City) -> None:
    problem = await city.post(region="东港区", deadline=str(city.rt.now().date() + timedelta(days=30)))
    grind = await Skill.create(name="磨削")
    done = await edit(
        city,
        problem,
        title="焊接变形控制(修订)",
        urgency="CRITICAL",
        skills=[{"skillId": gid("Skill", grind.id), "minLevel": 3}],
        attachments=[{"title": "图纸", "url": "https://example.com/a.pdf"}],
    )
    assert done["errors"] == []
    changed = done["problem"]
    assert changed["title"] == "焊接变形控制(修订)" and changed["urgency"] == "CRITICAL"
    assert changed["skills"] == [{"skill": {"name": "磨削"}, "minLevel": 3}]
    assert changed["attachments"] == [{"title": "图纸", "url": "https://example.com/a.pdf"}]
    # What was not given stays.
    assert (changed["industryChain"], changed["region"], changed["reward"], changed["visibility"]) == (
        "高端装备",
        "东港区",
        50000,
        "ALLIANCE",
    )
    assert changed["deadline"] is not None and changed["status"] == "OPEN"
    # A given null clears a nullable field; the region goes back to the organisation's.
    cleared = (await edit(city, problem, reward=None, deadline=None, region=None, description=None))["problem"]
    assert (cleared["reward"], cleared["deadline"], cleared["region"], cleared["description"]) == (
        None,
        None,
        "海州市",
        "",
    )
    # An empty list empties; skills left out stay.
    assert (await edit(city, problem, attachments=[]))["problem"]["attachments"] == []
    assert await ProblemSkill.filter(problem_id=decode_id(problem, "Problem", "id")).count() == 1
    kept = (await edit(city, problem, title="再改标题"))["problem"]
    assert kept["skills"] == [{"skill": {"name": "磨削"}, "minLevel": 3}]


async def test_problem_update_transitions(city: City) -> None:
    draft = await city.post(publish=False)
    edited = await edit(city, draft, title="草稿改名")
    assert edited["errors"] == [] and edited["problem"]["status"] == "DRAFT"
    working, _ = await city.taken()
    assert codes(await edit(city, working, title="x")) == [("INVALID_TRANSITION", "id")]
    closed = await city.post()
    await run(city, CLOSE, {"p": closed}, city.poster)
    assert codes(await edit(city, closed, title="x")) == [("INVALID_TRANSITION", "id")]
    withdrawn = await city.post()
    await run(city, WITHDRAW, {"p": withdrawn}, city.poster)
    assert codes(await edit(city, withdrawn, title="x")) == [("INVALID_TRANSITION", "id")]
    rows = {p.title for p in await Problem.all()}
    assert "x" not in rows


async def test_problem_update_error_codes(city: City) -> None:
    problem = await city.post()
    weld = gid("Skill", city.weld.id)
    past = str(city.rt.now().date() - timedelta(days=1))
    bad = await edit(
        city,
        problem,
        title=" ",
        industryChain="航天",
        reward=-1,
        deadline=past,
        urgency=None,
        visibility=None,
        attachments=[{"title": "图纸", "url": "ftp://example.com/a"}],
        skills=[{"skillId": weld, "minLevel": 6}],
    )
    assert codes(bad) == [
        ("BLANK", "title"),
        ("BLANK", "urgency"),
        ("BLANK", "visibility"),
        ("INVALID_URL", "attachments.url"),
        ("IN_THE_PAST", "deadline"),
        ("OUT_OF_RANGE", "reward"),
        ("OUT_OF_RANGE", "skills.minLevel"),
        ("UNKNOWN_INDUSTRY_CHAIN", "industryChain"),
    ]
    assert codes(await edit(city, problem, title="难" * 201)) == [("TOO_LONG", "title")]
    assert codes(await edit(city, problem, deadline=str(city.rt.now().date() + timedelta(days=6 * 365)))) == [
        ("OUT_OF_RANGE", "deadline")
    ]
    many = [{"title": f"图{i}", "url": "https://example.com/a"} for i in range(11)]
    assert codes(await edit(city, problem, attachments=many)) == [("OUT_OF_RANGE", "attachments")]
    skills = [await Skill.create(name=f"技能{i}") for i in range(11)]
    eleven = [{"skillId": gid("Skill", s.id), "minLevel": 2} for s in skills]
    assert codes(await edit(city, problem, skills=eleven)) == [("OUT_OF_RANGE", "skills")]
    assert codes(await edit(city, problem, skills=[{"skillId": weld, "minLevel": 2}] * 2)) == [
        ("DUPLICATE", "skills.skillId")
    ]
    assert codes(await edit(city, problem, skills=[{"skillId": gid("Skill", 9999), "minLevel": 2}])) == [
        ("NOT_FOUND", "skills.skillId")
    ]
    assert codes(await edit(city, gid("Problem", 9999), title="x")) == [("NOT_FOUND", "id")]
    assert codes(await edit(city, gid("Offer", 1), title="x")) == [("INVALID_ID", "id")]
    # Nothing was written.
    row = await Problem.get(id=decode_id(problem, "Problem", "id"))
    assert row.title == "大型结构件焊接变形控制" and row.reward == 50000


async def test_who_may_update_a_problem(city: City) -> None:
    problem = await city.post()
    public = await city.post(visibility="PUBLIC")
    assert codes(await edit(city, problem, city.own_worker, title="x")) == [("PERMISSION_DENIED", "id")]
    assert codes(await edit(city, problem, city.wang, title="x")) == [("PERMISSION_DENIED", "id")]
    # A foreign organisation's admin: not even told the alliance-only problem exists.
    foreign_admin = await city.gql.user("外企管理员", org=city.outsider_org, role=MembershipRole.ADMIN)
    assert codes(await edit(city, problem, foreign_admin, title="x")) == [("NOT_FOUND", "id")]
    assert codes(await edit(city, public, foreign_admin, title="x")) == [("PERMISSION_DENIED", "id")]
    anonymous = await city.gql(UPDATE, {"input": {"id": public, "title": "x"}})
    assert codes(anonymous["problemUpdate"]) == [("UNAUTHENTICATED", None)]
    # Admins of an ancestor are the poster too.
    fed_admin = await city.gql.user("周文博", org=city.fed, role=MembershipRole.ADMIN)
    assert (await edit(city, problem, fed_admin, title="联合会修订"))["errors"] == []
    # The plugin must be on where it was posted.
    await OrganisationPlugin.filter(organisation_id=city.factory.id).update(enabled=False)
    assert codes(await edit(city, problem, title="关了")) == [("PLUGIN_DISABLED", "id")]
    assert {p.title for p in await Problem.all()} == {"联合会修订", "大型结构件焊接变形控制"}


async def test_problem_update_event_and_bidders_notice(recording: City, recorder: Recorder) -> None:
    city = recording
    assert city.wang.person is not None and city.member_b.person is not None
    problem = await city.post()
    await city.bid(problem, await city.studio_offer())
    person_offer = await city.offer(city.member_b, kind="PERSON", title="焊接")
    await city.bid(problem, person_offer, user=city.member_b)
    # A title alone: an event, nobody told.
    await edit(city, problem, title="只改标题")
    # The same values again: no event.
    await edit(city, problem, title="只改标题", industryChain="高端装备")
    grind = await Skill.create(name="磨削")
    await edit(city, problem, skills=[{"skillId": gid("Skill", grind.id), "minLevel": 2}])
    events = recorder.named("challenges.problem_updated")
    assert [e.payload["changed"] for e in events] == [["title"], ["skills"]]
    assert events[0].payload["problemId"] == problem and events[0].payload["status"] == "OPEN"
    assert events[0].organisation_id == city.factory.id and events[0].subject == problem
    assert await hook_notices(city.rt, events[0]) == []
    told = await hook_notices(city.rt, events[1])
    assert sorted((n.recipient_id, n.kind) for n in told) == sorted(
        [(city.wang.person.id, "challenges.problem_changed"), (city.member_b.person.id, "challenges.problem_changed")]
    )
    assert all(n.subject == problem and "只改标题" in n.summary for n in told)
    # A draft's edits tell nobody (it has no bidders) but still emit.
    draft = await city.post(publish=False)
    await edit(city, draft, industryChain="汽车")
    last = recorder.named("challenges.problem_updated")[-1]
    assert last.payload["changed"] == ["industryChain"] and last.payload["status"] == "DRAFT"
    assert await hook_notices(city.rt, last) == []


# Service teams --------------------------------------------------------------------------------


async def _team(city: City, admin: User) -> str:
    team = {
        "organisationId": gid("Organisation", city.fed.id),
        "name": "高端装备服务队",
        "leaderId": city.wang.person_gid,
        "industryChain": "高端装备",
    }
    made = await run(city, TEAM, {"input": team}, admin)
    assert made["errors"] == [], made
    return str(made["team"]["id"])


async def _honoured(city: City, name: str, org: Any, role: MembershipRole = MembershipRole.MEMBER) -> User:
    user = await city.gql.user(name, org=org, role=role)
    assert user.person is not None
    await Honour.create(person=user.person, title="市级劳模", level=HonourLevel.MUNICIPAL, year=2020)
    return user


async def test_service_team_update(city: City) -> None:
    fed_admin = await city.gql.user("周文博", org=city.fed, role=MembershipRole.ADMIN)
    team = await _team(city, fed_admin)
    changed = await run(
        city,
        TEAM_UPDATE,
        {"input": {"id": team, "name": "汽车服务队", "industryChain": "汽车", "description": "上门服务"}},
        fed_admin,
    )
    assert changed["errors"] == []
    assert (changed["team"]["name"], changed["team"]["industryChain"], changed["team"]["description"]) == (
        "汽车服务队",
        "汽车",
        "上门服务",
    )
    assert changed["team"]["region"] == "海州市" and changed["team"]["leader"] == {"name": "王建国"}
    # A new leader: honoured, someone the admin may name; they join the members, the old leader stays.
    new_leader = await _honoured(city, "李师傅", city.studio_b)
    led = await run(city, TEAM_UPDATE, {"input": {"id": team, "leaderId": new_leader.person_gid}}, fed_admin)
    assert led["errors"] == [] and led["team"]["leader"] == {"name": "李师傅"}
    assert sorted(m["name"] for m in led["team"]["members"]) == ["李师傅", "王建国"]
    # Error codes.
    bad = {"id": team, "name": " ", "industryChain": "航天"}
    assert codes(await run(city, TEAM_UPDATE, {"input": bad}, fed_admin)) == [
        ("BLANK", "name"),
        ("UNKNOWN_INDUSTRY_CHAIN", "industryChain"),
    ]
    assert codes(await run(city, TEAM_UPDATE, {"input": {"id": team, "name": "队" * 201}}, fed_admin)) == [
        ("TOO_LONG", "name")
    ]
    unhonoured = {"id": team, "leaderId": city.member_b.person_gid}
    assert codes(await run(city, TEAM_UPDATE, {"input": unhonoured}, fed_admin)) == [
        ("LEADER_NOT_HONOURED", "leaderId")
    ]
    assert codes(await run(city, TEAM_UPDATE, {"input": {"id": team, "leaderId": None}}, fed_admin)) == [
        ("BLANK", "leaderId")
    ]
    ghost = {"id": team, "leaderId": gid("Person", 9999)}
    assert codes(await run(city, TEAM_UPDATE, {"input": ghost}, fed_admin)) == [("NOT_FOUND", "leaderId")]
    # Someone of another organisation is asked first (an invitation), even with an honour.
    stranger = await _honoured(city, "外地劳模", city.outsider_org)
    foreign = {"id": team, "leaderId": stranger.person_gid}
    assert codes(await run(city, TEAM_UPDATE, {"input": foreign}, fed_admin)) == [("INVITATION_REQUIRED", "leaderId")]
    missing = {"id": gid("ServiceTeam", 9999), "name": "x"}
    assert codes(await run(city, TEAM_UPDATE, {"input": missing}, fed_admin)) == [("NOT_FOUND", "id")]
    row = await ServiceTeam.get(id=decode_id(team, "ServiceTeam", "id"))
    assert new_leader.person is not None and (row.name, row.leader_id) == ("汽车服务队", new_leader.person.id)


async def test_who_may_update_a_team(city: City) -> None:
    fed_admin = await city.gql.user("周文博", org=city.fed, role=MembershipRole.ADMIN)
    team = await _team(city, fed_admin)
    rename = {"input": {"id": team, "name": "改名"}}
    # The leader runs its members, not the team itself.
    assert codes(await run(city, TEAM_UPDATE, rename, city.wang)) == [("PERMISSION_DENIED", "id")]
    assert codes(await run(city, TEAM_UPDATE, rename, city.poster)) == [("PERMISSION_DENIED", "id")]
    foreign_admin = await city.gql.user("外企管理员", org=city.outsider_org, role=MembershipRole.ADMIN)
    assert codes(await run(city, TEAM_UPDATE, rename, foreign_admin)) == [("PERMISSION_DENIED", "id")]
    assert codes((await city.gql(TEAM_UPDATE, rename))["serviceTeamUpdate"]) == [("UNAUTHENTICATED", None)]
    members = {"input": {"id": team, "memberIds": [city.member_b.person_gid]}}
    assert codes(await run(city, MEMBERS, members, foreign_admin)) == [("PERMISSION_DENIED", "id")]
    assert codes(await run(city, MEMBERS, members, city.member_b)) == [("PERMISSION_DENIED", "id")]
    assert codes((await city.gql(MEMBERS, members))["serviceTeamMembersSet"]) == [("UNAUTHENTICATED", None)]
    # The federation turns the plugin off: its teams are frozen.
    await OrganisationPlugin.filter(organisation_id=city.fed.id).update(enabled=False)
    assert codes(await run(city, TEAM_UPDATE, rename, fed_admin)) == [("PLUGIN_DISABLED", "id")]
    assert await ServiceTeam.filter(name="改名").count() == 0
    assert await ServiceTeamMember.all().count() == 1


async def test_service_team_members_set(city: City) -> None:
    fed_admin = await city.gql.user("周文博", org=city.fed, role=MembershipRole.ADMIN)
    team = await _team(city, fed_admin)

    async def members(user: User, people: list[str]) -> dict[str, Any]:
        return await run(city, MEMBERS, {"input": {"id": team, "memberIds": people}}, user)

    def names(payload: dict[str, Any]) -> list[str]:
        return sorted(m["name"] for m in payload["team"]["members"])

    both = await members(fed_admin, [city.member_b.person_gid, city.own_worker.person_gid])
    assert both["errors"] == [] and names(both) == ["周春燕", "王建国", "赵晓东"]
    # The leader always stays, whatever the list says.
    alone = await members(fed_admin, [])
    assert names(alone) == ["王建国"]
    # The leader (of the team, and of studio_b) names studio_b's member, not the factory's worker.
    assert names(await members(city.wang, [city.member_b.person_gid])) == ["王建国", "赵晓东"]
    refused = await members(city.wang, [city.member_b.person_gid, city.own_worker.person_gid])
    assert codes(refused) == [("INVITATION_REQUIRED", "memberIds")]
    # Nobody is put on the team from another organisation without their consent; they may join themselves.
    assert codes(await members(fed_admin, [city.outsider.person_gid])) == [("INVITATION_REQUIRED", "memberIds")]
    # Removing needs nobody's consent.
    assert names(await members(city.wang, [])) == ["王建国"]
    assert codes(await members(fed_admin, [gid("Person", 9999)])) == [("NOT_FOUND", "memberIds")]
    await Person.bulk_create([Person(name=f"队员{i}") for i in range(51)])
    crowd = [gid("Person", p) for p in await Person.filter(name__startswith="队员").values_list("id", flat=True)]
    assert codes(await members(fed_admin, crowd)) == [("OUT_OF_RANGE", "memberIds")]
    assert await ServiceTeamMember.all().count() == 1


async def test_team_creation_asks_consent_too(city: City) -> None:
    fed_admin = await city.gql.user("周文博", org=city.fed, role=MembershipRole.ADMIN)
    team = {
        "organisationId": gid("Organisation", city.fed.id),
        "name": "服务队",
        "leaderId": city.wang.person_gid,
        "industryChain": "高端装备",
        "memberIds": [city.outsider.person_gid],
    }
    assert codes(await run(city, TEAM, {"input": team}, fed_admin)) == [("INVITATION_REQUIRED", "memberIds")]
    stranger = await _honoured(city, "外地劳模", city.outsider_org)
    led = {**team, "leaderId": stranger.person_gid, "memberIds": []}
    assert codes(await run(city, TEAM, {"input": led}, fed_admin)) == [("INVITATION_REQUIRED", "leaderId")]
    assert await ServiceTeam.all().count() == 0


async def test_members_set_takes_a_fixed_number_of_statements(city: City) -> None:
    """Consent is checked for everyone added at once (one membership read), whatever their number."""
    fed_admin = await city.gql.user("周文博", org=city.fed, role=MembershipRole.ADMIN)
    team = await _team(city, fed_admin)
    await Person.bulk_create([Person(name=f"工人{i}") for i in range(22)])
    people = list(await Person.filter(name__startswith="工人").order_by("id"))
    await Membership.bulk_create([Membership(person=p, organisation=city.studio_b) for p in people])
    counts = []
    for chosen in (people[:2], people[2:22]):
        assert (await run(city, MEMBERS, {"input": {"id": team, "memberIds": []}}, fed_admin))["errors"] == []
        with count_statements() as counter:
            wanted = {"input": {"id": team, "memberIds": [gid("Person", p.id) for p in chosen]}}
            done = await run(city, MEMBERS, wanted, fed_admin)
        assert done["errors"] == [] and len(done["team"]["members"]) == len(chosen) + 1
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


# Offers ---------------------------------------------------------------------------------------


async def test_offer_update_edits_what_is_given(city: City) -> None:
    offer = await city.offer(
        city.member_b, kind="PERSON", title="焊接", specialties=["薄板焊接"], skillIds=[gid("Skill", city.weld.id)]
    )
    grind = await Skill.create(name="磨削")
    changed = await run(
        city,
        OFFER_UPDATE,
        {
            "input": {
                "id": offer,
                "title": "焊接与磨削",
                "description": "夜班可约",
                "skillIds": [gid("Skill", grind.id), gid("Skill", city.weld.id)],
                "specialties": ["厚板焊接", "厚板焊接", "堆焊"],
                "researchDirections": ["焊接机器人"],
                "industryChain": "汽车",
                "region": "东港区",
                "availability": "每周二",
            }
        },
        city.member_b,
    )
    assert changed["errors"] == []
    got = changed["offer"]
    assert (got["title"], got["description"], got["industryChain"], got["region"], got["availability"]) == (
        "焊接与磨削",
        "夜班可约",
        "汽车",
        "东港区",
        "每周二",
    )
    assert got["specialties"] == ["厚板焊接", "堆焊"] and got["researchDirections"] == ["焊接机器人"]
    assert sorted(s["name"] for s in got["skills"]) == ["焊接", "磨削"] and got["active"] is True
    # Left out: unchanged; null: cleared; the active switch still works alone.
    clear = {"input": {"id": offer, "specialties": None, "skillIds": [], "active": False}}
    cleared = await run(city, OFFER_UPDATE, clear, city.member_b)
    assert cleared["offer"]["specialties"] == [] and cleared["offer"]["skills"] == []
    assert cleared["offer"]["title"] == "焊接与磨削" and cleared["offer"]["active"] is False
    assert await OfferSkill.all().count() == 0


async def test_team_offer_falls_back_to_the_team(city: City) -> None:
    fed_admin = await city.gql.user("周文博", org=city.fed, role=MembershipRole.ADMIN)
    team = await _team(city, fed_admin)
    offer = await city.offer(city.wang, kind="TEAM", title="服务队", teamId=team, industryChain="汽车")
    back = await run(city, OFFER_UPDATE, {"input": {"id": offer, "industryChain": None}}, city.wang)
    assert back["offer"]["industryChain"] == "高端装备"
    # The team's organisation's admins own its offer too.
    assert (await run(city, OFFER_UPDATE, {"input": {"id": offer, "title": "改"}}, fed_admin))["errors"] == []


async def test_offer_update_errors_and_owners(city: City) -> None:
    offer = await city.offer(city.member_b, kind="PERSON", title="焊接")
    skills = [await Skill.create(name=f"技能{i}") for i in range(21)]

    async def update(user: User | None, **fields: Any) -> dict[str, Any]:
        return await run(city, OFFER_UPDATE, {"input": {"id": offer, **fields}}, user)

    bad = await update(
        city.member_b,
        title=" ",
        active=None,
        specialties=[f"专长{i}" for i in range(21)],
        researchDirections=["方" * 201],
        availability="时" * 201,
        region="区" * 101,
        industryChain="链" * 51,
    )
    assert codes(bad) == [
        ("BLANK", "active"),
        ("BLANK", "title"),
        ("OUT_OF_RANGE", "specialties"),
        ("TOO_LONG", "availability"),
        ("TOO_LONG", "industryChain"),
        ("TOO_LONG", "region"),
        ("TOO_LONG", "researchDirections"),
    ]
    many = [gid("Skill", s.id) for s in skills]
    assert codes(await update(city.member_b, skillIds=many)) == [("OUT_OF_RANGE", "skillIds")]
    assert codes(await update(city.member_b, skillIds=[gid("Skill", 9999)])) == [("NOT_FOUND", "skillIds")]
    # Only its owner.
    assert codes(await update(city.wang, title="冒名")) == [("PERMISSION_DENIED", "id")]
    foreign_admin = await city.gql.user("外企管理员", org=city.outsider_org, role=MembershipRole.ADMIN)
    assert codes(await update(foreign_admin, title="冒名")) == [("PERMISSION_DENIED", "id")]
    assert codes(await update(None, title="冒名")) == [("UNAUTHENTICATED", None)]
    assert (await Offer.get(title="焊接")).active is True
