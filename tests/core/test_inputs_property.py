"""Property tests: random strings (control, astral and combining characters included), random
IDs and random datetimes in the arguments of representative operations never produce an
internal error, and control characters are always refused with the field named.

pytest-asyncio runs ``@given`` async tests in the test's event loop, so every example uses the
same app, database and Redis as the rest of the suite; the function-scoped fixtures are set up
once per test, not per example, which is what we want here (examples add rows, that is fine).
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

import pluggy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.organisations.models import Organisation, OrganisationKind, OrganisationPlugin
from core.people.models import MembershipRole
from core.validation import has_control_characters
from tests.support import GraphQLClient, User, gid, make_org

EXAMPLES = settings(
    max_examples=60, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
INTERNAL = "INTERNAL_SERVER_ERROR"

# Any code point, surrogates included (JSON carries them as \ud800 escapes; inside a base64 ID or
# cursor they are encoded with surrogatepass, or the strategy itself would raise).
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)
mostly_text = st.one_of(any_text, st.text(max_size=60), st.sampled_from(["", " ", "王芳", "a\nb", "𝔘𝔫𝔦", "e\u0301"]))
node_types = st.sampled_from(["Person", "Organisation", "Skill", "TrainingSession", "TrainingEnrolment",
                              "TrainingCertificate", "Mentorship", "Node", "Query", "X"])
cursors = st.one_of(st.integers(-5, 2**70).map(str), any_text).map(
    lambda offset: base64.b64encode(f"o:{offset}".encode(errors="surrogatepass")).decode())
ids = st.one_of(
    st.builds(lambda t, n: base64.b64encode(f"{t}:{n}".encode(errors="surrogatepass")).decode(), node_types,
              st.one_of(st.integers(-5, 2**70).map(str), any_text)),
    any_text,
    st.binary(max_size=12).map(lambda b: base64.b64encode(b).decode()),
)
moments = st.one_of(
    st.datetimes(timezones=st.timezones()).map(datetime.isoformat),
    st.datetimes(timezones=st.none()).map(datetime.isoformat),
    st.datetimes(min_value=datetime(9999, 12, 31), timezones=st.just(None)).map(lambda d: d.isoformat() + "-14:00"),
    any_text,
)


async def send(gql: GraphQLClient, query: str, variables: dict[str, Any], user: User | None) -> dict[str, Any]:
    """The JSON body; fails on HTTP 500 or any internal error."""
    # json.dumps escapes lone surrogates, which httpx's own encoder refuses.
    headers = {"content-type": "application/json"}
    if user is not None:
        headers["authorization"] = f"Bearer {user.token}"
    response = await gql.http.post("/graphql", content=json.dumps({"query": query, "variables": variables}),
                                   headers=headers)
    assert response.status_code != 500, response.text[:500]
    body = response.json()
    codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
    assert INTERNAL not in codes, (variables, body)
    return body


def top_level(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [((e.get("extensions") or {}).get("code"), (e.get("extensions") or {}).get("field"))
            for e in body.get("errors") or []]


@pytest.fixture
async def superuser(gql: GraphQLClient) -> User:
    return await gql.superuser()


@EXAMPLES
@given(name=mostly_text, region=mostly_text, parent=st.one_of(st.none(), ids))
async def test_organisation_create_with_any_strings(
    gql: GraphQLClient, superuser: User, name: str, region: str, parent: str | None
) -> None:
    query = """mutation($input: OrganisationCreateInput!) { organisationCreate(input: $input) {
      organisation { id name } errors { code field } } }"""
    variables = {"input": {"name": name, "kind": "STUDIO", "region": region, "parentId": parent}}
    body = await send(gql, query, variables, superuser)
    bad = [f for f, v in (("name", name), ("region", region), ("parentId", parent)) if v and has_control_characters(v)]
    if bad:
        assert top_level(body) == [("INVALID_CHARACTERS", f) for f in bad]
    else:
        assert ("INVALID_CHARACTERS", "name") not in top_level(body)


@EXAMPLES
@given(name=mostly_text, bio=mostly_text, username=mostly_text, password=mostly_text, org=st.one_of(st.none(), ids))
async def test_person_create_with_any_strings(
    gql: GraphQLClient, superuser: User, name: str, bio: str, username: str, password: str, org: str | None
) -> None:
    query = """mutation($input: PersonCreateInput!) { personCreate(input: $input) {
      person { id name } errors { code field } } }"""
    variables = {"input": {"name": name, "bio": bio, "username": username, "password": password,
                           "organisationId": org}}
    body = await send(gql, query, variables, superuser)
    values = {"name": name, "bio": bio, "username": username, "password": password, "organisationId": org or ""}
    bad = {field for field, value in values.items() if has_control_characters(value)}
    if bad:
        assert body["data"] is None and {f for _, f in top_level(body)} == bad
    else:
        assert body["data"] is not None, body
        for error in body["data"]["personCreate"]["errors"]:
            assert error["code"] != "INVALID_CHARACTERS" or error["field"] == "name"  # a line break in a name


@EXAMPLES
@given(username=st.one_of(mostly_text, st.integers(0, 400).map(lambda n: "u" * n)), password=mostly_text)
async def test_login_with_any_strings(gql: GraphQLClient, username: str, password: str) -> None:
    query = """mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
      accessToken errors { code field } } }"""
    body = await send(gql, query, {"u": username, "p": password}, None)
    if not has_control_characters(username + password):
        assert body["data"]["login"]["accessToken"] is None
        assert body["data"]["login"]["errors"][0]["code"] in {"INVALID_CREDENTIALS", "RATE_LIMITED"}


@EXAMPLES
@given(node_id=ids, more=st.lists(ids, max_size=4))
async def test_node_and_nodes_with_any_ids(gql: GraphQLClient, superuser: User, node_id: str, more: list[str]) -> None:
    body = await send(gql, "query($id: ID!) { node(id: $id) { id } }", {"id": node_id}, superuser)
    assert top_level(body) in ([], [("INVALID_ID", "id")], [("INVALID_CHARACTERS", "id")])
    if body["data"] and body["data"]["node"]:
        assert body["data"]["node"]["id"] == node_id  # only the canonical spelling finds an object
    await send(gql, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [node_id, *more]}, superuser)


@EXAMPLES
@given(search=mostly_text, after=st.one_of(st.none(), cursors, any_text),
       first=st.one_of(st.none(), st.integers(-10, 2**31 - 1)), org=st.one_of(st.none(), ids))
async def test_people_search_with_any_arguments(
    gql: GraphQLClient, search: str, after: str | None, first: int | None, org: str | None
) -> None:
    query = """query($s: String, $a: String, $f: Int, $o: ID) {
      people(search: $s, after: $a, first: $f, organisationId: $o) { totalCount edges { cursor } } }"""
    await send(gql, query, {"s": search, "a": after, "f": first, "o": org}, None)


@pytest.fixture
async def school(gql: GraphQLClient, pm: pluggy.PluginManager) -> tuple[User, str, str]:
    if pm.get_plugin("training") is None:
        pytest.skip("the training plugin is not loaded (GUILDHALL_TEST_PLUGINS)")
    from plugins.training.models import TrainingCourse

    org: Organisation = await make_org("技工学校", OrganisationKind.SCHOOL)
    await OrganisationPlugin.create(organisation=org, plugin="training", settings={})
    admin = await gql.user("校管理员", org=org, role=MembershipRole.ADMIN)
    course = await TrainingCourse.create(organisation=org, title="焊接", hours=8, published=True)
    return admin, gid("TrainingCourse", course.id), gid("Organisation", org.id)


@EXAMPLES
@given(starts=moments, ends=moments, venue=mostly_text, capacity=st.integers(-(2**31), 2**31 - 1),
       occurrences=st.integers(-5, 60), course=st.one_of(st.none(), ids))
async def test_training_session_create_with_any_datetimes(
    gql: GraphQLClient, school: tuple[User, str, str], starts: str, ends: str, venue: str, capacity: int,
    occurrences: int, course: str | None,
) -> None:
    admin, course_id, org_id = school
    query = """mutation($input: TrainingSessionCreateInput!) { trainingSessionCreate(input: $input) {
      sessions { id startsAt } errors { code field } } }"""
    variables = {"input": {"courseId": course or course_id, "startsAt": starts, "endsAt": ends, "venue": venue,
                           "capacity": capacity, "occurrences": occurrences}}
    await send(gql, query, variables, admin)
    listing = ("query($o: ID!, $f: DateTime, $t: DateTime) "
               "{ trainingSessions(organisationId: $o, from: $f, to: $t) { totalCount } }")
    await send(gql, listing, {"o": org_id, "f": starts, "t": ends}, admin)
