"""Believe ``X-Forwarded-*`` headers only from the proxies in ``GUILDHALL_TRUSTED_PROXIES``.

For a request whose peer is a trusted proxy, the client address becomes the right-most
``X-Forwarded-For`` entry that is not itself a trusted proxy, the scheme ``X-Forwarded-Proto``
and the host ``X-Forwarded-Host``; every other request is left as the server saw it. Everything
after this middleware (URLs the API hands out, per-address limits, logs) sees the result.
``guildhall serve`` switches uvicorn's own proxy-header handling off so this is the only one.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Network, IPv6Network, ip_address

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

Network = IPv4Network | IPv6Network
_HOST = re.compile(r"[A-Za-z0-9.\-:\[\]]{1,255}")


class TrustedProxyMiddleware:
    def __init__(self, app: ASGIApp, trusted: list[Network]) -> None:
        self.app = app
        self.trusted = trusted

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ip_address(address.strip())
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        trusted = bool(self.trusted and client and self._is_trusted(client[0]))
        if scope["type"] not in ("http", "websocket") or not trusted:
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        headers = Headers(scope=scope)
        if forwarded_for := headers.get("x-forwarded-for"):
            hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
            while hops and self._is_trusted(hops[-1]):
                hops.pop()
            if hops:
                scope["client"] = (hops[-1], 0)
        proto = (headers.get("x-forwarded-proto") or "").split(",")[0].strip().lower()
        if proto in ("http", "https"):
            secure = proto == "https"
            scope["scheme"] = ("wss" if secure else "ws") if scope["type"] == "websocket" else proto
        host = (headers.get("x-forwarded-host") or "").split(",")[0].strip()
        if host and _HOST.fullmatch(host):
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"host"] + [(b"host", host.encode())]
        await self.app(scope, receive, send)
