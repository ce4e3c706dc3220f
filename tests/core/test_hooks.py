"""Every hook is documented, and every hook does what its documentation says (test_hook_<name>)."""

from __future__ import annotations

import ast
import inspect
from collections.abc import AsyncIterator
from pathlib import Path

import pluggy
import pytest

from core import hookimpl, hookspecs
from core.db import tortoise_config
from core.events import emit, listen, organisation_channel
from core.organisations.activation import plugin_settings
from core.organisations.metrics import studio_metrics
from core.organisations.models import OrganisationPlugin
from core.plugin_api import DomainEvent
from core.registry import Registry
from core.runtime import Runtime
from host.demo import load_demo
from host.plugins import build_plugin_manager
from host.registry import build_registry
from schema import build_schema, print_sdl
from tests.core.throwaway import EchoPlugin, EchoSettings
from tests.support import GraphQLClient, client_for, gid, make_org, runtime_with

TESTS = Path(__file__).resolve().parent.parent
HOOK_NAMES = sorted(
    name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(fn, "guildhall_spec")
)


def test_every_hook_is_documented_and_typed() -> None:
    assert len(HOOK_NAMES) >= 12
    for name in HOOK_NAMES:
        fn = getattr(hookspecs, name)
        assert fn.__doc__ and len(fn.__doc__.strip()) > 20, f"{name} has no documentation"
        assert "return" in inspect.get_annotations(fn), f"{name} has no return type"


def test_every_hook_has_a_test() -> None:
    names = set()
    for path in TESTS.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(node.name)
    missing = [hook for hook in HOOK_NAMES if f"test_hook_{hook}" not in names]
    assert missing == []


@pytest.fixture
def echo() -> EchoPlugin:
    return EchoPlugin()


@pytest.fixture
def echo_pm(echo: EchoPlugin) -> pluggy.PluginManager:
    pm = build_plugin_manager([], entry_points=False)
    pm.register(echo, name="echo")
    pm.check_pending()
    return pm


@pytest.fixture
def echo_registry(echo_pm: pluggy.PluginManager) -> Registry:
    return build_registry(echo_pm)


@pytest.fixture
async def echo_api(rt: Runtime, echo_pm: pluggy.PluginManager) -> AsyncIterator[GraphQLClient]:
    client = client_for(runtime_with(rt, echo_pm))
    yield client
    await client.http.aclose()


def test_hook_register_models(echo_registry: Registry) -> None:
    apps = tortoise_config("sqlite://:memory:", echo_registry.model_apps)["apps"]
    assert list(apps) == ["core", "echo"]
    assert apps["echo"]["migrations"] == "tests.core.echo_migrations"


async def test_hook_register_queries(echo_api: GraphQLClient) -> None:
    assert (await echo_api('{ echo(text: "你好") }'))["echo"] == "你好"


async def test_hook_register_mutations(echo_api: GraphQLClient) -> None:
    shout = "mutation($t: String!) { echoShout(text: $t) { text errors { code field } } }"
    assert (await echo_api(shout, {"t": "ok"}))["echoShout"] == {"text": "OK", "errors": []}
    # A service's UserInputError becomes the payload's errors (the host's mutation guard).
    assert (await echo_api(shout, {"t": ""}))["echoShout"] == {
        "text": None, "errors": [{"code": "BLANK", "field": "text"}]}


def test_hook_register_subscriptions(echo_registry: Registry) -> None:
    sdl = print_sdl(build_schema(echo_registry))
    assert "echoTicks(count: Int!): Int!" in sdl
    assert "organisationEvents(organisationId: ID!)" in sdl  # core's own stays


def test_hook_register_types(echo_registry: Registry) -> None:
    assert "type EchoOnly {" in print_sdl(build_schema(echo_registry))


async def test_hook_extend_types(echo_api: GraphQLClient) -> None:
    org = await make_org("海州重工")
    user = await echo_api.user("王建国", org=org)
    data = await echo_api("{ me { echoName memberships { organisation { echoKind } } } }", user=user)
    assert data["me"] == {"echoName": f"王建国#{user.person.id}",  # type: ignore[union-attr]
                          "memberships": [{"organisation": {"echoKind": "ENTERPRISE"}}]}


async def test_hook_register_routes(echo_api: GraphQLClient) -> None:
    response = await echo_api.http.get("/echo/hello")
    assert response.status_code == 200 and response.text == "hello Runtime"


