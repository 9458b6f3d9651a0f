"""The browser apps (citizen PWA, field app) served as static files, no build step."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from litestar import Response, get
from litestar.static_files import create_static_files_router

from sereno.settings import PROJECT_ROOT

__all__ = ["routes"]

PWA_DIR = PROJECT_ROOT / "pwa"
FIELD_DIR = PROJECT_ROOT / "field_app"
CONSOLE_DIR = PROJECT_ROOT / "console"
TRANSPARENCY_DIR = PWA_DIR / "transparency"

_NO_CACHE = {"Cache-Control": "no-cache"}


def _file(path: Path, media_type: str, extra: dict[str, str] | None = None) -> Response[bytes]:
    return Response(path.read_bytes(), media_type=media_type, headers={**_NO_CACHE, **(extra or {})})


@get("/", include_in_schema=False, sync_to_thread=False)
def citizen_app() -> Response[bytes]:
    return _file(PWA_DIR / "index.html", "text/html")


@lru_cache(maxsize=4)
def _service_worker_source(app_dir: Path = PWA_DIR) -> bytes:
    """An app's sw.js with VERSION set to a hash of the files it can precache (its own and the shared ones),
    so any change to the shell ships a new cache without anyone remembering to bump a number."""
    digest = hashlib.sha256()
    for folder in dict.fromkeys((app_dir, PWA_DIR)):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    source = (app_dir / "sw.js").read_text()
    return re.sub(
        r"const VERSION = '[^']*';", f"const VERSION = '{digest.hexdigest()[:12]}';", source, count=1
    ).encode()


@get("/sw.js", include_in_schema=False, sync_to_thread=False)
def service_worker() -> Response[bytes]:
    return Response(
        _service_worker_source(PWA_DIR),
        media_type="text/javascript",
        headers={**_NO_CACHE, "Service-Worker-Allowed": "/"},
    )


@get("/field/sw.js", include_in_schema=False, sync_to_thread=False)
def field_service_worker() -> Response[bytes]:
    return Response(_service_worker_source(FIELD_DIR), media_type="text/javascript", headers=_NO_CACHE)


@get("/manifest.webmanifest", include_in_schema=False, sync_to_thread=False)
def manifest() -> Response[bytes]:
    return _file(PWA_DIR / "manifest.webmanifest", "application/manifest+json")


def routes() -> list:
    return [
        citizen_app,
        service_worker,
        field_service_worker,
        manifest,
        create_static_files_router(path="/app", directories=[PWA_DIR], include_in_schema=False),
        create_static_files_router(path="/shared", directories=[PWA_DIR / "shared"], include_in_schema=False),
        # html_mode: /field/ and /console/ serve their index.html; other files by name.
        create_static_files_router(
            path="/field", directories=[FIELD_DIR], html_mode=True, include_in_schema=False
        ),
        create_static_files_router(
            path="/console", directories=[CONSOLE_DIR], html_mode=True, include_in_schema=False
        ),
        # The public transparency page (no login): Spanish-first address, and the English one.
        *(
            create_static_files_router(
                path=path, directories=[TRANSPARENCY_DIR], html_mode=True, include_in_schema=False
            )
            for path in ("/transparencia", "/transparency")
        ),
    ]
