"""The read side of the matrix: A's secrets reach no foreign viewer, by any path.

The world (``tests/security/world.py``) plants *secrets*: values only A's admins, the parties or
the person may read (contact details, mentorship goals, comments, reasons, the session log,
milestones, draft courses and their sessions, enrolments, certificates, calendar tokens,
invitations, audit entries, a hidden forum post's body and reason, studio assessments, a draft
problem, bids with their plans and decline reasons, problem outcomes), each either a distinctive
text or the global ID of a private record; an alliance-only problem is a secret for the viewers
outside A's circle only (``CIRCLE_TEXTS``; A's plain member sees it). Queries are generated
from the schema, so a new type, field or plugin is walked without editing this file:

- ``node(id:)`` and ``nodes(ids:)`` over every record of A, with every field to depth 3
  (nested fields such as ``Person.memberships``, ``Organisation.members``, plugin fields on core
  types), and every root field (lists, with IDs of A where an argument needs one; with each of
  A's problems for ``problemMatches``);
- ``organisationEvents`` of A while A's people act.

Every answer to every foreign viewer is searched for every secret: the count of leaks must be 0.
The same queries sent by A's admin and the parties must show each secret at least once (the
control: the secrets are reachable, so their absence means something).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)

from core.audit.models import AuditEntry
from core.people.models import Person
from core.relay import parse_global_id, to_global_id
from core.runtime import Runtime
from core.skills.models import Skill
from host.testing.support import GraphQLClient, User
from plugins.mentorship import progress, services
from plugins.training import calendar, certificates, seats
from plugins.training.certificates import display_code
from schema.build import build_schema
from tests.live_events import Subscription
from tests.security.test_matrix import slot_type
from tests.security.world import World, build

DEPTH = 2
# Private records: their global IDs are secrets (their existence is private, not only their fields).
PRIVATE_TYPES = (
    "MentorshipMilestone",
    "MentorshipSession",
    "TrainingEnrolment",
    "TrainingCertificate",
    "MembershipInvitation",
    "AllianceInvitation",
    "Bid",
    "ProblemOutcome",
    "StudioAssessment",
)
# Texts the world gives private fields.
PRIVATE_TEXTS = (
    "私密的目标",
    "私密的评语",
    "私密的终止原因",
    "私密的拒绝原因",
    "私密的带徒记录",
    "开放里程碑",
    "已完成里程碑",
    "已批准里程碑",
    "草稿课程",
    "保密车间",
    display_code("ABCDEFGHJKLMNPQR"),
    # Forum: a hidden post's body and the reason are the moderators' (docs/permissions.md).
    "私密的隐藏帖子",
    "私密的隐藏原因",
    # Challenges: a draft is the poster's; bids (plans, decline reasons) and outcomes are the
    # poster's, the offer's owner's and the named people's.
    "草稿难题",
    "私密的揭榜方案",
    "私密的待定方案",
    "私密的落选方案",
    "私密的落选原因",
    "私密的返工方案",
    "私密的成果总结",
    "私密的返工总结",
    "私密的返工原因",
)
# Secrets of A's circle: members of A see them, viewers outside A and its alliance do not.
CIRCLE_TEXTS = ("联盟内难题",)
OUTSIDERS = ("anonymous", "b_member", "b_admin")


def circle_secrets(world: World) -> dict[str, str]:
    """Secrets hidden from viewers outside A's circle only (an alliance-only problem)."""
    found = {text: f"the alliance-only text {text}" for text in CIRCLE_TEXTS}
    found[world.of["Problem"][1]] = "the id of an alliance-only problem"
    return found


async def secrets(world: World, rt: Runtime) -> dict[str, str]:
    """Secret -> what it is."""
    schema = build_schema(rt.registry, rt.settings)._schema
    node = schema.get_type("Node")
    assert isinstance(node, GraphQLInterfaceType)
    nodes = {t.name for t in schema.get_possible_types(node)}
    found: dict[str, str] = {text: f"the private text {text}" for text in PRIVATE_TEXTS}
    for type_name in PRIVATE_TYPES:
        if type_name not in nodes:
            continue  # not a node: its fields are secrets, not its id
        for global_id in world.of.get(type_name, []):
            found[global_id] = f"the id of a private {type_name}"
    found[world.of["TrainingCourse"][1]] = "the id of a draft course"
    found[world.of["TrainingSession"][1]] = "the id of a draft course's session"
    found[world.of["Problem"][2]] = "the id of a draft problem"
    for person in await Person.filter(phone__not=""):
        found[person.phone] = f"{person.name}'s phone"
        found[person.email] = f"{person.name}'s email"
        version = await calendar.current_version(person.id)
        found[calendar.feed_token(rt.settings.secret_key, person.id, version)] = f"{person.name}'s calendar token"
    for entry in await AuditEntry.all():
        found[to_global_id("AuditEntry", entry.id)] = f"audit entry {entry.action}"
    return found


