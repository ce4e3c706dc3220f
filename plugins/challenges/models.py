"""Problems (the demand list), offers (the resource and research lists), service teams, bids,
milestones, service visits, outcomes, and who solved what."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # only for annotations: importing them here would make Tortoise list them in this app
    from core.organisations.models import Organisation
    from core.people.models import Person
    from core.skills.models import Skill


class ProblemStatus(str, Enum):
    DRAFT = "DRAFT"
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    SOLVED = "SOLVED"
    CLOSED = "CLOSED"
    WITHDRAWN = "WITHDRAWN"


class Urgency(str, Enum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class Visibility(str, Enum):
    ALLIANCE = "ALLIANCE"
    REGION = "REGION"
    PUBLIC = "PUBLIC"


class OfferKind(str, Enum):
    PERSON = "PERSON"
    STUDIO = "STUDIO"
    TEAM = "TEAM"


class BidStatus(str, Enum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    WITHDRAWN = "WITHDRAWN"


class MilestoneStatus(str, Enum):
    PLANNED = "PLANNED"
    DONE = "DONE"
    APPROVED = "APPROVED"


class OutcomeStatus(str, Enum):
    SUBMITTED = "SUBMITTED"
    ACCEPTED = "ACCEPTED"
    RETURNED = "RETURNED"


class ServiceTeam(Model):
    # 劳模工匠服务队: a named group led by a model worker or craftsman, serving one industry chain.

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="challenge_teams", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=200)
    leader: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="challenge_teams_led", on_delete=fields.RESTRICT
    )
    industry_chain = fields.CharField(max_length=50)
    region = fields.CharField(max_length=100, default="")
    description = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    organisation_id: int
    leader_id: int

    class Meta:
        table = "challenges_service_team"
        indexes = (("organisation_id",), ("leader_id",))


class ServiceTeamMember(Model):
    id = fields.IntField(primary_key=True)
    team: fields.ForeignKeyRelation[ServiceTeam] = fields.ForeignKeyField(
        "challenges.ServiceTeam", related_name="member_links", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="challenge_team_memberships", on_delete=fields.CASCADE
    )

    team_id: int
    person_id: int

    class Meta:
        table = "challenges_service_team_member"
        unique_together = (("team", "person"),)
        indexes = (("person_id",),)


class Problem(Model):
    # A technical problem an organisation posts (需求清单). ``teams`` counts ACCEPTED bids and is
    # only changed by a conditional UPDATE (``teams < max_teams``), so selection is race-free.

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="challenge_problems", on_delete=fields.CASCADE
    )
    posted_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="challenge_problems_posted", null=True, on_delete=fields.SET_NULL
    )
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    industry_chain = fields.CharField(max_length=50, default="")
    urgency = fields.CharEnumField(Urgency, max_length=10, default=Urgency.NORMAL)
    region = fields.CharField(max_length=100, default="")
    reward = fields.BigIntField(null=True)  # yuan
    deadline = fields.DateField(null=True)
    visibility = fields.CharEnumField(Visibility, max_length=10, default=Visibility.ALLIANCE)
    attachments: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    status = fields.CharEnumField(ProblemStatus, max_length=12, default=ProblemStatus.DRAFT)
    teams = fields.IntField(default=0)
    close_reason = fields.CharField(max_length=500, default="")
    rating = fields.SmallIntField(null=True)
    economic_benefit = fields.BigIntField(null=True)  # yuan
    opened_at = fields.DatetimeField(null=True)
    taken_at = fields.DatetimeField(null=True)
    solved_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    organisation_id: int
    posted_by_id: int | None

    class Meta:
        table = "challenges_problem"
        indexes = (("status", "industry_chain"), ("organisation_id", "status"), ("solved_at",))


class ProblemSkill(Model):
    # A skill the problem needs, at ``min_level`` or better (1 高级技师 … 5 初级工).

    id = fields.IntField(primary_key=True)
    problem: fields.ForeignKeyRelation[Problem] = fields.ForeignKeyField(
        "challenges.Problem", related_name="skill_needs", on_delete=fields.CASCADE
    )
    skill: fields.ForeignKeyRelation[Skill] = fields.ForeignKeyField(
        "core.Skill", related_name="challenge_needs", on_delete=fields.CASCADE
    )
    min_level = fields.SmallIntField()

    problem_id: int
    skill_id: int

    class Meta:
        table = "challenges_problem_skill"
        unique_together = (("problem", "skill"),)
        indexes = (("skill_id",),)


class Offer(Model):
    # What a person, a studio or a service team offers (资源清单 / 科研清单). Exactly one owner
    # column is set, as ``kind`` says.

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(OfferKind, max_length=10)
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="challenge_offers", null=True, on_delete=fields.CASCADE
    )
    organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="challenge_offers", null=True, on_delete=fields.CASCADE
    )
    team: fields.ForeignKeyNullableRelation[ServiceTeam] = fields.ForeignKeyField(
        "challenges.ServiceTeam", related_name="offers", null=True, on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    specialties: fields.JSONField[list[str]] = fields.JSONField(default=list)
    research_directions: fields.JSONField[list[str]] = fields.JSONField(default=list)
    industry_chain = fields.CharField(max_length=50, default="")
    region = fields.CharField(max_length=100, default="")
    availability = fields.CharField(max_length=200, default="")
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    person_id: int | None
    organisation_id: int | None
    team_id: int | None

    class Meta:
        table = "challenges_offer"
        indexes = (("active", "kind"), ("person_id",), ("organisation_id",), ("team_id",))


class OfferSkill(Model):
    # A skill an offer lists; levels come from core (the people behind the offer).

    id = fields.IntField(primary_key=True)
    offer: fields.ForeignKeyRelation[Offer] = fields.ForeignKeyField(
        "challenges.Offer", related_name="skill_links", on_delete=fields.CASCADE
    )
    skill: fields.ForeignKeyRelation[Skill] = fields.ForeignKeyField(
        "core.Skill", related_name="challenge_offers", on_delete=fields.CASCADE
    )

    offer_id: int
    skill_id: int

    class Meta:
        table = "challenges_offer_skill"
        unique_together = (("offer", "skill"),)


class Bid(Model):
    # An offer's application to take a problem (揭榜). ``organisation`` is the solver side's
    # organisation (the studio, or the team's organisation; null for a person), copied for figures.

    id = fields.IntField(primary_key=True)
    problem: fields.ForeignKeyRelation[Problem] = fields.ForeignKeyField(
        "challenges.Problem", related_name="bids", on_delete=fields.CASCADE
    )
    offer: fields.ForeignKeyRelation[Offer] = fields.ForeignKeyField(
        "challenges.Offer", related_name="bids", on_delete=fields.CASCADE
    )
    organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="challenge_bids", null=True, on_delete=fields.SET_NULL
    )
    created_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="challenge_bids_made", null=True, on_delete=fields.SET_NULL
    )
    plan = fields.TextField()
    timeline = fields.CharField(max_length=500, default="")
    finish_by = fields.DateField(null=True)
    member_ids: fields.JSONField[list[int]] = fields.JSONField(default=list)
    status = fields.CharEnumField(BidStatus, max_length=10, default=BidStatus.PENDING)
    decline_reason = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    decided_at = fields.DatetimeField(null=True)

    problem_id: int
    offer_id: int
    organisation_id: int | None
    created_by_id: int | None

    class Meta:
        table = "challenges_bid"
        unique_together = (("problem", "offer"),)
        indexes = (("offer_id", "status"), ("organisation_id", "status"))


class Milestone(Model):
    id = fields.IntField(primary_key=True)
    problem: fields.ForeignKeyRelation[Problem] = fields.ForeignKeyField(
        "challenges.Problem", related_name="milestones", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=200)
    due = fields.DateField(null=True)
    status = fields.CharEnumField(MilestoneStatus, max_length=10, default=MilestoneStatus.PLANNED)
    done_at = fields.DatetimeField(null=True)
    approved_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    problem_id: int

    class Meta:
        table = "challenges_milestone"
        indexes = (("problem_id",),)


class ServiceVisit(Model):
    # 现场技术指导 / 助企行: one visit of a team to the poster, counted in 场次 and 人次.

    id = fields.IntField(primary_key=True)
    problem: fields.ForeignKeyRelation[Problem] = fields.ForeignKeyField(
        "challenges.Problem", related_name="visits", on_delete=fields.CASCADE
    )
    bid: fields.ForeignKeyRelation[Bid] = fields.ForeignKeyField(
        "challenges.Bid", related_name="visits", on_delete=fields.CASCADE
    )
    organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="challenge_visits", null=True, on_delete=fields.SET_NULL
    )
    logged_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="challenge_visits_logged", null=True, on_delete=fields.SET_NULL
    )
    date = fields.DateField()
    hours = fields.FloatField()
    people = fields.IntField()
    workers_trained = fields.IntField(default=0)
    notes = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    problem_id: int
    bid_id: int
    organisation_id: int | None
    logged_by_id: int | None

    class Meta:
        table = "challenges_service_visit"
        indexes = (("problem_id",), ("organisation_id", "date"))


class Outcome(Model):
    id = fields.IntField(primary_key=True)
    problem: fields.ForeignKeyRelation[Problem] = fields.ForeignKeyField(
        "challenges.Problem", related_name="outcomes", on_delete=fields.CASCADE
    )
    bid: fields.ForeignKeyRelation[Bid] = fields.ForeignKeyField(
        "challenges.Bid", related_name="outcomes", on_delete=fields.CASCADE
    )
    summary = fields.TextField()
    status = fields.CharEnumField(OutcomeStatus, max_length=10, default=OutcomeStatus.SUBMITTED)
    return_reason = fields.CharField(max_length=500, default="")
    submitted_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)

    problem_id: int
    bid_id: int

    class Meta:
        table = "challenges_outcome"
        indexes = (("problem_id", "status"),)


class ProblemSolver(Model):
    # Who solved a problem, written when the outcome is accepted (growth record, figures).

    id = fields.IntField(primary_key=True)
    problem: fields.ForeignKeyRelation[Problem] = fields.ForeignKeyField(
        "challenges.Problem", related_name="solvers", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "core.Person", related_name="challenge_problems_solved", on_delete=fields.CASCADE
    )
    solved_at = fields.DatetimeField()

    problem_id: int
    person_id: int

    class Meta:
        table = "challenges_problem_solver"
        unique_together = (("problem", "person"),)
        indexes = (("person_id", "solved_at"),)
