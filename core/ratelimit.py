"""Rate limits shared by every server process: a token bucket per caller and attempt counters.

The bucket is GCRA (the "generic cell rate algorithm", a token bucket kept as one timestamp):
one Lua script reads and moves a caller's *theoretical arrival time* (TAT) atomically, so
concurrent requests on any number of processes never overspend. The time comes from the
runtime's clock (``rt.now()``), passed into the script, so tests advance time without sleeping.

- ``capacity`` points at most; ``rate`` points come back per second.
- A charge of ``cost`` moves the TAT ``cost / rate`` seconds forward; it is refused when the new
  TAT would lie more than ``capacity / rate`` seconds ahead of now. Refusals change nothing.
- The key expires when the bucket would be full again, so idle callers leave no keys behind.
"""

from __future__ import annotations

import ipaddress
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.requests import HTTPConnection

from core.settings import Settings

log = logging.getLogger(__name__)

BUCKET_KEY = "ratelimit:bucket:{caller}"

# KEYS[1] the bucket; ARGV: now (ms), capacity (points), rate (points/s), cost (points).
# Returns {allowed 0/1, points left (after the charge when allowed), ms until the cost fits}.
_GCRA = """
local now = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local interval = 1000 / rate
local tolerance = capacity * interval
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + cost * interval
local allow_at = new_tat - tolerance
if allow_at > now then
  return {0, math.floor((now + tolerance - tat) / interval), math.ceil(allow_at - now)}
end
if cost > 0 then
  redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.max(1, math.ceil(new_tat - now)))
end
return {1, math.floor((now + tolerance - new_tat) / interval), 0}
"""


@dataclass(frozen=True)
class Throttle:
    """The answer of one charge: whether it passed, and the bucket as it now stands."""

    allowed: bool
    capacity: int
    available: int
    restore_rate: float
    retry_after: float = 0.0  # seconds until the refused cost would fit

    def as_extension(self) -> dict[str, Any]:
        return {
            "maximumAvailable": self.capacity,
            "currentlyAvailable": self.available,
            "restoreRate": self.restore_rate,
        }


class TokenBucket:
    """``await bucket.charge(caller, cost, now_ms)``; cost 0 only reads the bucket."""

    def __init__(self, redis: Redis, capacity: int, rate: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self._script = redis.register_script(_GCRA)

    async def charge(self, caller: str, cost: int, now_ms: int) -> Throttle:
        try:
            allowed, available, wait_ms = await self._script(
                keys=[BUCKET_KEY.format(caller=caller)], args=[now_ms, self.capacity, self.rate, cost]
            )
        except RedisError:
            # Redis down: rate limits are lifted rather than the API being unavailable.
            log.warning("rate limit bucket unavailable; request allowed", exc_info=True)
            return Throttle(True, self.capacity, self.capacity, self.rate)
        return Throttle(bool(allowed), self.capacity, max(0, int(available)), self.rate, int(wait_ms) / 1000)


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


# Attempt counters (sign-in): increment first, compare after, in one MULTI. -------------------------


async def count_attempts(redis: Redis, keys: Sequence[str], window_seconds: int) -> list[int]:
    """Count one attempt on every key (each expiring ``window_seconds`` after its last attempt);
    returns the new counts. Concurrent attempts each see a distinct count, so at most the limit
    of them pass a ``count <= limit`` test."""
    async with redis.pipeline(transaction=True) as pipe:
        for key in keys:
            pipe.incr(key)
            pipe.expire(key, window_seconds)
        results = await pipe.execute()
    return [int(count) for count in results[::2]]


# The client's address -----------------------------------------------------------------------------


def _networks(settings: Settings) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(item.strip(), strict=False) for item in settings.trusted_proxies.split(",")
            if item.strip()]


def _is_trusted(address: str, networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(connection: HTTPConnection | None, settings: Settings) -> str:
    """The caller's address: the connection's peer, or, when that peer is a trusted proxy
    (``GUILDHALL_TRUSTED_PROXIES``), the right-most ``X-Forwarded-For`` entry that is not one."""
    if connection is None:
        return "unknown"
    peer = connection.client.host if connection.client else "unknown"
    networks = _networks(settings)
    if not networks or not _is_trusted(peer, networks):
        return peer
    forwarded = [part.strip() for part in connection.headers.get("x-forwarded-for", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _is_trusted(address, networks):
            return address
    return forwarded[0] if forwarded else peer
