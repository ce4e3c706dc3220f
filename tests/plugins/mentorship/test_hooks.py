"""The plugin's wiring: each hook returns what the host expects."""

from __future__ import annotations

import importlib

from core.organisations.types import Organisation
from core.people.types import Person
from core.plugin_api import ModelApp, TypeExtension
from core.registry import Registry
from core.settings import Settings
from host.plugins import build_plugin_manager
from host.registry import build_registry
from plugins.mentorship import PLUGIN, demo, hooks
from plugins.mentorship.settings import MentorshipSettings
from schema import build_schema
from tests.plugins.mentorship.conftest import World


def _field_names(cls: type) -> set[str]:
    return {f.name for f in cls.__strawberry_definition__.fields}  # type: ignore[attr-defined]


def test_hook_register_models() -> None:
    app = hooks.register_models()
    assert app == ModelApp(label="mentorship", models=["plugins.mentorship.models"],
                           migrations="plugins.mentorship.migrations")
    module = importlib.import_module(app.models[0])
    tables = {module.Mentorship._meta.db_table, module.Milestone._meta.db_table,
              module.MentoringSession._meta.db_table, module.MentorLoad._meta.db_table}
    assert all(table.startswith("mentorship_") for table in tables)
    assert importlib.import_module(f"{app.migrations}.0001_initial").Migration.initial is True


def _schema(settings: Settings, plugins: list[str]) -> str:
    return build_schema(build_registry(build_plugin_manager(plugins, entry_points=False)), settings).as_str()


def test_hook_register_queries() -> None:
    (queries,) = hooks.register_queries()
    assert _field_names(queries) == {"mentorships", "mentor_suggestions"}


def test_hook_register_mutations() -> None:
    (mutations,) = hooks.register_mutations()
    assert _field_names(mutations) == {
        "mentorship_propose", "mentorship_accept", "mentorship_decline", "mentorship_cancel",
        "mentorship_terminate", "mentorship_complete", "mentorship_milestone_add",
        "mentorship_milestone_complete", "mentorship_milestone_approve", "mentorship_session_log",
    }


def test_hook_register_types() -> None:
    assert [cls.__name__ for cls in hooks.register_types()] == ["MentorshipMilestone"]


def test_hook_extend_types() -> None:
    extensions = hooks.extend_types()
    assert all(isinstance(e, TypeExtension) for e in extensions)
    by_target = {e.target: _field_names(e.fields) for e in extensions}
    assert by_target == {Person: {"mentorships", "mentor_stats"}, Organisation: {"mentorships"}}


def test_hook_organisation_settings(registry: Registry) -> None:
    assert hooks.organisation_settings() is MentorshipSettings
    assert registry.settings_model(PLUGIN)().mentor_capacity == 10


def test_hook_register_demo(registry: Registry) -> None:
    assert hooks.register_demo() is demo.load
    assert [c.item for c in registry.demo_loaders if c.plugin == PLUGIN] == [demo.load]


def test_fields_on_core_types_exist_only_in_schemas_with_the_plugin(settings: Settings) -> None:
    with_plugin = _schema(settings, [PLUGIN])
    core_only = _schema(settings, [])
    assert "mentorships(role: MentorshipRole" in with_plugin and "mentorStats: MentorStats!" in with_plugin
    assert "mentorships" not in core_only and "MentorSuggestion" not in core_only
    # Building the core-only schema did not take the fields away from the other.
    assert _schema(settings, [PLUGIN]) == with_plugin


async def test_the_plugin_is_installed_and_configurable(world: World) -> None:
    data = await world.gql("{ installedPlugins { name } }")
    assert {"name": "mentorship"} in data["installedPlugins"]
    wrong = await world.gql(
        """mutation($org: ID!) { pluginConfigure(input: {organisationId: $org, plugin: "mentorship",
             settings: {mentor_capacity: "many"}}) { errors { code field } } }""",
        {"org": world.studio_id}, user=world.admin,
    )
    assert wrong["pluginConfigure"]["errors"] == [{"code": "INVALID_SETTING", "field": "settings.mentor_capacity"}]
