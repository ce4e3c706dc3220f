"""Many processes, one truth: two ``guildhall serve`` processes on one PostgreSQL and one Redis
behave as one server (subscriptions, rate limits, persisted queries, idempotency keys).

Real services only (``make test-real``): the ``guildhall_servers`` fixture skips on SQLite or
fakeredis, which separate processes cannot share.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
import websockets

from core.organisations.models import OrganisationKind, OrganisationPlugin
from core.people.models import MembershipRole
from core.skills.models import PersonSkill, Skill
from host.persisted import sha256_hex
from host.testing.servers import ServerLauncher, ServerProcess
from host.testing.support import GraphQLClient, User, gid, make_org

pytestmark = pytest.mark.postgres

SUBSCRIBE = "subscription($o: ID!) { organisationEvents(organisationId: $o) { name payload } }"
PROPOSE = """mutation($input: MentorshipProposeInput!) {
  mentorshipPropose(input: $input) { mentorship { id status } errors { code message field } } }"""
SKILLS = "query { skills(first: 5) { totalCount } }"


async def post(
    server: ServerProcess, body: dict[str, Any], user: User | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    sent = {**({"Authorization": f"Bearer {user.token}"} if user else {}), **(headers or {})}
    async with httpx.AsyncClient(base_url=server.http, timeout=20) as client:
        return await client.post("/graphql", json=body, headers=sent)


async def next_message(ws: websockets.ClientConnection, wanted: str) -> dict[str, Any]:
    """The next message of type ``wanted`` (pings are answered, others skipped)."""
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 15))
        if message["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))
        elif message["type"] == wanted:
            return dict(message)


async def test_an_event_caused_through_one_process_reaches_a_subscriber_of_the_other(
    guildhall_servers: ServerLauncher, gql: GraphQLClient
) -> None:
    a, b = guildhall_servers.start(), guildhall_servers.start()
    studio = await make_org("王建国劳模创新工作室", kind=OrganisationKind.STUDIO)
    await OrganisationPlugin.create(organisation=studio, plugin="mentorship")
    skill = await Skill.create(name="焊接")
    mentor = await gql.user("王建国", org=studio)
    apprentice = await gql.user("李小军", org=studio)
    admin = await gql.user("周管理", org=studio, role=MembershipRole.ADMIN)
    await PersonSkill.create(person=mentor.person, skill=skill, level=1)
    await PersonSkill.create(person=apprentice.person, skill=skill, level=4)

    async with websockets.connect(a.ws, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {admin.token}"}}))
        await next_message(ws, "connection_ack")
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": SUBSCRIBE, "variables": {"o": gid("Organisation", studio.id)}},
                }
            )
        )
        # The subscription is live once A's pub/sub connection listens: retry the cause until then.
        received = None
        for _ in range(20):
            answer = (
                await post(
                    b,
                    {
                        "query": PROPOSE,
                        "variables": {
                            "input": {
                                "mentorId": mentor.person_gid,
                                "apprenticeId": apprentice.person_gid,
                                "organisationId": gid("Organisation", studio.id),
                                "skillId": gid("Skill", skill.id),
                            }
                        },
                    },
                    user=mentor,
                )
            ).json()
            payload = answer["data"]["mentorshipPropose"]
            assert payload["errors"] == [] or payload["errors"][0]["code"] == "ALREADY_EXISTS", payload
            try:
                received = await asyncio.wait_for(next_message(ws, "next"), 1.5)
                break
            except TimeoutError:
                continue
        assert received is not None, f"no event reached A:\n{a.log_tail()}"
        assert received["payload"]["data"]["organisationEvents"]["name"] == "mentorship.proposed"


async def test_a_bucket_drained_through_one_process_is_empty_on_the_other(
    guildhall_servers: ServerLauncher, gql: GraphQLClient
) -> None:
    # Restored at one point an hour: nothing refills while the test runs.
    limits = {"rate_limit_bucket_size": 10, "rate_limit_anonymous_bucket_size": 10, "rate_limit_restore_rate": 1 / 3600}
    a, b = guildhall_servers.start(**limits), guildhall_servers.start(**limits)
    user = await gql.user("王建国")
    statuses = [(await post(a, {"query": SKILLS}, user=user)).status_code for _ in range(12)]
    assert statuses[0] == 200 and statuses[-1] == 429, statuses
    refused = await post(b, {"query": SKILLS}, user=user)
    assert refused.status_code == 429, refused.text
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    other = await gql.user("李小军")  # each caller has a bucket of their own, on B too
    assert (await post(b, {"query": SKILLS}, user=other)).status_code == 200


async def test_a_query_persisted_on_one_process_runs_on_the_other(guildhall_servers: ServerLauncher) -> None:
    a, b = guildhall_servers.start(), guildhall_servers.start()
    document = "query Skills { skills(first: 3) { totalCount } } # " + uuid.uuid4().hex
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(document)}}
    unknown = (await post(b, {"extensions": extensions})).json()
    assert unknown["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    registered = await post(a, {"query": document, "extensions": extensions})
    assert registered.json() == {"data": {"skills": {"totalCount": 0}}, "extensions": registered.json()["extensions"]}
    by_hash = (await post(b, {"extensions": extensions})).json()
    assert by_hash["data"] == {"skills": {"totalCount": 0}}, by_hash


async def test_an_idempotency_key_used_on_one_process_replays_on_the_other(
    guildhall_servers: ServerLauncher, gql: GraphQLClient
) -> None:
    a, b = guildhall_servers.start(), guildhall_servers.start()
    root = await gql.superuser()
    create = {
        "query": "mutation($i: SkillCreateInput!) { skillCreate(input: $i) { skill { id name } errors { code } } }",
        "variables": {"i": {"name": "数控加工"}},
    }
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = await post(a, create, user=root, headers=key)
    assert first.status_code == 200 and first.json()["data"]["skillCreate"]["errors"] == [], first.text
    again = await post(b, create, user=root, headers=key)
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json()["data"] == first.json()["data"]
    assert await Skill.filter(name="数控加工").count() == 1  # ran once
    # Without the key the same mutation runs again on B (and answers a duplicate-name error).
    fresh = (await post(b, create, user=root)).json()["data"]["skillCreate"]
    assert fresh["skill"] is None and fresh["errors"], fresh
