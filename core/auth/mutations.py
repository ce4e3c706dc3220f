"""Sign-in mutations: login, tokenRefresh, logout."""

from __future__ import annotations

import strawberry
from starlette.requests import HTTPConnection

from core.auth import services
from core.context import Info
from core.mutations import Payload
from core.people.models import Person as PersonModel
from core.people.types import Person
from core.ratelimit import client_ip


@strawberry.input
class LoginInput:
    username: str
    password: str


@strawberry.type
class LoginPayload(Payload):
    access_token: str | None = None
    refresh_token: str | None = None
    me: Person | None = None


@strawberry.input
class TokenRefreshInput:
    refresh_token: str


@strawberry.type
class TokenRefreshPayload(Payload):
    access_token: str | None = None
    refresh_token: str | None = None


@strawberry.input
class LogoutInput:
    refresh_token: str | None = None
    all_sessions: bool = False


@strawberry.type
class LogoutPayload(Payload):
    ok: bool = False


def _client(info: Info) -> str:
    """Who refreshes, for the refresh grace: the app's User-Agent and network address."""
    request = info.context.request
    if request is None or not hasattr(request, "headers"):
        return ""
    host = request.client.host if getattr(request, "client", None) else ""
    return f"{request.headers.get('user-agent', '')}|{host}"


@strawberry.type
class AuthMutations:
    @strawberry.mutation(description="Sign in: a short-lived access token and a refresh token.")
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        rt = info.context.rt
        request = info.context.request
        ip = client_ip(request if isinstance(request, HTTPConnection) else None, rt.settings)
        pair = await services.login(rt, input.username, input.password, ip)
        person = None
        if pair.account.person_id is not None:
            row = await PersonModel.get_or_none(id=pair.account.person_id)
            person = Person.from_model(row) if row else None
        return LoginPayload(access_token=pair.access_token, refresh_token=pair.refresh_token, me=person)

    @strawberry.mutation(description="Trade a refresh token for a new pair; the old one is spent.")
    async def token_refresh(self, info: Info, input: TokenRefreshInput) -> TokenRefreshPayload:
        pair = await services.refresh(info.context.rt, input.refresh_token, _client(info))
        return TokenRefreshPayload(access_token=pair.access_token, refresh_token=pair.refresh_token)

    @strawberry.mutation(description="Sign out this session (or all) and revoke the access token.")
    async def logout(self, info: Info, input: LogoutInput) -> LogoutPayload:
        await services.logout(info.context.rt, info.context.viewer, input.refresh_token, input.all_sessions)
        return LogoutPayload(ok=True)
