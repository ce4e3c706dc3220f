"""Threads and posts through the API: who may post, replies, edits, reactions, mentions, lock, pin."""

from __future__ import annotations

from core.people.models import Person
from plugins.forum.models import ForumMention, ForumPost, ForumReaction, ForumThread
from tests.plugins.forum.conftest import NEW_THREAD, Board, renew
from tests.support import Clock, User, gid

EDIT = """mutation($id: ID!, $b: String!) { forumPostEdit(input: {id: $id, body: $b}) {
  post { id body editedAt } errors { code field } } }"""
LOCK = """mutation($id: ID!, $l: Boolean!) { forumThreadLock(input: {id: $id, locked: $l}) {
  thread { id locked } errors { code field } } }"""
PIN = """mutation($id: ID!) { forumThreadPin(input: {id: $id}) { thread { id pinned } errors { code field } } }"""
REACT = """mutation($p: ID!, $k: ForumReactionKind!) { forumPostReact(input: {postId: $p, kind: $k}) {
  post { reactionCounts { kind count } myReactions } errors { code field } } }"""
UNREACT = """mutation($p: ID!, $k: ForumReactionKind!) { forumPostUnreact(input: {postId: $p, kind: $k}) {
  post { reactionCounts { kind count } myReactions } errors { code field } } }"""
THREADS = """query($o: ID!) { forumThreads(organisationId: $o) { edges { node { title pinned postCount } } } }"""
MENTIONS = """query($id: ID!) { node(id: $id) { ... on ForumPost { mentions { name } } } }"""


async def test_members_post_strangers_and_anonymous_callers_may_not(board: Board) -> None:
    thread = await board.thread()
    assert (await board.post(thread, "我补充一点", user=board.li))["errors"] == []
    assert (await board.post(thread, "路过", user=board.partner))["errors"] == [
        {
            "code": "PERMISSION_DENIED",
            "field": "threadId",
            "message": "Only members of the organisation (or of the alliance's member organisations) may post here",
        }
    ]
    anonymous = await board.gql(
        NEW_THREAD.replace("errors { code message field }", "errors { code field }"),
        {"input": {"organisationId": board.studio_id, "title": "t", "body": "b"}},
    )
    assert anonymous["forumThreadCreate"]["errors"] == [{"code": "UNAUTHENTICATED", "field": None}]
    no_person = await board.gql(
        NEW_THREAD,
        {"input": {"organisationId": board.studio_id, "title": "t", "body": "b"}},
        user=await _account_only(board),
    )
    assert no_person["forumThreadCreate"]["errors"][0]["code"] == "NO_PERSON"


async def _account_only(board: Board) -> User:
    """A superuser account linked to no person."""
    from core.auth.models import Account

    account = await Account.create(username="robot", password_hash="x", person=None, is_superuser=True)
    return User(None, board.gql.token_for(account.id, None, True), account.id)


async def test_alliance_boards_take_members_of_member_organisations(board: Board) -> None:
    thread = await board.thread(user=board.partner, org=board.alliance, title="联盟设备共享清单")
    assert (await board.post(thread, "我们有三坐标测量仪可以共享", user=board.wang))["errors"] == []
    outsider = await board.post(thread, "我也想用", user=board.outsider)
    assert outsider["errors"][0]["code"] == "PERMISSION_DENIED"
    # Reading needs no sign-in.
    data = await board.gql(THREADS, {"o": board.alliance_id})
    assert data["forumThreads"]["edges"] == [{"node": {"title": "联盟设备共享清单", "pinned": False, "postCount": 2}}]
    # A board whose organisation has the forum off: PLUGIN_DISABLED, and its lists are empty.
    from tests.support import make_org

    off = await make_org("未开通论坛的企业")
    variables = {"input": {"organisationId": gid("Organisation", off.id), "title": "t", "body": "b"}}
    refused = await board.gql(NEW_THREAD, variables, user=board.wang)
    assert refused["forumThreadCreate"]["errors"][0]["code"] == "PLUGIN_DISABLED"
    assert (await board.gql(THREADS, {"o": gid("Organisation", off.id)}))["forumThreads"]["edges"] == []


async def test_thread_input_and_salon_checks(board: Board) -> None:
    other_salon = await board.salon(board.alliance)
    bad = await board.gql(
        NEW_THREAD,
        {
            "input": {
                "organisationId": board.studio_id,
                "title": "两行\n标题",
                "body": "  ",
                "salonId": gid("Salon", other_salon.id),
            }
        },
        user=board.wang,
    )
    assert {(e["code"], e["field"]) for e in bad["forumThreadCreate"]["errors"]} == {
        ("INVALID_CHARACTERS", "title"),
        ("BLANK", "body"),
        ("SALON_NOT_ON_BOARD", "salonId"),
    }
    missing = await board.gql(
        NEW_THREAD,
        {"input": {"organisationId": board.studio_id, "title": "t", "body": "b", "salonId": gid("Salon", 999_999)}},
        user=board.wang,
    )
    assert missing["forumThreadCreate"]["errors"] == [
        {"code": "NOT_FOUND", "message": "No salon with this `salonId`", "field": "salonId"}
    ]


