"""Relay plumbing: connections with ``totalCount``, offset cursors and global IDs."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from strawberry import relay
from tortoise.queryset import QuerySet

from core import errors
from core.errors import PublicError, UserInputError

DEFAULT_PAGE = 20
MAX_PAGE = 100

NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT")
ConnT = TypeVar("ConnT")


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


def decode_cursor(cursor: str) -> int:
    try:
        kind, _, value = base64.b64decode(cursor, validate=True).decode().partition(":")
        offset = int(value)
        if kind != "o" or offset < 0:
            raise ValueError(cursor)
    except ValueError:
        raise PublicError("`after` is not a cursor from this API", errors.BAD_USER_INPUT, "after") from None
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


async def paginate_queryset(
    queryset: QuerySet[Any],
    first: int | None,
    after: str | None,
    to_node: Callable[[Any], NodeT],
) -> Connection[NodeT]:
    """A page of a queryset: one COUNT and one SELECT, whatever the page size."""
    offset, limit = page_window(first, after)
    total = await queryset.count()
    rows = await queryset.offset(offset).limit(limit) if limit else []
    return build_connection([to_node(row) for row in rows], offset, limit, total)


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


def decode_id(value: strawberry.ID | str, type_name: str, field: str) -> int:
    """The primary key inside a global ID of ``type_name``; anything else is ``INVALID_ID``."""
    try:
        gid = relay.GlobalID.from_id(str(value))
        pk = int(gid.node_id)
        if gid.type_name != type_name or pk <= 0:
            raise ValueError(value)
    except (ValueError, relay.GlobalIDValueError):
        raise UserInputError(
            errors.INVALID_ID, f"`{field}` must be the ID of a {type_name}", field
        ) from None
    return pk


def decode_optional_id(value: strawberry.ID | str | None, type_name: str, field: str) -> int | None:
    return None if value is None else decode_id(value, type_name, field)


def decode_query_id(value: strawberry.ID | str, type_name: str, field: str) -> int:
    """``decode_id`` for query arguments, where there is no payload: a top-level error."""
    try:
        return decode_id(value, type_name, field)
    except UserInputError as exc:
        raise PublicError(str(exc), errors.INVALID_ID, field) from None
