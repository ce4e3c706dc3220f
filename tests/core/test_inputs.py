"""Safe inputs over real GraphQL: control characters, length caps, canonical IDs and cursors,
date ranges and large ints give coded errors naming the field, never internal errors."""

from __future__ import annotations

import base64
import json
from typing import Any

import pluggy
import pytest

from core.auth.models import Account
from core.errors import ECHO_LIMIT, MESSAGE_LIMIT, UserInputError, shorten
from core.people.models import Person
from core.relay import canonical_int, decode_cursor, decode_id, parse_global_id
from core.runtime import Runtime
from core.validation import Checks
from tests.support import GraphQLClient, User, gid, make_org

PERSON_CREATE = """
mutation($input: PersonCreateInput!) { personCreate(input: $input) {
  person { id name bio } errors { code field message } } }"""
LOGIN = """
mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
  accessToken errors { code field message } } }"""
NODE = "query($id: ID!) { node(id: $id) { id ... on Person { name } } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
PEOPLE = "query($after: String, $first: Int) { people(after: $after, first: $first) { totalCount edges { cursor } } }"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def code_and_field(error: dict[str, Any]) -> tuple[str, str | None]:
    extensions = error.get("extensions") or {}
    return extensions.get("code"), extensions.get("field")


def assert_no_internal(body: dict[str, Any]) -> None:
    assert all(code_and_field(e)[0] != "INTERNAL_SERVER_ERROR" for e in body.get("errors") or []), body


@pytest.fixture
async def admin(gql: GraphQLClient) -> User:
    return await gql.superuser()


def needs(pm: pluggy.PluginManager, plugin: str) -> None:
    if pm.get_plugin(plugin) is None:
        pytest.skip(f"the {plugin} plugin is not loaded (GUILDHALL_TEST_PLUGINS)")


# --- control characters ---------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b", "\r", "\x7f", "\x85", "\x9f"])
async def test_control_characters_in_a_variable_are_refused_naming_the_field(
    gql: GraphQLClient, admin: User, bad: str
) -> None:
    errors = await gql.errors(PERSON_CREATE, {"input": {"name": "王芳", "bio": f"焊工{bad}班组长"}}, user=admin)
    assert [code_and_field(e) for e in errors] == [("INVALID_CHARACTERS", "bio")]
    assert await Person.all().count() == 1  # only the superuser: no resolver ran


async def test_a_nul_in_a_person_name_literal_is_refused(gql: GraphQLClient, admin: User) -> None:
    query = 'mutation { personCreate(input: {name: "王\\u0000芳"}) { person { id } errors { code } } }'
    errors = await gql.errors(query, user=admin)
    assert [code_and_field(e) for e in errors] == [("INVALID_CHARACTERS", "name")]
    assert not await Person.filter(name__contains="王").exists()


async def test_a_lone_surrogate_is_refused_not_an_internal_error(gql: GraphQLClient, admin: User) -> None:
    # httpx cannot encode a lone surrogate; json.dumps escapes it as \ud800 like a client would.
    body = json.dumps({"query": PERSON_CREATE, "variables": {"input": {"name": "王\ud800芳"}}})
    response = await gql.http.post("/graphql", content=body, headers={
        "content-type": "application/json", "authorization": f"Bearer {admin.token}"})
    assert response.status_code == 200
    assert [code_and_field(e) for e in response.json()["errors"]] == [("INVALID_CHARACTERS", "name")]


async def test_tab_and_newline_are_fine_in_free_text(gql: GraphQLClient, admin: User) -> None:
    data = await gql(PERSON_CREATE, {"input": {"name": "王芳", "bio": "第一行\n\t第二行"}}, user=admin)
    assert data["personCreate"]["errors"] == []
    assert data["personCreate"]["person"]["bio"] == "第一行\n\t第二行"


