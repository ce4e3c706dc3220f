"""``make bench``: the GraphQL API against the hand-written limit, screen by screen, over HTTP.

1. Seed the dataset (``benchmarks/dataset.py``) into GUILDHALL_BENCH_DATABASE_URL, or into a
   SQLite file under ``var/bench/`` when none is given; a seeded database is reused.
2. Probe: start ``guildhall serve`` and ``benchmarks.limit`` (one worker each), check that both
   answer every screen with the same JSON, and count SQL statements per request (the app's
   ``/metrics``, the limit's ``/stats``) and, on PostgreSQL, network round trips per request
   (the servers then reach PostgreSQL through a counting TCP proxy: a round trip is the client
   speaking again after the server answered). Nothing is timed here.
3. Load: restart both on the direct connection; for each round and screen, saturation then a
   constant rate (wrk2-style), GraphQL and limit alternately, each run a separate load-generator
   process (``benchmarks/load.py``). Server RSS is read from /proc after every run.
4. Print a table (and with ``--record LABEL`` add it on top of ``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from benchmarks import dataset
from benchmarks.screens import Screen, available

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
RESULTS = Path(__file__).parent / "RESULTS.md"
SECRET = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
GRAPHQL, LIMIT = "graphql", "limit"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Round trips -------------------------------------------------------------------------------------


class RoundTripProxy:
    """A TCP proxy to PostgreSQL counting round trips: each time a client sends after the server
    has sent (or first), one more. Run in its own thread with its own loop; probes only."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = free_port()
        self.round_trips = 0
        self._ready = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()
        self._ready.wait(5)

    def _serve(self) -> None:
        async def main() -> None:
            server = await asyncio.start_server(self._client, "127.0.0.1", self.port)
            self._ready.set()
            async with server:
                await server.serve_forever()

        asyncio.run(main())

    async def _client(self, c_reader: asyncio.StreamReader, c_writer: asyncio.StreamWriter) -> None:
        s_reader, s_writer = await asyncio.open_connection(*self.target)
        server_spoke = [True]

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, from_client: bool) -> None:
            try:
                while data := await reader.read(65536):
                    if from_client and server_spoke[0]:
                        self.round_trips += 1
                    server_spoke[0] = not from_client
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            finally:
                writer.close()

        await asyncio.gather(pipe(c_reader, s_writer, True), pipe(s_reader, c_writer, False))


# Servers -----------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]

    def rss_mb(self) -> float:
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except FileNotFoundError:
            pass
        return 0.0

    def url(self, screen: Screen) -> str:
        return "/graphql" if self.name == GRAPHQL else f"/screen/{screen.name}"

    def statements(self) -> tuple[float, float]:
        """(statements, requests) so far."""
        with httpx.Client(base_url=f"http://127.0.0.1:{self.port}") as client:
            if self.name == LIMIT:
                return float(client.get("/stats").json()["statements"]), 0.0
            text = client.get("/metrics").text
        total = re.search(r"^guildhall_sql_statements_per_request_sum (\S+)$", text, re.M)
        count = re.search(r"^guildhall_sql_statements_per_request_count (\S+)$", text, re.M)
        return float(total.group(1)) if total else 0.0, float(count.group(1)) if count else 0.0


