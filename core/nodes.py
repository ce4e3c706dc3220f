"""``ModelNode``: a Relay node backed by one Tortoise model, resolved through loaders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

from strawberry import relay
from tortoise.models import Model

from core.context import Info
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
        """Override to hide rows the viewer may not see through ``node(id:)``."""
        return True

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        # Non-canonical ids ("01", "1_3", "²", 2**31 and up) match nothing: key 0 is never a row.
        keys = [parse_node_id(str(i)) or 0 for i in node_ids]
        rows = await info.context.loaders.by_id(cls.model()).load_many(keys)
        return [
            cls.from_model(row) if row is not None and cls.is_visible(info, row) else None
            for row in rows
        ]
