"""Yearly figures of studios, gathered from every installed plugin (``studio_metrics`` hook).

The assessment and the statistics read them here: one call asks each plugin once for all the
organisations, awaits the answers and adds up figures of the same name.
"""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Iterable

from core.runtime import Runtime


async def studio_metrics(rt: Runtime, organisation_ids: Iterable[int], year: int) -> dict[int, Counter[str]]:
    """``{organisation id: Counter({metric: figure})}`` for every id asked (empty where none)."""
    ids = sorted(set(organisation_ids))
    found: dict[int, Counter[str]] = {org_id: Counter() for org_id in ids}
    if not ids:
        return found
    for answer in rt.registry.pm.hook.studio_metrics(organisation_ids=ids, year=year):
        figures = await answer if inspect.isawaitable(answer) else answer
        for org_id, metrics in (figures or {}).items():
            if org_id in found:
                for name, value in metrics.items():
                    found[org_id][name] += int(value)
    return found
