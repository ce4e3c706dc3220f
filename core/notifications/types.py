"""GraphQL types of the inbox: ``Notification``, its connection, and ``Person.notifications``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from core.context import Info
from core.notifications import models
from core.people.models import Person as PersonModel
from core.relay import Connection, to_global_id

if TYPE_CHECKING:
    from core.people.types import Person

PersonRef = Annotated["Person", strawberry.lazy("core.people.types")]


@strawberry.type(
    description="Something that happened that concerns the viewer, e.g. an invitation or a mentorship "
    "proposed to them. Shown only while the viewer may see its subject."
)
class Notification:
    id: strawberry.ID = strawberry.field(description="Global ID (`Notification:<n>`).")
    kind: str = strawberry.field(
        description="Namespaced by the plugin that made it, e.g. `membership.invited`, `mentorship.proposed`, "
        "`training.waitlist_promoted` (docs/plugins.md lists them)."
    )
    summary: str = strawberry.field(description="One line for the list, at most 200 characters.")
    created_at: datetime
    read_at: datetime | None = strawberry.field(description="When the viewer marked it read; null: unread.")
    subject_node: strawberry.Private[relay.Node | None]
    actor_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, row: models.Notification, subject: relay.Node | None) -> Self:
        return cls(
            id=strawberry.ID(to_global_id("Notification", row.id)),
            kind=row.kind,
            summary=row.summary,
            created_at=row.created_at,
            read_at=row.read_at,
            subject_node=subject,
            actor_id=row.actor_id,
        )

    @strawberry.field(description="What it is about, as `node(id:)` shows it to the viewer; null if gone.")
    def subject(self) -> relay.Node | None:
        return self.subject_node

    @strawberry.field(description="Who caused it; null for the system or a person since removed.")
    async def actor(self, info: Info) -> PersonRef | None:
        from core.people.types import Person

        if self.actor_id is None:
            return None
        row = await info.context.loaders.by_id(PersonModel).load(self.actor_id)
        return Person.from_model(row) if row else None


@strawberry.type(description="The viewer's notifications, newest first.")
class NotificationConnection(Connection[Notification]):
    person_id: strawberry.Private[int]
    # The badge, when the first page's statement brought it along (``inbox_page``).
    unread_prefetched: strawberry.Private[int | None] = None

    @strawberry.field(
        description="The badge: the viewer's unread notifications they may see (hidden ones, whose subject "
        "they may no longer see, do not count), whatever `unreadOnly` says; counted over the newest "
        "100 unread, so 100 means 100 or more."
    )
    async def unread_count(self, info: Info) -> int:
        if self.unread_prefetched is not None:
            return self.unread_prefetched
        from core.notifications.queries import unread_count

        return await unread_count(info, self.person_id)


@strawberry.type
class PersonNotificationFields:
    """``Person.notifications`` (``parent`` is the core Person): the person's own inbox."""

    @strawberry.field(
        description="The person's notifications, newest first; only for the person themselves (null for "
        "everyone else). A notification whose subject the person may no longer see is left out of "
        "`edges` (the page may then hold fewer than `first`) and comes back if they may see it again; "
        "`totalCount` counts every stored one. Each person keeps their newest 1,000 (a setting)."
    )
    @staticmethod
    async def notifications(
        parent: strawberry.Parent[Person],
        info: Info,
        unread_only: bool | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> NotificationConnection | None:
        from core.notifications.queries import inbox_page

        if info.context.viewer.person_id != parent.id:
            return None
        return await inbox_page(info, parent.id, unread_only, first, after)
