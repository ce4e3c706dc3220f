"""Test helpers: GraphQL calls as a signed-in user, a controllable clock, statement counting.

Used by the host's tests and by any plugin's tests (``from host.testing import ...``); the
fixtures that hand them out live in ``host.testing.plugin``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import httpx
import pluggy

from core.auth.tokens import issue_access_token
from core.organisations.models import Organisation, OrganisationKind
from core.people.models import Membership, MembershipRole, Person
from core.relay import to_global_id
from core.runtime import Runtime


class Clock:
    """A controllable clock for ``Runtime.clock``."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)

    def set(self, when: datetime) -> None:
        self.current = when


@dataclass
class User:
    person: Person | None
    token: str
    account_id: int

    @property
    def person_gid(self) -> str:
        assert self.person is not None
        return to_global_id("Person", self.person.id)


class GraphQLClient:
    """Calls ``/graphql`` of an app: ``await gql(query, variables, user=...)`` answers ``data``."""

    def __init__(self, http: httpx.AsyncClient, rt: Runtime) -> None:
        self.http = http
        self.rt = rt
        self._accounts = 0

    async def raw(self, query: str, variables: dict[str, Any] | None = None,
                  user: User | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {user.token}"} if user else {}
        return await self.http.post("/graphql", json={"query": query, "variables": variables or {}},
                                    headers=headers)

    async def __call__(self, query: str, variables: dict[str, Any] | None = None,
                       user: User | None = None) -> dict[str, Any]:
        """The ``data`` of a successful operation; top-level errors fail the test."""
        response = await self.raw(query, variables, user)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        return cast(dict[str, Any], body["data"])

    async def errors(self, query: str, variables: dict[str, Any] | None = None,
                     user: User | None = None) -> list[dict[str, Any]]:
        """The top-level errors of an operation that must fail."""
        body = (await self.raw(query, variables, user)).json()
        assert body.get("errors"), body
        return cast(list[dict[str, Any]], body["errors"])

    def with_settings(self, **changes: Any) -> GraphQLClient:
        """A client on a fresh app with some settings changed, e.g. ``max_query_cost=10**6`` for a
        query-count test at page sizes the production cost limit refuses (close ``.http`` when done)."""
        return client_for(with_settings(self.rt, **changes))

    def token_for(self, account_id: int, person_id: int | None, superuser: bool = False) -> str:
        s = self.rt.settings
        return issue_access_token(s.secret_key, self.rt.now(), s.access_token_seconds,
                                  account_id, person_id, superuser)

    async def user(self, name: str = "测试用户", org: Organisation | None = None,
                   role: MembershipRole = MembershipRole.MEMBER, superuser: bool = False) -> User:
        """A person (in ``org`` with ``role``) and an access token; no password hashing."""
        from core.auth.models import Account

        person = await Person.create(name=name)
        if org is not None:
            await Membership.create(person=person, organisation=org, role=role)
        self._accounts += 1
        account = await Account.create(username=f"user{self._accounts}-{person.id}", password_hash="x",
                                       person=person, is_superuser=superuser)
        return User(person, self.token_for(account.id, person.id, superuser), account.id)

    async def superuser(self) -> User:
        return await self.user("超级管理员", superuser=True)


async def make_org(name: str = "测试企业", kind: OrganisationKind = OrganisationKind.ENTERPRISE,
                   parent: Organisation | None = None, **fields: Any) -> Organisation:
    """An organisation row (no plugin switched on)."""
    return await Organisation.create(name=name, kind=kind, parent=parent, **fields)


def gid(type_name: str, pk: int) -> str:
    """The global ID clients see for a row: ``gid("Person", person.id)``."""
    return to_global_id(type_name, pk)


class StatementCounter(logging.Handler):
    """Counts SQL statements: Tortoise logs each one on ``tortoise.db_client`` at DEBUG."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(("Created connection", "Closed connection")):
            self.statements.append(message)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_statements(propagate: bool = True) -> Iterator[StatementCounter]:
    """``with count_statements() as counter: ...`` then ``counter.count`` SQL statements ran.
    ``propagate=False`` keeps the statements out of pytest's captured log (thousands of them)."""
    logger = logging.getLogger("tortoise.db_client")
    counter = StatementCounter()
    previous, previous_propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = propagate
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(previous)
        logger.propagate = previous_propagate


def runtime_with(rt: Runtime, pm: pluggy.PluginManager) -> Runtime:
    """The same services with another plugin set (for tests of throwaway plugins)."""
    from host.registry import build_registry

    return Runtime(settings=rt.settings, registry=build_registry(pm), redis=rt.redis, clock=rt.clock)


def with_settings(rt: Runtime, **changes: Any) -> Runtime:
    """The same services with some settings changed: ``client_for(with_settings(rt, max_query_cost=10**6))``
    for a query-count test at page sizes the production limits refuse, or a tiny bucket."""
    return Runtime(settings=rt.settings.model_copy(update=changes), registry=rt.registry, redis=rt.redis,
                   clock=rt.clock)


def client_for(rt: Runtime) -> GraphQLClient:
    """A GraphQL client on a fresh app for ``rt`` (close ``client.http`` when done)."""
    from host.app import create_app

    app = create_app(rt.settings, rt.registry, rt, manage_services=False)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    return GraphQLClient(http, rt)
