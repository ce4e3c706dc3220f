"""The GraphQL endpoint: strawberry's ASGI view with our context and authentication, persisted
queries (host/persisted.py), GraphQL-over-HTTP media types, caching headers for GET, request
ids on internal errors, and GraphiQL from the app's own pinned assets (host/ide.py)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable
from contextvars import ContextVar
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.http.base import BaseRequestProtocol
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.unset import UnsetType

from core import errors
from core.context import AuthenticationFailed, Context, authenticate
from core.loaders import Loaders
from core.metrics import OPEN_SUBSCRIPTIONS
from core.runtime import Runtime
from host.observability import current_request
from host.persisted import NOT_FOUND, PersistedQueries, PersistedQueryError, operation_name

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
# Request errors that still answer 200: Apollo clients retry with the text on this one.
STAYS_OK = frozenset({NOT_FOUND})


def negotiate(accept: str | None) -> str:
    """``application/graphql-response+json`` when the client prefers it; otherwise (no Accept,
    wildcards, or only other types) ``application/json``, as the GraphQL-over-HTTP spec allows."""
    if not accept:
        return JSON
    quality: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        quality[media.lower()] = max(q, quality.get(media.lower(), 0.0))
    wanted = quality.get(GRAPHQL_RESPONSE, 0.0)
    if wanted > 0 and wanted >= quality.get(JSON, 0.0):
        return GRAPHQL_RESPONSE
    return JSON


def is_request_error(result: ExecutionResult) -> bool:
    """No execution happened (parse, validation, variables, persisted-query errors): under
    ``application/graphql-response+json`` that answer has no ``data`` and a 4xx status."""
    if not result.errors or result.data is not None:
        return False
    if any((error.extensions or {}).get("code") in STAYS_OK for error in result.errors):
        return False
    return isinstance(result, PreExecutionError) or all(error.path is None for error in result.errors)


# The context of the operation a WebSocket task runs (unset in the connection's own task).
_OPERATION_CONTEXT: ContextVar[Context | None] = ContextVar("operation_context", default=None)


class PerOperationContext:
    """Strawberry hands every operation of a WebSocket the connection's one context. Here each
    operation task sees its own copy with its own loaders instead, so a query never answers
    from rows cached by an earlier operation on the socket, and a subscription that renews its
    loaders does not touch its neighbours'. Who is asking (set at ``connection_init``) stays
    the connection's."""

    _connection_context: Context

    @property
    def context(self) -> Context:
        return _OPERATION_CONTEXT.get() or self._connection_context

    @context.setter
    def context(self, value: Context) -> None:
        self._connection_context = value

    async def _in_own_context(self, operation: Awaitable[None]) -> None:
        context = dataclasses.replace(self._connection_context, loaders=Loaders())
        _OPERATION_CONTEXT.set(context)  # this task's own copy of the contextvars
        try:
            await operation
        finally:
            context.loaders.clear()


class GuildhallTransportWSHandler(PerOperationContext, BaseGraphQLTransportWSHandler[Context, None]):
    view: GuildhallGraphQL

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        payload = message["payload"]
        try:
            resolved = await self.view.persisted.resolve(payload.get("query"), payload.get("extensions"))
        except PersistedQueryError as exc:
            await self.send_message({"id": message["id"], "type": "error",
                                     "payload": [exc.as_graphql_error().formatted]})
            return
        payload["query"] = resolved.query or ""
        await super().handle_subscribe(message)

    async def run_operation(self, operation: Any) -> None:
        OPEN_SUBSCRIPTIONS.inc()
        try:
            await self._in_own_context(super().run_operation(operation))
        finally:
            OPEN_SUBSCRIPTIONS.dec()


class GuildhallWSHandler(PerOperationContext, BaseGraphQLWSHandler[Context, None]):
    view: GuildhallGraphQL

    async def handle_start(self, message: StartMessage) -> None:
        payload = message["payload"]
        try:
            resolved = await self.view.persisted.resolve(payload.get("query"), payload.get("extensions"))
        except PersistedQueryError as exc:
            await self.send_message({"type": "error", "id": message["id"],
                                     "payload": exc.as_graphql_error().formatted})
            return
        payload["query"] = resolved.query or ""
        await super().handle_start(message)

    async def handle_async_results(self, *args: Any, **kwargs: Any) -> None:
        OPEN_SUBSCRIPTIONS.inc()
        try:
            await self._in_own_context(super().handle_async_results(*args, **kwargs))
        finally:
            OPEN_SUBSCRIPTIONS.dec()


class GuildhallGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = GuildhallTransportWSHandler
    graphql_ws_handler_class = GuildhallWSHandler

    def __init__(self, schema: Any, rt: Runtime, *, persisted: PersistedQueries, ide_html: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(schema, **kwargs)
        self.rt = rt
        self.persisted = persisted
        self.ide_html = ide_html

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except AuthenticationFailed as exc:
            # A bad token is answered with 401 and a code, so apps know to refresh.
            body = {"data": None, "errors": [{"message": str(exc), "extensions": {"code": errors.INVALID_TOKEN}}]}
            await JSONResponse(body, status_code=401)(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        """A body json can't take (100,000 nested arrays, a 5,000-digit number) is a bad request
        (400), like any other malformed JSON, never an internal error."""
        try:
            return json.loads(data)
        except (ValueError, RecursionError) as exc:
            if isinstance(exc, json.JSONDecodeError):
                raise
            raise json.JSONDecodeError(f"JSON not accepted: {type(exc).__name__}", "", 0) from None

    def encode_json(self, data: object) -> bytes:
        # Raw UTF-8 and no spaces: Chinese text is half the bytes of \u escapes. orjson writes the
        # same text as json.dumps(ensure_ascii=False, separators=(",", ":")) several times faster;
        # json.dumps remains for what orjson refuses (integers beyond 64 bits).
        try:
            return orjson.dumps(data)
        except TypeError:
            return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # A GET naming a persisted query by hash alone is an operation, not a browser.
        return "extensions" not in request.query_params and super().should_render_graphql_ide(request)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self.ide_html or self.graphql_ide_html)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        context = Context(rt=self.rt, request=request, response=response)
        if isinstance(request, Request):
            request.state.sub_response = response
            context.viewer = await authenticate(self.rt, request.headers.get("authorization"))
            if record := current_request():
                record.is_graphql = True
                record.account_id = context.viewer.account_id
        return context

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Subscriptions authenticate with ``{"authorization": "Bearer <token>"}`` in connection_init."""
        params = context.connection_params or {}
        authorization = params.get("authorization") or params.get("Authorization")
        try:
            context.viewer = await authenticate(self.rt, authorization if isinstance(authorization, str) else None)
        except AuthenticationFailed as exc:
            raise ConnectionRejectionError({"code": errors.INVALID_TOKEN, "message": str(exc)}) from exc
        return await super().on_ws_connect(context)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        record = current_request()
        try:
            resolved = await self.persisted.resolve(request_data.query, request_data.extensions)
        except PersistedQueryError as exc:
            return ExecutionResult(data=None, errors=[exc.as_graphql_error()])
        if resolved.query != request_data.query:
            request_data = dataclasses.replace(request_data, query=resolved.query)
        if record is not None:
            record.operation = request_data.operation_name or operation_name(request_data.query)
        try:
            result = await super().execute_single(request, request_adapter, sub_response, context, root_value,
                                                  request_data)
        finally:
            context.loaders.clear()  # answered: free what the loaders cached now, not at a full GC
        if resolved.store and resolved.query and not is_request_error(result):
            await self.persisted.store(resolved.store, resolved.query)
        return result

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        response = process_result(result)
        if not isinstance(request, Request) or request.scope["type"] != "http":
            return response
        record = current_request()
        if record is not None:
            record.cost = _cost(response)
            _tag_internal_errors(response, record.request_id, masked=self.rt.settings.is_production)
        sub_response: Response | None = getattr(request.state, "sub_response", None)
        if sub_response is None:
            return response
        media_type = negotiate(request.headers.get("accept"))
        sub_response.headers["content-type"] = media_type
        if media_type == GRAPHQL_RESPONSE and is_request_error(result):
            response.pop("data", None)
            if not sub_response.status_code:
                sub_response.status_code = 400
        if request.method == "GET":
            sub_response.headers["vary"] = "Accept, Authorization"
            sub_response.headers["cache-control"] = self._get_cache_control(request, result)
        return response

    def _get_cache_control(self, request: Request, result: ExecutionResult) -> str:
        if "authorization" in request.headers:
            return "private, no-store"
        if result.errors:
            return "no-store"
        seconds = self.rt.settings.get_cache_seconds
        return f"public, max-age={seconds}" if seconds else "no-cache"

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        media_type = sub_response.headers.get("content-type") or JSON
        if "content-type" in sub_response.headers:
            del sub_response.headers["content-type"]
        response = Response(self.encode_json(response_data), status_code=sub_response.status_code or 200,
                            media_type=media_type)
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        return response


def _cost(response: GraphQLHTTPResponse) -> float | None:
    """``extensions.cost.actualQueryCost`` (else the requested cost) when a cost extension reports it."""
    cost = (response.get("extensions") or {}).get("cost")
    if not isinstance(cost, dict):
        return None
    for key in ("actualQueryCost", "requestedQueryCost"):
        value = cost.get(key)
        if isinstance(value, int | float):
            return float(value)
    return None


def _tag_internal_errors(response: GraphQLHTTPResponse, request_id: str, masked: bool) -> None:
    """Internal errors carry ``extensions.requestId``; masked ones name it in the message too,
    so a user's report leads to the log lines of that request."""
    for error in response.get("errors") or []:
        if not isinstance(error, dict):
            continue
        extensions = error.get("extensions")
        if isinstance(extensions, dict) and extensions.get("code") == errors.INTERNAL:
            extensions["requestId"] = request_id
            if masked:
                error["message"] = f"{error.get('message', 'Unexpected error.')} Request id: {request_id}"
