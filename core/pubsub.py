"""One Redis pub/sub connection per process, shared by every subscriber.

Each WebSocket subscription used to open its own ``PubSub`` (a pooled Redis connection held for
as long as it listened), so 100 subscriptions took the connections that requests and logins
needed. The hub holds a single ``PubSub``; channels are subscribed on Redis while at least one
local subscriber wants them (reference counted) and each message is fanned out to the
subscribers' own bounded queues.

When Redis drops, the reader reconnects with exponential backoff (0.05 s doubling to 5 s) and
subscribes every channel again, so subscriptions resume by themselves once Redis is back.
Messages published while it was away are lost: pub/sub delivers at most once. A subscriber
that falls ``queue_size`` messages behind is ended with ``SubscriberTooSlow`` rather than
let its backlog grow without bound; its client resubscribes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncGenerator
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from core.redis import REDIS_FAILURES

log = logging.getLogger(__name__)

BACKOFF_FIRST = 0.05
BACKOFF_MAX = 5.0
POLL_SECONDS = 1.0
_OVERFLOW = object()


class SubscriberTooSlow(Exception):
    """The subscriber did not keep up with its channel; resubscribe to continue."""


class _Subscriber:
    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[object] = asyncio.Queue(maxsize=size)

    def offer(self, data: str) -> bool:
        """Queue ``data``; False (and the subscriber is ended) when it is full."""
        try:
            self.queue.put_nowait(data)
            return True
        except asyncio.QueueFull:
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(_OVERFLOW)
            return False


class PubSubHub:
    def __init__(self, redis: Redis, queue_size: int = 100) -> None:
        self.redis = redis
        self.queue_size = queue_size
        self.channels: dict[str, set[_Subscriber]] = {}
        self.reconnects = 0  # how many times the reader had to reconnect (tests, metrics)
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._connected = asyncio.Event()

    async def listen(self, channel: str) -> AsyncGenerator[str, None]:
        """The raw payloads published on ``channel`` from now on."""
        subscriber = _Subscriber(self.queue_size)
        await self._add(channel, subscriber)
        try:
            while True:
                item = await subscriber.queue.get()
                if item is _OVERFLOW:
                    raise SubscriberTooSlow(f"Fell {self.queue_size} messages behind on {channel}")
                assert isinstance(item, str)
                yield item
        finally:
            await self._remove(channel, subscriber)

    @property
    def connected(self) -> bool:
        """The shared connection is up with every channel subscribed."""
        return self._connected.is_set()

    async def wait_connected(self) -> None:
        """Until the hub's connection is up with every channel subscribed (tests)."""
        await self._connected.wait()

    async def _add(self, channel: str, subscriber: _Subscriber) -> None:
        async with self._lock:
            subscribers = self.channels.setdefault(channel, set())
            subscribers.add(subscriber)
            if len(subscribers) == 1 and self._pubsub is not None:
                try:
                    await self._pubsub.subscribe(channel)
                except REDIS_FAILURES:
                    self._connected.clear()  # the reader notices and resubscribes everything
            if self._reader is None or self._reader.done():
                self._reader = asyncio.create_task(self._read(), name="guildhall-pubsub")

    async def _remove(self, channel: str, subscriber: _Subscriber) -> None:
        async with self._lock:
            subscribers = self.channels.get(channel)
            if subscribers is None:
                return
            subscribers.discard(subscriber)
            if subscribers:
                return
            del self.channels[channel]
            if self._pubsub is not None:
                with contextlib.suppress(*REDIS_FAILURES):
                    await self._pubsub.unsubscribe(channel)
            if not self.channels and self._reader is not None:
                self._reader.cancel()
                self._reader = None
                await self._close()

    async def _connect(self) -> PubSub:
        async with self._lock:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                if self.channels:
                    await pubsub.subscribe(*self.channels)
                else:
                    await pubsub.connect()  # type: ignore[no-untyped-call]
            except BaseException:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
                raise
            self._pubsub = pubsub
            self._connected.set()
            return pubsub

    async def _close(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        self._connected.clear()
        if pubsub is not None:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated

    async def _read(self) -> None:
        # Cancelled by ``_remove`` when the last subscriber leaves (which closes the connection).
        backoff = BACKOFF_FIRST
        while self.channels:
            try:
                pubsub = self._pubsub or await self._connect()
                if not self._connected.is_set():
                    raise ConnectionError("a subscribe failed: resubscribe everything")
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=POLL_SECONDS)
            except REDIS_FAILURES as exc:
                log.warning("Redis pub/sub lost (%s); reconnecting in %.2f s", exc, backoff)
                self.reconnects += 1
                await self._close()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
                continue
            backoff = BACKOFF_FIRST
            if message is not None and message.get("type") == "message":
                self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        channel = message["channel"]
        for subscriber in list(self.channels.get(channel, ())):
            if not subscriber.offer(message["data"]):
                self.channels[channel].discard(subscriber)


_hubs: weakref.WeakKeyDictionary[Redis, PubSubHub] = weakref.WeakKeyDictionary()


def hub_for(redis: Redis, queue_size: int = 100) -> PubSubHub:
    """The process's hub for this Redis client (made on first use)."""
    hub = _hubs.get(redis)
    if hub is None:
        hub = _hubs[redis] = PubSubHub(redis, queue_size)
    return hub


async def publish(redis: Redis, channel: str, data: str) -> bool:
    """Publish; with Redis down the message is dropped (logged) and the caller carries on: the
    change that caused it has already been committed, and pub/sub is at-most-once anyway."""
    try:
        await redis.publish(channel, data)
        return True
    except REDIS_FAILURES as exc:
        log.warning("Redis down: event on %s not published (%s)", channel, exc)
        return False
