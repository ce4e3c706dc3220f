"""People, their honours and their memberships in organisations."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from core.auth.models import Account
    from core.organisations.models import Organisation


class HonourLevel(str, Enum):
    NATIONAL = "NATIONAL"
    PROVINCIAL = "PROVINCIAL"
    MUNICIPAL = "MUNICIPAL"
    DISTRICT = "DISTRICT"
    ENTERPRISE = "ENTERPRISE"
    SCHOOL = "SCHOOL"


class MembershipRole(str, Enum):
    MEMBER = "MEMBER"
    ADMIN = "ADMIN"
    LEADER = "LEADER"


class InvitationStatus(str, Enum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    CANCELLED = "CANCELLED"


class Person(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, db_index=True)
    bio = fields.TextField(default="")
    # Contact details: shown only to the person and to admins of their organisations.
    phone = fields.CharField(max_length=40, default="")
    email = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "core_person"


class Honour(Model):
    # An honour such as 全国劳动模范 (national model worker, 2015) or 齐鲁大工匠.

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="honours", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=100)
    level = fields.CharEnumField(HonourLevel, max_length=20)
    year = fields.IntField()
    issuer = fields.CharField(max_length=200, default="")
    # Provenance: the organisation and the account that recorded it (null: the system, or before 0003).
    awarded_by_organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="honours_awarded", null=True, on_delete=fields.SET_NULL
    )
    awarded_by_account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "core.Account", related_name="honours_awarded", null=True, on_delete=fields.SET_NULL
    )

    person_id: int
    awarded_by_organisation_id: int | None
    awarded_by_account_id: int | None

    class Meta:
        table = "core_honour"
        indexes = (("person_id",),)


class Membership(Model):
    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="memberships", on_delete=fields.CASCADE
    )
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="memberships", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(MembershipRole, max_length=10, default=MembershipRole.MEMBER)
    joined_at = fields.DatetimeField(auto_now_add=True)

    person_id: int
    organisation_id: int

    class Meta:
        table = "core_membership"
        unique_together = (("person", "organisation"),)
        indexes = (("organisation_id", "role"),)


class MembershipInvitation(Model):
    # An organisation's invitation to an existing person, who accepts or declines it themselves.
    # One row per (person, organisation): a new invitation after a decline reopens the same row.

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="invitations", on_delete=fields.CASCADE
    )
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="invitations", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(MembershipRole, max_length=10, default=MembershipRole.MEMBER)
    status = fields.CharEnumField(InvitationStatus, max_length=10, default=InvitationStatus.PENDING)
    invited_by_account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "core.Account", related_name="membership_invitations_sent", null=True, on_delete=fields.SET_NULL
    )
    invited_at = fields.DatetimeField()
    responded_at = fields.DatetimeField(null=True)

    person_id: int
    organisation_id: int
    invited_by_account_id: int | None

    class Meta:
        table = "core_membership_invitation"
        unique_together = (("person", "organisation"),)
        indexes = (("organisation_id", "status"),)
