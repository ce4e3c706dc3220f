"""A person's growth record (成长档案): one timeline across core and every plugin.

Each plugin answers the ``growth_items(person_id, before, limit)`` hook (``core.hookspecs``) with
its newest entries; core merges them newest first and pages through them with a cursor that
holds a time and how many entries *at exactly that time* were already passed, so entries
sharing a timestamp are neither repeated nor skipped. Entries at the same time keep the order of
the plugins and, within one plugin, the plugin's own order (each breaks ties by id).

An entry is shown only where the viewer may see its subject (``core.queries.visible_nodes``,
batched per type); one without a subject only to the person and admins of the person. Hidden
entries still move the cursor on, so a page can hold fewer than ``first`` entries.

Statements per page: each plugin's fixed number, plus the batched visibility checks; never
one per entry.
"""

from __future__ import annotations

import base64
import inspect
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, Self

import strawberry
from strawberry import relay
from strawberry.dataloader import DataLoader

from core import errors
from core.context import Info
from core.errors import PublicError
from core.people.models import Honour
from core.plugin_api import STUDIO_YEAR_ZONE, GrowthItem, year_bounds
from core.relay import DEFAULT_PAGE, MAX_PAGE, PageInfo, strict_b64decode, to_global_id
from core.skills.models import GRADE_NAMES_ZH, PersonSkill

log = logging.getLogger(__name__)

TITLE_MAX = 200  # characters of an entry's title shown
MAX_SKIP = 10_000  # entries at one instant a cursor may step over
_CURSOR = re.compile(r"g:(0|[1-9][0-9]{0,17}):(0|[1-9][0-9]{0,5})")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


# The hook for core itself: honours and skill levels ----------------------------------------


async def core_growth_items(person_id: int, before: datetime | None, limit: int) -> list[GrowthItem]:
    """Honours (at the start of their year, China time) and the current level in each skill
    (when it was last set: core keeps no older levels). Two statements."""
    honours = Honour.filter(person_id=person_id)
    levels = PersonSkill.filter(person_id=person_id)
    if before is not None:
        honours = honours.filter(year__lte=before.astimezone(STUDIO_YEAR_ZONE).year)
        levels = levels.filter(updated_at__lte=before)
    items = [
        GrowthItem(
            at=year_bounds(row.year)[0],
            kind="core.honour",
            title=f"荣获{row.title}",
            subject=to_global_id("Person", person_id),
        )
        for row in await honours.order_by("-year", "-id").limit(limit)
    ]
    for row in (
        await levels.order_by("-updated_at", "-id")
        .limit(limit)
        .values("level", "updated_at", "skill_id", "skill__name")
    ):
        items.append(
            GrowthItem(
                at=row["updated_at"],
                kind="core.skill_level",
                title=f"{row['skill__name']}达到{GRADE_NAMES_ZH.get(row['level'], str(row['level']))}",
                subject=to_global_id("Skill", row["skill_id"]),
            )
        )
    return newest_first(items)[:limit]


def newest_first(items: list[GrowthItem]) -> list[GrowthItem]:
    """Sorted newest first, keeping the given order among entries at the same time."""
    return sorted(items, key=lambda item: aware(item.at), reverse=True)


def aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


# Cursors ------------------------------------------------------------------------------------


