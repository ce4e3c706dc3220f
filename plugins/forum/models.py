"""Salons (with speakers, RSVPs and materials) and the boards' threads, posts, reactions and mentions."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # only for annotations: importing them here would make Tortoise list them in this app
    from core.organisations.models import Organisation
    from core.people.models import Person


class SalonStatus(str, Enum):
    SCHEDULED = "SCHEDULED"
    CANCELLED = "CANCELLED"
    HELD = "HELD"


class RsvpResponse(str, Enum):
    GOING = "GOING"
    INTERESTED = "INTERESTED"
    NOT_GOING = "NOT_GOING"


class ReactionKind(str, Enum):
    LIKE = "LIKE"
    THANKS = "THANKS"
    INSIGHTFUL = "INSIGHTFUL"


class ForumSalon(Model):
    # A forum salon (创新论坛沙龙) of an organisation or an alliance. The three counters are kept
    # under a row lock on this row by every RSVP (services.rsvp), so capacity holds under races.

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="forum_salons", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=200)
    topic = fields.CharField(max_length=200, default="")
    description = fields.TextField(default="")
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    venue = fields.CharField(max_length=200, default="")
    online_url = fields.CharField(max_length=500, default="")
    # Null: no limit on GOING.
    capacity = fields.IntField(null=True)
    status = fields.CharEnumField(SalonStatus, max_length=12, default=SalonStatus.SCHEDULED)
    going_count = fields.IntField(default=0)
    interested_count = fields.IntField(default=0)
    not_going_count = fields.IntField(default=0)
    # The summary (纪要) recorded after the salon was held.
    summary = fields.TextField(default="")
    cancel_reason = fields.CharField(max_length=500, default="")
    cancelled_at = fields.DatetimeField(null=True)
    held_at = fields.DatetimeField(null=True)
    created_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="forum_salons_created", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    organisation_id: int
    created_by_id: int | None

    class Meta:
        table = "forum_salon"
        indexes = (("organisation_id", "starts_at"), ("status", "starts_at"))


class ForumSalonSpeaker(Model):
    # A person speaking at a salon, in programme order.

    id = fields.IntField(primary_key=True)
    salon: fields.ForeignKeyRelation[ForumSalon] = fields.ForeignKeyField(
        "forum.ForumSalon", related_name="speaker_links", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="forum_salons_spoken", on_delete=fields.CASCADE
    )
    position = fields.IntField(default=0)

    salon_id: int
    person_id: int

    class Meta:
        table = "forum_salon_speaker"
        unique_together = (("salon", "person"),)
        indexes = (("person_id",),)


class ForumSalonMaterial(Model):
    # A link (slides, video, article) attached to a salon after it was held.

    id = fields.IntField(primary_key=True)
    salon: fields.ForeignKeyRelation[ForumSalon] = fields.ForeignKeyField(
        "forum.ForumSalon", related_name="materials", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=200)
    url = fields.CharField(max_length=500)
    created_at = fields.DatetimeField(auto_now_add=True)

    salon_id: int

    class Meta:
        table = "forum_salon_material"
        indexes = (("salon_id",),)


class ForumRsvp(Model):
    # A person's answer to a salon; one row per (salon, person), changed in place.

    id = fields.IntField(primary_key=True)
    salon: fields.ForeignKeyRelation[ForumSalon] = fields.ForeignKeyField(
        "forum.ForumSalon", related_name="rsvps", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="forum_rsvps", on_delete=fields.CASCADE
    )
    response = fields.CharEnumField(RsvpResponse, max_length=12)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    salon_id: int
    person_id: int

    class Meta:
        table = "forum_rsvp"
        unique_together = (("salon", "person"),)
        indexes = (("person_id", "response"),)


class ForumThread(Model):
    # A discussion on an organisation's (or alliance's) board, optionally about a salon.

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="forum_threads", on_delete=fields.CASCADE
    )
    salon: fields.ForeignKeyNullableRelation[ForumSalon] = fields.ForeignKeyField(
        "forum.ForumSalon", related_name="threads", null=True, on_delete=fields.SET_NULL
    )
    title = fields.CharField(max_length=200)
    author: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="forum_threads", on_delete=fields.CASCADE
    )
    locked = fields.BooleanField(default=False)
    pinned = fields.BooleanField(default=False)
    post_count = fields.IntField(default=0)
    last_activity_at = fields.DatetimeField()
    created_at = fields.DatetimeField()

    organisation_id: int
    salon_id: int | None
    author_id: int

    class Meta:
        table = "forum_thread"
        indexes = (("organisation_id", "pinned", "last_activity_at"), ("salon_id",))


class ForumPost(Model):
    # A post in a thread. The body is plain text stored exactly as given (never rendered).

    id = fields.IntField(primary_key=True)
    thread: fields.ForeignKeyRelation[ForumThread] = fields.ForeignKeyField(
        "forum.ForumThread", related_name="posts", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="forum_posts", on_delete=fields.CASCADE
    )
    body = fields.TextField()
    reply_to: fields.ForeignKeyNullableRelation[ForumPost] = fields.ForeignKeyField(
        "forum.ForumPost", related_name="replies", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    edited_at = fields.DatetimeField(null=True)
    hidden = fields.BooleanField(default=False)
    hidden_reason = fields.CharField(max_length=500, default="")
    hidden_at = fields.DatetimeField(null=True)
    hidden_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="forum_posts_hidden", null=True, on_delete=fields.SET_NULL
    )

    thread_id: int
    author_id: int
    reply_to_id: int | None
    hidden_by_id: int | None

    class Meta:
        table = "forum_post"
        indexes = (("thread_id", "id"), ("author_id",))


class ForumReaction(Model):
    # One kind of reaction by one person to one post.

    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[ForumPost] = fields.ForeignKeyField(
        "forum.ForumPost", related_name="reactions", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="forum_reactions", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(ReactionKind, max_length=12)
    created_at = fields.DatetimeField(auto_now_add=True)

    post_id: int
    person_id: int

    class Meta:
        table = "forum_reaction"
        unique_together = (("post", "person", "kind"),)
        indexes = (("person_id",),)


class ForumMention(Model):
    # A person an @mention in a post resolved to (mentions.py states the rule).

    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[ForumPost] = fields.ForeignKeyField(
        "forum.ForumPost", related_name="mentions", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="forum_mentions", on_delete=fields.CASCADE
    )

    post_id: int
    person_id: int

    class Meta:
        table = "forum_mention"
        unique_together = (("post", "person"),)
        indexes = (("person_id",),)
