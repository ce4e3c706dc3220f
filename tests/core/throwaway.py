"""A throwaway plugin used by the hook tests: one implementation of every hook."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import strawberry
from pydantic import Field
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from core import hookimpl
from core.context import Info
from core.errors import UserError, UserInputError
from core.organisations.types import Organisation
from core.people.types import Person
from core.plugin_api import (
    DemoData,
    DomainEvent,
    GrowthItem,
    ModelApp,
    Notice,
    PluginSettings,
    TimeZoneName,
    TypeExtension,
    in_no_organisation,
    in_organisation,
)


@strawberry.type
class EchoQueries:
    @strawberry.field
    def echo(self, text: str) -> str:
        return text


@strawberry.type
class EchoPayload:
    text: str | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class EchoMutations:
    @strawberry.mutation(metadata=in_no_organisation())
    async def echo_shout(self, text: str) -> EchoPayload:
        if not text:
            raise UserInputError("BLANK", "Say something", "text")
        return EchoPayload(text=text.upper())

    @strawberry.mutation(metadata=in_organisation("organisation_id"))
    async def echo_in(self, organisation_id: strawberry.ID, text: str) -> EchoPayload:
        return EchoPayload(text=text)


@strawberry.type
class EchoSubscriptions:
    @strawberry.subscription
    async def echo_ticks(self, count: int) -> AsyncGenerator[int, None]:
        for i in range(count):
            yield i




class EchoSettings(PluginSettings):
    capacity: int = Field(default=10, ge=1, le=100)
    label: str = Field(default="默认", max_length=20)
    zone: TimeZoneName = "Asia/Shanghai"


@strawberry.type
class EchoOnly:
    word: str


@strawberry.type
class PersonEchoFields:
    @strawberry.field
    def echo_name(self, info: Info) -> str:
        person: Person = self  # type: ignore[assignment]
        return f"{person.name}#{person.id}"


@strawberry.type
class OrganisationEchoFields:
    @strawberry.field
    def echo_kind(self) -> str:
        org: Organisation = self  # type: ignore[assignment]
        return org.kind.value


async def _hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello " + type(request.app.state.rt).__name__)


class EchoPlugin:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    @hookimpl
    def register_models(self) -> ModelApp:
        return ModelApp(label="echo", models=[], migrations="tests.core.echo_migrations")

    @hookimpl
    def register_queries(self) -> list[type]:
        return [EchoQueries]

    @hookimpl
    def register_mutations(self) -> list[type]:
        return [EchoMutations]

    @hookimpl
    def register_subscriptions(self) -> list[type]:
        return [EchoSubscriptions]

    @hookimpl
    def register_types(self) -> list[type]:
        return [EchoOnly]

    @hookimpl
    def extend_types(self) -> list[TypeExtension]:
        return [TypeExtension(target=Person, fields=PersonEchoFields),
                TypeExtension(target=Organisation, fields=OrganisationEchoFields)]

    @hookimpl
    def register_routes(self) -> list[Route]:
        return [Route("/echo/hello", _hello)]

    @hookimpl
    def organisation_settings(self) -> type[EchoSettings]:
        return EchoSettings

    @hookimpl
    async def startup(self, app: Any) -> None:
        self.calls.append(("startup", app))

    @hookimpl
    def shutdown(self, app: Any) -> None:
        self.calls.append(("shutdown", app))

    @hookimpl
    def register_demo(self) -> Callable[[DemoData], Awaitable[None]]:
        async def load(demo: DemoData) -> None:
            self.calls.append(("register_demo", sorted(demo.organisations)))

        return load

    @hookimpl
    async def on_event(self, event: DomainEvent) -> None:
        self.calls.append(("on_event", event.name))

    @hookimpl
    async def studio_metrics(self, organisation_ids: list[int], year: int) -> dict[int, dict[str, int]]:
        self.calls.append(("studio_metrics", (tuple(organisation_ids), year)))
        return {org_id: {"achievements": 2, "echo.words": year - 2000} for org_id in organisation_ids[::2]}

    @hookimpl
    async def notifications(self, event: DomainEvent) -> list[Notice] | None:
        # ``echo.notify``: a notice for each person in ``to``, about ``subject``, by ``actor``.
        if event.name != "echo.notify":
            return None
        return [Notice(recipient_id=person_id, kind="echo.noticed", subject=event.payload["subject"],
                       actor_id=event.payload.get("actor"), summary=event.payload.get("summary", "回声"))
                for person_id in event.payload["to"]]


    @hookimpl
    async def growth_items(self, person_id: int, before: datetime | None, limit: int) -> list[GrowthItem]:
        self.calls.append(("growth_items", (person_id, before, limit)))
        from core.relay import to_global_id

        items = [
            GrowthItem(datetime(2030, 1, 1, tzinfo=UTC), "echo.future", "回声", to_global_id("Person", person_id)),
            GrowthItem(datetime(2000, 1, 1, tzinfo=UTC), "echo.stale", "看不见", to_global_id("Person", 2**31 - 1)),
            GrowthItem(datetime(1999, 1, 1, tzinfo=UTC), "echo.bare", "无链接"),
        ]
        return [item for item in items if before is None or item.at <= before][:limit]
