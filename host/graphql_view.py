"""The GraphQL endpoint: strawberry's ASGI view with our context and authentication."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UnsetType

from core import errors
from core.context import AuthenticationFailed, Context, authenticate
from core.runtime import Runtime


class GuildhallGraphQL(GraphQL[Context, None]):
    def __init__(self, schema: Any, rt: Runtime, **kwargs: Any) -> None:
        super().__init__(schema, **kwargs)
        self.rt = rt

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

    def encode_json(self, data: object) -> str:
        # Raw UTF-8 and no spaces: Chinese text is half the bytes of \u escapes.
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        context = Context(rt=self.rt, request=request, response=response)
        if isinstance(request, Request):
            context.viewer = await authenticate(self.rt, request.headers.get("authorization"))
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