async def test_single_line_names_refuse_line_breaks(gql: GraphQLClient, admin: User) -> None:
    data = await gql(PERSON_CREATE, {"input": {"name": "王\n芳"}}, user=admin)
    assert [(e["code"], e["field"]) for e in data["personCreate"]["errors"]] == [("INVALID_CHARACTERS", "name")]
    org = await make_org()
    query = """mutation($id: ID!, $name: String!) { organisationUpdate(input: {id: $id, name: $name}) {
      errors { code field } } }"""
    data = await gql(query, {"id": gid("Organisation", org.id), "name": "甲\u2028乙"}, user=admin)
    assert data["organisationUpdate"]["errors"] == [{"code": "INVALID_CHARACTERS", "field": "name"}]


async def test_the_field_named_is_the_innermost_key_or_the_argument(gql: GraphQLClient, admin: User) -> None:
    # A whole input object as one variable: the key inside it.
    query = "mutation($input: LoginInput!) { login(input: $input) { errors { code } } }"
    errors = await gql.errors(query, {"input": {"username": "wang\x00", "password": "secret-pass"}})
    assert [code_and_field(e) for e in errors] == [("INVALID_CHARACTERS", "username")]
    # A scalar variable: the argument or input field it is passed to, not the variable's name.
    errors = await gql.errors(LOGIN, {"u": "wang", "p": "pass\x01word"})
    assert [code_and_field(e) for e in errors] == [("INVALID_CHARACTERS", "password")]
    errors = await gql.errors("query($s: String) { people(search: $s) { totalCount } }", {"s": "\x00"})
    assert [code_and_field(e) for e in errors] == [("INVALID_CHARACTERS", "search")]
    # Every problem is reported, each with its own field.
    errors = await gql.errors(PERSON_CREATE, {"input": {"name": "a\x00", "bio": "b\x00", "email": "c\x00"}},
                              user=admin)
    assert sorted(code_and_field(e)[1] or "" for e in errors) == ["bio", "email", "name"]


async def test_strings_inside_json_arguments_are_checked(gql: GraphQLClient, admin: User) -> None:
    query = """mutation($s: JSON!) { pluginConfigure(input: {organisationId: "x", plugin: "p", settings: $s}) {
      errors { code } } }"""
    errors = await gql.errors(query, {"s": {"rules": [{"note": "ok"}, {"note": "bad\x07"}]}}, user=admin)
    assert [code_and_field(e) for e in errors] == [("INVALID_CHARACTERS", "note")]
    errors = await gql.errors(query, {"s": {"bad\x00key": 1}}, user=admin)
    assert [code_and_field(e) for e in errors] == [("INVALID_CHARACTERS", "settings")]


# --- length caps and echoed input -----------------------------------------------------------

async def test_a_1mb_username_is_too_long_and_the_error_is_short(gql: GraphQLClient) -> None:
    # A 1 MB body is refused before it is read (the request body limit, 256 KB by default) ...
    whole = await gql.raw(LOGIN, {"u": "u" * 1_000_000, "p": "secret-pass"})
    assert whole.status_code == 413 and len(whole.content) < 1000
    assert whole.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    # ... and a string over the string limit inside an accepted body is TOO_LONG, echoed short.
    response = await gql.raw(LOGIN, {"u": "u" * 200_000, "p": "secret-pass"})
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert code_and_field(error) == ("TOO_LONG", "username")
    assert len(response.content) < 1000


async def test_a_long_literal_is_too_long(gql: GraphQLClient, rt: Runtime) -> None:
    cap = rt.settings.max_string_length
    # skills(search:) has no limit of its own (people(search:) has: 100 characters).
    errors = await gql.errors('query { skills(search: "%s") { totalCount } }' % ("s" * (cap + 1)))
    assert [code_and_field(e) for e in errors] == [("TOO_LONG", "search")]
    data = await gql('query { skills(search: "%s") { totalCount } }' % ("s" * cap))
    assert data["skills"]["totalCount"] == 0


