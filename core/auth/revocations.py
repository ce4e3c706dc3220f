"""Signed-out access tokens: PostgreSQL is the record, Redis the cache.

An access token is a JWT valid until it expires; signing out puts its id (``jti``) on a deny
list that every signed-in request consults. The list must survive Redis restarting empty, so:

- ``revoke`` inserts a ``RevokedToken`` row (the record), then sets ``auth:revoked:<jti>`` in
  Redis with the token's remaining lifetime;
- the cache is *complete* while the marker key ``auth:revoked:complete`` exists: ``load``
  copies every unexpired row into Redis and then sets the marker. A Redis that restarted empty
  has no marker, so the first request afterwards loads the record again before trusting a miss;
- ``is_revoked`` asks Redis for the token and the marker in one round trip: a hit is revoked, a
  miss with the marker is not, a miss without it loads the record first;
- while Redis fails it asks PostgreSQL (one primary-key lookup). A process that saw Redis fail
  reloads the record before it trusts Redis again: revocations written while Redis was away
  (PostgreSQL only) reach the cache even when Redis comes back with its old data from disk.

SQL statements per signed-in request: none while Redis is up and warm; one ``SELECT`` per
process after Redis lost its data; one per request while Redis is down. Residual risk: a
process that saw no Redis failure during an outage, with Redis restored from disk (marker
present) and the revoking process not yet reconnected, trusts the stale cache until it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from redis.asyncio import Redis
from tortoise.exceptions import IntegrityError

from core.auth.models import RevokedToken
from core.redis import RedisUnavailable, redis_errors
from core.runtime import Runtime

log = logging.getLogger(__name__)

KEY = "auth:revoked:{jti}"
COMPLETE = "auth:revoked:complete"


@dataclass
class _CacheState:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # False once this process saw Redis fail: reload the record before trusting a miss again.
    trusted: bool = True


_states: weakref.WeakKeyDictionary[Redis, _CacheState] = weakref.WeakKeyDictionary()


def _state(redis: Redis) -> _CacheState:
    state = _states.get(redis)
    if state is None:
        state = _states[redis] = _CacheState()
    return state


def _ttl(expires_at: datetime, now: datetime) -> int:
    return max(1, int((expires_at - now).total_seconds()) + 1)


async def revoke(rt: Runtime, jti: str, expires_at: datetime) -> None:
    """Deny ``jti`` until ``expires_at``; recorded even when Redis is down."""
    now = rt.now()
    await RevokedToken.filter(expires_at__lte=now).delete()  # forget what expired on its own
    with contextlib.suppress(IntegrityError):  # signed out twice
        await RevokedToken.create(jti=jti, expires_at=expires_at)
    try:
        with redis_errors():
            await rt.redis.set(KEY.format(jti=jti), "1", ex=_ttl(expires_at, now))
    except RedisUnavailable as exc:
        _state(rt.redis).trusted = False
        log.warning("revocation of %s recorded in PostgreSQL only: %s", jti, exc)


async def revoke_for(rt: Runtime, jti: str) -> None:
    """Deny an access token in use (its expiry at most ``access_token_seconds`` from now)."""
    await revoke(rt, jti, rt.now() + timedelta(seconds=rt.settings.access_token_seconds))


async def load(rt: Runtime) -> set[str]:
    """Copy the record into Redis and mark the cache complete; the unexpired jtis."""
    now = rt.now()
    rows = await RevokedToken.filter(expires_at__gt=now).values_list("jti", "expires_at")
    with redis_errors():
        async with rt.redis.pipeline(transaction=False) as pipe:
            for jti, expires_at in rows:
                pipe.set(KEY.format(jti=jti), "1", ex=_ttl(expires_at, now))
            pipe.set(COMPLETE, "1")
            await pipe.execute()
    _state(rt.redis).trusted = True
    return {jti for jti, _ in rows}


async def mark_complete(redis: Redis) -> None:
    """Declare the cache complete without loading: only when the record is known to be empty
    (a test database emptied together with its Redis)."""
    await redis.set(COMPLETE, "1")
    _state(redis).trusted = True


async def is_revoked(rt: Runtime, jti: str) -> bool:
    state = _state(rt.redis)
    try:
        with redis_errors():
            if not state.trusted:
                async with state.lock:
                    if not state.trusted:
                        await load(rt)
            async with rt.redis.pipeline(transaction=False) as pipe:
                pipe.exists(KEY.format(jti=jti))
                pipe.exists(COMPLETE)
                revoked, complete = await pipe.execute()
            if revoked or complete:
                return bool(revoked)
            async with state.lock:  # Redis lost its data: one process-wide reload
                if await rt.redis.exists(COMPLETE):
                    return bool(await rt.redis.exists(KEY.format(jti=jti)))
                return jti in await load(rt)
    except RedisUnavailable as exc:
        if state.trusted:
            log.warning("Redis down: revocations are read from PostgreSQL (%s)", exc)
        state.trusted = False
        return await RevokedToken.exists(jti=jti, expires_at__gt=rt.now())
