"""GraphQL types of the forum plugin, and the fields it adds to ``Person`` and ``Organisation``.

Relations go through the per-request loaders (``loaders.py``); who sees what is ``access.py``.
"""

# strawberry types its decorators with arguments as ``Any``; the resolvers themselves are typed.

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

import strawberry
from strawberry import relay

from core.context import Context, Info
from core.errors import UserInputError
from core.nodes import ModelNode
from core.organisations.models import Organisation as OrganisationModel
from core.organisations.types import Organisation
from core.people.models import Person as PersonModel
from core.people.types import Person
from core.plugin_api import list_size
from core.relay import Connection, build_connection, page_window, paginate_list
from plugins.forum import errors as forum_errors
from plugins.forum import models
from plugins.forum.access import can_moderate, can_see_body, can_see_person_salons, can_see_rsvp
from plugins.forum.loaders import (
    materials_by_salon,
    mentioned_by_post,
    posts_page_by_thread,
    reactions_by_post,
    rsvps_by_salon,
    salons_by_organisation,
    salons_by_person,
    speakers_by_salon,
    thread_of_post,
    threads_by_salon,
    threads_page_by_organisation,
    viewer_rsvp_by_salon,
)
from plugins.forum.models import ReactionKind, RsvpResponse, SalonStatus

# The GraphQL enums are the model enums (strawberry.enum registers the definition on the class).
strawberry.enum(SalonStatus, name="SalonStatus", description="Where a salon stands.")
strawberry.enum(RsvpResponse, name="RsvpResponse", description="A person's answer to a salon.")
strawberry.enum(ReactionKind, name="ForumReactionKind", description="Reactions to a post; one of each per person.")


async def _person(info: Info, person_id: int) -> Person:
    row = await info.context.loaders.by_id(PersonModel).load(person_id)
    assert row is not None  # the foreign key guarantees it
    return Person.from_model(row)


async def _organisation(info: Info, org_id: int) -> Organisation:
    row = await info.context.loaders.by_id(OrganisationModel).load(org_id)
    assert row is not None
    return Organisation.from_model(row)


def utc_or_error(value: datetime | None, field: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise UserInputError(forum_errors.TIMEZONE_REQUIRED, f"`{field}` must include a UTC offset", field)
    return value


@strawberry.type(description="A link (slides, recording, article) attached to a salon after it was held.")
class SalonMaterial(ModelNode):
    id: relay.NodeID[int]
    title: str
    url: str
    created_at: datetime

    @classmethod
    def model(cls) -> type[models.ForumSalonMaterial]:
        return models.ForumSalonMaterial

    @classmethod
    def from_model(cls, row: models.ForumSalonMaterial) -> Self:
        return cls(id=row.id, title=row.title, url=row.url, created_at=row.created_at)


@strawberry.type(description="A person's answer to a salon.")
class SalonRsvp:
    response: RsvpResponse
    updated_at: datetime
    person_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: models.ForumRsvp) -> Self:
        return cls(response=row.response, updated_at=row.updated_at, person_id=row.person_id)

    @strawberry.field
    async def person(self, info: Info) -> Person:
        return await _person(info, self.person_id)


