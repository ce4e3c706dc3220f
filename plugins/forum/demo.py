"""Demo data: the machinery alliance's forum (创新论坛沙龙), in the spirit of the seeds (跨界联盟,
百强创新工作室论坛沙龙, 劳模工匠助企行).

Times are relative to the wall clock (the demo is loaded once, outside any test clock): a salon
held last month with its summary (纪要) and materials, an upcoming salon with speakers, RSVPs
and a lively thread (replies, @mentions, reactions, one post hidden by a moderator), and a
pinned welcome thread on the alliance's board.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from core.organisations.models import OrganisationPlugin
from core.plugin_api import DemoData
from plugins.forum import PLUGIN
from plugins.forum.mentions import candidates
from plugins.forum.models import (
    ForumMention,
    ForumPost,
    ForumReaction,
    ForumRsvp,
    ForumSalon,
    ForumSalonMaterial,
    ForumSalonSpeaker,
    ForumThread,
    ReactionKind,
    RsvpResponse,
    SalonStatus,
)

BOARDS = ("alliance", "studio_wang", "studio_li", "studio_zhang", "studio_nvh")


async def _salon(org: Any, speakers: list[Any], rsvps: dict[Any, RsvpResponse], **fields: Any) -> ForumSalon:
    counts: dict[str, Any] = {
        "going_count": sum(r == RsvpResponse.GOING for r in rsvps.values()),
        "interested_count": sum(r == RsvpResponse.INTERESTED for r in rsvps.values()),
        "not_going_count": sum(r == RsvpResponse.NOT_GOING for r in rsvps.values()),
    }
    salon = await ForumSalon.create(organisation=org, **counts, **fields)
    for position, person in enumerate(speakers):
        await ForumSalonSpeaker.create(salon=salon, person=person, position=position)
    for person, response in rsvps.items():
        await ForumRsvp.create(salon=salon, person=person, response=response)
    return salon


async def _thread(
    org: Any,
    title: str,
    posts: list[tuple[Any, str, int | None]],
    start: datetime,
    people: dict[str, Any],
    salon: ForumSalon | None = None,
    pinned: bool = False,
) -> list[ForumPost]:
    """``posts``: (author, body, index of the post replied to); one post every 40 minutes."""
    thread = await ForumThread.create(
        organisation=org,
        salon=salon,
        title=title,
        author=posts[0][0],
        pinned=pinned,
        post_count=len(posts),
        created_at=start,
        last_activity_at=start + timedelta(minutes=40 * (len(posts) - 1)),
    )
    made: list[ForumPost] = []
    by_name = {p.name: p for p in people.values()}
    for i, (author, body, reply) in enumerate(posts):
        post = await ForumPost.create(
            thread=thread,
            author=author,
            body=body,
            created_at=start + timedelta(minutes=40 * i),
            reply_to=made[reply] if reply is not None else None,
        )
        for run in candidates(body):
            named = next((by_name[run[:end]] for end in range(len(run), 1, -1) if run[:end] in by_name), None)
            if named is not None:
                await ForumMention.get_or_create(post=post, person=named)
        made.append(post)
    return made


async def load(demo: DemoData) -> None:
    orgs, people = demo.organisations, demo.people
    for key in BOARDS:
        await OrganisationPlugin.create(organisation=orgs[key], plugin=PLUGIN, settings={})
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    workers = [people[f"worker{i}"] for i in range(1, 25)]
    alliance = orgs["alliance"]

    held_start = now - timedelta(days=30)
    held = await _salon(
        alliance,
        [people["wang"], people["li"]],
        dict.fromkeys(workers[:18], RsvpResponse.GOING),
        title="“跨界”联盟怎么建:资源共享与协同攻关",
        topic="跨界职工创新工作室联盟",
        description="围绕“自愿、共建、共享”,交流跨企业、跨行业组建工作室联盟的做法与难点。",
        starts_at=held_start,
        ends_at=held_start + timedelta(hours=3),
        venue="海州重工职工活动中心二楼报告厅",
        capacity=80,
        status=SalonStatus.HELD,
        held_at=held_start + timedelta(hours=3),
        summary="纪要:一、联盟成员间共享实验设备清单,按月更新;二、王建国工作室牵头焊接变形控制联合攻关,"
        "李红梅工作室提供数控加工支持;三、下季度沙龙聚焦工业机器人运维,由NVH跨区域联盟工作室承办。",
    )
    await ForumSalonMaterial.create(
        salon=held, title="王建国:联盟协同攻关的三点体会(讲稿)", url="https://example.org/salons/1/wang-slides.pdf"
    )
    await ForumSalonMaterial.create(salon=held, title="现场录像(上)", url="https://example.org/salons/1/video-1")

    upcoming_start = (now + timedelta(days=10)).replace(hour=6, minute=30)  # 14:30 in Beijing
    rsvps = dict.fromkeys(workers[:22], RsvpResponse.GOING)
    rsvps.update(
        {
            people["zhang"]: RsvpResponse.GOING,
            workers[22]: RsvpResponse.INTERESTED,
            workers[23]: RsvpResponse.NOT_GOING,
            people["school_admin"]: RsvpResponse.INTERESTED,
        }
    )
    upcoming = await _salon(
        alliance,
        [people["liu"], people["zhang"]],
        rsvps,
        title="工业机器人运维与汽车NVH测试创新论坛沙龙",
        topic="工业机器人运维",
        description="NVH跨区域联盟工作室承办。刘海涛分享机器人故障预测维护的实践,张志强介绍NVH测试台架改造;"
        "欢迎各工作室带着生产一线的难题来交流。",
        starts_at=upcoming_start,
        ends_at=upcoming_start + timedelta(hours=2, minutes=30),
        venue="东港汽车零部件有限公司培训中心",
        online_url="https://meeting.example.org/haizhou-salon",
        capacity=30,
        created_by=people["wang"],
    )

    w = workers
    posts = await _thread(
        alliance,
        "关于下期沙龙:大家最想交流哪些机器人运维难题?",
        [
            (
                people["liu"],
                "下期沙龙定在东港培训中心,想先听听大家的问题,我们好准备案例。@张志强 NVH台架那部分你来讲?",
                None,
            ),
            (people["zhang"], "没问题。我准备讲台架改造后测试效率提升的事,顺便带两组对比数据。", 0),
            (w[0], "我们车间焊接机器人经常在夜班报伺服过载,重启就好,但找不到根因,能不能作为案例?", None),
            (
                people["wang"],
                "伺服过载先查减速机润滑和负载惯量设置,我们去年也遇到过。@刘海涛 你们有预测维护的数据吗?",
                2,
            ),
            (people["liu"], "有,振动和电流两路数据,沙龙上可以现场演示怎么提前两周发现异常。", 3),
            (w[5], "期待!我们厂刚上了三台协作机器人,维护规程还是空白,想学学别人怎么编的。", None),
            (w[8], "能不能线上也开放提问?我们分厂在临港,过来一趟不容易。", None),
            (people["liu"], "可以,会议链接已经放在沙龙详情里,线上提问由主持人汇总。", 6),
            (w[11], "加我一个微信群吧,加V:xxxxxx 便宜出售二手伺服电机", None),
            (people["li"], "建议把往期纪要也整理一下发在这里,新加入联盟的工作室可以先看看。", None),
        ],
        now - timedelta(days=2),
        people,
        salon=upcoming,
    )
    spam = posts[8]
    await ForumPost.filter(id=spam.id).update(
        hidden=True,
        hidden_reason="广告,与讨论无关",
        hidden_at=spam.created_at + timedelta(minutes=5),
        hidden_by_id=people["wang"].id,
    )
    for post, kinds in (
        (posts[0], {w[0]: ReactionKind.LIKE, w[5]: ReactionKind.LIKE, people["li"]: ReactionKind.LIKE}),
        (posts[3], {w[0]: ReactionKind.THANKS, w[8]: ReactionKind.INSIGHTFUL, people["liu"]: ReactionKind.INSIGHTFUL}),
        (posts[4], {people["wang"]: ReactionKind.LIKE, w[5]: ReactionKind.INSIGHTFUL}),
        (posts[7], {w[8]: ReactionKind.THANKS}),
    ):
        for person, kind in kinds.items():
            await ForumReaction.create(post=post, person=person, kind=kind)

    await _thread(
        alliance,
        "欢迎各工作室入驻联盟论坛(发帖须知)",
        [
            (
                people["wang"],
                (
                    "本论坛是联盟成员交流技术、发布攻关需求的地方。请实名发言,围绕技术讨论;"
                    "广告和无关内容会被管理员隐藏。发帖时用 @姓名 可以提醒对方。"
                ),
                None,
            ),
            (people["li"], "支持!数控加工方面的问题可以直接@李红梅。", 0),
        ],
        now - timedelta(days=40),
        people,
        pinned=True,
    )
    await _thread(
        alliance,
        "“跨界”联盟沙龙纪要讨论",
        [
            (people["zhang"], "纪要第二条的联合攻关,我们工作室也想参加,变形测量这块可以出人。", None),
            (people["wang"], "欢迎,下周联盟例会上细说。", 0),
        ],
        held_start + timedelta(days=1),
        people,
        salon=held,
    )
