"""Shared mutation plumbing.

Every payload subclasses ``Payload`` and adds its noun (``course: TrainingCourse | None = None``).
Resolvers raise nothing themselves: the host's ``MutationGuard`` turns a service's
``UserInputError`` into ``Payload(errors=...)`` and clears the request's loaders afterwards.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import strawberry

from core.errors import UserError, UserInputError


@strawberry.type
class Payload:
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Expected failures (and warnings such as ALREADY_ENROLLED)."
    )


P = ParamSpec("P")
PayloadT = TypeVar("PayloadT")


def payload_errors(
    payload: Callable[..., PayloadT],
) -> Callable[[Callable[P, Awaitable[PayloadT]]], Callable[P, Awaitable[PayloadT]]]:
    """Being retired: ``MutationGuard`` does this for every mutation. Left while callers move."""

    def decorate(fn: Callable[P, Awaitable[PayloadT]]) -> Callable[P, Awaitable[PayloadT]]:
        @functools.wraps(fn)
        async def resolver(*args: P.args, **kwargs: P.kwargs) -> PayloadT:
            try:
                return await fn(*args, **kwargs)
            except UserInputError as exc:
                return payload(errors=exc.errors)

        return resolver

    return decorate