# Root arguments whose records differ in who may see them: root fields taking one are asked
# with each record of A (``problemMatches`` of a draft, of an alliance-only problem), not only the first.
EVERY_RECORD = {"Problem"}


def _args(field_name: str, field: GraphQLField, world: World, pick: int = 0) -> str | None:
    """Arguments for a field: required IDs get A's records (the first of the type the name says,
    as the write matrix reads names); None when a required argument cannot be filled."""
    parts = []
    for name, arg in field.args.items():
        if not isinstance(arg.type, GraphQLNonNull):
            continue
        named = get_named_type(arg.type)
        if isinstance(named, GraphQLScalarType) and named.name == "ID":
            try:
                type_name = slot_type(field_name, "", name, set(world.of))
            except AssertionError:
                return None
            records = world.of[type_name]
            value = records[pick % len(records)] if type_name in EVERY_RECORD else records[0]
            literal = json.dumps([value] if isinstance(arg.type.of_type, GraphQLList) else value)
        elif isinstance(named, GraphQLScalarType) and named.name == "String":
            literal = '"x"'
        elif isinstance(named, GraphQLScalarType) and named.name == "Int":
            literal = str(world.a.created_at.year if name == "year" else 5)
        elif isinstance(named, GraphQLEnumType):
            literal = next(iter(named.values))
        else:
            return None
        parts.append(f"{name}: {literal}")
    return f"({', '.join(parts)})" if parts else ""


def selection(schema: GraphQLSchema, type_: Any, world: World, depth: int) -> str:
    """Every field of ``type_`` whose arguments can be filled, objects to ``depth``."""
    named = get_named_type(type_)
    if isinstance(named, GraphQLUnionType | GraphQLInterfaceType):
        return "__typename ... on Node { id }"  # which record; its own fields are walked through node(id:)
    assert isinstance(named, GraphQLObjectType)
    parts = []
    for name, field in named.fields.items():
        args = _args(name, field, world)
        if args is None:
            continue
        inner = get_named_type(field.type)
        if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
            parts.append(name + args)
        elif isinstance(inner, GraphQLObjectType) and "nodes" in inner.fields and "totalCount" in inner.fields:
            # A connection is one level: its nodes at this depth.
            nodes = get_named_type(inner.fields["nodes"].type)
            parts.append(
                f"{name}{args} {{ totalCount nodes {{ {selection(schema, nodes, world, depth - 1)} }} }}"
                if depth > 0
                else f"{name}{args} {{ totalCount }}"
            )
        elif depth > 0:
            parts.append(f"{name}{args} {{ {selection(schema, inner, world, depth - 1)} }}")
    if not parts:
        parts.append("__typename")
    return " ".join(parts)


def read_queries(schema: GraphQLSchema, world: World) -> Iterator[tuple[str, str]]:
    """(what, document) for every record of A through ``node``/``nodes`` and every root field."""
    fragments = {
        type_name: f"... on {type_name} {{ {selection(schema, schema.get_type(type_name), world, DEPTH)} }}"
        for type_name in world.of
    }
    for type_name, ids in world.of.items():
        for global_id in ids:
            yield f"node({global_id})", f"{{ node(id: {json.dumps(global_id)}) {{ {fragments[type_name]} }} }}"
        yield f"nodes({type_name})", f"{{ nodes(ids: {json.dumps(ids)}) {{ {fragments[type_name]} }} }}"
    assert schema.query_type is not None
    for name, field in schema.query_type.fields.items():
        if name in ("node", "nodes"):
            continue
        args = _args(name, field, world)
        assert args is not None, f"cannot fill the arguments of the root field {name}"
        variants = dict.fromkeys(_args(name, field, world, pick) for pick in range(len(world.of["Problem"])))
        inner = get_named_type(field.type)
        for args in variants:
            if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
                yield f"{name}{args}", f"{{ {name}{args} }}"
            else:
                yield f"{name}{args}", f"{{ {name}{args} {{ {selection(schema, inner, world, DEPTH)} }} }}"


