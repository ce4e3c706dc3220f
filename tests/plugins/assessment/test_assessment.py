"""The yearly assessment: two years with figures from a test plugin, risk warnings, proposed
delisting and its confirmation or override, history, re-runs, errors and permissions."""

from __future__ import annotations

from typing import Any

from core.organisations.models import Organisation, OrganisationPlugin, StudioStatus, StudioStatusChange
from host.testing import gid, make_org
from plugins.assessment.models import AssessmentResult, DelistingDecision, StudioAssessment
from tests.plugins.assessment.conftest import World

CONFIRM = """
mutation($input: AssessmentDelistingConfirmInput!) {
  assessmentDelistingConfirm(input: $input) {
    assessment { id result decision decisionReason organisation { status } } errors { code field }
  }
}"""
OVERRIDE = """
mutation($input: AssessmentDelistingOverrideInput!) {
  assessmentDelistingOverride(input: $input) {
    assessment { id result decision decisionReason organisation { status } } errors { code field }
  }
}"""
HISTORY = """
query($id: ID!) {
  node(id: $id) { ... on Organisation { status statusHistory { fromStatus toStatus reason } } }
}"""
ASSESSMENTS = """
query($id: ID!) {
  node(id: $id) { ... on Organisation { assessments { id year result decision shortfalls
    figures { metric target actual met } } } }
}"""


async def _history(world: World, studio: Organisation) -> dict[str, Any]:
    node: dict[str, Any] = (await world.gql(HISTORY, {"id": gid("Organisation", studio.id)}))["node"]
    return node


async def _row(studio: Organisation, year: int) -> StudioAssessment:
    return await StudioAssessment.get(organisation_id=studio.id, year=year)


async def test_two_years_warn_then_propose_delisting_and_rerunning_updates(world: World) -> None:
    # 2024: the municipal studio meets its targets (one achievement from this plugin, two problems
    # from the test plugin); the district studio solves nothing; the enterprise studio one.
    world.figures.set(world.municipal, 2024, problems_solved=2, achievements=1)
    world.figures.set(world.company, 2024, problems_solved=1)
    assert await world.results(2024) == {
        "王建国劳模创新工作室": "PASS",
        "李红梅技能大师工作室": "RISK_WARNING",
        "张志强工匠创新工作室": "PASS",
    }
    district = await _history(world, world.district)
    assert district["status"] == "WARNED"
    assert district["statusHistory"] == [
        {"fromStatus": "ACTIVE", "toStatus": "WARNED", "reason": "2024年度考核:风险提示(未达标:problems_solved)"}
    ]
    assert (await _history(world, world.municipal))["statusHistory"] == []

    # 2025: the district studio fails again (delisting proposed, still WARNED); the municipal one
    # falls short this year (a warning); the enterprise studio passes.
    world.figures.set(world.municipal, 2025, problems_solved=1, achievements=1)
    world.figures.set(world.company, 2025, problems_solved=3)
    assert await world.results(2025) == {
        "王建国劳模创新工作室": "RISK_WARNING",
        "李红梅技能大师工作室": "DELISTED",
        "张志强工匠创新工作室": "PASS",
    }
    proposal = await _row(world.district, 2025)
    assert proposal.decision == DelistingDecision.PROPOSED and proposal.shortfalls == ["problems_solved"]
    assert (await Organisation.get(id=world.district.id)).status == StudioStatus.WARNED

    # Running 2025 again with the same figures changes nothing and adds no history.
    before = await StudioStatusChange.all().count()
    await world.results(2025)
    assert await StudioStatusChange.all().count() == before
    assert await StudioAssessment.filter(year=2025).count() == 3

    # New figures arrive for the municipal studio: re-running updates the year and restores it.
    world.figures.set(world.municipal, 2025, problems_solved=5, achievements=2)
    assert (await world.results(2025))["王建国劳模创新工作室"] == "PASS"
    municipal = await _history(world, world.municipal)
    assert municipal["status"] == "ACTIVE"
    assert [(c["fromStatus"], c["toStatus"]) for c in municipal["statusHistory"]] == [
        ("WARNED", "ACTIVE"),
        ("ACTIVE", "WARNED"),
    ]
    assert await StudioAssessment.filter(year=2025).count() == 3

    # The figures the municipal studio was measured on, seen by an admin of the federation.
    data = await world.gql(ASSESSMENTS, {"id": gid("Organisation", world.municipal.id)}, user=world.fed_admin)
    [latest, first] = data["node"]["assessments"]
    assert (latest["year"], latest["result"], first["year"]) == (2025, "PASS", 2024)
    figures = {f["metric"]: f for f in latest["figures"]}
    assert figures["problems_solved"] == {"metric": "problems_solved", "target": 2, "actual": 5, "met": True}
    assert figures["salons_held"] == {"metric": "salons_held", "target": 0, "actual": 0, "met": True}
    # The test plugin was asked once per run, for every studio at once.
    assert all(len(ids) == 3 for ids, _ in world.figures.asked)


