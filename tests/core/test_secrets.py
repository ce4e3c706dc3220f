"""The signing key: never in the source, generated once per data folder in development,
required (and long enough) in production. Every test uses its own temporary data folder."""

from __future__ import annotations

import re
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

import core.settings
from core.auth.tokens import issue_access_token, read_access_token
from core.secrets import SECRET_FILE, _write_new, load_or_create_secret_key
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_key_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GUILDHALL_SECRET_KEY", raising=False)


@pytest.mark.parametrize("env", ["development", "test"])
def test_without_a_key_the_first_start_writes_a_private_random_key(tmp_path: Path, env: str) -> None:
    data_dir = tmp_path / "var"
    settings = Settings(env=env, data_dir=data_dir)  # type: ignore[arg-type]
    key_file = data_dir / SECRET_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == settings.secret_key
    assert len(settings.secret_key.encode()) >= 48
    assert [p.name for p in data_dir.iterdir()] == [SECRET_FILE]  # no temporary file left behind


def test_restarts_reuse_the_key_so_tokens_stay_valid(tmp_path: Path) -> None:
    first = Settings(env="development", data_dir=tmp_path)
    now = datetime.now(UTC)
    token = issue_access_token(first.secret_key, now, 900, 1, 1, False)
    second = Settings(env="development", data_dir=tmp_path)
    assert second.secret_key == first.secret_key
    assert read_access_token(second.secret_key, token, now).account_id == 1
    assert Settings(env="development", data_dir=tmp_path / "other").secret_key != first.secret_key


def test_two_processes_racing_to_create_the_key_agree(tmp_path: Path) -> None:
    # The loser of the race (the file appeared after its existence check) keeps the winner's key.
    assert _write_new(tmp_path / SECRET_FILE, "w" * 64) is True
    assert _write_new(tmp_path / SECRET_FILE, "l" * 64) is False
    assert load_or_create_secret_key(tmp_path) == "w" * 64
    assert sorted(p.name for p in tmp_path.iterdir()) == [SECRET_FILE]


def test_a_configured_key_wins_and_nothing_is_written(tmp_path: Path) -> None:
    settings = Settings(env="development", data_dir=tmp_path, secret_key="k" * 40)
    assert settings.secret_key == "k" * 40
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_key_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / SECRET_FILE).write_text("short\n")
    with pytest.raises(ValidationError, match=re.escape("secret.key must be at least 32 bytes")):
        Settings(env="development", data_dir=tmp_path)


def test_production_refuses_to_start_without_a_key_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="GUILDHALL_SECRET_KEY must be set in production"):
        Settings(env="production", data_dir=tmp_path)
    with pytest.raises(ValidationError, match="GUILDHALL_SECRET_KEY must be set in production"):
        Settings(env="production", data_dir=tmp_path, secret_key="")
    assert list(tmp_path.iterdir()) == []


def test_production_refuses_a_short_key_counted_in_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUILDHALL_SECRET_KEY", "k" * 31)
    with pytest.raises(ValidationError, match="GUILDHALL_SECRET_KEY must be at least 32 bytes"):
        Settings(env="production", data_dir=tmp_path)
    monkeypatch.setenv("GUILDHALL_SECRET_KEY", "钥" * 11)  # 11 characters, 33 bytes
    assert Settings(env="production", data_dir=tmp_path).secret_key == "钥" * 11


def test_no_signing_key_is_left_in_the_source() -> None:
    assert not hasattr(core.settings, "DEV_SECRET_KEY")
    sources = [p for folder in ("core", "schema", "plugins") for p in (ROOT / folder).rglob("*.py")]
    assert not [p for p in sources if "dev-insecure-secret-key" in p.read_text(encoding="utf-8")]


def test_the_key_is_not_shown_in_the_settings_repr() -> None:
    assert "s3cr3t" not in repr(Settings(env="test", secret_key="s3cr3t" * 8))
