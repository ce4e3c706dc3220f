"""RSVPs are race-free on PostgreSQL: GOING never passes capacity, counters equal the rows."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from core.errors import UserInputError
from core.people.models import Person
from core.runtime import Runtime
from plugins.forum import salons
from plugins.forum.models import ForumRsvp, ForumSalon, RsvpResponse
from tests.plugins.forum.conftest import Board

pytestmark = pytest.mark.postgres


async def _people(count: int) -> list[int]:
    await Person.bulk_create([Person(name=f"职工{i}") for i in range(count)])
    return list(await Person.filter(name__startswith="职工").order_by("id").values_list("id", flat=True))


async def _answer(rt: Runtime, salon_id: int, person_id: int, response: RsvpResponse) -> str:
    try:
        await salons.rsvp(rt, salon_id, person_id, response)
        return "ok"
    except UserInputError as exc:
        return exc.errors[0].code


async def _consistent(salon_id: int) -> Counter[RsvpResponse]:
    rows = Counter(r.response for r in await ForumRsvp.filter(salon_id=salon_id))
    salon = await ForumSalon.get(id=salon_id)
    assert (salon.going_count, salon.interested_count, salon.not_going_count) == (
        rows[RsvpResponse.GOING],
        rows[RsvpResponse.INTERESTED],
        rows[RsvpResponse.NOT_GOING],
    )
    return rows


async def test_150_concurrent_going_into_40_places(board: Board, rt: Runtime) -> None:
    salon = await board.salon(capacity=40)
    people = await _people(150)
    results = Counter(await asyncio.gather(*(_answer(rt, salon.id, pid, RsvpResponse.GOING) for pid in people)))
    assert results == {"ok": 40, "SALON_FULL": 110}
    assert (await _consistent(salon.id))[RsvpResponse.GOING] == 40


async def test_concurrent_changes_of_mind_keep_counters_and_capacity(board: Board, rt: Runtime) -> None:
    salon = await board.salon(capacity=10)
    people = await _people(30)
    for pid in people[:10]:
        await salons.rsvp(rt, salon.id, pid, RsvpResponse.GOING)
    # Five of the ten leave while twenty others try for their places, and everyone repeats themselves.
    moves = [(pid, RsvpResponse.NOT_GOING) for pid in people[:5]] + [(pid, RsvpResponse.GOING) for pid in people[10:]]
    results = await asyncio.gather(*(_answer(rt, salon.id, pid, response) for pid, response in moves * 2))
    admitted = {
        pid
        for (pid, response), result in zip(moves * 2, results, strict=True)
        if response == RsvpResponse.GOING and result == "ok"
    }
    rows = await _consistent(salon.id)
    assert rows[RsvpResponse.NOT_GOING] == 5 and rows[RsvpResponse.GOING] == 5 + len(admitted) <= 10
    assert set(results) <= {"ok", "SALON_FULL"}
    assert await ForumRsvp.filter(salon_id=salon.id).count() == 10 + len(admitted)
