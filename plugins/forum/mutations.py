"""Mutations of the forum plugin: ``nounVerb(input:) -> NounVerbPayload { errors, <noun> }``.

Each resolver decodes IDs, calls one ``*_as`` service and wraps the result; the host refuses
organisations without the forum (``PLUGIN_DISABLED``), turns a service's ``UserInputError`` into
the payload's ``errors`` and clears the request's loaders afterwards.
"""

# strawberry types its decorators with arguments as ``Any``; the resolvers themselves are typed.

from __future__ import annotations

from datetime import datetime

import strawberry

from core.context import Info
from core.mutations import Payload
from core.plugin_api import in_organisation, in_owner_of
from core.relay import decode_id, decode_optional_id
from plugins.forum import salons, services
from plugins.forum.models import ForumPost as PostModel
from plugins.forum.models import ForumSalon as SalonModel
from plugins.forum.models import ForumSalonMaterial as MaterialModel
from plugins.forum.models import ForumThread as ThreadModel
from plugins.forum.models import ReactionKind, RsvpResponse
from plugins.forum.types import ForumPost, ForumThread, Salon


def _given(value: object) -> bool:
    return value is not strawberry.UNSET


def _person_ids(values: list[strawberry.ID] | None, field: str) -> list[int] | None:
    return None if values is None else [decode_id(v, "Person", field) for v in values]


# Salons -------------------------------------------------------------------------------------


@strawberry.input
class SalonCreateInput:
    organisation_id: strawberry.ID = strawberry.field(description="An organisation or an alliance.")
    title: str
    starts_at: datetime = strawberry.field(description="With a UTC offset.")
    ends_at: datetime
    topic: str | None = None
    description: str | None = None
    venue: str | None = None
    online_url: str | None = None
    capacity: int | None = strawberry.field(default=None, description="Null: no limit on GOING.")
    speaker_ids: list[strawberry.ID] | None = None


@strawberry.input
class SalonUpdateInput:
    id: strawberry.ID
    title: str | None = strawberry.UNSET
    topic: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    starts_at: datetime | None = strawberry.UNSET
    ends_at: datetime | None = strawberry.UNSET
    venue: str | None = strawberry.UNSET
    online_url: str | None = strawberry.UNSET
    capacity: int | None = strawberry.field(
        default=strawberry.UNSET, description="Null removes the limit; never below the people GOING."
    )
    speaker_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the speakers."
    )


@strawberry.input
class SalonCancelInput:
    id: strawberry.ID
    reason: str | None = None


@strawberry.input
class SalonRsvpInput:
    salon_id: strawberry.ID
    response: RsvpResponse


@strawberry.input
class SalonSummarySetInput:
    id: strawberry.ID
    summary: str = strawberry.field(description="The summary (纪要); marks the ended salon HELD.")


@strawberry.input
class SalonMaterialAddInput:
    salon_id: strawberry.ID
    title: str
    url: str = strawberry.field(description="An http(s) link.")


@strawberry.input
class SalonMaterialRemoveInput:
    id: strawberry.ID


@strawberry.type
class SalonCreatePayload(Payload):
    salon: Salon | None = None


@strawberry.type
class SalonUpdatePayload(Payload):
    salon: Salon | None = None


@strawberry.type
class SalonCancelPayload(Payload):
    salon: Salon | None = None


@strawberry.type
class SalonRsvpPayload(Payload):
    salon: Salon | None = None


@strawberry.type
class SalonSummarySetPayload(Payload):
    salon: Salon | None = None


@strawberry.type
class SalonMaterialAddPayload(Payload):
    salon: Salon | None = None


@strawberry.type
class SalonMaterialRemovePayload(Payload):
    salon: Salon | None = None


# Threads and posts --------------------------------------------------------------------------


@strawberry.input
class ForumThreadCreateInput:
    organisation_id: strawberry.ID = strawberry.field(description="The board: an organisation or an alliance.")
    title: str
    body: str = strawberry.field(description="The first post: plain text with @mentions, at most 10,000 characters.")
    salon_id: strawberry.ID | None = strawberry.field(default=None, description="A salon of the same board.")


@strawberry.input
class ForumThreadLockInput:
    id: strawberry.ID
    locked: bool = True


@strawberry.input
class ForumThreadPinInput:
    id: strawberry.ID
    pinned: bool = True


@strawberry.input
class ForumPostCreateInput:
    thread_id: strawberry.ID
    body: str = strawberry.field(description="Plain text with @mentions, at most 10,000 characters.")
    reply_to_id: strawberry.ID | None = strawberry.field(default=None, description="A post of the same thread.")


@strawberry.input
class ForumPostEditInput:
    id: strawberry.ID
    body: str


