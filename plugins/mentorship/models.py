"""Agreements, their milestones and session logs, and the per-mentor capacity counter."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # imported for the annotations only: Tortoise would list them in this app
    from core.organisations.models import Organisation
    from core.people.models import Person
    from core.skills.models import Skill


class MentorshipStatus(str, Enum):
    PROPOSED = "PROPOSED"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    DECLINED = "DECLINED"
    CANCELLED = "CANCELLED"
    TERMINATED = "TERMINATED"


OPEN_STATUSES = (MentorshipStatus.PROPOSED, MentorshipStatus.ACTIVE)


class MentorshipRole(str, Enum):
    MENTOR = "MENTOR"
    APPRENTICE = "APPRENTICE"


def open_key(mentor_id: int, apprentice_id: int, skill_id: int) -> str:
    return f"{mentor_id}:{apprentice_id}:{skill_id}"


class Mentorship(Model):
    # A master-apprentice agreement (师徒协议) in one skill, held in one organisation.

    id = fields.IntField(primary_key=True)
    mentor: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name=False, on_delete=fields.CASCADE
    )
    apprentice: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name=False, on_delete=fields.CASCADE
    )
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name=False, on_delete=fields.CASCADE
    )
    skill: fields.ForeignKeyRelation[Skill] = fields.ForeignKeyField(
        "core.Skill", related_name=False, on_delete=fields.CASCADE
    )
    goals = fields.TextField(default="")
    planned_start = fields.DateField()
    planned_end = fields.DateField(null=True)
    status = fields.CharEnumField(MentorshipStatus, max_length=12, default=MentorshipStatus.PROPOSED)
    mentor_signed_at = fields.DatetimeField(null=True)
    apprentice_signed_at = fields.DatetimeField(null=True)
    # The proposer; null when a superuser without a person proposed.
    created_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    # mentor:apprentice:skill while PROPOSED or ACTIVE, null afterwards. The unique index
    # allows one open agreement per pair and skill, race-free on every database.
    open_key = fields.CharField(max_length=64, null=True, unique=True)
    started_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    # Why it was declined or terminated.
    end_reason = fields.TextField(default="")
    # Graduation (出师): the evaluation, and the apprentice level it granted if any.
    score = fields.SmallIntField(null=True)
    comment = fields.TextField(default="")
    raised_level = fields.SmallIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    mentor_id: int
    apprentice_id: int
    organisation_id: int
    skill_id: int
    created_by_id: int | None

    class Meta:
        table = "mentorship_mentorship"
        indexes = (("mentor_id", "status"), ("apprentice_id", "status"), ("organisation_id", "status"))


class Milestone(Model):
    # A step of the agreement: the apprentice marks it done, the mentor approves it.

    id = fields.IntField(primary_key=True)
    mentorship: fields.ForeignKeyRelation[Mentorship] = fields.ForeignKeyField(
        "mentorship.Mentorship", related_name="milestones", on_delete=fields.CASCADE, db_index=True
    )
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    due_date = fields.DateField(null=True)
    created_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    done_at = fields.DatetimeField(null=True)
    approved_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    mentorship_id: int
    created_by_id: int | None

    class Meta:
        table = "mentorship_milestone"


class MentoringSession(Model):
    # One session of the log (带徒记录): when, how long, what was taught.

    id = fields.IntField(primary_key=True)
    mentorship: fields.ForeignKeyRelation[Mentorship] = fields.ForeignKeyField(
        "mentorship.Mentorship", related_name="sessions", on_delete=fields.CASCADE, db_index=True
    )
    date = fields.DateField()
    hours = fields.DecimalField(max_digits=4, decimal_places=2)
    topic = fields.CharField(max_length=200)
    notes = fields.TextField(default="")
    logged_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    mentorship_id: int
    logged_by_id: int | None

    class Meta:
        table = "mentorship_session"


class MentorLoad(Model):
    # ACTIVE apprentices of one mentor in one organisation. Activation takes a place with a
    # conditional UPDATE (active below capacity), ending an ACTIVE agreement gives it back.

    id = fields.IntField(primary_key=True)
    mentor: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name=False, on_delete=fields.CASCADE
    )
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name=False, on_delete=fields.CASCADE
    )
    active = fields.IntField(default=0)

    mentor_id: int
    organisation_id: int

    class Meta:
        table = "mentorship_mentor_load"
        unique_together = (("mentor", "organisation"),)
