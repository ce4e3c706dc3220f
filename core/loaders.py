"""Per-request DataLoaders, made on first use and kept on the request context.

Loaders never live at module level: their cache would leak between requests and users.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.queryset import QuerySet

from core import prepared

M = TypeVar("M", bound=Model)
K = TypeVar("K")
V = TypeVar("V")


# Set while a compiled plan runs (schema/compiled.py): it never cancels one resolver while
# others go on, so the shared futures need no shield (one future and its callbacks fewer per load).
NO_CANCELLATION: ContextVar[bool] = ContextVar("guildhall_no_cancellation", default=False)


def shielded(loader: DataLoader[K, V]) -> DataLoader[K, V]:
    """``load`` answers a shield of the loader's shared future. Several resolvers await the same
    future; when GraphQL cancels one of them (a sibling field failed and nulled their parent), a
    bare ``await`` would cancel the shared future too, and the *other* resolvers, not cancelled,
    would get ``CancelledError``: an internal error (found by tests/security/test_matrix_reads.py)."""
    load = loader.load

    def shielded_load(key: K) -> Awaitable[V]:
        future = load(key)
        return future if NO_CANCELLATION.get() else asyncio.shield(future)

    loader.load = shielded_load  # type: ignore[method-assign]
    return loader


@dataclass(frozen=True)
class Page(Generic[M]):
    """One parent's page of children: the rows from ``offset`` and how many there are in all."""

    rows: list[M] = field(default_factory=list)
    total: int = 0


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _order_sql(model: type[Model], order_by: tuple[str, ...]) -> str:
    columns = model._meta.fields_db_projection
    table = _quote(model._meta.db_table)
    terms = []
    for item in order_by:
        name = item.lstrip("-")
        terms.append(f"{table}.{_quote(columns[name])} {'DESC' if item.startswith('-') else 'ASC'}")
    return ", ".join(terms)


Joins = list[tuple[type[Model], dict[str, str]]]  # each joined model, and its columns: row key -> column


def _joined_columns(model: type[Model], columns: Sequence[str], related: tuple[str, ...]) -> Joins:
    """For each joined foreign key, its model and its columns in a ``select_related`` row
    (Tortoise names them ``"<table>__<field>.<column>"``): worked out once per statement."""
    joins = []
    for name in related:
        prefix = f"{model._meta.db_table}__{name}."
        other_model = model._meta.fields_map[name].related_model  # type: ignore[attr-defined]
        joins.append((other_model, {key: key[len(prefix):] for key in columns if key.startswith(prefix)}))
    return joins


def _split_joined(model: type[M], row: dict[str, Any], joins: Joins) -> tuple[M, list[Model]]:
    """A row of ``select_related`` SQL: the model's own row, and each joined row (None where the
    foreign key was null)."""
    joined: list[Model] = []
    for other_model, names in joins:
        columns = {column: row.pop(key) for key, column in names.items()}
        if columns.get(other_model._meta.db_pk_column) is not None:
            joined.append(other_model._init_from_db(**columns))
    return model._init_from_db(**row), joined


def _pages_statement(
    model: type[Model], fk: str, ids: list[int], offset: int, limit: int,
    order_by: tuple[str, ...], related: tuple[str, ...], filters: dict[str, Any], db: BaseDBAsyncClient,
) -> tuple[str, list[Any]]:
    """The window statement of ``load_pages`` and its parameters."""
    queryset = model.filter(**{f"{fk}__in": ids}, **filters)
    if related:
        queryset = queryset.select_related(*related)
    queryset._db = db
    queryset._make_query()
    inner, params = queryset.query.get_parameterized_sql()
    assert inner.startswith("SELECT "), inner
    column = _quote(model._meta.fields_db_projection[fk])
    qualified = f"{_quote(model._meta.db_table)}.{column}"  # a joined table has its own columns
    window = (
        f'ROW_NUMBER() OVER (PARTITION BY {qualified} ORDER BY {_order_sql(model, order_by)}) "_page_n",'
        f'COUNT(*) OVER (PARTITION BY {qualified}) "_page_total",'
    )
    sql = (
        f'SELECT * FROM (SELECT {window}{inner[len("SELECT "):]}) "_page" '
        f'WHERE ("_page_n">{int(offset)} AND "_page_n"<={int(offset) + int(limit)}) OR "_page_n"=1 '
        f'ORDER BY {column},"_page_n"'
    )
    return sql, list(params)


