"""GraphQL enums, derived from the model enums so each has one source of truth."""

from __future__ import annotations

import strawberry

from core.organisations import models as org_models
from core.people import models as people_models
from core.skills import models as skill_models

OrganisationKind = strawberry.enum(org_models.OrganisationKind, description="What sort of body this is.")
OrganisationLevel = strawberry.enum(org_models.OrganisationLevel, description="Administrative level.")
StudioStatus = strawberry.enum(
    org_models.StudioStatus, description="A studio's standing after the yearly assessment."
)
AllianceRole = strawberry.enum(org_models.AllianceRole, description="Role of a member in an alliance.")
MembershipRole = strawberry.enum(people_models.MembershipRole, description="Role of a person in an organisation.")
HonourLevel = strawberry.enum(people_models.HonourLevel, description="Level of the body that gave an honour.")
SkillGrade = strawberry.enum(
    skill_models.SkillGrade,
    description="China's five-level vocational scale; 1 (高级技师) is the highest.",
)
