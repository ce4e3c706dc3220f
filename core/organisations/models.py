"""Organisations (unions, enterprises, schools, studios, alliances) and their links."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.fields.db_defaults import SqlDefault
from tortoise.models import Model

from core.people.models import InvitationStatus

if TYPE_CHECKING:
    from core.auth.models import Account
    from core.people.models import Person


class OrganisationKind(str, Enum):
    FEDERATION = "FEDERATION"
    INDUSTRY_UNION = "INDUSTRY_UNION"
    GRASSROOTS_UNION = "GRASSROOTS_UNION"
    ENTERPRISE = "ENTERPRISE"
    SCHOOL = "SCHOOL"
    INSTITUTE = "INSTITUTE"
    STUDIO = "STUDIO"
    ALLIANCE = "ALLIANCE"


class OrganisationLevel(str, Enum):
    NATIONAL = "NATIONAL"
    PROVINCIAL = "PROVINCIAL"
    MUNICIPAL = "MUNICIPAL"
    DISTRICT = "DISTRICT"
    ENTERPRISE = "ENTERPRISE"


class StudioStatus(str, Enum):
    ACTIVE = "ACTIVE"
    WARNED = "WARNED"
    DELISTED = "DELISTED"


class AllianceRole(str, Enum):
    LEAD = "LEAD"
    MEMBER = "MEMBER"


class Organisation(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200, db_index=True)
    kind = fields.CharEnumField(OrganisationKind, max_length=20, db_index=True)
    level = fields.CharEnumField(OrganisationLevel, max_length=20, null=True)
    region = fields.CharField(max_length=100, default="")
    industry = fields.CharField(max_length=100, default="")
    description = fields.TextField(default="")
    # Only alliances have a charter (联盟章程); only studios a status and a leader (领衔人).
    charter = fields.TextField(default="")
    status = fields.CharEnumField(StudioStatus, max_length=20, null=True)
    # Studio profile (0008): when it was founded (成立), and what it is known for (特色方向).
    founded = fields.DateField(null=True)
    # The database default fills rows that existed before 0008 (a NOT NULL column needs one).
    specialties: fields.JSONField[list[str]] = fields.JSONField(default=list, db_default=SqlDefault("'[]'"))
    parent: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    leader: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="led_organisations", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    parent_id: int | None
    leader_id: int | None

    class Meta:
        table = "core_organisation"
        indexes = (("parent_id",),)


class AllianceMembership(Model):
    id = fields.IntField(primary_key=True)
    alliance: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="alliance_members", on_delete=fields.CASCADE
    )
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="alliance_memberships", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(AllianceRole, max_length=10, default=AllianceRole.MEMBER)
    joined_at = fields.DatetimeField(auto_now_add=True)

    alliance_id: int
    organisation_id: int

    class Meta:
        table = "core_alliance_membership"
        unique_together = (("alliance", "organisation"),)
        indexes = (("organisation_id",),)


class AllianceInvitation(Model):
    # An alliance's invitation to an organisation, which that organisation's admins accept.
    # One row per (alliance, organisation): a new invitation after a decline reopens the same row.

    id = fields.IntField(primary_key=True)
    alliance: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="alliance_invitations_sent", on_delete=fields.CASCADE
    )
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="alliance_invitations", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(AllianceRole, max_length=10, default=AllianceRole.MEMBER)
    status = fields.CharEnumField(InvitationStatus, max_length=10, default=InvitationStatus.PENDING)
    invited_by_account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "core.Account", related_name="alliance_invitations_sent", null=True, on_delete=fields.SET_NULL
    )
    invited_at = fields.DatetimeField()
    responded_at = fields.DatetimeField(null=True)

    alliance_id: int
    organisation_id: int
    invited_by_account_id: int | None

    class Meta:
        table = "core_alliance_invitation"
        unique_together = (("alliance", "organisation"),)
        indexes = (("organisation_id", "status"),)


class OrganisationPlugin(Model):
    # A plugin switched on (or off again) for one organisation, with its settings.

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="plugin_activations", on_delete=fields.CASCADE
    )
    plugin = fields.CharField(max_length=64)
    enabled = fields.BooleanField(default=True)
    settings: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    organisation_id: int

    class Meta:
        table = "core_organisation_plugin"
        unique_together = (("organisation", "plugin"),)


class StudioStatusChange(Model):
    # One change of a studio's status (ACTIVE / WARNED / DELISTED), kept as its history; made
    # only through ``core.organisations.status.change_status``.

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="status_changes", on_delete=fields.CASCADE
    )
    from_status = fields.CharEnumField(StudioStatus, max_length=20, null=True)
    to_status = fields.CharEnumField(StudioStatus, max_length=20)
    reason = fields.TextField(default="")
    # The account that decided it; null: the system (e.g. a yearly assessment run by a job).
    changed_by_account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "core.Account", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    at = fields.DatetimeField()

    organisation_id: int
    changed_by_account_id: int | None

    class Meta:
        table = "core_studio_status_change"
        indexes = (("organisation_id", "at"),)