@strawberry.input
class ForumPostHideInput:
    id: strawberry.ID
    reason: str | None = strawberry.field(default=None, description="Required when hiding.")
    hidden: bool = strawberry.field(default=True, description="false shows the post again.")


@strawberry.input
class ForumPostReactInput:
    post_id: strawberry.ID
    kind: ReactionKind


@strawberry.type
class ForumThreadCreatePayload(Payload):
    thread: ForumThread | None = None
    post: ForumPost | None = strawberry.field(default=None, description="The thread's first post.")


@strawberry.type
class ForumThreadLockPayload(Payload):
    thread: ForumThread | None = None


@strawberry.type
class ForumThreadPinPayload(Payload):
    thread: ForumThread | None = None


@strawberry.type
class ForumPostCreatePayload(Payload):
    post: ForumPost | None = None


@strawberry.type
class ForumPostEditPayload(Payload):
    post: ForumPost | None = None


@strawberry.type
class ForumPostHidePayload(Payload):
    post: ForumPost | None = None


@strawberry.type
class ForumPostReactPayload(Payload):
    post: ForumPost | None = None


@strawberry.type
class ForumPostUnreactPayload(Payload):
    post: ForumPost | None = None


def _salon_fields(data: SalonCreateInput | SalonUpdateInput) -> salons.SalonFields:
    values = {
        name: getattr(data, name)
        for name in ("title", "topic", "description", "starts_at", "ends_at", "venue", "online_url", "capacity")
    }
    given = {name for name, value in values.items() if _given(value)}
    speakers = getattr(data, "speaker_ids", None)
    if _given(speakers):
        given.add("speaker_ids")
    return salons.SalonFields(
        **{name: (value if _given(value) else None) for name, value in values.items()},
        speaker_ids=_person_ids(speakers if _given(speakers) else None, "speakerIds"),
        given=given,
    )


OWNS_POST = {"organisation": "thread__organisation_id"}


