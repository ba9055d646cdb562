"""Weigh the phone app on the wire, measured in Chromium: a first visit and a repeat visit.

The patrol path is what a new assistant does: log in, the home screen, the service worker
installing everything it precaches for an offline patrol, a checkpoint's checklist, the outbox.
A repeat visit opens the same screens again the next day. Chromium reports the bytes each
response took on the wire (headers and encoded body), the service worker's own fetches
included; answers the service worker gave from its cache cost nothing and are not counted.

Measured twice in the same run: straight from gunicorn (http://127.0.0.1, the app sends its
precompressed files) and through Caddy over HTTPS at https://patrol.test (make lan's
configuration, which also compresses the API's JSON). The bare baseline is the same files
uncompressed, as the app sent them before the build was precompressed.

Run: .venv/bin/python bench/bench_web.py   (after `make web`; needs chromium and caddy, which
`make system-deps-test` installs)
"""

from __future__ import annotations

import contextlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import (  # noqa: E402  (the browser tests' servers and Chromium)
    WEB_DIST,
    _launch,
    _prepare_database,
    _serve,
    behind_caddy,
    trusting_chromium,
)
from tests.e2e.phone import (  # noqa: E402
    PHONE,
    log_in,
    show_label,
    wait_for_service_worker,
    write_y4m,
)

FIRST_VISIT_BUDGET_KB = 250  # static files, precache included (issue 14)
REPEAT_VISIT_BUDGET_KB = 10
CODE = "EDMNRB"  # A幢 5F 楼梯间 in the demo property
CAMERA = ROOT / "bench" / "out" / "camera.y4m"  # what the fake camera films


@dataclass
class Tally:
    """Bytes on the wire of one visit, static files and API apart."""

    static: int = 0
    api: int = 0
    requests: int = 0
    plain: int = 0  # the same static files uncompressed (the bare baseline)
    urls: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def add(self, request) -> None:
        """Count one finished request, unless the service worker answered it from its cache."""
        response = request.response()
        if response is None or response.from_service_worker:
            return
        sizes = request.sizes()
        wire = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        path = urlsplit(request.url).path
        self.requests += 1
        self.urls.append(f"{path} {wire}")
        if path.startswith("/api/"):
            self.api += wire
            return
        self.static += wire
        built = WEB_DIST / (path.lstrip("/") or "index.html")
        if path not in self.seen:  # the baseline sends each file once, uncompressed
            self.seen.add(path)
            self.plain += built.stat().st_size if built.is_file() else sizes["responseBodySize"]


def _patrol(page) -> None:
    """Scan the label in front of the camera, then open the outbox, by tapping as a user does."""
    page.get_by_test_id("scan").click()
    expect(page.get_by_test_id("checkpoint-name")).to_have_text("A幢 5F 楼梯间")
    page.go_back()  # the checklist has no tab bar: back to the home screen, then the outbox tab
    page.locator(".van-tabbar-item", has_text="待发送").click()
    expect(page).to_have_url(re.compile(r"/outbox$"))
    page.wait_for_load_state("networkidle")


def measure(browser, server) -> tuple[Tally, Tally]:
    """Return the first and the repeat visit's tallies on a fresh phone."""
    context = browser.new_context(base_url=server.base_url, **PHONE)
    context.set_default_timeout(30_000)
    first, repeat = Tally(), Tally()
    current = [first]
    context.on("requestfinished", lambda r: current[0].add(r))
    page = context.new_page()
    log_in(page, "assistant")
    wait_for_service_worker(page)  # activated: the precache is complete
    page.wait_for_load_state("networkidle")
    show_label(CAMERA, server.label_url(CODE))
    _patrol(page)
    page.close()
    current[0] = repeat  # the next day: the app opened again, the same patrol
    page = context.new_page()
    page.goto("/")
    expect(page.get_by_test_id("progress")).to_be_visible()
    _patrol(page)
    context.close()
    return first, repeat


def _row(name: str, first: Tally, repeat: Tally) -> None:
    print(
        f"{name:<34} first visit: static {first.static / 1024:6.1f} KB in {first.requests:2d} "
        f"requests (bare: each file once uncompressed {first.plain / 1024:6.1f} KB), "
        f"API {first.api / 1024:6.1f} KB; "
        f"repeat visit: static {repeat.static / 1024:5.1f} KB, API {repeat.api / 1024:6.1f} KB"
    )


def main() -> int:
    """Measure both deliveries and print them against the budgets."""
    if not (WEB_DIST / "index.html").exists():
        print("web/dist is not built: run `make web` first", file=sys.stderr)
        return 1
    CAMERA.parent.mkdir(exist_ok=True)
    write_y4m(Image.new("RGB", (1280, 720), "white"), CAMERA)
    results = {}
    expect.set_options(timeout=30_000)  # a cold server on a busy machine: not what is measured
    with sync_playwright() as p:
        p.selectors.set_test_id_attribute("data-test")
        with contextlib.contextmanager(_serve)(_prepare_database) as server:
            browser = _launch(p, CAMERA, camera_allowed=True)
            results["gunicorn, http://127.0.0.1"] = measure(browser, server)
            browser.close()
        with behind_caddy() as lan, trusting_chromium(p, CAMERA, lan.root_cert) as browser:
            results["Caddy, https://patrol.test"] = measure(browser, lan.server)
    print()
    for name, (first, repeat) in results.items():
        _row(name, first, repeat)
    worst_first = max(first.static for first, _ in results.values()) / 1024
    worst_repeat = max(repeat.static for _, repeat in results.values()) / 1024
    print(
        f"\nbudgets: first visit ≤ {FIRST_VISIT_BUDGET_KB} KB static (worst {worst_first:.1f} KB), "
        f"repeat visit ≤ {REPEAT_VISIT_BUDGET_KB} KB (worst {worst_repeat:.1f} KB)"
    )
    if "-v" in sys.argv:
        for name, (first, repeat) in results.items():
            print(f"\n{name}, first visit:", *first.urls, sep="\n  ")
            print(f"{name}, repeat visit:", *repeat.urls, sep="\n  ")
    ok = worst_first <= FIRST_VISIT_BUDGET_KB and worst_repeat <= REPEAT_VISIT_BUDGET_KB
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
