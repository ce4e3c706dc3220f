"""Settings from ``GUILDHALL_*`` environment variables."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.secrets import MIN_SECRET_BYTES, check_secret_key, load_or_create_secret_key

DEFAULT_DATABASE_URL = "sqlite://var/guildhall.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GUILDHALL_", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    # Unset: an in-process fakeredis, fine for one process only.
    redis_url: str | None = None
    # Empty: production refuses to start; otherwise a key generated once in data_dir/secret.key.
    secret_key: str = Field(default="", repr=False)
    # Files the server makes for itself (the generated development key).
    data_dir: Path = Path("var")
    # Comma list restricting which plugins load; unset loads all installed.
    plugins: str | None = None
    access_token_seconds: int = 15 * 60
    refresh_token_days: int = 30
    login_attempts_per_window: int = 10
    login_window_seconds: int = 15 * 60
    max_query_depth: int = 12
    max_aliases: int = 30
    public_url: str = "http://127.0.0.1:8000"
    # None: introspection on, except in production. Off also hides "Did you mean …" hints.
    introspection: bool | None = None
    # A cap on every string in arguments and variables, on top of each field's own limit.
    max_string_length: int = Field(default=100_000, ge=1)
    # Limits (README "Limits"). Query cost: objects 1, scalars 0, lists times their page size.
    max_query_cost: int = Field(default=1000, ge=1)
    max_query_tokens: int = Field(default=5000, ge=1)
    max_request_bytes: int = Field(default=256 * 1024, ge=1024)
    query_timeout_seconds: float = Field(default=10.0, gt=0)
    # Token buckets (points = query cost), per account and per client IP for anonymous callers.
    rate_limit_bucket_size: int = Field(default=1000, ge=1)
    rate_limit_anonymous_bucket_size: int = Field(default=500, ge=1)
    rate_limit_restore_rate: float = Field(default=50.0, gt=0)
    # Sign-in attempts per login window: per (username, IP), per IP; per username (0: off).
    login_attempts_per_ip: int = Field(default=100, ge=1)
    login_attempts_per_username: int = Field(default=0, ge=0)
    # Argon2 runs in worker threads; at most this many at once (each takes ~64 MiB).
    password_hash_concurrency: int = Field(default=4, ge=1)
    # Comma list of proxy addresses or networks whose X-Forwarded-For is believed.
    trusted_proxies: str = ""

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        for item in value.split(","):
            if item.strip():
                ipaddress.ip_network(item.strip(), strict=False)  # ValueError names the bad entry
        return value

    @model_validator(mode="after")
    def _secret_key(self) -> Settings:
        if not self.secret_key:
            if self.env == "production":
                raise ValueError(
                    f"GUILDHALL_SECRET_KEY must be set in production (at least {MIN_SECRET_BYTES} bytes, "
                    "e.g. from: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
                )
            self.secret_key = load_or_create_secret_key(self.data_dir)
        check_secret_key(self.secret_key)
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def introspection_enabled(self) -> bool:
        return not self.is_production if self.introspection is None else self.introspection

    @property
    def plugin_allow_list(self) -> list[str] | None:
        if self.plugins is None:
            return None
        return [name.strip() for name in self.plugins.split(",") if name.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
