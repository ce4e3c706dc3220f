"""``notificationAdded``: the viewer's own new notifications, as they are stored.

Signed-in people only (``UNAUTHENTICATED`` otherwise; an account without a person has no inbox:
``PERMISSION_DENIED``). The subscription listens on the viewer's own channel only, so nobody can
ask for another person's; each notification is delivered only if the viewer may see its
subject when it arrives (fresh loaders per notification, so a role removed meanwhile applies).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator

import strawberry

from core import errors
from core.context import Info
from core.errors import PublicError
from core.events import listen, parse_time
from core.loaders import Loaders
from core.notifications import models
from core.notifications.services import person_channel
from core.notifications.types import Notification
from core.queries import visible_nodes


def _fresh(info: Info) -> Info:
    """``info`` with fresh loaders: revocations apply per notification (the connection's context
    may be shared by several subscriptions, so it is not cleared)."""
    context = dataclasses.replace(info.context, loaders=Loaders())
    return strawberry.Info(_raw_info=info._raw_info._replace(context=context), _field=info._field)


@strawberry.type
class NotificationSubscriptions:
    @strawberry.subscription(
        description="The viewer's new notifications as they arrive (those whose subject the viewer may see)."
    )
    async def notification_added(self, info: Info) -> AsyncGenerator[Notification, None]:
        viewer = info.context.require_viewer()
        person_id = viewer.person_id
        if person_id is None:
            raise PublicError("Only people have notifications", errors.PERMISSION_DENIED)
        async for message in listen(info.context.rt, person_channel(person_id)):
            [subject] = await visible_nodes(_fresh(info), [str(message.get("subject"))])
            if subject is None:
                continue
            row = models.Notification(
                id=message["id"],
                recipient_id=person_id,
                kind=message["kind"],
                subject=message["subject"],
                actor_id=message.get("actorId"),
                summary=message.get("summary", ""),
                created_at=parse_time(message["createdAt"]),
                read_at=None,
            )
            yield Notification.from_model(row, subject)
