"""``notificationsMarkRead``: the viewer marks their own notifications read."""

from __future__ import annotations

import strawberry

from core import errors
from core.context import Info
from core.errors import UserInputError
from core.mutations import Payload
from core.notifications import services
from core.permissions import require_signed_in
from core.relay import MAX_PAGE, decode_id

MAX_IDS = MAX_PAGE


@strawberry.input
class NotificationsMarkReadInput:
    ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description=f"`Notification` IDs (at most {MAX_IDS}); others' and unknown ones are ignored."
    )
    all: bool | None = strawberry.field(default=None, description="true: every one of the viewer's notifications.")


@strawberry.type
class NotificationsMarkReadPayload(Payload):
    marked: int = strawberry.field(default=0, description="How many were unread and are now read.")
    person_id: strawberry.Private[int | None] = None

    @strawberry.field(description="The badge after marking (as `NotificationConnection.unreadCount`).")
    async def unread_count(self, info: Info) -> int:
        from core.notifications.queries import unread_count

        return 0 if self.person_id is None else await unread_count(info, self.person_id)


def _ids(input: NotificationsMarkReadInput) -> list[int] | None:
    """The ids asked for, None for all; exactly one of `ids` and `all: true`."""
    if bool(input.all) == (input.ids is not None):
        raise UserInputError(errors.BAD_USER_INPUT, "Give either `ids` or `all: true`", "ids")
    if input.ids is None:
        return None
    if len(input.ids) > MAX_IDS:
        raise UserInputError(errors.TOO_MANY_IDS, f"At most {MAX_IDS} ids at once", "ids")
    return [decode_id(value, "Notification", "ids") for value in input.ids]


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(
        description="Mark the viewer's notifications read: those named in `ids`, or all. Only one's own "
        "change: IDs of others' notifications (and of ones already gone) are ignored, exactly like "
        "unknown ones, so the answer says nothing about anyone else's inbox."
    )
    async def notifications_mark_read(
        self, info: Info, input: NotificationsMarkReadInput
    ) -> NotificationsMarkReadPayload:
        ctx = info.context
        require_signed_in(ctx)
        ids = _ids(input)
        person_id = ctx.viewer.person_id
        marked = 0 if person_id is None else await services.mark_read(ctx.rt, person_id, ids)
        return NotificationsMarkReadPayload(marked=marked, person_id=person_id)
