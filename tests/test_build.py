"""The built phone app: what the service worker precaches for an offline patrol, and its weight."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

DIST = Path(__file__).resolve().parents[1] / "web" / "dist"
IN_CI = os.environ.get("CI", "").lower() == "true"
FIRST_VISIT_BUDGET = 250 * 1024  # issue 14: static files of a first visit, precache included

pytestmark = pytest.mark.skipif(
    not (DIST / "sw.js").exists() and not IN_CI, reason="web/dist is not built (make web)"
)


def _precache() -> list[str]:
    return re.findall(r'url:"([^"]+)"', (DIST / "sw.js").read_text())


def _manifest() -> dict:
    return json.loads((DIST / ".vite" / "manifest.json").read_text())


def _closure(manifest: dict, keys: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(keys)
    while todo:
        key = todo.pop()
        if key not in seen:
            seen.add(key)
            todo.extend(manifest[key].get("imports", []))
    return seen


def test_the_patrol_works_offline_from_the_precache():
    precache = set(_precache())
    manifest = _manifest()
    entry = [k for k, chunk in manifest.items() if chunk.get("isEntry")]
    needed = {"index.html"}
    for key in _closure(manifest, entry):
        needed |= {manifest[key]["file"], *manifest[key].get("css", [])}
    assert needed <= precache, needed - precache
    assert any("qr-scanner-worker" in url for url in precache)  # scanning offline
    assert any("photoWorker" in url for url in precache)  # photos shrink offline too
    assert "icons/icon-192.png" in precache  # the login screen's logo, for an offline re-login


def test_desk_screens_are_not_in_everyones_first_download():
    precache = _precache()
    assert len(precache) == len(set(precache)), "a file precached twice"
    for chunk in ("admin-", "CoverageView-", "ReviewView-", "DispatchHome-", "SupervisorHome-"):
        assert not any(url.startswith(f"assets/{chunk}") for url in precache), chunk
    assert not any(url.startswith(("workbox-", "sw.js")) for url in precache)
    # Install icons are the browser's to fetch; only the login logo rides in the first visit.
    assert [url for url in precache if url.startswith("icons/")] == ["icons/icon-192.png"]


def test_the_precache_fits_the_first_visit_budget_as_sent():
    sent = 0
    for url in _precache():
        path = DIST / url
        br = path.with_name(path.name + ".br")
        sent += (br if br.exists() else path).stat().st_size
    assert sent <= FIRST_VISIT_BUDGET, f"{sent / 1024:.1f} KB"