async def test_bodies_are_stored_and_returned_as_given(board: Board) -> None:
    thread = await board.thread()
    body = "  <script>alert('x')</script> & **粗体** \n第二行  "
    made = await board.post(thread, body)
    assert made["post"]["body"] == body
    assert (await _last_post()).body == body
    too_long = await board.post(thread, "字" * 10_001)
    assert too_long["errors"] == [
        {"code": "TOO_LONG", "field": "body", "message": "`body` is longer than 10000 characters"}
    ]
    assert (await board.post(thread, "字" * 10_000))["errors"] == []


async def _last_post() -> ForumPost:
    row = await ForumPost.all().order_by("-id").first()
    assert row is not None
    return row


async def test_replies_stay_in_their_thread(board: Board) -> None:
    thread, other = await board.thread(), await board.thread(title="另一个话题")
    first = (await board.post(thread, "第一条"))["post"]["id"]
    elsewhere = (await board.post(other, "别处"))["post"]["id"]
    wrong = await board.post(thread, "回复", reply_to=elsewhere)
    assert wrong["errors"] == [
        {"code": "REPLY_NOT_IN_THREAD", "field": "replyToId", "message": "A reply must be to a post of the same thread"}
    ]
    missing = await board.post(thread, "回复", reply_to=gid("ForumPost", 999_999))
    assert missing["errors"][0]["code"] == "NOT_FOUND" and missing["errors"][0]["field"] == "replyToId"
    bad_id = await board.post(thread, "回复", reply_to=gid("Salon", 1))
    assert bad_id["errors"][0]["code"] == "INVALID_ID"
    assert (await board.post(thread, "回复", reply_to=first))["post"]["replyTo"] == {"id": first}


