"""The load generator, run as its own process (``python -m benchmarks.load '<json spec>'``).

A small HTTP/1.1 keep-alive client on asyncio streams (uvloop), not httpx: it has to stay far
cheaper than the server it measures on a 2-core machine. Two modes:

- ``saturate``: ``connections`` clients each send the next request as soon as the previous
  answer is read; throughput is what the server sustains, latency is send → answer.
- ``rate``: wrk2's model. Request *i* is scheduled at ``start + i / rate``; the latency is from
  that scheduled time to the answer, so a stalled server is charged for every request it kept
  waiting (no coordinated omission), whether it waited in our queue or in the server's.

Prints one JSON object: completed, errors, elapsed, req_s, p50/p90/p99/max in ms.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

try:
    import uvloop
except ImportError:  # pragma: no cover
    uvloop = None  # type: ignore[assignment]


def build_request(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        "Accept: application/json",
        f"Content-Length: {len(body)}",
    ]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = -1
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return status, b"".join(parts)
            parts.append(await reader.readexactly(size + 2))
            parts[-1] = parts[-1][:-2]
    return status, await reader.readexactly(length) if length >= 0 else b""


def ok(status: int, body: bytes) -> bool:
    return status == 200 and body.startswith(b'{"data"') and b'"errors":' not in body


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    host, port, path = spec["host"], spec["port"], spec["path"]
    payload = build_request(host, port, path, json.dumps(spec["body"]).encode(), spec.get("headers", {}))
    duration: float = spec["duration"]
    connections: int = spec["connections"]
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[float | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    end = start + duration

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)

        async def exchange() -> tuple[int, bytes]:
            """Send and read the answer; a connection the server closed while it was idle
            (uvicorn's keep-alive timeout, 5 s: slow constant rates, long soaks) is opened
            again once and the request sent again (every screen is a read)."""
            nonlocal reader, writer
            for attempt in range(2):
                try:
                    writer.write(payload)
                    return await read_response(reader)
                except (ConnectionError, asyncio.IncompleteReadError):
                    writer.close()
                    if attempt:
                        raise
                    reader, writer = await asyncio.open_connection(host, port)
            raise AssertionError("unreachable")

        try:
            while True:
                if spec["mode"] == "rate":
                    scheduled = await queue.get()
                    if scheduled is None:
                        return
                else:
                    scheduled = loop.time()
                    if scheduled >= end:
                        return
                try:
                    status, body = await exchange()
                except (ConnectionError, asyncio.IncompleteReadError):
                    errors += 1
                    reader, writer = await asyncio.open_connection(host, port)
                    continue
                done = loop.time()
                if ok(status, body):
                    latencies.append(done - scheduled)
                else:
                    errors += 1
        finally:
            writer.close()

    async def dispatcher() -> None:
        rate: float = spec["rate"]
        i = 0
        while True:
            scheduled = start + i / rate
            if scheduled >= end:
                break
            delay = scheduled - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            queue.put_nowait(scheduled)
            i += 1
        for _ in range(connections):
            queue.put_nowait(None)

    tasks = [asyncio.create_task(worker()) for _ in range(connections)]
    if spec["mode"] == "rate":
        tasks.append(asyncio.create_task(dispatcher()))
    await asyncio.sleep(max(0.0, start - loop.time()))
    began = time.perf_counter()
    grace = spec.get("grace", max(10.0, duration))
    _, pending = await asyncio.wait(tasks, timeout=duration + grace)
    for task in pending:
        task.cancel()
    elapsed = time.perf_counter() - began
    unfinished = queue.qsize() if spec["mode"] == "rate" else 0
    ordered = sorted(latencies)

    def pct(p: float) -> float | None:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000, 2) if ordered else None

    measured = min(elapsed, duration) if spec["mode"] == "saturate" else elapsed
    return {
        "completed": len(ordered),
        "errors": errors,
        "unfinished": unfinished + len(pending),
        "elapsed": round(elapsed, 3),
        "req_s": round(len(ordered) / measured, 2) if measured else 0.0,
        "p50": pct(0.5),
        "p90": pct(0.9),
        "p99": pct(0.99),
        "max": pct(1.0),
        "latencies": [round(x * 1000, 3) for x in ordered] if spec.get("keep") else None,
    }


def main() -> None:
    spec = json.loads(sys.argv[1])
    if uvloop is not None:
        uvloop.install()
    print(json.dumps(asyncio.run(run(spec))))


if __name__ == "__main__":
    main()