async def test_a_username_longer_than_any_account_fails_like_a_wrong_one(gql: GraphQLClient) -> None:
    # 65+ characters used to reach the database query and fail its length validator (an internal error).
    data = await gql(LOGIN, {"u": "w" * 300, "p": "secret-pass"})
    assert data["login"]["errors"] == [
        {"code": "INVALID_CREDENTIALS", "field": None, "message": "Wrong username or password"}]
    assert await gql.rt.redis.keys("auth:login-failures:*") == []


@pytest.mark.parametrize(("query", "variables"), [
    # graphql-core's coercion message quotes the value (it used to be 240 characters of it).
    ("query($f: Int) { people(first: $f) { totalCount } }", {"f": "9" * 5000}),
    ("query($k: OrganisationKind) { organisations(kind: $k) { totalCount } }", {"k": "X" * 5000}),
    # A literal of the wrong type was echoed whole.
    ('query { people(first: "%s") { totalCount } }' % ("x" * 5000), None),
    ("query($i: LoginInput!) { people(search: $i) { totalCount } }", {"i": {"username": "y" * 5000}}),
])
async def test_error_messages_echo_only_a_short_prefix_of_the_input(
    gql: GraphQLClient, query: str, variables: dict[str, Any] | None
) -> None:
    errors = await gql.errors(query, variables)
    for error in errors:
        assert len(error["message"]) <= MESSAGE_LIMIT
        for letter in "9Xxy":
            assert letter * (ECHO_LIMIT + 1) not in error["message"], error["message"]
    assert code_and_field(errors[0])[0] in {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"}


async def test_payload_messages_echo_only_a_short_prefix_too(gql: GraphQLClient, admin: User) -> None:
    org = await make_org()
    query = """mutation($o: ID!, $p: String!) { pluginEnable(input: {organisationId: $o, plugin: $p}) {
      errors { code field message } } }"""
    data = await gql(query, {"o": gid("Organisation", org.id), "p": "插件" * 20_000}, user=admin)
    [error] = data["pluginEnable"]["errors"]
    assert (error["code"], error["field"]) == ("UNKNOWN_PLUGIN", "plugin")
    assert len(error["message"]) < 100 and "插件" * 21 not in error["message"]


@pytest.mark.parametrize(("message", "expected"), [
    ("No plugin named 'abc' is installed", "No plugin named 'abc' is installed"),
    ("got invalid value '" + "a" * 50 + "'; bad", "got invalid value '" + "a" * 40 + "…'; bad"),
    ('found "' + "b" * 50 + '".', 'found "' + "b" * 40 + '…".'),
    ("Variable '$x' got invalid value {'k': '" + "c" * 50 + "', 'j': 1}", "Variable '$x' got invalid value {'k': '"
     + "c" * 40 + "…', 'j': 1}"),
    ("unterminated '" + "d" * 5000, "unterminated '" + "d" * 40 + "…'"),
    ("x" * 5000, "x" * (MESSAGE_LIMIT - 1) + "…"),
])
def test_shorten_cuts_quoted_values_and_long_messages(message: str, expected: str) -> None:
    assert shorten(message) == expected


# host/graphql_view.py turns ValueError / RecursionError from ``json.loads`` into a JSON
# decode error (400), for WebSocket messages too.
@pytest.mark.parametrize("variables", ["[" * 100_000 + "]" * 100_000, "1" * 5000],
                         ids=["100k-nested-arrays", "5000-digit-int"])
async def test_bodies_json_cannot_parse_are_bad_requests(rt: Runtime, database: str, variables: str) -> None:
    import httpx

    from host.app import create_app

    app = create_app(rt.settings, rt.registry, rt, manage_services=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        query = "query($f: Int) { people(first: $f) { totalCount } }"
        body = f'{{"query": "{query}", "variables": {{"f": {variables}}}}}'
        response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400


# --- IDs ------------------------------------------------------------------------------------

@pytest.mark.parametrize("node_id", [
    "1_3", "²", "١", "+1", "-1", "0", "01", " 1", "1 ", "1.0", "1e1", "0x1", str(2**31), str(2**63),
    "9" * 40, "",
])
def test_non_canonical_node_ids_are_not_ids(node_id: str) -> None:
    assert parse_global_id(b64(f"Person:{node_id}")) is None
    with pytest.raises(UserInputError) as caught:
        decode_id(b64(f"Person:{node_id}"), "Person", "personId")
    assert caught.value.errors[0].code == "INVALID_ID"


@pytest.mark.parametrize("value", [
    "!!!", b64("Person:1") + "!!", b64("Person:1").rstrip("="), "UGVyc29uOjE", "UGVyc29uOjF=",
    base64.b64encode(b"\xff\xfe:1").decode(), base64.urlsafe_b64encode("人员:1".encode()).decode() + "_-",
    b64(":1"), b64("Person"), "人员",
])
def test_malformed_global_ids_are_not_ids(value: str) -> None:
    assert parse_global_id(value) is None


def test_canonical_ids_and_ints() -> None:
    assert parse_global_id(b64("Person:1")) == ("Person", 1)
    assert parse_global_id(b64(f"Person:{2**31 - 1}")) == ("Person", 2**31 - 1)
    assert [canonical_int(t) for t in ("0", "7", "2147483647", "2147483648", "07", "٣")] == [0, 7, 2**31 - 1,
                                                                                            None, None, None]


async def test_node_with_a_non_canonical_id_is_invalid_never_another_object(gql: GraphQLClient) -> None:
    people = [await Person.create(name=f"工人{i}") for i in range(13)]
    assert people[-1].id == 13
    for node_id in ("1_3", "13 ", "013", "+13", "¹³", "١٣", str(2**31 + 13), str(2**64 + 13)):
        body = (await gql.raw(NODE, {"id": b64(f"Person:{node_id}")})).json()
        assert body["data"] == {"node": None}, (node_id, body)
        assert [code_and_field(e) for e in body["errors"]] == [("INVALID_ID", "id")], node_id
    assert (await gql(NODE, {"id": b64("Person:13")}))["node"]["name"] == "工人12"


@pytest.mark.parametrize("value", [
    b64("Person:²"), b64("TrainingEnrolment:²"), b64("TrainingCertificate:٣"), b64(f"Person:{2**63}"),
    "!!!not-base64", base64.b64encode(b"\xff\xfe:1").decode(), b64("Person:1") + "!!",
])
async def test_node_with_a_malformed_id_is_invalid_id(gql: GraphQLClient, value: str) -> None:
    body = (await gql.raw(NODE, {"id": value})).json()
    assert body["data"] == {"node": None}
    assert [code_and_field(e) for e in body["errors"]] == [("INVALID_ID", "id")]


@pytest.mark.parametrize("type_name", ["Node", "Query", "PageInfo", "Nothing", "OrganisationKind"])
async def test_node_of_a_type_that_is_no_node_is_null(gql: GraphQLClient, type_name: str) -> None:
    assert await gql(NODE, {"id": b64(f"{type_name}:1")}) == {"node": None}


async def test_nodes_refuses_a_malformed_id_among_good_ones(gql: GraphQLClient) -> None:
    person = await Person.create(name="李红梅")
    errors = await gql.errors(NODES, {"ids": [gid("Person", person.id), b64("Person:1_3")]})
    assert [code_and_field(e) for e in errors] == [("INVALID_ID", "ids")]
    data = await gql(NODES, {"ids": [gid("Person", person.id), b64("Nothing:1"), gid("Person", 999)]})
    assert data["nodes"] == [{"id": gid("Person", person.id)}, None, None]


async def test_huge_ids_in_mutations_and_queries_are_invalid_id(gql: GraphQLClient, admin: User) -> None:
    huge = b64(f"Person:{2**63}")
    query = "mutation($id: ID!) { personUpdate(input: {id: $id, name: \"新\"}) { errors { code field } } }"
    data = await gql(query, {"id": huge}, user=admin)
    assert data["personUpdate"]["errors"] == [{"code": "INVALID_ID", "field": "id"}]
    errors = await gql.errors("query($o: ID) { people(organisationId: $o) { totalCount } }",
                              {"o": b64(f"Organisation:{2**31}")})
    assert [code_and_field(e) for e in errors] == [("INVALID_ID", "organisationId")]


async def test_a_non_canonical_id_never_changes_another_object(gql: GraphQLClient, admin: User) -> None:
    people = [await Person.create(name=f"工人{i}") for i in range(13)]
    query = "mutation($id: ID!) { personUpdate(input: {id: $id, name: \"改名\"}) { errors { code field } } }"
    data = await gql(query, {"id": b64("Person:1_3")}, user=admin)
    assert data["personUpdate"]["errors"] == [{"code": "INVALID_ID", "field": "id"}]
    assert (await Person.get(id=people[-1].id)).name == "工人12"


# --- cursors --------------------------------------------------------------------------------

@pytest.mark.parametrize("cursor", [
    b64("o:-1"), b64(f"o:{2**31}"), b64("o:99999999999999999999"), b64("o:01"), b64("o:1_0"), b64("o:²"),
    b64("o: 1"), b64("x:1"), b64("o:"), "o:1", "!!!", base64.b64encode(b"o:\xff").decode(), b64("o:1") + "=",
])
async def test_cursors_out_of_range_or_malformed_are_bad_user_input(gql: GraphQLClient, cursor: str) -> None:
    body = (await gql.raw(PEOPLE, {"after": cursor})).json()
    assert body["data"] is None
    assert [code_and_field(e) for e in body["errors"]] == [("BAD_USER_INPUT", "after")]


async def test_good_cursors_still_page(gql: GraphQLClient) -> None:
    for i in range(3):
        await Person.create(name=f"学员{i}")
    first = (await gql(PEOPLE, {"first": 2}))["people"]
    assert decode_cursor(first["edges"][-1]["cursor"]) == 1
    rest = (await gql(PEOPLE, {"after": first["edges"][-1]["cursor"]}))["people"]
    assert len(rest["edges"]) == 1
    assert (await gql(PEOPLE, {"after": b64(f"o:{2**31 - 1}")}))["people"]["edges"] == []


# --- large ints -----------------------------------------------------------------------------

async def test_large_ints_give_coded_errors(gql: GraphQLClient, admin: User) -> None:
    errors = await gql.errors(PEOPLE, {"first": 2**31 - 1})
    assert [code_and_field(e) for e in errors] == [("OUT_OF_RANGE", "first")]
    errors = await gql.errors(PEOPLE, {"first": 2**31})
    assert [code_and_field(e) for e in errors] == [("BAD_USER_INPUT", "first")]
    errors = await gql.errors("query { people(first: 99999999999999999999) { totalCount } }")
    assert [code_and_field(e)[0] for e in errors] == ["GRAPHQL_VALIDATION_FAILED"]
    query = """mutation($p: ID!, $y: Int!) { honourAdd(input: {personId: $p, title: "劳模", level: NATIONAL,
      year: $y}) { errors { code field } } }"""
    person = await Person.create(name="赵师傅")
    data = await gql(query, {"p": gid("Person", person.id), "y": 2**31 - 1}, user=admin)
    assert data["honourAdd"]["errors"] == [{"code": "OUT_OF_RANGE", "field": "year"}]


# --- dates ----------------------------------------------------------------------------------

SESSIONS = "query($o: ID!, $from: DateTime) { trainingSessions(organisationId: $o, from: $from) { totalCount } }"


@pytest.mark.parametrize("moment", [
    "9999-12-31T23:00:00-14:00",  # overflowed converting to UTC (an internal error)
    "0001-01-01T00:00:00+14:00",  # likewise, below year 1
    "9999-12-31T24:00:00+00:00",  # the parser itself overflowed
    "1899-12-31T23:59:59+00:00",
    "2201-01-01T00:00:00+08:00",
])
async def test_datetimes_out_of_range_are_out_of_range(
    gql: GraphQLClient, pm: pluggy.PluginManager, moment: str
) -> None:
    needs(pm, "training")
    org = await make_org()
    errors = await gql.errors(SESSIONS, {"o": gid("Organisation", org.id), "from": moment})
    assert [code_and_field(e) for e in errors] == [("OUT_OF_RANGE", "from")]
    literal = f'query($o: ID!) {{ trainingSessions(organisationId: $o, from: "{moment}") {{ totalCount }} }}'
    body = (await gql.raw(literal, {"o": gid("Organisation", org.id)})).json()
    assert ("OUT_OF_RANGE", "from") in [code_and_field(e) for e in body["errors"]]
    assert_no_internal(body)


async def test_datetimes_in_range_are_fine(gql: GraphQLClient, pm: pluggy.PluginManager, admin: User) -> None:
    needs(pm, "training")
    org = await make_org()
    for moment in ("1900-01-01T00:00:00+00:00", "2200-12-31T23:59:59-14:00", "2030-06-01T08:00:00+08:00"):
        data = await gql(SESSIONS, {"o": gid("Organisation", org.id), "from": moment}, user=admin)
        assert data["trainingSessions"]["totalCount"] == 0


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31"])
async def test_dates_out_of_range_are_out_of_range(
    gql: GraphQLClient, pm: pluggy.PluginManager, admin: User, day: str
) -> None:
    needs(pm, "mentorship")
    query = """mutation($d: Date) { mentorshipMilestoneAdd(input: {mentorshipId: "TWVudG9yc2hpcDox", title: "t",
      dueDate: $d}) { errors { code } } }"""
    errors = await gql.errors(query, {"d": day}, user=admin)
    assert [code_and_field(e) for e in errors] == [("OUT_OF_RANGE", "dueDate")]


# --- the helpers ----------------------------------------------------------------------------

def test_checks_text_refuses_control_characters_and_line_breaks_only_when_asked() -> None:
    checks = Checks()
    assert checks.text(" 王芳\n ", "bio", 10) == "王芳"
    assert checks.text("第一行\n第二行", "bio", 20) == "第一行\n第二行"
    assert checks.problems == []
    checks.text("第一行\n第二行", "name", 20, single_line=True)
    checks.text("a\x00b", "bio", 20)
    checks.text("a\tb", "title", 20, single_line=True)
    assert [(p.code, p.field) for p in checks.problems] == [
        ("INVALID_CHARACTERS", "name"), ("INVALID_CHARACTERS", "bio"), ("INVALID_CHARACTERS", "title")]


async def test_accounts_keep_working_with_canonical_ids(gql: GraphQLClient) -> None:
    # A regression guard for the stricter parsing: what the API hands out, it takes back.
    user = await gql.user("孙工")
    data = await gql(NODE, {"id": user.person_gid}, user=user)
    assert data["node"]["id"] == user.person_gid
    assert await Account.filter(id=user.account_id).exists()


async def test_subscriptions_get_the_same_checks(rt: Runtime) -> None:
    from core.context import Context
    from schema import build_schema

    schema = build_schema(rt.registry, rt.settings)
    query = "subscription($o: ID!) { organisationEvents(organisationId: $o) { name } }"
    stream = await schema.subscribe(query, variable_values={"o": "\x00"}, context_value=Context(rt=rt))
    results = [result async for result in stream]  # type: ignore[union-attr]
    assert [(e.extensions or {}).get("code") for e in results[0].errors or []] == ["INVALID_CHARACTERS"]
    assert [(e.extensions or {}).get("field") for e in results[0].errors or []] == ["organisationId"]


async def test_lookups_treat_keys_out_of_range_as_not_found() -> None:
    from core.lookups import require_organisation, require_person

    for key in (0, -1, 2**31, 2**63):
        with pytest.raises(UserInputError) as caught:
            await require_person(key)
        assert caught.value.errors[0].code == "NOT_FOUND"
        with pytest.raises(UserInputError):
            await require_organisation(key, "parentId")