async def test_hook_organisation_settings(echo_api: GraphQLClient) -> None:
    org = await make_org("工作室")
    defaults = await plugin_settings(echo_api.rt, org.id, EchoSettings, "echo")
    assert defaults == EchoSettings(capacity=10, label="默认", zone="Asia/Shanghai")
    admin = await echo_api.superuser()
    enable = "mutation($o: ID!) { pluginEnable(input: {organisationId: $o, plugin: \"echo\"}) { errors { code } } }"
    await echo_api(enable, {"o": gid("Organisation", org.id)}, user=admin)
    configure = ("mutation($o: ID!, $s: JSON!) { pluginConfigure(input: {organisationId: $o, plugin: \"echo\", "
                 "settings: $s}) { settings errors { code field } } }")
    ok = await echo_api(configure, {"o": gid("Organisation", org.id), "s": {"capacity": 3}}, user=admin)
    assert ok["pluginConfigure"] == {
        "settings": {"capacity": 3, "label": "默认", "zone": "Asia/Shanghai"}, "errors": []}
    bad = await echo_api(configure, {"o": gid("Organisation", org.id),
                                     "s": {"capacity": -5, "colour": 1, "zone": "Mars/Olympus"}}, user=admin)
    assert sorted(e["field"] for e in bad["pluginConfigure"]["errors"]) == [
        "settings.capacity", "settings.colour", "settings.zone"]
    assert {e["code"] for e in bad["pluginConfigure"]["errors"]} == {"INVALID_SETTING"}
    assert (await OrganisationPlugin.get(organisation_id=org.id, plugin="echo")).settings == {"capacity": 3}
    assert (await plugin_settings(echo_api.rt, org.id, EchoSettings, "echo")).capacity == 3


async def test_hook_startup(echo: EchoPlugin, rt: Runtime, echo_pm: pluggy.PluginManager) -> None:
    from host.app import create_app

    echo_rt = runtime_with(rt, echo_pm)
    app = create_app(rt.settings, echo_rt.registry, echo_rt, manage_services=False)
    async with app.router.lifespan_context(app):
        assert echo.calls == [("startup", app)]


async def test_hook_shutdown(echo: EchoPlugin, rt: Runtime, echo_pm: pluggy.PluginManager) -> None:
    from host.app import create_app

    echo_rt = runtime_with(rt, echo_pm)
    app = create_app(rt.settings, echo_rt.registry, echo_rt, manage_services=False)
    async with app.router.lifespan_context(app):
        pass
    assert echo.calls[-1] == ("shutdown", app)


async def test_hook_register_demo(echo: EchoPlugin, rt: Runtime, echo_pm: pluggy.PluginManager) -> None:
    await load_demo(runtime_with(rt, echo_pm))
    [(name, organisation_keys)] = echo.calls
    assert name == "register_demo" and "federation" in organisation_keys and "alliance" in organisation_keys


async def test_hook_on_event(echo: EchoPlugin, rt: Runtime, echo_pm: pluggy.PluginManager) -> None:
    echo_rt = runtime_with(rt, echo_pm)
    messages = listen(echo_rt, organisation_channel(7))
    waiting = messages.__anext__()
    import asyncio

    task = asyncio.ensure_future(waiting)
    await asyncio.sleep(0.05)  # let the subscription start before publishing
    await emit(echo_rt, DomainEvent("echo.happened", {"n": 1}, organisation_id=7))
    message = await asyncio.wait_for(task, 5)
    await messages.aclose()
    assert echo.calls == [("on_event", "echo.happened")]
    assert message["name"] == "echo.happened" and message["payload"] == {"n": 1}


class MoreMetrics:
    """A second plugin answering synchronously, for some of the same names."""

    @hookimpl
    def studio_metrics(self, organisation_ids: list[int], year: int) -> dict[int, dict[str, int]]:
        return {org_id: {"achievements": 1, "problems_solved": org_id} for org_id in organisation_ids} | {
            999_999: {"achievements": 50}}  # not asked for: dropped


async def test_hook_studio_metrics(echo: EchoPlugin, rt: Runtime, echo_pm: pluggy.PluginManager) -> None:
    echo_pm.register(MoreMetrics(), name="more_metrics")
    echo_rt = runtime_with(rt, echo_pm)
    a, b, c = [await make_org(name) for name in ("甲工作室", "乙工作室", "丙工作室")]
    found = await studio_metrics(echo_rt, [c.id, a.id, b.id, a.id], 2025)
    # Each plugin is asked once, for every id at once (sorted, without duplicates).
    assert echo.calls == [("studio_metrics", ((a.id, b.id, c.id), 2025))]
    # Same names are added up across plugins (an async and a sync answer); missing ones count 0.
    assert found[a.id] == {"achievements": 3, "echo.words": 25, "problems_solved": a.id}
    assert found[b.id] == {"achievements": 1, "problems_solved": b.id}
    assert found[c.id]["achievements"] == 3 and found[c.id]["salons_held"] == 0
    assert set(found) == {a.id, b.id, c.id}
    assert await studio_metrics(echo_rt, [], 2025) == {}


