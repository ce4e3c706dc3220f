"""Driving ``organisationEvents`` through the real schema (``schema.subscribe``) in tests: the same
resolver, guards and errors as over the WebSocket (tests/core/test_app.py covers the transport)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from graphql import ExecutionResult

from core.context import Context, authenticate
from core.events import organisation_channel
from core.organisations.models import Organisation
from core.pubsub import hub_for
from core.runtime import Runtime
from schema.build import build_schema
from tests.support import User, gid

SUBSCRIBE = "subscription($o: ID!) { organisationEvents(organisationId: $o) { name payload } }"


async def _listeners(rt: Runtime, channel: str) -> int:
    """Subscribers of this process on ``channel`` once the shared pub/sub connection (one per
    process, ``core.pubsub``) is up: Redis itself sees one subscription however many listen."""
    hub = hub_for(rt.redis, rt.settings.subscription_queue_size)
    if not hub.connected:
        return 0
    return len(hub.channels.get(channel, ()))


class Subscription:
    """One viewer's ``organisationEvents`` stream, listening once ``open()`` returns."""

    def __init__(self, rt: Runtime, user: User | None, org: Organisation) -> None:
        self.rt, self.org, self.user = rt, org, user
        self.stream: AsyncIterator[ExecutionResult] | None = None
        self.pending: asyncio.Future[ExecutionResult] | None = None

    async def open(self) -> ExecutionResult | None:
        """None once listening; the refusal when the subscription is refused."""
        viewer = await authenticate(self.rt, None if self.user is None else f"Bearer {self.user.token}")
        self.context = Context(rt=self.rt, viewer=viewer)
        schema = build_schema(self.rt.registry, self.rt.settings)
        result: Any = await schema.subscribe(SUBSCRIBE, {"o": gid("Organisation", self.org.id)}, self.context)
        if isinstance(result, ExecutionResult):
            return result
        self.stream = result
        channel = organisation_channel(self.org.id)
        before = await _listeners(self.rt, channel)
        self.pending = asyncio.ensure_future(result.__anext__())

        pending = self.pending

        async def listening() -> None:
            """Until its Redis subscription exists (or the stream ended): a state, not a delay."""
            while not pending.done() and await _listeners(self.rt, channel) <= before:  # noqa: ASYNC110
                await asyncio.sleep(0)  # let the subscription task run

        await asyncio.wait_for(listening(), 5)
        if self.pending.done():
            return self.pending.result()
        return None

    async def next(self) -> dict[str, Any]:
        assert self.pending is not None and self.stream is not None
        result = await asyncio.wait_for(self.pending, 5)
        assert result.errors is None, result.errors
        self.pending = asyncio.ensure_future(self.stream.__anext__())
        assert result.data is not None
        return dict(result.data["organisationEvents"])

    async def close(self) -> None:
        if self.pending is not None:
            self.pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await self.pending
        if self.stream is not None:
            await self.stream.aclose()  # type: ignore[attr-defined]


async def open_subscription(
    opened: list[Subscription], rt: Runtime, user: User | None, org: Organisation
) -> Subscription:
    """A listening subscription, added to ``opened`` (close them at the end)."""
    sub = Subscription(rt, user, org)
    opened.append(sub)
    refused = await sub.open()
    assert refused is None, refused
    return sub
