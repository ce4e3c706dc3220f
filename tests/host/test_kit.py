"""``guildhall plugin new``: names, the written package, and a host that ignores it when it is
installed (the committed SDL and the host's suite stay on the in-tree plugins).

``make kit-check`` goes further: it installs a new plugin into the environment and runs its tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from host.kit import PluginNames, validate_name
from host.kit.scaffold import TEMPLATES, render

ROOT = Path(__file__).resolve().parents[2]
CORE_LATEST = max(path.stem for path in (ROOT / "core" / "migrations").glob("[0-9]*.py"))
SHAPE = {"__init__.py", "hooks.py", "settings.py", "models.py", "errors.py", "access.py", "services.py",
         "loaders.py", "types.py", "queries.py", "mutations.py", "demo.py", "py.typed",
         "migrations/__init__.py", "migrations/0001_initial.py"}


def _env(**extra: str) -> dict[str, str]:
    """The environment without the suite's backends: a nested run must never reset them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUILDHALL_", "PYTEST_"))}
    return env | extra


def _guildhall(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "host.cli", *args], cwd=ROOT, env=env or _env(),
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``guildhall plugin new badges`` once for this module."""
    folder = tmp_path_factory.mktemp("kit")
    result = _guildhall("plugin", "new", "badges", "--dir", str(folder))
    assert result.returncode == 0, result.stderr
    assert f"pip install -e {folder / 'guildhall-badges'}" in result.stdout
    return folder / "guildhall-badges"


def test_names_of_a_plugin() -> None:
    names = PluginNames.of("study_circle")
    assert (names.name, names.title, names.camel) == ("study_circle", "StudyCircle", "studyCircle")
    assert (names.package, names.dist) == ("guildhall_study_circle", "guildhall-study-circle")


@pytest.mark.parametrize(("name", "problem"), [
    ("Badges", "not a plugin name"), ("1st", "not a plugin name"), ("bad-name", "not a plugin name"),
    ("a__b", "not a plugin name"), ("_x", "not a plugin name"), ("x_", "not a plugin name"),
    ("class", "keyword"), ("core", "already exists"), ("training", "already exists"),
    ("mentorship", "already exists"), ("a" * 21, "at most 20 characters"),
])
def test_bad_or_taken_names_are_refused(name: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        validate_name(name)


def test_a_template_with_an_unknown_placeholder_fails() -> None:
    with pytest.raises(KeyError, match="nmae"):
        render("class {{nmae}}Item: ...", PluginNames.of("badges"))


def test_every_template_renders_without_leftovers() -> None:
    names = PluginNames.of("study_circle")
    for template in TEMPLATES.rglob("*.tmpl"):
        assert "{{" not in render(template.read_text(encoding="utf-8"), names), template


def test_the_package_has_exactly_the_plugin_shape(scaffold: Path) -> None:
    package = scaffold / "guildhall_badges"
    written = {str(p.relative_to(package)) for p in package.rglob("*") if p.is_file() and "__pycache__" not in str(p)}
    assert written == SHAPE
    tests = {p.name for p in (scaffold / "tests").iterdir()}
    assert tests == {"conftest.py", "test_hooks.py", "test_items.py"}
    assert 'PLUGIN = "badges"' in (package / "__init__.py").read_text(encoding="utf-8")


def test_the_project_installs_as_a_plugin(scaffold: Path) -> None:
    project = tomllib.loads((scaffold / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == "guildhall-badges"
    assert project["project"]["dependencies"] == ["guildhall"]
    assert project["project"]["entry-points"]["guildhall.plugins"] == {"badges": "guildhall_badges.hooks"}
    ini = project["tool"]["pytest"]["ini_options"]
    assert ini["asyncio_mode"] == "auto"
    assert ini["asyncio_default_fixture_loop_scope"] == ini["asyncio_default_test_loop_scope"] == "session"


def test_the_first_migration_is_generated_and_depends_on_core(scaffold: Path) -> None:
    migration = (scaffold / "guildhall_badges" / "migrations" / "0001_initial.py").read_text(encoding="utf-8")
    assert f"dependencies = [('core', '{CORE_LATEST}')]" in migration
    assert "name='BadgesItem'" in migration and "'table': 'badges_item'" in migration
    assert "'core.Person'" in migration and "'core.Organisation'" in migration


def test_an_existing_folder_is_not_overwritten(scaffold: Path) -> None:
    before = (scaffold / "guildhall_badges" / "models.py").read_text(encoding="utf-8")
    again = _guildhall("plugin", "new", "badges", "--dir", str(scaffold.parent))
    assert again.returncode == 2 and "already exists" in again.stderr
    assert (scaffold / "guildhall_badges" / "models.py").read_text(encoding="utf-8") == before
    bad = _guildhall("plugin", "new", "Bad-Name", "--dir", str(scaffold.parent))
    assert bad.returncode == 2 and "not a plugin name" in bad.stderr
    assert sorted(p.name for p in scaffold.parent.iterdir()) == ["guildhall-badges"]


def test_the_longest_name_still_passes_the_linter(tmp_path: Path) -> None:
    pytest.importorskip("ruff")
    name = "abcdefghi_klmnopqrst"  # 20 characters: the longest accepted
    assert _guildhall("plugin", "new", name, "--dir", str(tmp_path)).returncode == 0
    project = tmp_path / f"guildhall-{name.replace('_', '-')}"
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=project,
                          capture_output=True, text=True, timeout=120)
    assert lint.returncode == 0, lint.stdout


def test_an_installed_plugin_leaves_the_committed_sdl_and_the_suite_alone(scaffold: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--no-build-isolation", "--target", str(site), str(scaffold)],
        env=_env(), capture_output=True, text=True, timeout=300,
    )
    assert install.returncode == 0, install.stderr
    env = _env(PYTHONPATH=str(site), GUILDHALL_DATABASE_URL=f"sqlite://{tmp_path / 'cli.sqlite3'}")

    listed = _guildhall("plugins", env=env)
    assert listed.returncode == 0 and "badges 0.1.0 (guildhall_badges.hooks)" in listed.stdout  # it is installed
    assert "badgesItems" in _guildhall("schema", env=env).stdout
    in_tree = _guildhall("schema", "--in-tree", env=env)
    assert in_tree.stdout == (ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8")

    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "-q",
         "tests/schema/test_build.py::test_committed_sdl_equals_the_printed_schema",
         "tests/core/test_cli.py::test_schema_command_prints_the_committed_sdl",
         "tests/host/test_testing_plugin.py::test_the_host_suite_loads_the_in_tree_plugins_only"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert suite.returncode == 0, suite.stdout + suite.stderr
    assert "3 passed" in suite.stdout
