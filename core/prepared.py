"""SQL text of the loaders' statements, built once per shape instead of once per batch.

A loader's statement differs from one batch to the next only in its ids: Tortoise builds the
same text again each time (pypika's query objects and their rendering were about a fifth of a
screen's CPU). Here the text of a shape is built the first time by Tortoise itself, then reused
with the new ids in the same parameter slots.

Safe by construction, not by convention:
- the caller's key names everything but the ids (model, filters, ordering, joins); the key
  also carries the database client's type (the dialect) and the number of ids;
- ids are padded to a power of two by repeating the last one (``IN`` with a repeated value reads
  the same rows), so a shape has a handful of texts, not one per batch size;
- when the text is first built, the ids must appear among its parameters, contiguously and
  with their types, exactly as many times as the query uses them; otherwise the batch runs the
  text Tortoise just built, and the shape is cached later (the ids matched a constant parameter:
  ambiguous this time) or never (not among the parameters at all: written into the text).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.router import router

M = TypeVar("M", bound=Model)

# Shapes are few (one per loader kind, filter set and padded batch size): the bound only keeps
# a loader keyed on ever-changing filter values from growing the cache without end.
MAX_SHAPES = 1024


@dataclass(frozen=True, slots=True)
class Prepared:
    sql: str
    constants: tuple[tuple[Any, ...], ...]  # the shape's other parameters, around each run of ids
    extra: Any  # what the caller built beside the text (Tortoise's description of joined columns)

    def params(self, ids: Sequence[Any]) -> list[Any]:
        params = list(self.constants[0])
        for constants in self.constants[1:]:
            params.extend(ids)
            params.extend(constants)
        return params


Statement = tuple[str, list[Any], Any]  # SQL text, its parameters, the caller's extra
_NEVER = object()  # a shape whose ids are not among its parameters: built every time
_SHAPES: OrderedDict[Hashable, Prepared | object] = OrderedDict()


def padded(ids: Sequence[int]) -> list[int]:
    """The distinct ids, sorted, padded to a power of two with the last one."""
    unique = sorted(set(ids))
    size = 1 << (len(unique) - 1).bit_length() if unique else 0
    return unique + unique[-1:] * (size - len(unique))


def starts(params: Sequence[Any], ids: Sequence[Any]) -> list[int]:
    """Every index where ``ids`` start a contiguous run of ``params``; values match only with
    the same type (``True`` is not the id 1)."""
    n = len(ids)
    if not n:
        return []
    return [
        i for i in range(len(params) - n + 1)
        if all(type(a) is type(b) and a == b for a, b in zip(params[i : i + n], ids, strict=True))
    ]


def read_db(model: type[Model]) -> BaseDBAsyncClient:
    """The client a read of ``model`` uses now, as ``QuerySet`` chooses it (a transaction's
    connection inside one)."""
    return router.db_for_read(model) or model._meta.db


def statement(
    key: Hashable, db: BaseDBAsyncClient, ids: Sequence[Any], build: Callable[[], Statement], occurrences: int = 1
) -> Statement:
    """The statement of ``key`` for these ids: the shape's cached text with these ids in its
    slots, or ``build()``'s when the shape is new (then cached if its ids are found exactly
    ``occurrences`` times, as often as the query uses them) or cannot be cached. ``key`` must
    name everything the text and the other parameters depend on."""
    full_key = (key, type(db), len(ids))
    cached = _SHAPES.get(full_key)
    if isinstance(cached, Prepared):
        _SHAPES.move_to_end(full_key)
        return cached.sql, cached.params(ids), cached.extra
    sql, params, extra = built = build()
    if cached is _NEVER:
        return built
    n, found = len(ids), starts(params, ids)
    apart = all(b - a >= n for a, b in pairwise(found))
    if len(found) == occurrences and apart:  # more: a constant equals the ids; a later batch may tell
        gaps = zip([0, *(start + n for start in found)], [*found, len(params)], strict=True)
        _SHAPES[full_key] = Prepared(sql, tuple(tuple(params[a:b]) for a, b in gaps), extra)
    elif not found:
        _SHAPES[full_key] = _NEVER
    if len(_SHAPES) > MAX_SHAPES:
        _SHAPES.popitem(last=False)
    return built


async def select(
    key: Hashable, model: type[M], batch: Sequence[int], queryset: Callable[[list[int]], QuerySet[M]],
    occurrences: int = 1,
) -> list[M]:
    """``queryset(ids)``'s rows (a plain filtered, ordered, joined ``QuerySet``) for the batch's
    ids (``padded``), its SQL text built once per ``key`` and batch size; the query uses the ids
    ``occurrences`` times (``Q(a__in=ids) | Q(b__in=ids)``: 2)."""
    db, ids = read_db(model), padded(batch)

    def build() -> Statement:
        query = queryset(ids)
        query._db = db
        query._make_query()
        sql, params = query.query.get_parameterized_sql()
        return sql, params, query._select_related_idx

    sql, params, select_related_idx = statement(key, db, ids, build, occurrences)
    executor = db.executor_class(model=model, db=db, select_related_idx=select_related_idx)
    return await executor.execute_select(sql, params)


def clear() -> None:
    """Forget every shape."""
    _SHAPES.clear()
