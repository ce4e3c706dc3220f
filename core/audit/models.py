"""The append-only audit table.

Ids are plain integers, not foreign keys: an entry outlives the account, person or organisation
it names (a cascade would have to delete it, which nothing may). The model refuses to update or
delete a row, and so does its query set; on PostgreSQL a trigger refuses it in SQL too
(migration ``0004_audit_entry``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.manager import Manager
from tortoise.models import Model
from tortoise.queryset import QuerySet

ACTION_MAX = 64
TARGET_MAX = 200


class AppendOnly(Exception):
    """An attempt to change or remove an audit entry."""


def _refuse(*_: Any, **__: Any) -> NoReturn:
    raise AppendOnly("audit entries are append-only")


class AuditQuerySet(QuerySet["AuditEntry"]):
    """Reads and inserts only: ``filter(...).update()`` / ``.delete()`` raise."""

    def update(self, **kwargs: Any) -> NoReturn:
        _refuse()

    def delete(self) -> NoReturn:
        _refuse()

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()


class AuditManager(Manager):
    def get_queryset(self) -> AuditQuerySet:
        return AuditQuerySet(self._model)


class AuditEntry(Model):
    id = fields.IntField(primary_key=True)
    occurred_at = fields.DatetimeField()
    actor_account_id = fields.IntField(null=True, description="Null: the system acted.")
    actor_person_id = fields.IntField(null=True)
    organisation_id = fields.IntField(null=True, description="The organisation the action concerns.")
    action = fields.CharField(max_length=ACTION_MAX, description="Stable dotted name, e.g. membership.invited.")
    target = fields.CharField(max_length=TARGET_MAX, description="Global ID of what was acted on.")
    before: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    after: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)

    class Meta:
        table = "core_audit_entry"
        indexes = (("organisation_id", "occurred_at"), ("target", "occurred_at"))
        manager = AuditManager()

    async def save(self, using_db: BaseDBAsyncClient | None = None, update_fields: Iterable[str] | None = None,
                   force_create: bool = False, force_update: bool = False) -> None:
        """Inserts a new entry; saving one already stored raises ``AppendOnly``."""
        if self._saved_in_db or update_fields or force_update:
            _refuse()
        await super().save(using_db, force_create=force_create)

    async def delete(self, using_db: BaseDBAsyncClient | None = None) -> None:
        _refuse()
