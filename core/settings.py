"""Settings from ``GUILDHALL_*`` environment variables."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "dev-insecure-secret-key-change-me-0123456789"
DEFAULT_DATABASE_URL = "sqlite://var/guildhall.sqlite3"

log = logging.getLogger(__name__)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GUILDHALL_", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    # Unset: an in-process fakeredis, fine for one process only.
    redis_url: str | None = None
    secret_key: str = DEV_SECRET_KEY
    # Comma list restricting which plugins load; unset loads all installed.
    plugins: str | None = None
    access_token_seconds: int = 15 * 60
    refresh_token_days: int = 30
    login_attempts_per_window: int = 10
    login_window_seconds: int = 15 * 60
    max_query_depth: int = 12
    max_aliases: int = 30
    public_url: str = "http://127.0.0.1:8000"

    @model_validator(mode="after")
    def _secret_key_is_set_in_production(self) -> Settings:
        if self.secret_key == DEV_SECRET_KEY:
            if self.env == "production":
                raise ValueError("GUILDHALL_SECRET_KEY must be set in production")
            if self.env == "development":
                log.warning("GUILDHALL_SECRET_KEY is not set: using the development key")
        if len(self.secret_key) < 32:
            raise ValueError("GUILDHALL_SECRET_KEY must be at least 32 characters")
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def plugin_allow_list(self) -> list[str] | None:
        if self.plugins is None:
            return None
        return [name.strip() for name in self.plugins.split(",") if name.strip()]

    # Resilience and safe retries (README "Limits"): Redis pool, WebSockets, PostgreSQL timeouts.
    redis_max_connections: int = Field(default=64, ge=2)
    redis_pool_timeout_seconds: float = Field(default=5.0, gt=0)
    redis_socket_timeout_seconds: float = Field(default=1.0, gt=0)
    subscription_queue_size: int = Field(default=100, ge=1)
    max_subscriptions_per_connection: int = Field(default=50, ge=1)
    websocket_init_timeout_seconds: float = Field(default=10.0, gt=0)
    database_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    database_statement_timeout_seconds: float = Field(default=5.0, gt=0)
    refresh_reuse_grace_seconds: int = Field(default=30, ge=0)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
