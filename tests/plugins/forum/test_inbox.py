"""Forum notices reach the core inbox end to end: a mention and a reply land in
``me.notifications``, linked to the post; the author gets none for their own post."""

from __future__ import annotations

from tests.plugins.forum.conftest import Board

INBOX = "{ me { notifications(first: 10) { unreadCount nodes { kind subject { id } actor { name } } } } }"


async def test_a_mention_and_a_reply_reach_the_inbox(board: Board) -> None:
    thread = await board.thread(user=board.wang)
    question = await board.post(thread, "哪位师傅懂激光焊?", user=board.wang)
    answer = await board.post(thread, "@王建国 我们用过, @李红梅 也熟", user=board.admin,
                              reply_to=question["post"]["id"])
    assert answer["errors"] == []
    post_id = answer["post"]["id"]

    wang = (await board.gql(INBOX, user=board.wang))["me"]["notifications"]
    # Mentioned and replied to by the same post: one notice (the mention), not two.
    assert wang["unreadCount"] == 1
    assert wang["nodes"] == [{"kind": "forum.mentioned", "subject": {"id": post_id}, "actor": {"name": "周文博"}}]
    li = (await board.gql(INBOX, user=board.li))["me"]["notifications"]
    assert [n["kind"] for n in li["nodes"]] == ["forum.mentioned"]
    admin = (await board.gql(INBOX, user=board.admin))["me"]["notifications"]
    assert admin["unreadCount"] == 0 and admin["nodes"] == []
