"""Demo data from the seeds' world: fictional names, real shapes (see DOMAIN.md)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from core.auth.models import Account
from core.auth.services import create_account
from core.organisations.models import (
    AllianceMembership,
    AllianceRole,
    Organisation,
    OrganisationKind,
    OrganisationLevel,
)
from core.people.models import (
    Honour,
    HonourLevel,
    InvitationStatus,
    Membership,
    MembershipInvitation,
    MembershipRole,
    Person,
)
from core.plugin_api import DemoData
from core.skills.models import PersonSkill, Skill

DEMO_PASSWORD = "guildhall-demo"

SKILLS = [
    ("焊接", "机械制造"),
    ("数控加工", "机械制造"),
    ("钳工", "机械制造"),
    ("电气维修", "电气"),
    ("工业机器人运维", "智能制造"),
    ("汽车NVH测试", "汽车"),
    ("模具设计", "机械制造"),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "红梅", "志强", "海涛", "丽娟", "国栋", "晓东", "春燕", "立新", "文博",
         "振华", "秀英", "明亮", "玉兰", "永刚", "思远", "德胜", "雪梅", "子豪", "宏伟"]


async def _org(key: str, demo: DemoData, **fields: Any) -> Organisation:
    org = await Organisation.create(**fields)
    demo.organisations[key] = org
    return org


async def _build_organisations(demo: DemoData) -> None:
    fed = await _org("federation", demo, name="海州市总工会", kind=OrganisationKind.FEDERATION,
                     level=OrganisationLevel.MUNICIPAL, region="海州市",
                     description="领导全市职工创新工作室建设和联盟工作。")
    union = await _org("industry_union", demo, name="海州市机械冶金工会", kind=OrganisationKind.INDUSTRY_UNION,
                       level=OrganisationLevel.MUNICIPAL, region="海州市", industry="机械冶金", parent=fed)
    heavy = await _org("heavy", demo, name="海州重工集团有限公司", kind=OrganisationKind.ENTERPRISE,
                       level=OrganisationLevel.ENTERPRISE, region="海州市", industry="装备制造", parent=union,
                       description="链主企业,拥有市级示范性创新工作室。")
    auto = await _org("auto", demo, name="东港汽车零部件有限公司", kind=OrganisationKind.ENTERPRISE,
                      level=OrganisationLevel.ENTERPRISE, region="东港区", industry="汽车零部件", parent=union)
    await _org("school", demo, name="海州市高级技工学校", kind=OrganisationKind.SCHOOL,
               level=OrganisationLevel.MUNICIPAL, region="海州市", industry="职业教育", parent=fed,
               description="校企合作伙伴,面向企业职工开展技能培训。")
    await _org("studio_wang", demo, name="王建国劳模创新工作室", kind=OrganisationKind.STUDIO,
               level=OrganisationLevel.MUNICIPAL, region="海州市", industry="焊接", parent=heavy, status="ACTIVE",
               founded=date(2012, 5, 1), specialties=["特种焊接", "焊接机器人", "名师带徒"])
    await _org("studio_li", demo, name="李红梅技能大师工作室", kind=OrganisationKind.STUDIO,
               level=OrganisationLevel.DISTRICT, region="海州市", industry="数控加工", parent=heavy, status="ACTIVE",
               founded=date(2016, 9, 1), specialties=["五轴数控加工", "精密零件"])
    await _org("studio_zhang", demo, name="张志强工匠创新工作室", kind=OrganisationKind.STUDIO,
               level=OrganisationLevel.ENTERPRISE, region="东港区", industry="汽车NVH", parent=auto, status="ACTIVE",
               founded=date(2019, 3, 1), specialties=["整车NVH", "降噪工艺"])
    await _org("studio_nvh", demo, name="NVH跨区域联盟工作室", kind=OrganisationKind.STUDIO,
               level=OrganisationLevel.MUNICIPAL, region="海州市、临港市", industry="汽车NVH", parent=union,
               status="ACTIVE", description="两家企业的工作室两两结盟,跨区域共建。")
    alliance = await _org(
        "alliance", demo, name="海州市机械行业创新工作室联盟", kind=OrganisationKind.ALLIANCE,
        level=OrganisationLevel.MUNICIPAL, region="海州市", industry="机械", parent=union,
        charter="本联盟遵循自愿、共建、共享原则,开展技术攻关、名师带徒、技能培训和创新论坛。",
    )
    await AllianceMembership.create(alliance=alliance, organisation=demo.organisations["studio_wang"],
                                    role=AllianceRole.LEAD)
    for key in ("studio_li", "studio_zhang", "studio_nvh", "school"):
        await AllianceMembership.create(alliance=alliance, organisation=demo.organisations[key])


async def _person(demo: DemoData, key: str, name: str, org_key: str, role: MembershipRole,
                  skills: dict[str, int], honours: Sequence[tuple[str, HonourLevel, int, str]] = (),
                  bio: str = "") -> Person:
    person = await Person.create(name=name, bio=bio, phone=f"1380000{len(demo.people):04d}")
    demo.people[key] = person
    org = demo.organisations[org_key]
    await Membership.create(person=person, organisation=org, role=role)
    # Levels and honours are recorded in the name of the person's organisation (by the system).
    for skill, grade in skills.items():
        await PersonSkill.create(person=person, skill=demo.skills[skill], level=grade, awarded_by_organisation=org)
    for title, honour_level, year, issuer in honours:
        await Honour.create(person=person, title=title, level=honour_level, year=year, issuer=issuer,
                            awarded_by_organisation=org)
    return person


async def _build_people(demo: DemoData) -> None:
    leaders = [
        ("wang", "王建国", "studio_wang", {"焊接": 1, "钳工": 2},
         [("全国劳动模范", HonourLevel.NATIONAL, 2015, "中华全国总工会"),
          ("大国工匠", HonourLevel.NATIONAL, 2019, "全国总工会")]),
        ("li", "李红梅", "studio_li", {"数控加工": 1, "模具设计": 2},
         [("省级劳动模范", HonourLevel.PROVINCIAL, 2018, "省总工会"),
          ("海州工匠", HonourLevel.MUNICIPAL, 2020, "海州市总工会")]),
        ("zhang", "张志强", "studio_zhang", {"汽车NVH测试": 1, "电气维修": 3},
         [("企业工匠", HonourLevel.ENTERPRISE, 2021, "东港汽车零部件有限公司")]),
        ("liu", "刘海涛", "studio_nvh", {"汽车NVH测试": 2, "工业机器人运维": 2},
         [("市级劳动模范", HonourLevel.MUNICIPAL, 2022, "海州市人民政府")]),
    ]
    for key, name, studio, skills, honours in leaders:
        person = await _person(demo, key, name, studio, MembershipRole.LEADER, skills, honours,
                               bio=f"{name}领衔工作室,带徒传技。")
        await Organisation.filter(id=demo.organisations[studio].id).update(leader_id=person.id)
    await _person(demo, "fed_admin", "周文博", "federation", MembershipRole.ADMIN, {})
    await _person(demo, "school_admin", "吴秀英", "school", MembershipRole.ADMIN, {"数控加工": 2},
                  [("优秀教师", HonourLevel.MUNICIPAL, 2023, "海州市教育局")])
    studios = itertools.cycle(["studio_wang", "studio_li", "studio_zhang", "studio_nvh", "heavy", "auto"])
    skill_names = [name for name, _ in SKILLS]
    for i in range(34):
        name = SURNAMES[(i * 7) % len(SURNAMES)] + GIVEN[(i * 3 + 1) % len(GIVEN)]
        skills = {skill_names[i % len(skill_names)]: 2 + i % 4, skill_names[(i + 3) % len(skill_names)]: 3 + i % 3}
        honours = [("校园小工匠", HonourLevel.SCHOOL, 2024, "海州市高级技工学校")] if i % 9 == 0 else []
        await _person(demo, f"worker{i + 1}", name, next(studios), MembershipRole.MEMBER, skills, honours)


async def _build_accounts(demo: DemoData) -> None:
    await create_account("admin", DEMO_PASSWORD, None, superuser=True)
    demo.accounts.append(("admin", DEMO_PASSWORD, "superuser"))
    accounts: dict[str, Account] = {}
    for username, key, who in (
        ("fed_admin", "fed_admin", "海州市总工会 admin (manages the whole tree)"),
        ("school_admin", "school_admin", "海州市高级技工学校 admin"),
        ("wangjianguo", "wang", "王建国, studio leader, alliance lead"),
        ("lihongmei", "li", "李红梅, studio leader"),
        ("worker1", "worker1", f"{demo.people['worker1'].name}, studio member"),
    ):
        accounts[key] = await create_account(username, DEMO_PASSWORD, demo.people[key].id)
        demo.accounts.append((username, DEMO_PASSWORD, who))
    # People in several organisations join by consent: one invitation waits for worker1 to answer
    # (the school invites a studio member to teach; signed in as worker1, `me { invitations }`).
    await MembershipInvitation.create(
        person=demo.people["worker1"], organisation=demo.organisations["school"], role=MembershipRole.MEMBER,
        status=InvitationStatus.PENDING, invited_by_account=accounts["school_admin"], invited_at=datetime.now(UTC),
    )


async def load_core_demo(demo: DemoData) -> None:
    """Core's part of the demo (``register_demo``): skills, organisations, people, accounts."""
    for name, category in SKILLS:
        demo.skills[name] = await Skill.create(name=name, category=category)
    await _build_organisations(demo)
    await _build_people(demo)
    await _build_accounts(demo)


async def database_is_empty() -> bool:
    return not await Organisation.exists()
