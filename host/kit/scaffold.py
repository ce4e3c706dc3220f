"""``guildhall plugin new NAME``: a working, installable plugin package written from templates.

The templates (``host/kit/templates/*.tmpl``, installed as package data) hold the one plugin
shape with ``{{name}}``-style placeholders. The first migration is not a template: it is written
by ``makemigrations`` from the new models, so it matches the installed Tortoise and depends on
core's latest migration.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import keyword
import re
import shutil
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from core.db import CORE_APP, make_migrations
from core.plugin_api import ModelApp
from host.plugins import ENTRY_POINT_GROUP, IN_TREE_PLUGINS

TEMPLATES = Path(__file__).parent / "templates"
SUFFIX = ".tmpl"
NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
MAX_NAME = 20
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True)
class PluginNames:
    """Every spelling of a plugin's name the templates use."""

    name: str  # {{name}}: badges, study_circle: the plugin, its app label and table prefix
    title: str  # {{Name}}: Badges, StudyCircle: prefix of classes and GraphQL types
    camel: str  # {{camel}}: badges, studyCircle: prefix of GraphQL fields
    package: str  # {{package}}: guildhall_badges: the import package
    dist: str  # {{dist}}: guildhall-badges: the distribution and its project folder

    @classmethod
    def of(cls, name: str) -> PluginNames:
        words = name.split("_")
        title = "".join(word[:1].upper() + word[1:] for word in words)
        camel = words[0] + title[len(words[0]) :]
        return cls(name, title, camel, f"guildhall_{name}", f"guildhall-{name.replace('_', '-')}")

    def values(self) -> dict[str, str]:
        return {"name": self.name, "Name": self.title, "camel": self.camel, "package": self.package, "dist": self.dist}


def installed_plugin_names() -> set[str]:
    """Core, the in-tree plugins and every plugin installed through an entry point."""
    return set(IN_TREE_PLUGINS) | {ep.name for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


def validate_name(name: str) -> PluginNames:
    """The names of a new plugin, or ValueError saying what is wrong with ``name``."""
    if not NAME_PATTERN.fullmatch(name) or len(name) > MAX_NAME:
        raise ValueError(
            f"{name!r} is not a plugin name: lowercase letters, digits and single underscores, "
            f"starting with a letter, at most {MAX_NAME} characters (e.g. badges, study_circle)"
        )
    if keyword.iskeyword(name):
        raise ValueError(f"{name!r} is a Python keyword")
    if name in installed_plugin_names():
        raise ValueError(f"a plugin named {name!r} already exists")
    names = PluginNames.of(name)
    if importlib.util.find_spec(names.package) is not None:
        raise ValueError(f"a module named {names.package} is already importable")
    return names


def render(text: str, names: PluginNames) -> str:
    values = names.values()

    def substitute(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise KeyError(f"unknown placeholder {match.group(0)} in a template")
        return values[key]

    return PLACEHOLDER.sub(substitute, text)


def _target(relative: Path, names: PluginNames) -> Path:
    parts = [names.package if part == "package" else part for part in relative.parts]
    parts[-1] = parts[-1].removesuffix(SUFFIX)
    if parts[-1] == "gitignore":
        parts[-1] = ".gitignore"
    return Path(*parts)


async def write_first_migration(root: Path, names: PluginNames) -> list[str]:
    """``makemigrations`` for the new package, importable from ``root`` while it runs."""
    app = ModelApp(label=names.name, models=[f"{names.package}.models"], migrations=f"{names.package}.migrations")
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    try:
        return await make_migrations("sqlite://:memory:", [CORE_APP, app], [names.name])
    finally:
        sys.path.remove(str(root))
        for module in [m for m in sys.modules if m == names.package or m.startswith(f"{names.package}.")]:
            del sys.modules[module]


def new_plugin(name: str, directory: Path) -> Path:
    """Write the project folder ``directory/guildhall-<name>``; returns its path.

    (The folder is not named like the package: run from ``directory``, Python would import
    the folder as an empty namespace package instead of the installed plugin.)
    """
    names = validate_name(name)
    root = directory / names.dist
    if root.exists():
        raise ValueError(f"{root} already exists")
    try:
        for template in sorted(TEMPLATES.rglob(f"*{SUFFIX}")):
            target = root / _target(template.relative_to(TEMPLATES), names)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render(template.read_text(encoding="utf-8"), names), encoding="utf-8")
        written = asyncio.run(write_first_migration(root, names))
        if written != [f"{names.name}.0001_initial"]:
            raise RuntimeError(f"makemigrations wrote {written}, expected {names.name}.0001_initial")
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return root
