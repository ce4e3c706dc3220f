"""The training plugin's notices (its ``notifications`` hook).

``training.waitlist_promoted``: the promoted person (kind ``training.waitlist_promoted``), linked
to their TrainingEnrolment. The system promotes, so there is no actor.
"""

from __future__ import annotations

from core.notifications.notices import pk_in
from core.plugin_api import DomainEvent, Notice
from core.relay import to_global_id
from plugins.training.models import TrainingCourse


async def notices(event: DomainEvent) -> list[Notice]:
    if event.name != "training.waitlist_promoted":
        return []
    person_id = pk_in(event.payload, "personId")
    enrolment_id = pk_in(event.payload, "enrolmentId", "TrainingEnrolment")
    if person_id is None or enrolment_id is None:
        return []
    course_id = pk_in(event.payload, "courseId", "TrainingCourse")
    course = await TrainingCourse.get_or_none(id=course_id) if course_id is not None else None
    title = course.title if course is not None else ""
    return [
        Notice(
            recipient_id=person_id,
            kind="training.waitlist_promoted",
            subject=to_global_id("TrainingEnrolment", enrolment_id),
            summary=f"候补转正：你已获得「{title}」的名额",
        )
    ]
