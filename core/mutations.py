"""Shared mutation plumbing: expected failures become payload errors."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from core.errors import UserInputError

P = ParamSpec("P")


PayloadT = TypeVar("PayloadT")


def payload_errors(
    payload: Callable[..., PayloadT],
) -> Callable[[Callable[P, Awaitable[PayloadT]]], Callable[P, Awaitable[PayloadT]]]:
    """Decorate a mutation resolver: a ``UserInputError`` it raises becomes ``payload(errors=...)``.

    Services raise inside their transaction, so nothing is half-written when this catches.
    """

    def decorate(fn: Callable[P, Awaitable[PayloadT]]) -> Callable[P, Awaitable[PayloadT]]:
        @functools.wraps(fn)
        async def resolver(*args: P.args, **kwargs: P.kwargs) -> PayloadT:
            try:
                return await fn(*args, **kwargs)
            except UserInputError as exc:
                return payload(errors=exc.errors)

        return resolver

    return decorate
