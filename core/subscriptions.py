"""Live updates: an organisation's domain events as they happen."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from core.context import Info
from core.events import listen, organisation_channel, parse_time
from core.relay import decode_query_id


@strawberry.type(description="Something that happened in an organisation, e.g. a waitlist promotion.")
class OrganisationEvent:
    name: str
    payload: JSON
    occurred_at: datetime


@strawberry.type
class CoreSubscriptions:
    @strawberry.subscription(description="Domain events of one organisation (signed-in users).")
    async def organisation_events(
        self, info: Info, organisation_id: strawberry.ID
    ) -> AsyncGenerator[OrganisationEvent, None]:
        info.context.require_viewer()
        org_id = decode_query_id(organisation_id, "Organisation", "organisationId")
        async for message in listen(info.context.rt, organisation_channel(org_id)):
            yield OrganisationEvent(
                name=message["name"],
                payload=message["payload"],
                occurred_at=parse_time(message["occurredAt"]),
            )
