"""A person's inbox: one row per notice a ``notifications`` hook made for them.

The actor is a plain id (no foreign key): a notice outlives the person who caused it, and the
inbox reads it through the Person loader (null once that person is gone). The recipient is a
foreign key: a removed person's inbox goes with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from core.people.models import Person

KIND_MAX = 64
SUBJECT_MAX = 200
SUMMARY_MAX = 200


class Notification(Model):
    id = fields.IntField(primary_key=True)
    recipient: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="notifications", on_delete=fields.CASCADE, db_index=False
    )
    recipient_id: int
    kind = fields.CharField(max_length=KIND_MAX, description="Namespaced by plugin, e.g. mentorship.proposed.")
    subject = fields.CharField(max_length=SUBJECT_MAX, description="Global ID of what the notice links to.")
    actor_id = fields.IntField(null=True, description="The Person who caused it, null for the system.")
    summary = fields.CharField(max_length=SUMMARY_MAX, default="")
    created_at = fields.DatetimeField()
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "core_notification"
        # Newest first per person (pages, retention), and the unread ones (the badge).
        indexes = (("recipient_id", "id"), ("recipient_id", "read_at", "id"))
