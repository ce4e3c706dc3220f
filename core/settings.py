"""Settings from ``GUILDHALL_*`` environment variables."""

from __future__ import annotations

import logging
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
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
    # Base of the absolute URLs the API hands out (calendar feeds); unset: the request's own
    # scheme and host (X-Forwarded-Proto/Host honoured only from `trusted_proxies`).
    public_url: str | None = None
    # Persisted queries (README "Persisted queries"): automatic persisted queries live in Redis
    # this many days after their last use; `trusted_documents` = path of a manifest: only its
    # documents run.
    persisted_query_days: int = Field(default=30, ge=1, le=365)
    trusted_documents: str | None = None
    # Anonymous GET answers without errors may be cached this long (Cache-Control max-age); 0: no-cache.
    get_cache_seconds: int = Field(default=0, ge=0, le=86_400)
    # Comma list of proxy addresses or networks (e.g. "127.0.0.1,10.0.0.0/8") whose
    # X-Forwarded-For/-Proto/-Host headers are believed; empty: none.
    trusted_proxies: str = ""
    # Observability: /metrics asks for `Authorization: Bearer <metrics_token>` when set.
    metrics_token: str | None = None
    # GraphiQL's pinned browser assets (`make install` fills ide/node_modules); unset: that folder.
    ide_assets: str | None = None

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
    def trusted_proxy_networks(self) -> list[IPv4Network | IPv6Network]:
        return [ip_network(item.strip(), strict=False) for item in self.trusted_proxies.split(",") if item.strip()]

    @property
    def plugin_allow_list(self) -> list[str] | None:
        if self.plugins is None:
            return None
        return [name.strip() for name in self.plugins.split(",") if name.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
