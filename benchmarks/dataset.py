"""The benchmark's dataset (issue #13): 500 organisations, 20,000 people, 50,000 skill levels,
2,000 mentorships, 1,000 training sessions and 30,000 enrolments, seeded in bulk; where those
plugins are installed, the forum's 2,000 threads (one of 60 posts with reactions, the thread
screen's) and the challenges' 5,000 problems with their skills and bids; and the viewer's inbox.

Rows carry explicit ids (so no read-back is needed), are made as model instances (so every
default and ``auto_now`` column is filled the way the app fills it) and are written with
``bulk_create`` in large batches: one multi-row INSERT per batch on PostgreSQL and SQLite alike.
A marker row (the viewer's account) with the dataset's version in its username makes a second run
on the same database skip seeding; a database holding an older version's marker is emptied and
seeded again (SQLite files carry the version in their name, so they are simply new).
"""

from __future__ import annotations

import base64
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise import Tortoise, connections
from tortoise.models import Model

from core.auth.models import Account
from core.organisations.models import Organisation, OrganisationKind, OrganisationPlugin, StudioStatus
from core.people.models import Honour, HonourLevel, Membership, MembershipRole, Person
from core.skills.models import PersonSkill, Skill

VERSION = 2
ORGANISATIONS = 500
PEOPLE = 20_000
SKILLS = 200  # the taxonomy
PERSON_SKILLS = 50_000
SECOND_MEMBERSHIPS = 2_000  # people in a second organisation: ~44 members per organisation
MENTORSHIPS = 2_000
COURSES = 200
SESSIONS = 1_000
ENROLMENTS = 30_000
VIEWER_PERSON = 1
VIEWER_USERNAME = f"bench-viewer-v{VERSION}"
# Sessions start around this instant (fixed, so every run sees the same data).
EPOCH = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
BATCH = 2_000
# Forum (plugin `forum`): threads over the boards; thread 1 is the thread screen's.
THREADS = 2_000
THREAD_POSTS = 60  # the screen shows the first 50
THREAD_BOARD = 3  # an organisation the viewer is a member (not a moderator) of
VIEWER_BOARD_THREADS = 20  # threads 2..21 on the viewer's two other boards (1 and 2), for home
# Challenges (plugin `challenges`): problems posted by the enterprises.
PROBLEMS = 5_000
PERSON_OFFERS = 2_000
CHAINS = ["绿色石化", "有色及贵金属", "汽车", "高端装备", "电子信息", "食品精深加工", "生物医药", "新能源"]
BOARD_CHAIN = CHAINS[3]
# Notifications: the viewer's inbox and everyone else's.
VIEWER_NOTIFICATIONS = 30
OTHER_NOTIFICATIONS = 10_000


@dataclass(frozen=True)
class Dataset:
    """Ids the screens ask for."""

    studio_id: int
    person_id: int
    viewer_account_id: int
    viewer_person_id: int
    thread_id: int = 1
    chain: str = BOARD_CHAIN


def _ids() -> Dataset:
    return Dataset(studio_id=2, person_id=4_321, viewer_account_id=1, viewer_person_id=VIEWER_PERSON)


def home_org(person: int) -> int:
    """Each person's first organisation (its admins are people 1..499, person n of organisation n+1)."""
    return 2 + (person - 1) % (ORGANISATIONS - 1)


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


async def _bulk(model: type[Model], rows: list[Any]) -> None:
    for start in range(0, len(rows), BATCH):
        await model.bulk_create(rows[start : start + BATCH])


