"""``make bench`` / ``python -m benchmarks [--quick] ...``: the HTTP benchmark of issue #13
(``benchmarks/run.py``); ``python -m benchmarks micro [bench_core ...]`` runs the older in-process
micro-benchmarks (``benchmarks/bench_*.py``, each ``async def main(rt)``) on a fresh database.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import pkgutil
import sys
import tempfile
from pathlib import Path


async def run_one(name: str) -> None:
    from core.db import close_db, init_db, migrate
    from core.redis import make_redis
    from core.runtime import Runtime
    from core.settings import Settings
    from host.registry import load_registry

    module = importlib.import_module(f"benchmarks.{name}")
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("GUILDHALL_BENCH_MICRO_DATABASE_URL") or f"sqlite://{Path(folder) / 'bench.sqlite3'}"
        settings = Settings(
            env="test",
            database_url=url,
            redis_url=os.environ.get("GUILDHALL_BENCH_REDIS_URL"),
            secret_key="bench-secret-key-0123456789abcdefghijkl",
        )
        registry = load_registry(settings.plugin_allow_list, entry_points=False)
        await migrate(url, registry.model_apps)
        await init_db(url, registry.model_apps)
        rt = Runtime(settings=settings, registry=registry, redis=make_redis(settings.redis_url))
        try:
            print(f"== {name}")
            await module.main(rt)
        finally:
            await rt.redis.aclose()
            await close_db()


def micro(wanted: list[str]) -> None:
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    for name in names:
        if not wanted or name in wanted:
            asyncio.run(run_one(name))


def main() -> None:
    if sys.argv[1:2] == ["micro"]:
        micro(sys.argv[2:])
        return
    from benchmarks.run import main as run

    run(sys.argv[1:])


if __name__ == "__main__":
    main()
