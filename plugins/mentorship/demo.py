"""Demo data: 王建国 (高级技师 in 焊接) with apprentices at every stage, and two more pairs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from core.organisations.models import OrganisationPlugin
from core.plugin_api import DemoData
from core.skills.models import PersonSkill
from plugins.mentorship import PLUGIN
from plugins.mentorship.models import (
    OPEN_STATUSES,
    MentoringSession,
    Mentorship,
    MentorshipStatus,
    Milestone,
    open_key,
)
from plugins.mentorship.services import sync_load

STUDIOS = ("studio_wang", "studio_li", "studio_zhang", "studio_nvh")

WELDING_MILESTONES = [
    ("熟悉焊接安全规程与设备点检", True, True),
    ("掌握平焊、立焊基本手法", True, True),
    ("独立完成压力容器环缝焊接", True, False),
    ("参与工作室技术攻关子项目并独立承担一项", False, False),
]
SESSION_TOPICS = [
    ("焊接安全与劳动防护", 2.0),
    ("二氧化碳气体保护焊参数调试", 3.0),
    ("立焊操作示范与纠偏", 2.5),
    ("焊缝缺陷分析:气孔与夹渣", 1.5),
    ("压力容器环缝焊接实操", 4.0),
]


async def _agreement(
    demo: DemoData,
    mentor: str,
    apprentice: str,
    studio: str,
    skill: str,
    status: MentorshipStatus,
    started_days_ago: int,
    goals: str,
    **extra: Any,
) -> Mentorship:
    now = datetime.now(UTC).replace(microsecond=0)
    started = now - timedelta(days=started_days_ago)
    mentor_id = demo.people[mentor].id
    apprentice_id = demo.people[apprentice].id
    skill_id = demo.skills[skill].id
    signed = status is not MentorshipStatus.PROPOSED
    return await Mentorship.create(
        mentor_id=mentor_id,
        apprentice_id=apprentice_id,
        organisation_id=demo.organisations[studio].id,
        skill_id=skill_id,
        goals=goals,
        planned_start=started.date(),
        planned_end=started.date() + timedelta(days=365),
        status=status,
        created_by_id=mentor_id,
        mentor_signed_at=started,
        apprentice_signed_at=started if signed else None,
        started_at=started if signed else None,
        open_key=open_key(mentor_id, apprentice_id, skill_id) if status in OPEN_STATUSES else None,
        **extra,
    )


async def _milestones(m: Mentorship, steps: list[tuple[str, bool, bool]]) -> None:
    done_at = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
    for title, done, approved in steps:
        await Milestone.create(
            mentorship=m,
            title=title,
            created_by_id=m.mentor_id,
            done_at=done_at if done else None,
            approved_at=done_at + timedelta(days=2) if approved else None,
        )


async def _sessions(m: Mentorship, topics: list[tuple[str, float]]) -> None:
    day = datetime.now(UTC).date() - timedelta(days=7 * len(topics))
    for topic, hours in topics:
        await MentoringSession.create(
            mentorship=m, date=day, hours=Decimal(str(hours)), topic=topic,
            notes="师傅现场示范,徒弟实操后逐项点评。", logged_by_id=m.mentor_id,
        )
        day += timedelta(days=7)


async def load(demo: DemoData) -> None:
    for key in STUDIOS:
        await OrganisationPlugin.create(organisation=demo.organisations[key], plugin=PLUGIN)
    # 1+N: 王建国 and six apprentices from his studio, at every stage.
    active = await _agreement(
        demo, "wang", "worker1", "studio_wang", "焊接", MentorshipStatus.ACTIVE, 120,
        "一年内达到高级技师水平,能独立承担压力容器焊接子项目。",
    )
    await _milestones(active, WELDING_MILESTONES)
    await _sessions(active, SESSION_TOPICS)
    recent = await _agreement(
        demo, "wang", "worker13", "studio_wang", "焊接", MentorshipStatus.ACTIVE, 20,
        "从零学起,半年内取得初级工证书。",
    )
    await _milestones(recent, [(WELDING_MILESTONES[0][0], True, False), ("完成100小时焊接基础训练", False, False)])
    await _sessions(recent, SESSION_TOPICS[:2])
    await _agreement(
        demo, "wang", "worker19", "studio_wang", "焊接", MentorshipStatus.PROPOSED, 0,
        "提升立焊、仰焊技能,参加市级技能竞赛。",
    )
    graduated = await _agreement(
        demo, "wang", "worker7", "studio_wang", "焊接", MentorshipStatus.COMPLETED, 400,
        "掌握焊接基本技能,出师后独立上岗。",
        ended_at=datetime.now(UTC).replace(microsecond=0) - timedelta(days=35),
        score=92, comment="基本功扎实,已能独立承担焊接子项目,准予出师。", raised_level=5,
    )
    await _milestones(graduated, [(title, True, True) for title, _, _ in WELDING_MILESTONES[:3]])
    await PersonSkill.create(person=demo.people["worker7"], skill=demo.skills["焊接"], level=5)
    await _agreement(
        demo, "wang", "worker31", "studio_wang", "焊接", MentorshipStatus.COMPLETED, 500,
        "掌握焊接工艺评定方法。",
        ended_at=datetime.now(UTC).replace(microsecond=0) - timedelta(days=120),
        score=85, comment="工艺理解到位,实操仍需积累。",
    )
    await _agreement(
        demo, "wang", "worker25", "studio_wang", "焊接", MentorshipStatus.TERMINATED, 200,
        "掌握氩弧焊技能。",
        ended_at=datetime.now(UTC).replace(microsecond=0) - timedelta(days=90),
        end_reason="徒弟调岗至临港分公司,协议提前终止。",
    )
    # Two more pairs: 李红梅 in 数控加工, and a proposal from an apprentice to 张志强.
    li_pair = await _agreement(
        demo, "li", "worker2", "studio_li", "数控加工", MentorshipStatus.ACTIVE, 60,
        "掌握五轴数控编程,能独立完成复杂曲面零件加工。",
    )
    await _milestones(li_pair, [("三轴编程考核", True, True), ("五轴后处理与仿真", False, False)])
    await _sessions(li_pair, [("五轴机床坐标系与对刀", 3.0)])
    await Mentorship.create(
        mentor=demo.people["zhang"], apprentice=demo.people["worker3"],
        organisation=demo.organisations["studio_zhang"], skill=demo.skills["汽车NVH测试"],
        goals="学习整车NVH测试与数据分析。", planned_start=datetime.now(UTC).date(),
        created_by=demo.people["worker3"], apprentice_signed_at=datetime.now(UTC),
        open_key=open_key(demo.people["zhang"].id, demo.people["worker3"].id, demo.skills["汽车NVH测试"].id),
    )
    for mentor, studio in (("wang", "studio_wang"), ("li", "studio_li")):
        await sync_load(demo.people[mentor].id, demo.organisations[studio].id)
