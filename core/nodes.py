"""``ModelNode``: a Relay node backed by one Tortoise model, resolved through loaders.

Who may see a row is the type's ``can_see`` (async, batched through ``ctx.loaders``), and who
sees its private fields ``can_see_private``. ``node``/``nodes`` apply ``can_see``; live events
about a row (``core.subscriptions``) apply both, so a type states its policy once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, Self

from strawberry import relay
from tortoise.models import Model

from core.context import Context, Info
from core.relay import parse_node_id


class ModelNode(relay.Node):
    """Subclasses set ``model()`` and ``from_model()``; ``node(id:)`` then finds them."""

    @classmethod
    def model(cls) -> type[Model]:
        raise NotImplementedError

    @classmethod
    def from_model(cls, row: Any) -> Self:
        raise NotImplementedError

    @classmethod
    def is_visible(cls, info: Info, row: Any) -> bool:
        """Override to hide rows the viewer may not see through ``node(id:)`` (synchronous checks)."""
        return True

    @classmethod
    async def can_see(cls, ctx: Context, row: Any) -> bool:
        """May the viewer see this row at all? Applied by ``node``/``nodes`` and live events."""
        return True

    @classmethod
    async def can_see_private(cls, ctx: Context, row: Any) -> bool:
        """May the viewer see the row's private fields (and private keys of events about it)?"""
        return await cls.can_see(ctx, row)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one async signature for strawberry's overloads
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        # Non-canonical ids ("01", "1_3", "²", 2**31 and up) match nothing: key 0 is never a row.
        keys = [parse_node_id(str(i)) or 0 for i in node_ids]
        rows = await info.context.loaders.by_id(cls.model()).load_many(keys)

        async def visible(row: Any) -> bool:
            return row is not None and cls.is_visible(info, row) and await cls.can_see(info.context, row)

        # Together, so the checks' loaders batch across the rows.
        shown = await asyncio.gather(*(visible(row) for row in rows))
        return [cls.from_model(row) if ok else None for row, ok in zip(rows, shown, strict=True)]
