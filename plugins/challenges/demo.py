"""Demo data: 海州市 (a 烟台-like city) runs 劳模工匠助企行 — the federation sets the city's
industry chains, forms service teams for two of them (高端装备, 汽车), studios, experts and
craftsmen publish offers, and two enterprises (the chain-leader group, which lets its own
studios take its problems, and the auto-parts maker) post a dozen problems at every stage:
drafts, open ones with bids, work in progress with milestones, service visits and outcomes (one
sent back), solved ones with ratings and economic benefit, one closed unsolved and one withdrawn.

Times are relative to the wall clock (the demo is loaded once, outside any test clock).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from core.organisations.models import Organisation, OrganisationPlugin
from core.plugin_api import DemoData
from plugins.challenges import PLUGIN
from plugins.challenges.models import (
    Bid,
    BidStatus,
    Milestone,
    MilestoneStatus,
    Offer,
    OfferKind,
    OfferSkill,
    Outcome,
    OutcomeStatus,
    Problem,
    ProblemSkill,
    ProblemSolver,
    ProblemStatus,
    ServiceTeam,
    ServiceTeamMember,
    ServiceVisit,
    Urgency,
    Visibility,
)

# The city's 16 key industry chains (seed 004: 聚焦全市16条重点产业链).
CHAINS = [
    "绿色石化",
    "有色及贵金属",
    "汽车",
    "高端装备",
    "电子信息",
    "食品精深加工",
    "生物医药",
    "新能源",
    "新材料",
    "海洋经济",
    "航空航天",
    "现代纺织",
    "智能家电",
    "节能环保",
    "数字经济",
    "现代农业",
]


async def _offer(kind: OfferKind, title: str, skills: list[str], demo: DemoData, **fields: Any) -> Offer:
    offer = await Offer.create(kind=kind, title=title, **fields)
    await OfferSkill.bulk_create([OfferSkill(offer=offer, skill=demo.skills[s]) for s in skills])
    return offer


async def load(demo: DemoData) -> None:
    orgs, people = demo.organisations, demo.people
    now = datetime.now(UTC)
    today = now.date()

    def ago(days: float) -> datetime:
        return now - timedelta(days=days)

    def day(days: int) -> date:
        return today - timedelta(days=days)

    # The chain-leader group posts 高端装备 problems and lets its own studios take them on; the
    # auto-parts maker posts 汽车 problems. The federation's admin posts for both.
    precision, electronics = orgs["heavy"], orgs["auto"]
    await OrganisationPlugin.create(
        organisation=orgs["federation"],
        plugin=PLUGIN,
        settings={"industry_chains": CHAINS, "match_notify_threshold": 60},
    )
    await OrganisationPlugin.create(
        organisation=precision, plugin=PLUGIN, settings={"max_teams": 2, "allow_own_members": True}
    )
    for key in ("industry_union", "auto", "school", "studio_wang", "studio_li", "studio_zhang", "studio_nvh"):
        await OrganisationPlugin.create(organisation=orgs[key], plugin=PLUGIN, settings={})

    # Service teams of the federation for two chains, led by model workers.
    equipment = await ServiceTeam.create(
        organisation=orgs["federation"],
        name="高端装备产业链劳模工匠服务队",
        leader=people["wang"],
        industry_chain="高端装备",
        region="海州市",
        description="由链主企业劳模工匠和技工院校专家组成,开展焊接、数控、模具等技术服务和技能培训。",
    )
    cars = await ServiceTeam.create(
        organisation=orgs["federation"],
        name="汽车产业链劳模工匠服务队",
        leader=people["zhang"],
        industry_chain="汽车",
        region="东港区",
        description="聚焦汽车零部件NVH、电气与机器人运维难题。",
    )
    for team, keys in (
        (equipment, ("wang", "li", "school_admin", "worker1", "worker2")),
        (cars, ("zhang", "liu", "worker3", "worker4")),
    ):
        await ServiceTeamMember.bulk_create([ServiceTeamMember(team=team, person=people[k]) for k in keys])

    team_equipment = await _offer(
        OfferKind.TEAM,
        "高端装备产业链技术攻关与技能培训",
        ["焊接", "数控加工", "模具设计"],
        demo,
        team=equipment,
        industry_chain="高端装备",
        region="海州市",
        specialties=["焊接变形控制", "精密加工", "模具修复"],
        availability="每周二、四可到企业现场服务",
    )
    team_cars = await _offer(
        OfferKind.TEAM,
        "汽车产业链NVH与电控问题会诊",
        ["汽车NVH测试", "电气维修"],
        demo,
        team=cars,
        industry_chain="汽车",
        region="东港区",
        specialties=["NVH测试", "电控诊断"],
        availability="随叫随到,48小时内响应",
    )
    studio_wang = await _offer(
        OfferKind.STUDIO,
        "王建国劳模创新工作室:焊接工艺攻关",
        ["焊接", "钳工"],
        demo,
        organisation=orgs["studio_wang"],
        industry_chain="高端装备",
        region="海州市",
        specialties=["厚板焊接", "焊接机器人"],
        availability="每月可承接2项",
    )
    studio_nvh = await _offer(
        OfferKind.STUDIO,
        "NVH跨区域联盟工作室:整车与零部件NVH",
        ["汽车NVH测试"],
        demo,
        organisation=orgs["studio_nvh"],
        industry_chain="汽车",
        region="东港区",
        specialties=["异响排查", "模态分析"],
    )
    await _offer(
        OfferKind.STUDIO,
        "李红梅技能大师工作室:数控加工",
        ["数控加工", "模具设计"],
        demo,
        organisation=orgs["studio_li"],
        industry_chain="高端装备",
        region="海州市",
        specialties=["五轴加工", "工装夹具"],
    )
    li = await _offer(
        OfferKind.PERSON,
        "李红梅:数控工艺优化与编程",
        ["数控加工"],
        demo,
        person=people["li"],
        industry_chain="高端装备",
        region="海州市",
        specialties=["数控编程"],
    )
    await _offer(
        OfferKind.PERSON,
        "吴秀英:数控技术培训(科研清单)",
        ["数控加工"],
        demo,
        person=people["school_admin"],
        industry_chain="高端装备",
        region="海州市",
        research_directions=["智能制造产线技能标准", "数控加工误差补偿"],
        availability="寒暑假可集中服务",
    )
    await _offer(
        OfferKind.PERSON,
        "刘海涛:工业机器人运维",
        ["工业机器人运维", "汽车NVH测试"],
        demo,
        person=people["liu"],
        industry_chain="汽车",
        region="东港区",
    )

    async def problem(
        org: Organisation,
        title: str,
        chain: str,
        status: ProblemStatus,
        skills: dict[str, int],
        days: float,
        **fields: Any,
    ) -> Problem:
        row = await Problem.create(
            organisation=org,
            posted_by=people["fed_admin"],
            title=title,
            industry_chain=chain,
            status=status,
            region=org.region,
            opened_at=None if status == ProblemStatus.DRAFT else ago(days),
            **fields,
        )
        await ProblemSkill.bulk_create(
            [ProblemSkill(problem=row, skill=demo.skills[s], min_level=m) for s, m in skills.items()]
        )
        return row

    async def bid(row: Problem, offer: Offer, status: BidStatus, plan: str, members: list[str], **fields: Any) -> Bid:
        org_id = offer.organisation_id or (equipment.organisation_id if offer.team_id else None)
        return await Bid.create(
            problem=row,
            offer=offer,
            status=status,
            plan=plan,
            organisation_id=org_id,
            member_ids=[people[k].id for k in members],
            **fields,
        )

    # Drafts.
    await problem(
        precision,
        "数控机床主轴热变形补偿",
        "高端装备",
        ProblemStatus.DRAFT,
        {"数控加工": 2},
        0,
        description="连续加工4小时后主轴伸长约0.02mm,影响孔位精度。",
        urgency=Urgency.NORMAL,
    )
    await problem(
        orgs["auto"],
        "焊装线夹具快速换型",
        "汽车",
        ProblemStatus.DRAFT,
        {"钳工": 3},
        0,
        description="多车型共线,夹具换型耗时40分钟。",
    )
    # Open, with bids.
    weld = await problem(
        precision,
        "大型结构件焊接变形控制",
        "高端装备",
        ProblemStatus.OPEN,
        {"焊接": 2},
        6,
        description="8米长箱型梁焊后旁弯超差,返修率12%。",
        urgency=Urgency.HIGH,
        reward=50_000,
        deadline=today + timedelta(days=90),
        visibility=Visibility.PUBLIC,
        attachments=[{"title": "箱型梁图纸", "url": "https://example.com/drawings/beam.pdf"}],
    )
    await bid(
        weld,
        studio_wang,
        BidStatus.PENDING,
        "采用反变形+分段退焊工艺,先做工艺评定再上线验证。",
        ["wang", "worker1"],
        timeline="两周工艺评定,一个月产线验证",
        created_by=people["wang"],
    )
    await problem(
        electronics,
        "车载线束异响排查",
        "汽车",
        ProblemStatus.OPEN,
        {"汽车NVH测试": 3},
        3,
        description="颠簸路面仪表台后方线束异响,客户投诉。",
        urgency=Urgency.CRITICAL,
        visibility=Visibility.REGION,
    )
    await problem(
        orgs["heavy"],
        "冲压模具寿命提升",
        "高端装备",
        ProblemStatus.OPEN,
        {"模具设计": 2},
        2,
        description="模具刃口磨损快,每2万冲次需修模。",
        visibility=Visibility.ALLIANCE,
    )
    # In progress.
    gearbox = await problem(
        orgs["auto"],
        "变速箱壳体NVH优化",
        "汽车",
        ProblemStatus.IN_PROGRESS,
        {"汽车NVH测试": 2, "电气维修": 4},
        40,
        description="2000rpm附近啸叫,需定位激励源。",
        urgency=Urgency.HIGH,
        visibility=Visibility.ALLIANCE,
        teams=1,
        taken_at=ago(30),
    )
    gearbox_bid = await bid(
        gearbox,
        team_cars,
        BidStatus.ACCEPTED,
        "台架测试+模态分析,定位后优化加强筋。",
        ["zhang", "liu", "worker3"],
        timeline="6周",
        created_by=people["zhang"],
        decided_at=ago(30),
    )
    await Milestone.create(
        problem=gearbox,
        title="台架测试与激励源定位",
        status=MilestoneStatus.APPROVED,
        done_at=ago(20),
        approved_at=ago(18),
    )
    await Milestone.create(problem=gearbox, title="加强筋优化方案", status=MilestoneStatus.DONE, done_at=ago(2))
    await Milestone.create(problem=gearbox, title="小批量验证", due=today + timedelta(days=20))
    for back, hours, trained in ((28, 6, 15), (14, 4, 22)):
        await ServiceVisit.create(
            problem=gearbox,
            bid=gearbox_bid,
            organisation_id=gearbox_bid.organisation_id,
            logged_by=people["zhang"],
            date=day(back),
            hours=hours,
            people=3,
            workers_trained=trained,
            notes="现场技术指导,并为班组讲解NVH测试方法。",
        )
    robot = await problem(
        precision,
        "焊接机器人工艺参数优化",
        "高端装备",
        ProblemStatus.IN_PROGRESS,
        {"焊接": 2},
        25,
        description="机器人焊缝气孔率偏高。",
        teams=1,
        taken_at=ago(20),
    )
    robot_bid = await bid(
        robot,
        studio_wang,
        BidStatus.ACCEPTED,
        "优化保护气流量和摆弧参数。",
        ["wang", "worker2"],
        created_by=people["wang"],
        decided_at=ago(20),
    )
    await bid(
        robot,
        li,
        BidStatus.DECLINED,
        "从工装定位入手。",
        ["li"],
        created_by=people["li"],
        decided_at=ago(20),
        decline_reason="本项目以焊接工艺为主,感谢支持",
    )
    await Outcome.create(
        problem=robot, bid=robot_bid, summary="气孔率由3.1%降至0.4%,参数已固化到作业指导书。", submitted_at=ago(1)
    )
    cabinet = await problem(
        electronics,
        "电控柜故障快速诊断",
        "汽车",
        ProblemStatus.IN_PROGRESS,
        {"电气维修": 3},
        30,
        teams=1,
        taken_at=ago(25),
        visibility=Visibility.PUBLIC,
    )
    cabinet_bid = await bid(
        cabinet,
        studio_nvh,
        BidStatus.ACCEPTED,
        "编制故障树,培训维修班组。",
        ["liu"],
        created_by=people["liu"],
        decided_at=ago(25),
    )
    await Outcome.create(
        problem=cabinet,
        bid=cabinet_bid,
        summary="初版故障树。",
        status=OutcomeStatus.RETURNED,
        return_reason="缺少变频器相关故障分支,请补充。",
        submitted_at=ago(8),
        decided_at=ago(6),
    )
    # Solved.
    for row_title, org, offer, members, rating, benefit, back in (
        ("液压阀体加工精度提升", precision, team_equipment, ["wang", "li", "worker1"], 5, 1_200_000, 120),
        ("仪表板总成异响消除", electronics, studio_nvh, ["liu", "worker4"], 4, 380_000, 80),
    ):
        row = await problem(
            org,
            row_title,
            offer.industry_chain,
            ProblemStatus.SOLVED,
            {},
            back + 30,
            teams=1,
            taken_at=ago(back + 20),
            solved_at=ago(back),
            rating=rating,
            economic_benefit=benefit,
            visibility=Visibility.PUBLIC,
        )
        accepted = await bid(
            row, offer, BidStatus.ACCEPTED, "现场会诊,制定改进方案。", members, decided_at=ago(back + 20)
        )
        await ServiceVisit.create(
            problem=row,
            bid=accepted,
            organisation_id=accepted.organisation_id,
            date=day(back + 10),
            hours=8,
            people=len(members),
            workers_trained=30,
            notes="助企行现场服务并开展技能培训。",
        )
        await Outcome.create(
            problem=row,
            bid=accepted,
            summary="方案实施后指标稳定达标。",
            status=OutcomeStatus.ACCEPTED,
            submitted_at=ago(back + 2),
            decided_at=ago(back),
        )
        await ProblemSolver.bulk_create(
            [ProblemSolver(problem=row, person=people[k], solved_at=ago(back)) for k in members]
        )
    # Closed unsolved, and withdrawn.
    await problem(
        orgs["auto"],
        "涂装线能耗降低",
        "汽车",
        ProblemStatus.CLOSED,
        {},
        60,
        close_reason="企业调整技改计划,项目暂缓",
        closed_at=ago(10),
    )
    await problem(
        orgs["heavy"],
        "老旧行车远程监控改造",
        "高端装备",
        ProblemStatus.WITHDRAWN,
        {},
        15,
        close_reason="已由设备厂家解决",
        closed_at=ago(12),
    )
