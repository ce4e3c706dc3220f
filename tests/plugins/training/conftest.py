"""A partner school with training switched on, its admin, a trainer, and quick factories."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from core import hookimpl
from core.organisations.models import Organisation, OrganisationKind, OrganisationPlugin
from core.people.models import MembershipRole, Person
from core.plugin_api import DomainEvent
from core.registry import Registry
from core.runtime import Runtime
from host.plugins import build_plugin_manager
from plugins.training.models import TrainingCourse, TrainingCourseTrainer, TrainingEnrolment, TrainingSession
from tests.support import GraphQLClient, User, client_for, gid, make_org, runtime_with

ENROL = """
mutation Enrol($s: ID!) { trainingEnrol(input: {sessionId: $s}) {
  enrolment { id status waitlistPosition } errors { code message } } }"""
CANCEL = """
mutation Cancel($e: ID!) { trainingEnrolmentCancel(input: {id: $e}) {
  enrolment { id status } errors { code message } } }"""
CHECK_IN = """
mutation CheckIn($s: ID!, $c: String!) { trainingCheckIn(input: {sessionId: $s, code: $c}) {
  enrolment { id status } errors { code message } } }"""
VERIFY = """
query Verify($c: String!) { certificateVerify(code: $c) { valid expired holderName courseTitle issuedAt expiresAt } }"""
ASSESS = """
mutation Assess($input: TrainingAssessInput!) { trainingAssess(input: $input) {
  enrolment { id passed score } certificate { id verificationCode status expiresAt }
  errors { code message field } } }"""


async def enable(org: Organisation, **settings: Any) -> None:
    await OrganisationPlugin.create(organisation=org, plugin="training", settings=settings)


async def make_course(org: Organisation, *, published: bool = True, valid_months: int | None = None,
                      trainers: tuple[Person, ...] = (), title: str = "焊接安全作业培训") -> TrainingCourse:
    course = await TrainingCourse.create(organisation=org, title=title, hours=16, published=published,
                                         certificate_valid_months=valid_months)
    for trainer in trainers:
        await TrainingCourseTrainer.create(course=course, person=trainer)
    return course


async def make_session(rt: Runtime, course: TrainingCourse, *, starts_in: timedelta = timedelta(days=1),
                       hours: float = 2, capacity: int = 10, **fields: Any) -> TrainingSession:
    starts_at = rt.now() + starts_in
    return await TrainingSession.create(
        course=course, organisation_id=course.organisation_id, starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours), capacity=capacity, venue="实训楼 302", **fields,
    )


def renew(gql: GraphQLClient, user: User) -> User:
    """A fresh access token at the clock's current time (tokens last 15 minutes)."""
    person_id = user.person.id if user.person else None
    return User(user.person, gql.token_for(user.account_id, person_id), user.account_id)


async def enrolments(session: TrainingSession) -> list[TrainingEnrolment]:
    return list(await TrainingEnrolment.filter(session_id=session.id).order_by("id"))


@dataclass
class School:
    gql: GraphQLClient
    rt: Runtime
    org: Organisation
    admin: User
    trainer: User
    course: TrainingCourse

    @property
    def org_id(self) -> str:
        return gid("Organisation", self.org.id)

    @property
    def course_id(self) -> str:
        return gid("TrainingCourse", self.course.id)

    async def session(self, **kwargs: Any) -> TrainingSession:
        return await make_session(self.rt, self.course, **kwargs)

    async def enrol(self, session: TrainingSession, user: User) -> dict[str, Any]:
        data = await self.gql(ENROL, {"s": gid("TrainingSession", session.id)}, user=user)
        return data["trainingEnrol"]

    async def learners(self, count: int, name: str = "学员") -> list[User]:
        return [await self.gql.user(f"{name}{i + 1}") for i in range(count)]


@pytest.fixture(autouse=True)
def _training_loaded(registry: Registry) -> None:
    if "training" not in registry.activity_plugins:
        pytest.skip("the training plugin is not loaded (GUILDHALL_TEST_PLUGINS)")


@pytest.fixture
async def school(gql: GraphQLClient, rt: Runtime) -> School:
    """A technical school with training on, its admin, and a published course with one trainer."""
    org = await make_org("海州市高级技工学校", OrganisationKind.SCHOOL)
    await enable(org)
    admin = await gql.user("吴秀英", org=org, role=MembershipRole.ADMIN)
    trainer = await gql.user("李红梅", org=org)
    assert trainer.person is not None
    course = await make_course(org, trainers=(trainer.person,))
    return School(gql=gql, rt=rt, org=org, admin=admin, trainer=trainer, course=course)


class Recorder:
    """A throwaway plugin that records every domain event it observes."""

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    @hookimpl
    def on_event(self, event: DomainEvent) -> None:
        self.events.append(event)

    def named(self, name: str) -> list[DomainEvent]:
        return [event for event in self.events if event.name == name]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def recording_gql(rt: Runtime, registry: Registry, recorder: Recorder) -> AsyncIterator[GraphQLClient]:
    """The API with the same plugins plus ``recorder`` listening to events."""
    names = list(registry.activity_plugins)
    recording_pm = build_plugin_manager(names, entry_points=False)
    recording_pm.register(recorder, name="recorder")
    client = client_for(runtime_with(rt, recording_pm))
    yield client
    await client.http.aclose()
