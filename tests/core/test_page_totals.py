"""A page and its ``totalCount`` in one statement (``core.relay.rows_and_total``: the COUNT as a
scalar subquery with its own parameters), with a separate COUNT only for a page past the end.
Filters of every kind must count what they select: nested subqueries (a search), datetimes
(stored as text on SQLite), quotes and placeholder look-alikes in values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.organisations.models import Organisation, OrganisationKind
from core.people.directory import PeopleFilter, people_queryset
from core.people.models import Person
from core.relay import paginate_queryset, rows_and_total
from core.skills.models import PersonSkill, Skill
from plugins.training.models import TrainingCourse, TrainingSession
from tests.support import count_statements, make_org


async def _orgs(count: int) -> None:
    for i in range(count):
        await make_org(f"企业{i:02d}", OrganisationKind.ENTERPRISE, region="上海" if i % 2 else "北京")


async def test_a_page_and_its_total_take_one_statement() -> None:
    await _orgs(7)
    queryset = Organisation.filter(region="上海").order_by("id")
    with count_statements() as counter:
        connection = await paginate_queryset(queryset, 2, None, lambda row: row.name)
    assert counter.count == 1, counter.statements
    assert connection.total_count == 3
    assert [edge.node for edge in connection.edges] == ["企业01", "企业03"]
    assert connection.page_info.has_next_page


async def test_a_page_past_the_end_still_counts() -> None:
    await _orgs(4)
    queryset = Organisation.all().order_by("id")
    first = await paginate_queryset(queryset, 4, None, lambda row: row.id)
    assert first.edges[-1].cursor is not None
    with count_statements() as counter:
        beyond = await paginate_queryset(queryset, 4, first.edges[-1].cursor, lambda row: row.id)
    assert beyond.edges == [] and beyond.total_count == 4
    assert counter.count == 2  # the empty page, then the COUNT it could not carry
    empty = await paginate_queryset(Organisation.filter(region="广州"), 5, None, lambda row: row.id)
    assert empty.total_count == 0 and not empty.page_info.has_next_page


async def test_values_with_quotes_and_placeholder_lookalikes_are_counted_right() -> None:
    await make_org("奇怪的名字 ' ? $1", OrganisationKind.ENTERPRISE)
    await make_org("普通企业", OrganisationKind.ENTERPRISE)
    queryset = Organisation.filter(name="奇怪的名字 ' ? $1")
    rows, total = await rows_and_total(queryset.limit(10), queryset)
    assert total == 1 and [row.name for row in rows] == ["奇怪的名字 ' ? $1"]


async def test_a_filter_with_a_nested_subquery_counts_in_the_same_statement() -> None:
    welding = await Skill.create(name="焊接")
    for name, skilled in (("焊工甲", True), ("焊工乙", True), ("钳工丙", False)):
        person = await Person.create(name=name)
        if skilled:
            await PersonSkill.create(person=person, skill=welding, level=3)
    queryset = people_queryset(PeopleFilter(search="焊接")).order_by("id")  # names or skills
    with count_statements() as counter:
        rows, total = await rows_and_total(queryset.limit(1), queryset)
    assert counter.count == 1, counter.statements
    assert total == 2 and [row.name for row in rows] == ["焊工甲"]


async def test_a_filter_on_times_counts_what_it_selects() -> None:
    """Inlined into the SQL text, a datetime compared wrongly with SQLite's stored text (a
    window of one session counted two): the count's parameters must be bound like the page's."""
    org = await make_org("培训学校", OrganisationKind.SCHOOL)
    course = await TrainingCourse.create(organisation=org, title="课程", hours=8, published=True)
    start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    for days in (1, 5, 9):
        begins = start + timedelta(days=days)
        await TrainingSession.create(course=course, organisation=org, starts_at=begins,
                                     ends_at=begins + timedelta(hours=2), capacity=5, venue="A")
    window = TrainingSession.filter(starts_at__gte=start + timedelta(days=3), starts_at__lt=start + timedelta(days=9))
    rows, total = await rows_and_total(window.order_by("starts_at").limit(10), window)
    assert total == 1 and [row.starts_at for row in rows] == [start + timedelta(days=5)]
