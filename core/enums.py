"""GraphQL enums: the model enums themselves, so each has one source of truth.

``strawberry.enum`` records the GraphQL definition on the model enum and returns that same
class; the names exported here are therefore the model enums, usable as ordinary types.
Import them from here so the definitions are registered before a schema is built.
"""

from __future__ import annotations

import strawberry

from core.organisations.models import AllianceRole, OrganisationKind, OrganisationLevel, StudioStatus
from core.people.models import HonourLevel, InvitationStatus, MembershipRole
from core.skills.models import SkillGrade

__all__ = [
    "AllianceRole",
    "HonourLevel",
    "InvitationStatus",
    "MembershipRole",
    "OrganisationKind",
    "OrganisationLevel",
    "SkillGrade",
    "StudioStatus",
]

strawberry.enum(OrganisationKind, description="What sort of body this is.")
strawberry.enum(OrganisationLevel, description="Administrative level.")
strawberry.enum(StudioStatus, description="A studio's standing after the yearly assessment.")
strawberry.enum(AllianceRole, description="Role of a member in an alliance.")
strawberry.enum(InvitationStatus, description="Where an invitation stands: the invited side decides.")
strawberry.enum(MembershipRole, description="Role of a person in an organisation.")
strawberry.enum(HonourLevel, description="Level of the body that gave an honour.")
strawberry.enum(SkillGrade, description="China's five-level vocational scale; 1 (高级技师) is the highest.")
