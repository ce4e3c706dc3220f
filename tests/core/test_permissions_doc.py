"""docs/permissions.md states the private fields; the API must agree, so the table cannot drift.

For each documented type, one record is read through ``node(id:)`` with every field that takes
no required argument, by a viewer who sees everything and by an anonymous caller: the fields
that read differently are exactly the documented "Private field" rows. Types documented as not
seen by everyone must be null through ``node`` for an anonymous caller.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from graphql import GraphQLNonNull, GraphQLObjectType, GraphQLSchema, get_named_type

from core.organisations.models import OrganisationPlugin
from core.people import invitations
from core.people.models import MembershipRole, Person
from core.relay import to_global_id
from core.runtime import Runtime
from core.skills.models import PersonSkill, Skill
from plugins.assessment.models import Achievement, AchievementKind, AssessmentResult, StudioAssessment
from plugins.challenges.models import Bid, BidStatus, Offer, OfferKind, Outcome, Problem, ProblemStatus, Visibility
from plugins.mentorship import progress, services
from plugins.training import seats
from plugins.training.models import TrainingCertificate, TrainingCourse, TrainingSession
from schema.build import build_schema
from tests.support import GraphQLClient, User, make_org

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def documented() -> dict[str, tuple[str, set[str]]]:
    """``### Type`` sections: (the "Seen by" sentence, the fields of its "Private field" table)."""
    sections: dict[str, tuple[str, set[str]]] = {}
    for block in re.split(r"^### ", DOC.read_text(), flags=re.M)[1:]:
        heading, _, body = block.partition("\n")
        seen = re.search(r"^Seen by: (.*)$", body, flags=re.M)
        fields: set[str] = set()
        in_table = False
        for line in body.splitlines():
            if line.startswith("| Private field"):
                in_table = True
            elif in_table and line.startswith("|"):
                match = re.match(r"\|\s*`([\w.]+)`", line)
                if match:
                    fields.add(match.group(1))
            else:
                in_table = False
        for name in re.findall(r"\w+", heading.split("(")[0]):
            sections[name] = (seen.group(1) if seen else "", fields)
    return sections


def _selection(schema: GraphQLSchema, type_name: str) -> str:
    """Every field without required arguments: scalars as they are, connections by totalCount,
    connections without one by their edges' cursors, nodes by id, other objects with their scalar fields."""
    gql_type = schema.get_type(type_name)
    assert isinstance(gql_type, GraphQLObjectType)
    parts = []
    for name, field in gql_type.fields.items():
        if any(isinstance(arg.type, GraphQLNonNull) for arg in field.args.values()):
            continue
        inner = get_named_type(field.type)
        if not isinstance(inner, GraphQLObjectType):
            parts.append(name)
        elif "totalCount" in inner.fields:
            parts.append(f"{name} {{ totalCount }}")
        elif "edges" in inner.fields:  # a connection without a count (Person.growth): which edges
            parts.append(f"{name} {{ edges {{ cursor }} }}")
        elif "id" in inner.fields:  # another node: which one, its own fields are its own type's
            parts.append(f"{name} {{ id }}")
        else:
            scalars = [n for n, f in inner.fields.items()
                       if not isinstance(get_named_type(f.type), GraphQLObjectType)
                       and not any(isinstance(a.type, GraphQLNonNull) for a in f.args.values())]
            parts.append(f"{name} {{ {' '.join(scalars)} }}")
    return " ".join(parts)


def _differing(full: dict[str, Any], anonymous: dict[str, Any]) -> set[str]:
    """Top-level fields that differ; ``field.sub`` where only a sub-field of list items does."""
    found = set()
    for name, value in full.items():
        other = anonymous[name]
        if value == other:
            continue
        if (isinstance(value, list) and isinstance(other, list) and len(value) == len(other)
                and all(isinstance(v, dict) for v in value) and value):
            subs = {k for v, o in zip(value, other, strict=True) for k in v if v[k] != o[k]}
            found |= {f"{name}.{k}" for k in subs}
        else:
            found.add(name)
    return found


