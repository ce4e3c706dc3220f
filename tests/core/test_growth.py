"""A person's growth record across core, mentorship and training: merged newest first, paged
with a stable cursor (equal timestamps), shown only where the viewer may see each subject, in a
number of statements that does not grow with the entries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from core.organisations.models import Organisation, OrganisationKind
from core.people.models import Honour, HonourLevel, MembershipRole, Person
from core.plugin_api import year_bounds
from core.skills.models import PersonSkill, Skill
from plugins.mentorship.models import Mentorship, MentorshipStatus
from plugins.training.models import (
    EnrolmentStatus,
    TrainingCertificate,
    TrainingCourse,
    TrainingEnrolment,
    TrainingSession,
)
from tests.support import GraphQLClient, User, count_statements, gid, make_org

GROWTH = """query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Person {
  growth(first: $first, after: $after) { edges { cursor node { at kind title subject { id } } }
  pageInfo { hasNextPage endCursor } } } } }"""

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


async def growth(gql: GraphQLClient, person: Person, user: User | None = None, first: int = 100,
                 after: str | None = None) -> dict[str, Any]:
    data = await gql(GROWTH, {"id": gid("Person", person.id), "first": first, "after": after}, user=user)
    return dict(data["node"]["growth"])


def titles(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["title"] for edge in page["edges"]]


async def _career(studio: Organisation, apprentice: Person, n: int = 1) -> None:
    """``n`` of everything: graduations, sessions attended, certificates, honours, levels."""
    for i in range(n):
        mentor = await Person.create(name=f"师傅{i}")
        skill = await Skill.create(name=f"技能{apprentice.id}-{i}")
        await Mentorship.create(mentor=mentor, apprentice=apprentice, organisation=studio, skill=skill,
                                planned_start=date(2023, 1, 1), status=MentorshipStatus.COMPLETED,
                                started_at=T0 + timedelta(days=i), ended_at=T0 + timedelta(days=100 + i))
        course = await TrainingCourse.create(organisation=studio, title=f"课程{i}", hours=8, published=True)
        session = await TrainingSession.create(course=course, organisation=studio, capacity=5,
                                               starts_at=T0 + timedelta(days=200 + i),
                                               ends_at=T0 + timedelta(days=200 + i, hours=2))
        enrolment = await TrainingEnrolment.create(session=session, person=apprentice,
                                                   status=EnrolmentStatus.ATTENDED, enrolled_at=T0,
                                                   checked_in_at=T0 + timedelta(days=200 + i))
        await TrainingCertificate.create(holder=apprentice, course=course, organisation=studio, enrolment=enrolment,
                                         code=f"CODE{apprentice.id:06d}{i:06d}", issued_at=T0 + timedelta(days=210 + i))
        await Honour.create(person=apprentice, title=f"技术能手{i}", level=HonourLevel.MUNICIPAL, year=2020 + i % 3)
        await PersonSkill.create(person=apprentice, skill=skill, level=3)


async def test_one_timeline_from_every_plugin_newest_first(gql: GraphQLClient) -> None:
    studio = await make_org("王建国劳模创新工作室", OrganisationKind.STUDIO)
    apprentice = await gql.user("李小明", org=studio)
    mentor = await Person.create(name="王建国")
    weld = await Skill.create(name="焊接")
    assert apprentice.person is not None
    m = await Mentorship.create(mentor=mentor, apprentice=apprentice.person, organisation=studio, skill=weld,
                                planned_start=date(2023, 1, 1), status=MentorshipStatus.COMPLETED,
                                started_at=T0, ended_at=T0 + timedelta(days=300))
    course = await TrainingCourse.create(organisation=studio, title="焊接安全作业", hours=8, published=True)
    session = await TrainingSession.create(course=course, organisation=studio, capacity=5,
                                           starts_at=T0 + timedelta(days=30), ends_at=T0 + timedelta(days=30, hours=2))
    enrolment = await TrainingEnrolment.create(session=session, person=apprentice.person,
                                               status=EnrolmentStatus.ATTENDED, enrolled_at=T0,
                                               checked_in_at=T0 + timedelta(days=30))
    certificate = await TrainingCertificate.create(holder=apprentice.person, course=course, organisation=studio,
                                                   enrolment=enrolment, code="ABCDEFGHJKLMNPQR",
                                                   issued_at=T0 + timedelta(days=40))
    await Honour.create(person=apprentice.person, title="海州市技术能手", level=HonourLevel.MUNICIPAL, year=2025)
    await PersonSkill.create(person=apprentice.person, skill=weld, level=3)
    await PersonSkill.filter(person_id=apprentice.person.id).update(updated_at=T0 + timedelta(days=301))

    own = await growth(gql, apprentice.person, apprentice)
    assert [(e["node"]["kind"], e["node"]["title"]) for e in own["edges"]] == [
        ("core.honour", "荣获海州市技术能手"),  # 2025
        ("core.skill_level", "焊接达到高级工"),
        ("mentorship.graduated", "焊接出师（师傅王建国）"),
        ("training.certificate", "获得《焊接安全作业》培训证书"),
        ("training.attended", "参加培训《焊接安全作业》"),
        ("mentorship.started", "拜王建国为师，学习焊接"),
    ]
    assert own["edges"][0]["node"]["at"] == year_bounds(2025)[0].astimezone(UTC).isoformat()
    subjects = [e["node"]["subject"]["id"] for e in own["edges"]]
    assert subjects == [gid("Person", apprentice.person.id), gid("Skill", weld.id), gid("Mentorship", m.id),
                        gid("TrainingCertificate", certificate.id), gid("TrainingEnrolment", enrolment.id),
                        gid("Mentorship", m.id)]
    # The mentor's record tells it from their side.
    assert titles(await growth(gql, mentor)) == ["徒弟李小明焊接出师", "收李小明为徒，传授焊接"]
    # Others do not see the training record (enrolments and certificates are private).
    stranger = await gql.user("路人")
    for viewer in (None, stranger):
        assert [e["node"]["kind"] for e in (await growth(gql, apprentice.person, viewer))["edges"]] == [
            "core.honour", "core.skill_level", "mentorship.graduated", "mentorship.started"]
    # The studio's admins see it all.
    admin = await gql.user("管理员", org=studio, role=MembershipRole.ADMIN)
    assert len((await growth(gql, apprentice.person, admin))["edges"]) == 6


async def test_pages_neither_repeat_nor_skip_entries_at_the_same_instant(gql: GraphQLClient) -> None:
    studio = await make_org("工作室", OrganisationKind.STUDIO)
    person = await Person.create(name="赵敏")
    # Seven honours in 2020 (all at 2020-01-01 China time), and a graduation at that very instant.
    for i in range(7):
        await Honour.create(person=person, title=f"荣誉{i}", level=HonourLevel.ENTERPRISE, year=2020)
    start = year_bounds(2020)[0]
    await Mentorship.create(mentor=await Person.create(name="师傅"), apprentice=person, organisation=studio,
                            skill=await Skill.create(name="钳工"), planned_start=date(2019, 1, 1),
                            status=MentorshipStatus.COMPLETED, started_at=start - timedelta(days=90), ended_at=start)
    await Honour.create(person=person, title="更早", level=HonourLevel.ENTERPRISE, year=2018)
    everything = titles(await growth(gql, person))
    assert len(everything) == 10 and len(set(everything)) == 10
    for size in (1, 2, 3):
        seen: list[str] = []
        after = None
        while True:
            page = await growth(gql, person, first=size, after=after)
            seen += titles(page)
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == everything, size


async def test_growth_arguments_are_checked(gql: GraphQLClient) -> None:
    person = await Person.create(name="钱七")
    for after in ("bm9wZQ==", "nope", "Zzo5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk6MA=="):
        errors = await gql.errors(GROWTH, {"id": gid("Person", person.id), "first": 2, "after": after})
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT", after
    errors = await gql.errors(GROWTH, {"id": gid("Person", person.id), "first": 101})
    assert errors[0]["extensions"]["code"] == "OUT_OF_RANGE"


async def test_growth_statements_do_not_grow_with_the_entries(gql: GraphQLClient) -> None:
    studio = await make_org("工作室", OrganisationKind.STUDIO)
    admin = await gql.user("管理员", org=studio, role=MembershipRole.ADMIN)
    heavy = gql.with_settings(max_query_cost=10**6)
    counts = {}
    for n in (2, 12):
        person = await Person.create(name=f"学员{n}")
        await _career(studio, person, n)
        with count_statements() as counter:
            page = await growth(heavy, person, admin)
        assert len(page["edges"]) == 6 * n  # every entry visible to the studio's admin
        counts[n] = counter.count
    await heavy.http.aclose()
    assert counts[2] == counts[12] <= 20, counts


async def test_one_growth_record_per_request(gql: GraphQLClient) -> None:
    """A record is a profile page: in a list, only the first person's is answered (and that
    person's again), so a list of people never costs statements per person."""
    people = [await Person.create(name=name) for name in ("甲", "乙", "丙")]
    for person in people:
        await Honour.create(person=person, title="技术能手", level=HonourLevel.ENTERPRISE, year=2020)
    data = await gql("""query($id: ID!) { people(first: 3) { nodes { name growth { nodes { title } } } }
      again: node(id: $id) { ... on Person { growth { nodes { title } } } } }""", {"id": gid("Person", people[0].id)})
    assert [(p["name"], p["growth"]) for p in data["people"]["nodes"]] == [
        ("甲", {"nodes": [{"title": "荣获技术能手"}]}), ("乙", None), ("丙", None)]
    assert data["again"]["growth"] == {"nodes": [{"title": "荣获技术能手"}]}


async def test_a_list_of_people_with_growth_costs_the_same_at_10_and_100(gql: GraphQLClient) -> None:
    studio = await make_org("工作室", OrganisationKind.STUDIO)
    for i in range(100):
        person = await Person.create(name=f"职工{i:03d}")
        await Honour.create(person=person, title="技术能手", level=HonourLevel.ENTERPRISE, year=2020)
        if i < 2:
            await _career(studio, person)
    heavy = gql.with_settings(max_query_cost=10**9)
    counts = {}
    for size in (10, 100):
        with count_statements() as counter:
            data = await heavy("query($n: Int!) { people(first: $n) { nodes { growth { nodes { "
                               "title subject { id } } } } } }", {"n": size})
        # Anonymous: two honours, the level, the agreement started and graduated (training is private).
        assert len(data["people"]["nodes"][0]["growth"]["nodes"]) == 5
        assert all(node["growth"] is None for node in data["people"]["nodes"][1:])
        counts[size] = counter.count
    await heavy.http.aclose()
    assert counts[10] == counts[100], counts
