"""Dependencies point one way: plugins -> core. Core and schema/ never import a plugin, and no
plugin imports another. Every model change has its migration."""

from __future__ import annotations

import ast
from pathlib import Path

from core.db import pending_migrations
from host.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_core_and_schema_never_import_a_plugin() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for folder in ("core", "schema")
        for path in (ROOT / folder).rglob("*.py")
        for module in _imports(path)
        if module == "plugins" or module.startswith("plugins.")
    ]
    assert offenders == []


def test_nothing_below_the_host_imports_it() -> None:
    """The host (app factory, GraphQL view, CLI) sits above core, schema/ and the plugins."""
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for folder in ("core", "schema", "plugins")
        for path in (ROOT / folder).rglob("*.py")
        for module in _imports(path)
        if module == "host" or module.startswith("host.")
    ]
    assert offenders == []


def test_core_never_imports_the_schema_assembly() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / "core").rglob("*.py")
        for module in _imports(path)
        if module == "schema" or module.startswith("schema.")
    ]
    assert offenders == []


def test_plugins_never_import_each_other() -> None:
    offenders = []
    for plugin in (p for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").exists()):
        for path in plugin.rglob("*.py"):
            for module in _imports(path):
                if module.startswith("plugins.") and not module.startswith(f"plugins.{plugin.name}"):
                    offenders.append(f"{path.relative_to(ROOT)}: {module}")
    assert offenders == []


async def test_migrations_match_the_models() -> None:
    assert await pending_migrations("sqlite://:memory:", load_registry(entry_points=False).model_apps) == []
