"""The per-request GraphQL context: who is asking, loaders, and the shared runtime."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry

from core import errors
from core.auth.revocations import is_revoked
from core.auth.tokens import AccessClaims, InvalidToken, read_access_token
from core.errors import PublicError
from core.loaders import Loaders
from core.runtime import Runtime


@dataclass(frozen=True)
class Viewer:
    account_id: int | None = None
    person_id: int | None = None
    is_superuser: bool = False
    token_jti: str | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.account_id is not None

    @classmethod
    def from_claims(cls, claims: AccessClaims) -> Viewer:
        return cls(claims.account_id, claims.person_id, claims.is_superuser, claims.jti)


ANONYMOUS = Viewer()


class AuthenticationFailed(Exception):
    """A bearer token was sent but is not valid: the client must refresh or sign in again."""


@dataclass
class Context:
    rt: Runtime
    viewer: Viewer = ANONYMOUS
    request: Any = None
    response: Any = None
    loaders: Loaders = field(default_factory=Loaders)
    # Set from the WebSocket `connection_init` payload (graphql-transport-ws).
    connection_params: dict[str, Any] | None = None

    def require_viewer(self) -> Viewer:
        if not self.viewer.is_authenticated:
            raise PublicError("Sign in first", errors.UNAUTHENTICATED)
        return self.viewer


Info = strawberry.Info[Context, None]


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("Authorization must be `Bearer <access token>`")
    return token.strip()


async def authenticate(rt: Runtime, authorization: str | None) -> Viewer:
    token = bearer_token(authorization)
    if token is None:
        return ANONYMOUS
    try:
        claims = read_access_token(rt.settings.secret_key, token, rt.now())
    except InvalidToken as exc:
        raise AuthenticationFailed(f"Access token is not valid: {exc}") from exc
    if await is_revoked(rt, claims.jti):  # Redis, or PostgreSQL when Redis is down
        raise AuthenticationFailed("Access token was revoked (signed out)")
    return Viewer.from_claims(claims)