async def _read(gql: GraphQLClient, schema: GraphQLSchema, type_name: str, node_id: str,
                user: User | None) -> dict[str, Any]:
    query = f"query($id: ID!) {{ node(id: $id) {{ ... on {type_name} {{ {_selection(schema, type_name)} }} }} }}"
    return dict((await gql(query, {"id": node_id}, user=user))["node"])


async def _world(gql: GraphQLClient, rt: Runtime) -> dict[str, Any]:
    """One record of each documented type, and who sees everything of it."""
    org = await make_org("工作室")
    for plugin in ("mentorship", "training", "assessment", "challenges"):
        await OrganisationPlugin.create(organisation=org, plugin=plugin, settings={})
    admin = await gql.user("管理员", org=org, role=MembershipRole.ADMIN)
    mentor, apprentice = await gql.user("师傅", org=org), await gql.user("徒弟", org=org)
    assert mentor.person is not None and apprentice.person is not None and admin.person is not None
    await Person.filter(id=apprentice.person.id).update(phone="13800000000", email="tu@example.com")
    # The studio invites the apprentice's friend, and another studio invites the apprentice.
    friend = await gql.user("朋友")
    assert friend.person is not None
    await invitations.invite(rt, organisation_id=org.id, person_id=friend.person.id, role=MembershipRole.MEMBER,
                             invited_by_account_id=admin.account_id)
    other = await make_org("另一个工作室")
    await invitations.invite(rt, organisation_id=other.id, person_id=apprentice.person.id,
                             role=MembershipRole.MEMBER, invited_by_account_id=None)
    skill = await Skill.create(name="焊接")
    await PersonSkill.create(person=mentor.person, skill=skill, level=1)
    await PersonSkill.create(person=apprentice.person, skill=skill, level=4)
    m = await services.propose(rt, services.ProposeData(mentor.person.id, apprentice.person.id, org.id, skill.id,
                                                        goals="基本功"), mentor.person.id)
    await services.accept(rt, m.id, apprentice.person.id)
    milestone = await progress.add_milestone(rt, m.id, "焊缝", by=mentor.person.id)
    await services.complete(rt, m.id, 90, "出师", raise_level=True)
    course = await TrainingCourse.create(organisation=org, title="课程", hours=8, published=True)
    session = await TrainingSession.create(course=course, organisation_id=org.id, capacity=5,
                                           starts_at=rt.now() + timedelta(days=1),
                                           ends_at=rt.now() + timedelta(days=1, hours=2))
    enrolment = (await seats.enrol(rt, session.id, apprentice.person.id)).enrolment
    certificate = await TrainingCertificate.create(enrolment=enrolment, holder_id=apprentice.person.id,
                                                   course_id=course.id, organisation_id=org.id,
                                                   code="ABCDEFGHJKLMNPQR", issued_at=rt.now())
    achievement = await Achievement.create(organisation=org, title="焊接操作法", kind=AchievementKind.OPERATING_METHOD,
                                           year=2025)
    assessment = await StudioAssessment.create(organisation=org, federation=org, year=2025, level="MUNICIPAL",
                                               result=AssessmentResult.PASS, evaluated_at=rt.now())
    forum = await _forum_world(rt, org, admin, mentor, apprentice)
    return {
        **forum,
        "Achievement": (to_global_id("Achievement", achievement.id), admin),
        "StudioAssessment": (to_global_id("StudioAssessment", assessment.id), admin),
        **await _challenges_world(rt, org, admin, mentor),
        "Person": (to_global_id("Person", apprentice.person.id), apprentice),
        "Organisation": (to_global_id("Organisation", org.id), admin),
        "Mentorship": (to_global_id("Mentorship", m.id), admin),
        "TrainingCourse": (to_global_id("TrainingCourse", course.id), admin),
        "TrainingSession": (to_global_id("TrainingSession", session.id), admin),
        "MentorshipMilestone": (to_global_id("MentorshipMilestone", milestone.id), admin),
        "TrainingEnrolment": (to_global_id("TrainingEnrolment", enrolment.id), admin),
        "TrainingCertificate": (to_global_id("TrainingCertificate", certificate.id), admin),
    }


