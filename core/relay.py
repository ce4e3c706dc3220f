"""Relay plumbing: connections with ``totalCount``, offset cursors and global IDs."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from strawberry import relay
from tortoise.expressions import Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet

from core import errors
from core.errors import PublicError, UserInputError

DEFAULT_PAGE = 20
MAX_PAGE = 100
# Primary keys are PostgreSQL ``integer``s (32-bit); cursor offsets are held to the same range.
MAX_KEY = 2**31 - 1
_CANONICAL_INT = re.compile(r"(?:0|[1-9][0-9]*)")

NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT")
ConnT = TypeVar("ConnT")
M = TypeVar("M", bound=Model)


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    total_count: int

    @strawberry.field(description="The nodes of `edges`, for clients that need no cursors.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"o:{offset}".encode()).decode()


def canonical_int(text: str) -> int | None:
    """``text`` as an int if it is the one way we write a non-negative int below 2**31:
    ASCII digits, no sign, no leading zeros, no ``_``, no spaces, no other scripts' digits."""
    if len(text) > 10 or not _CANONICAL_INT.fullmatch(text):
        return None
    value = int(text)
    return value if value <= MAX_KEY else None


def strict_b64decode(value: str) -> str | None:
    """The UTF-8 text inside ``value`` if ``value`` is exactly what ``base64.b64encode`` makes of
    it; None for anything else (other alphabets, missing padding, junk, non-UTF-8 bytes)."""
    try:
        text = base64.b64decode(value.encode("ascii"), validate=True).decode("utf-8")
    except (UnicodeError, binascii.Error, ValueError):
        return None
    return text if base64.b64encode(text.encode()).decode() == value else None


def decode_cursor(cursor: str) -> int:
    """The offset in an ``after`` cursor; anything this API did not make is ``BAD_USER_INPUT``."""
    text = strict_b64decode(cursor)
    kind, _, value = (text or "").partition(":")
    offset = canonical_int(value) if kind == "o" else None
    if offset is None:
        raise PublicError("`after` is not a cursor from this API", errors.BAD_USER_INPUT, "after")
    return offset


def page_window(first: int | None, after: str | None) -> tuple[int, int]:
    """(offset, limit) for a page; ``first`` above the maximum is an error, not a silent cap."""
    if first is None:
        first = DEFAULT_PAGE
    if first < 0 or first > MAX_PAGE:
        raise PublicError(
            f"`first` must be between 0 and {MAX_PAGE}", errors.OUT_OF_RANGE, "first"
        )
    offset = decode_cursor(after) + 1 if after else 0
    return offset, first


def page_info(offset: int, count: int, total: int, edges: Sequence[Any]) -> PageInfo:
    return PageInfo(
        has_next_page=offset + count < total,
        has_previous_page=offset > 0,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )


def build_connection(
    nodes: Sequence[NodeT], offset: int, limit: int, total: int
) -> Connection[NodeT]:
    edges = [Edge(cursor=encode_cursor(offset + i), node=node) for i, node in enumerate(nodes)]
    return Connection(edges=edges, page_info=page_info(offset, len(nodes), total, edges), total_count=total)


def build_page(
    connection_cls: Callable[..., ConnT],
    edge_cls: Callable[..., Any],
    rows: Sequence[RowT],
    offset: int,
    limit: int,
    edge_fields: Callable[[RowT], dict[str, Any]],
) -> ConnT:
    """A page of already-loaded ``rows`` as a connection whose edges carry extra fields
    (e.g. a member's ``role``); ``edge_fields`` gives ``node`` and those fields for one row."""
    page = rows[offset : offset + limit]
    edges = [
        edge_cls(cursor=encode_cursor(offset + i), **edge_fields(row)) for i, row in enumerate(page)
    ]
    return connection_cls(
        edges=edges, page_info=page_info(offset, len(page), len(rows), edges), total_count=len(rows)
    )


