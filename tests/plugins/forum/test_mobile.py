"""The operations the mobile app sends, verbatim (issue 10): each exact document works."""
# ruff: noqa: E501  (the operations below are the mobile app's, verbatim)

from __future__ import annotations

from datetime import timedelta

from tests.plugins.forum.conftest import NEW_THREAD, POST, RSVP, Board

NEW_SALON = """
mutation NewSalon($input: SalonCreateInput!) {   # {organisationId, title, topic, startsAt, endsAt, venue, capacity, speakerIds}
  salonCreate(input: $input) { salon { id title } errors { code message field } }
}"""
REACT = """
mutation React($p: ID!) { forumPostReact(input: {postId: $p, kind: LIKE}) { post { id reactionCounts { kind count } } errors { code } } }"""
THREAD = """
query Thread($id: ID!) { node(id: $id) { ... on ForumThread { title locked posts(first: 50) {
  totalCount edges { node { id body hidden author { name } reactionCounts { kind count } } } } } } }"""
LIVE = "subscription Live($t: ID!) { forumPostAdded(threadId: $t) { id body author { name } } }"


async def test_the_mobile_flow_verbatim(board: Board) -> None:
    gql, now = board.gql, board.rt.now()
    assert board.admin.person and board.wang.person
    created = (
        await gql(
            NEW_SALON,
            {
                "input": {
                    "organisationId": board.studio_id,
                    "title": "焊接机器人应用沙龙",
                    "topic": "焊接机器人",
                    "startsAt": (now + timedelta(days=3)).isoformat(),
                    "endsAt": (now + timedelta(days=3, hours=2)).isoformat(),
                    "venue": "职工活动中心",
                    "capacity": 30,
                    "speakerIds": [board.wang.person_gid],
                }
            },
            user=board.admin,
        )
    )["salonCreate"]
    assert created["errors"] == [] and created["salon"]["title"] == "焊接机器人应用沙龙"
    salon_id = created["salon"]["id"]

    going = (await gql(RSVP, {"s": salon_id, "r": "GOING"}, user=board.wang))["salonRsvp"]
    assert going == {"salon": {"id": salon_id, "goingCount": 1, "interestedCount": 0}, "errors": []}
    interested = (await gql(RSVP, {"s": salon_id, "r": "INTERESTED"}, user=board.li))["salonRsvp"]
    assert interested["salon"] == {"id": salon_id, "goingCount": 1, "interestedCount": 1}

    thread = (
        await gql(
            NEW_THREAD,
            {
                "input": {
                    "organisationId": board.studio_id,
                    "salonId": salon_id,
                    "title": "沙龙前先聊聊",
                    "body": "大家最想交流什么?",
                }
            },
            user=board.wang,
        )
    )["forumThreadCreate"]
    assert thread["errors"] == [] and thread["thread"]["title"] == "沙龙前先聊聊"
    thread_id = thread["thread"]["id"]
    reply = await gql(POST, {"t": thread_id, "b": "伺服过载的根因分析 @王建国", "r": None}, user=board.li)
    post = reply["forumPostCreate"]
    assert post["errors"] == []
    assert post["post"]["body"] == "伺服过载的根因分析 @王建国"
    assert post["post"]["author"] == {"id": board.li.person_gid, "name": "李红梅"}
    assert post["post"]["replyTo"] is None
    answer = (await gql(POST, {"t": thread_id, "b": "先查减速机润滑。", "r": post["post"]["id"]}, user=board.wang))[
        "forumPostCreate"
    ]
    assert answer["post"]["replyTo"] == {"id": post["post"]["id"]}

    reacted = (await gql(REACT, {"p": post["post"]["id"]}, user=board.wang))["forumPostReact"]
    assert reacted == {
        "post": {
            "id": post["post"]["id"],
            "reactionCounts": [
                {"kind": "LIKE", "count": 1},
                {"kind": "THANKS", "count": 0},
                {"kind": "INSIGHTFUL", "count": 0},
            ],
        },
        "errors": [],
    }

    read = (await gql(THREAD, {"id": thread_id}))["node"]  # no sign-in: the board is public
    assert read["title"] == "沙龙前先聊聊" and read["locked"] is False
    assert read["posts"]["totalCount"] == 3
    nodes = [edge["node"] for edge in read["posts"]["edges"]]
    assert [n["body"] for n in nodes] == ["大家最想交流什么?", "伺服过载的根因分析 @王建国", "先查减速机润滑。"]
    assert [n["author"]["name"] for n in nodes] == ["王建国", "李红梅", "王建国"]
    assert nodes[1]["reactionCounts"][0] == {"kind": "LIKE", "count": 1}
    assert all(n["hidden"] is False for n in nodes)


async def test_the_live_document_is_a_valid_subscription(board: Board) -> None:
    """The ``Live`` document validates against the schema (delivery: test_live.py)."""
    from graphql import parse, validate

    from schema.build import build_schema

    schema = build_schema(board.rt.registry, board.rt.settings)._schema
    assert validate(schema, parse(LIVE)) == []