@strawberry.type(description="A forum salon (创新论坛沙龙) of an organisation or an alliance.")
class Salon(ModelNode):
    id: relay.NodeID[int]
    title: str
    topic: str
    description: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    online_url: str
    capacity: int | None = strawberry.field(description="Null: no limit on GOING.")
    status: SalonStatus
    going_count: int
    interested_count: int
    not_going_count: int
    summary: str = strawberry.field(description="The summary (纪要) recorded after the salon was held.")
    cancel_reason: str
    cancelled_at: datetime | None
    held_at: datetime | None
    organisation_id: strawberry.Private[int]

    @classmethod
    def model(cls) -> type[models.ForumSalon]:
        return models.ForumSalon

    @classmethod
    def from_model(cls, row: models.ForumSalon) -> Self:
        return cls(
            id=row.id,
            title=row.title,
            topic=row.topic,
            description=row.description,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            venue=row.venue,
            online_url=row.online_url,
            capacity=row.capacity,
            status=row.status,
            going_count=row.going_count,
            interested_count=row.interested_count,
            not_going_count=row.not_going_count,
            summary=row.summary,
            cancel_reason=row.cancel_reason,
            cancelled_at=row.cancelled_at,
            held_at=row.held_at,
            organisation_id=row.organisation_id,
        )

    @classmethod
    async def can_see_private(cls, ctx: Context, row: models.ForumSalon) -> bool:
        """Everyone's RSVPs: the board's moderators."""
        return await can_moderate(ctx, row.organisation_id)

    @strawberry.field(description="Places left for GOING; null without a capacity.")
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.going_count, 0)

    @strawberry.field(description="The organisation or alliance holding it.")
    async def organisation(self, info: Info) -> Organisation:
        return await _organisation(info, self.organisation_id)

    @strawberry.field(description="In programme order.")
    async def speakers(self, info: Info) -> list[Person]:
        return [Person.from_model(p) for p in await speakers_by_salon(info.context, self.id)]

    @strawberry.field
    async def materials(self, info: Info) -> list[SalonMaterial]:
        return [SalonMaterial.from_model(row) for row in await materials_by_salon(info.context, self.id)]

    @strawberry.field(description="The signed-in person's answer, if any.")
    async def my_rsvp(self, info: Info) -> RsvpResponse | None:
        row = await viewer_rsvp_by_salon(info.context, self.id)
        return row.response if row else None

    @strawberry.field(description="Who answered: the board's moderators see everyone, others their own answer.")
    async def rsvps(
        self, info: Info, response: RsvpResponse | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[SalonRsvp]:
        rows = [
            row
            for row in await rsvps_by_salon(info.context, self.id, response)
            if await can_see_rsvp(info.context, row, self.organisation_id)
        ]
        return paginate_list(rows, first, after, SalonRsvp.from_model)

    @strawberry.field(description="Discussion threads about this salon: pinned first, then the most active.")
    async def threads(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[ForumThread]:
        return paginate_list(await threads_by_salon(info.context, self.id), first, after, ForumThread.from_model)


@strawberry.type(description="A thread on an organisation's or alliance's board.")
class ForumThread(ModelNode):
    id: relay.NodeID[int]
    title: str
    locked: bool = strawberry.field(description="Locked threads take no new posts (moderators excepted).")
    pinned: bool
    post_count: int
    last_activity_at: datetime
    created_at: datetime
    organisation_id: strawberry.Private[int]
    salon_id: strawberry.Private[int | None]
    author_id: strawberry.Private[int]

    @classmethod
    def model(cls) -> type[models.ForumThread]:
        return models.ForumThread

    @classmethod
    def from_model(cls, row: models.ForumThread) -> Self:
        return cls(
            id=row.id,
            title=row.title,
            locked=row.locked,
            pinned=row.pinned,
            post_count=row.post_count,
            last_activity_at=row.last_activity_at,
            created_at=row.created_at,
            organisation_id=row.organisation_id,
            salon_id=row.salon_id,
            author_id=row.author_id,
        )

    @strawberry.field(description="The board: an organisation or an alliance.")
    async def organisation(self, info: Info) -> Organisation:
        return await _organisation(info, self.organisation_id)

    @strawberry.field
    async def author(self, info: Info) -> Person:
        return await _person(info, self.author_id)

    @strawberry.field
    async def salon(self, info: Info) -> Salon | None:
        if self.salon_id is None:
            return None
        row = await info.context.loaders.by_id(models.ForumSalon).load(self.salon_id)
        return Salon.from_model(row) if row else None

    @strawberry.field(description="Whether the viewer may post here now.")
    async def viewer_can_post(self, info: Info) -> bool:
        from plugins.forum.access import can_post

        if not await can_post(info.context, self.organisation_id):
            return False
        return not self.locked or await can_moderate(info.context, self.organisation_id)

    @strawberry.field(description="Posts, oldest first; hidden ones as hidden (in full to moderators).")
    async def posts(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[ForumPost]:
        offset, limit = page_window(first, after)
        # Only this page's posts are read, for every thread on the page at once (a window per thread).
        page = await posts_page_by_thread(info.context, self.id, offset, limit)
        return build_connection([ForumPost.from_model(row) for row in page.rows], offset, limit, page.total)


@strawberry.type(description="How many reactions of one kind a post has.")
class ForumReactionCount:
    kind: ReactionKind
    count: int


@strawberry.type(description="A post in a thread: plain text, returned exactly as written (never HTML).")
class ForumPost(ModelNode):
    id: relay.NodeID[int]
    hidden: bool = strawberry.field(description="Hidden by a moderator: no body for others.")
    created_at: datetime
    edited_at: datetime | None
    thread_id: strawberry.Private[int]
    author_id: strawberry.Private[int]
    reply_to_id: strawberry.Private[int | None]
    row: strawberry.Private[models.ForumPost]

    @classmethod
    def model(cls) -> type[models.ForumPost]:
        return models.ForumPost

    @classmethod
    def from_model(cls, row: models.ForumPost) -> Self:
        return cls(
            id=row.id,
            hidden=row.hidden,
            created_at=row.created_at,
            edited_at=row.edited_at,
            thread_id=row.thread_id,
            author_id=row.author_id,
            reply_to_id=row.reply_to_id,
            row=row,
        )

    @classmethod
    async def can_see_private(cls, ctx: Context, row: models.ForumPost) -> bool:
        return await can_see_body(ctx, row)

    @strawberry.field(description="Null while hidden, except for the board's moderators.")
    async def body(self, info: Info) -> str | None:
        return self.row.body if await can_see_body(info.context, self.row) else None

    @strawberry.field(description="Why it was hidden: the board's moderators only.")
    async def hidden_reason(self, info: Info) -> str | None:
        if not self.row.hidden or not await self._moderator(info):
            return None
        return self.row.hidden_reason

    @strawberry.field(description="When it was hidden: the board's moderators only.")
    async def hidden_at(self, info: Info) -> datetime | None:
        return self.row.hidden_at if self.row.hidden and await self._moderator(info) else None

    @strawberry.field(description="The moderator who hid it: the board's moderators only.")
    async def hidden_by(self, info: Info) -> Person | None:
        if not self.row.hidden or self.row.hidden_by_id is None or not await self._moderator(info):
            return None
        return await _person(info, self.row.hidden_by_id)

    async def _moderator(self, info: Info) -> bool:
        thread = await thread_of_post(info.context, self.row)
        return await can_moderate(info.context, thread.organisation_id)

    @strawberry.field
    async def author(self, info: Info) -> Person:
        return await _person(info, self.author_id)

    @strawberry.field
    async def thread(self, info: Info) -> ForumThread:
        return ForumThread.from_model(await thread_of_post(info.context, self.row))

    @strawberry.field(description="The post this one answers (same thread), if any.")
    async def reply_to(self, info: Info) -> ForumPost | None:
        if self.reply_to_id is None:
            return None
        row = await info.context.loaders.by_id(models.ForumPost).load(self.reply_to_id)
        return ForumPost.from_model(row) if row else None

    @strawberry.field(
        description="Counts of every kind, in the order LIKE, THANKS, INSIGHTFUL (zeros included).",
        metadata=list_size(len(ReactionKind)),
    )
    async def reaction_counts(self, info: Info) -> list[ForumReactionCount]:
        counts = (await reactions_by_post(info.context, self.id)).counts
        return [ForumReactionCount(kind=kind, count=counts.get(kind, 0)) for kind in ReactionKind]

    @strawberry.field(description="The kinds the signed-in person reacted with.")
    async def my_reactions(self, info: Info) -> list[ReactionKind]:
        return list((await reactions_by_post(info.context, self.id)).mine)

    @strawberry.field(description="People the @mentions resolved to; empty while hidden (moderators excepted).")
    async def mentions(self, info: Info) -> list[Person]:
        if not await can_see_body(info.context, self.row):
            return []
        return [Person.from_model(p) for p in await mentioned_by_post(info.context, self.id)]


# Fields on core types (``extend_types``) ---------------------------------------------------------


@strawberry.type
class PersonForumFields:
    @strawberry.field(
        description="Salons the person answered (optionally only with `response`), soonest first: for "
        "the person and admins of the person; null for others."
    )
    @staticmethod
    async def salons(
        parent: strawberry.Parent[Person],
        info: Info,
        response: RsvpResponse | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Salon] | None:
        if not await can_see_person_salons(info.context, parent.id):
            return None
        return paginate_list(await salons_by_person(info.context, parent.id, response), first, after, Salon.from_model)


@strawberry.type
class OrganisationForumFields:
    @strawberry.field(description="Salons in start order, optionally from / to a time (by start).")
    @staticmethod
    async def salons(
        parent: strawberry.Parent[Organisation],
        info: Info,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Salon]:
        rows = await salons_by_organisation(
            info.context, parent.id, utc_or_error(from_, "from"), utc_or_error(to, "to")
        )
        return paginate_list(rows, first, after, Salon.from_model)

    @strawberry.field(description="The board's threads: pinned first, then the most recently active.")
    @staticmethod
    async def threads(
        parent: strawberry.Parent[Organisation], info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ForumThread]:
        offset, limit = page_window(first, after)
        page = await threads_page_by_organisation(info.context, parent.id, offset, limit)
        return build_connection([ForumThread.from_model(row) for row in page.rows], offset, limit, page.total)