async def _text(gql: GraphQLClient, document: str, user: User | None) -> str:
    response = await gql.raw(document, user=user)
    body = response.json()
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code not in ("INTERNAL_SERVER_ERROR", "RATE_LIMITED", "COST_EXCEEDED", "TOO_DEEP", "TOO_MANY_ALIASES"), (
            document[:200],
            error,
        )
    # Global IDs and texts both appear verbatim in the JSON (ensure_ascii off for the Chinese).
    return json.dumps(body, ensure_ascii=False)


async def test_no_secret_of_a_reaches_a_foreign_viewer(client: GraphQLClient, rt: Runtime) -> None:
    world = await build(client, rt)
    schema = build_schema(rt.registry, rt.settings)._schema
    planted = await secrets(world, rt)
    circle = circle_secrets(world)
    queries = list(read_queries(schema, world))
    assert len(queries) > 40
    leaks = []
    for viewer_name, viewer in world.foreign.items():
        hidden = {**planted, **circle} if viewer_name in OUTSIDERS else planted
        for what, document in queries:
            text = await _text(client, document, viewer)
            leaks += [
                f"{viewer_name} reads {meaning} ({secret}) through {what}"
                for secret, meaning in hidden.items()
                if secret in text
            ]
    planted |= circle
    assert leaks == [], f"{len(leaks)} leaks:\n" + "\n".join(sorted(set(leaks)))
    # The control: A's admin, the parties and the person see each secret somewhere.
    seen: set[str] = set()
    for viewer in world.controls:
        for _, document in queries:
            text = await _text(client, document, viewer)
            seen |= {secret for secret in planted if secret in text}
    assert set(planted) - seen == set(), [planted[s] for s in set(planted) - seen]


# A query the matrix generated (depth 2, every field), whose trainingStats(year: 5) fails.
FAILING_BESIDE_SHARED_LOADS = (
    "query($id: ID!) { node(id: $id) { ... on TrainingSession { id startsAt endsAt venue onlineUrl "
    "capacity seatsTaken waitlistLength status seriesId cancelReason cancelledAt seatsLeft course { id "
    "title description hours targetLevel certificateValidMonths published organisation { id name kind "
    "level region industry description charter status enabledPlugins } skill { id name category } "
    "targetGrade trainers { id name bio phone email calendarUrl } sessions { totalCount } } organisation "
    "{ id name kind level region industry description charter status parent { id name kind level region "
    "industry description charter status enabledPlugins } leader { id name bio phone email calendarUrl } "
    "children { totalCount } members { totalCount } alliances { totalCount } allianceMembers { totalCount "
    "} invitations { id role status invitedAt respondedAt } allianceInvitations { id role status "
    "invitedAt respondedAt } auditLog { totalCount } enabledPlugins plugins { name enabled settings } "
    "mentorships { totalCount } trainingCourses { totalCount } trainingStats(year: 5) { year sessions "
    "attendances hours certificates } } series { id startsAt endsAt venue onlineUrl capacity seatsTaken "
    "waitlistLength status seriesId cancelReason cancelledAt seatsLeft course { id title description "
    "hours targetLevel certificateValidMonths published targetGrade } organisation { id name kind level "
    "region industry description charter status enabledPlugins } series { id startsAt endsAt venue "
    "onlineUrl capacity seatsTaken waitlistLength status seriesId cancelReason cancelledAt seatsLeft } "
    "enrolments { totalCount } myEnrolment { id status waitlistPosition enrolledAt confirmedAt "
    "cancelledAt checkedInAt passed score assessedAt } } enrolments { edges { cursor } pageInfo { "
    "hasNextPage hasPreviousPage startCursor endCursor } totalCount nodes { id status waitlistPosition "
    "enrolledAt confirmedAt cancelledAt checkedInAt passed score assessedAt } } myEnrolment { id status "
    "waitlistPosition enrolledAt confirmedAt cancelledAt checkedInAt passed score assessedAt session { id "
    "startsAt endsAt venue onlineUrl capacity seatsTaken waitlistLength status seriesId cancelReason "
    "cancelledAt seatsLeft } person { id name bio phone email calendarUrl } certificate { id score "
    "issuedAt expiresAt revokedAt verificationCode status valid expired } } } } } "
)