def encode_cursor(at: datetime, passed: int) -> str:
    """``passed`` entries at exactly ``at`` (this one included) are behind the cursor."""
    micros = (aware(at) - _EPOCH) // _MICROSECOND
    return base64.b64encode(f"g:{micros}:{passed}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    text = strict_b64decode(cursor)
    match = _CURSOR.fullmatch(text or "")
    if match is None or int(match.group(2)) > MAX_SKIP:
        raise PublicError("`after` is not a growth cursor from this API", errors.BAD_USER_INPUT, "after")
    try:
        at = _EPOCH + int(match.group(1)) * _MICROSECOND
    except OverflowError:
        raise PublicError("`after` is not a growth cursor from this API", errors.BAD_USER_INPUT, "after") from None
    return at, int(match.group(2))


# GraphQL -----------------------------------------------------------------------------------


@strawberry.type(description="One entry of a person's growth record, e.g. a graduation (出师).")
class GrowthEntry:
    at: datetime
    kind: str = strawberry.field(description='Namespaced by plugin, e.g. "mentorship.graduated", "core.honour".')
    title: str = strawberry.field(description="One short line, e.g. 焊接出师（师傅王建国）.")
    subject_node: strawberry.Private[relay.Node | None]

    @classmethod
    def of(cls, item: GrowthItem, subject: relay.Node | None) -> Self:
        return cls(at=aware(item.at).astimezone(UTC), kind=item.kind, title=item.title, subject_node=subject)

    @strawberry.field(description="What the entry links to (any node); null when it links to nothing.")
    def subject(self) -> relay.Node | None:
        return self.subject_node


@strawberry.type
class GrowthEdge:
    cursor: str
    node: GrowthEntry


@strawberry.type(
    description="A growth record page. No `totalCount`: the entries come from every plugin and are counted by none."
)
class GrowthConnection:
    edges: list[GrowthEdge]
    page_info: PageInfo

    @strawberry.field(description="The nodes of `edges`, for clients that need no cursors.")
    def nodes(self) -> list[GrowthEntry]:
        return [edge.node for edge in self.edges]


async def _answer(info: Info, plugin: str, names: list[str], kwargs: dict[str, Any]) -> list[Any]:
    """One plugin's answer, through a pluggy hook caller (so tracing and wrappers apply)."""
    pm = info.context.rt.registry.pm
    others = [pm.get_plugin(other) for other in names if other != plugin]
    found: list[Any] = []
    for result in pm.subset_hook_caller("growth_items", remove_plugins=others)(**kwargs):
        answer = await result if inspect.isawaitable(result) else result
        found.extend(answer or [])
    return found


async def _plugin_items(info: Info, person_id: int, before: datetime | None, limit: int) -> list[GrowthItem]:
    """Every plugin's entries in registration order (core first), each plugin's cut to ``limit``
    and to ``before``. Each plugin is asked on its own: one that fails (logged) loses only its
    own entries, and an answer that is not a ``GrowthItem`` is dropped (logged)."""
    pm = info.context.rt.registry.pm
    implementers = {impl.plugin_name for impl in pm.hook.growth_items.get_hookimpls()}
    names = [name for name, _ in pm.list_name_plugin()]
    kwargs = {"person_id": person_id, "before": before, "limit": limit}
    items: list[GrowthItem] = []
    for plugin in (name for name in names if name in implementers):
        try:
            answer = await _answer(info, plugin, names, kwargs)
        except Exception:
            log.exception("growth_items hook of %s failed for person %s", plugin, person_id)
            continue
        own = []
        for item in answer:
            if not isinstance(item, GrowthItem) or not isinstance(item.at, datetime):
                log.warning("growth_items hook of %s: entry dropped (%r)", plugin, type(item).__name__)
            elif before is None or aware(item.at) <= before:
                own.append(replace(item, title=item.title[:TITLE_MAX]) if len(item.title) > TITLE_MAX else item)
        items.extend(newest_first(own)[:limit])
    return newest_first(items)


def _one_person(info: Info) -> DataLoader[int, bool]:
    """Per request: True for the first person whose growth record is asked for (and for that
    person again), False for any other. No statement."""
    chosen: list[int] = []

    async def load(person_ids: Sequence[int]) -> list[bool]:
        if not chosen and person_ids:
            chosen.append(person_ids[0])
        return [person_id == chosen[0] for person_id in person_ids]

    return info.context.loaders.get(("growth_person",), lambda: DataLoader(load_fn=load))


async def growth_page(info: Info, person_id: int, first: int | None, after: str | None) -> GrowthConnection | None:
    """One page of the person's growth record; None when another person's record was already
    asked for in this request (a record is a profile page, not a list column: every plugin
    answers per person, so a list of records would cost statements per person). The same page
    asked again in the request (the same author on every post of a thread) is made once."""
    first = DEFAULT_PAGE if first is None else first
    if not 0 <= first <= MAX_PAGE:
        raise PublicError(f"`first` must be between 0 and {MAX_PAGE}", errors.OUT_OF_RANGE, "first")
    before, passed = decode_cursor(after) if after else (None, 0)

    async def pages(person_ids: Sequence[int]) -> list[GrowthConnection | None]:
        return [await _page(info, pid, first, before, passed) for pid in person_ids]

    loader = info.context.loaders.get(("growth_page", first, after), lambda: DataLoader(load_fn=pages))
    return await loader.load(person_id)


async def _page(
    info: Info, person_id: int, first: int, before: datetime | None, passed: int
) -> GrowthConnection | None:
    from core.permissions import can_see_contact
    from core.queries import visible_nodes

    if not await _one_person(info).load(person_id):
        return None
    items = await _plugin_items(info, person_id, before, passed + first + 1)
    # Entries at exactly ``before`` come first; the cursor already passed ``passed`` of them.
    at_before = 0
    while before is not None and at_before < len(items) and aware(items[at_before].at) == before:
        at_before += 1
    window = items[min(passed, at_before) :]
    page, has_next = window[:first], len(window) > first

    cursors: list[str] = []
    last_at, run = before, passed if before is not None else 0
    for item in page:
        at = aware(item.at)
        run = run + 1 if at == last_at else 1
        last_at = at
        cursors.append(encode_cursor(at, run))

    subjects = [item.subject for item in page if item.subject]
    nodes = iter(await visible_nodes(info, subjects))
    own_record = info.context.viewer.person_id == person_id or (
        any(not item.subject for item in page) and await can_see_contact(info.context, person_id)
    )
    edges = []
    for item, cursor in zip(page, cursors, strict=True):
        node = next(nodes) if item.subject else None
        if node is not None or (not item.subject and own_record):
            edges.append(GrowthEdge(cursor=cursor, node=GrowthEntry.of(item, node)))
    return GrowthConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=before is not None,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
    )
