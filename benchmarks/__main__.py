"""Run every ``benchmarks/bench_*.py`` (each has ``async def main(rt) -> None`` printing results).

Each runs against a fresh migrated SQLite database (or GUILDHALL_BENCH_DATABASE_URL) and
fakeredis (or GUILDHALL_BENCH_REDIS_URL).
"""

from __future__ import annotations

import asyncio
import importlib
import os
import pkgutil
import sys
import tempfile
from pathlib import Path

from core.db import close_db, init_db, migrate
from core.redis import make_redis
from core.runtime import Runtime
from core.settings import Settings
from host.registry import load_registry


async def run_one(name: str) -> None:
    module = importlib.import_module(f"benchmarks.{name}")
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("GUILDHALL_BENCH_DATABASE_URL") or f"sqlite://{Path(folder) / 'bench.sqlite3'}"
        settings = Settings(env="test", database_url=url, redis_url=os.environ.get("GUILDHALL_BENCH_REDIS_URL"),
                            secret_key="bench-secret-key-0123456789abcdefghijkl")
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


def main() -> None:
    wanted = sys.argv[1:]
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    for name in names:
        if not wanted or name in wanted:
            asyncio.run(run_one(name))


if __name__ == "__main__":
    main()
