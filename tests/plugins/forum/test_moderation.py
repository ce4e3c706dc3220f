"""Hidden posts: hidden to everyone but the board's moderators, who see them in full."""

from __future__ import annotations

from typing import Any

from core.people.models import MembershipRole
from tests.plugins.forum.conftest import Board
from tests.support import User, make_org

HIDE = """mutation($id: ID!, $r: String, $h: Boolean!) { forumPostHide(input: {id: $id, reason: $r, hidden: $h}) {
  post { id hidden body hiddenReason hiddenBy { name } } errors { code field } } }"""
POST_FIELDS = "id hidden body hiddenReason hiddenAt hiddenBy { name } mentions { name } editedAt"
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on ForumPost {{ {POST_FIELDS} }} }} }}"
LIST = f"""query($id: ID!) {{ node(id: $id) {{ ... on ForumThread {{
  posts {{ edges {{ node {{ {POST_FIELDS} }} }} }} }} }} }}"""
EDIT = """mutation($id: ID!) { forumPostEdit(input: {id: $id, body: "改"}) { errors { code field } } }"""
REACT = """mutation($p: ID!) { forumPostReact(input: {postId: $p, kind: LIKE}) { errors { code field } } }"""


async def _read(board: Board, post: str, user: User | None) -> dict[str, Any]:
    return dict((await board.gql(NODE, {"id": post}, user=user))["node"])


async def test_hidden_posts_show_in_full_to_moderators_only(board: Board) -> None:
    thread = await board.thread()
    post = (await board.post(thread, "加微信买二手伺服电机 @李红梅", user=board.wang))["post"]["id"]
    hidden = (await board.gql(HIDE, {"id": post, "r": "广告", "h": True}, user=board.admin))["forumPostHide"]
    assert hidden == {
        "post": {
            "id": post,
            "hidden": True,
            "body": "加微信买二手伺服电机 @李红梅",
            "hiddenReason": "广告",
            "hiddenBy": {"name": "周文博"},
        },
        "errors": [],
    }
    concealed = {
        "id": post,
        "hidden": True,
        "body": None,
        "hiddenReason": None,
        "hiddenAt": None,
        "hiddenBy": None,
        "mentions": [],
        "editedAt": None,
    }
    # The author, another member, a stranger and an anonymous reader: hidden, no body.
    for viewer in (board.wang, board.li, board.outsider, None):
        assert await _read(board, post, viewer) == concealed
        listed = (await board.gql(LIST, {"id": thread}, user=viewer))["node"]["posts"]["edges"]
        assert listed[1]["node"] == concealed
    # Moderators: admins of the board's organisation, of an ancestor, and superusers.
    parent_admin = await _admin_of_parent(board)
    for viewer in (board.admin, parent_admin, await board.gql.superuser()):
        full = await _read(board, post, viewer)
        assert full["body"] == "加微信买二手伺服电机 @李红梅" and full["hiddenReason"] == "广告"
        assert full["hiddenBy"] == {"name": "周文博"} and full["hiddenAt"] and full["mentions"] == [{"name": "李红梅"}]
    # Hidden posts take no edits and no reactions.
    assert (await board.gql(EDIT, {"id": post}, user=board.wang))["forumPostEdit"]["errors"] == [
        {"code": "POST_HIDDEN", "field": "id"}
    ]
    assert (await board.gql(REACT, {"p": post}, user=board.li))["forumPostReact"]["errors"] == [
        {"code": "POST_HIDDEN", "field": "postId"}
    ]
    shown = (await board.gql(HIDE, {"id": post, "r": None, "h": False}, user=board.admin))["forumPostHide"]
    assert shown["post"]["hidden"] is False and shown["post"]["hiddenReason"] is None
    assert (await _read(board, post, None))["body"] == "加微信买二手伺服电机 @李红梅"


async def _admin_of_parent(board: Board) -> User:
    parent = await make_org("海州重工集团有限公司")
    board.studio.parent_id = parent.id  # type: ignore[assignment]
    await board.studio.save(update_fields=["parent_id"])
    return await board.gql.user("集团管理员", org=parent, role=MembershipRole.ADMIN)


async def test_only_moderators_hide_and_a_reason_is_required(board: Board) -> None:
    thread = await board.thread()
    post = (await board.post(thread, "内容"))["post"]["id"]
    member = (await board.gql(HIDE, {"id": post, "r": "不喜欢", "h": True}, user=board.li))["forumPostHide"]
    assert member["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]
    # Admins of another studio in the same alliance moderate nothing here.
    other_admin = await board.gql.user("别家管理员", org=await make_org("别家工作室"), role=MembershipRole.ADMIN)
    assert (await board.gql(HIDE, {"id": post, "r": "x", "h": True}, user=other_admin))["forumPostHide"]["errors"][0][
        "code"
    ] == "PERMISSION_DENIED"
    blank = (await board.gql(HIDE, {"id": post, "r": " ", "h": True}, user=board.admin))["forumPostHide"]
    assert blank["errors"] == [{"code": "BLANK", "field": "reason"}]
