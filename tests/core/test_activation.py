"""Per-organisation plugin activation: pluginEnable / pluginDisable / PLUGIN_DISABLED."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.errors import UserInputError
from core.organisations.activation import require_plugin_enabled
from core.organisations.models import OrganisationPlugin
from core.people.models import MembershipRole
from core.plugins import build_plugin_manager
from core.runtime import Runtime
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
    await require_plugin_enabled(school.id, "echo")  # does not raise

    disabled = (await api(DISABLE, variables, user=admin))["pluginDisable"]
    assert disabled == {"organisation": {"enabledPlugins": []}, "errors": []}
    with pytest.raises(UserInputError) as refused:
        await require_plugin_enabled(school.id, "echo")
    assert refused.value.errors[0].code == "PLUGIN_DISABLED"
    assert refused.value.errors[0].field == "organisationId"


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