async def test_authors_edit_within_the_window(board: Board, clock: Clock) -> None:
    thread = await board.thread()
    post = (await board.post(thread, "初稿"))["post"]["id"]
    other = await board.gql(EDIT, {"id": post, "b": "改"}, user=board.li)
    assert other["forumPostEdit"]["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]
    moderator = await board.gql(EDIT, {"id": post, "b": "改"}, user=board.admin)
    assert moderator["forumPostEdit"]["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]
    clock.advance(hours=23)
    board.wang = renew(board.gql, board.wang)
    edited = (await board.gql(EDIT, {"id": post, "b": "定稿"}, user=board.wang))["forumPostEdit"]
    assert edited["errors"] == [] and edited["post"]["body"] == "定稿" and edited["post"]["editedAt"]
    clock.advance(hours=2)
    board.wang = renew(board.gql, board.wang)
    late = (await board.gql(EDIT, {"id": post, "b": "再改"}, user=board.wang))["forumPostEdit"]
    assert late["errors"] == [{"code": "EDIT_WINDOW_CLOSED", "field": "id"}]
    blank = (
        await board.gql(EDIT, {"id": (await board.post(thread, "新的"))["post"]["id"], "b": " "}, user=board.wang)
    )["forumPostEdit"]
    assert blank["errors"] == [{"code": "BLANK", "field": "body"}]


async def test_locked_threads_refuse_posts_but_not_moderators(board: Board) -> None:
    thread = await board.thread()
    post = (await board.post(thread, "第一条"))["post"]["id"]
    denied = await board.gql(LOCK, {"id": thread, "l": True}, user=board.wang)
    assert denied["forumThreadLock"]["errors"] == [{"code": "PERMISSION_DENIED", "field": "id"}]
    locked = await board.gql(LOCK, {"id": thread, "l": True}, user=board.admin)
    assert locked["forumThreadLock"] == {"thread": {"id": thread, "locked": True}, "errors": []}
    refused = await board.post(thread, "还有一点")
    assert refused["errors"] == [{"code": "THREAD_LOCKED", "field": "threadId", "message": "This thread is locked"}]
    edit = await board.gql(EDIT, {"id": post, "b": "改"}, user=board.wang)
    assert edit["forumPostEdit"]["errors"] == [{"code": "THREAD_LOCKED", "field": "id"}]
    assert (await board.post(thread, "本帖已锁定,请移步新帖。", user=board.admin))["errors"] == []
    await board.gql(LOCK, {"id": thread, "l": False}, user=board.admin)
    assert (await board.post(thread, "还有一点"))["errors"] == []


async def test_pinned_threads_come_first(board: Board, clock: Clock) -> None:
    old = await board.thread(title="发帖须知")
    clock.advance(minutes=5)
    board.wang = renew(board.gql, board.wang)
    await board.thread(title="新话题")
    assert [
        e["node"]["title"] for e in (await board.gql(THREADS, {"o": board.studio_id}))["forumThreads"]["edges"]
    ] == ["新话题", "发帖须知"]
    assert (await board.gql(PIN, {"id": old}, user=board.wang))["forumThreadPin"]["errors"][0][
        "code"
    ] == "PERMISSION_DENIED"
    pinned = await board.gql(PIN, {"id": old}, user=renew(board.gql, board.admin))
    assert pinned["forumThreadPin"]["thread"] == {"id": old, "pinned": True}
    assert [
        e["node"]["title"] for e in (await board.gql(THREADS, {"o": board.studio_id}))["forumThreads"]["edges"]
    ] == ["发帖须知", "新话题"]
    assert (await ForumThread.get(title="发帖须知")).pinned
    salon = await board.salon()
    await board.thread(title="沙龙话题", salon=salon)
    about = """query($o: ID!, $s: ID) { forumThreads(organisationId: $o, salonId: $s) { edges { node { title
      salon { title } } } } }"""
    found = await board.gql(about, {"o": board.studio_id, "s": gid("Salon", salon.id)})
    assert found["forumThreads"]["edges"] == [{"node": {"title": "沙龙话题", "salon": {"title": "焊接机器人应用沙龙"}}}]


async def test_reactions_one_of_each_kind_per_person(board: Board) -> None:
    thread = await board.thread()
    post = (await board.post(thread, "经验分享"))["post"]["id"]
    for user, kind in ((board.li, "LIKE"), (board.li, "LIKE"), (board.li, "THANKS"), (board.admin, "LIKE")):
        assert (await board.gql(REACT, {"p": post, "k": kind}, user=user))["forumPostReact"]["errors"] == []
    mine = (await board.gql(REACT, {"p": post, "k": "INSIGHTFUL"}, user=board.li))["forumPostReact"]["post"]
    assert mine == {
        "reactionCounts": [
            {"kind": "LIKE", "count": 2},
            {"kind": "THANKS", "count": 1},
            {"kind": "INSIGHTFUL", "count": 1},
        ],
        "myReactions": ["LIKE", "THANKS", "INSIGHTFUL"],
    }
    undone = (await board.gql(UNREACT, {"p": post, "k": "LIKE"}, user=board.li))["forumPostUnreact"]["post"]
    assert undone["reactionCounts"][0] == {"kind": "LIKE", "count": 1} and undone["myReactions"] == [
        "THANKS",
        "INSIGHTFUL",
    ]
    assert await ForumReaction.filter(post_id=(await _last_post()).id).count() == 3
    stranger = await board.gql(REACT, {"p": post, "k": "LIKE"}, user=board.outsider)
    assert stranger["forumPostReact"]["errors"] == [{"code": "PERMISSION_DENIED", "field": "postId"}]
    missing = await board.gql(REACT, {"p": gid("ForumPost", 999_999), "k": "LIKE"}, user=board.li)
    assert missing["forumPostReact"]["errors"] == [{"code": "NOT_FOUND", "field": "postId"}]


async def test_mentions_resolve_chinese_names_without_spaces(board: Board) -> None:
    thread = await board.thread()
    # 王建国 is followed by more Chinese text; the email is not a mention; 张志强 is outside the studio
    # (another member of the alliance) and has not posted here; @王 names nobody (two characters at least).
    body = "@王建国师傅好,请@李红梅 看看。联系 wang@example.com,@张志强 @王"
    made = (await board.post(thread, body, user=board.admin))["post"]["id"]
    names = [p["name"] for p in (await board.gql(MENTIONS, {"id": made}))["node"]["mentions"]]
    assert names == ["王建国", "李红梅"]
    # Two people of the board with the same name: ambiguous, so nobody (never the wrong one).
    from core.people.models import Membership

    twin = await Person.create(name="李红梅")
    await Membership.create(person=twin, organisation=board.studio)
    again = (await board.post(thread, "@李红梅 在吗", user=board.admin))["post"]["id"]
    assert (await board.gql(MENTIONS, {"id": again}))["node"]["mentions"] == []
    # People who posted in the thread are candidates on alliance boards too.
    alliance_thread = await board.thread(user=board.partner, org=board.alliance, title="联盟话题")
    reply = (await board.post(alliance_thread, "@张志强 收到", user=board.wang))["post"]["id"]
    assert [p["name"] for p in (await board.gql(MENTIONS, {"id": reply}))["node"]["mentions"]] == ["张志强"]
    too_many = " ".join(f"@工友{i}" for i in range(21))
    refused = await board.post(thread, too_many)
    assert refused["errors"] == [
        {"code": "TOO_MANY_MENTIONS", "field": "body", "message": "A post mentions at most 20 people"}
    ]
    assert await ForumMention.all().count() == 3
