"""Demo data: 海州市总工会's twelve studios across three levels (the four of core's demo and
eight more), their achievements in the library (patents, techniques, operating methods, a paper,
software), awards, proposal tallies, last year's assessment with one studio on risk warning
(风险提示), and two achievements recommended to the provincial competition.

Times are relative to the wall clock (the demo is loaded once, outside any test clock).
"""

from __future__ import annotations

from datetime import UTC, datetime

from core.organisations.models import (
    Organisation,
    OrganisationKind,
    OrganisationLevel,
    OrganisationPlugin,
    StudioStatus,
    StudioStatusChange,
)
from core.people.models import Membership, MembershipRole, Person
from core.plugin_api import STUDIO_YEAR_ZONE, DemoData
from plugins.assessment import PLUGIN
from plugins.assessment.models import (
    Achievement,
    AchievementAward,
    AchievementContributor,
    AchievementKind,
    AssessmentResult,
    AwardLevel,
    ProposalTally,
    StudioAssessment,
)
from plugins.assessment.settings import AssessmentSettings

# key, name, level, region, industry, parent key, leader name
STUDIOS = [
    ("studio_sun", "孙德胜电力检修创新工作室", OrganisationLevel.MUNICIPAL, "海州市", "电力装备", "heavy", "孙德胜"),
    ("studio_gao", "高雪梅智能制造创新工作室", OrganisationLevel.MUNICIPAL, "临港市", "智能制造", "auto", "高雪梅"),
    ("studio_zhao", "赵永刚数控技能大师工作室", OrganisationLevel.DISTRICT, "海州市", "数控加工", "heavy", "赵永刚"),
    ("studio_ma", "马玉兰质量攻关创新工作室", OrganisationLevel.DISTRICT, "东港区", "汽车零部件", "auto", "马玉兰"),
    ("studio_luo", "罗宏伟模具创新工作室", OrganisationLevel.DISTRICT, "东港区", "模具设计", "auto", "罗宏伟"),
    ("studio_hu", "胡振华钳工创新工作室", OrganisationLevel.ENTERPRISE, "海州市", "装备制造", "heavy", "胡振华"),
    ("studio_guo", "郭明亮电气维修创新工作室", OrganisationLevel.ENTERPRISE, "东港区", "汽车零部件", "auto", "郭明亮"),
    (
        "studio_lin",
        "林思远机器人运维创新工作室",
        OrganisationLevel.ENTERPRISE,
        "海州市",
        "智能制造",
        "school",
        "林思远",
    ),
]

# studio key, title, kind, patent number, year offset (0 = last year), direct, indirect, promoted
ACHIEVEMENTS = [
    (
        "studio_wang",
        "一种厚板焊缝自动跟踪装置",
        AchievementKind.INVENTION_PATENT,
        "ZL202310456789.1",
        0,
        3_500_000,
        20_000_000,
        True,
    ),
    ("studio_wang", "王建国高强钢焊接操作法", AchievementKind.OPERATING_METHOD, "", 0, 1_200_000, 0, False),
    ("studio_wang", "焊接变形预控新工艺", AchievementKind.NEW_PROCESS, "", 0, 800_000, 1_500_000, False),
    ("studio_li", "数控刀具寿命预测软件V1.0", AchievementKind.SOFTWARE, "", 0, 450_000, 0, False),
    ("studio_li", "一种快速换模夹具", AchievementKind.UTILITY_MODEL_PATENT, "ZL202420123456.X", 0, 300_000, 0, False),
    ("studio_zhang", "NVH异响快速定位新技术", AchievementKind.NEW_TECHNIQUE, "", 0, 600_000, 2_000_000, True),
    ("studio_nvh", "整车路噪传递路径分析方法研究", AchievementKind.PAPER, "", 0, 0, 0, False),
    ("studio_nvh", "一种悬置隔振结构", AchievementKind.UTILITY_MODEL_PATENT, "ZL202320987654.3", 0, 900_000, 0, False),
    ("studio_sun", "带电检测机器人巡检工艺", AchievementKind.NEW_PROCESS, "", 0, 1_000_000, 3_000_000, False),
    (
        "studio_sun",
        "一种变压器油色谱在线监测装置",
        AchievementKind.INVENTION_PATENT,
        "ZL202210345678.9",
        1,
        2_000_000,
        5_000_000,
        False,
    ),
    ("studio_gao", "智能产线数字孪生调试平台", AchievementKind.SOFTWARE, "", 0, 1_500_000, 0, False),
    ("studio_gao", "机器人焊装节拍优化操作法", AchievementKind.OPERATING_METHOD, "", 0, 700_000, 0, False),
    ("studio_zhao", "五轴加工薄壁件防振新工艺", AchievementKind.NEW_PROCESS, "", 0, 500_000, 0, False),
    ("studio_zhao", "一种数控机床防护罩外观", AchievementKind.DESIGN_PATENT, "ZL202430111222.5", 0, 0, 0, False),
    ("studio_luo", "冲压模具快速修复新技术", AchievementKind.NEW_TECHNIQUE, "", 0, 350_000, 0, False),
    ("studio_hu", "精密装配钳工操作法", AchievementKind.OPERATING_METHOD, "", 0, 200_000, 0, False),
    (
        "studio_guo",
        "一种电机绝缘快速检测装置",
        AchievementKind.UTILITY_MODEL_PATENT,
        "ZL202420555666.7",
        0,
        260_000,
        0,
        False,
    ),
    ("studio_lin", "工业机器人故障诊断教学软件", AchievementKind.SOFTWARE, "", 0, 0, 0, False),
]

