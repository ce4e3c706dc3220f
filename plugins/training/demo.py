"""Demo data: the technical school and the heavy-industry group run training (校企合作).

Times are relative to the wall clock (the demo is loaded once, outside any test clock): past
sessions with attendances and certificates (one batch already expired), future sessions with
seats, a waitlist, a weekly series and a cancelled session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from core.organisations.models import OrganisationPlugin
from core.plugin_api import DemoData
from plugins.training import PLUGIN
from plugins.training.certificates import expiry_for, new_code
from plugins.training.models import (
    EnrolmentStatus,
    SessionStatus,
    TrainingCertificate,
    TrainingCourse,
    TrainingCourseTrainer,
    TrainingEnrolment,
    TrainingSession,
)

SEATED = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.ATTENDED, EnrolmentStatus.NO_SHOW)


@dataclass
class CourseSpec:
    key: str
    org: str
    title: str
    skill: str | None
    level: int | None
    hours: float
    trainers: tuple[str, ...]
    valid_months: int | None = None
    published: bool = True
    description: str = ""


COURSES = [
    CourseSpec("cnc", "school", "数控车床编程与操作(中级工)", "数控加工", 4, 40, ("school_admin", "li"),
               description="面向企业职工的数控车床编程、对刀与加工实操,结业考核合格颁发培训证书。"),
    CourseSpec("weld_safety", "school", "焊接安全作业培训", "焊接", 5, 16, ("wang",), valid_months=24,
               description="焊接与热切割作业安全规范,证书有效期两年,到期须复训。"),
    CourseSpec("robot", "school", "工业机器人运维入门(社会大课堂)", "工业机器人运维", 5, 24, ("liu",),
               valid_months=36, description="线上线下结合的开放课堂,每周一次,共四讲。"),
    CourseSpec("mould", "school", "模具设计进阶班", "模具设计", 3, 48, ("li",), published=False,
               description="筹备中,尚未开放报名。"),
    CourseSpec("weld_contest", "heavy", "焊接工艺提升班(以赛促训)", "焊接", 3, 32, ("wang",),
               description="围绕市级技能竞赛项目开展的集训,以赛促训、以赛促学。"),
    CourseSpec("fitter", "heavy", "钳工技能比武集训", "钳工", 3, 20, ("wang", "zhang")),
]


def _workers(demo: DemoData, start: int, count: int) -> list[Any]:
    return [demo.people[f"worker{i}"] for i in range(start, start + count)]


async def _session(
    course: TrainingCourse,
    starts_at: datetime,
    hours: float,
    capacity: int,
    venue: str,
    people: list[tuple[Any, EnrolmentStatus]],
    status: SessionStatus = SessionStatus.SCHEDULED,
    **extra: Any,
) -> tuple[TrainingSession, list[TrainingEnrolment]]:
    ends_at = starts_at + timedelta(hours=hours)
    waitlisted = [p for p, s in people if s == EnrolmentStatus.WAITLISTED]
    session = await TrainingSession.create(
        course=course, organisation_id=course.organisation_id, starts_at=starts_at, ends_at=ends_at,
        venue=venue, capacity=capacity, status=status,
        seats_taken=sum(1 for _, s in people if s in SEATED), waitlist_length=len(waitlisted),
        completed_at=ends_at if status == SessionStatus.COMPLETED else None, **extra,
    )
    enrolled_at = starts_at - timedelta(days=10)
    rows = [
        TrainingEnrolment(
            session=session, person=person, status=state, enrolled_at=enrolled_at,
            waitlist_position=waitlisted.index(person) + 1 if state == EnrolmentStatus.WAITLISTED else None,
            confirmed_at=enrolled_at if state in SEATED else None,
            checked_in_at=starts_at - timedelta(minutes=10) if state == EnrolmentStatus.ATTENDED else None,
        )
        for person, state in people
    ]
    await TrainingEnrolment.bulk_create(rows)
    return session, list(await TrainingEnrolment.filter(session=session).order_by("id"))


async def _assess(course: TrainingCourse, session: TrainingSession, enrolments: list[TrainingEnrolment],
                  failed: int = 1) -> None:
    """Everyone who attended is assessed; all but the last ``failed`` pass."""
    attended = [e for e in enrolments if e.status == EnrolmentStatus.ATTENDED]
    issued_at = session.ends_at + timedelta(days=1)
    for i, enrolment in enumerate(attended):
        passed = i < len(attended) - failed
        score = 92.0 - i * 3 if passed else 55.0
        await TrainingEnrolment.filter(id=enrolment.id).update(passed=passed, score=score, assessed_at=issued_at)
        if passed:
            await TrainingCertificate.create(
                holder_id=enrolment.person_id, course=course, organisation_id=course.organisation_id,
                enrolment=enrolment, code=new_code(), score=score, issued_at=issued_at,
                expires_at=expiry_for(course, issued_at),
            )


async def load(demo: DemoData) -> None:
    for key in ("school", "heavy"):
        await OrganisationPlugin.create(organisation=demo.organisations[key], plugin=PLUGIN)
    courses: dict[str, TrainingCourse] = {}
    for spec in COURSES:
        course = await TrainingCourse.create(
            organisation=demo.organisations[spec.org], title=spec.title,
            skill=demo.skills[spec.skill] if spec.skill else None, target_level=spec.level,
            description=spec.description, hours=spec.hours, certificate_valid_months=spec.valid_months,
            published=spec.published,
        )
        await TrainingCourseTrainer.bulk_create(
            [TrainingCourseTrainer(course=course, person=demo.people[key]) for key in spec.trainers]
        )
        courses[spec.key] = course

    today = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0)  # 09:00 in China
    attended, no_show = EnrolmentStatus.ATTENDED, EnrolmentStatus.NO_SHOW
    confirmed, waiting = EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED
    done = SessionStatus.COMPLETED

    # Past: a safety class 26 months ago (its certificates have expired), and recent classes.
    people = [(p, attended) for p in _workers(demo, 1, 9)] + [(demo.people["worker10"], no_show)]
    session, rows = await _session(courses["weld_safety"], today - timedelta(days=790), 8, 12,
                                   "海州市高级技工学校 实训楼焊接车间", people, done)
    await _assess(courses["weld_safety"], session, rows)
    people = [(p, attended) for p in _workers(demo, 11, 12)] + [(p, no_show) for p in _workers(demo, 23, 2)]
    session, rows = await _session(courses["weld_safety"], today - timedelta(days=60), 8, 15,
                                   "海州市高级技工学校 实训楼焊接车间", people, done)
    await _assess(courses["weld_safety"], session, rows, failed=2)
    people = [(p, attended) for p in _workers(demo, 1, 14)] + [(demo.people["worker15"], no_show)]
    session, rows = await _session(courses["cnc"], today - timedelta(days=30), 6, 16,
                                   "海州市高级技工学校 数控实训中心", people, done)
    await _assess(courses["cnc"], session, rows)
    people = [(p, attended) for p in _workers(demo, 16, 10)]
    session, rows = await _session(courses["weld_contest"], today - timedelta(days=21), 8, 10,
                                   "海州重工 焊接培训基地", people, done)
    await _assess(courses["weld_contest"], session, rows, failed=0)

    # Future: a full class with a waitlist, open seats, a weekly online series, a cancellation.
    people = [(p, confirmed) for p in _workers(demo, 1, 6)] + [(p, waiting) for p in _workers(demo, 7, 3)]
    await _session(courses["cnc"], today + timedelta(days=7), 6, 6, "海州市高级技工学校 数控实训中心", people)
    people = [(p, confirmed) for p in _workers(demo, 20, 5)]
    await _session(courses["weld_safety"], today + timedelta(days=14), 8, 20,
                   "海州市高级技工学校 实训楼焊接车间", people)
    for week in range(4):
        people = [(p, confirmed) for p in _workers(demo, 25, 8 - week)]
        await _session(courses["robot"], today + timedelta(days=3, weeks=week, hours=10), 2, 40,
                       "海州市高级技工学校 报告厅", people, online_url="https://meeting.example.cn/robot-101",
                       series_id="demo-robot-series")
    people = [(p, confirmed) for p in _workers(demo, 2, 4)]
    await _session(courses["fitter"], today + timedelta(days=10), 6, 15, "海州重工 钳工实训室", people)
    cancelled = today + timedelta(days=5)
    await _session(courses["weld_contest"], cancelled, 8, 10, "海州重工 焊接培训基地", [],
                   SessionStatus.CANCELLED, cancelled_at=cancelled - timedelta(days=8),
                   cancel_reason="竞赛日程调整,改期另行通知。")
