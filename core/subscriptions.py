"""Live updates: an organisation's domain events as they happen, filtered by the access policy.

Who receives what (the same policy as the query API, checked for every event):

1. Subscribing: ``organisationEvents(organisationId:)`` needs a signed-in viewer who may see the
   organisation's events at all: a member of the organisation, an admin of it (or of an
   ancestor, or a lead of its alliance: ``core.permissions.can_manage_org``), or a superuser.
   Anyone else gets ``PERMISSION_DENIED``.
2. Each event is checked again when it arrives, with fresh loaders (so a membership or role
   removed since subscribing applies at once) and a handful of batched reads:

   - the viewer must still pass (1);
   - an event with a ``subject`` (a global ID, ``DomainEvent.subject``) is delivered only if the
     subject's type is a ``ModelNode`` whose row exists and whose ``can_see`` admits the viewer,
     exactly what ``node(id: subject)`` would answer. Payload keys listed in
     ``DomainEvent.private`` are removed unless ``can_see_private`` admits the viewer too;
   - an event without a subject is delivered only to the people in its ``audience`` and to the
     organisation's admins (and superusers): plugins must name a subject for anything wider.

So a member sees that a session was cancelled but not who was enrolled in it, and an
enrolment event reaches only the person, the course's trainers and the organisation's managers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types.base import StrawberryObjectDefinition

from core import errors
from core.context import Context, Info
from core.errors import PublicError
from core.events import listen, organisation_channel, parse_time
from core.loaders import Loaders
from core.nodes import ModelNode
from core.people.models import Membership
from core.permissions import can_manage_org
from core.relay import decode_query_id


@strawberry.type(description="Something that happened in an organisation, e.g. a waitlist promotion.")
class OrganisationEvent:
    name: str
    payload: JSON
    occurred_at: datetime


async def can_see_organisation_events(ctx: Context, org_id: int) -> bool:
    """Members and admins of the organisation (admins of an ancestor too), and superusers."""
    viewer = ctx.viewer
    if not viewer.is_authenticated:
        return False
    if viewer.is_superuser:
        return True
    if viewer.person_id is not None:
        memberships = await ctx.loaders.children(Membership, "person_id").load(viewer.person_id)
        if any(m.organisation_id == org_id for m in memberships):
            return True
    return await can_manage_org(ctx, org_id)


NodeTypes = dict[str, type[ModelNode] | None]


def _node_type(info: Info, type_name: str, cache: NodeTypes) -> type[ModelNode] | None:
    """The ``ModelNode`` class behind a GraphQL type name, or None."""
    if type_name not in cache:
        found = info.schema.get_type_by_name(type_name)
        origin = found.origin if isinstance(found, StrawberryObjectDefinition) else None
        cache[type_name] = origin if isinstance(origin, type) and issubclass(origin, ModelNode) else None
    return cache[type_name]


async def visible_payload(
    ctx: Context, org_id: int, message: dict[str, Any], node_type: type[ModelNode] | None, node_id: str | None
) -> dict[str, Any] | None:
    """The payload ``ctx.viewer`` may receive for one event, or None when it receives nothing.

    ``ctx`` must carry fresh loaders; ``node_type``/``node_id`` are the subject's, if any.
    """
    if not await can_see_organisation_events(ctx, org_id):
        return None
    payload: dict[str, Any] = dict(message.get("payload") or {})
    if message.get("subject") is None:
        audience = message.get("audience") or []
        if ctx.viewer.person_id in audience or await can_manage_org(ctx, org_id):
            return payload
        return None
    if node_type is None or node_id is None or not node_id.isdigit():
        return None  # a subject no node type answers for: nobody may be shown it
    row = await ctx.loaders.by_id(node_type.model()).load(int(node_id))
    if row is None or not await node_type.can_see(ctx, row):
        return None
    private = message.get("private") or []
    if private and not await node_type.can_see_private(ctx, row):
        payload = {key: value for key, value in payload.items() if key not in private}
    return payload


@strawberry.type
class CoreSubscriptions:
    @strawberry.subscription(
        description="Domain events of one organisation, for its members and admins; each event "
        "only if the viewer may see what it is about, without the fields private to others."
    )
    async def organisation_events(
        self, info: Info, organisation_id: strawberry.ID
    ) -> AsyncGenerator[OrganisationEvent, None]:
        info.context.require_viewer()
        org_id = decode_query_id(organisation_id, "Organisation", "organisationId")
        if not await can_see_organisation_events(dataclasses.replace(info.context, loaders=Loaders()), org_id):
            raise PublicError(
                "Only members and admins of the organisation receive its events",
                errors.PERMISSION_DENIED,
                "organisationId",
            )
        node_types: NodeTypes = {}
        async for message in listen(info.context.rt, organisation_channel(org_id)):
            node_type, node_id = None, None
            subject = message.get("subject")
            if subject is not None:
                try:
                    gid = relay.GlobalID.from_id(str(subject))
                    node_type, node_id = _node_type(info, gid.type_name, node_types), gid.node_id
                except relay.GlobalIDValueError:
                    continue
            fresh = dataclasses.replace(info.context, loaders=Loaders())  # revocations apply per event
            payload = await visible_payload(fresh, org_id, message, node_type, node_id)
            if payload is None:
                continue
            yield OrganisationEvent(
                name=message["name"],
                payload=JSON(payload),
                occurred_at=parse_time(message["occurredAt"]),
            )
