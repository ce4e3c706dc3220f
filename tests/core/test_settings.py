"""Settings from GUILDHALL_* variables."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import Settings


def test_production_requires_a_secret_key() -> None:
    with pytest.raises(ValidationError, match="GUILDHALL_SECRET_KEY must be set in production"):
        Settings(env="production")
    assert Settings(env="production", secret_key="k" * 40).is_production


def test_short_secret_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(env="test", secret_key="short")


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GUILDHALL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GUILDHALL_DATABASE_URL", "postgres://u@db:5432/guildhall")
    monkeypatch.setenv("GUILDHALL_PLUGINS", "mentorship, training,")
    settings = Settings(env="test")
    assert settings.database_url == "postgres://u@db:5432/guildhall"
    assert settings.plugin_allow_list == ["mentorship", "training"]
    assert settings.redis_url is None


def test_a_read_replica_needs_postgresql_on_both_sides() -> None:
    replica = "postgres://reader:secret@replica:5432/guildhall"
    needs = "GUILDHALL_DATABASE_REPLICA_URL: a read replica needs PostgreSQL"
    with pytest.raises(ValidationError, match=needs) as raised:
        Settings(env="test", database_url="sqlite://var/x.sqlite3", database_replica_url=replica)
    assert "secret" not in str(raised.value)
    with pytest.raises(ValidationError, match="GUILDHALL_DATABASE_REPLICA_URL"):
        Settings(env="test", database_url="postgres://u@db:5432/g", database_replica_url="sqlite://var/r.sqlite3")
    settings = Settings(env="test", database_url="postgres://u@db:5432/g", database_replica_url=replica)
    assert settings.database_replica_url == replica and settings.database_replica_sticky_seconds == 5
    assert "secret" not in repr(settings)
