"""The `guildhall` command line, run as a user would, against a throwaway SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run(tmp_path: Path) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUILDHALL_")}
    env["GUILDHALL_DATABASE_URL"] = f"sqlite://{tmp_path / 'cli.sqlite3'}"
    env["GUILDHALL_DATA_DIR"] = str(tmp_path / "var")  # the generated key, never the repo's var/

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "host.cli", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    return run


def test_migrate_user_create_demo_and_plugins(run: Run) -> None:
    assert run("migrate").returncode == 0
    created = run("user", "create", "--username", "root_admin", "--password", "long-password", "--superuser",
                  "--name", "管理员")
    assert created.returncode == 0, created.stderr
    assert "created superuser root_admin" in created.stdout
    taken = run("user", "create", "--username", "root_admin", "--password", "long-password")
    assert taken.returncode == 1 and "USERNAME_TAKEN" in taken.stderr

    first = run("demo")
    assert first.returncode == 0, first.stderr
    # The database already had a person but no organisation: the demo loads and prints accounts.
    assert "fed_admin" in first.stdout and "guildhall-demo" in first.stdout
    second = run("demo")
    assert second.returncode == 0 and "nothing loaded" in second.stdout

    plugins = run("plugins")
    assert plugins.returncode == 0
    assert plugins.stdout.splitlines()[0].startswith("core 0.1.0")
    hooks = ("extend_types, growth_items, notifications, register_demo, register_models, register_mutations, "
             "register_queries, register_subscriptions")
    assert f"hooks: {hooks}" in plugins.stdout


def test_schema_command_prints_the_committed_sdl(run: Run) -> None:
    # --in-tree (as `make schema`): plugins installed in the environment do not change it.
    result = run("schema", "--in-tree")
    assert result.returncode == 0
    assert result.stdout == (ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8")


@pytest.mark.parametrize("labels", [("training",), ("mentorship", "core"), ()])
def test_makemigrations_without_model_changes_writes_nothing(run: Run, labels: tuple[str, ...]) -> None:
    result = run("makemigrations", *labels)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "no changes"


def test_production_without_a_secret_key_refuses_to_start() -> None:
    result = subprocess.run([sys.executable, "-m", "host.cli", "schema"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "GUILDHALL_ENV": "production",
                                                         "GUILDHALL_SECRET_KEY": ""})
    assert result.returncode != 0 and "GUILDHALL_SECRET_KEY" in result.stderr


def test_a_malformed_redis_url_is_named_without_a_traceback_or_its_password(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUILDHALL_")}
    env.update(GUILDHALL_DATA_DIR=str(tmp_path), GUILDHALL_REDIS_URL="redis+sentinel://:hunter2@sentinel-a:x/mymaster")
    result = subprocess.run([sys.executable, "-m", "host.cli", "plugins"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env=env)
    assert result.returncode == 2
    assert result.stderr == ("error: GUILDHALL_REDIS_URL has a malformed Sentinel port in 'sentinel-a:x': "
                             "expected 1-65535\n")
