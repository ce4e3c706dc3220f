"""Real ``guildhall serve`` processes for integration tests: several servers, one database and Redis.

``ServerLauncher.start()`` runs ``python -m host.cli serve`` on a free loopback port with the
settings given as ``GUILDHALL_*`` environment variables, waits until ``/readyz`` answers 200 and
hands back a ``ServerProcess`` (``http``/``ws`` base URLs, the log file). ``stop()`` ends the
processes it started, and only those. The ``guildhall_servers`` fixture (``host.testing.plugin``)
gives a launcher on the tests' database and Redis, skipping the test where those are SQLite or
fakeredis (separate processes cannot share an in-memory Redis)::

    async def test_two_servers(guildhall_servers):
        a, b = guildhall_servers.start(), guildhall_servers.start()
        ...
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

START_SECONDS = 60.0
STOP_SECONDS = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def setting_env(settings: Mapping[str, Any]) -> dict[str, str]:
    """``{"rate_limit_bucket_size": 5}`` as ``{"GUILDHALL_RATE_LIMIT_BUCKET_SIZE": "5"}``."""

    def text(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return {f"GUILDHALL_{name.upper()}": text(value) for name, value in settings.items() if value is not None}


@dataclass
class ServerProcess:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class ServerLauncher:
    """Starts server processes sharing ``settings`` (each may add its own) and stops them."""

    settings: dict[str, Any]
    folder: Path
    workers: int = 1
    started: list[ServerProcess] = field(default_factory=list)

    def start(self, workers: int | None = None, **settings: Any) -> ServerProcess:
        port = free_port()
        log = self.folder / f"server-{port}.log"
        env = {**os.environ, **setting_env({**self.settings, **settings})}
        command = [
            sys.executable,
            "-m",
            "host.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers or self.workers),
        ]
        with log.open("wb") as out:
            # A session of its own, so stop() can end uvicorn's worker processes with it.
            process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        server = ServerProcess(port, process, log)
        self.started.append(server)
        self._wait_ready(server)
        return server

    def _wait_ready(self, server: ServerProcess) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"guildhall serve exited with {server.process.returncode}:\n{server.log_tail()}")
            try:
                if httpx.get(f"{server.http}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(
            f"guildhall serve on port {server.port} not ready in {START_SECONDS} s:\n{server.log_tail()}"
        )

    def stop(self) -> None:
        """SIGTERM to each started server's process group (uvicorn shuts down gracefully), then
        SIGKILL to any still running after ``STOP_SECONDS``."""
        for server in self.started:
            if server.process.poll() is None:
                os.killpg(server.process.pid, signal.SIGTERM)
        for server in self.started:
            try:
                server.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(server.process.pid, signal.SIGKILL)
                server.process.wait()
        self.started.clear()
