"""The benchmark's dataset (issue #13): 500 organisations, 20,000 people, 50,000 skill levels,
2,000 mentorships, 1,000 training sessions and 30,000 enrolments, seeded in bulk.

Rows carry explicit ids (so no read-back is needed), are made as model instances (so every
default and ``auto_now`` column is filled the way the app fills it) and are written with
``bulk_create`` in large batches: one multi-row INSERT per batch on PostgreSQL and SQLite alike.
A marker row (the viewer's account) with the dataset's version in its username makes a second run
on the same database skip seeding.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.models import Model

from core.auth.models import Account
from core.organisations.models import Organisation, OrganisationKind, OrganisationPlugin, StudioStatus
from core.people.models import Honour, HonourLevel, Membership, MembershipRole, Person
from core.skills.models import PersonSkill, Skill

VERSION = 1
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


@dataclass(frozen=True)
class Dataset:
    """Ids the screens ask for."""

    studio_id: int
    person_id: int
    viewer_account_id: int
    viewer_person_id: int


def _ids() -> Dataset:
    return Dataset(studio_id=2, person_id=4_321, viewer_account_id=1, viewer_person_id=VIEWER_PERSON)


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


async def seed(log: Any = print) -> Dataset:
    """Seed the dataset into an empty, migrated database (or do nothing when it is there)."""
    if await seeded():
        log("dataset: already seeded")
        return _ids()
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

    def home_org(person: int) -> int:
        return 2 + (person - 1) % (ORGANISATIONS - 1)

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
    memberships.append(
        Membership(
            id=PEOPLE + SECOND_MEMBERSHIPS + 1, person_id=VIEWER_PERSON, organisation_id=1, role=MembershipRole.MEMBER
        )
    )
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
    await _bulk(
        OrganisationPlugin,
        [
            OrganisationPlugin(id=n, organisation_id=org, plugin=plugin)
            for n, (org, plugin) in enumerate(
                ((o, name) for o in range(1, ORGANISATIONS + 1) for name in ("mentorship", "training")), start=1
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
    enrolments = []
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

    await Account.create(id=1, username=VIEWER_USERNAME, password_hash="-", person_id=VIEWER_PERSON)
    await _fix_sequences(
        [
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
