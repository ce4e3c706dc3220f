"""Yearly figures of mentorship for the studio assessment and statistics (``studio_metrics``)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC
from typing import cast

from core.plugin_api import StudioMetric, year_bounds
from plugins.mentorship.models import Mentorship, MentorshipStatus


async def studio_metrics(organisation_ids: list[int], year: int) -> dict[int, dict[str, int]]:
    """Apprentices graduated (出师): agreements COMPLETED within the year, by the organisation
    holding them. One statement."""
    # In UTC: SQLite compares stored UTC text, not instants.
    start, end = (bound.astimezone(UTC) for bound in year_bounds(year))
    org_ids = await Mentorship.filter(
        organisation_id__in=list(organisation_ids),
        status=MentorshipStatus.COMPLETED,
        ended_at__gte=start,
        ended_at__lt=end,
    ).values_list("organisation_id", flat=True)
    counts = Counter(cast("list[int]", org_ids))  # flat=True: ids, not the tuples tortoise's types say
    return {org_id: {StudioMetric.APPRENTICES_GRADUATED: n} for org_id, n in counts.items()}