def _env(database_url: str, redis_url: str | None) -> dict[str, str]:
    # The app's own settings are the benchmark's, except the switch a step may compare against:
    # GUILDHALL_COMPILED_QUERIES=false measures graphql-core's executor instead of the plans.
    passed = {"GUILDHALL_COMPILED_QUERIES"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUILDHALL_") or k in passed}
    env.update(
        {
            "GUILDHALL_ENV": "production",
            "GUILDHALL_DATABASE_URL": database_url,
            "GUILDHALL_SECRET_KEY": SECRET,
            "GUILDHALL_DATA_DIR": str(VAR),
            # The benchmark measures serving, not the limits: they are set out of the way.
            "GUILDHALL_MAX_QUERY_COST": "10000000",
            "GUILDHALL_RATE_LIMIT_BUCKET_SIZE": "1000000000",
            "GUILDHALL_RATE_LIMIT_ANONYMOUS_BUCKET_SIZE": "1000000000",
            "GUILDHALL_RATE_LIMIT_RESTORE_RATE": "1000000000",
            "GUILDHALL_QUERY_TIMEOUT_SECONDS": "120",
            "GUILDHALL_DATABASE_STATEMENT_TIMEOUT_SECONDS": "60",
        }
    )
    if redis_url:
        env["GUILDHALL_REDIS_URL"] = redis_url
    return env


def start(name: str, database_url: str, redis_url: str | None, viewer: int) -> Server:
    port = free_port()
    bin_dir = Path(sys.executable).parent
    if name == GRAPHQL:
        command = [str(bin_dir / "guildhall"), "serve", "--port", str(port)]
    else:
        command = [sys.executable, "-m", "benchmarks.limit", "--port", str(port), "--viewer", str(viewer)]
    # Logs (the app's line per request) go to a file, as they would to a journal: a pipe nobody
    # reads would fill and stop the server.
    log = open(VAR / f"{name}.log", "ab")  # noqa: SIM115 - the child process owns it
    process = subprocess.Popen(command, cwd=ROOT, env=_env(database_url, redis_url), stdout=log, stderr=log)
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} server exited: {(VAR / f'{name}.log').read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return Server(name, port, process)
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{name} server did not start")


def drain(server: Server, limit: float = 180.0) -> None:
    """Wait until the server has finished what an earlier run left queued (``/healthz``
    answered within a second), so one run's backlog is not charged to the next."""
    deadline = time.monotonic() + limit
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=10) as client:
        while time.monotonic() < deadline:
            began = time.perf_counter()
            try:
                client.get("/healthz")
            except httpx.HTTPError:
                continue
            if time.perf_counter() - began < 1.0:
                return
            time.sleep(0.2)
    print(f"  ({server.name} still busy after {limit:g} s)", flush=True)


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@contextmanager
def servers(database_url: str, redis_url: str | None, viewer: int) -> Any:
    started = [start(GRAPHQL, database_url, redis_url, viewer), start(LIMIT, database_url, redis_url, viewer)]
    try:
        yield {s.name: s for s in started}
    finally:
        for server in started:
            stop(server)


# Requests ----------------------------------------------------------------------------------------


@dataclass
class Target:
    server: Server
    screen: Screen
    body: dict[str, Any]
    headers: dict[str, str]

    def post(self, client: httpx.Client) -> httpx.Response:
        return client.post(
            f"http://127.0.0.1:{self.server.port}{self.server.url(self.screen)}",
            json=self.body,
            headers=self.headers,
            timeout=120,
        )


def targets(group: dict[str, Server], screen: Screen, data: dataset.Dataset, token: str) -> dict[str, Target]:
    body = {"query": screen.document, "variables": screen.variables(data)}
    headers = {"Authorization": f"Bearer {token}"} if screen.signed_in else {}
    return {name: Target(server, screen, body, headers) for name, server in group.items()}


@dataclass
class Probe:
    statements: dict[str, float] = field(default_factory=dict)
    round_trips: dict[str, float | None] = field(default_factory=dict)
    size: int = 0


def probe(
    group: dict[str, Server],
    screens: list[Screen],
    data: dataset.Dataset,
    token: str,
    proxy: RoundTripProxy | None,
    runs: int,
) -> dict[str, Probe]:
    found: dict[str, Probe] = {}
    with httpx.Client() as client:
        for screen in screens:
            result = Probe()
            answers = {}
            for name, target in targets(group, screen, data, token).items():
                for _ in range(2):  # warm caches, prepared statements, connections
                    answer = target.post(client)
                answers[name] = answer.json().get("data")  # GraphQL adds extensions (cost)
                before, requests_before = target.server.statements()
                trips_before = proxy.round_trips if proxy else 0
                for _ in range(runs):
                    answer = target.post(client)
                    assert answer.status_code == 200, answer.text[:500]
                after, requests_after = target.server.statements()
                per = runs if name == LIMIT else (requests_after - requests_before) or runs
                result.statements[name] = (after - before) / per
                result.round_trips[name] = (proxy.round_trips - trips_before) / runs if proxy else None
                if name == GRAPHQL:
                    result.size = len(answer.content)
            if answers[GRAPHQL] != answers[LIMIT]:
                for name, answer in answers.items():
                    (VAR / f"{screen.name}.{name}.json").write_text(json.dumps(answer, ensure_ascii=False, indent=1))
                raise SystemExit(f"{screen.name}: the limit's JSON differs from GraphQL's (see {VAR}/{screen.name}.*)")
            found[screen.name] = result
    return found


