"""What a running app shares between requests: settings, the plugin registry, Redis, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from redis.asyncio import Redis

from core.registry import Registry
from core.settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    registry: Registry
    redis: Redis
    # Replaceable in tests that need to control time (check-in windows, expiry).
    clock: Callable[[], datetime] = field(default=utc_now)

    def now(self) -> datetime:
        return self.clock()
