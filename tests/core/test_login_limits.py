"""Sign-in limits: counted before the password is checked, per (username, IP) and per IP; argon2
runs in worker threads, a bounded number at a time, and never on the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from starlette.requests import Request

from core.auth import passwords
from core.auth.services import create_account
from core.people.models import Person
from core.ratelimit import client_ip
from core.runtime import Runtime
from core.settings import Settings
from tests.support import GraphQLClient, client_for, with_settings

LOGIN = """mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
  accessToken errors { code } } }"""


async def _account(username: str = "wang", password: str = "secret-pass") -> None:
    person = await Person.create(name="王建国")
    await create_account(username, password, person.id)


async def _login(client: GraphQLClient, username: str, password: str, ip: str | None = None) -> str | None:
    """The error code of a sign-in (None: signed in)."""
    headers = {"X-Forwarded-For": ip} if ip else {}
    response = await client.http.post("/graphql", json={"query": LOGIN, "variables": {"u": username, "p": password}},
                                      headers=headers)
    payload = response.json()["data"]["login"]
    return payload["errors"][0]["code"] if payload["errors"] else None


@pytest.fixture
def verifier_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call of the password verifier, by the name of the thread it ran in."""
    calls: list[str] = []
    real = passwords.verify_password

    def counting(password_hash: str | None, password: str) -> bool:
        calls.append(threading.current_thread().name)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counting)
    return calls


async def test_concurrent_wrong_passwords_evaluate_at_most_the_limit(
    gql: GraphQLClient, verifier_calls: list[str]
) -> None:
    await _account()
    limit = gql.rt.settings.login_attempts_per_window
    codes = await asyncio.gather(*(_login(gql, "wang", f"guess-{i:04d}") for i in range(100)))
    assert len(verifier_calls) == limit
    assert codes.count("INVALID_CREDENTIALS") == limit and codes.count("RATE_LIMITED") == 100 - limit


async def test_a_stranger_s_failures_do_not_lock_the_owner_out(rt: Runtime) -> None:
    await _account()
    client = client_for(with_settings(rt, trusted_proxies="127.0.0.1"))
    try:
        for _ in range(rt.settings.login_attempts_per_window + 5):
            await _login(client, "wang", "stolen-list-1", ip="198.51.100.66")
        assert await _login(client, "wang", "secret-pass", ip="198.51.100.66") == "RATE_LIMITED"
        assert await _login(client, "wang", "secret-pass", ip="203.0.113.7") is None
    finally:
        await client.http.aclose()


async def test_one_address_trying_many_usernames_is_limited(rt: Runtime) -> None:
    await _account()
    client = client_for(with_settings(rt, trusted_proxies="127.0.0.1", login_attempts_per_ip=5))
    try:
        codes = [await _login(client, f"user{i}", "spray-password", ip="198.51.100.9") for i in range(6)]
        assert codes == ["INVALID_CREDENTIALS"] * 5 + ["RATE_LIMITED"]
        assert await _login(client, "wang", "secret-pass", ip="198.51.100.9") == "RATE_LIMITED"
        assert await _login(client, "wang", "secret-pass", ip="198.51.100.10") is None
    finally:
        await client.http.aclose()


async def test_successful_sign_ins_give_their_attempt_back(rt: Runtime) -> None:
    await _account()
    client = client_for(with_settings(rt, login_attempts_per_ip=3))
    try:
        for _ in range(5):  # an office behind one address signs in all day
            assert await _login(client, "wang", "secret-pass") is None
    finally:
        await client.http.aclose()


async def test_an_optional_per_username_limit_spans_addresses(rt: Runtime) -> None:
    await _account()
    client = client_for(with_settings(rt, trusted_proxies="127.0.0.1", login_attempts_per_username=3))
    try:
        codes = [await _login(client, "wang", "guess-pass", ip=f"198.51.100.{i}") for i in range(4)]
        assert codes == ["INVALID_CREDENTIALS"] * 3 + ["RATE_LIMITED"]
    finally:
        await client.http.aclose()


class Gate:
    """A blocking stand-in for argon2: records threads, holds every call until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.threads: list[str] = []
        self.entered = threading.Semaphore(0)

    def __call__(self, password_hash: str | None, password: str) -> bool:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.threads.append(threading.current_thread().name)
        self.entered.release()
        self.release.wait(timeout=30)
        with self.lock:
            self.running -= 1
        return False

    async def wait_entered(self, count: int) -> None:
        for _ in range(count):
            assert await asyncio.to_thread(self.entered.acquire, True, 30)


async def test_a_slow_hash_leaves_the_event_loop_free(gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch) -> None:
    await _account()
    gate = Gate()
    monkeypatch.setattr(passwords, "verify_password", gate)
    login = asyncio.create_task(_login(gql, "wang", "secret-pass"))
    await gate.wait_entered(1)
    # While the hash is running, other requests are answered.
    assert (await gql("{ __typename }")) == {"__typename": "Query"}
    assert not login.done()
    gate.release.set()
    assert await login == "INVALID_CREDENTIALS"
    assert gate.threads and threading.main_thread().name not in gate.threads


async def test_hashes_run_a_bounded_number_at_a_time(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    await _account()
    gate = Gate()
    monkeypatch.setattr(passwords, "verify_password", gate)
    client = client_for(with_settings(rt, password_hash_concurrency=2))
    try:
        logins = [asyncio.create_task(_login(client, f"user{i}", "secret-pass")) for i in range(5)]
        await gate.wait_entered(2)
        for _ in range(3):  # let the loop run the waiting sign-ins as far as they can go
            await client("{ __typename }")
        assert gate.running == 2 and len(gate.threads) == 2
        gate.release.set()
        assert await asyncio.gather(*logins) == ["INVALID_CREDENTIALS"] * 5
        assert gate.most == 2 and len(gate.threads) == 5
    finally:
        await client.http.aclose()


async def test_account_creation_hashes_in_a_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    real: Callable[[str], str] = passwords.hash_password

    def recording(password: str) -> str:
        threads.append(threading.current_thread().name)
        return real(password)

    monkeypatch.setattr(passwords, "hash_password", recording)
    await _account("liming", "another-pass")
    assert len(threads) == 1 and threads[0] != threading.main_thread().name


def _request(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    scope: dict[str, Any] = {"type": "http", "headers": headers, "client": (peer, 1234)}
    return Request(scope)


def test_client_ip_believes_forwarded_for_only_from_trusted_proxies(settings: Settings) -> None:
    plain = settings.model_copy(update={"trusted_proxies": ""})
    proxied = settings.model_copy(update={"trusted_proxies": "10.0.0.0/8, 127.0.0.1"})
    assert client_ip(_request("198.51.100.1", "203.0.113.5"), plain) == "198.51.100.1"
    assert client_ip(_request("10.1.2.3", "203.0.113.5"), proxied) == "203.0.113.5"
    # Two proxies in a row; a client-made entry on the left is not believed.
    assert client_ip(_request("10.1.2.3", "6.6.6.6, 203.0.113.5, 10.9.9.9"), proxied) == "203.0.113.5"
    assert client_ip(_request("198.51.100.1", "203.0.113.5"), proxied) == "198.51.100.1"
    assert client_ip(_request("10.1.2.3"), proxied) == "10.1.2.3"
    assert client_ip(None, proxied) == "unknown"


def test_trusted_proxies_must_be_addresses() -> None:
    with pytest.raises(ValueError, match="not-an-ip"):
        Settings(env="test", secret_key="x" * 40, trusted_proxies="10.0.0.1, not-an-ip")
