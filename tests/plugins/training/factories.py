"""Test-data factories of the training plugin (``host.testing.factories``): courses, sessions,
enrolments and certificates, and the training rows every ``Organisation`` and ``Person`` gets."""

from __future__ import annotations

from datetime import timedelta

from core.relay import to_global_id
from host.testing.factories import Factories, World
from plugins.training.models import (
    EnrolmentStatus,
    TrainingCertificate,
    TrainingCourse,
    TrainingCourseTrainer,
    TrainingEnrolment,
    TrainingSession,
)


async def _courses(world: World, org_ids: list[int]) -> list[int]:
    """A published course per organisation (even ones also a draft), each with a trainer and a session."""
    titles = [world.name("焊接安全培训") for _ in org_ids]
    await TrainingCourse.bulk_create(
        [
            TrainingCourse(organisation_id=o, title=t, skill_id=world.skill.id, hours=8, published=True, target_level=3)
            for o, t in zip(org_ids, titles, strict=True)
        ]
    )
    ids = [c.id for c in await TrainingCourse.filter(title__in=titles).order_by("id")]
    await TrainingCourse.bulk_create(
        [TrainingCourse(organisation_id=o, title=world.name("草稿课程"), hours=4) for o in org_ids[::2]]
    )
    await TrainingCourseTrainer.bulk_create(
        [TrainingCourseTrainer(course_id=c, person_id=world.person.id) for c in ids]
    )
    await _sessions(world, list(zip(ids, org_ids, strict=True)))
    return ids


async def _sessions(world: World, courses: list[tuple[int, int]]) -> list[int]:
    """A session of each (course, organisation), in a weekly series of its own; one enrolment each."""
    series = [world.name("series") for _ in courses]
    start = world.now + timedelta(days=7)
    await TrainingSession.bulk_create(
        [
            TrainingSession(
                course_id=c,
                organisation_id=o,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                capacity=10,
                seats_taken=1,
                series_id=s,
            )
            for (c, o), s in zip(courses, series, strict=True)
        ]
    )
    ids = [s.id for s in await TrainingSession.filter(series_id__in=series).order_by("id")]
    await TrainingEnrolment.bulk_create(
        [
            TrainingEnrolment(
                session_id=s, person_id=world.person.id, status=EnrolmentStatus.CONFIRMED, enrolled_at=world.now
            )
            for s in ids
        ]
    )
    return ids


async def _enrolments(world: World, person_ids: list[int], passed: bool) -> list[int]:
    """An enrolment of each person in a session of a course of the world's studio."""
    course = await TrainingCourse.create(
        organisation_id=world.org.id, title=world.name("课程"), hours=8, published=True, certificate_valid_months=24
    )
    [session] = await _sessions(world, [(course.id, world.org.id)])
    await TrainingEnrolment.bulk_create(
        [
            TrainingEnrolment(
                session_id=session,
                person_id=p,
                status=EnrolmentStatus.ATTENDED,
                enrolled_at=world.now,
                checked_in_at=world.now,
                passed=passed,
                score=90 if passed else None,
                assessed_at=world.now if passed else None,
            )
            for p in person_ids
        ]
    )
    rows = await TrainingEnrolment.filter(session_id=session, person_id__in=person_ids).order_by("id")
    if passed:
        await TrainingCertificate.bulk_create(
            [
                TrainingCertificate(
                    holder_id=row.person_id,
                    course_id=course.id,
                    organisation_id=world.org.id,
                    enrolment_id=row.id,
                    code=f"C{row.id:015d}",
                    score=90,
                    issued_at=world.now,
                    expires_at=world.now + timedelta(days=700),
                )
                for row in rows
            ]
        )
    return [row.id for row in rows]


def guildhall_factories(factories: Factories) -> None:
    factories.arguments("Organisation.trainingStats", lambda world: {"year": world.now.year})
    factories.arguments(
        "Query.trainingSessions", lambda world: {"organisationId": to_global_id("Organisation", world.org.id)}
    )

    @factories.factory("TrainingCourse")
    async def courses(world: World, count: int) -> list[int]:
        return await _courses(world, [world.org.id] * count)

    @factories.factory("TrainingSession")
    async def sessions(world: World, count: int) -> list[int]:
        [course] = await _courses(world, [world.org.id])
        return await _sessions(world, [(course, world.org.id)] * count)

    @factories.factory("TrainingEnrolment")
    async def enrolments(world: World, count: int) -> list[int]:
        return await _enrolments(world, await world.make("Person", count), passed=False)

    @factories.factory("TrainingCertificate")
    async def certificates(world: World, count: int) -> list[int]:
        await _enrolments(world, await world.make("Person", count), passed=True)
        return [c.id for c in await TrainingCertificate.all().order_by("-id").limit(count)][::-1]

    @factories.extender("Organisation")
    async def organisation_courses(world: World, org_ids: list[int]) -> None:
        await _courses(world, org_ids)

    @factories.extender("Person")
    async def person_records(world: World, person_ids: list[int]) -> None:
        await _enrolments(world, person_ids, passed=True)
