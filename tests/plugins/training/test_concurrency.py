"""Seats are race-free on PostgreSQL: nothing lost, nothing doubled (run by `make test-real`)."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from core.people.models import Person
from core.runtime import Runtime
from plugins.training import seats
from plugins.training.models import EnrolmentStatus, TrainingEnrolment, TrainingSession
from tests.plugins.training.conftest import School

pytestmark = pytest.mark.postgres


async def _people(count: int) -> list[int]:
    await Person.bulk_create([Person(name=f"学员{i}") for i in range(count)])
    return list(await Person.filter(name__startswith="学员").order_by("id").values_list("id", flat=True))


async def _check_consistent(session_id: int, confirmed: int, waiting: int) -> list[TrainingEnrolment]:
    rows = list(await TrainingEnrolment.filter(session_id=session_id))
    counts = Counter(r.status for r in rows)
    assert counts[EnrolmentStatus.CONFIRMED] == confirmed
    assert counts[EnrolmentStatus.WAITLISTED] == waiting
    positions = sorted(r.waitlist_position for r in rows if r.status == EnrolmentStatus.WAITLISTED)
    assert positions == list(range(1, waiting + 1))
    assert all(r.waitlist_position is None for r in rows if r.status != EnrolmentStatus.WAITLISTED)
    session = await TrainingSession.get(id=session_id)
    assert (session.seats_taken, session.waitlist_length) == (confirmed, waiting)
    return rows


async def test_200_concurrent_enrolments_into_30_seats(school: School, rt: Runtime) -> None:
    session = await school.session(capacity=30)
    people = await _people(200)
    results = await asyncio.gather(*(seats.enrol(rt, session.id, pid) for pid in people))
    assert all(r.created for r in results)
    rows = await _check_consistent(session.id, confirmed=30, waiting=170)
    assert len(rows) == 200 and {r.person_id for r in rows} == set(people)


async def test_concurrent_repeats_are_not_doubled(school: School, rt: Runtime) -> None:
    session = await school.session(capacity=5)
    people = await _people(20)
    results = await asyncio.gather(*(seats.enrol(rt, session.id, pid) for pid in people * 3))
    assert sum(r.created for r in results) == 20
    rows = await _check_consistent(session.id, confirmed=5, waiting=15)
    by_person = {r.person_id: r.id for r in rows}
    assert all(r.enrolment.id == by_person[r.enrolment.person_id] for r in results)


async def test_concurrent_cancellations_promote_in_queue_order(school: School, rt: Runtime) -> None:
    session = await school.session(capacity=10)
    people = await _people(40)
    for pid in people:  # in order, so the queue order is known
        await seats.enrol(rt, session.id, pid)
    confirmed = [r.id for r in await TrainingEnrolment.filter(session_id=session.id,
                                                                 status=EnrolmentStatus.CONFIRMED)]
    waiting = [r.id for r in await TrainingEnrolment.filter(session_id=session.id, status=EnrolmentStatus.WAITLISTED)]
    leaving = confirmed[:5] + waiting[-5:]
    await asyncio.gather(*(seats.cancel_enrolment(rt, eid) for eid in leaving))
    rows = await _check_consistent(session.id, confirmed=10, waiting=20)
    promoted = {r.person_id for r in rows if r.status == EnrolmentStatus.CONFIRMED} - set(people[:10])
    assert promoted == set(people[10:15])  # the first five in the queue, whatever the timing