async def load_pages(
    model: type[M], fk: str, parent_ids: Sequence[int], offset: int, limit: int,
    order_by: tuple[str, ...] = ("id",), related: tuple[str, ...] = (), **filters: Any,
) -> tuple[dict[int, Page[M]], list[Model]]:
    """Each parent's page in one statement (PostgreSQL and SQLite): a window numbers every
    parent's rows (``ROW_NUMBER() OVER (PARTITION BY fk ORDER BY …)``) and counts them, and only
    the rows of the pages are read, plus each parent's first row for its count when its page is
    empty (an offset past the end, or ``first: 0``). ``related`` foreign keys are joined into
    the statement; the rows they bring are returned beside the pages. The statement's text is
    built once per shape (``core.prepared``)."""
    ids = prepared.padded(parent_ids)
    db = prepared.read_db(model)
    key = ("pages", model, fk, offset, limit, order_by, related, tuple(sorted(filters.items())))

    def build() -> prepared.Statement:
        return *_pages_statement(model, fk, ids, offset, limit, order_by, related, filters, db), None

    sql, params, _ = prepared.statement(key, db, ids, build)
    pages: dict[int, Page[M]] = {}
    joined: list[Model] = []
    fk_column = model._meta.fields_db_projection[fk]
    joins: Joins | None = None
    for record in await db.execute_query_dict(sql, params):
        row = dict(record)
        number, total = row.pop("_page_n"), row.pop("_page_total")
        page = pages.setdefault(row[fk_column], Page([], total))
        if offset < number <= offset + limit:
            if joins is None:
                joins = _joined_columns(model, list(row), related)
            own, others = _split_joined(model, row, joins)
            page.rows.append(own)
            joined.extend(others)
    return pages, joined


class Loaders:
    def __init__(self) -> None:
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}

    def get(self, key: Hashable, make: Callable[[], DataLoader[K, V]]) -> DataLoader[K, V]:
        """The loader stored under ``key``, made by ``make`` the first time it is asked for."""
        if key not in self._loaders:
            self._loaders[key] = shielded(make())
        return self._loaders[key]

    def by_id(self, model: type[M]) -> DataLoader[int, M | None]:
        """``<Model>ByIdLoader``: rows by primary key, None for a missing one."""

        async def load(ids: Sequence[int]) -> list[M | None]:
            found = await prepared.select(("by_id", model), model, ids, by_ids)
            rows = {row.pk: row for row in found}
            return [rows.get(i) for i in ids]

        def by_ids(ids: list[int]) -> QuerySet[M]:
            return model.filter(pk__in=ids)

        return self.get(("by_id", model), lambda: DataLoader(load_fn=load))

    def children(
        self,
        model: type[M],
        fk: str,
        order_by: tuple[str, ...] = ("id",),
        related: tuple[str, ...] = (),
        **filters: Any,
    ) -> DataLoader[int, list[M]]:
        """``<Model>By<Fk>Loader``: all rows whose ``fk`` column is the key, in one query;
        ``related`` foreign keys are joined into the same statement (``select_related``) and the
        rows they bring are handed to their ``by_id`` loaders, so resolving them costs nothing."""
        key = ("children", model, fk, order_by, related, tuple(sorted(filters.items())))

        def of_parents(ids: list[int]) -> QuerySet[M]:
            queryset = model.filter(**{f"{fk}__in": ids}, **filters).order_by(*order_by)
            return queryset.select_related(*related) if related else queryset

        async def load(parent_ids: Sequence[int]) -> list[list[M]]:
            groups: dict[int, list[M]] = defaultdict(list)
            rows = await prepared.select(key, model, parent_ids, of_parents)
            joined: list[Model] = []
            for row in rows:
                groups[getattr(row, fk)].append(row)
                joined.extend(other for other in (getattr(row, name) for name in related) if other is not None)
            self._prime(joined)
            return [groups.get(i, []) for i in parent_ids]

        return self.get(key, lambda: DataLoader(load_fn=load))

    def page(
        self,
        model: type[M],
        fk: str,
        offset: int,
        limit: int,
        order_by: tuple[str, ...] = ("id",),
        related: tuple[str, ...] = (),
        **filters: Any,
    ) -> DataLoader[int, Page[M]]:
        """``<Model>PageBy<Fk>Loader``: each parent's page of rows and their total count, one
        statement for all parents however many rows each has (``load_pages``); ``related`` rows
        come in the same statement and are handed to their ``by_id`` loaders."""
        key = ("page", model, fk, offset, limit, order_by, related, tuple(sorted(filters.items())))

        async def load(parent_ids: Sequence[int]) -> list[Page[M]]:
            pages, joined = await load_pages(model, fk, parent_ids, offset, limit, order_by, related, **filters)
            self._prime(joined)
            return [pages.get(i) or Page() for i in parent_ids]

        return self.get(key, lambda: DataLoader(load_fn=load))

    def _prime(self, rows: Iterable[Model]) -> None:
        """Hand joined rows to their ``by_id`` loaders, once per row however often joined."""
        for (other_model, pk), other in {(type(row), row.pk): row for row in rows}.items():
            self.by_id(other_model).prime(pk, other)

    def clear(self) -> None:
        """Forget everything: after a mutation changed rows this request already read, and when
        the request is answered. Each loader is emptied as well as dropped: ``shielded``'s
        closure and load functions holding this object tie every loader into reference cycles,
        and a cycle keeps all the rows it cached alive until a full garbage collection, which
        the serving GC thresholds make rare (a list screen's rows piled up by megabytes per
        request). A loader whose batch is still being gathered is only dropped: its callers
        wait on it."""
        for loader in self._loaders.values():
            batch = loader.batch
            if batch is not None and not batch.dispatched:
                continue
            loader.clear_all()
            loader.batch = None
            loader.__dict__.pop("load", None)  # the shielding closure: the loader's own cycle
        self._loaders.clear()
