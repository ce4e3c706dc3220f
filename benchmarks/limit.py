"""The practical limit for this stack: hand-written Starlette endpoints, one per screen, that
answer the same JSON as the GraphQL documents with the fewest SQL statements we can write
through the same Tortoise connection (asyncpg or aiosqlite), and no GraphQL at all.

Served by uvicorn, one worker, like ``guildhall serve``::

    python -m benchmarks.limit --port 8001   # GUILDHALL_DATABASE_URL as for the app

``POST /screen/<name>`` takes the GraphQL request's body (its ``variables``), ``GET /stats`` tells
the statements run so far. No permission checks beyond what the data of these screens needs:
the GraphQL side must show the same JSON (the benchmark compares them), not do less.
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
        value = datetime.fromisoformat(value)
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


async def studio(sql: Sql, variables: dict[str, Any]) -> Row:
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


async def organisations(sql: Sql, variables: dict[str, Any]) -> Row:
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


async def person(sql: Sql, variables: dict[str, Any]) -> Row:
    rows = await sql.rows("SELECT id, name, bio FROM core_person WHERE id = %s", pk_of(variables["id"]))
    return {
        "node": {"id": gid("Person", rows[0]["id"]), "name": rows[0]["name"], "bio": rows[0]["bio"]} if rows else None
    }


async def home(sql: Sql, variables: dict[str, Any], person_id: int) -> Row:
    me = await sql.rows("SELECT id, name FROM core_person WHERE id = %s", person_id)
    memberships = await sql.rows(
        "SELECT m.role, o.id, o.name FROM core_membership m JOIN core_organisation o ON o.id = m.organisation_id"
        " WHERE m.person_id = %s ORDER BY m.id",
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
    return {
        "me": {
            "id": gid("Person", me[0]["id"]),
            "name": me[0]["name"],
            "memberships": [
                {"role": m["role"], "organisation": {"id": gid("Organisation", m["id"]), "name": m["name"]}}
                for m in memberships
            ],
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
        }
    }


Handler = Callable[[Sql, dict[str, Any]], Awaitable[Row]]
# Forum threads and challenge boards register theirs here when those plugins land
# (``benchmarks/screens.py`` has the matching GraphQL side).
HANDLERS: dict[str, Handler] = {"studio": studio, "list": organisations, "node": person}


def create_app(settings: Settings, viewer_person_id: int) -> Starlette:
    registry = load_registry(settings.plugin_allow_list, entry_points=False)
    state: dict[str, Sql] = {}

    async def screen(request: Request) -> Response:
        name = request.path_params["name"]
        body = json.loads(await request.body())
        variables = body.get("variables") or {}
        sql = state["sql"]
        if name == "home":
            data = await home(sql, variables, viewer_person_id)
        else:
            data = await HANDLERS[name](sql, variables)
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