async def test_a_field_error_beside_shared_loads_is_a_clean_error(client: GraphQLClient, rt: Runtime) -> None:
    """Found by this matrix: a field error (``trainingStats(year: 5)``) nulls its parent while
    sibling fields await the same DataLoader futures; the cancelled sibling used to cancel the
    shared future, so the others raised ``CancelledError`` out of the request (core/loaders.py
    now shields it). The answer is the field's error, nothing internal."""
    world = await build(client, rt)
    response = await client.raw(FAILING_BESIDE_SHARED_LOADS, {"id": world.of["TrainingSession"][0]})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"node": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["OUT_OF_RANGE"]


def documented_private_event_keys() -> set[str]:
    """The "Private keys" column of the OrganisationEvent table in docs/permissions.md."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "permissions.md").read_text()
    section = doc.split("### OrganisationEvent", 1)[1].split("\n## ", 1)[0]
    keys: set[str] = set()
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) >= 4:
            keys |= set(re.findall(r"`(\w+)`", cells[-1]))
    return keys


async def _drain(subscription: Subscription, until: str) -> list[dict[str, Any]]:
    """Events up to and including the first named ``until``."""
    events = []
    while not events or events[-1]["name"] != until:
        events.append(await subscription.next())
    return events


async def test_organisation_events_carry_no_secret_to_foreign_viewers(client: GraphQLClient, rt: Runtime) -> None:
    world = await build(client, rt)
    # B's people may not subscribe to A's events at all.
    for viewer in (None, world.b_member, world.b_admin):
        refused = await Subscription(rt, viewer, world.a).open()
        assert refused is not None and refused.errors, "a viewer outside A subscribed to A's events"
    member, admin = Subscription(rt, world.a_member, world.a), Subscription(rt, world.a_admin, world.a)
    assert await member.open() is None and await admin.open() is None
    parties = {name: user.person.id for name, user in world.parties.items() if user.person is not None}
    try:
        # A's people act; each event carries something private (a title, hours, a score, whose seat).
        milestone_id = await _first_open_milestone()
        await progress.complete_milestone(rt, milestone_id)
        await progress.approve_milestone(rt, milestone_id)
        active = _pk(world.of["Mentorship"][0])
        await progress.log_session(rt, active, rt.now().date(), 3, "私密的带徒记录", by=parties["mentor"])
        await seats.enrol(rt, _pk(world.of["TrainingSession"][0]), parties["second"])
        await certificates.assess(rt, _pk(world.of["TrainingEnrolment"][1]), True, 95)
        await services.complete(rt, active, 95, "私密的评语", raise_level=True)
        weld = await Skill.get(name="焊接")
        # A public event last: everyone in A receives it, so the member's stream ends there too.
        await services.propose(
            rt,
            services.ProposeData(parties["mentor"], parties["apprentice"], world.a.id, weld.id),
            parties["mentor"],
        )
        admin_events = await _drain(admin, "mentorship.proposed")
        member_events = await _drain(member, "mentorship.proposed")
    finally:
        await member.close()
        await admin.close()
    assert [e["name"] for e in admin_events] == [
        "mentorship.milestone_approved",
        "mentorship.session_logged",
        "training.enrolled",
        "training.certificate_issued",
        "mentorship.completed",
        "mentorship.proposed",
    ]
    # Enrolments and certificates are the person's, their trainers' and admins': not a member's.
    assert [e["name"] for e in member_events] == [
        "mentorship.milestone_approved",
        "mentorship.session_logged",
        "mentorship.completed",
        "mentorship.proposed",
    ]
    planted = await secrets(world, rt)
    text = json.dumps(member_events, ensure_ascii=False)
    assert [meaning for secret, meaning in planted.items() if secret in text] == []
    private = documented_private_event_keys()
    by_name = {e["name"]: e["payload"] for e in admin_events}
    withheld: set[str] = set()
    for event in member_events:
        full = by_name[event["name"]]
        assert event["payload"] == {k: v for k, v in full.items() if k not in private}, event["name"]
        withheld |= set(full) - set(event["payload"])
    assert withheld == {"milestoneTitle", "hours", "score", "raisedLevel"}


def _pk(global_id: str) -> int:
    parsed = parse_global_id(global_id)
    assert parsed is not None
    return parsed[1]


async def _first_open_milestone() -> int:
    from plugins.mentorship.models import Milestone

    row = await Milestone.filter(done_at__isnull=True).order_by("id").first()
    assert row is not None
    return row.id
