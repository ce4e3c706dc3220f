"""The Redis client: a real server when ``GUILDHALL_REDIS_URL`` is set, else in-process fakeredis."""

from __future__ import annotations

from redis.asyncio import Redis


def make_redis(url: str | None) -> Redis:
    if url:
        return Redis.from_url(url, decode_responses=True)
    # fakeredis speaks the same client API; fine for one process (`make run`, tests).
    from fakeredis import FakeAsyncRedis

    return FakeAsyncRedis(decode_responses=True)