async def _challenges_world(rt: Runtime, org: Any, admin: User, mentor: User) -> dict[str, tuple[str, User]]:
    # A draft and a public problem in progress, with the mentor's accepted bid and an outcome.
    await Problem.create(organisation=org, title="草稿难题", status=ProblemStatus.DRAFT)
    problem = await Problem.create(organisation=org, title="公开难题", status=ProblemStatus.IN_PROGRESS,
                                   visibility=Visibility.PUBLIC, opened_at=rt.now(), teams=1)
    offer = await Offer.create(kind=OfferKind.PERSON, person=mentor.person, title="焊接攻关")
    bid = await Bid.create(problem=problem, offer=offer, plan="方案", status=BidStatus.ACCEPTED)
    outcome = await Outcome.create(problem=problem, bid=bid, summary="成果", submitted_at=rt.now())
    return {
        "Problem": (to_global_id("Problem", problem.id), admin),
        "Bid": (to_global_id("Bid", bid.id), admin),
        "ProblemOutcome": (to_global_id("ProblemOutcome", outcome.id), admin),
    }


async def _forum_world(rt: Runtime, org: Any, admin: User, mentor: User, apprentice: User) -> dict[str, Any]:
    """A salon with an answer and a material, and a thread with a hidden post that mentions someone."""
    from plugins.forum import salons as forum_salons
    from plugins.forum import services as forum_services
    from plugins.forum.models import ForumSalon, ForumSalonMaterial, RsvpResponse

    assert admin.person is not None and mentor.person is not None and apprentice.person is not None
    await OrganisationPlugin.create(organisation=org, plugin="forum", settings={})
    salon = await ForumSalon.create(organisation=org, title="沙龙", starts_at=rt.now() + timedelta(days=1),
                                    ends_at=rt.now() + timedelta(days=1, hours=2), venue="活动中心", capacity=10)
    await forum_salons.rsvp(rt, salon.id, apprentice.person.id, RsvpResponse.GOING)
    material = await ForumSalonMaterial.create(salon=salon, title="讲稿", url="https://example.org/a.pdf")
    created = await forum_services.create_thread(rt, org.id, mentor.person.id, "话题", "@徒弟 看这里", salon.id)
    await forum_services.hide_post(rt, created.post.id, admin.person.id, True, "测试")
    return {
        "Salon": (to_global_id("Salon", salon.id), admin),
        "SalonMaterial": (to_global_id("SalonMaterial", material.id), admin),
        "ForumThread": (to_global_id("ForumThread", created.thread.id), admin),
        "ForumPost": (to_global_id("ForumPost", created.post.id), admin),
    }


async def test_documented_private_fields_are_the_private_fields(gql: GraphQLClient, rt: Runtime) -> None:
    schema = build_schema(rt.registry, rt.settings)._schema
    docs = documented()
    records = await _world(gql, rt)
    for type_name in ("Person", "Organisation", "Mentorship", "TrainingCourse", "TrainingSession", "Achievement",
                      "Salon", "SalonMaterial", "ForumThread", "ForumPost", "Problem"):
        node_id, privileged = records[type_name]
        full = await _read(gql, schema, type_name, node_id, privileged)
        anonymous = await _read(gql, schema, type_name, node_id, None)
        assert docs[type_name][1] == _differing(full, anonymous), type_name


async def test_types_not_seen_by_everyone_are_hidden_from_node(gql: GraphQLClient, rt: Runtime) -> None:
    docs = documented()
    records = await _world(gql, rt)
    for type_name, (node_id, privileged) in records.items():
        query = f"query($id: ID!) {{ node(id: $id) {{ ... on {type_name} {{ id }} }} }}"
        public = docs[type_name][0].startswith("everyone")
        assert ((await gql(query, {"id": node_id}))["node"] is not None) is public, type_name
        assert (await gql(query, {"id": node_id}, user=privileged))["node"] == {"id": node_id}


def test_every_documented_field_exists(rt: Runtime) -> None:
    schema = build_schema(rt.registry, rt.settings)._schema
    for type_name, (_, fields) in documented().items():
        gql_type = schema.get_type(type_name)
        assert isinstance(gql_type, GraphQLObjectType), type_name
        for path in fields:
            head, _, sub = path.partition(".")
            assert head in gql_type.fields, path
            if sub:
                inner = get_named_type(gql_type.fields[head].type)
                assert isinstance(inner, GraphQLObjectType) and sub in inner.fields, path


