"""Statements per request stay constant in the number of posts, threads and salons on a page."""

from __future__ import annotations

from core.people.models import Person
from plugins.forum.models import ForumPost, ForumReaction, ForumSalon, ForumThread, ReactionKind
from tests.plugins.forum.conftest import Board
from tests.support import User, count_statements, gid

THREAD = """query($id: ID!) { node(id: $id) { ... on ForumThread { title posts(first: 100) { totalCount edges { node {
  id body hidden author { name } reactionCounts { kind count } myReactions replyTo { id body author { name } }
  mentions { name } } } } } } }"""
BOARD = """query($o: ID!) { node(id: $o) { ... on Organisation {
  threads(first: 100) { edges { node { title author { name } salon { title } } } }
  salons(first: 100) { edges { node { title speakers { name } materials { title } myRsvp goingCount } } } } } }"""


async def _thread_with(board: Board, posts: int) -> ForumThread:
    assert board.wang.person and board.li.person and board.admin.person
    people = [board.wang.person, board.li.person, board.admin.person]
    thread = await ForumThread.create(
        organisation=board.studio,
        title="讨论",
        author=board.wang.person,
        last_activity_at=board.rt.now(),
        created_at=board.rt.now(),
    )
    previous = None
    for i in range(posts):
        post = await ForumPost.create(
            thread=thread,
            author=people[i % 3],
            body=f"第{i}楼",
            reply_to=previous,
            created_at=board.rt.now(),
            hidden=i % 4 == 3,
            hidden_reason="x",
        )
        for person, kind in ((people[(i + 1) % 3], ReactionKind.LIKE), (people[(i + 2) % 3], ReactionKind.THANKS)):
            await ForumReaction.create(post=post, person=person, kind=kind)
        previous = post
    return thread


async def _count(board: Board, query: str, variables: dict[str, str], user: User | None) -> int:
    """Statements of one request, on an app whose cost limit lets the large pages through."""
    client = board.gql.with_settings(max_query_cost=10**6)
    try:
        await client(query, variables, user=user)  # warm-up: start-up reads are not the request's
        with count_statements() as counter:
            await client(query, variables, user=user)
        return counter.count
    finally:
        await client.http.aclose()


async def test_thread_posts_cost_the_same_statements_for_4_or_40_posts(board: Board) -> None:
    small, large = await _thread_with(board, 4), await _thread_with(board, 40)  # hidden posts in both
    for user in (None, board.li, board.admin):
        few = await _count(board, THREAD, {"id": gid("ForumThread", small.id)}, user)
        many = await _count(board, THREAD, {"id": gid("ForumThread", large.id)}, user)
        assert few == many, (user, few, many)
        assert many <= 14


async def test_board_lists_cost_the_same_statements_for_2_or_20_rows(board: Board) -> None:
    from tests.support import make_org

    other = await make_org("另一个工作室")
    assert board.wang.person
    for org, count in ((board.studio, 2), (other, 20)):
        for i in range(count):
            salon = await ForumSalon.create(
                organisation=org, title=f"沙龙{i}", starts_at=board.rt.now(), ends_at=board.rt.now(), venue="v"
            )
            await ForumThread.create(
                organisation=org,
                title=f"话题{i}",
                author=board.wang.person,
                salon=salon,
                last_activity_at=board.rt.now(),
                created_at=board.rt.now(),
            )
    from tests.plugins.forum.conftest import enable

    await enable(other)
    few = await _count(board, BOARD, {"o": gid("Organisation", board.studio.id)}, board.wang)
    many = await _count(board, BOARD, {"o": gid("Organisation", other.id)}, board.wang)
    assert few == many
    assert await Person.all().count() >= 1


THREAD_PAGES = """query($o: ID!, $after: String) { node(id: $o) { ... on Organisation { threads(first: 100) { edges {
  node { title posts(first: 2, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage }
  edges { cursor node { body replyTo { id } } } } } } } } } }"""


async def test_posts_of_a_list_of_threads_are_paged_in_one_statement_for_2_or_20_threads(board: Board) -> None:
    """Each thread's page of posts comes from one windowed statement for all threads on the page
    (``core.loaders.load_pages``), with each thread's own total and cursors."""
    from core.relay import encode_cursor
    from tests.plugins.forum.conftest import enable
    from tests.support import make_org

    other = await make_org("另一个工作室")
    await enable(other)
    assert board.wang.person
    for org, count in ((board.studio, 2), (other, 20)):
        for i in range(count):
            thread = await ForumThread.create(
                organisation=org,
                title=f"话题{i}",
                author=board.wang.person,
                last_activity_at=board.rt.now(),
                created_at=board.rt.now(),
            )
            previous = None
            for j in range(3):
                previous = await ForumPost.create(
                    thread=thread,
                    author=board.wang.person,
                    body=f"{i}-{j}",
                    reply_to=previous,
                    created_at=board.rt.now(),
                )
    for after in (None, encode_cursor(1)):
        few = await _count(board, THREAD_PAGES, {"o": gid("Organisation", board.studio.id), "after": after}, board.wang)
        many = await _count(board, THREAD_PAGES, {"o": gid("Organisation", other.id), "after": after}, board.wang)
        assert few == many, (after, few, many)

    client = board.gql.with_settings(max_query_cost=10**6)
    try:
        data = await client(THREAD_PAGES, {"o": gid("Organisation", other.id), "after": encode_cursor(0)})
    finally:
        await client.http.aclose()
    threads = [edge["node"] for edge in data["node"]["threads"]["edges"]]
    assert len(threads) == 20
    for thread in threads:
        i = thread["title"].removeprefix("话题")
        posts = thread["posts"]
        assert posts["totalCount"] == 3
        assert posts["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True}
        assert [e["node"]["body"] for e in posts["edges"]] == [f"{i}-1", f"{i}-2"]
        assert [e["cursor"] for e in posts["edges"]] == [encode_cursor(1), encode_cursor(2)]
        assert all(e["node"]["replyTo"] is not None for e in posts["edges"])


async def test_the_benchmark_thread_screen_takes_five_statements(board: Board) -> None:
    """``benchmarks/documents/thread.graphql`` as a signed-in member who does not moderate: the
    thread, its author, the page of posts with their authors joined, the viewer's powers (one
    recursive statement), and the reactions (counts and the viewer's own kinds in one grouped
    query)."""
    from pathlib import Path

    document = (Path(__file__).parents[3] / "benchmarks" / "documents" / "thread.graphql").read_text()
    thread = await _thread_with(board, 12)
    variables = {"id": gid("ForumThread", thread.id)}
    data = await board.gql(document, variables, user=board.li)
    posts = [edge["node"] for edge in data["node"]["posts"]["edges"]]
    assert len(posts) == 12 and posts[1]["reactionCounts"][0] == {"kind": "LIKE", "count": 1}
    assert posts[0]["myReactions"] == ["LIKE"] and posts[1]["myReactions"] == []  # li likes 0, 3, 6…
    assert posts[0]["author"]["name"] and len({post["author"]["id"] for post in posts}) > 1
    assert await _count(board, document, variables, board.li) == 5