async def test_achievements_recorded_here_count_towards_the_targets(world: World) -> None:
    from plugins.assessment.models import AchievementKind
    from plugins.assessment.services import AchievementFields, create_achievement

    world.figures.set(world.municipal, 2024, problems_solved=2)
    assert (await world.results(2024))["王建国劳模创新工作室"] == "RISK_WARNING"  # no achievement yet
    await create_achievement(
        world.rt,
        world.municipal.id,
        AchievementFields(
            title="一种厚板焊缝自动跟踪装置",
            kind=AchievementKind.INVENTION_PATENT,
            year=2024,
            patent_number="ZL202310456789.1",
        ),
    )
    assert (await world.results(2024))["王建国劳模创新工作室"] == "PASS"


async def _two_failing_years(world: World) -> StudioAssessment:
    world.figures.set(world.municipal, 2024, problems_solved=2, achievements=1)
    world.figures.set(world.municipal, 2025, problems_solved=2, achievements=1)
    world.figures.set(world.company, 2024, problems_solved=1)
    world.figures.set(world.company, 2025, problems_solved=1)
    await world.results(2024)
    await world.results(2025)
    return await _row(world.district, 2025)


async def test_confirming_a_delisting_delists_the_studio_for_good(world: World) -> None:
    proposal = await _two_failing_years(world)
    variables = {"input": {"id": gid("StudioAssessment", proposal.id), "reason": "连续两年未完成考核目标"}}
    payload = (await world.gql(CONFIRM, variables, user=world.fed_admin))["assessmentDelistingConfirm"]
    assert payload["errors"] == []
    assert payload["assessment"]["decision"] == "CONFIRMED"
    assert payload["assessment"]["organisation"] == {"status": "DELISTED"}
    history = (await _history(world, world.district))["statusHistory"]
    assert history[0]["toStatus"] == "DELISTED" and "确认摘牌" in history[0]["reason"]
    assert "连续两年未完成考核目标" in history[0]["reason"]
    # A second decision, either way, is refused.
    again = (await world.gql(CONFIRM, variables, user=world.fed_admin))["assessmentDelistingConfirm"]
    assert again["errors"] == [{"code": "NOT_PROPOSED", "field": "id"}]
    override = (await world.gql(OVERRIDE, variables, user=world.fed_admin))["assessmentDelistingOverride"]
    assert override["errors"] == [{"code": "NOT_PROPOSED", "field": "id"}]
    # Re-running the year keeps the decision; the delisted studio is not assessed in later years.
    assert (await world.results(2025))["李红梅技能大师工作室"] == "DELISTED"
    assert (await _row(world.district, 2025)).decision == DelistingDecision.CONFIRMED
    assert "李红梅技能大师工作室" not in await world.results(2026)
    # Re-running an earlier year leaves it delisted too.
    world.figures.set(world.district, 2024, problems_solved=9)
    assert (await world.results(2024))["李红梅技能大师工作室"] == "RISK_WARNING"
    assert (await Organisation.get(id=world.district.id)).status == StudioStatus.DELISTED


async def test_overriding_keeps_the_studio_with_a_reason(world: World) -> None:
    proposal = await _two_failing_years(world)
    node_id = gid("StudioAssessment", proposal.id)
    blank = await world.gql(OVERRIDE, {"input": {"id": node_id, "reason": "  "}}, user=world.fed_admin)
    assert blank["assessmentDelistingOverride"]["errors"] == [{"code": "BLANK", "field": "reason"}]
    reason = "该工作室承担省重点攻关项目,给予一年整改期"
    payload = (await world.gql(OVERRIDE, {"input": {"id": node_id, "reason": reason}}, user=world.fed_admin))[
        "assessmentDelistingOverride"
    ]
    assert payload["errors"] == []
    assert payload["assessment"]["decision"] == "OVERRIDDEN"
    assert payload["assessment"]["decisionReason"] == reason
    assert payload["assessment"]["organisation"] == {"status": "WARNED"}
    # An overridden year still counts as failing: a third failing year is proposed again.
    world.figures.set(world.municipal, 2026, problems_solved=2, achievements=1)
    assert (await world.results(2026))["李红梅技能大师工作室"] == "DELISTED"
    assert (await _row(world.district, 2026)).decision == DelistingDecision.PROPOSED


