"""``make soak`` / ``python -m benchmarks.soak --seconds 3600``: issue #13's memory target, "server
memory stable under an hour of load (no growth beyond 20 % after warm-up)".

1. Seed (or reuse) the benchmark dataset exactly as ``make bench`` does (GUILDHALL_BENCH_DATABASE_URL,
   or the SQLite file under ``var/bench/``; GUILDHALL_BENCH_REDIS_URL for a Redis server).
2. Start ``guildhall serve`` (one worker, production settings, the limits out of the way) and check
   that it answers every screen.
3. Drive a mixed constant load across every screen for the whole time: one load-generator process
   per screen (``benchmarks/load.py``, constant rate, latency from the scheduled send time), all at
   once, so the screens' requests interleave on the server as a mobile app's would.
4. Sample the server's RSS (``/proc/<pid>/status``) every ``--interval`` seconds into
   ``var/bench/soak-<time>.csv``.
5. Report the RSS after start-up, at the end of warm-up (the first ``--warmup`` fraction of the
   time, 10 % by default), at the end and the peak after warm-up; the growth after warm-up in
   per cent against the target (20 %), judged on the peak (and shown for the end); the slope of a
   least-squares line through the samples after warm-up (MiB per hour, which tells a slow leak
   from a plateau in runs shorter than the hour); and per screen the requests served, errors,
   p50 and p99.

The default rates (``RATES``, scaled by ``--scale``) keep the one worker at about half a core on
the 2-core machine, so the run measures memory under steady load, not a backlog.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from benchmarks.run import GRAPHQL, ROOT, VAR, Server, database_label, machine, prepare, record
from benchmarks.run import start as start_server
from benchmarks.run import stop as stop_server
from benchmarks.run import targets as screen_targets

TARGET_GROWTH = 20.0  # per cent after warm-up (issue #13)
# Requests per second per screen: the mobile app's mix, far below saturation for each.
RATES = {"home": 3.0, "studio": 2.0, "list": 0.1, "node": 5.0, "thread": 2.0, "challenges": 2.0}
DEFAULT_RATE = 2.0


def _fit_slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope (y per x) of ``points``; 0 for fewer than two."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / var if var else 0.0


def summarise(samples: list[tuple[float, float]], seconds: float, warmup: float) -> dict[str, float]:
    """RSS figures from ``(elapsed seconds, MiB)`` samples (the first taken at start-up)."""
    cut = seconds * warmup
    after = [(t, rss) for t, rss in samples if t >= cut] or samples[-1:]
    warm = after[0][1]
    end = samples[-1][1]
    peak = max(rss for _, rss in after)
    return {
        "start": samples[0][1],
        "warm_at": after[0][0],
        "warm": warm,
        "end": end,
        "peak": peak,
        "end_growth": (end - warm) / warm * 100 if warm else 0.0,
        "peak_growth": (peak - warm) / warm * 100 if warm else 0.0,
        "slope_mib_per_hour": _fit_slope(after) * 3600,
    }


def _check(server: Server, spec: dict[str, Any]) -> None:
    answer = httpx.post(
        f"http://127.0.0.1:{server.port}{spec['path']}", json=spec["body"], headers=spec["headers"], timeout=120
    )
    body = answer.json()
    if answer.status_code != 200 or body.get("errors") or not body.get("data"):
        raise SystemExit(f"{spec['name']}: the app did not answer it: {answer.text[:500]}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.soak", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=3600.0, help="length of the load (default 3600)")
    parser.add_argument("--interval", type=float, help="RSS sampling period in seconds (default: 1/120 of the run)")
    parser.add_argument("--warmup", type=float, default=0.1, help="fraction of the run counted as warm-up")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every screen's rate")
    parser.add_argument("--screens", nargs="*", help="only these screens")
    parser.add_argument("--record", metavar="LABEL", help="add the report on top of benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    interval = args.interval or max(1.0, args.seconds / 120)

    url, redis_url, data, screens, token = prepare(args.screens, token_seconds=int(args.seconds) + 24 * 3600)
    server = start_server(GRAPHQL, url, redis_url, data.viewer_person_id)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    csv_path = VAR / f"soak-{stamp}.csv"
    samples: list[tuple[float, float]] = []
    results: dict[str, dict[str, Any]] = {}
    try:
        specs = []
        for screen in screens:
            target = screen_targets({GRAPHQL: server}, screen, data, token)[GRAPHQL]
            rate = RATES.get(screen.name, DEFAULT_RATE) * args.scale
            spec = {
                "name": screen.name,
                "host": "127.0.0.1",
                "port": server.port,
                "path": server.url(screen),
                "body": target.body,
                "headers": target.headers,
                "mode": "rate",
                "duration": args.seconds,
                "rate": rate,
                # Enough clients that a slow answer does not hold the schedule back.
                "connections": max(2, min(16, int(rate * 2))),
                "keep": False,
                "grace": 30.0,
            }
            _check(server, spec)
            specs.append(spec)
        print(
            f"soak: {args.seconds:g} s of "
            + ", ".join(f"{s['name']} {s['rate']:g}/s" for s in specs)
            + f" against guildhall serve (pid {server.process.pid}); RSS every {interval:g} s → {csv_path}",
            flush=True,
        )
        began = time.monotonic()
        samples.append((0.0, server.rss_mb()))
        processes = {
            spec["name"]: subprocess.Popen(
                [sys.executable, "-m", "benchmarks.load", json.dumps(spec)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for spec in specs
        }
        with csv_path.open("w") as out:
            out.write("seconds,rss_mib\n")
            out.write(f"0,{samples[0][1]:.1f}\n")
            next_report = args.seconds / 10
            while any(p.poll() is None for p in processes.values()):
                time.sleep(min(interval, max(0.1, began + interval * len(samples) - time.monotonic())))
                elapsed = time.monotonic() - began
                if server.process.poll() is not None:
                    raise SystemExit(f"the server exited: {(VAR / 'graphql.log').read_text()[-3000:]}")
                rss = server.rss_mb()
                samples.append((elapsed, rss))
                out.write(f"{elapsed:.1f},{rss:.1f}\n")
                out.flush()
                if elapsed >= next_report and elapsed <= args.seconds + interval:
                    print(f"  {elapsed:7.0f} s  RSS {rss:6.1f} MiB", flush=True)
                    next_report += args.seconds / 10
        for name, process in processes.items():
            stdout, stderr = process.communicate()
            if process.returncode != 0:
                raise SystemExit(f"load generator for {name} failed: {stderr.decode()[-2000:]}")
            results[name] = json.loads(stdout)
    finally:
        stop_server(server)

    figures = summarise(samples, args.seconds, args.warmup)
    verdict = "within" if figures["peak_growth"] <= TARGET_GROWTH else "BEYOND"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    context = (
        f"{when}; {database_label(url)}, Redis {'server' if redis_url else 'fakeredis (in process)'}; {machine()}; "
        f"{args.seconds:g} s of mixed constant load, RSS sampled every {interval:g} s ({len(samples)} samples), "
        f"warm-up the first {args.warmup * 100:g} %"
    )
    lines = [
        "| RSS (MiB) | start-up | after warm-up | end | peak after warm-up |",
        "|---|---|---|---|---|",
        (
            f"| guildhall serve | {figures['start']:.1f} | {figures['warm']:.1f} (at {figures['warm_at']:.0f} s) "
            f"| {figures['end']:.1f} ({figures['end_growth']:+.1f} %) | {figures['peak']:.1f} "
            f"({figures['peak_growth']:+.1f} %) |"
        ),
        "",
        (
            f"Growth after warm-up: peak {figures['peak_growth']:+.1f} %, end {figures['end_growth']:+.1f} % "
            f"({verdict} the target of {TARGET_GROWTH:g} %); trend after warm-up "
            f"{figures['slope_mib_per_hour']:+.1f} MiB/hour (least squares)."
        ),
        "",
        "| screen | rate | served | errors | unanswered | p50 ms | p99 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for spec in specs:
        r = results[spec["name"]]
        lines.append(
            f"| {spec['name']} | {spec['rate']:g}/s | {r['completed']} | {r['errors']} | {r['unfinished']} "
            f"| {r['p50']} | {r['p99']} |"
        )
    text = "\n".join(lines)
    print()
    print(context)
    print(text)
    print(f"samples: {csv_path.relative_to(ROOT)}")
    if args.record:
        record(args.record, context + "\n\n" + text)
        print("recorded in benchmarks/RESULTS.md")


if __name__ == "__main__":
    main(sys.argv[1:])
