"""The practical limit for this stack: hand-written Starlette endpoints, one per screen, that
answer the same JSON as the GraphQL documents with the fewest SQL statements we can write
through the same Tortoise connection (asyncpg or aiosqlite), and no GraphQL at all.

Served by uvicorn, one worker, like ``guildhall serve``::

    python -m benchmarks.limit --port 8001   # GUILDHALL_DATABASE_URL as for the app

``POST /screen/<name>`` takes the GraphQL request's body (its ``variables``), ``GET /stats`` tells
the statements run so far; a request with an ``Authorization`` header is the ``--viewer``
person's, one without is anonymous. The endpoints apply the app's rules wherever the screens'
data can tell them apart, inside their statements: a hidden post's body only for the board's
moderators (``can_manage_org``: admins of the organisation or an ancestor, of an alliance's lead
member), public problems only for anonymous callers, no threads where the forum is off (the
host's ``ListGuard``), notifications only while their subject is there. No other checks: the
GraphQL side must show the same JSON (the benchmark compares them), not do less.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import gc
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tortoise import connections

from core.db import Timeouts, close_db, init_db
from core.settings import Settings
from host.registry import load_registry

try:
    import orjson

    def dumps(value: Any) -> bytes:
        return orjson.dumps(value)
except ImportError:  # pragma: no cover - orjson is in the lock

    def dumps(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


STATEMENTS = 0
Row = dict[str, Any]


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def pk_of(value: str) -> int:
    return int(base64.b64decode(value).decode().partition(":")[2])


def iso(value: Any) -> str:
    """DateTime/Date as the GraphQL scalars print them (SQLite hands back text)."""
    if isinstance(value, str):
        value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    assert isinstance(value, datetime | date)
    return value.isoformat()


class Sql:
    """Parameter style and ``IN`` lists for the two dialects."""

    def __init__(self) -> None:
        self.conn = connections.get("default")
        self.postgres = self.conn.capabilities.dialect == "postgres"

    async def rows(self, sql: str, *params: Any) -> list[Row]:
        """``sql`` with ``%s`` placeholders; a list parameter is an ``IN`` list."""
        global STATEMENTS
        parts = sql.split("%s")
        text, values = parts[0], []
        for param, rest in zip(params, parts[1:], strict=True):
            if isinstance(param, list):  # written `column = %s`
                if self.postgres:
                    values.append(param)
                    text += f"ANY(${len(values)}::int[])"
                else:
                    values.extend(param)
                    text = text.removesuffix("= ") + "IN (" + (",".join("?" * len(param)) or "NULL") + ")"
            else:
                values.append(param)
                text += f"${len(values)}" if self.postgres else "?"
            text += rest
        STATEMENTS += 1
        return list(await self.conn.execute_query_dict(text, values))


def _group(rows: Sequence[Row], key: str) -> dict[int, list[Row]]:
    groups: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return groups


async def _skills(sql: Sql, people: list[int]) -> dict[int, list[Row]]:
    rows = await sql.rows(
        "SELECT ps.person_id, ps.level, s.id, s.name FROM core_person_skill ps JOIN core_skill s ON s.id = ps.skill_id"
        " WHERE ps.person_id = %s ORDER BY ps.level, ps.id",
        people,
    )
    return _group(rows, "person_id")


def _skill_list(rows: list[Row]) -> list[Row]:
    return [{"level": r["level"], "skill": {"id": gid("Skill", r["id"]), "name": r["name"]}} for r in rows]


async def studio(sql: Sql, variables: dict[str, Any], person_id: int | None) -> Row:
    org_id = pk_of(variables["id"])
    orgs = await sql.rows(
        "SELECT o.id, o.name, o.kind, o.region, o.description, p.id AS leader_id, p.name AS leader_name"
        " FROM core_organisation o LEFT JOIN core_person p ON p.id = o.leader_id WHERE o.id = %s",
        org_id,
    )
    if not orgs:
        return {"node": None}
    org = orgs[0]
    members = await sql.rows(
        "SELECT m.role, p.id, p.name, COUNT(*) OVER () AS total FROM core_membership m"
        " JOIN core_person p ON p.id = m.person_id WHERE m.organisation_id = %s ORDER BY m.id LIMIT 20",
        org_id,
    )
    people = [m["id"] for m in members]
    skills = await _skills(sql, people)
    honours = _group(
        await sql.rows(
            "SELECT person_id, title, level, year FROM core_honour WHERE person_id = %s ORDER BY year DESC, id",
            people,
        ),
        "person_id",
    )
    total = members[0]["total"] if members else 0
    return {
        "node": {
            "id": gid("Organisation", org["id"]),
            "name": org["name"],
            "kind": org["kind"],
            "region": org["region"],
            "description": org["description"],
            "leader": {"id": gid("Person", org["leader_id"]), "name": org["leader_name"]} if org["leader_id"] else None,
            "members": {
                "totalCount": total,
                "edges": [
                    {
                        "role": m["role"],
                        "node": {
                            "id": gid("Person", m["id"]),
                            "name": m["name"],
                            "skills": _skill_list(skills.get(m["id"], [])),
                            "honours": [
                                {"title": h["title"], "level": h["level"], "year": h["year"]}
                                for h in honours.get(m["id"], [])
                            ],
                        },
                    }
                    for m in members
                ],
            },
        }
    }


async def organisations(sql: Sql, variables: dict[str, Any], person_id: int | None) -> Row:
    orgs = await sql.rows(
        "SELECT id, name, COUNT(*) OVER () AS total FROM core_organisation ORDER BY id LIMIT %s",
        100,
    )
    members = await sql.rows(
        "SELECT t.organisation_id, t.role, t.total, p.id, p.name FROM ("
        " SELECT m.id AS mid, m.organisation_id, m.person_id, m.role,"
        " ROW_NUMBER() OVER (PARTITION BY m.organisation_id ORDER BY m.id) AS n,"
        " COUNT(*) OVER (PARTITION BY m.organisation_id) AS total"
        " FROM core_membership m WHERE m.organisation_id = %s) t"
        " JOIN core_person p ON p.id = t.person_id WHERE t.n <= 20 ORDER BY t.organisation_id, t.mid",
        [o["id"] for o in orgs],
    )
    skills = await _skills(sql, sorted({m["id"] for m in members}))
    by_org = _group(members, "organisation_id")
    total = orgs[0]["total"] if orgs else 0
    return {
        "organisations": {
            "totalCount": total,
            "edges": [
                {
                    "node": {
                        "id": gid("Organisation", o["id"]),
                        "name": o["name"],
                        "members": {
                            "totalCount": by_org[o["id"]][0]["total"] if by_org.get(o["id"]) else 0,
                            "edges": [
                                {
                                    "role": m["role"],
                                    "node": {
                                        "id": gid("Person", m["id"]),
                                        "name": m["name"],
                                        "skills": _skill_list(skills.get(m["id"], [])),
                                    },
                                }
                                for m in by_org.get(o["id"], [])
                            ],
                        },
                    }
                }
                for o in orgs
            ],
        }
    }


async def person(sql: Sql, variables: dict[str, Any], person_id: int | None) -> Row:
    rows = await sql.rows("SELECT id, name, bio FROM core_person WHERE id = %s", pk_of(variables["id"]))
    return {
        "node": {"id": gid("Person", rows[0]["id"]), "name": rows[0]["name"], "bio": rows[0]["bio"]} if rows else None
    }


async def home(sql: Sql, variables: dict[str, Any], person_id: int | None) -> Row:
    assert person_id is not None  # the home screen is signed in
    me = await sql.rows("SELECT id, name FROM core_person WHERE id = %s", person_id)
    # Memberships with each board's first five threads (pinned first, then the most recently
    # active) and its thread count: a window per organisation, joined in the same statement.
    memberships = await sql.rows(
        "SELECT m.id AS mid, m.role, o.id, o.name, t.id AS thread_id, t.title, t.pinned, t.post_count,"
        " t.last_activity_at, t.total FROM core_membership m JOIN core_organisation o ON o.id = m.organisation_id"
        " LEFT JOIN (SELECT th.id, th.organisation_id, th.title, th.pinned, th.post_count, th.last_activity_at,"
        " ROW_NUMBER() OVER (PARTITION BY th.organisation_id"
        " ORDER BY th.pinned DESC, th.last_activity_at DESC, th.id DESC) AS n,"
        " COUNT(*) OVER (PARTITION BY th.organisation_id) AS total FROM forum_thread th"
        " WHERE th.organisation_id IN (SELECT organisation_id FROM core_membership WHERE person_id = %s)"
        # Where the forum is off, the host's ListGuard shows no threads.
        " AND th.organisation_id IN (SELECT organisation_id FROM core_organisation_plugin"
        " WHERE plugin = 'forum' AND enabled)) t"
        " ON t.organisation_id = o.id AND t.n <= 5 WHERE m.person_id = %s ORDER BY m.id, t.n",
        person_id,
        person_id,
    )
    mentorships = await sql.rows(
        "SELECT x.id, x.status, x.planned_start, a.id AS mentor_id, a.name AS mentor_name, b.id AS apprentice_id,"
        " b.name AS apprentice_name, s.id AS skill_id, s.name AS skill_name, COUNT(*) OVER () AS total"
        " FROM mentorship_mentorship x JOIN core_person a ON a.id = x.mentor_id"
        " JOIN core_person b ON b.id = x.apprentice_id JOIN core_skill s ON s.id = x.skill_id"
        " WHERE (x.mentor_id = %s OR x.apprentice_id = %s) AND x.status = %s ORDER BY x.id DESC LIMIT 10",
        person_id,
        person_id,
        "ACTIVE",
    )
    enrolments = await sql.rows(
        "SELECT e.id, e.status, s.id AS session_id, s.starts_at, s.venue, c.id AS course_id, c.title,"
        " COUNT(*) OVER () AS total FROM training_enrolment e JOIN training_session s ON s.id = e.session_id"
        " JOIN training_course c ON c.id = s.course_id WHERE e.person_id = %s AND e.status = %s"
        " ORDER BY s.starts_at DESC, e.id DESC LIMIT 10",
        person_id,
        "CONFIRMED",
    )
    inbox = await _inbox(sql, person_id, 10)
    boards: dict[int, Row] = {}
    for m in memberships:
        entry = boards.get(m["mid"])
        if entry is None:
            entry = boards[m["mid"]] = {
                "role": m["role"],
                "organisation": {
                    "id": gid("Organisation", m["id"]),
                    "name": m["name"],
                    "threads": {"totalCount": m["total"] or 0, "edges": []},
                },
            }
        if m["thread_id"] is not None:
            entry["organisation"]["threads"]["edges"].append(
                {
                    "node": {
                        "id": gid("ForumThread", m["thread_id"]),
                        "title": m["title"],
                        "pinned": bool(m["pinned"]),
                        "postCount": m["post_count"],
                        "lastActivityAt": iso(m["last_activity_at"]),
                    }
                }
            )
    return {
        "me": {
            "id": gid("Person", me[0]["id"]),
            "name": me[0]["name"],
            "memberships": list(boards.values()),
            "mentorships": {
                "totalCount": mentorships[0]["total"] if mentorships else 0,
                "edges": [
                    {
                        "node": {
                            "id": gid("Mentorship", x["id"]),
                            "status": x["status"],
                            "plannedStart": iso(x["planned_start"]),
                            "mentor": {"id": gid("Person", x["mentor_id"]), "name": x["mentor_name"]},
                            "apprentice": {"id": gid("Person", x["apprentice_id"]), "name": x["apprentice_name"]},
                            "skill": {"id": gid("Skill", x["skill_id"]), "name": x["skill_name"]},
                        }
                    }
                    for x in mentorships
                ],
            },
            "enrolments": {
                "totalCount": enrolments[0]["total"] if enrolments else 0,
                "edges": [
                    {
                        "node": {
                            "id": gid("TrainingEnrolment", e["id"]),
                            "status": e["status"],
                            "session": {
                                "id": gid("TrainingSession", e["session_id"]),
                                "startsAt": iso(e["starts_at"]),
                                "venue": e["venue"],
                                "course": {"id": gid("TrainingCourse", e["course_id"]), "title": e["title"]},
                            },
                        }
                    }
                    for e in enrolments
                ],
            },
            "notifications": inbox,
        }
    }


# The tables behind the notification subjects the dataset links to; their rows are public
# (a forum post shows even when hidden, a mentorship's existence is public), so a subject is
# visible exactly when its row is there.
SUBJECT_TABLES = {"ForumPost": "forum_post", "ForumThread": "forum_thread", "Mentorship": "mentorship_mentorship"}
UNREAD_SCAN = 100  # as core.notifications.queries


def _parse_gid(value: str) -> tuple[str, int] | None:
    try:
        type_name, _, pk = base64.b64decode(value).decode().partition(":")
        return type_name, int(pk)
    except ValueError:
        return None


async def _inbox(sql: Sql, person_id: int, first: int) -> Row:
    """``notifications(first:) { totalCount unreadCount edges }``: the page and the newest 100
    unread in one statement (two row numbers over the person's notifications), then which of
    their subjects still exist, in one statement for every subject type."""
    rows = await sql.rows(
        "SELECT x.*, p.name AS actor_name, p.id AS actor_pk FROM (SELECT n.id, n.kind, n.summary, n.created_at,"
        " n.read_at, n.subject, n.actor_id, COUNT(*) OVER () AS total,"
        " ROW_NUMBER() OVER (ORDER BY n.id DESC) AS n_all,"
        " ROW_NUMBER() OVER (PARTITION BY n.read_at IS NULL ORDER BY n.id DESC) AS n_unread"
        " FROM core_notification n WHERE n.recipient_id = %s) x LEFT JOIN core_person p ON p.id = x.actor_id"
        " WHERE x.n_all <= %s OR (x.read_at IS NULL AND x.n_unread <= %s) ORDER BY x.id DESC",
        person_id,
        first,
        UNREAD_SCAN,
    )
    wanted: dict[str, list[int]] = {name: [] for name in SUBJECT_TABLES}
    for row in rows:
        parsed = _parse_gid(row["subject"])
        if parsed and parsed[0] in wanted:
            wanted[parsed[0]].append(parsed[1])
    found = await sql.rows(
        " UNION ALL ".join(
            f"SELECT '{name}' AS type, id FROM {table} WHERE id = %s" for name, table in SUBJECT_TABLES.items()
        ),
        *wanted.values(),
    )
    there = {(r["type"], r["id"]) for r in found}
    subjects = {r["id"]: _parse_gid(r["subject"]) for r in rows}
    visible = {r["id"] for r in rows if subjects[r["id"]] in there}
    page = [r for r in rows if r["n_all"] <= first and r["id"] in visible]
    return {
        "totalCount": rows[0]["total"] if rows else 0,
        "unreadCount": sum(
            1 for r in rows if r["read_at"] is None and r["n_unread"] <= UNREAD_SCAN and r["id"] in visible
        ),
        "edges": [
            {
                "node": {
                    "id": gid("Notification", r["id"]),
                    "kind": r["kind"],
                    "summary": r["summary"],
                    "createdAt": iso(r["created_at"]),
                    "readAt": iso(r["read_at"]) if r["read_at"] is not None else None,
                    "actor": {"id": gid("Person", r["actor_pk"]), "name": r["actor_name"]} if r["actor_pk"] else None,
                    "subject": {"__typename": subjects[r["id"]][0], "id": r["subject"]},  # type: ignore[index]
                }
            }
            for r in page
        ],
    }


REACTION_KINDS = ("LIKE", "THANKS", "INSIGHTFUL")


async def thread(sql: Sql, variables: dict[str, Any], person_id: int | None) -> Row:
    """A thread and its first 50 posts: two statements. The first reads the thread with whether
    the viewer moderates its board (``can_manage_org``: an admin or leader of the board's
    organisation or of an ancestor, or of a lead member of an alliance board); the second the
    page of posts with their authors, the total, reaction counts and the viewer's reactions."""
    thread_id = pk_of(variables["id"])
    viewer = person_id or 0
    found = await sql.rows(
        "WITH RECURSIVE up(id) AS (SELECT organisation_id FROM forum_thread WHERE id = %s"
        " UNION SELECT o.parent_id FROM core_organisation o JOIN up ON o.id = up.id WHERE o.parent_id IS NOT NULL)"
        " SELECT t.id, t.title, t.locked, t.pinned, t.post_count, a.id AS author_id, a.name AS author_name,"
        " EXISTS (SELECT 1 FROM core_membership m WHERE m.person_id = %s AND m.role IN ('ADMIN', 'LEADER')"
        " AND (m.organisation_id IN (SELECT id FROM up) OR m.organisation_id IN (SELECT organisation_id"
        " FROM core_alliance_membership WHERE alliance_id = t.organisation_id AND role = 'LEAD'))) AS moderator"
        " FROM forum_thread t JOIN core_person a ON a.id = t.author_id WHERE t.id = %s",
        thread_id,
        viewer,
        thread_id,
    )
    if not found:
        return {"node": None}
    t = found[0]
    counts = ", ".join(f"SUM(CASE WHEN kind = '{k}' THEN 1 ELSE 0 END) AS n_{k.lower()}" for k in REACTION_KINDS)
    mine = ", ".join(
        f"MAX(CASE WHEN person_id = %s AND kind = '{k}' THEN 1 ELSE 0 END) AS my_{k.lower()}" for k in REACTION_KINDS
    )
    posts = await sql.rows(
        "SELECT p.id, p.body, p.hidden, p.created_at, p.edited_at, p.reply_to_id, p.total, a.id AS author_id,"
        f" a.name AS author_name, {', '.join(f'r.n_{k.lower()}, r.my_{k.lower()}' for k in REACTION_KINDS)}"
        " FROM (SELECT id, body, hidden, created_at, edited_at, reply_to_id, author_id, COUNT(*) OVER () AS total"
        " FROM forum_post WHERE thread_id = %s ORDER BY id LIMIT 50) p JOIN core_person a ON a.id = p.author_id"
        f" LEFT JOIN (SELECT post_id, {counts}, {mine} FROM forum_reaction"
        " WHERE post_id IN (SELECT id FROM forum_post WHERE thread_id = %s ORDER BY id LIMIT 50) GROUP BY post_id) r"
        " ON r.post_id = p.id ORDER BY p.id",
        thread_id,
        viewer,
        viewer,
        viewer,
        thread_id,
    )
    moderator = bool(t["moderator"])
    return {
        "node": {
            "id": gid("ForumThread", t["id"]),
            "title": t["title"],
            "locked": bool(t["locked"]),
            "pinned": bool(t["pinned"]),
            "postCount": t["post_count"],
            "author": {"id": gid("Person", t["author_id"]), "name": t["author_name"]},
            "posts": {
                "totalCount": posts[0]["total"] if posts else 0,
                "edges": [
                    {
                        "node": {
                            "id": gid("ForumPost", p["id"]),
                            "body": p["body"] if moderator or not p["hidden"] else None,
                            "hidden": bool(p["hidden"]),
                            "createdAt": iso(p["created_at"]),
                            "editedAt": iso(p["edited_at"]) if p["edited_at"] is not None else None,
                            "author": {"id": gid("Person", p["author_id"]), "name": p["author_name"]},
                            "replyTo": {"id": gid("ForumPost", p["reply_to_id"])} if p["reply_to_id"] else None,
                            "reactionCounts": [
                                {"kind": k, "count": int(p[f"n_{k.lower()}"] or 0)} for k in REACTION_KINDS
                            ],
                            "myReactions": [k for k in REACTION_KINDS if p[f"my_{k.lower()}"]],
                        }
                    }
                    for p in posts
                ],
            },
        }
    }


async def problems(sql: Sql, variables: dict[str, Any], person_id: int | None) -> Row:
    """The challenge board for an anonymous caller (PUBLIC problems only): the page with its
    total, organisation and standing bids in one statement, the page's skills in another."""
    assert person_id is None, "the board is measured signed out"
    first = variables.get("first")
    first = 20 if first is None else int(first)
    chain = variables.get("chain")
    rows = await sql.rows(
        "SELECT t.id, t.title, t.urgency, t.reward, t.total, o.name AS org_name,"
        " (SELECT COUNT(*) FROM challenges_bid b WHERE b.problem_id = t.id AND b.status IN ('PENDING', 'ACCEPTED'))"
        " AS bids FROM (SELECT id, title, urgency, reward, organisation_id, created_at, COUNT(*) OVER () AS total"
        " FROM challenges_problem WHERE status = 'OPEN' AND visibility = 'PUBLIC'"
        + (" AND industry_chain = %s" if chain is not None else "")
        + " ORDER BY created_at DESC, id DESC LIMIT %s) t JOIN core_organisation o ON o.id = t.organisation_id"
        " ORDER BY t.created_at DESC, t.id DESC",
        *([chain] if chain is not None else []),
        first,
    )
    skills = _group(
        await sql.rows(
            "SELECT ps.problem_id, ps.min_level, s.name FROM challenges_problem_skill ps"
            " JOIN core_skill s ON s.id = ps.skill_id WHERE ps.problem_id = %s ORDER BY ps.id",
            [r["id"] for r in rows],
        ),
        "problem_id",
    )
    return {
        "problems": {
            "totalCount": rows[0]["total"] if rows else 0,
            "edges": [
                {
                    "node": {
                        "id": gid("Problem", r["id"]),
                        "title": r["title"],
                        "urgency": r["urgency"],
                        "reward": r["reward"],
                        "organisation": {"name": r["org_name"]},
                        "skills": [
                            {"skill": {"name": s["name"]}, "minLevel": s["min_level"]} for s in skills.get(r["id"], [])
                        ],
                        "bidCount": r["bids"],
                    }
                }
                for r in rows
            ],
        }
    }


# Each handler gets the request's variables and the viewer's person id (None when the request
# carries no token); ``benchmarks/screens.py`` has the matching GraphQL side.
Handler = Callable[[Sql, dict[str, Any], int | None], Awaitable[Row]]
HANDLERS: dict[str, Handler] = {
    "home": home,
    "studio": studio,
    "list": organisations,
    "node": person,
    "thread": thread,
    "challenges": problems,
}


def create_app(settings: Settings, viewer_person_id: int) -> Starlette:
    registry = load_registry(settings.plugin_allow_list, entry_points=False)
    state: dict[str, Sql] = {}

    async def screen(request: Request) -> Response:
        name = request.path_params["name"]
        body = json.loads(await request.body())
        variables = body.get("variables") or {}
        viewer = viewer_person_id if request.headers.get("authorization") else None
        data = await HANDLERS[name](state["sql"], variables, viewer)
        return Response(dumps({"data": data}), media_type="application/json")

    async def stats(request: Request) -> JSONResponse:
        return JSONResponse({"statements": STATEMENTS})

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        timeouts = Timeouts(settings.database_connect_timeout_seconds, settings.database_statement_timeout_seconds)
        await init_db(settings.database_url, registry.model_apps, timeouts)
        state["sql"] = Sql()
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await close_db()

    return Starlette(
        routes=[Route("/screen/{name}", screen, methods=["POST"]), Route("/stats", stats), Route("/healthz", healthz)],
        lifespan=lifespan,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--viewer", type=int, required=True, help="the home screen's person id")
    args = parser.parse_args()
    app = create_app(Settings(), args.viewer)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
