"""Domain events: plugins observe them (``on_event``); subscribers get them over Redis pub/sub.

Emit after the transaction that caused the event has committed. After ``on_event``, every
plugin's ``notifications`` hook turns the event into notices for people (``core.notifications``). An event published to
subscribers says what it is about (``subject``, a global ID), which payload keys are private
to those who see the subject's private fields, and which people it concerns (``audience``);
``core.subscriptions`` filters it for each subscriber with those.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import AsyncIterator
from contextlib import aclosing
from datetime import datetime
from typing import Any

from core.notifications.services import deliver
from core.plugin_api import DomainEvent
from core.pubsub import hub_for, publish
from core.runtime import Runtime

log = logging.getLogger(__name__)


def organisation_channel(organisation_id: int) -> str:
    return f"events:organisation:{organisation_id}"


async def emit(rt: Runtime, event: DomainEvent) -> None:
    try:
        for result in rt.registry.pm.hook.on_event(event=event):
            if inspect.isawaitable(result):
                await result
    except Exception:  # an observer's bug must not undo what already happened
        log.exception("on_event failed for %s", event.name)
    # Every plugin's notices for the people concerned, stored and pushed (never raises).
    await deliver(rt, event)
    if event.organisation_id is not None:
        message = {
            "name": event.name,
            "payload": event.payload,
            "occurredAt": rt.now().isoformat(),
            # Read by ``core.subscriptions`` to decide, per subscriber, who receives what.
            "subject": event.subject,
            "private": list(event.private),
            "audience": list(event.audience),
        }
        await publish(rt.redis, organisation_channel(event.organisation_id), json.dumps(message))


async def listen(rt: Runtime, channel: str) -> AsyncIterator[dict[str, Any]]:
    """Messages published on ``channel`` from now on, from any server process."""
    # One shared pub/sub connection per process (core.pubsub); it resubscribes after Redis drops.
    async with aclosing(hub_for(rt.redis, rt.settings.subscription_queue_size).listen(channel)) as messages:
        async for data in messages:
            yield json.loads(data)


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)
