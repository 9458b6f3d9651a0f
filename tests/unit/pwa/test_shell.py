"""The citizen app's shell: everything it loads is precached, preloaded, and within the size budget."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from sereno.web import PWA_DIR, _service_worker_source

ROOT = PWA_DIR.parent
BUDGET_BYTES = 100 * 1024  # first load, JS + CSS, gzip, map library excluded


def _url_to_path(url: str) -> Path:
    if url.startswith("/app/"):
        return PWA_DIR / url.removeprefix("/app/")
    if url.startswith("/shared/"):
        return PWA_DIR / "shared" / url.removeprefix("/shared/")
    return {"/": PWA_DIR / "index.html", "/manifest.webmanifest": PWA_DIR / "manifest.webmanifest"}[url]


def _shell() -> list[str]:
    source = (PWA_DIR / "sw.js").read_text()
    block = re.search(r"const SHELL = \[(.*?)\];", source, re.S).group(1)
    return re.findall(r"'([^']+)'", block)


def _modules() -> set[Path]:
    files = set((PWA_DIR / "js").glob("*.js")) | set((PWA_DIR / "shared").glob("*.js"))
    return files | set((PWA_DIR / "i18n").glob("*.js")) | {PWA_DIR / "app.js", PWA_DIR / "styles.css"}


def test_every_precached_file_exists_and_every_module_is_precached():
    shell = {_url_to_path(url) for url in _shell()}
    assert all(path.is_file() for path in shell), [str(p) for p in shell if not p.is_file()]
    assert _modules() <= shell, sorted(str(p) for p in _modules() - shell)


def test_index_preloads_every_first_load_module():
    html = (PWA_DIR / "index.html").read_text()
    preloaded = {_url_to_path(url) for url in re.findall(r'rel="modulepreload" href="([^"]+)"', html)}
    first_load = _modules() - {PWA_DIR / "i18n" / "en.js", PWA_DIR / "styles.css"}
    assert preloaded == first_load


def test_first_load_fits_the_budget():
    total = sum(len(gzip.compress(p.read_bytes(), 9)) for p in _modules() - {PWA_DIR / "i18n" / "en.js"})
    assert total <= BUDGET_BYTES, f"{total} bytes gzip"


def test_service_worker_version_is_a_hash_of_the_app_files():
    source = _service_worker_source().decode()
    version = re.search(r"const VERSION = '([^']+)';", source).group(1)
    assert re.fullmatch(r"[0-9a-f]{12}", version)


def test_manifest_declares_installable_icons():
    import json

    manifest = json.loads((PWA_DIR / "manifest.webmanifest").read_text())
    assert manifest["display"] in ("standalone", "fullscreen", "minimal-ui") and manifest["start_url"]
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert _url_to_path(icon["src"]).is_file()
    assert ROOT.joinpath("pwa", "vendor", "leaflet", "LICENSE").is_file()
