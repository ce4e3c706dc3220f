"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106).

Argon2 is deliberately slow (tens of milliseconds and 64 MiB per hash): on the event loop it
would stall every other request. ``hash_password_async``/``verify_password_async`` run it in a
worker thread, at most ``concurrency`` at a time per event loop (``password_hash_concurrency``),
so a burst of sign-ins queues for the hasher instead of exhausting memory.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash("guildhall-timing-equaliser")

MIN_PASSWORD_LENGTH = 8
DEFAULT_CONCURRENCY = 4  # the default of the `password_hash_concurrency` setting

T = TypeVar("T")
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def _gate(concurrency: int) -> asyncio.Semaphore:
    per_loop = _gates.setdefault(asyncio.get_running_loop(), {})
    return per_loop.setdefault(concurrency, asyncio.Semaphore(concurrency))


async def _in_thread(concurrency: int, fn: Callable[..., T], *args: object) -> T:
    async with _gate(concurrency):
        return await asyncio.to_thread(fn, *args)


async def hash_password_async(password: str, concurrency: int = DEFAULT_CONCURRENCY) -> str:
    return await _in_thread(concurrency, hash_password, password)


async def verify_password_async(
    password_hash: str | None, password: str, concurrency: int = DEFAULT_CONCURRENCY
) -> bool:
    # Looked up at call time (not bound at import), so tests can observe the worker thread.
    return await _in_thread(concurrency, verify_password, password_hash, password)
