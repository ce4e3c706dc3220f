"""Yearly counts the seeds report (培训场次, 人次, 学时, 证书), per organisation.

- ``sessions``: sessions held, i.e. not cancelled and either completed or already ended;
- ``attendances``: checked-in seats (人次) in those sessions;
- ``hours``: training hours delivered, the summed length of those sessions;
- ``certificates``: certificates issued (and not revoked).

A year is the calendar year in the organisation's ``timezone`` setting (default Asia/Shanghai),
by the session's start and the certificate's issue date. One batch of queries answers every
organisation on a page (``loaders.stats_by_organisation_year``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.functions import Count

from core.organisations.activation import effective_settings
from core.organisations.models import OrganisationPlugin
from core.plugin_api import StudioMetric, year_bounds
from core.runtime import Runtime
from plugins.training import PLUGIN
from plugins.training.models import (
    EnrolmentStatus,
    SessionStatus,
    TrainingCertificate,
    TrainingEnrolment,
    TrainingSession,
)
from plugins.training.services import zone
from plugins.training.settings import TrainingSettings

FIRST_YEAR = 1950
LAST_YEAR = 2200


@dataclass(frozen=True)
class YearStats:
    sessions: int = 0
    attendances: int = 0
    hours: float = 0.0
    certificates: int = 0


def year_range(year: int, timezone: object) -> tuple[datetime, datetime]:
    """The year in ``timezone``, in UTC (the database compares UTC values)."""
    tz = zone(timezone)
    return (datetime(year, 1, 1, tzinfo=tz).astimezone(UTC), datetime(year + 1, 1, 1, tzinfo=tz).astimezone(UTC))


async def _timezones(rt: Runtime, org_ids: set[int]) -> dict[int, str]:
    zones = {org_id: TrainingSettings().timezone for org_id in org_ids}
    rows = await OrganisationPlugin.filter(organisation_id__in=list(org_ids), plugin=PLUGIN).values_list(
        "organisation_id", "settings"
    )
    for org_id, stored in rows:
        settings = effective_settings(rt.registry, PLUGIN, stored if isinstance(stored, dict) else {})
        assert isinstance(settings, TrainingSettings)
        zones[org_id] = settings.timezone
    return zones


async def stats_for(rt: Runtime, keys: Sequence[tuple[int, int]]) -> list[YearStats]:
    """Stats for each (organisation id, year): five statements whatever the number of keys."""
    org_ids = {org_id for org_id, _ in keys}
    zones = await _timezones(rt, org_ids)
    ranges = {key: year_range(key[1], zones[key[0]]) for key in set(keys)}
    low = min(start for start, _ in ranges.values())
    high = max(end for _, end in ranges.values())
    now = rt.now()

    sessions = await TrainingSession.filter(
        organisation_id__in=list(org_ids), starts_at__gte=low, starts_at__lt=high,
        status__not=SessionStatus.CANCELLED,
    ).values("id", "organisation_id", "starts_at", "ends_at", "status")
    held = [s for s in sessions if s["status"] == SessionStatus.COMPLETED or s["ends_at"] <= now]
    attendance_rows = await TrainingEnrolment.filter(
        session__organisation_id__in=list(org_ids), session__starts_at__gte=low, session__starts_at__lt=high,
        status=EnrolmentStatus.ATTENDED,
    ).annotate(n=Count("id")).group_by("session_id").values("session_id", "n")
    attendance = {row["session_id"]: row["n"] for row in attendance_rows}
    certificates = await TrainingCertificate.filter(
        organisation_id__in=list(org_ids), issued_at__gte=low, issued_at__lt=high, revoked_at__isnull=True,
    ).values("organisation_id", "issued_at")

    counts: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    hours: dict[tuple[int, int], float] = defaultdict(float)
    for key, (start, end) in ranges.items():
        org_id = key[0]
        for s in held:
            if s["organisation_id"] == org_id and start <= s["starts_at"] < end:
                counts[key]["sessions"] += 1
                counts[key]["attendances"] += attendance.get(s["id"], 0)
                hours[key] += (s["ends_at"] - s["starts_at"]).total_seconds() / 3600
        counts[key]["certificates"] = sum(
            1 for c in certificates if c["organisation_id"] == org_id and start <= c["issued_at"] < end
        )
    return [
        YearStats(
            sessions=counts[key]["sessions"],
            attendances=counts[key]["attendances"],
            hours=round(hours[key], 2),
            certificates=counts[key]["certificates"],
        )
        for key in keys
    ]


async def studio_metrics(organisation_ids: list[int], year: int) -> dict[int, dict[str, int]]:
    """Training's ``studio_metrics``: sessions held (场次) and attendances (人次) in the studio
    year (``core.plugin_api.year_bounds``, China Standard Time), as ``stats_for`` counts them.
    Two statements. Without a runtime, "already ended" is judged by the wall clock."""
    # In UTC: SQLite compares stored UTC text, not instants.
    start, end = (bound.astimezone(UTC) for bound in year_bounds(year))
    now = datetime.now(UTC)
    sessions = await TrainingSession.filter(
        organisation_id__in=list(organisation_ids), starts_at__gte=start, starts_at__lt=end,
        status__not=SessionStatus.CANCELLED,
    ).values("id", "organisation_id", "ends_at", "status")
    held = {s["id"]: s["organisation_id"] for s in sessions if s["status"] == SessionStatus.COMPLETED
            or s["ends_at"] <= now}
    attendance_rows = await TrainingEnrolment.filter(
        session_id__in=list(held) or [0], status=EnrolmentStatus.ATTENDED,
    ).annotate(n=Count("id")).group_by("session_id").values("session_id", "n")
    found: dict[int, Counter[str]] = defaultdict(Counter)
    for org_id in held.values():
        found[org_id][StudioMetric.TRAINING_SESSIONS] += 1
    for row in attendance_rows:
        found[held[row["session_id"]]][StudioMetric.TRAINING_ATTENDANCES] += row["n"]
    return {org_id: dict(figures) for org_id, figures in found.items()}