async def _fix_sequences(tables: list[str]) -> None:
    """After explicit ids, PostgreSQL's sequences must move past them (SQLite needs nothing)."""
    conn = connections.get("default")
    if conn.capabilities.dialect != "postgres":
        return
    for table in tables:
        await conn.execute_script(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


async def seeded() -> bool:
    return await Account.filter(username=VIEWER_USERNAME).exists()


async def _empty() -> None:
    """Delete every row of every model's table (an older dataset's, to seed this version)."""
    conn = connections.get("default")
    tables = sorted({model._meta.db_table for app in Tortoise.apps.values() for model in app.values()})
    if conn.capabilities.dialect == "postgres":
        await conn.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        return
    await conn.execute_script("PRAGMA foreign_keys = OFF")
    for table in tables:
        await conn.execute_script(f"DELETE FROM {table}")
    await conn.execute_script("PRAGMA foreign_keys = ON")


async def seed(installed: set[str] | None = None, log: Any = print) -> Dataset:
    """Seed the dataset into an empty, migrated database (or do nothing when it is there).
    ``installed``: the plugins present (forum and challenges rows only where they are)."""
    installed = {"forum", "challenges"} if installed is None else installed
    if await seeded():
        log("dataset: already seeded")
        return _ids()
    if await Account.filter(username__startswith="bench-viewer-v").exists():
        log("dataset: an older version is there; emptying it")
        await _empty()
    if await Person.exists():
        raise SystemExit("the benchmark database has other data; give an empty one (or drop it)")
    from plugins.mentorship.models import Mentorship, MentorshipStatus
    from plugins.training.models import EnrolmentStatus, TrainingCourse, TrainingEnrolment, TrainingSession

    started = time.perf_counter()
    rng = random.Random(13)
    await _bulk(Skill, [Skill(id=i, name=f"技能{i:03d}", category=f"类别{i % 12}") for i in range(1, SKILLS + 1)])

    kinds = [OrganisationKind.STUDIO] * 6 + [OrganisationKind.ENTERPRISE] * 2 + [OrganisationKind.SCHOOL]
    orgs = [Organisation(id=1, name="省总工会", kind=OrganisationKind.FEDERATION, region="山东")]
    for i in range(2, ORGANISATIONS + 1):
        kind = kinds[i % len(kinds)]
        orgs.append(
            Organisation(
                id=i,
                name=f"劳模创新工作室{i:03d}" if kind is OrganisationKind.STUDIO else f"单位{i:03d}",
                kind=kind,
                region=rng.choice(["济南", "青岛", "烟台", "潍坊"]),
                industry="制造业",
                description="以劳模命名的创新工作室，攻关、带徒、创新。" * 2,
                status=StudioStatus.ACTIVE if kind is OrganisationKind.STUDIO else None,
                parent_id=1,
                leader_id=i,
            )
        )
    await _bulk(
        Person,
        [
            Person(
                id=i,
                name=f"职工{i:05d}",
                bio="高级技师，长期从事设备维修与技术攻关。" if i % 3 == 0 else "",
                phone=f"1380000{i:04d}",
                email=f"w{i}@example.cn",
            )
            for i in range(1, PEOPLE + 1)
        ],
    )
    await _bulk(Organisation, orgs)

    memberships = [
        Membership(
            id=p,
            person_id=p,
            organisation_id=home_org(p),
            role=MembershipRole.ADMIN if p < ORGANISATIONS else MembershipRole.MEMBER,
        )
        for p in range(1, PEOPLE + 1)
    ]
    for k, p in enumerate(rng.sample(range(1, PEOPLE + 1), SECOND_MEMBERSHIPS)):
        other = 2 + (home_org(p) + 1 + k % 50) % (ORGANISATIONS - 1)
        memberships.append(Membership(id=PEOPLE + k + 1, person_id=p, organisation_id=other))
    # The viewer: admin of organisation 2 (above), a member of the federation and of the thread's board.
    memberships += [
        Membership(id=PEOPLE + SECOND_MEMBERSHIPS + 1 + n, person_id=VIEWER_PERSON, organisation_id=org)
        for n, org in enumerate((1, THREAD_BOARD))
    ]
    await _bulk(Membership, memberships)

    levels, next_id = [], 1
    for p in range(1, PEOPLE + 1):
        for j in range(3 if p % 2 else 2):
            skill = (p * 7 + j * 31) % SKILLS + 1
            levels.append(PersonSkill(id=next_id, person_id=p, skill_id=skill, level=1 + (p + j) % 5))
            next_id += 1
    assert len(levels) == PERSON_SKILLS
    await _bulk(PersonSkill, levels)
    honour_levels = list(HonourLevel)
    await _bulk(
        Honour,
        [
            Honour(
                id=n,
                person_id=p,
                title=rng.choice(["全国劳动模范", "齐鲁大工匠", "五一劳动奖章", "技术能手"]),
                level=honour_levels[p % len(honour_levels)],
                year=2010 + p % 15,
                issuer="总工会",
            )
            for n, p in enumerate(range(1, PEOPLE + 1, 5), start=1)
        ],
    )
    plugins = ["mentorship", "training"] + [name for name in ("forum", "challenges") if name in installed]
    await _bulk(
        OrganisationPlugin,
        [
            OrganisationPlugin(
                id=n,
                organisation_id=org,
                plugin=plugin,
                settings={"industry_chains": CHAINS} if (org, plugin) == (1, "challenges") else {},
            )
            for n, (org, plugin) in enumerate(
                ((o, name) for o in range(1, ORGANISATIONS + 1) for name in plugins), start=1
            )
        ],
    )

    # Mentorships: the viewer mentors five apprentices; the rest pair people of one organisation.
    pairs: list[tuple[int, int, int]] = [(VIEWER_PERSON, VIEWER_PERSON + 499 * k, home_org(1)) for k in range(1, 6)]
    mentors = rng.sample(range(2, PEOPLE - 499), MENTORSHIPS - len(pairs))
    pairs += [(mentor, mentor + 499, home_org(mentor)) for mentor in mentors]
    mentorships = []
    for n, (mentor, apprentice, org) in enumerate(pairs, start=1):
        active = n % 2 == 1
        skill = (mentor * 7) % SKILLS + 1
        mentorships.append(
            Mentorship(
                id=n,
                mentor_id=mentor,
                apprentice_id=apprentice,
                organisation_id=org,
                skill_id=skill,
                goals="三年内达到技师水平",
                planned_start=date(2026, 1, 1) + timedelta(days=n % 300),
                status=MentorshipStatus.ACTIVE if active else MentorshipStatus.COMPLETED,
                open_key=f"{mentor}:{apprentice}:{skill}" if active else None,
                mentor_signed_at=EPOCH - timedelta(days=400),
                apprentice_signed_at=EPOCH - timedelta(days=400),
                started_at=EPOCH - timedelta(days=400 - n % 100),
                ended_at=None if active else EPOCH - timedelta(days=10),
                score=None if active else 80 + n % 20,
            )
        )
    await _bulk(Mentorship, mentorships)

    await _bulk(
        TrainingCourse,
        [
            TrainingCourse(
                id=c,
                organisation_id=2 + (c * 5) % (ORGANISATIONS - 1),
                title=f"培训课程{c:03d}",
                skill_id=c % SKILLS + 1,
                hours=16,
                published=True,
            )
            for c in range(1, COURSES + 1)
        ],
    )
    sessions = []
    for s in range(1, SESSIONS + 1):
        course = 1 + (s - 1) // (SESSIONS // COURSES)
        starts = EPOCH + timedelta(days=(s % 120) - 60, hours=s % 8)
        sessions.append(
            TrainingSession(
                id=s,
                course_id=course,
                organisation_id=2 + (course * 5) % (ORGANISATIONS - 1),
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                venue=f"实训楼{s % 9}号",
                capacity=40,
                seats_taken=ENROLMENTS // SESSIONS,
            )
        )
    await _bulk(TrainingSession, sessions)
    per_session = ENROLMENTS // SESSIONS
    enrolments: list[TrainingEnrolment] = []
    for s in range(1, SESSIONS + 1):
        # The viewer is enrolled in every 100th session; others fill the seats.
        people = [VIEWER_PERSON] if s % 100 == 0 else []
        people += [2 + (s * 37 + k * 613) % (PEOPLE - 1) for k in range(per_session - len(people))]
        for person in people:
            enrolments.append(
                TrainingEnrolment(
                    id=len(enrolments) + 1,
                    session_id=s,
                    person_id=person,
                    status=EnrolmentStatus.CONFIRMED,
                    enrolled_at=EPOCH - timedelta(days=90),
                    confirmed_at=EPOCH - timedelta(days=90),
                )
            )
    assert len(enrolments) == ENROLMENTS
    await _bulk(TrainingEnrolment, enrolments)

    tables = []
    if "forum" in installed:
        tables += await _seed_forum(rng)
    if "challenges" in installed:
        tables += await _seed_challenges(rng, orgs)
    tables += await _seed_notifications(rng, installed)

    await Account.create(id=1, username=VIEWER_USERNAME, password_hash="-", person_id=VIEWER_PERSON)
    await _fix_sequences(
        [
            *tables,
            "core_skill",
            "core_organisation",
            "core_person",
            "core_membership",
            "core_person_skill",
            "core_honour",
            "core_organisation_plugin",
            "core_account",
            "mentorship_mentorship",
            "training_course",
            "training_session",
            "training_enrolment",
        ]
    )
    log(f"dataset: seeded in {time.perf_counter() - started:.1f} s")
    return _ids()


def _board_members(org: int) -> list[int]:
    """People whose first organisation is ``org`` (about 40)."""
    return list(range(org - 1, PEOPLE + 1, ORGANISATIONS - 1))


async def _seed_forum(rng: random.Random) -> list[str]:
    """2,000 threads: thread 1 on the viewer's board THREAD_BOARD with 60 posts (replies, edits,
    hidden ones, reactions, some the viewer's), threads 2..21 on the viewer's boards 1 and 2,
    the rest over every board, each with 1 to 5 posts and a few reactions."""
    from plugins.forum.models import ForumPost, ForumReaction, ForumThread, ReactionKind

    threads: list[ForumThread] = []
    posts: list[ForumPost] = []
    reactions: list[ForumReaction] = []
    kinds = list(ReactionKind)
    for t in range(1, THREADS + 1):
        if t == 1:
            org = THREAD_BOARD
        elif t <= 1 + VIEWER_BOARD_THREADS:
            org = 1 + t % 2
        else:
            org = 1 + t % ORGANISATIONS
        people = _board_members(org) if org > 1 else list(range(2, PEOPLE, 997))
        count = THREAD_POSTS if t == 1 else 1 + t % 5
        opened = EPOCH - timedelta(days=200) + timedelta(minutes=137 * t)
        first_post = len(posts) + 1
        for k in range(count):
            pid = len(posts) + 1
            created = opened + timedelta(minutes=11 * k)
            hidden = t == 1 and k % 11 == 5
            posts.append(
                ForumPost(
                    id=pid,
                    thread_id=t,
                    author_id=people[(t + k * 7) % len(people)],
                    body=f"第{k + 1}楼：关于设备点检和工艺改进的一些体会，欢迎@职工{people[k % len(people)]:05d}指正。"
                    * (1 + k % 3),
                    reply_to_id=pid - 1 - k % 3 if k >= 3 and k % 4 == 2 else None,
                    created_at=created,
                    edited_at=created + timedelta(minutes=5) if k % 7 == 3 else None,
                    hidden=hidden,
                    hidden_reason="与主题无关" if hidden else "",
                    hidden_at=created + timedelta(hours=1) if hidden else None,
                    hidden_by_id=org - 1 if hidden else None,
                )
            )
            reactors = people[:12] if t == 1 else people[:3]
            for n, person in enumerate(reactors):
                if (pid + n) % (2 if t == 1 else 4) == 0 and not hidden:
                    reactions.append(
                        ForumReaction(id=len(reactions) + 1, post_id=pid, person_id=person, kind=kinds[(pid + n) % 3])
                    )
            if t == 1 and k % 4 == 1:  # the viewer's own reactions
                for kind in kinds[: 1 + k % 3]:
                    reactions.append(
                        ForumReaction(id=len(reactions) + 1, post_id=pid, person_id=VIEWER_PERSON, kind=kind)
                    )
        threads.append(
            ForumThread(
                id=t,
                organisation_id=org,
                title=f"讨论{t:04d}：数控机床主轴异响的排查思路",
                author_id=posts[first_post - 1].author_id,
                locked=t % 97 == 0,
                pinned=t % 50 == 0 or t == 5,
                post_count=count,
                last_activity_at=opened + timedelta(minutes=11 * (count - 1)),
                created_at=opened,
            )
        )
    await _bulk(ForumThread, threads)
    await _bulk(ForumPost, posts)
    await _bulk(ForumReaction, reactions)
    return ["forum_thread", "forum_post", "forum_reaction"]


async def _seed_challenges(rng: random.Random, orgs: list[Organisation]) -> list[str]:
    """5,000 problems of the enterprises (mostly open and public; some alliance- or region-only,
    drafts, in progress, solved), 1 to 3 skills each; offers of every studio and 2,000 people;
    0 to 4 bids a problem from studio offers (pending mostly; declined and withdrawn ones too)."""
    from plugins.challenges.models import (
        Bid,
        BidStatus,
        Offer,
        OfferKind,
        Problem,
        ProblemSkill,
        ProblemStatus,
        Urgency,
        Visibility,
    )

    enterprises = [o for o in orgs if o.kind is OrganisationKind.ENTERPRISE]
    studios = [o for o in orgs if o.kind is OrganisationKind.STUDIO]
    offers = [
        Offer(
            id=n,
            kind=OfferKind.STUDIO,
            organisation_id=s.id,
            title=f"{s.name}技术服务",
            industry_chain=CHAINS[n % len(CHAINS)],
            region=s.region,
        )
        for n, s in enumerate(studios, start=1)
    ]
    offers += [
        Offer(
            id=len(studios) + n,
            kind=OfferKind.PERSON,
            person_id=p,
            title="个人技术服务",
            industry_chain=CHAINS[p % len(CHAINS)],
            region="济南",
        )
        for n, p in enumerate(rng.sample(range(2, PEOPLE + 1), PERSON_OFFERS), start=1)
    ]
    await _bulk(Offer, offers)
    urgencies = list(Urgency)
    problems: list[Problem] = []
    needs: list[ProblemSkill] = []
    bids: list[Bid] = []
    for i in range(1, PROBLEMS + 1):
        org = enterprises[i % len(enterprises)]
        r = i % 100
        status = (
            ProblemStatus.OPEN
            if r < 80
            else ProblemStatus.IN_PROGRESS
            if r < 88
            else ProblemStatus.SOLVED
            if r < 94
            else ProblemStatus.DRAFT
            if r < 97
            else ProblemStatus.CLOSED
        )
        v = i % 20
        visibility = Visibility.PUBLIC if v < 15 else Visibility.ALLIANCE if v < 18 else Visibility.REGION
        created = EPOCH - timedelta(days=300) + timedelta(minutes=83 * i)
        problems.append(
            Problem(
                id=i,
                organisation_id=org.id,
                posted_by_id=org.id - 1,
                title=f"难题{i:04d}：{rng.choice(['焊缝气孔', '主轴振动', '涂层脱落', '良品率低', '能耗偏高'])}攻关",
                description="生产线上反复出现的问题，需要现场诊断和工艺改进方案。",
                industry_chain=CHAINS[(i * 3) % len(CHAINS)],
                urgency=urgencies[i % len(urgencies)],
                region=org.region or "",
                reward=None if i % 6 == 0 else 10_000 * (1 + i % 50),
                visibility=visibility,
                status=status,
                teams=1 if status in (ProblemStatus.IN_PROGRESS, ProblemStatus.SOLVED) else 0,
                opened_at=None if status is ProblemStatus.DRAFT else created,
                created_at=created,
            )
        )
        for skill in rng.sample(range(1, SKILLS + 1), 1 + i % 3):
            needs.append(ProblemSkill(id=len(needs) + 1, problem_id=i, skill_id=skill, min_level=1 + (i + skill) % 4))
        if status is ProblemStatus.DRAFT:
            continue
        for n, offer in enumerate(rng.sample(offers[: len(studios)], i % 5)):
            bid_status = (
                BidStatus.ACCEPTED
                if n == 0 and problems[-1].teams
                else BidStatus.DECLINED
                if n == 3
                else BidStatus.WITHDRAWN
                if (i + n) % 9 == 0
                else BidStatus.PENDING
            )
            bids.append(
                Bid(
                    id=len(bids) + 1,
                    problem_id=i,
                    offer_id=offer.id,
                    organisation_id=offer.organisation_id,
                    plan="现场诊断，两周内给出改进方案。",
                    status=bid_status,
                    created_at=created + timedelta(days=1 + n),
                )
            )
    await _bulk(Problem, problems)
    await _bulk(ProblemSkill, needs)
    await _bulk(Bid, bids)
    return ["challenges_offer", "challenges_problem", "challenges_problem_skill", "challenges_bid"]


async def _seed_notifications(rng: random.Random, installed: set[str]) -> list[str]:
    """The viewer's 30 notifications (12 unread; about the thread screen's posts, the viewer's
    mentorships, and one whose subject is gone, which the inbox leaves out), and 10,000 of others."""
    from core.notifications.models import Notification

    rows = []
    for n in range(1, VIEWER_NOTIFICATIONS + 1):
        created = EPOCH - timedelta(days=30) + timedelta(hours=7 * n)
        if n == VIEWER_NOTIFICATIONS - 2:
            kind, subject, summary = "forum.reply", gid("ForumPost", 99_999_999), "回复了你的帖子（已删除）"
        elif "forum" in installed and n % 3:
            kind, subject, summary = "forum.reply", gid("ForumPost", 1 + (n * 7) % THREAD_POSTS), "回复了你的帖子"
        else:
            kind, subject, summary = "mentorship.proposed", gid("Mentorship", 1 + n % 5), "邀请你结为师徒"
        rows.append(
            Notification(
                id=n,
                recipient_id=VIEWER_PERSON,
                kind=kind,
                subject=subject,
                actor_id=None if n % 10 == 0 else 2 + n * 13,
                summary=summary,
                created_at=created,
                read_at=None if n > VIEWER_NOTIFICATIONS - 12 else created + timedelta(hours=1),
            )
        )
    for n in range(VIEWER_NOTIFICATIONS + 1, VIEWER_NOTIFICATIONS + OTHER_NOTIFICATIONS + 1):
        created = EPOCH - timedelta(days=60) + timedelta(minutes=5 * n)
        rows.append(
            Notification(
                id=n,
                recipient_id=rng.randint(2, PEOPLE),
                kind="mentorship.proposed",
                subject=gid("Mentorship", rng.randint(1, MENTORSHIPS)),
                actor_id=rng.randint(2, PEOPLE),
                summary="邀请你结为师徒",
                created_at=created,
                read_at=None if n % 3 else created,
            )
        )
    await _bulk(Notification, rows)
    return ["core_notification"]