# studio key -> (figures of last year, passed): the risk warning is 马玉兰质量攻关创新工作室's.
WARNED = "studio_ma"


async def _studios(demo: DemoData) -> None:
    for key, name, level, region, industry, parent, leader_name in STUDIOS:
        studio = await Organisation.create(
            name=name,
            kind=OrganisationKind.STUDIO,
            level=level,
            region=region,
            industry=industry,
            parent=demo.organisations[parent],
            status=StudioStatus.ACTIVE,
            description=f"由{leader_name}领衔,围绕{industry}开展技术攻关、名师带徒和技能培训。",
        )
        demo.organisations[key] = studio
        leader = await Person.create(name=leader_name, bio=f"{leader_name}领衔{name}。")
        demo.people[key.replace("studio_", "")] = leader
        await Membership.create(person=leader, organisation=studio, role=MembershipRole.LEADER)
        await Organisation.filter(id=studio.id).update(leader_id=leader.id)
        studio.leader_id = leader.id


async def _achievements(demo: DemoData, year: int) -> None:
    competition = "省职工创新创效竞赛"
    for key, title, kind, number, back, direct, indirect, promoted in ACHIEVEMENTS:
        studio = demo.organisations[key]
        row = await Achievement.create(
            organisation=studio,
            title=title,
            kind=kind,
            patent_number=number,
            year=year - back,
            industry_chain=studio.industry,
            direct_benefit=direct,
            indirect_benefit=indirect,
            promoted=promoted,
            promoted_at=datetime.now(UTC) if promoted else None,
            promotion_note=f"优先推荐参加{competition}" if promoted else "",
            description=f"{studio.name}的{'专利' if number else '创新'}成果,已在生产中推广应用。",
        )
        if studio.leader_id is not None:
            await AchievementContributor.create(achievement=row, person_id=studio.leader_id)
        if promoted:
            await AchievementAward.create(
                achievement=row, name="海州市职工技术创新成果评选", level=AwardLevel.MUNICIPAL, rank="一等奖", year=year
            )
    await ProposalTally.create(
        organisation=demo.organisations["studio_wang"], year=year, quarter=0, received=902, adopted=902
    )
    await ProposalTally.create(
        organisation=demo.organisations["studio_ma"], year=year, quarter=0, received=120, adopted=45
    )


async def _last_assessment(demo: DemoData, year: int) -> None:
    federation = demo.organisations["federation"]
    settings = AssessmentSettings()
    now = datetime.now(UTC)
    for key, studio in demo.organisations.items():
        if studio.kind != OrganisationKind.STUDIO or studio.parent_id is None:
            continue
        level, targets = settings.targets_for(studio.level)
        wanted = {name: value for name, value in targets.model_dump().items() if value > 0}
        actuals = {name: value + (1 if key != WARNED else 0) for name, value in targets.model_dump().items()}
        shortfalls: list[str] = []
        if key == WARNED:
            actuals.update(problems_solved=0, apprentices_graduated=0)
            shortfalls = sorted(name for name in ("problems_solved", "apprentices_graduated") if wanted.get(name))
        result = AssessmentResult.RISK_WARNING if shortfalls else AssessmentResult.PASS
        await StudioAssessment.create(
            organisation=studio,
            federation=federation,
            year=year,
            level=level.value,
            targets=wanted,
            actuals=actuals,
            shortfalls=shortfalls,
            result=result,
            evaluated_at=now,
        )
        if shortfalls:
            await Organisation.filter(id=studio.id).update(status=StudioStatus.WARNED)
            await StudioStatusChange.create(
                organisation=studio,
                from_status=StudioStatus.ACTIVE,
                to_status=StudioStatus.WARNED,
                at=now,
                reason=f"{year}年度考核:风险提示(未达标:" + "、".join(shortfalls) + ")",
            )


async def load(demo: DemoData) -> None:
    year = datetime.now(STUDIO_YEAR_ZONE).year - 1
    await _studios(demo)
    for key in ["federation", *(k for k, o in demo.organisations.items() if o.kind == OrganisationKind.STUDIO)]:
        await OrganisationPlugin.create(organisation=demo.organisations[key], plugin=PLUGIN)
    await _achievements(demo, year)
    await _last_assessment(demo, year)
