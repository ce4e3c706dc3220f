"""The training plugin's hooks: models, schema, fields on core types, routes, settings, activation."""

from __future__ import annotations

import httpx

from core.db import tortoise_config
from core.organisations.activation import plugin_settings
from core.organisations.models import OrganisationKind
from core.people.models import MembershipRole
from core.registry import Registry
from core.runtime import Runtime
from host.app import create_app
from host.plugins import build_plugin_manager
from host.registry import build_registry
from plugins.training.settings import TrainingSettings
from schema import build_schema, print_sdl
from tests.plugins.training.conftest import School
from tests.support import GraphQLClient, gid, make_org


def test_hook_register_models(registry: Registry) -> None:
    app = tortoise_config("sqlite://:memory:", registry.model_apps)["apps"]["training"]
    assert app["models"] == ["plugins.training.models"]
    assert app["migrations"] == "plugins.training.migrations"


def test_hook_register_queries(registry: Registry) -> None:
    sdl = print_sdl(build_schema(registry))
    for field in ("trainingSessions(organisationId: ID!", "trainingCheckInCode(sessionId: ID!)",
                  "certificateVerify(code: String!): CertificateVerification!"):
        assert field in sdl


def test_hook_register_mutations(registry: Registry) -> None:
    sdl = print_sdl(build_schema(registry))
    for name in ("trainingCourseCreate", "trainingCourseUpdate", "trainingSessionCreate", "trainingSessionUpdate",
                 "trainingSessionCancel", "trainingSessionComplete", "trainingEnrol", "trainingEnrolmentCancel",
                 "trainingCheckIn", "trainingAssess", "trainingCalendarReset"):
        input_name = name[0].upper() + name[1:]
        assert f"{name}(input: {input_name}Input!): {input_name}Payload!" in sdl


def test_hook_extend_types(registry: Registry) -> None:
    with_training = print_sdl(build_schema(registry))
    without = print_sdl(build_schema(build_registry(build_plugin_manager([], entry_points=False))))
    for field in ("enrolments(status: TrainingEnrolmentStatus", "certificates: [TrainingCertificate!]",
                  "calendarUrl: String", "trainingCourses(first: Int", "trainingStats(year: Int!): TrainingStats!"):
        assert field in with_training
        assert field not in without  # the fields belong to one schema, not to the shared types
    assert "calendarUrl" in print_sdl(build_schema(registry))  # and building again still has them


async def test_hook_register_routes(rt: Runtime) -> None:
    app = create_app(rt.settings, rt.registry, rt, manage_services=False)
    assert "/training/calendar/{token}.ics" in {getattr(route, "path", None) for route in app.routes}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.get("/training/calendar/1-1-x.ics")).status_code == 404


async def test_hook_organisation_settings(rt: Runtime) -> None:
    org = await make_org()
    settings = await plugin_settings(rt, org.id, TrainingSettings, "training")
    assert settings == TrainingSettings(timezone="Asia/Shanghai", check_in_opens_minutes=30)


async def test_enabling_switches_training_on_for_one_organisation(gql: GraphQLClient) -> None:
    school = await make_org("海州市高级技工学校", OrganisationKind.SCHOOL)
    admin = await gql.user("吴秀英", org=school, role=MembershipRole.ADMIN)
    create = """mutation($o: ID!) { trainingCourseCreate(input: {organisationId: $o, title: "焊接", hours: 8}) {
      course { title } errors { code } } }"""
    refused = (await gql(create, {"o": gid("Organisation", school.id)}, user=admin))["trainingCourseCreate"]
    assert refused == {"course": None, "errors": [{"code": "PLUGIN_DISABLED"}]}
    enable = """mutation($o: ID!) { pluginEnable(input: {organisationId: $o, plugin: "training"}) {
      organisation { enabledPlugins } errors { code } } }"""
    enabled = (await gql(enable, {"o": gid("Organisation", school.id)}, user=admin))["pluginEnable"]
    assert "training" in enabled["organisation"]["enabledPlugins"]
    created = (await gql(create, {"o": gid("Organisation", school.id)}, user=admin))["trainingCourseCreate"]
    assert created == {"course": {"title": "焊接"}, "errors": []}


async def test_disabling_keeps_the_data_readable_but_refuses_work(school: School) -> None:
    session = await school.session()
    [learner] = await school.learners(1)
    disable = """mutation($o: ID!) { pluginDisable(input: {organisationId: $o, plugin: "training"}) {
      errors { code } } }"""
    assert (await school.gql(disable, {"o": school.org_id}, user=school.admin))["pluginDisable"]["errors"] == []
    assert [e["code"] for e in (await school.enrol(session, learner))["errors"]] == ["PLUGIN_DISABLED"]
    # Lists of a disabled plugin are empty for that organisation; the records themselves stay readable.
    query = "query($id: ID!) { node(id: $id) { ... on Organisation { trainingCourses { totalCount } } } }"
    assert (await school.gql(query, {"id": school.org_id}))["node"]["trainingCourses"]["totalCount"] == 0
    course = "query($id: ID!) { node(id: $id) { ... on TrainingCourse { title } } }"
    assert (await school.gql(course, {"id": gid("TrainingCourse", school.course.id)}))["node"] is not None


async def test_configuring_refuses_out_of_range_values_field_by_field(school: School, rt: Runtime) -> None:
    configure = """mutation($o: ID!, $s: JSON!) { pluginConfigure(input: {organisationId: $o, plugin: "training",
      settings: $s}) { settings errors { code field } } }"""
    bad = {"check_in_opens_minutes": 1_000_000_000_000, "timezone": "Mars/Olympus"}
    data = (await school.gql(configure, {"o": school.org_id, "s": bad}, user=school.admin))["pluginConfigure"]
    assert data["settings"] is None
    assert sorted((e["code"], e["field"]) for e in data["errors"]) == [
        ("INVALID_SETTING", "settings.check_in_opens_minutes"), ("INVALID_SETTING", "settings.timezone")]
    assert await plugin_settings(rt, school.org.id, TrainingSettings, "training") == TrainingSettings()
    good = {"check_in_opens_minutes": 45, "timezone": "Asia/Urumqi"}
    data = (await school.gql(configure, {"o": school.org_id, "s": good}, user=school.admin))["pluginConfigure"]
    assert data["errors"] == []
    assert await plugin_settings(rt, school.org.id, TrainingSettings, "training") == TrainingSettings(**good)
