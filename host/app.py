"""The ASGI app factory."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route, WebSocketRoute
from tortoise import connections

from core.db import Timeouts, close_db, init_db
from core.idempotency import IdempotencyMiddleware
from core.redis import make_redis
from core.registry import Registry
from core.runtime import Runtime
from core.settings import Settings, get_settings
from core.unavailable import ServiceUnavailableMiddleware
from host.graphql_view import GuildhallGraphQL
from host.ide import PREFIX as IDE_PREFIX
from host.ide import asset_endpoint, build_ide
from host.limits import BodyLimitMiddleware
from host.observability import ObservabilityMiddleware, configure_logging, install_statement_counter, metrics
from host.persisted import PersistedQueries, load_manifest
from host.proxy import TrustedProxyMiddleware
from host.registry import load_registry
from schema import build_schema

log = logging.getLogger(__name__)


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


READY_CHECK_SECONDS = 0.9


async def _check(probe: Callable[[], Awaitable[object]]) -> str:
    try:
        await asyncio.wait_for(probe(), READY_CHECK_SECONDS)
        return "ok"
    except TimeoutError:
        return "error: timed out"
    except Exception as exc:  # any failure means "not ready", with the reason shown
        return f"error: {type(exc).__name__}"


async def readyz(request: Request) -> JSONResponse:
    """Both checks run at once, each bounded: a frozen backend answers 503 within 2 s."""
    rt: Runtime = request.app.state.rt
    database, redis = await asyncio.gather(
        _check(lambda: connections.get("default").execute_query("SELECT 1")), _check(rt.redis.ping)
    )
    checks = {"database": database, "redis": redis}
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ok" if ready else "unavailable", **checks}, status_code=200 if ready else 503)


async def _await_all(results: list[Awaitable[None] | None]) -> None:
    for result in results:
        if inspect.isawaitable(result):
            await result


def create_app(
    settings: Settings | None = None,
    registry: Registry | None = None,
    rt: Runtime | None = None,
    manage_services: bool = True,
) -> Starlette:
    """Build the app. With ``manage_services`` the lifespan connects the database and Redis;
    tests pass their own ``rt`` and connections. The registry is built once, here or by the
    caller, and shared by everything the app does."""
    settings = settings or get_settings()
    registry = registry or (rt.registry if rt else load_registry(settings.plugin_allow_list))
    rt = rt or Runtime(settings=settings, registry=registry, redis=make_redis(
        settings.redis_url, settings.redis_max_connections, settings.redis_pool_timeout_seconds,
        settings.redis_socket_timeout_seconds))
    ide = None if settings.is_production else build_ide(settings.ide_assets)
    graphql = GuildhallGraphQL(
        build_schema(registry, settings),
        rt,
        persisted=make_persisted_queries(settings, rt.redis),
        ide_html=ide.html if ide else None,
        graphql_ide=None if settings.is_production else "graphiql",
        # Server pings on the legacy graphql-ws protocol; graphql-transport-ws clients ping us.
        keep_alive=True,
        keep_alive_interval=15,
        connection_init_wait_timeout=timedelta(seconds=settings.websocket_init_timeout_seconds),
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
    )
    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        Route("/graphql", graphql),
        WebSocketRoute("/graphql", graphql),
    ]
    if ide is not None:
        routes.append(Route(IDE_PREFIX + "{asset:path}", asset_endpoint(ide)))
    routes.extend(contribution.item for contribution in registry.routes)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_services:
            timeouts = Timeouts(settings.database_connect_timeout_seconds, settings.database_statement_timeout_seconds)
            await init_db(settings.database_url, registry.model_apps, timeouts, settings.database_replica_url)
        await _await_all(registry.pm.hook.startup(app=app))
        if manage_services:
            freeze_startup_objects()
        try:
            yield
        finally:
            await _await_all(registry.pm.hook.shutdown(app=app))
            if manage_services:
                await rt.redis.aclose()
                await close_db()

    install_statement_counter()
    middleware = [
        Middleware(TrustedProxyMiddleware, trusted=settings.trusted_proxy_networks),
        Middleware(ObservabilityMiddleware),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes),  # before any read
        Middleware(ServiceUnavailableMiddleware),
        Middleware(IdempotencyMiddleware, rt=rt),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.rt = rt
    return app


def make_persisted_queries(settings: Settings, redis: Redis) -> PersistedQueries:
    """APQ in Redis; with ``GUILDHALL_TRUSTED_DOCUMENTS`` only that manifest's documents."""
    trusted = load_manifest(settings.trusted_documents)[0] if settings.trusted_documents else None
    if trusted is not None:
        log.info("trusted documents: %d from %s", len(trusted), settings.trusted_documents)
    return PersistedQueries(redis, settings.persisted_query_days * 24 * 60 * 60, trusted)


# Generation thresholds for serving: a list screen allocates millions of short-lived objects
# (graphql-core results, strawberry wrappers, rows); with the default (700, 10, 10) that meant
# several full collections per request, each walking every long-lived object. Young
# collections now run every 50,000 allocations, full ones rarely.
GC_THRESHOLDS = (50_000, 20, 100)


def tune_gc() -> None:
    gc.set_threshold(*GC_THRESHOLDS)


def freeze_startup_objects() -> None:
    """After start-up (modules, schema, settings, pools) nothing made so far is garbage: move it
    all to the permanent generation, so no collection walks it again."""
    gc.collect()
    gc.freeze()


def serve_app() -> Starlette:
    """The factory ``guildhall serve`` runs in each server process: logging, the garbage
    collector's settings (the lifespan freezes what start-up made), then the app."""
    settings = get_settings()
    configure_logging(settings)
    tune_gc()
    return create_app(settings)
