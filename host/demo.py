"""``guildhall demo``: every plugin's demo loader, core first, in one transaction."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from core.demo import database_is_empty
from core.plugin_api import DemoData
from core.runtime import Runtime


async def load_demo(rt: Runtime) -> DemoData | None:
    """Load the demo into an empty database; returns None when there is data already."""
    if not await database_is_empty():
        return None
    demo = DemoData()
    async with in_transaction():
        for contribution in rt.registry.demo_loaders:
            await contribution.item(demo)
    return demo
