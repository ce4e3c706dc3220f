"""Per-organisation plugin activation: pluginEnable / pluginDisable / PLUGIN_DISABLED."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.organisations.activation import is_plugin_enabled
from core.organisations.models import OrganisationPlugin
from core.people.models import MembershipRole
from core.runtime import Runtime
from host.plugins import build_plugin_manager
from tests.core.throwaway import EchoPlugin
from tests.support import GraphQLClient, client_for, gid, make_org, runtime_with

ENABLE = """
mutation Enable($org: ID!, $plugin: String!) {
  pluginEnable(input: {organisationId: $org, plugin: $plugin}) {
    organisation { id enabledPlugins } errors { code message }
  }
}"""
DISABLE = """
mutation($org: ID!, $plugin: String!) {
  pluginDisable(input: {organisationId: $org, plugin: $plugin}) { organisation { enabledPlugins } errors { code } }
}"""


@pytest.fixture
async def api(rt: Runtime) -> AsyncIterator[GraphQLClient]:
    pm = build_plugin_manager([], entry_points=False)
    pm.register(EchoPlugin(), name="echo")
    client = client_for(runtime_with(rt, pm))
    yield client
    await client.http.aclose()


async def test_org_admin_enables_and_disables_a_plugin(api: GraphQLClient) -> None:
    school = await make_org("海州市高级技工学校")
    admin = await api.user("校管理员", org=school, role=MembershipRole.ADMIN)
    variables = {"org": gid("Organisation", school.id), "plugin": "echo"}
    enabled = (await api(ENABLE, variables, user=admin))["pluginEnable"]
    assert enabled == {"organisation": {"id": variables["org"], "enabledPlugins": ["echo"]}, "errors": []}
    again = (await api(ENABLE, variables, user=admin))["pluginEnable"]
    assert again["errors"] == [] and await OrganisationPlugin.all().count() == 1
    assert await is_plugin_enabled(school.id, "echo")
    echo_in = "mutation($o: ID!) { echoIn(organisationId: $o, text: \"嗨\") { text errors { code field } } }"
    assert (await api(echo_in, {"o": variables["org"]}, user=admin))["echoIn"] == {"text": "嗨", "errors": []}

    disabled = (await api(DISABLE, variables, user=admin))["pluginDisable"]
    assert disabled == {"organisation": {"enabledPlugins": []}, "errors": []}
    assert not await is_plugin_enabled(school.id, "echo")
    # The host refuses the plugin's mutation; the plugin wrote no check of its own.
    refused = (await api(echo_in, {"o": variables["org"]}, user=admin))["echoIn"]
    assert refused == {"text": None, "errors": [{"code": "PLUGIN_DISABLED", "field": "organisationId"}]}


async def test_admins_read_effective_settings_others_do_not(api: GraphQLClient) -> None:
    school = await make_org("学校")
    admin = await api.user("管理员", org=school, role=MembershipRole.ADMIN)
    member = await api.user("学生", org=school)
    org = gid("Organisation", school.id)
    await api(ENABLE, {"org": org, "plugin": "echo"}, user=admin)
    query = "query($o: ID!) { node(id: $o) { ... on Organisation { plugins { name enabled settings } } } }"
    seen_by_admin = (await api(query, {"o": org}, user=admin))["node"]["plugins"]
    assert seen_by_admin == [{"name": "echo", "enabled": True,
                              "settings": {"capacity": 10, "label": "默认", "zone": "Asia/Shanghai"}}]
    seen_by_member = (await api(query, {"o": org}, user=member))["node"]["plugins"]
    assert seen_by_member == [{"name": "echo", "enabled": True, "settings": None}]
    schema = (await api("{ installedPlugins { settingsSchema } }"))["installedPlugins"][0]["settingsSchema"]
    assert schema["properties"]["capacity"]["maximum"] == 100


async def test_unknown_plugin_and_permission(api: GraphQLClient) -> None:
    school = await make_org("学校")
    member = await api.user("学生", org=school)
    admin = await api.user("管理员", org=school, role=MembershipRole.ADMIN)
    org = gid("Organisation", school.id)
    unknown = (await api(ENABLE, {"org": org, "plugin": "nope"}, user=admin))["pluginEnable"]
    assert unknown["errors"] == [{"code": "UNKNOWN_PLUGIN", "message": "No plugin named 'nope' is installed"}]
    core = (await api(ENABLE, {"org": org, "plugin": "core"}, user=admin))["pluginEnable"]
    assert core["errors"][0]["code"] == "UNKNOWN_PLUGIN"
    denied = (await api(ENABLE, {"org": org, "plugin": "echo"}, user=member))["pluginEnable"]
    assert denied["errors"][0]["code"] == "PERMISSION_DENIED"
    assert await OrganisationPlugin.all().count() == 0


async def test_installed_plugins_lists_activity_plugins(api: GraphQLClient) -> None:
    data = await api("{ installedPlugins { name version } }")
    assert data["installedPlugins"] == [{"name": "echo", "version": "0.1.0"}]
