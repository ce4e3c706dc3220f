"""A page and its ``totalCount`` in one statement (``core.relay.rows_and_total``), with a separate
COUNT only where the count cannot ride along: a page past the end, or a filter whose nested
subquery keeps its own placeholders (pypika inlines only the outer statement's values)."""

from __future__ import annotations

from core.organisations.models import Organisation, OrganisationKind
from core.people.directory import PeopleFilter, people_queryset
from core.people.models import Person
from core.relay import paginate_queryset, rows_and_total
from core.skills.models import PersonSkill, Skill
from tests.support import GraphQLClient, count_statements, make_org


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


async def test_a_filter_with_a_nested_subquery_falls_back_to_a_separate_count(gql: GraphQLClient) -> None:
    welding = await Skill.create(name="焊接")
    for name, skilled in (("焊工甲", True), ("焊工乙", True), ("钳工丙", False)):
        person = await Person.create(name=name)
        if skilled:
            await PersonSkill.create(person=person, skill=welding, level=3)
    queryset = people_queryset(PeopleFilter(search="焊接")).order_by("id")  # names or skills
    with count_statements() as counter:
        rows, total = await rows_and_total(queryset.limit(1), queryset)
    assert counter.count == 2, counter.statements
    assert total == 2 and [row.name for row in rows] == ["焊工甲"]