@strawberry.type
class ForumMutations:
    @strawberry.mutation(
        description="Admins of the organisation or alliance.", metadata=in_organisation("input.organisation_id")
    )
    async def salon_create(self, info: Info, input: SalonCreateInput) -> SalonCreatePayload:
        org_id = decode_id(input.organisation_id, "Organisation", "organisationId")
        salon = await salons.create_salon_as(info.context, org_id, _salon_fields(input))
        return SalonCreatePayload(salon=Salon.from_model(salon))

    @strawberry.mutation(
        description="Admins; only while SCHEDULED.", metadata=in_owner_of(SalonModel, "Salon", "input.id")
    )
    async def salon_update(self, info: Info, input: SalonUpdateInput) -> SalonUpdatePayload:
        pk = decode_id(input.id, "Salon", "id")
        salon = await salons.update_salon_as(info.context, pk, _salon_fields(input))
        return SalonUpdatePayload(salon=Salon.from_model(salon))

    @strawberry.mutation(
        description="Admins; those who answered GOING or INTERESTED are notified.",
        metadata=in_owner_of(SalonModel, "Salon", "input.id"),
    )
    async def salon_cancel(self, info: Info, input: SalonCancelInput) -> SalonCancelPayload:
        pk = decode_id(input.id, "Salon", "id")
        return SalonCancelPayload(salon=Salon.from_model(await salons.cancel_salon_as(info.context, pk, input.reason)))

    @strawberry.mutation(
        description="Anyone signed in; GOING is refused with SALON_FULL at capacity.",
        metadata=in_owner_of(SalonModel, "Salon", "input.salon_id"),
    )
    async def salon_rsvp(self, info: Info, input: SalonRsvpInput) -> SalonRsvpPayload:
        pk = decode_id(input.salon_id, "Salon", "salonId")
        return SalonRsvpPayload(salon=Salon.from_model(await salons.rsvp_as(info.context, pk, input.response)))

    @strawberry.mutation(
        description="Admins, once the salon has ended: records the summary (纪要), marks it HELD.",
        metadata=in_owner_of(SalonModel, "Salon", "input.id"),
    )
    async def salon_summary_set(self, info: Info, input: SalonSummarySetInput) -> SalonSummarySetPayload:
        pk = decode_id(input.id, "Salon", "id")
        salon = await salons.record_summary_as(info.context, pk, input.summary)
        return SalonSummarySetPayload(salon=Salon.from_model(salon))

    @strawberry.mutation(
        description="Admins, once the salon has ended.", metadata=in_owner_of(SalonModel, "Salon", "input.salon_id")
    )
    async def salon_material_add(self, info: Info, input: SalonMaterialAddInput) -> SalonMaterialAddPayload:
        pk = decode_id(input.salon_id, "Salon", "salonId")
        salon = await salons.add_material_as(info.context, pk, input.title, input.url)
        return SalonMaterialAddPayload(salon=Salon.from_model(salon))

    @strawberry.mutation(
        description="Admins.",
        metadata=in_owner_of(MaterialModel, "SalonMaterial", "input.id", "salon__organisation_id"),
    )
    async def salon_material_remove(self, info: Info, input: SalonMaterialRemoveInput) -> SalonMaterialRemovePayload:
        pk = decode_id(input.id, "SalonMaterial", "id")
        return SalonMaterialRemovePayload(salon=Salon.from_model(await salons.remove_material_as(info.context, pk)))

    @strawberry.mutation(
        description="Members of the board's organisation (of an alliance's member organisations).",
        metadata=in_organisation("input.organisation_id"),
    )
    async def forum_thread_create(self, info: Info, input: ForumThreadCreateInput) -> ForumThreadCreatePayload:
        org_id = decode_id(input.organisation_id, "Organisation", "organisationId")
        salon_id = decode_optional_id(input.salon_id, "Salon", "salonId")
        created = await services.create_thread_as(info.context, org_id, input.title, input.body, salon_id)
        return ForumThreadCreatePayload(
            thread=ForumThread.from_model(created.thread), post=ForumPost.from_model(created.post)
        )

    @strawberry.mutation(
        description="Moderators (admins of the board's organisation).",
        metadata=in_owner_of(ThreadModel, "ForumThread", "input.id"),
    )
    async def forum_thread_lock(self, info: Info, input: ForumThreadLockInput) -> ForumThreadLockPayload:
        pk = decode_id(input.id, "ForumThread", "id")
        thread = await services.set_thread_flags_as(info.context, pk, locked=input.locked)
        return ForumThreadLockPayload(thread=ForumThread.from_model(thread))

    @strawberry.mutation(
        description="Moderators (admins of the board's organisation).",
        metadata=in_owner_of(ThreadModel, "ForumThread", "input.id"),
    )
    async def forum_thread_pin(self, info: Info, input: ForumThreadPinInput) -> ForumThreadPinPayload:
        pk = decode_id(input.id, "ForumThread", "id")
        thread = await services.set_thread_flags_as(info.context, pk, pinned=input.pinned)
        return ForumThreadPinPayload(thread=ForumThread.from_model(thread))

    @strawberry.mutation(
        description="Members of the board's community; THREAD_LOCKED in locked threads.",
        metadata=in_owner_of(ThreadModel, "ForumThread", "input.thread_id"),
    )
    async def forum_post_create(self, info: Info, input: ForumPostCreateInput) -> ForumPostCreatePayload:
        thread_id = decode_id(input.thread_id, "ForumThread", "threadId")
        reply_to_id = decode_optional_id(input.reply_to_id, "ForumPost", "replyToId")
        post = await services.create_post_as(info.context, thread_id, input.body, reply_to_id)
        return ForumPostCreatePayload(post=ForumPost.from_model(post))

    @strawberry.mutation(
        description="The author, within 24 hours; keeps editedAt.",
        metadata=in_owner_of(PostModel, "ForumPost", "input.id", **OWNS_POST),
    )
    async def forum_post_edit(self, info: Info, input: ForumPostEditInput) -> ForumPostEditPayload:
        pk = decode_id(input.id, "ForumPost", "id")
        return ForumPostEditPayload(
            post=ForumPost.from_model(await services.edit_post_as(info.context, pk, input.body))
        )

    @strawberry.mutation(
        description="Moderators: hide with a reason, or show again.",
        metadata=in_owner_of(PostModel, "ForumPost", "input.id", **OWNS_POST),
    )
    async def forum_post_hide(self, info: Info, input: ForumPostHideInput) -> ForumPostHidePayload:
        pk = decode_id(input.id, "ForumPost", "id")
        post = await services.hide_post_as(info.context, pk, input.hidden, input.reason)
        return ForumPostHidePayload(post=ForumPost.from_model(post))

    @strawberry.mutation(
        description="Members of the board's community; one of each kind per person (idempotent).",
        metadata=in_owner_of(PostModel, "ForumPost", "input.post_id", **OWNS_POST),
    )
    async def forum_post_react(self, info: Info, input: ForumPostReactInput) -> ForumPostReactPayload:
        pk = decode_id(input.post_id, "ForumPost", "postId")
        return ForumPostReactPayload(post=ForumPost.from_model(await services.react_as(info.context, pk, input.kind)))

    @strawberry.mutation(
        description="Take back one's own reaction of this kind.",
        metadata=in_owner_of(PostModel, "ForumPost", "input.post_id", **OWNS_POST),
    )
    async def forum_post_unreact(self, info: Info, input: ForumPostReactInput) -> ForumPostUnreactPayload:
        pk = decode_id(input.post_id, "ForumPost", "postId")
        post = await services.react_as(info.context, pk, input.kind, on=False)
        return ForumPostUnreactPayload(post=ForumPost.from_model(post))