def load(target: Target, mode: str, duration: float, rate: float, connections: int) -> dict[str, Any]:
    spec = {
        "host": "127.0.0.1",
        "port": target.server.port,
        "path": target.server.url(target.screen),
        "body": target.body,
        "headers": target.headers,
        "mode": mode,
        "duration": duration,
        "rate": rate,
        "connections": connections,
        "keep": True,
    }
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", json.dumps(spec)], cwd=ROOT, capture_output=True, check=True
    )
    return dict(json.loads(out.stdout))


# Report ------------------------------------------------------------------------------------------


@dataclass
class Runs:
    completed: int = 0
    seconds: float = 0.0
    errors: int = 0  # answers that were not 200 with data and no errors
    late: int = 0  # constant rate: requests still unanswered when the run gave up on them
    latencies: list[float] = field(default_factory=list)

    def add(self, result: dict[str, Any], seconds: float) -> None:
        self.completed += result["completed"]
        self.errors += result["errors"]
        self.late += result["unfinished"]
        self.seconds += seconds
        self.latencies.extend(result["latencies"] or [])

    @property
    def req_s(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


def versions() -> str:
    names = ["strawberry-graphql", "graphql-core", "tortoise-orm", "asyncpg", "starlette", "uvicorn"]
    found = []
    for name in names:
        with suppress(metadata.PackageNotFoundError):
            found.append(f"{name} {metadata.version(name)}")
    return f"Python {platform.python_version()}, " + ", ".join(found)


def database_label(url: str) -> str:
    if url.startswith("sqlite"):
        return "SQLite"
    try:
        out = subprocess.run(["psql", url, "-Atc", "show server_version"], capture_output=True, text=True, timeout=5)
        return f"PostgreSQL {out.stdout.strip().split()[0]}" if out.returncode == 0 else "PostgreSQL"
    except (OSError, subprocess.SubprocessError, IndexError):
        return "PostgreSQL"


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Linux {platform.release()}"


def table(
    screens: list[Screen],
    probes: dict[str, Probe],
    saturation: dict[tuple[str, str], Runs],
    constant: dict[tuple[str, str], Runs],
    rss: dict[str, list[float]],
) -> str:
    lines = [
        "| screen | | req/s (saturation) | p50 / p99 ms at rate | SQL / req | round trips / req | GraphQL / limit |",
        "|---|---|---|---|---|---|---|",
    ]
    for screen in screens:
        p = probes[screen.name]
        g, lim = saturation[(screen.name, GRAPHQL)], saturation[(screen.name, LIMIT)]
        ratio = g.req_s / lim.req_s if lim.req_s else float("nan")
        for name in (GRAPHQL, LIMIT):
            sat, rate = saturation[(screen.name, name)], constant[(screen.name, name)]
            trips = p.round_trips.get(name)
            bad = sat.errors + rate.errors
            late = f" ({rate.late} unanswered: it fell behind)" if rate.late else ""
            lines.append(
                f"| {screen.name if name == GRAPHQL else ''} | {name} | {sat.req_s:.1f}"
                f"{f' ({bad} errors)' if bad else ''} "
                f"| {rate.pct(0.5):.0f} / {rate.pct(0.99):.0f} @ {screen.rate:g}/s{late} "
                f"| {p.statements[name]:.1f} | {'-' if trips is None else f'{trips:.1f}'} "
                f"| {f'{ratio:.2f} ({1 / ratio:.1f}× slower)' if name == GRAPHQL and ratio else ''} |"
            )
    lines.append("")
    lines.append(
        "Server RSS (MiB, after start-up → peak): "
        + ", ".join(f"{name} {values[0]:.0f} → {max(values):.0f}" for name, values in rss.items() if values)
    )
    lines.append("Response sizes: " + ", ".join(f"{s.name} {probes[s.name].size / 1024:.1f} kB" for s in screens))
    return "\n".join(lines)


def record(label: str, text: str) -> None:
    header = "# Benchmark results\n\n`make bench` (see `benchmarks/run.py`); newest run first, older runs kept below.\n"
    existing = RESULTS.read_text() if RESULTS.exists() else header
    head, _, rest = existing.partition("\n## ")
    RESULTS.write_text(f"{head.rstrip()}\n\n## {label}\n\n{text}\n" + (f"\n## {rest}" if rest else ""))


# Main --------------------------------------------------------------------------------------------


def prepare(
    wanted: list[str] | None, token_seconds: int
) -> tuple[str, str | None, dataset.Dataset, list[Screen], str]:
    """What every benchmark command starts with: the database (seeded if needed) and Redis from
    the environment, the screens of the installed plugins, and the viewer's access token."""
    from core.auth.tokens import issue_access_token
    from host.registry import load_registry

    VAR.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("GUILDHALL_BENCH_DATABASE_URL") or f"sqlite://{VAR / f'bench-v{dataset.VERSION}.sqlite3'}"
    redis_url = os.environ.get("GUILDHALL_BENCH_REDIS_URL")
    data = asyncio.run(_prepare(url))
    installed = {info.name for info in load_registry(None, entry_points=False).plugins}
    token = issue_access_token(
        SECRET, datetime.now(UTC), token_seconds, data.viewer_account_id, data.viewer_person_id, False
    )
    return url, redis_url, data, available(installed, wanted), token


async def _prepare(url: str) -> dataset.Dataset:
    from tortoise import connections

    from core.db import close_db, init_db, migrate
    from host.registry import load_registry

    registry = load_registry(None, entry_points=False)
    await migrate(url, registry.model_apps)
    await init_db(url, registry.model_apps)
    try:
        data = await dataset.seed({info.name for info in registry.plugins})
        # Planner statistics, as autovacuum keeps them on a live server. Without them (this
        # machine's PostgreSQL runs with autovacuum off) the planner guesses row counts and
        # picks plans no deployment would: a joined page scanned all 20,000 people (3.5 ms
        # where 0.5 ms does).
        await connections.get("default").execute_script("ANALYZE")
        return data
    finally:
        await close_db()


def _proxied(url: str, proxy: RoundTripProxy) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{proxy.port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="one round of 3 s runs (about 2 minutes)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 2, quick 1)")
    parser.add_argument("--seconds", type=float, help="each run's length (default 8, quick 3)")
    parser.add_argument("--connections", type=int, default=16, help="load-generator connections")
    parser.add_argument("--screens", nargs="*", help="only these screens")
    parser.add_argument("--record", metavar="LABEL", help="add the table on top of benchmarks/RESULTS.md")
    parser.add_argument("--note", default="", help="a line under the label in RESULTS.md")
    args = parser.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 2)
    seconds = args.seconds or (3.0 if args.quick else 8.0)

    url, redis_url, data, screens, token = prepare(args.screens, token_seconds=24 * 3600)

    postgres = not url.startswith("sqlite")
    proxy = None
    if postgres:
        parts = urlsplit(url)
        proxy = RoundTripProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    print(f"probe: same JSON, SQL statements{' and round trips' if proxy else ''} per request", flush=True)
    with servers(_proxied(url, proxy) if proxy else url, redis_url, data.viewer_person_id) as group:
        probes = probe(group, screens, data, token, proxy, runs=5)

    saturation: dict[tuple[str, str], Runs] = {}
    constant: dict[tuple[str, str], Runs] = {}
    rss: dict[str, list[float]] = {GRAPHQL: [], LIMIT: []}
    started = time.perf_counter()
    with servers(url, redis_url, data.viewer_person_id) as group:
        for name, server in group.items():
            rss[name].append(server.rss_mb())
        for round_ in range(rounds):
            for mode, store in (("saturate", saturation), ("rate", constant)):
                for index, screen in enumerate(screens):
                    order = [GRAPHQL, LIMIT] if (round_ + index) % 2 == 0 else [LIMIT, GRAPHQL]
                    pair = targets(group, screen, data, token)
                    for name in order:
                        drain(group[name])
                        connections = min(args.connections, screen.connections)
                        result = load(pair[name], mode, seconds, screen.rate, connections)
                        runs = store.setdefault((screen.name, name), Runs())
                        runs.add(result, seconds if mode == "saturate" else result["elapsed"])
                        rss[name].append(group[name].rss_mb())
                        print(
                            f"  round {round_ + 1} {mode:8} {screen.name:7} {name:7} {result['req_s']:8.1f} req/s"
                            f"  p50 {result['p50']} p99 {result['p99']} ms"
                            f"{'  errors ' + str(result['errors']) if result['errors'] else ''}",
                            flush=True,
                        )
    text = table(screens, probes, saturation, constant, rss)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    context = (
        f"{when}; {database_label(url)}, Redis {'server' if redis_url else 'fakeredis (in process)'}; "
        f"{machine()}; {versions()}; {rounds} round(s) of {seconds:g} s runs, {args.connections} "
        f"connections, load {time.perf_counter() - started:.0f} s"
    )
    print()
    print(context)
    print(text)
    if args.record:
        record(args.record, (args.note + "\n\n" if args.note else "") + context + "\n\n" + text)
        print(f"\nrecorded in {RESULTS.relative_to(ROOT)}")
