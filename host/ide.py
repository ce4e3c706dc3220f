"""GraphiQL served entirely by the app: no CDN, so the IDE works on an intranet.

Strawberry's GraphiQL page loads React, GraphiQL and its explorer plugin from unpkg at pinned
versions (with Subresource Integrity hashes). ``ide/package.json`` pins the same npm packages;
``make install`` installs them (``npm ci``) into ``ide/node_modules`` (``GUILDHALL_IDE_ASSETS``
names another folder). The page is rewritten to load ``/graphql/ide/<package>@<version>/<file>``
from the app, keeping the integrity hashes, which the browser checks against the served files.
Only the files the page names are served, and only when the installed package has the pinned
version.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from strawberry.http.ides import get_graphql_ide_html

log = logging.getLogger(__name__)

PREFIX = "/graphql/ide/"
DEFAULT_ASSETS = Path(__file__).resolve().parents[1] / "ide" / "node_modules"
_CDN = re.compile(
    r"https://(?:unpkg\.com|cdn\.jsdelivr\.net/npm)/((?:@[\w.-]+/)?[\w.-]+)@([\w.-]+)/([\w./-]+)"
)
# A year: the URLs carry the package version.
CACHE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Ide:
    html: str
    # URL path under PREFIX -> file on disk
    files: dict[str, Path]
    missing: list[str]


def build_ide(assets: str | Path | None = None) -> Ide:
    root = Path(assets) if assets else DEFAULT_ASSETS
    files: dict[str, Path] = {}
    missing: list[str] = []

    def local(match: re.Match[str]) -> str:
        package, version, file = match[1], match[2], match[3]
        key = f"{package}@{version}/{file}"
        path = (root / package / file).resolve()
        if _installed_version(root / package) != version or not path.is_file():
            missing.append(key)
        else:
            files[key] = path
        return PREFIX + key

    html = _CDN.sub(local, get_graphql_ide_html("graphiql"))
    if missing:
        log.warning("GraphiQL assets missing or at another version (run `make install`): %s", ", ".join(missing))
    return Ide(html=html, files=files, missing=missing)


def _installed_version(package_dir: Path) -> str | None:
    try:
        version = json.loads((package_dir / "package.json").read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        return None
    return version if isinstance(version, str) else None


def asset_endpoint(ide: Ide) -> Callable[[Request], Awaitable[Response]]:
    async def asset(request: Request) -> Response:
        path = ide.files.get(request.path_params["asset"])
        if path is None:
            return PlainTextResponse("Not Found", status_code=404)
        return FileResponse(path, headers={"cache-control": CACHE})

    return asset
