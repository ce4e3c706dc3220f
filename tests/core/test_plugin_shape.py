"""Every plugin has the same shape: the same file set and the same conventions (docs/plugins.md)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = sorted(p for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").exists())
# The file set of a plugin; rule modules beyond services.py are named by their noun.
REQUIRED = (
    "__init__.py", "hooks.py", "settings.py", "models.py", "errors.py", "access.py", "services.py",
    "loaders.py", "types.py", "queries.py", "mutations.py", "demo.py", "migrations/__init__.py",
)
OPTIONAL = ("subscriptions.py",)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _assigned_names(module: ast.Module) -> set[str]:
    return {t.id for node in module.body if isinstance(node, ast.Assign) for t in node.targets
            if isinstance(t, ast.Name)}


def _calls(module: ast.Module) -> list[str]:
    return [ast.unparse(node.func) for node in ast.walk(module) if isinstance(node, ast.Call)]


def test_there_are_plugins_to_check() -> None:
    assert [p.name for p in PLUGINS] == ["assessment", "forum", "mentorship", "training"]


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_every_plugin_has_the_same_file_set(plugin: Path) -> None:
    missing = [name for name in REQUIRED if not (plugin / name).exists()]
    assert missing == []


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_plugin_constant_lives_in_the_package_only(plugin: Path) -> None:
    package = importlib.import_module(f"plugins.{plugin.name}")
    assert plugin.name == package.PLUGIN and package.__doc__
    elsewhere = [
        p.name for p in plugin.glob("*.py") if p.name != "__init__.py" and "PLUGIN" in _assigned_names(_tree(p))
    ]
    assert elsewhere == []


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_hooks_wire_and_do_nothing_else(plugin: Path) -> None:
    module = _tree(plugin / "hooks.py")
    for node in module.body:
        if isinstance(node, ast.FunctionDef):
            assert any(ast.unparse(d) == "hookimpl" for d in node.decorator_list), node.name
            assert len(node.body) <= 2, f"{node.name} holds logic; hooks.py only wires"


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_services_leave_loaders_and_payloads_to_the_host(plugin: Path) -> None:
    offenders = []
    for path in plugin.glob("*.py"):
        calls = _calls(_tree(path))
        if path.name not in ("types.py", "loaders.py", "access.py", "queries.py"):
            offenders += [f"{path.name}: {c}" for c in calls if c.endswith("loaders.clear")]
        offenders += [f"{path.name}: {c}" for c in calls if c.endswith(("payload_errors", "require_plugin_enabled"))]
    assert offenders == []


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_extension_fields_take_their_parent_typed(plugin: Path) -> None:
    source = (plugin / "types.py").read_text(encoding="utf-8")
    assert "type: ignore[attr-defined]" not in source  # the old `self` that was really a Person
    assert "strawberry.Parent[" in source


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_enums_are_defined_once_in_models(plugin: Path) -> None:
    """GraphQL enums are derived from the model enums, never declared a second time."""
    for name in ("types.py", "mutations.py", "queries.py"):
        module = _tree(plugin / name)
        enums = [n.name for n in module.body if isinstance(n, ast.ClassDef)
                 and any(ast.unparse(b) in ("Enum", "str", "enum.Enum") for b in n.bases)]
        assert enums == [], f"{name} declares enums {enums}"