async def test_only_admins_of_the_federation_run_and_decide(world: World) -> None:
    for user in (world.other_admin, world.studio_admin, world.leader):
        assert (await world.run(2024, user=user))["errors"] == [{"code": "PERMISSION_DENIED", "field": "federationId"}]
    anonymous = await world.gql.raw(
        "mutation($i: AssessmentRunInput!) { assessmentRun(input: $i) { errors { code } } }",
        {"i": {"federationId": gid("Organisation", world.federation.id), "year": 2024}},
    )
    assert anonymous.json()["data"]["assessmentRun"]["errors"] == [{"code": "UNAUTHENTICATED"}]
    assert await StudioAssessment.all().count() == 0

    proposal = await _two_failing_years(world)
    variables = {"input": {"id": gid("StudioAssessment", proposal.id), "reason": "理由"}}
    for user in (world.other_admin, world.studio_admin, world.leader):
        denied = (await world.gql(CONFIRM, variables, user=user))["assessmentDelistingConfirm"]
        assert denied["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]
        denied = (await world.gql(OVERRIDE, variables, user=user))["assessmentDelistingOverride"]
        assert denied["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]
    assert (await _row(world.district, 2025)).decision == DelistingDecision.PROPOSED


async def test_assessments_are_seen_by_the_leader_and_admins_only(world: World) -> None:
    await _two_failing_years(world)
    studio_id = gid("Organisation", world.district.id)
    for user, count in ((world.leader, 2), (world.fed_admin, 2), (world.other_admin, 0), (world.member, 0), (None, 0)):
        data = await world.gql(ASSESSMENTS, {"id": studio_id}, user=user)
        assert len(data["node"]["assessments"]) == count, user
    row = await _row(world.district, 2025)
    node = "query($id: ID!) { node(id: $id) { ... on StudioAssessment { result } } }"
    assert (await world.gql(node, {"id": gid("StudioAssessment", row.id)}, user=world.leader))["node"] == {
        "result": "DELISTED"
    }
    assert (await world.gql(node, {"id": gid("StudioAssessment", row.id)}, user=world.other_admin))["node"] is None
    listing = """query($f: ID!) { studioAssessments(federationId: $f, year: 2025, result: DELISTED) {
      totalCount edges { node { organisation { name } } } } }"""
    found = await world.gql(listing, {"f": gid("Organisation", world.federation.id)}, user=world.fed_admin)
    assert found["studioAssessments"]["totalCount"] == 1
    errors = await world.gql.errors(listing, {"f": gid("Organisation", world.federation.id)}, user=world.other_admin)
    assert errors[0]["extensions"]["code"] == "PERMISSION_DENIED"


async def test_every_error_code_of_the_run(world: World) -> None:
    assert (await world.run(1900))["errors"] == [{"code": "OUT_OF_RANGE", "field": "year"}]
    assert (await world.run(2027))["errors"] == [{"code": "OUT_OF_RANGE", "field": "year"}]
    # Not a federation (an enterprise that switched assessment on).
    await OrganisationPlugin.create(organisation=world.enterprise, plugin="assessment")
    superuser = await world.gql.superuser()
    assert (await world.run(2024, user=superuser, federation=world.enterprise))["errors"] == [
        {"code": "NOT_A_FEDERATION", "field": "federationId"}
    ]
    # A federation without assessment switched on.
    bare = await make_org("滨海市总工会", kind=world.federation.kind)
    assert (await world.run(2024, user=superuser, federation=bare))["errors"] == [
        {"code": "PLUGIN_DISABLED", "field": "federationId"}
    ]
    bad = await world.gql(
        'mutation { assessmentRun(input: {federationId: "nonsense", year: 2024}) { errors { code field } } }',
        user=world.fed_admin,
    )
    assert bad["assessmentRun"]["errors"] == [{"code": "INVALID_ID", "field": "federationId"}]
    missing = await world.gql(CONFIRM, {"input": {"id": gid("StudioAssessment", 999_999)}}, user=world.fed_admin)
    assert missing["assessmentDelistingConfirm"]["errors"][0]["code"] in ("NOT_FOUND", "PLUGIN_DISABLED")
    # A decision on a passing year proposes nothing.
    world.figures.set(world.municipal, 2024, problems_solved=2, achievements=1)
    await world.results(2024)
    passing = await _row(world.municipal, 2024)
    assert passing.result == AssessmentResult.PASS
    refused = await world.gql(CONFIRM, {"input": {"id": gid("StudioAssessment", passing.id)}}, user=world.fed_admin)
    assert refused["assessmentDelistingConfirm"]["errors"] == [{"code": "NOT_PROPOSED", "field": "id"}]
