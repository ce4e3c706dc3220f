"""Per-request DataLoaders, made on first use and kept on the request context.

Loaders never live at module level: their cache would leak between requests and users.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model

M = TypeVar("M", bound=Model)
K = TypeVar("K")
V = TypeVar("V")


def shielded(loader: DataLoader[K, V]) -> DataLoader[K, V]:
    """``load`` answers a shield of the loader's shared future. Several resolvers await the same
    future; when GraphQL cancels one of them (a sibling field failed and nulled their parent), a
    bare ``await`` would cancel the shared future too, and the *other* resolvers, not cancelled,
    would get ``CancelledError``: an internal error (found by tests/security/test_matrix_reads.py)."""
    load = loader.load

    def shielded_load(key: K) -> Awaitable[V]:
        return asyncio.shield(load(key))

    loader.load = shielded_load  # type: ignore[method-assign]
    return loader


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
            rows = {row.pk: row for row in await model.filter(pk__in=list(set(ids)))}
            return [rows.get(i) for i in ids]

        return self.get(("by_id", model), lambda: DataLoader(load_fn=load))

    def children(
        self,
        model: type[M],
        fk: str,
        order_by: tuple[str, ...] = ("id",),
        **filters: Any,
    ) -> DataLoader[int, list[M]]:
        """``<Model>By<Fk>Loader``: all rows whose ``fk`` column is the key, in one query."""
        key = ("children", model, fk, order_by, tuple(sorted(filters.items())))

        async def load(parent_ids: Sequence[int]) -> list[list[M]]:
            groups: dict[int, list[M]] = defaultdict(list)
            rows = await model.filter(**{f"{fk}__in": list(set(parent_ids))}, **filters).order_by(
                *order_by
            )
            for row in rows:
                groups[getattr(row, fk)].append(row)
            return [groups.get(i, []) for i in parent_ids]

        return self.get(key, lambda: DataLoader(load_fn=load))

    def clear(self) -> None:
        """Forget everything (after a mutation changed rows this request already read)."""
        self._loaders.clear()
