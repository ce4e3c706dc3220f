"""Training's part of a person's growth record: sessions attended and certificates earned
(``growth_items`` hook). Two statements; revoked certificates are left out."""

from __future__ import annotations

from datetime import datetime

from core.plugin_api import GrowthItem
from core.relay import to_global_id
from plugins.training.models import EnrolmentStatus, TrainingCertificate, TrainingEnrolment


async def growth_items(person_id: int, before: datetime | None, limit: int) -> list[GrowthItem]:
    attended = TrainingEnrolment.filter(
        person_id=person_id, status=EnrolmentStatus.ATTENDED, checked_in_at__isnull=False
    )
    certificates = TrainingCertificate.filter(holder_id=person_id, revoked_at__isnull=True)
    if before is not None:
        attended = attended.filter(checked_in_at__lte=before)
        certificates = certificates.filter(issued_at__lte=before)
    found: list[tuple[datetime, int, GrowthItem]] = []
    for row in (
        await attended.order_by("-checked_in_at", "-id")
        .limit(limit)
        .values("id", "checked_in_at", "session__course__title")
    ):
        item = GrowthItem(
            at=row["checked_in_at"],
            kind="training.attended",
            title=f"参加培训《{row['session__course__title']}》",
            subject=to_global_id("TrainingEnrolment", row["id"]),
        )
        found.append((row["checked_in_at"], row["id"], item))
    for row in await certificates.order_by("-issued_at", "-id").limit(limit).values("id", "issued_at", "course__title"):
        item = GrowthItem(
            at=row["issued_at"],
            kind="training.certificate",
            title=f"获得《{row['course__title']}》培训证书",
            subject=to_global_id("TrainingCertificate", row["id"]),
        )
        found.append((row["issued_at"], row["id"] + 2**31, item))
    found.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return [item for _, _, item in found[:limit]]
