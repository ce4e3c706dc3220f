"""``QueryLimits``: token limit, static cost, the caller's token bucket, execution time, and
``extensions.cost`` on every response.

Order of a request: the parser stops past ``max_query_tokens`` (``QUERY_TOO_LARGE``); after
validation (cached per document by strawberry) and before execution the cost is computed from
the cached AST and this request's variables (``schema/cost.py``); above the limit the query is
refused (``QUERY_TOO_COSTLY``, naming both numbers); else the caller's bucket is charged the cost
(empty: HTTP 429, ``Retry-After``, ``RATE_LIMITED``); execution then runs under
``query_timeout_seconds`` (``QUERY_TIMEOUT``).

``actualQueryCost`` counts the objects really returned (the same unit: one per object), so a
page shorter than ``first`` costs less than requested. The bucket is charged the requested cost.
Subscriptions are not charged here (they are long-lived; their limits are per connection).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import OperationType, get_operation_ast
from starlette.requests import Request
from strawberry.extensions import SchemaExtension

from core import errors
from core.context import Context
from core.errors import PublicError
from core.ratelimit import Throttle, TokenBucket, client_ip, retry_after_header
from core.settings import Settings
from schema.cost import cached_operation_cost

_TOO_MANY_TOKENS = re.compile(r"^Syntax Error: Document contains more than \d+ (tokens|comments)\.")
INTROSPECTION = frozenset({"__schema", "__type"})


def count_objects(data: Any) -> int:
    """Objects in a result (the root excluded, introspection left out): the actual cost.
    Iterative, with exact type checks: results are plain dicts and lists, and a large list
    screen holds tens of thousands of values."""
    if not isinstance(data, dict):
        return 0
    objects = 0
    pending = [value for key, value in data.items() if key not in INTROSPECTION]
    while pending:
        value = pending.pop()
        kind = type(value)
        if kind is dict:
            objects += 1
            pending.extend(value.values())
        elif kind is list:
            pending.extend(value)
    return objects


def _error(message: str, code: str, **extensions: Any) -> PublicError:
    error = PublicError(message, code)
    error.extensions = {**(error.extensions or {}), **extensions}
    return error


class QueryLimits(SchemaExtension):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.requested = 0
        self.actual = 0
        self.throttle: Throttle | None = None

    # Where the request comes from and which bucket pays ----------------------------------------

    def _context(self) -> Context | None:
        context = self.execution_context.context
        return context if isinstance(context, Context) else None

    def _bucket(self, context: Context) -> tuple[TokenBucket, str] | None:
        """The caller's bucket; None outside HTTP requests (WebSocket, direct ``schema.execute``)."""
        if not isinstance(context.request, Request):
            return None
        s = self.settings
        if context.viewer.account_id is not None:
            return TokenBucket(context.rt.redis, s.rate_limit_bucket_size, s.rate_limit_restore_rate), (
                f"account:{context.viewer.account_id}"
            )
        caller = f"ip:{client_ip(context.request, s)}"
        return TokenBucket(context.rt.redis, s.rate_limit_anonymous_bucket_size, s.rate_limit_restore_rate), caller

    @staticmethod
    def _now_ms(context: Context) -> int:
        return int(context.rt.now().timestamp() * 1000)

    # Hooks ---------------------------------------------------------------------------------------

    def on_operation(self) -> Iterator[None]:
        options: dict[str, Any] = self.execution_context.parse_options  # type: ignore[assignment]
        options["max_lexical_tokens"] = self.settings.max_query_tokens
        options["max_comments"] = self.settings.max_query_tokens
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = self._context()
        document = execution.graphql_document
        operation = get_operation_ast(document, execution.operation_name) if document else None
        if context is None or document is None or operation is None or (
            operation.operation == OperationType.SUBSCRIPTION
        ):
            yield
            return
        self.requested = cached_operation_cost(execution.schema._schema, document, operation, execution.variables)
        bucket = self._bucket(context)
        limit = min(self.settings.max_query_cost, bucket[0].capacity if bucket else self.settings.max_query_cost)
        if self.requested > limit:
            raise _error(
                f"This query costs {self.requested} points; the limit is {limit}. Ask for smaller pages (`first`).",
                errors.QUERY_TOO_COSTLY, cost=self.requested, limit=limit,
            )
        if bucket is not None:
            self.throttle = await bucket[0].charge(bucket[1], self.requested, self._now_ms(context))
            if not self.throttle.allowed:
                retry_after = retry_after_header(self.throttle.retry_after)
                context.response.status_code = 429
                context.response.headers["Retry-After"] = retry_after
                raise _error(
                    f"Rate limit exceeded: this query costs {self.requested} points and "
                    f"{self.throttle.available} are left; retry in {retry_after} s.",
                    errors.RATE_LIMITED, retryAfter=int(retry_after),
                )
        try:
            async with asyncio.timeout(self.settings.query_timeout_seconds):
                yield
        except TimeoutError:
            raise _error(
                f"The query ran longer than {self.settings.query_timeout_seconds:g} s and was stopped.",
                errors.QUERY_TIMEOUT, limit=self.settings.query_timeout_seconds,
            ) from None
        result = execution.result
        self.actual = count_objects(getattr(result, "data", None))

    async def get_results(self) -> dict[str, Any]:
        # Called for every result, also when parsing failed (where on_operation never resumes).
        for error in self.execution_context.pre_execution_errors or []:
            if _TOO_MANY_TOKENS.match(error.message):
                error.extensions = {"code": errors.QUERY_TOO_LARGE, "limit": self.settings.max_query_tokens}
        context = self._context()
        if self.throttle is None and context is not None and (bucket := self._bucket(context)) is not None:
            self.throttle = await bucket[0].charge(bucket[1], 0, self._now_ms(context))  # read only
        return {
            "cost": {
                "requestedQueryCost": self.requested,
                "actualQueryCost": self.actual,
                "throttleStatus": self.throttle.as_extension() if self.throttle else None,
            }
        }


__all__ = ["QueryLimits", "count_objects"]
