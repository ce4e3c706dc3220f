"""Persisted queries: Apollo's automatic persisted queries (APQ) and trusted documents.

A request names its document by hash in ``extensions.persistedQuery``
(``{"version": 1, "sha256Hash": "<64 lowercase hex>"}``), on POST or GET.

APQ (the default): the server keeps documents in Redis under ``apq:<hash>`` for
``persisted_query_days`` after their last use (every hit refreshes the TTL), shared by all
processes. An unknown hash answers ``PersistedQueryNotFound`` (code ``PERSISTED_QUERY_NOT_FOUND``,
HTTP 200, as Apollo clients expect); the client then sends hash and text, and the text is stored
only when its SHA-256 is the hash and it parses and validates. Redis being unreachable only
costs the saving: lookups miss and the text is executed unstored.

Trusted documents (``GUILDHALL_TRUSTED_DOCUMENTS`` = a manifest path): only the manifest's
documents run; a hash outside it answers ``PERSISTED_QUERY_NOT_IN_LIST`` and query text without
a hash ``PERSISTED_QUERY_REQUIRED``. The manifest is read once at start-up. Two formats
(both key documents by the SHA-256 of their exact text):

- a JSON object ``{"<sha256>": "<document>", ...}``, what GraphQL Codegen's client preset
  writes (``persistedDocuments: true`` → ``persisted-documents.json``);
- Apollo's persisted-query manifest ``{"format": "apollo-persisted-query-manifest", "version": 1,
  "operations": [{"id": "<sha256>", "name": ..., "type": ..., "body": "<document>"}]}``
  (``@apollo/generate-persisted-query-manifest``).

``guildhall documents add FILE`` validates a manifest against the schema and merges it into
the trusted one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import GraphQLError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from core.metrics import PERSISTED_QUERIES

log = logging.getLogger(__name__)

KEY = "apq:{hash}"
SHA256 = re.compile(r"[0-9a-f]{64}")
APOLLO_FORMAT = "apollo-persisted-query-manifest"

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
REQUIRED = "PERSISTED_QUERY_REQUIRED"
HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
INVALID = "PERSISTED_QUERY_INVALID"


class PersistedQueryError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def as_graphql_error(self) -> GraphQLError:
        return GraphQLError(str(self), extensions={"code": self.code})


class ManifestError(ValueError):
    """A manifest file that is not one of the supported formats, or whose hashes are wrong."""


def sha256_hex(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


@dataclass(frozen=True)
class Resolved:
    """The document to run; ``store`` when it is new APQ text to save once it validated."""

    query: str | None
    store: str | None = None


# Manifests ---------------------------------------------------------------------------------------


def parse_manifest(data: Any, source: str = "manifest") -> tuple[dict[str, str], str]:
    """``(documents by hash, format)`` where format is ``"map"`` or ``"apollo"``."""
    documents: dict[str, str] = {}
    if isinstance(data, dict) and data.get("format") == APOLLO_FORMAT:
        if data.get("version") != 1 or not isinstance(data.get("operations"), list):
            raise ManifestError(f"{source}: an {APOLLO_FORMAT} needs version 1 and a list of operations")
        kind = "apollo"
        pairs = []
        for operation in data["operations"]:
            if not isinstance(operation, dict):
                raise ManifestError(f"{source}: every operation must be an object")
            pairs.append((operation.get("id"), operation.get("body")))
    elif isinstance(data, dict):
        kind = "map"
        pairs = list(data.items())
    else:
        raise ManifestError(f'{source}: expected a JSON object {{"<sha256>": "<document>"}} or an {APOLLO_FORMAT}')
    for key, document in pairs:
        if not isinstance(key, str) or not isinstance(document, str):
            raise ManifestError(f"{source}: hashes and documents must be strings")
        if sha256_hex(document) != key.lower():
            raise ManifestError(f"{source}: {key} is not the SHA-256 of its document")
        documents[key.lower()] = document
    return documents, kind


def load_manifest(path: str | Path) -> tuple[dict[str, str], str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: {exc}") from exc
    return parse_manifest(data, str(path))


def dump_manifest(documents: dict[str, str], kind: str) -> str:
    ordered = dict(sorted(documents.items()))
    data: object = ordered
    if kind == "apollo":
        data = {
            "format": APOLLO_FORMAT,
            "version": 1,
            "operations": [{"id": key, "name": _name(body), "type": _type(body), "body": body}
                           for key, body in ordered.items()],
        }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_manifest(path: str | Path, documents: dict[str, str], kind: str) -> None:
    """Replace the file atomically (a server starting meanwhile reads the old or the new one)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(dump_manifest(documents, kind))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_OPERATION = re.compile(r"\b(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?")


def _name(document: str) -> str | None:
    match = _OPERATION.search(document)
    return match[2] if match else None


def _type(document: str) -> str:
    match = _OPERATION.search(document)
    return match[1] if match else "query"


def operation_name(document: str | None) -> str | None:
    """The first operation's name in ``document`` (a cheap scan, for logs and metrics)."""
    return _name(document) if document else None


# Lookup ------------------------------------------------------------------------------------------


class PersistedQueries:
    def __init__(self, redis: Redis, ttl_seconds: int, trusted: dict[str, str] | None = None) -> None:
        self.redis = redis
        self.ttl_seconds = ttl_seconds
        self.trusted = trusted

    async def resolve(self, query: str | None, extensions: object) -> Resolved:
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if persisted is None:
            if self.trusted is not None and query is not None:
                self._refused()
                raise PersistedQueryError(REQUIRED, "Only registered documents run here: send their hash")
            return Resolved(query)
        digest = _hash_of(persisted)
        if query is not None and sha256_hex(query) != digest:
            self._refused()
            raise PersistedQueryError(HASH_MISMATCH, "persistedQuery.sha256Hash is not the SHA-256 of the query")
        if self.trusted is not None:
            document = self.trusted.get(digest)
            if document is None:
                self._refused()
                raise PersistedQueryError(NOT_IN_LIST, "PersistedQueryNotInList")
            PERSISTED_QUERIES.labels(result="hit").inc()
            return Resolved(document)
        if query is not None:
            return Resolved(query, store=digest)
        stored = await self._get(digest)
        if stored is None:
            PERSISTED_QUERIES.labels(result="miss").inc()
            raise PersistedQueryError(NOT_FOUND, "PersistedQueryNotFound")
        PERSISTED_QUERIES.labels(result="hit").inc()
        return Resolved(stored)

    async def store(self, digest: str, query: str) -> None:
        try:
            await self.redis.set(KEY.format(hash=digest), query, ex=self.ttl_seconds)
        except (RedisError, OSError) as exc:
            log.warning("persisted query not stored (Redis: %s)", exc)
            return
        PERSISTED_QUERIES.labels(result="stored").inc()

    async def _get(self, digest: str) -> str | None:
        try:
            stored = await self.redis.getex(KEY.format(hash=digest), ex=self.ttl_seconds)
        except (RedisError, OSError) as exc:
            log.warning("persisted query lookup failed (Redis: %s)", exc)
            return None
        return stored if isinstance(stored, str) or stored is None else stored.decode()

    @staticmethod
    def _refused() -> None:
        PERSISTED_QUERIES.labels(result="refused").inc()


def _hash_of(persisted: object) -> str:
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise PersistedQueryError(INVALID, "persistedQuery.version must be 1")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not SHA256.fullmatch(digest.lower()):
        raise PersistedQueryError(INVALID, "persistedQuery.sha256Hash must be 64 hexadecimal digits")
    return digest.lower()