NOTIFICATIONS = ("{ me { notifications { totalCount unreadCount nodes { kind summary readAt "
                 "subject { id } actor { name } } } } }")


async def test_hook_notifications(rt: Runtime, echo_pm: pluggy.PluginManager, echo_api: GraphQLClient) -> None:
    org = await make_org("海州重工")
    reader, actor = await echo_api.user("王建国", org=org), await echo_api.user("李师傅", org=org)
    assert reader.person is not None and actor.person is not None
    subject = gid("Organisation", org.id)
    # The hook's notices reach their recipients' inboxes; the one to the actor is dropped.
    await emit(runtime_with(rt, echo_pm), DomainEvent("echo.notify", {
        "to": [reader.person.id, actor.person.id], "subject": subject, "actor": actor.person.id,
        "summary": "李师傅回应了你"}, organisation_id=org.id))
    inbox = (await echo_api(NOTIFICATIONS, user=reader))["me"]["notifications"]
    assert inbox == {"totalCount": 1, "unreadCount": 1, "nodes": [{
        "kind": "echo.noticed", "summary": "李师傅回应了你", "readAt": None, "subject": {"id": subject},
        "actor": {"name": "李师傅"}}]}
    assert (await echo_api(NOTIFICATIONS, user=actor))["me"]["notifications"]["totalCount"] == 0


GROWTH = """query($id: ID!, $after: String) { node(id: $id) { ... on Person { growth(first: 2, after: $after) {
  edges { node { kind title at subject { id } } } pageInfo { hasNextPage endCursor } } } } }"""


async def test_hook_growth_items(echo: EchoPlugin, echo_api: GraphQLClient) -> None:
    from datetime import UTC, datetime

    from core.people.models import Honour, HonourLevel

    user = await echo_api.user("王建国")
    assert user.person is not None
    await Honour.create(person=user.person, title="全国劳动模范", level=HonourLevel.NATIONAL, year=2015)
    me = gid("Person", user.person.id)
    first = (await echo_api(GROWTH, {"id": me}, user=user))["node"]["growth"]
    # The plugin's entry and core's honour, merged newest first; each links to what it is about.
    assert [(e["node"]["kind"], e["node"]["title"], e["node"]["subject"]) for e in first["edges"]] == [
        ("echo.future", "回声", {"id": me}), ("core.honour", "荣获全国劳动模范", {"id": me})]
    assert first["edges"][1]["node"]["at"] == "2014-12-31T16:00:00+00:00"  # 2015 begins in China time
    assert first["pageInfo"]["hasNextPage"] is True
    second = (await echo_api(GROWTH, {"id": me, "after": first["pageInfo"]["endCursor"]}, user=user))["node"]["growth"]
    # The stale subject is shown to nobody; the entry without a subject to the person only.
    assert [e["node"]["title"] for e in second["edges"]] == ["无链接"]
    assert second["pageInfo"]["hasNextPage"] is False
    # The host asked every plugin for page size + 1 entries, then from the cursor on.
    growth_calls = [args for name, args in echo.calls if name == "growth_items"]
    assert growth_calls == [(user.person.id, None, 3),
                            (user.person.id, datetime(2014, 12, 31, 16, tzinfo=UTC), 4)]
    anonymous = (await echo_api(GROWTH, {"id": me, "after": first["pageInfo"]["endCursor"]}))["node"]["growth"]
    assert anonymous["edges"] == [] and anonymous["pageInfo"]["hasNextPage"] is False



class BrokenGrowth:
    """A plugin whose growth_items fails, and one answering junk: the others' entries still show."""

    @hookimpl
    def growth_items(self, person_id: int) -> list[object]:
        raise RuntimeError("boom")


class JunkGrowth:
    @hookimpl
    async def growth_items(self) -> list[object]:
        return ["不是条目"]


async def test_growth_items_of_a_failing_plugin_are_lost_alone(rt: Runtime, echo_pm: pluggy.PluginManager) -> None:
    from core.people.models import Person

    echo_pm.register(BrokenGrowth(), name="broken_growth")
    echo_pm.register(JunkGrowth(), name="junk_growth")
    client = client_for(runtime_with(rt, echo_pm))
    person = await Person.create(name="李小明")
    data = await client(GROWTH, {"id": gid("Person", person.id)})
    await client.http.aclose()
    assert [e["node"]["kind"] for e in data["node"]["growth"]["edges"]] == ["echo.future"]

def test_plugins_listing_names_versions_and_hooks(echo_registry: Registry) -> None:
    info = {p.name: p for p in echo_registry.plugins}
    assert list(info) == ["core", "echo"]
    assert "register_queries" in info["core"].hooks
    assert set(info["echo"].hooks) == set(HOOK_NAMES)