def build_loaded_page(
    connection_cls: Callable[..., ConnT],
    edge_cls: Callable[..., Any],
    page: Sequence[RowT],
    offset: int,
    total: int,
    edge_fields: Callable[[RowT], dict[str, Any]],
) -> ConnT:
    """``build_page`` for a page the database already cut (``Loaders.page``): ``page`` holds
    only the rows from ``offset``, ``total`` counts them all."""
    edges = [edge_cls(cursor=encode_cursor(offset + i), **edge_fields(row)) for i, row in enumerate(page)]
    return connection_cls(edges=edges, page_info=page_info(offset, len(page), total, edges), total_count=total)


async def paginate_queryset(
    queryset: QuerySet[Any],
    first: int | None,
    after: str | None,
    to_node: Callable[[Any], NodeT],
) -> Connection[NodeT]:
    """A page of a queryset: one statement, whatever the page size (a second one, the COUNT,
    only for a page past the end)."""
    offset, limit = page_window(first, after)
    if not limit:
        return build_connection([], offset, limit, await queryset.count())
    rows, total = await rows_and_total(queryset.offset(offset).limit(limit), queryset)
    if total is None:
        total = 0 if offset == 0 else await queryset.count()
    return build_connection([to_node(row) for row in rows], offset, limit, total)


async def rows_and_total(page: QuerySet[M], counted: QuerySet[M]) -> tuple[list[M], int | None]:
    """The rows of ``page`` and how many rows ``counted`` has, in one statement: the COUNT rides
    along as a scalar subquery with its own bound parameters (PostgreSQL runs it once, as an
    InitPlan, beside the page's own index scan; a ``COUNT(*) OVER ()`` window would read every
    row before the LIMIT). The total is None when the page is empty: the caller counts apart if
    it needs to. (Not ``sql(params_inline=True)``: pypika leaves nested subqueries' values as
    placeholders and writes datetimes in a form SQLite's stored text does not compare with.)"""
    rows = list(await page.annotate(page_total=Subquery(counted.count())))
    return rows, (int(rows[0].page_total) if rows else None)  # type: ignore[attr-defined]


def paginate_list(
    rows: Sequence[RowT],
    first: int | None,
    after: str | None,
    to_node: Callable[[RowT], NodeT],
) -> Connection[NodeT]:
    """A page of rows already loaded in one batch (nested connections)."""
    offset, limit = page_window(first, after)
    page = rows[offset : offset + limit]
    return build_connection([to_node(row) for row in page], offset, limit, len(rows))


def to_global_id(type_name: str, pk: int) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


def parse_node_id(node_id: str) -> int | None:
    """The primary key in the node-id part of a global ID: a canonical decimal in 1 .. 2**31-1."""
    pk = canonical_int(node_id)
    return pk if pk else None


def parse_global_id(value: str) -> tuple[str, int] | None:
    """(type name, primary key) of a canonical global ID, else None: the ID must be the strict
    base64 of ``Type:pk`` with a canonical ``pk``, so one object has exactly one ID and
    ``TrainingSession:1_3`` or ``Person:²`` never reach a database query."""
    text = strict_b64decode(value)
    if text is None:
        return None
    type_name, colon, node_id = text.partition(":")
    pk = parse_node_id(node_id)
    if not colon or not type_name or pk is None:
        return None
    return type_name, pk


def decode_id(value: strawberry.ID | str, type_name: str, field: str) -> int:
    """The primary key inside a global ID of ``type_name``; anything else is ``INVALID_ID``."""
    parsed = parse_global_id(str(value))
    if parsed is None or parsed[0] != type_name:
        raise UserInputError(errors.INVALID_ID, f"`{field}` must be the ID of a {type_name}", field)
    return parsed[1]


def decode_optional_id(value: strawberry.ID | str | None, type_name: str, field: str) -> int | None:
    return None if value is None else decode_id(value, type_name, field)


def decode_query_id(value: strawberry.ID | str, type_name: str, field: str) -> int:
    """``decode_id`` for query arguments, where there is no payload: a top-level error."""
    try:
        return decode_id(value, type_name, field)
    except UserInputError as exc:
        raise PublicError(str(exc), errors.INVALID_ID, field) from None
