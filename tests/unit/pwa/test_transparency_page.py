"""The transparency page's static parts: both dictionaries complete, every module preloaded, licences kept."""

from __future__ import annotations

import re

from sereno.web import PWA_DIR, TRANSPARENCY_DIR

_KEY = re.compile(r"^\s*'([\w.]+)':", re.M)


def _keys(lang: str) -> set[str]:
    return set(_KEY.findall((TRANSPARENCY_DIR / "i18n" / f"{lang}.js").read_text()))


def test_spanish_and_english_dictionaries_have_the_same_keys():
    assert _keys("es") == _keys("en")


def test_every_key_the_page_uses_is_in_the_dictionary():
    html = (TRANSPARENCY_DIR / "index.html").read_text()
    used = set(re.findall(r'data-i18n="([\w.]+)"', html)) | set(re.findall(r":([\w.]+)\"", html))
    for module in TRANSPARENCY_DIR.rglob("*.js"):
        if module.parent.name != "i18n":
            used |= set(re.findall(r"\bt\('([\w.]+)'", module.read_text()))
            used |= set(re.findall(r"(?:title|note): '([\w.]+)'", module.read_text()))
    assert used and used <= _keys("es"), sorted(used - _keys("es"))


def test_index_preloads_every_module_of_the_page():
    html = (TRANSPARENCY_DIR / "index.html").read_text()
    preloaded = set(re.findall(r'rel="modulepreload" href="/transparencia/([^"]+)"', html))
    modules = {str(p.relative_to(TRANSPARENCY_DIR)) for p in TRANSPARENCY_DIR.rglob("*.js")}
    assert preloaded == modules - {"i18n/en.js"}


def test_vendored_libraries_keep_their_licences():
    for library, licence in [
        ("leaflet", "LICENSE"),
        ("markercluster", "MIT-LICENCE.txt"),
        ("leaflet.heat", "LICENSE"),
        ("chartjs", "LICENSE.md"),
    ]:
        assert (PWA_DIR / "vendor" / library / licence).is_file(), library
