"""An HTTP client on an app built with other settings (production, trusted documents, proxies)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest

from core.runtime import Runtime
from host.app import create_app

AppClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def app_client(rt: Runtime, database: str) -> AppClient:
    """``async with app_client(env="production") as http: ...``: the app with these settings."""

    @asynccontextmanager
    async def make(**settings: Any) -> AsyncIterator[httpx.AsyncClient]:
        changed = dataclasses.replace(rt, settings=rt.settings.model_copy(update=settings))
        app = create_app(changed.settings, changed.registry, changed, manage_services=False)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            yield client

    return make
