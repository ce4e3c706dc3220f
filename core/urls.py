"""Absolute URLs the API hands out: ``GUILDHALL_PUBLIC_URL`` when set, else the request's own
scheme and host (after ``host.proxy`` applied a trusted proxy's ``X-Forwarded-*``), so
``guildhall serve --port 9000`` hands out links to port 9000."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from core.settings import Settings

FALLBACK = "http://127.0.0.1:8000"
_SCHEMES = {"ws": "http", "wss": "https"}


def public_base_url(settings: Settings, request: HTTPConnection | None) -> str:
    """``scheme://host[:port][/root path]`` without a trailing slash."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    if request is None:  # outside a request (scripts, benchmarks)
        return FALLBACK
    url = request.base_url
    return str(url.replace(scheme=_SCHEMES.get(url.scheme, url.scheme))).rstrip("/")
