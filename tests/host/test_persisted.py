"""Persisted queries through the real HTTP app: APQ in Redis, GET by hash, trusted documents."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from core.runtime import Runtime
from host.persisted import KEY, ManifestError, load_manifest, parse_manifest, sha256_hex
from tests.host.conftest import AppClient

QUERY = "query Plugins { installedPlugins { name } }"
HASH = sha256_hex(QUERY)
ROOT = Path(__file__).resolve().parents[2]


def _apq(digest: str = HASH, version: int = 1) -> dict[str, object]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


def _code(body: dict[str, object]) -> str:
    errors = body["errors"]
    assert isinstance(errors, list)
    return str(errors[0]["extensions"]["code"])


async def test_apq_miss_then_register_then_hit_by_hash_alone(http: httpx.AsyncClient, rt: Runtime) -> None:
    miss = await http.post("/graphql", json={"extensions": _apq()})
    assert miss.status_code == 200  # Apollo clients expect 200 and then send the text
    assert miss.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert _code(miss.json()) == "PERSISTED_QUERY_NOT_FOUND"

    registered = await http.post("/graphql", json={"query": QUERY, "extensions": _apq()})
    assert registered.status_code == 200 and "errors" not in registered.json()
    assert await rt.redis.get(KEY.format(hash=HASH)) == QUERY
    assert 0 < await rt.redis.ttl(KEY.format(hash=HASH)) <= 30 * 24 * 3600

    hit = await http.post("/graphql", json={"extensions": _apq()})
    assert hit.json()["data"] == registered.json()["data"] and "errors" not in hit.json()


async def test_a_hit_refreshes_the_ttl(http: httpx.AsyncClient, rt: Runtime) -> None:
    await rt.redis.set(KEY.format(hash=HASH), QUERY, ex=60)
    hit = await http.post("/graphql", json={"extensions": _apq()})
    assert "errors" not in hit.json()
    assert await rt.redis.ttl(KEY.format(hash=HASH)) > 60


async def test_text_whose_hash_differs_is_refused_and_not_stored(http: httpx.AsyncClient, rt: Runtime) -> None:
    wrong = sha256_hex("{ __typename }")
    response = await http.post("/graphql", json={"query": QUERY, "extensions": _apq(wrong)})
    assert _code(response.json()) == "PERSISTED_QUERY_HASH_MISMATCH"
    assert await rt.redis.get(KEY.format(hash=wrong)) is None
    assert await rt.redis.get(KEY.format(hash=HASH)) is None


async def test_invalid_documents_are_not_stored(http: httpx.AsyncClient, rt: Runtime) -> None:
    bad = "{ noSuchField }"
    response = await http.post("/graphql", json={"query": bad, "extensions": _apq(sha256_hex(bad))})
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert await rt.redis.get(KEY.format(hash=sha256_hex(bad))) is None


@pytest.mark.parametrize("extensions", [_apq(version=2), _apq("xyz"), {"persistedQuery": "abc"}])
async def test_malformed_persisted_query_extensions(http: httpx.AsyncClient, extensions: dict[str, object]) -> None:
    response = await http.post("/graphql", json={"extensions": extensions})
    assert _code(response.json()) == "PERSISTED_QUERY_INVALID"


async def test_get_by_hash_alone_with_cache_headers(http: httpx.AsyncClient, rt: Runtime) -> None:
    params = {"extensions": json.dumps(_apq()), "operationName": "Plugins"}
    miss = await http.get("/graphql", params=params)
    assert miss.status_code == 200 and _code(miss.json()) == "PERSISTED_QUERY_NOT_FOUND"
    assert miss.headers["cache-control"] == "no-store"

    registered = await http.get("/graphql", params={**params, "query": QUERY})
    assert "errors" not in registered.json()
    hit = await http.get("/graphql", params=params)
    assert hit.json()["data"] == registered.json()["data"] and "errors" not in hit.json()
    assert hit.headers["cache-control"] == "no-cache"  # GUILDHALL_GET_CACHE_SECONDS=0
    assert hit.headers["vary"] == "Accept, Authorization"

    signed_in = await http.get("/graphql", params=params, headers={"Authorization": "Bearer x"})
    assert signed_in.status_code == 401  # a bad token; never cached either way
    assert "public" not in signed_in.headers.get("cache-control", "")


async def test_get_cache_seconds_and_authorization(app_client: AppClient, gql: object) -> None:
    from tests.support import GraphQLClient

    assert isinstance(gql, GraphQLClient)
    user = await gql.user()
    async with app_client(get_cache_seconds=60) as http:
        params = {"query": QUERY}
        anonymous = await http.get("/graphql", params=params)
        assert anonymous.headers["cache-control"] == "public, max-age=60"
        signed_in = await http.get("/graphql", params=params, headers={"Authorization": f"Bearer {user.token}"})
        assert "errors" not in signed_in.json()
        assert signed_in.headers["cache-control"] == "private, no-store"
        posted = await http.post("/graphql", json={"query": QUERY})
        assert "cache-control" not in posted.headers


async def test_redis_down_degrades_to_unstored_queries(http: httpx.AsyncClient, rt: Runtime,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    async def down(*args: object, **kwargs: object) -> None:
        raise RedisConnectionError("down")

    monkeypatch.setattr(rt.redis, "getex", down)
    monkeypatch.setattr(rt.redis, "set", down)
    miss = await http.post("/graphql", json={"extensions": _apq()})
    assert _code(miss.json()) == "PERSISTED_QUERY_NOT_FOUND"
    ran = await http.post("/graphql", json={"query": QUERY, "extensions": _apq()})
    assert ran.status_code == 200 and "errors" not in ran.json()


# Trusted documents --------------------------------------------------------------------------------


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


async def test_trusted_documents_only_run_registered_hashes(app_client: AppClient, tmp_path: Path,
                                                            rt: Runtime) -> None:
    manifest = _write(tmp_path / "persisted-documents.json", {HASH: QUERY})
    async with app_client(trusted_documents=str(manifest)) as http:
        by_hash = await http.post("/graphql", json={"extensions": _apq(), "operationName": "Plugins"})
        assert by_hash.status_code == 200 and "errors" not in by_hash.json()
        by_get = await http.get("/graphql", params={"extensions": json.dumps(_apq())})
        assert by_get.json()["data"] == by_hash.json()["data"] and "errors" not in by_get.json()

        ad_hoc = await http.post("/graphql", json={"query": "{ __typename }"})
        assert _code(ad_hoc.json()) == "PERSISTED_QUERY_REQUIRED"
        assert "data" not in (await http.post("/graphql", json={"query": "{ __typename }"}, headers={
            "Accept": "application/graphql-response+json"})).json()

        other = "{ __typename }"
        unknown = await http.post("/graphql", json={"query": other, "extensions": _apq(sha256_hex(other))})
        assert _code(unknown.json()) == "PERSISTED_QUERY_NOT_IN_LIST"
    assert await rt.redis.get(KEY.format(hash=sha256_hex(other))) is None  # trusted mode stores nothing


def test_manifest_formats(tmp_path: Path) -> None:
    apollo = {"format": "apollo-persisted-query-manifest", "version": 1,
              "operations": [{"id": HASH, "name": "Plugins", "type": "query", "body": QUERY}]}
    assert load_manifest(_write(tmp_path / "apollo.json", apollo)) == ({HASH: QUERY}, "apollo")
    assert load_manifest(_write(tmp_path / "map.json", {HASH: QUERY})) == ({HASH: QUERY}, "map")
    with pytest.raises(ManifestError, match="not the SHA-256"):
        parse_manifest({HASH: QUERY + " "})
    with pytest.raises(ManifestError):
        parse_manifest([QUERY])


def _documents(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "GUILDHALL_DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}"}
    return subprocess.run([sys.executable, "-m", "host.cli", "documents", "add", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_documents_add_validates_and_merges(tmp_path: Path) -> None:
    trusted = tmp_path / "trusted.json"
    other = "query Me { me { id } }"
    apollo = {"format": "apollo-persisted-query-manifest", "version": 1,
              "operations": [{"id": HASH, "name": "Plugins", "type": "query", "body": QUERY}]}
    first = _documents(tmp_path, str(_write(tmp_path / "build1.json", apollo)), "--manifest", str(trusted))
    assert first.returncode == 0, first.stderr
    assert "1 added, 0 already there, 1 in all" in first.stdout
    second = _documents(tmp_path, str(_write(tmp_path / "build2.json", {HASH: QUERY, sha256_hex(other): other})),
                        "--manifest", str(trusted))
    assert second.returncode == 0, second.stderr
    assert "1 added, 1 already there, 2 in all" in second.stdout
    assert load_manifest(trusted) == ({HASH: QUERY, sha256_hex(other): other}, "map")

    bad = "query Bad { noSuchField }"
    refused = _documents(tmp_path, str(_write(tmp_path / "build3.json", {sha256_hex(bad): bad})),
                         "--manifest", str(trusted))
    assert refused.returncode == 1 and "noSuchField" in refused.stderr
    assert len(load_manifest(trusted)[0]) == 2  # nothing written
