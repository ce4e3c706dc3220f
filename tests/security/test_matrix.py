"""The cross-organisation matrix: nobody outside A changes A's things, nobody reads A's secrets.

Organisations A and B, an alliance led by A, and a third organisation C the alliance invites; A
holds objects of every kind made by its own people (``tests/security/world.py``). The viewers
are an anonymous caller, a member of B, an admin of B and a member of A with no role.

**Writes.** Every mutation of the schema (core and every plugin) is built from the schema: each
ID in its input is a *slot* whose type is read from the names (``id`` of ``MentorshipTerminateInput``
is a ``Mentorship``, ``apprenticeId`` a ``Person``, ``sessionId`` of a training mutation a
``TrainingSession``); each slot is filled in turn with every record of A of that type (in every
state), and for foreign viewers also with their own organisation or their own person. Every
request goes to every viewer; a *forbidden success* is a request that changed the database (a
full snapshot of every table before and after, not the payload's word) except the few
cross-organisation acts that are allowed (``ALLOWED``). The same requests sent by A's own actors
must succeed at least once for each mutation (the control: the requests are real, not refused
for a typo). A mutation whose input cannot be built, or that has no slot and is not listed in
``NO_TARGET``, fails the test: a new mutation is covered without editing this file.

**Reads** are in ``test_matrix_reads.py``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
)
from graphql import build_schema as parse_schema
from tortoise import Tortoise

from core.runtime import Runtime
from host.testing.support import GraphQLClient, User
from schema.build import build_schema
from tests.security.world import World, build

PRINTED = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"

# Mutations that act on no organisation's records: the viewer's own session, or the shared
# skill catalogue. Each is still sent by every viewer and must leave A's records alone.
# Value: (why, the viewers whose request may write: their own session, an admin's new skill).
NO_TARGET: dict[str, tuple[str, set[str]]] = {
    "login": ("signs in with a username and password", set()),
    "tokenRefresh": ("renews the caller's own session", set()),
    "logout": ("ends the caller's own session (revokes it, audited)", {"b_member", "b_admin", "a_member"}),
    "skillCreate": ("adds to the shared skill catalogue: admins of any organisation", {"b_admin"}),
}

# Types that belong to no organisation: a slot of one is not "A's record".
SHARED = {"Skill"}

# Slot names that do not name their type.
ALIASES = {
    "contributor": "Person",
    "speaker": "Person",
    "federation": "Organisation",
    "replyTo": "ForumPost",
    "mentor": "Person",
    "apprentice": "Person",
    "trainer": "Person",
    "leader": "Person",
    "holder": "Person",
    "person": "Person",
    "alliance": "Organisation",
    "parent": "Organisation",
    "organisation": "Organisation",
    "member": "Person",
}

# `id` fields whose input's name does not start with their type (the outcome's mutations act on
# the problem).
INPUT_IDS = {"ProblemOutcomeAcceptInput": "Problem", "ProblemOutcomeReturnInput": "Problem"}

# Required enums whose every value is a different act: each request is also sent with each of
# these values in the input (``offerCreate`` for a person, a studio, a team).
VARIANTS: dict[str, list[dict[str, Any]]] = {"offerCreate": [{"kind": "STUDIO"}, {"kind": "TEAM"}]}

# Values of non-ID fields the rules check (dates in range, scores in range).
NOW = datetime.now(UTC)
VALUES: dict[str, Any] = {
    "startsAt": (NOW + timedelta(days=3)).isoformat(),
    "endsAt": (NOW + timedelta(days=3, hours=2)).isoformat(),
    "date": NOW.date().isoformat(),
    "plannedStart": NOW.date().isoformat(),
    "plannedEnd": (NOW + timedelta(days=90)).date().isoformat(),
    "dueDate": (NOW + timedelta(days=30)).date().isoformat(),
    "score": 90,
    "hours": 2.0,
    "capacity": 5,
    "year": 2020,
    "level": 3,
    "occurrences": 1,
    "plugin": "training",
    "patentNumber": "ZL2024000002",
    "reason": "违反版规",
    "url": "https://example.com/x.pdf",
    "venue": "一号车间",
    "rating": 4,
    "economicBenefit": 10000,
    "people": 2,
    "plan": "方案",
    "summary": "总结",
}
SCALARS: dict[str, Any] = {
    "String": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": True,
    "JSON": {},
    "DateTime": (NOW + timedelta(days=3)).isoformat(),
    "Date": NOW.date().isoformat(),
}


def printed_mutations() -> list[str]:
    schema = parse_schema(PRINTED.read_text())
    assert schema.mutation_type is not None
    return sorted(schema.mutation_type.fields)


@dataclass(frozen=True)
class Slot:
    path: tuple[str, ...]  # argument name, then input field names
    type_name: str
    is_list: bool


def _ucfirst(name: str) -> str:
    return name[:1].upper() + name[1:]


def slot_type(mutation: str, input_type: str, field: str, known: set[str], description: str | None = None) -> str:
    """The type of the records an ID field names, from its description ("The StudioAssessment
    ...", "`Notification` IDs") or its names (or an AssertionError)."""
    named = sorted((t for t in known if re.search(rf"\b{t}\b", description or "")), key=len)
    if named:
        return named[-1]
    if field in ("id", "ids") and input_type in INPUT_IDS:
        return INPUT_IDS[input_type]
    if field in ("id", "ids"):
        stem = input_type.removesuffix("Input")
        words = re.findall(r"[A-Z][a-z0-9]*", stem)
        for end in range(len(words), 0, -1):
            if "".join(words[:end]) in known:
                return "".join(words[:end])
        raise AssertionError(f"{mutation}: cannot tell what `{field}` of {input_type} names")
    stem = re.sub(r"Ids?$", "", field)
    if stem in ALIASES:
        return ALIASES[stem]
    matches = sorted(t for t in known if t.endswith(_ucfirst(stem)))
    if len(matches) > 1:  # sessionId: the plugin's own (trainingX -> TrainingSession)
        prefix = _ucfirst(re.findall(r"^[a-z]+", mutation)[0])
        matches = [t for t in matches if t.startswith(prefix)]
    assert len(matches) == 1, f"{mutation}: cannot tell what `{field}` names ({matches or 'no type'})"
    return matches[0]


def _slots(schema: GraphQLSchema, mutation: str, known: set[str]) -> list[Slot]:
    assert schema.mutation_type is not None
    found: list[Slot] = []

    def walk(type_: GraphQLInputType, path: tuple[str, ...], owner: str, description: str | None) -> None:
        named = get_named_type(type_)
        if isinstance(named, GraphQLInputObjectType):
            for name, field in named.fields.items():
                walk(field.type, (*path, name), named.name, field.description)
        elif isinstance(named, GraphQLScalarType) and named.name == "ID":
            inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
            slot = slot_type(mutation, owner, path[-1], known, description)
            found.append(Slot(path, slot, isinstance(inner, GraphQLList)))

    for arg_name, arg in schema.mutation_type.fields[mutation].args.items():
        walk(arg.type, (arg_name,), "", arg.description)
    return found


def _value(type_: GraphQLInputType, path: tuple[str, ...], ids: dict[tuple[str, ...], str], enums: bool = False) -> Any:
    """Required fields, and every ID field that ``ids`` fills; other IDs are left out. With
    ``enums`` also the optional enums (``role: null`` removes, ``role: MEMBER`` adds)."""
    if isinstance(type_, GraphQLNonNull):
        return _value(type_.of_type, path, ids, enums)
    if isinstance(type_, GraphQLList):
        return [_value(type_.of_type, path, ids, enums)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        value = {}
        for name, field in type_.fields.items():
            here = (*path, name)
            wanted = (
                any(p[: len(here)] == here for p in ids)
                or (
                    name in VALUES
                    and isinstance(get_named_type(field.type), GraphQLScalarType)
                    and get_named_type(field.type).name != "ID"
                )
                or (enums and isinstance(get_named_type(field.type), GraphQLEnumType))
            )
            if wanted or isinstance(field.type, GraphQLNonNull):
                value[name] = _value(field.type, here, ids, enums)
        return value
    assert isinstance(type_, GraphQLScalarType)
    if type_.name == "ID":
        return ids[path]
    return VALUES[path[-1]] if path[-1] in VALUES and type_.name != "Boolean" else SCALARS[type_.name]


def request(
    schema: GraphQLSchema, mutation: str, ids: dict[tuple[str, ...], str], enums: bool = False
) -> tuple[str, dict[str, Any]]:
    assert schema.mutation_type is not None
    field = schema.mutation_type.fields[mutation]
    definitions, arguments, variables = [], [], {}
    for arg_name, arg in field.args.items():
        if not isinstance(arg.type, GraphQLNonNull) and not any(p[0] == arg_name for p in ids):
            continue
        definitions.append(f"${arg_name}: {arg.type}")
        arguments.append(f"{arg_name}: ${arg_name}")
        variables[arg_name] = _value(arg.type, (arg_name,), ids, enums)
    payload = get_named_type(field.type)
    assert isinstance(payload, GraphQLObjectType) and "errors" in payload.fields, mutation
    head = f"mutation({', '.join(definitions)})" if definitions else "mutation"
    args = f"({', '.join(arguments)})" if arguments else ""
    return f"{head} {{ {mutation}{args} {{ errors {{ code field }} }} }}", variables


async def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ordered: a write of any kind shows as a difference."""
    assert Tortoise.apps is not None
    state = {}
    for model in Tortoise.apps.get_models_iterable():
        rows = await model.all().order_by(model._meta.pk_attr).values()
        state[model._meta.db_table] = [tuple(sorted((k, repr(v)) for k, v in row.items())) for row in rows]
    return state


def changed_tables(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return sorted(table for table in before if before[table] != after[table])


# Cross-organisation acts that are allowed: (mutation) -> when, given the slots the viewer filled
# with their own organisation or person, the variables and the world.
Allowed = Callable[[str, set[str], dict[str, Any], World], bool]
ALLOWED: dict[str, Allowed] = {
    # B's admin invites A's person: an invitation, which the person accepts or declines themselves.
    "membershipInvite": lambda who, own, v, w: who == "b_admin" and own == {"organisationId"},
    # Anyone signed in offers themselves (a person offer names only the viewer; the other owners'
    # IDs in the input are ignored for that kind).
    # B's admin offers B itself (a studio offer of their own organisation).
    "offerCreate": lambda who, own, v, w: (
        (own == {"personId"} and v["input"]["kind"] == "PERSON")
        or (who == "b_admin" and own == {"organisationId"} and v["input"]["kind"] == "STUDIO")
    ),
    # Anyone signed in enrols themselves in A's published session (not a draft's).
    "trainingEnrol": lambda who, own, v, w: (
        own == {"personId"} and v["input"]["sessionId"] == w.of["TrainingSession"][0]
    ),
    # B names A's person as a trainer of B's own course: it gives the person access to B's course
    # and nothing of theirs to B (doubtful as consent; see the report).
    "trainingCourseCreate": lambda who, own, v, w: who == "b_admin" and own == {"organisationId"},
    # The same for a speaker of B's own salon.
    "salonCreate": lambda who, own, v, w: who == "b_admin" and own == {"organisationId"},
    # Anyone signed in answers a salon's invitation for themselves (salons are public events).
    "salonRsvp": lambda who, own, v, w: who != "anonymous",
    # Members of A write on A's board: threads, posts, reactions (as themselves).
    "forumThreadCreate": lambda who, own, v, w: who == "a_member",
    "forumPostCreate": lambda who, own, v, w: who == "a_member",
    "forumPostReact": lambda who, own, v, w: who == "a_member",
    "forumPostUnreact": lambda who, own, v, w: who == "a_member",
    # Resetting one's own calendar feed.
    "trainingCalendarReset": lambda who, own, v, w: own == {"personId"},
    # A member of A proposes a mentorship in A with themselves as a party (nobody signs for them).
    "mentorshipPropose": lambda who, own, v, w: who == "a_member" and own in ({"mentorId"}, {"apprenticeId"}),
}


PRODUCT_MAX = 16


@dataclass
class Attempt:
    ids: dict[tuple[str, ...], str]
    own: set[str]  # slot names filled with the viewer's own organisation or person


def attempts(slots: list[Slot], world: World, viewer_name: str | None) -> Iterator[Attempt]:
    """The first record of A in every slot, then each slot in turn with each of A's records
    (and, for a viewer, their own person and organisation)."""
    base = {}
    for slot in slots:
        candidates = world.of.get(slot.type_name)
        assert candidates, f"the world has no {slot.type_name} for {'.'.join(slot.path)}"
        base[slot.path] = candidates[0]
    seen: set[tuple[tuple[tuple[str, ...], str], ...]] = set()

    def once(ids: dict[tuple[str, ...], str], own: set[str]) -> Iterator[Attempt]:
        key = tuple(sorted(ids.items()))
        if key not in seen:
            seen.add(key)
            yield Attempt(dict(ids), own)

    own_ids = world.own(viewer_name)
    pools = [
        [*world.of[slot.type_name], *([own_ids[slot.type_name]] if slot.type_name in own_ids else [])] for slot in slots
    ]
    if math.prod(len(pool) for pool in pools) <= PRODUCT_MAX:  # every combination
        for combination in itertools.product(*pools):
            ids = dict(zip((slot.path for slot in slots), combination, strict=True))
            own = {
                slot.path[-1]
                for slot, gid in zip(slots, combination, strict=True)
                if gid == own_ids.get(slot.type_name)
            }
            yield from once(ids, own)
        return
    yield from once(base, set())
    for slot in slots:
        for gid in world.of[slot.type_name][1:]:
            yield from once({**base, slot.path: gid}, set())
        if slot.type_name in own_ids:
            yield from once({**base, slot.path: own_ids[slot.type_name]}, {slot.path[-1]})


async def _send(
    gql: GraphQLClient, mutation: str, document: str, variables: dict[str, Any], user: User | None
) -> tuple[list[dict[str, Any]] | None, list[Any]]:
    """(payload errors or None when there was no payload, top-level errors)."""
    body = (await gql.raw(document, variables, user=user)).json()
    top = body.get("errors") or []
    for error in top:
        code = (error.get("extensions") or {}).get("code")
        assert code not in ("INTERNAL_SERVER_ERROR", "RATE_LIMITED", "COST_EXCEEDED"), (mutation, variables, error)
    data = (body.get("data") or {}).get(mutation)
    return (None if data is None else list(data["errors"])), top


async def matrix_writes(gql: GraphQLClient, rt: Runtime, mutation: str) -> tuple[list[str], str | None]:
    """(offences, the control that succeeded) for one mutation in a fresh world."""
    world = await build(gql, rt)
    schema = build_schema(rt.registry, rt.settings)._schema
    known = set(world.of) | {
        name
        for name, t in schema.type_map.items()
        if isinstance(t, GraphQLObjectType) and "Node" in [i.name for i in t.interfaces]
    }
    slots = _slots(schema, mutation, known)
    if not slots:
        assert mutation in NO_TARGET, f"{mutation} names no record: add it to NO_TARGET with the reason, or a slot"
    offences: list[str] = []
    control = None
    after = await snapshot()
    viewers = world.foreign
    for viewer_name, viewer in viewers.items():
        for attempt in attempts(slots, world, viewer_name):
            if slots and all(slot.path[-1] in attempt.own or slot.type_name in SHARED for slot in slots):
                continue  # nothing of A's in it: the viewer acts on their own things
            plain = request(schema, mutation, attempt.ids)
            sent = [plain]
            if (with_enums := request(schema, mutation, attempt.ids, True)) != plain:
                sent.append(with_enums)  # optional enums too
            for variant in VARIANTS.get(mutation, []):
                sent.append((plain[0], {**plain[1], "input": {**plain[1]["input"], **variant}}))
            for document, variables in sent:
                errors, top = await _send(gql, mutation, document, variables, viewer)
                before, after = after, await snapshot()
                changed = changed_tables(before, after)
                if not changed:
                    continue
                if not slots and not errors and not top and viewer_name in NO_TARGET[mutation][1]:
                    control = f"{viewer_name}: {variables}"
                    continue
                allowed = ALLOWED.get(mutation)
                permitted = allowed is not None and allowed(viewer_name, attempt.own, variables, world)
                if not errors and not top and permitted:
                    control = f"{viewer_name}: {variables}"
                    continue
                offences.append(f"{mutation} as {viewer_name} with {variables}: errors={errors} wrote {changed}")
    # The control: one of A's own actors gets one of these requests through.
    refusals: list[str] = []
    for attempt in [] if control else attempts(slots, world, None):
        document, variables = request(schema, mutation, attempt.ids)
        for actor in world.controls:
            errors, top = await _send(gql, mutation, document, variables, actor)
            if errors == [] and not top:
                control = f"{variables}"
                break
            refusals.append(f"{variables}: {errors or top}")
        if control:
            break
    if control is None:
        print("\n".join(refusals[:12]))  # shown with the failure: why each control was refused
    return offences, control


# Mutations whose requests no actor can get through in this world, and why (their foreign
# attempts still run and must write nothing).
NO_CONTROL = {
    "login": "needs a real password",
    "tokenRefresh": "needs a real refresh token",
    "trainingCheckIn": "needs the current check-in code, shown to trainers (tests/plugins/training)",
    "assessmentDelistingConfirm": "needs a studio whose assessment proposes delisting (tests/plugins/assessment)",
    "assessmentDelistingOverride": "needs a studio whose assessment proposes delisting (tests/plugins/assessment)",
}


@pytest.mark.parametrize("mutation", printed_mutations())
async def test_no_foreign_viewer_changes_what_belongs_to_a(client: GraphQLClient, rt: Runtime, mutation: str) -> None:
    offences, control = await matrix_writes(client, rt, mutation)
    assert offences == [], f"{len(offences)} forbidden successes:\n" + "\n".join(offences)
    if mutation in NO_CONTROL:
        assert control is None, f"{mutation} is in NO_CONTROL but {control} went through: take it out"
    else:
        assert control is not None, f"no actor of A gets any {mutation} request through: the requests are not real"
