"""Root query fields for skills."""

from __future__ import annotations

import strawberry

from core.context import Info
from core.relay import Connection, paginate_queryset
from core.skills import models
from core.skills.types import Skill


@strawberry.type
class SkillQueries:
    @strawberry.field(description="The shared skill taxonomy, by name.")
    async def skills(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
    ) -> Connection[Skill]:
        queryset = models.Skill.all()
        if search and search.strip():
            queryset = queryset.filter(name__icontains=search.strip())
        return await paginate_queryset(queryset.order_by("name", "id"), first, after, Skill.from_model)
