"""The ``guildhall`` pytest plugin (host/testing/plugin.py) as a plugin's tests meet it: loaded by
its entry point, the plugin set chosen by ini or environment, helpful when misconfigured."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from core.registry import Registry
from host.plugins import IN_TREE_PLUGINS
from host.testing import Clock

PROJECT_INI = """
[tool.pytest.ini_options]
asyncio_mode = "auto"
asyncio_default_fixture_loop_scope = "session"
asyncio_default_test_loop_scope = "session"
filterwarnings = ["error"]
"""

OUTSIDE_TEST = '''
from core.organisations.models import Organisation
from host.testing import GraphQLClient, gid, make_org


def test_plugin_set(registry):
    assert registry.plugin_names == {expected!r}


async def test_the_api_and_a_clean_database(gql: GraphQLClient, clock):
    assert await Organisation.all().count() == 0
    org = await make_org("海州重工")
    data = await gql("query($id: ID!) {{ node(id: $id) {{ ... on Organisation {{ name }} }} }}",
                     {{"id": gid("Organisation", org.id)}})
    assert data == {{"node": {{"name": "海州重工"}}}}
    before = clock()
    clock.advance(minutes=5)
    assert (clock() - before).total_seconds() == 300


async def test_the_next_test_starts_empty():
    assert await Organisation.all().count() == 0
'''


def test_the_host_suite_loads_the_in_tree_plugins_only(registry: Registry) -> None:
    if os.environ.get("GUILDHALL_TEST_PLUGINS") is not None:
        pytest.skip("GUILDHALL_TEST_PLUGINS narrows the plugin set on purpose")
    assert registry.plugin_names == tuple(IN_TREE_PLUGINS)


def test_the_plugin_is_loaded_by_its_entry_point(pytestconfig: pytest.Config) -> None:
    plugin = pytestconfig.pluginmanager.get_plugin("guildhall")
    assert plugin is not None and plugin.__name__ == "host.testing.plugin"


def test_the_clock_fixture_is_a_controllable_clock(clock: Clock) -> None:
    start = clock()
    clock.advance(hours=2)
    assert (clock() - start).total_seconds() == 7200


def _run(project: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """pytest on ``project``, away from this repository and this run's backends."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GUILDHALL_", "PYTEST_"))}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project)],
                          cwd=project, env=clean | env, capture_output=True, text=True, timeout=300)


def _project(folder: Path, ini: str, expected: tuple[str, ...]) -> Path:
    folder.mkdir()
    (folder / "pyproject.toml").write_text(ini, encoding="utf-8")
    (folder / "test_outside.py").write_text(textwrap.dedent(OUTSIDE_TEST.format(expected=expected)), encoding="utf-8")
    return folder


def test_a_project_outside_the_repository_gets_the_fixtures(tmp_path: Path) -> None:
    project = _project(tmp_path / "one", PROJECT_INI + 'guildhall_plugins = ["training"]\n', ("core", "training"))
    result = _run(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
    # The environment narrows it further while developing (empty: core only).
    project.joinpath("test_outside.py").write_text(
        textwrap.dedent(OUTSIDE_TEST.format(expected=("core",))), encoding="utf-8")
    narrowed = _run(project, GUILDHALL_TEST_PLUGINS="")
    assert narrowed.returncode == 0, narrowed.stdout + narrowed.stderr


def test_a_project_without_session_loops_is_told_what_to_add(tmp_path: Path) -> None:
    ini = '[tool.pytest.ini_options]\nasyncio_mode = "auto"\n'
    result = _run(_project(tmp_path / "two", ini, ("core", "mentorship", "training")))
    assert result.returncode != 0
    assert 'asyncio_default_test_loop_scope = "session"' in result.stdout
