"""Settings from ``GUILDHALL_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.redis import check_redis_url
from core.secrets import MIN_SECRET_BYTES, check_secret_key, load_or_create_secret_key

DEFAULT_DATABASE_URL = "sqlite://var/guildhall.sqlite3"
POSTGRES_SCHEMES = ("postgres://", "postgresql://", "asyncpg://", "psycopg://")


class Settings(BaseSettings):
    # Errors never echo the values: GUILDHALL_REDIS_URL and GUILDHALL_DATABASE_URL may hold passwords.
    model_config = SettingsConfigDict(env_prefix="GUILDHALL_", extra="ignore", hide_input_in_errors=True)

    env: Literal["development", "production", "test"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    # A PostgreSQL read replica for GraphQL queries (core/replica.py); empty: the primary only.
    # An account's queries stay on the primary `database_replica_sticky_seconds` after it wrote.
    database_replica_url: str = Field(default="", repr=False)
    database_replica_sticky_seconds: float = Field(default=5.0, ge=0, le=3600)
    # Unset: an in-process fakeredis, fine for one process only. redis://, rediss://, unix:// or
    # redis+sentinel://host:26379[,host:26379...]/<service>[/<db>] (core.redis).
    redis_url: str | None = Field(default=None, repr=False)
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
    # Observability: /metrics asks for `Authorization: Bearer <metrics_token>` when set.
    metrics_token: str | None = None
    # GraphiQL's pinned browser assets (`make install` fills ide/node_modules); unset: that folder.
    ide_assets: str | None = None
    # None: introspection on, except in production. Off also hides "Did you mean …" hints.
    introspection: bool | None = None
    # A cap on every string in arguments and variables, on top of each field's own limit.
    max_string_length: int = Field(default=100_000, ge=1)
    # Limits (README "Limits"). Query cost: objects 1, scalars 0, lists times their page size.
    max_query_cost: int = Field(default=1000, ge=1)
    max_query_tokens: int = Field(default=5000, ge=1)
    max_request_bytes: int = Field(default=256 * 1024, ge=1024)
    query_timeout_seconds: float = Field(default=10.0, gt=0)
    # Queries run from precomputed plans (schema/compiled.py), falling back to graphql-core's
    # executor on anything unplanned or failed; false: always graphql-core's executor.
    compiled_queries: bool = True
    # Token buckets (points = query cost), per account and per client IP for anonymous callers.
    rate_limit_bucket_size: int = Field(default=1000, ge=1)
    rate_limit_anonymous_bucket_size: int = Field(default=500, ge=1)
    rate_limit_restore_rate: float = Field(default=50.0, gt=0)
    # Sign-in attempts per login window: per (username, IP), per IP; per username (0: off).
    login_attempts_per_ip: int = Field(default=100, ge=1)
    login_attempts_per_username: int = Field(default=0, ge=0)
    # Argon2 runs in worker threads; at most this many at once (each takes ~64 MiB).
    password_hash_concurrency: int = Field(default=4, ge=1)
    # Comma list of proxy addresses or networks (e.g. "127.0.0.1,10.0.0.0/8") whose
    # X-Forwarded-For/-Proto/-Host headers are believed; empty: none.
    trusted_proxies: str = ""

    @field_validator("redis_url")
    @classmethod
    def _redis_url_is_usable(cls, value: str | None) -> str | None:
        if value:
            check_redis_url(value)  # InvalidRedisURL (a ValueError) names GUILDHALL_REDIS_URL
        return value or None

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        for item in value.split(","):
            if item.strip():
                ip_network(item.strip(), strict=False)  # ValueError names the bad entry
        return value

    @model_validator(mode="after")
    def _replica_beside_postgres(self) -> Settings:
        if self.database_replica_url and not (
            self.database_replica_url.startswith(POSTGRES_SCHEMES) and self.database_url.startswith(POSTGRES_SCHEMES)
        ):
            raise ValueError("GUILDHALL_DATABASE_REPLICA_URL: a read replica needs PostgreSQL URLs for both "
                             "the primary (GUILDHALL_DATABASE_URL) and the replica")
        return self

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
    def trusted_proxy_networks(self) -> list[IPv4Network | IPv6Network]:
        return [ip_network(item.strip(), strict=False) for item in self.trusted_proxies.split(",") if item.strip()]

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
    # Notifications (core/notifications): each person keeps their newest this many.
    notification_retention: int = Field(default=1000, ge=1, le=100_000)


def describe_errors(exc: ValidationError) -> str:
    """One line per problem of a ``Settings`` validation error, each naming its variable."""
    lines = []
    for error in exc.errors():
        message = str(error["msg"]).removeprefix("Value error, ")
        variable = f"GUILDHALL_{str(error['loc'][0]).upper()}" if error["loc"] else ""
        lines.append(message if not variable or message.startswith(variable) else f"{variable}: {message}")
    return "\n".join(lines)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
