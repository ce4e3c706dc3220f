"""The ASGI app factory."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import pluggy
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route, WebSocketRoute
from tortoise import connections

from core.db import close_db, init_db
from core.graphql_view import GuildhallGraphQL
from core.idempotency import IdempotencyMiddleware
from core.plugins import await_hook, build_plugin_manager, hook_results
from core.redis import make_redis
from core.runtime import Runtime
from core.settings import Settings, get_settings
from schema import build_schema

log = logging.getLogger(__name__)


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    rt: Runtime = request.app.state.rt
    checks: dict[str, str] = {}
    try:
        await connections.get("default").execute_query("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "not ready", with the reason shown
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        await rt.redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"error: {type(exc).__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ok" if ready else "unavailable", **checks}, status_code=200 if ready else 503)


def create_app(
    settings: Settings | None = None,
    pm: pluggy.PluginManager | None = None,
    rt: Runtime | None = None,
    manage_services: bool = True,
) -> Starlette:
    """Build the app. With ``manage_services`` the lifespan connects the database and runs the
    plugins' start-up and shut-down hooks; tests pass their own ``rt`` and connections."""
    settings = settings or get_settings()
    pm = pm or build_plugin_manager(settings.plugin_allow_list)
    rt = rt or Runtime(settings=settings, pm=pm, redis=make_redis(settings.redis_url))
    graphql = GuildhallGraphQL(
        build_schema(pm, settings),
        rt,
        graphql_ide=None if settings.is_production else "graphiql",
        keep_alive=True,
        keep_alive_interval=15,
    )
    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/graphql", graphql),
        WebSocketRoute("/graphql", graphql),
    ]
    for _plugin, plugin_routes in hook_results(pm, "register_routes"):
        routes.extend(plugin_routes)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_services:
            await init_db(settings.database_url, pm)
        await await_hook(pm, "startup", app=app)
        try:
            yield
        finally:
            await await_hook(pm, "shutdown", app=app)
            if manage_services:
                await rt.redis.aclose()
                await close_db()

    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(IdempotencyMiddleware, rt=rt)])
    app.state.rt = rt
    return app
