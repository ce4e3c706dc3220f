"""Loader statements are built once per shape (``core.prepared``): the same text comes back with
new ids in its slots, and a shape whose ids cannot be told apart from its other parameters is
never reused wrongly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core import prepared
from core.loaders import Loaders
from core.people.models import Membership, MembershipRole, Person
from tests.support import GraphQLClient, count_statements, make_org


@pytest.fixture(autouse=True)
def _no_shapes() -> Iterator[None]:
    prepared.clear()
    yield
    prepared.clear()


def _texts(statements: list[str]) -> list[str]:
    """The SQL of each logged statement (Tortoise logs ``<sql>: <values>``)."""
    return [message.rsplit(": [", 1)[0] for message in statements]


def test_ids_are_distinct_sorted_and_padded_to_a_power_of_two() -> None:
    assert prepared.padded([]) == []
    assert prepared.padded([7]) == [7]
    assert prepared.padded([9, 3, 3]) == [3, 9]
    assert prepared.padded([5, 1, 4]) == [1, 4, 5, 5]
    assert prepared.padded(list(range(9, 0, -1))) == [*range(1, 10), *[9] * 7]


def test_the_ids_are_found_only_where_they_sit_once() -> None:
    assert prepared.starts(["a", 1, 2, "b"], [1, 2]) == [1]
    assert prepared.starts([3, 3], [3]) == [0, 1]
    assert prepared.starts(["a"], [1]) == []
    assert prepared.starts([1, 2], []) == []
    assert prepared.starts([True, 1, "1"], [1]) == [1]  # a boolean or a string is not the id


class _Builds:
    """A shape's builder that answers the given statements in turn and counts its calls."""

    def __init__(self, *statements: prepared.Statement) -> None:
        self.statements = list(statements)
        self.calls = 0

    def __call__(self) -> prepared.Statement:
        self.calls += 1
        return self.statements.pop(0)


def test_a_shape_is_built_once_and_reused_with_new_ids() -> None:
    db: Any = object()
    first = _Builds(("SELECT ?,?,?", ["x", 1, 2], "extra"))
    assert prepared.statement("shape", db, [1, 2], first) == ("SELECT ?,?,?", ["x", 1, 2], "extra")
    never = _Builds()
    assert prepared.statement("shape", db, [8, 9], never) == ("SELECT ?,?,?", ["x", 8, 9], "extra")
    assert never.calls == 0
    # Another batch size, or another dialect, is another shape.
    other = _Builds(("SELECT ?", ["x", 4], None), ("SELECT ?", ["x", 4], None))
    prepared.statement("shape", db, [4], other)
    prepared.statement("shape", 0, [4], other)
    assert other.calls == 2


def test_ambiguous_ids_are_not_cached_until_a_batch_tells_them_apart() -> None:
    db: Any = object()
    builds = _Builds(("S", [3, 3], None), ("S", [3, 5], None))
    assert prepared.statement("filtered", db, [3], builds) == ("S", [3, 3], None)
    assert prepared.statement("filtered", db, [5], builds) == ("S", [3, 5], None)
    assert prepared.statement("filtered", db, [6], _Builds()) == ("S", [3, 6], None)
    assert builds.calls == 2


def test_ids_used_twice_fill_both_slots() -> None:
    db: Any = object()
    builds = _Builds(("S", ["x", 1, 2, "y", 1, 2, "z"], None))
    prepared.statement("twice", db, [1, 2], builds, occurrences=2)
    assert prepared.statement("twice", db, [3, 4], _Builds(), occurrences=2)[1] == ["x", 3, 4, "y", 3, 4, "z"]
    # Found once where the query uses them twice: a constant took one slot's place, not cached.
    once = _Builds(("T", [1, 7], None), ("T", [2, 7], None))
    prepared.statement("once", db, [1], once, occurrences=2)
    prepared.statement("once", db, [2], once, occurrences=2)
    assert once.calls == 2


def test_ids_written_into_the_text_are_built_every_time() -> None:
    db: Any = object()
    builds = _Builds(("S 1", [], None), ("S 2", [], None))
    assert prepared.statement("inline", db, [1], builds) == ("S 1", [], None)
    assert prepared.statement("inline", db, [2], builds) == ("S 2", [], None)
    assert builds.calls == 2


async def test_by_id_batches_of_a_size_run_one_text_with_their_own_rows(gql: GraphQLClient) -> None:
    people = [await Person.create(name=f"人{i}") for i in range(6)]
    texts, found = [], []
    for batch in ([people[0].id, people[1].id, 10**9], [people[5].id, people[2].id, people[3].id]):
        loader = Loaders().by_id(Person)
        with count_statements() as counter:
            rows = await loader.load_many(batch)
        texts.extend(_texts(counter.statements))
        found.append([row.name if row else None for row in rows])
    assert found == [["人0", "人1", None], ["人5", "人2", "人3"]]
    assert len(texts) == 2 and texts[0] == texts[1]  # three ids padded to four, one text


async def test_children_with_a_filter_equal_to_the_id_still_read_the_right_rows(gql: GraphQLClient) -> None:
    # The organisation's id is the person's: the filter's parameter and the batch's id are the
    # same value, so the first batch cannot tell which slot holds the id.
    org = await make_org("甲", id=900_001)
    same = await Person.create(id=900_001, name="同号")
    other = await Person.create(id=900_002, name="异号")
    other_org = await make_org("乙", id=900_002)
    await Membership.create(person=same, organisation=org, role=MembershipRole.ADMIN)
    await Membership.create(person=other, organisation=org, role=MembershipRole.MEMBER)
    await Membership.create(person=other, organisation=other_org, role=MembershipRole.MEMBER)
    admin, member = [MembershipRole.ADMIN], [MembershipRole.MEMBER]
    for person, expected in ((same, admin), (other, member), (same, admin)):
        loader = Loaders().children(Membership, "person_id", organisation_id=org.id)
        assert [m.role for m in await loader.load(person.id)] == expected


async def test_a_page_text_is_reused_for_other_parents(gql: GraphQLClient) -> None:
    orgs = [await make_org(f"组织{i}") for i in range(3)]
    members: list[list[int]] = []
    for i, org in enumerate(orgs):
        people = [await Person.create(name=f"{i}-{j}") for j in range(i + 1)]
        await Membership.bulk_create([Membership(person=p, organisation=org) for p in people])
        members.append([p.id for p in people])
    texts, pages = [], []
    for org in orgs:
        loader = Loaders().page(Membership, "organisation_id", 0, 10, related=("person",))
        with count_statements() as counter:
            page = await loader.load(org.id)
        texts.extend(_texts(counter.statements))
        pages.append((page.total, [m.person_id for m in page.rows]))
    assert pages == [(len(ids), ids) for ids in members]
    assert len(texts) == 3 and len(set(texts)) == 1
