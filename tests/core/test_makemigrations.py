"""``guildhall makemigrations``: plugins with foreign keys into core, cross-app dependencies,
and a migration order that puts core first whatever the plugins declare."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from core.db import make_migrations, pending_migrations
from host.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]
CORE_LATEST = max(path.stem for path in (ROOT / "core" / "migrations").glob("[0-9]*.py"))


@pytest.mark.parametrize("label", ["training", "mentorship"])
async def test_a_plugin_with_foreign_keys_into_core_has_no_changes(label: str) -> None:
    apps = load_registry(entry_points=False).model_apps
    assert await make_migrations("sqlite://:memory:", apps, [label]) == []


async def test_an_unknown_label_is_refused() -> None:
    apps = load_registry(entry_points=False).model_apps
    with pytest.raises(ValueError, match="No app labelled nope"):
        await make_migrations("sqlite://:memory:", apps, ["nope"])
    assert await pending_migrations("sqlite://:memory:", apps) == []


def _installed_package(site: Path) -> Path:
    """A plugin package ``guildhall_notes`` with a model pointing at core.Person, discoverable
    through a dist-info on ``site`` (as if installed), with an empty migrations package."""
    package = site / "guildhall_notes"
    (package / "migrations").mkdir(parents=True)
    (package / "migrations" / "__init__.py").write_text("", encoding="utf-8")
    (package / "__init__.py").write_text(textwrap.dedent('''
        from core import hookimpl
        from core.plugin_api import ModelApp

        @hookimpl
        def register_models():
            return ModelApp(label="notes", models=["guildhall_notes.models"], migrations="guildhall_notes.migrations")
    '''), encoding="utf-8")
    (package / "models.py").write_text(textwrap.dedent('''
        from tortoise import fields
        from tortoise.models import Model

        class NotesNote(Model):
            id = fields.IntField(primary_key=True)
            person = fields.ForeignKeyField("core.Person", related_name="notes_notes", on_delete=fields.CASCADE)
            text = fields.CharField(max_length=100)

            class Meta:
                table = "notes_note"
    '''), encoding="utf-8")
    dist = site / "guildhall_notes-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: guildhall-notes\nVersion: 0.1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[guildhall.plugins]\nnotes = guildhall_notes\n", encoding="utf-8")
    return package


def test_first_migration_of_a_new_plugin_depends_on_core_and_migrates(tmp_path: Path) -> None:
    package = _installed_package(tmp_path / "site")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUILDHALL_")}
    env |= {"PYTHONPATH": str(tmp_path / "site"), "GUILDHALL_DATABASE_URL": f"sqlite://{tmp_path / 'db.sqlite3'}"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "host.cli", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)

    first = run("makemigrations", "notes")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "notes.0001_initial"
    text = (package / "migrations" / "0001_initial.py").read_text(encoding="utf-8")
    assert f"dependencies = [('core', '{CORE_LATEST}')]" in text
    assert "initial = True" in text

    again = run("makemigrations", "notes")
    assert (again.returncode, again.stdout.strip()) == (0, "no changes"), again.stderr
    # Every plugin, with the new one depending on core's latest migration and the in-tree ones
    # declaring nothing: core's tables still come first, twice in a row.
    for _ in range(2):
        migrated = run("migrate")
        assert migrated.returncode == 0, migrated.stderr
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"core_person", "notes_note", "training_course"} <= tables

    unknown = run("makemigrations", "nope")
    assert unknown.returncode == 2 and "No app labelled nope" in unknown.stderr
